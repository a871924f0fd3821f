"""Malformed input: every bad call raises a clear error and loses nothing.

Each case names the call, the input, the exception type and a fragment of
the message that names the problem.  Calls on the fitted estimator are
checked to leave it exactly as it was (same model object, same fitted
attributes, same predictions).
"""

import os
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_seq2seq import Seq2SeqLSTM, SequenceOneHotEncoder, load

X = np.array([[1, 2, 3], [3, 2, 1], [2, 3, 1], [1, 3, 2]] * 5)
Y = X[:, :2]
FAST = dict(n_units=4, epochs=1, random_state=0)


def with_nan(a):
    return np.where(a == 1, np.nan, a)


@pytest.fixture(scope="session")
def fitted():
    return Seq2SeqLSTM(**FAST).fit(X, Y)


@pytest.fixture(scope="session")
def encoder():
    return SequenceOneHotEncoder().fit(X)


@pytest.fixture(scope="session")
def model_files(tmp_path_factory, fitted):
    """A good model file and broken variants of it."""
    folder = tmp_path_factory.mktemp("files")
    good = folder / "good.s2s"
    fitted.save(good)
    data = good.read_bytes()
    (folder / "truncated.s2s").write_bytes(data[: len(data) // 2])
    (folder / "text.s2s").write_text("not a model")
    with zipfile.ZipFile(good) as archive:
        member = archive.getinfo("model.keras")
    flipped = bytearray(data)  # one byte of the Keras model's data inverted
    flipped[member.header_offset + 30 + len(member.filename) + member.compress_size // 2] ^= 0xFF
    (folder / "flipped.s2s").write_bytes(bytes(flipped))
    return folder


# (id, fit(X, y) arguments, exception, message fragment)
FIT_CASES = [
    ("nan", (with_nan(X), Y), ValueError, "Input X contains NaN"),
    ("inf", (np.where(X == 1, np.inf, X), Y), ValueError, "Input X contains infinity"),
    ("nan-in-y", (X, with_nan(Y)), ValueError, "Input y contains NaN"),
    ("none-token", ([[1, None], [2, 3]], [[1], [2]]), ValueError, "X contains None"),
    ("none-token-in-y", ([[1, 2], [3]], [[1, None], [2]]), ValueError, "y contains None"),
    (
        "unorderable-mix",
        ([[1, "a"], ["b", 2, 3]], [[1], [2]]),
        TypeError,
        r"cannot be compared with each other \(int, str\)",
    ),
    ("mixed-depth", ([[1, 2], [[3], 4]], [[1], [2]]), TypeError, "unhashable tokens of type list"),
    ("strings-and-lists", (["ab", [1, 2]], [[1], [2]]), TypeError, "all be strings or all be"),
    ("empty-sequence", ([[1, 2], []], [[1], [2]]), ValueError, "X contains 1 empty sequence"),
    ("empty-target", ([[1, 2], [3]], [[1], []]), ValueError, "y contains 1 empty sequence"),
    ("empty-dataset", ([], []), ValueError, "holds 0 sequences"),
    ("empty-array", (np.empty((0, 3)), np.empty((0, 2))), ValueError, "0 sample"),
    ("length-mismatch", (X, Y[:-1]), ValueError, "inconsistent numbers of samples"),
    ("length-mismatch-lists", ([[1, 2], [3]], [[1]]), ValueError, "inconsistent numbers"),
    ("3d-X", (X[:, :, None], Y), ValueError, "dim 3"),
    ("3d-y", (X, Y[:, :, None]), ValueError, "dim 3"),
    ("sparse-X", (sp.csr_matrix(X), Y), TypeError, "Sparse matrices are not supported"),
    ("sparse-y", (X, sp.csr_matrix(Y)), TypeError, "Sparse matrices are not supported"),
    ("dict-tokens", ([[{"a": 1}], [{"b": 2}]], [[1], [2]]), TypeError, "type dict"),
    ("set-tokens", ([[{1}, {2}], [{1}]], [[1], [2]]), TypeError, "type set"),
    ("bytes-and-str", ([[b"a", "a"], ["b"]], [[1], [2]]), TypeError, r"\(bytes, str\)"),
    ("identical-targets", (X, np.ones_like(Y)), ValueError, "one class"),
    ("identical-sequence-targets", ([[1, 2], [3]], [[7], [7]]), ValueError, "one class"),
    ("continuous-y", (X, Y + 0.5), ValueError, "continuous"),
    ("single-string", ("hello", "world"), TypeError, "single str"),
    ("y-none", (X, None), ValueError, "requires y"),
]


@pytest.mark.parametrize(
    "args, error, message", [case[1:] for case in FIT_CASES], ids=[case[0] for case in FIT_CASES]
)
def test_bad_fit_input_is_rejected_and_loses_nothing(fitted, args, error, message):
    before = snapshot(fitted)
    with pytest.raises(error, match=message):
        fitted.fit(*args)
    assert_unchanged(fitted, before)


def test_one_sample_with_early_stopping_leaves_nothing_to_train_on(fitted):
    before, early_stopping = snapshot(fitted), fitted.early_stopping
    fitted.set_params(early_stopping=True)
    try:
        with pytest.raises(ValueError, match="leaves no training samples out of 1"):
            fitted.fit([[1, 2, 3]], [[1, 2]])
    finally:
        fitted.set_params(early_stopping=early_stopping)
    assert_unchanged(fitted, before)


BAD_PARAMS = [
    ("n_units", 0),
    ("cell", "rnn"),
    ("attention", "dot"),
    ("dropout", 1.0),
    ("batch_size", "32"),
    ("learning_rate", -1.0),
    ("validation_fraction", 1.0),
    ("max_output_length", 0),
    ("callbacks", "print"),
]


@pytest.mark.parametrize("name, value", BAD_PARAMS, ids=[name for name, _ in BAD_PARAMS])
def test_invalid_parameters_are_reported_at_fit_by_name(fitted, name, value):
    before = snapshot(fitted)
    original = fitted.get_params()[name]
    fitted.set_params(**{name: value})  # stored untouched, as scikit-learn requires
    try:
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of Seq2SeqLSTM"):
            fitted.fit(X, Y)
    finally:
        fitted.set_params(**{name: original})
    assert_unchanged(fitted, before)


@pytest.mark.parametrize("name, value", [("beam_width", 0), ("length_penalty", -1.0)])
def test_decoding_parameters_set_after_fit_are_checked_at_predict(fitted, name, value):
    original = fitted.get_params()[name]
    fitted.set_params(**{name: value})
    try:
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
            fitted.predict(X)
    finally:
        fitted.set_params(**{name: original})


# (id, call on the fitted estimator, exception, message fragment)
PREDICT_CASES = [
    ("wider-than-fit", lambda e: e.predict(np.hstack([X, X])), ValueError, "6 features.*3"),
    ("nan", lambda e: e.predict(with_nan(X)), ValueError, "Input X contains NaN"),
    ("3d", lambda e: e.predict(X[:, :, None]), ValueError, "dim 3"),
    ("sparse", lambda e: e.predict(sp.csr_matrix(X)), TypeError, "Sparse matrices"),
    ("empty", lambda e: e.predict(np.empty((0, 3))), ValueError, "0 sample"),
    ("empty-list", lambda e: e.predict([]), ValueError, "X holds 0 sequences"),
    ("proba-nan", lambda e: e.predict_proba(with_nan(X)), ValueError, "NaN"),
    ("nbest-zero", lambda e: e.predict_nbest(X, n_best=0), ValueError, "n_best"),
    ("score-mismatch", lambda e: e.score(X, Y[:-1]), ValueError, "numbers of"),
    ("score-target-length", lambda e: e.score(X, X), ValueError, "3 tokens.*exactly 2"),
    ("score-weights", lambda e: e.score(X, Y, sample_weight=[1] * len(X)), ValueError, "weight"),
    ("log-likelihood-mismatch", lambda e: e.log_likelihood(X, Y[:-1]), ValueError, "inconsistent"),
]


@pytest.mark.parametrize(
    "call, error, message",
    [case[1:] for case in PREDICT_CASES],
    ids=[case[0] for case in PREDICT_CASES],
)
def test_bad_prediction_input_is_rejected_and_loses_nothing(fitted, call, error, message):
    before = snapshot(fitted)
    with pytest.raises(error, match=message):
        call(fitted)
    assert_unchanged(fitted, before)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score", "save"])
def test_calls_before_fit_say_so(method, tmp_path):
    args = {"score": (X, Y), "save": (tmp_path / "m.s2s",)}.get(method, (X,))
    if method == "save":  # an unfitted estimator saves its parameters
        getattr(Seq2SeqLSTM(), method)(*args)
        assert load(args[0]).get_params() == Seq2SeqLSTM().get_params()
        return
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(Seq2SeqLSTM(), method)(*args)


TRANSFORM_CASES = [
    ("before-fit", lambda e: SequenceOneHotEncoder().transform(X), NotFittedError, "not fitted"),
    ("wider-than-fit", lambda e: e.transform(np.hstack([X, X])), ValueError, "6 features"),
    ("nan", lambda e: e.transform(with_nan(X)), ValueError, "NaN"),
    ("3d", lambda e: e.transform(X[:, :, None]), ValueError, "dim 3"),
    ("sparse", lambda e: e.transform(sp.csr_matrix(X)), TypeError, "Sparse data"),
    ("none-token", lambda e: SequenceOneHotEncoder().fit([[1, None]]), ValueError, "None"),
    ("fit-empty", lambda e: SequenceOneHotEncoder().fit(np.empty((0, 3))), ValueError, "0 sample"),
    ("inverse-width", lambda e: e.inverse_transform(np.ones((2, 5))), ValueError, "5 columns"),
]


@pytest.mark.parametrize(
    "call, error, message",
    [case[1:] for case in TRANSFORM_CASES],
    ids=[case[0] for case in TRANSFORM_CASES],
)
def test_bad_transform_input_is_rejected(encoder, call, error, message):
    vocabulary = encoder.vocabulary_.tokens.copy()
    with pytest.raises(error, match=message):
        call(encoder)
    np.testing.assert_array_equal(encoder.vocabulary_.tokens, vocabulary)


LOAD_CASES = [
    ("missing", "missing.s2s", FileNotFoundError, "No such file"),
    ("folder", ".", IsADirectoryError, "Is a directory"),
    ("truncated", "truncated.s2s", ValueError, "truncated or corrupted"),
    ("corrupted", "flipped.s2s", ValueError, "truncated or corrupted.*CRC"),
    ("not-a-model", "text.s2s", ValueError, "not a sklearn_seq2seq model file"),
]


@pytest.mark.parametrize(
    "name, error, message", [case[1:] for case in LOAD_CASES], ids=[case[0] for case in LOAD_CASES]
)
def test_broken_model_files_are_refused(model_files, name, error, message):
    with pytest.raises(error, match=message):
        load(os.path.join(model_files, name))
    assert load(model_files / "good.s2s").n_outputs_ == 2  # the good file still loads


def test_unusual_but_valid_tokens_round_trip():
    """Negative, huge, bool and float tokens are categories, as in OneHotEncoder."""
    sources = [[-5, 2**70, 3], [3, -5], [2**70]]
    targets = [[True, False], [False], [True]]
    est = Seq2SeqLSTM(n_units=8, epochs=30, learning_rate=0.05, random_state=0)
    predictions = est.fit(sources, targets).predict(sources)
    assert all(isinstance(token, (bool, np.bool_)) for row in predictions for token in row)
    floats = Seq2SeqLSTM(**FAST).fit(X + 0.5, Y).predict(X + 0.5)
    assert set(np.unique(floats)) <= set(np.unique(Y))
    # Sources longer than any seen in fit are read to the end, not cut.
    assert len(est.predict([[3, -5, 3, -5, 3, -5, 3, -5, 3, -5, 3, -5]])) == 1


def snapshot(estimator):
    return {
        "attributes": {k: v for k, v in vars(estimator).items() if k.endswith("_")},
        "params": estimator.get_params(),
        "predictions": estimator.predict(X),
    }


def assert_unchanged(estimator, before):
    after = snapshot(estimator)
    assert after["params"] == before["params"]
    assert after["attributes"].keys() == before["attributes"].keys()
    for name, value in before["attributes"].items():
        assert after["attributes"][name] is value, name  # the very same objects
    np.testing.assert_array_equal(after["predictions"], before["predictions"])
