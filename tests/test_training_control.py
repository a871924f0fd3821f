"""Training control: history, early stopping, callbacks, verbose, warm start, Ctrl-C."""

import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sklearn_seq2seq import Seq2SeqLSTM
from sklearn_seq2seq._input.codec import read_targets
from sklearn_seq2seq._input.sequences import read_sequences, shift_right
from sklearn_seq2seq._input.vocabulary import N_RESERVED
from sklearn_seq2seq._training.fit import make_dataset

STRINGS = ["ab", "abc", "b", "ca", "cab", "bb"] * 100
REVERSED = [x[::-1] for x in STRINGS]


class Recorder(keras.callbacks.Callback):
    """Records, in class attributes (deep copies share them), what each copy saw."""

    # One dict per fit: the copy itself (held, so a freed copy's id cannot be
    # reused by the next one), its batch count, its per-epoch weights.
    runs = []

    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_begin(self, logs=None):
        self.run = {"callback": self, "batches": 0, "weights": []}
        Recorder.runs.append(self.run)

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        self.run["batches"] = self.batches
        assert self.model.name == "seq2seq_training"

    def on_epoch_end(self, epoch, logs=None):
        self.run["weights"].append(self.model.get_weights())


@pytest.fixture
def recorder():
    Recorder.runs = []
    return Recorder()


def test_history_and_loss_curve(fitted):
    assert set(fitted.history_) == {"loss", "sequence_accuracy", "learning_rate"}
    assert fitted.loss_curve_ == fitted.history_["loss"]
    assert fitted.n_iter_ == len(fitted.loss_curve_) == fitted.epochs
    assert fitted.best_loss_ == min(fitted.loss_curve_)
    assert fitted.loss_curve_[-1] < fitted.loss_curve_[0]
    assert fitted.validation_scores_ is None and fitted.best_validation_score_ is None


@pytest.mark.parametrize("variable", [False, True])
def test_training_accuracy_metric_is_the_greedy_exact_sequence_accuracy(
    fitted, small_task, variable
):
    """Teacher-forced argmax all right <=> greedy decoding reproduces the target."""
    if variable:
        est = Seq2SeqLSTM(n_units=16, epochs=3, random_state=0).fit(STRINGS, REVERSED)
        X, Y = STRINGS, REVERSED
        codec, sources = est._codec, read_sequences(X, "strings")
        source_ids = codec.source_ids(sources.tokens, sources.lengths)
        target_ids, target_lengths = codec.training_targets(*read_targets(Y, "strings")[:2])
        _, decoder_input, labels, *_ = codec.training_data(
            source_ids, sources.lengths, target_ids, target_lengths
        )
    else:
        est, (_, _, X, Y) = fitted, small_task
        source_ids = est.source_vocabulary_.encode(X)
        target_ids = est.target_vocabulary_.encode(Y)
        decoder_input, labels = shift_right(target_ids), target_ids - N_RESERVED
    dataset = make_dataset(source_ids, decoder_input, labels, batch_size=64, seed=0)
    logs = est.model_.evaluate(dataset, verbose=0, return_dict=True)
    assert logs["sequence_accuracy"] == pytest.approx(est.score(X, Y), abs=1e-6)


def test_early_stopping_stops_and_restores_the_best_weights(small_task, recorder):
    X, Y, _, _ = small_task
    est = Seq2SeqLSTM(
        n_units=32,
        epochs=40,
        early_stopping=True,
        n_iter_no_change=2,
        random_state=0,
        callbacks=[recorder],
    ).fit(X, Y)
    assert set(est.history_) == {
        "loss",
        "sequence_accuracy",
        "val_loss",
        "val_sequence_accuracy",
        "learning_rate",
    }
    assert est.n_iter_ < 40  # stopped early: the task is solved within a few epochs
    assert est.validation_scores_ == est.history_["val_sequence_accuracy"]
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.validation_scores_[est.best_epoch_ - 1] == est.best_validation_score_
    # Patience of 2 epochs after the best at the lowest rate (after annealing).
    assert est.n_iter_ >= est.best_epoch_ + 2
    assert est.history_["learning_rate"][-1] == pytest.approx(0.01 * 0.01)
    assert est.best_loss_ is None
    kept = recorder.runs[0]["weights"][est.best_epoch_ - 1]
    for restored, recorded in zip(est.model_.get_weights(), kept):
        np.testing.assert_array_equal(restored, recorded)


def test_early_stopping_on_validation_loss(small_task):
    X, Y, _, _ = small_task
    est = Seq2SeqLSTM(
        n_units=8, epochs=3, early_stopping=True, validation_metric="loss", random_state=0
    ).fit(X[:600], Y[:600])
    best = int(np.argmin(est.history_["val_loss"]))
    assert est.best_epoch_ == best + 1
    assert est.best_validation_score_ == est.validation_scores_[best]


