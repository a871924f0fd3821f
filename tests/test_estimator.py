import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, ShuffleSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_seq2seq import Seq2SeqLSTM, make_reversal, sequence_accuracy_scorer

FAST = dict(n_units=16, epochs=2, batch_size=128, random_state=0)


def test_learns_the_reversal_task(fitted, small_task):
    _, _, X_test, Y_test = small_task
    Y_pred = fitted.predict(X_test)
    assert Y_pred.shape == Y_test.shape and Y_pred.dtype.kind == "i"
    assert fitted.score(X_test, Y_test) >= 0.95
    assert isinstance(fitted.score(X_test, Y_test), float)


def test_fitted_attributes(fitted, small_task):
    X = small_task[0]
    assert fitted.n_features_in_ == X.shape[1] and fitted.n_outputs_ == 2
    assert len(fitted.classes_) == 2
    np.testing.assert_array_equal(fitted.classes_[0], np.arange(1, 6))
    assert {"loss"} <= set(fitted.history_) and len(fitted.history_["loss"]) == 10
    for model in (fitted.model_, fitted.encoder_model_, fitted.decoder_model_):
        assert model.count_params() > 0


def test_predict_proba_follows_multioutput_convention(fitted, small_task):
    X_test = small_task[2][:50]
    proba = fitted.predict_proba(X_test)
    Y_pred = fitted.predict(X_test)
    assert isinstance(proba, list) and len(proba) == fitted.n_outputs_
    for j, p in enumerate(proba):
        assert p.shape == (50, len(fitted.classes_[j]))
        np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
        np.testing.assert_array_equal(fitted.classes_[j][p.argmax(axis=1)], Y_pred[:, j])


def test_batch_composition_never_changes_a_prediction(fitted, small_task):
    X_test = small_task[2]
    full = fitted.predict(X_test)
    one_by_one = np.concatenate([fitted.predict(X_test[i : i + 1]) for i in range(20)])
    np.testing.assert_array_equal(full[:20], one_by_one)
    order = np.random.RandomState(0).permutation(len(X_test))
    np.testing.assert_array_equal(fitted.predict(X_test[order]), full[order])


def test_same_random_state_same_model(small_task):
    X, Y, X_test, _ = small_task
    a = Seq2SeqLSTM(**FAST).fit(X[:500], Y[:500])
    b = Seq2SeqLSTM(**FAST).fit(X[:500], Y[:500])
    np.testing.assert_array_equal(a.predict_proba(X_test)[0], b.predict_proba(X_test)[0])


def test_pinned_predictions():
    """Speed work must not change what a fixed random_state predicts."""
    X, Y = make_reversal(n_samples=400, n_in=5, n_out=3, n_tokens=8, random_state=0)
    est = Seq2SeqLSTM(n_units=16, epochs=3, random_state=42).fit(X, Y)
    # An under-trained model, so the pin is sensitive to any numeric change.
    # Re-pinned on purpose: when the epoch order became a stateless
    # permutation (a memory fix that changes which order a seed gives), and
    # when the default recipe became clipped, linearly decaying Adam, then
    # predicted with the moving average of the weights, and when
    # batch_size="auto" became the default (batches of 16 here).
    pinned = [[6, 6, 6], [4, 4, 4], [1, 7, 1], [3, 3, 3], [2, 2, 2], [2, 2, 2]]
    pinned += [[7, 7, 6], [1, 1, 5], [4, 4, 7], [3, 2, 2], [7, 4, 7], [1, 1, 1]]
    np.testing.assert_array_equal(est.predict(X[:12]), pinned)


def test_string_tokens_and_one_dimensional_targets():
    rng = np.random.RandomState(0)
    letters = np.array(list("abcde"))
    X = letters[rng.randint(0, 5, size=(600, 3))]
    y = X[:, -1]
    est = Seq2SeqLSTM(n_units=32, epochs=10, batch_size=128, random_state=0).fit(X, y)
    pred = est.predict(X[:10])
    assert pred.shape == (10,) and pred.dtype.kind == "U"
    assert est.predict_proba(X[:10]).shape == (10, 5)
    assert est.score(X, y) > 0.9


def test_any_integer_tokens_and_unknown_source_tokens():
    rng = np.random.RandomState(0)
    X = rng.choice([-7, 1000, 10**9], size=(300, 3))
    Y = X[:, ::-1]
    est = Seq2SeqLSTM(**FAST).fit(X, Y)
    pred = est.predict([[-7, 123456, 1000]])  # 123456 was never seen
    assert pred.shape == (1, 3) and set(pred.ravel()) <= {-7, 1000, 10**9}


def test_refit_forgets_the_old_vocabulary():
    est = Seq2SeqLSTM(**FAST).fit(np.array([[1, 2], [2, 1]] * 20), np.array([[1], [2]] * 20))
    est.fit(np.array([[7, 8], [8, 7]] * 20), np.array([[70], [80]] * 20))
    np.testing.assert_array_equal(est.classes_[0], [70, 80])
    np.testing.assert_array_equal(est.source_vocabulary_.tokens, [7, 8])
    assert set(est.predict([[1, 2]]).ravel()) <= {70, 80}