def test_without_early_stopping_tol_stops_on_the_training_loss_like_mlp(small_task):
    X, Y, _, _ = small_task
    est = Seq2SeqLSTM(n_units=8, epochs=20, tol=100.0, n_iter_no_change=2, random_state=0)
    est.fit(X[:300], Y[:300])
    # No epoch improves the loss by 100: after 2 more the rate anneals to
    # its floor over 2 epochs, and 2 epochs at the floor stop the fit.
    assert est.n_iter_ == 5
    assert est.history_["learning_rate"][-1] == pytest.approx(0.01 * 0.01)


def test_a_stall_anneals_the_rate_to_its_floor_before_early_stopping(small_task):
    X, Y, _, _ = small_task
    est = Seq2SeqLSTM(
        n_units=8,
        epochs=20,
        batch_size=100,
        early_stopping=True,
        tol=10.0,  # no epoch improves: the best is the first
        n_iter_no_change=2,
        learning_rate_floor=0.1,
        random_state=0,
    ).fit(X[:300], Y[:300])
    rates = est.history_["learning_rate"]
    # Epochs 1-3 follow the planned linear decay over 20 epochs; the stall
    # after epoch 3 re-plans a linear decay to the floor over 2 epochs;
    # 2 epochs at the floor without improvement stop the fit.
    assert est.n_iter_ == 5 and est.best_epoch_ == 1
    planned = np.linspace(0.01, 0.001, 20 * 3)[[2, 5, 8]]
    np.testing.assert_allclose(rates[:3], planned, rtol=1e-5)
    np.testing.assert_allclose(rates[3:], [(rates[2] + 0.001) / 2, 0.001], rtol=1e-5)


def test_a_stall_at_the_floor_stops_at_once(small_task):
    X, Y, _, _ = small_task
    est = Seq2SeqLSTM(
        n_units=8,
        epochs=20,
        learning_rate_schedule="constant",
        learning_rate_floor=1.0,  # the rate is its own floor: nothing to anneal
        early_stopping=True,
        tol=10.0,
        n_iter_no_change=2,
        random_state=0,
    ).fit(X[:300], Y[:300])
    assert est.n_iter_ == 3
    np.testing.assert_allclose(est.history_["learning_rate"], [0.01] * 3)


def test_validation_split_must_leave_training_samples():
    est = Seq2SeqLSTM(epochs=1, early_stopping=True, validation_fraction=0.9)
    with pytest.raises(ValueError, match="leaves no training samples"):
        est.fit([[1, 2]] * 1, [[2, 1]] * 1)
    with pytest.raises(ValueError, match="validation_metric"):
        Seq2SeqLSTM(validation_metric="f1").fit([[1, 2]] * 4, [[2, 1]] * 4)


def test_callbacks_are_fresh_copies_per_fit(small_task, recorder):
    X, Y = small_task[0][:500], small_task[1][:500]
    est = Seq2SeqLSTM(n_units=8, epochs=2, batch_size=100, callbacks=[recorder])
    est.fit(X, Y)
    est.fit(X, Y)
    # Each fit ran its own copy from a clean state: 2 epochs x 5 batches each.
    assert [run["batches"] for run in Recorder.runs] == [10, 10]
    first, second = (run["callback"] for run in Recorder.runs)
    assert first is not second and recorder not in (first, second)
    assert recorder.batches == 0 and recorder.model is None  # never attached
    assert est.callbacks[0] is recorder
    assert clone(est).callbacks[0].model is None


def test_grid_search_with_callbacks(small_task, recorder):
    X, Y = small_task[0][:400], small_task[1][:400]
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=1)
    search = GridSearchCV(
        Seq2SeqLSTM(epochs=2, random_state=0, callbacks=[recorder, stop]),
        {"n_units": [4, 8]},
        cv=2,
    ).fit(X, Y)
    assert len(Recorder.runs) == 2 * 2 + 1  # every fit (and the refit) ran a copy
    assert search.best_estimator_.n_iter_ == 2
    assert stop.model is None and recorder.model is None


@pytest.mark.parametrize("verbose, expected", [(0, None), (2, "Epoch 2/2"), (1, "Epoch 1/2")])
def test_verbose_drives_keras_progress_output(small_task, capfd, verbose, expected):
    X, Y = small_task[0][:200], small_task[1][:200]
    Seq2SeqLSTM(n_units=4, epochs=2, verbose=verbose, random_state=0).fit(X, Y)
    out = capfd.readouterr().out
    if expected is None:
        assert "Epoch" not in out and "loss" not in out
    else:
        assert expected in out and "loss" in out and "sequence_accuracy" in out