@pytest.mark.parametrize(
    "X, Y, error, match",
    [
        ([[1.0, np.nan]] * 4, [[1]] * 4, ValueError, "NaN"),
        ([[1.0, np.inf]] * 4, [[1]] * 4, ValueError, "infinity"),
        ([[1, 2]] * 4, [[1]] * 3, ValueError, "inconsistent numbers of samples"),
        (np.zeros((0, 2)), np.zeros((0, 1)), ValueError, "0 sample"),
        ([[1, 2]] * 4, [0.5, 1.5, 2.5, 3.5], ValueError, "continuous"),
        (np.zeros((4, 2, 2)), [1] * 4, ValueError, "dim 3"),
    ],
)
def test_bad_fit_input_is_rejected_and_keeps_the_fitted_model(X, Y, error, match):
    est = Seq2SeqLSTM(**FAST).fit(np.array([[1, 2], [2, 1]] * 10), [1, 2] * 10)
    before = est.predict([[1, 2], [2, 1]])
    model = est.model_
    with pytest.raises(error, match=match):
        est.fit(X, Y)
    assert est.model_ is model
    np.testing.assert_array_equal(est.predict([[1, 2], [2, 1]]), before)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_units": 0}, "n_units"),
        ({"epochs": 1.5}, "epochs"),
        ({"batch_size": -1}, "batch_size"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"random_state": "x"}, "random_state"),
    ],
)
def test_invalid_parameters_are_reported_at_fit(params, match):
    est = Seq2SeqLSTM(**params)  # no validation in __init__
    with pytest.raises(ValueError, match=match):
        est.fit([[1, 2]] * 4, [1] * 4)


def test_predict_errors(fitted):
    with pytest.raises(NotFittedError):
        Seq2SeqLSTM().predict([[1, 2, 3, 4]])
    with pytest.raises(ValueError, match="4 features"):
        fitted.predict(np.array([[1, 2, 3]]))
    with pytest.raises(ValueError, match="NaN"):
        fitted.predict([[1.0, 2.0, np.nan, 4.0]])
    with pytest.raises(ValueError, match="sample_weight"):
        fitted.score([[1, 2, 3, 4]], [[1, 2]], sample_weight=[1])


@pytest.mark.parametrize("dumps, loads", [(pickle.dumps, pickle.loads), (None, None)])
def test_pickle_and_joblib_round_trips(fitted, small_task, dumps, loads, tmp_path):
    X_test = small_task[2]
    if dumps is None:
        joblib.dump(fitted, tmp_path / "model.joblib")
        restored = joblib.load(tmp_path / "model.joblib")
    else:
        restored = loads(dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X_test), fitted.predict(X_test))
    np.testing.assert_array_equal(
        restored.predict_proba(X_test)[1], fitted.predict_proba(X_test)[1]
    )
    unfitted = pickle.loads(pickle.dumps(Seq2SeqLSTM(n_units=7)))
    assert unfitted.get_params()["n_units"] == 7


def test_clone_copies_parameters_only(fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "model_")


def test_grid_search_over_units_and_epochs(small_task):
    # Parallel searches (joblib backends, Dask, Ray): tests/test_scaling.py
    X, Y = small_task[0][:600], small_task[1][:600]
    one_split = ShuffleSplit(n_splits=1, test_size=0.5, random_state=0)  # 4 fits and a refit
    search = GridSearchCV(
        Seq2SeqLSTM(random_state=0), {"n_units": [8, 32], "epochs": [1, 3]}, cv=one_split
    ).fit(X, Y)
    assert search.best_params_ == {"n_units": 32, "epochs": 3}
    assert search.predict(X[:5]).shape == (5, 2)


def test_pipeline_and_cross_val_score(small_task):
    X, Y = small_task[0][:600], small_task[1][:600]
    pipe = make_pipeline(FunctionTransformer(lambda X: X + 100), Seq2SeqLSTM(**FAST))
    pipe.fit(X, Y)
    assert pipe.predict(X[:3]).shape == (3, 2)
    scores = cross_val_score(Seq2SeqLSTM(**FAST), X, Y, cv=2, scoring=sequence_accuracy_scorer)
    assert scores.shape == (2,) and np.all((0 <= scores) & (scores <= 1))


def test_import_clone_and_grid_search_do_not_import_tensorflow():
    code = (
        "import sys\n"
        "import sklearn_seq2seq\n"
        "from sklearn.base import clone\n"
        "from sklearn.model_selection import GridSearchCV\n"
        "est = clone(sklearn_seq2seq.Seq2SeqLSTM(n_units=8))\n"
        "est.get_params()\n"
        "GridSearchCV(est, {'n_units': [8, 16]})\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n"
        "assert 'keras' not in sys.modules, 'keras imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