class TestWarmStart:
    @pytest.fixture(scope="class")
    def warm(self):
        est = Seq2SeqLSTM(n_units=16, epochs=2, warm_start=True, random_state=0)
        return est.fit(STRINGS, REVERSED)

    def test_continues_from_the_current_weights(self, warm):
        loss_before = warm.loss_curve_[-1]
        vocabulary = warm.target_vocabulary_
        warm.fit(STRINGS, REVERSED)
        assert warm.n_iter_ == 4 and len(warm.history_["sequence_accuracy"]) == 4
        assert warm.loss_curve_[2] < loss_before * 1.1  # not a fresh start
        assert warm.loss_curve_[2] < warm.loss_curve_[0]
        assert warm.target_vocabulary_ is vocabulary

    @pytest.mark.parametrize(
        "X, Y, message",
        [
            (STRINGS[:5] + ["xyz"], REVERSED[:6], r"X holds 3 token\(s\).*'x', 'y', 'z'"),
            (STRINGS[:6], REVERSED[:5] + ["q"], r"y holds 1 token\(s\).*\['q'\]"),
            (STRINGS[:6], [list(y) for y in REVERSED[:6]], "y is given as lists"),
        ],
    )
    def test_new_tokens_or_kinds_are_errors_that_keep_the_model(self, warm, X, Y, message):
        before = warm.predict(STRINGS[:6])
        n_iter = warm.n_iter_
        with pytest.raises(ValueError, match=message):
            warm.fit(X, Y)
        assert warm.predict(STRINGS[:6]) == before and warm.n_iter_ == n_iter

    def test_changing_the_network_is_an_error(self, warm):
        with pytest.raises(ValueError, match="cannot change the network"):
            clone(warm).set_params(n_units=4).fit(STRINGS, REVERSED).set_params(n_units=8).fit(
                STRINGS, REVERSED
            )


def test_warm_start_checks_fixed_target_length(fitted, small_task):
    est = pickle.loads(pickle.dumps(fitted)).set_params(warm_start=True, epochs=1)
    X, Y = small_task[0][:100], small_task[1][:100]
    with pytest.raises(ValueError, match="targets of exactly 2"):
        est.fit(X, np.hstack([Y, Y]))
    with pytest.raises(ValueError, match="X has 3 features"):
        est.fit(X[:, :3], Y)


CTRL_C_SCRIPT = textwrap.dedent(
    """
    import json, sys, warnings
    import keras
    from sklearn_seq2seq import Seq2SeqLSTM, make_reversal

    class Announce(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                print("TRAINING", flush=True)

    X, Y = make_reversal(n_samples=2000, n_in=4, n_out=2, n_tokens=6, random_state=0)
    est = Seq2SeqLSTM(n_units=16, epochs=10_000, random_state=0, callbacks=[Announce()])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, Y)
    print(json.dumps({
        "n_iter": est.n_iter_,
        "warnings": [str(w.message) for w in caught if "interrupted" in str(w.message)],
        "predicted_shape": list(est.predict(X[:5]).shape),
        "score": est.score(X, Y),
    }), flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_after_the_batch_and_keeps_a_fitted_model(tmp_path):
    script = tmp_path / "interrupt.py"
    script.write_text(CTRL_C_SCRIPT)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    child = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        for line in child.stdout:
            if line.strip() == "TRAINING":
                break
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=120)
    finally:
        child.kill()
    assert child.returncode == 0
    result = json.loads(out.strip().splitlines()[-1])
    assert 1 <= result["n_iter"] < 10_000
    assert result["warnings"] and "keeps the weights" in result["warnings"][0]
    assert result["predicted_shape"] == [5, 2]
    assert 0 <= result["score"] <= 1


def test_training_history_display_renders_to_png(small_task, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from sklearn_seq2seq import TrainingHistoryDisplay

    X, Y = small_task[0][:600], small_task[1][:600]
    est = Seq2SeqLSTM(n_units=8, epochs=3, early_stopping=True, random_state=0).fit(X, Y)
    display = TrainingHistoryDisplay.from_estimator(est)
    assert set(display.lines_) == {"loss", "val_loss", "sequence_accuracy", "val_sequence_accuracy"}
    np.testing.assert_array_equal(display.lines_["val_loss"].get_ydata(), est.history_["val_loss"])
    assert display.best_epoch == est.best_epoch_
    display.figure_.savefig(tmp_path / "history.png")
    assert (tmp_path / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_display_without_matplotlib_says_how_to_install(fitted, monkeypatch):
    from sklearn_seq2seq import TrainingHistoryDisplay

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"sklearn-seq2seq\[plot\]"):
        TrainingHistoryDisplay.from_estimator(fitted)
