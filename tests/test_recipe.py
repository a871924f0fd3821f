"""The training recipe: schedules, clipping, label smoothing, weight averaging,
a given validation set and the convergence warning."""

import warnings

import keras
import numpy as np
import pytest
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_seq2seq import Seq2SeqLSTM, load
from sklearn_seq2seq._input.codec import PAD_LABEL
from sklearn_seq2seq._training.recipe import (
    Adam,
    SmoothedSequenceCrossentropy,
    planned_epochs,
    step_learning_rates,
    training_batch_size,
)

STRINGS = ["ab", "abc", "b", "ca", "cab", "bb", "acb", "ba"] * 60
REVERSED = [x[::-1] for x in STRINGS]
VALIDATION = ["cba", "bac", "cc", "a"], ["abc", "cab", "cc", "a"]
# A one-directional encoder: unrolled on these short strings, so every epoch
# has ceil(n / batch_size) steps (a bidirectional one batches by length).
FAST = dict(n_units=16, epochs=3, batch_size=128, bidirectional=False, random_state=0)


def quietly_fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


# -- schedules -----------------------------------------------------------------


@pytest.mark.parametrize("schedule", ["linear", "cosine"])
def test_decaying_schedules_run_from_the_peak_to_the_floor(schedule):
    rates = step_learning_rates(schedule, learning_rate=0.1, n_steps=50, floor=0.01)
    assert rates.shape == (50,) and rates.dtype == np.float32
    assert rates[0] == pytest.approx(0.1) and rates[-1] == pytest.approx(0.001)
    assert np.all(np.diff(rates) <= 0)


def test_warmup_rises_linearly_then_the_schedule_starts():
    rates = step_learning_rates("linear", learning_rate=1.0, n_steps=14, warmup_steps=4)
    np.testing.assert_allclose(rates[:4], [0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(rates[4:], np.linspace(1, 0, 10), atol=1e-6)


@pytest.mark.parametrize("schedule", ["constant", "plateau"])
def test_flat_schedules_hold_the_rate(schedule):
    rates = step_learning_rates(schedule, learning_rate=0.5, n_steps=7, warmup_steps=2)
    np.testing.assert_allclose(rates, [0.25, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])


def test_fit_steps_the_schedule_per_batch_and_logs_it_per_epoch():
    est = quietly_fit(
        Seq2SeqLSTM(learning_rate=0.02, learning_rate_floor=0.05, **{**FAST, "batch_size": 64}),
        STRINGS,
        REVERSED,
    )
    # 480 samples, batch 64: 8 steps per epoch, 24 planned; epoch ends at steps 8, 16, 24.
    expected = step_learning_rates("linear", learning_rate=0.02, n_steps=24, floor=0.05)
    np.testing.assert_allclose(est.history_["learning_rate"], expected[[7, 15, 23]], rtol=1e-6)
    assert est.history_["learning_rate"][-1] == pytest.approx(0.001)
    assert int(est.model_.optimizer.iterations) == 24


# -- batch size ----------------------------------------------------------------


@pytest.mark.parametrize(
    "n_samples, expected",
    [(5, 5), (100, 16), (9_599, 16), (9_600, 32), (19_200, 64), (38_399, 64), (38_400, 128)],
)
def test_auto_batch_size_halves_to_keep_about_300_batches_per_epoch(n_samples, expected):
    assert training_batch_size("auto", n_samples) == expected


def test_int_batch_size_is_used_as_given_up_to_the_samples():
    assert training_batch_size(64, 10_000) == 64
    assert training_batch_size(512, 300) == 300


def test_fit_takes_auto_batches_by_default(small_task):
    X, Y = small_task[0][:480], small_task[1][:480]
    assert Seq2SeqLSTM().batch_size == "auto"
    est = quietly_fit(Seq2SeqLSTM(n_units=8, epochs=1, random_state=0), X, Y)
    assert int(est.model_.optimizer.iterations) == 480 // 16
    est = quietly_fit(Seq2SeqLSTM(n_units=8, epochs=1, batch_size=96, random_state=0), X, Y)
    assert int(est.model_.optimizer.iterations) == 480 // 96


# -- epochs --------------------------------------------------------------------


@pytest.mark.parametrize(
    "batches_per_epoch, expected", [(1, 50), (80, 50), (100, 40), (400, 10), (5_000, 10)]
)
def test_auto_epochs_plan_about_4000_steps_in_10_to_50_epochs(batches_per_epoch, expected):
    assert planned_epochs("auto", batches_per_epoch) == expected
    assert planned_epochs(7, batches_per_epoch) == 7


def test_fit_with_auto_epochs_runs_the_planned_schedule_to_its_floor():
    est = quietly_fit(
        Seq2SeqLSTM(**{**FAST, "epochs": "auto", "batch_size": 480}), STRINGS, REVERSED
    )
    assert est.epochs == "auto"  # the parameter is left as given
    assert est.n_iter_ == 50 and int(est.model_.optimizer.iterations) == 50
    assert est.history_["learning_rate"][-1] == pytest.approx(0.01 * 0.01)


# -- weight decay --------------------------------------------------------------


def test_weight_decay_is_kerass_decoupled_decay_on_weights_not_biases():
    plain = quietly_fit(Seq2SeqLSTM(**FAST), STRINGS, REVERSED)
    decayed = quietly_fit(Seq2SeqLSTM(weight_decay=5.0, **FAST), STRINGS, REVERSED)
    optimizer = decayed.model_.optimizer
    assert optimizer.weight_decay == 5.0 and plain.model_.optimizer.weight_decay is None
    for variable in decayed.model_.trainable_variables:
        assert optimizer._use_weight_decay(variable) == (variable.name != "bias")
    kernels = [
        [np.abs(v.numpy()).mean() for v in est.model_.trainable_variables if v.name != "bias"]
        for est in (plain, decayed)
    ]
    assert np.all(np.array(kernels[1]) < np.array(kernels[0]))


@pytest.mark.slow  # a grid search and warm starts (15 s); the decay itself is tested above
def test_weight_decay_is_grid_searchable_and_recompiled_on_warm_start():
    search = GridSearchCV(Seq2SeqLSTM(**FAST), {"weight_decay": [0.0, 0.1]}, cv=2)
    quietly_fit(search, STRINGS, REVERSED)
    assert [p["weight_decay"] for p in search.cv_results_["params"]] == [0.0, 0.1]
    est = quietly_fit(Seq2SeqLSTM(**FAST), STRINGS, REVERSED)
    est.set_params(warm_start=True, epochs=1, weight_decay=0.1)
    assert quietly_fit(est, STRINGS, REVERSED).model_.optimizer.weight_decay == 0.1


def test_constant_schedule_keeps_the_learning_rate():
    est = quietly_fit(Seq2SeqLSTM(learning_rate_schedule="constant", **FAST), STRINGS, REVERSED)
    np.testing.assert_allclose(est.history_["learning_rate"], [0.01] * 3)


def test_plateau_divides_by_five_after_two_epochs_without_improvement():
    # tol=10: no epoch after the first counts as an improvement.
    est = quietly_fit(
        Seq2SeqLSTM(learning_rate_schedule="plateau", tol=10.0, n_units=8, epochs=5),
        STRINGS,
        REVERSED,
        X_val=VALIDATION[0],
        y_val=VALIDATION[1],
    )
    np.testing.assert_allclose(est.history_["learning_rate"], [0.01, 0.01, 0.01, 0.002, 0.002])


def test_warm_start_restarts_the_schedule_and_keeps_adams_state():
    est = quietly_fit(Seq2SeqLSTM(**{**FAST, "batch_size": 64}), STRINGS, REVERSED)
    moments = [v.numpy() for v in est.model_.optimizer.variables[2:]]
    est.set_params(warm_start=True, epochs=2, learning_rate=0.005)
    recorded = []

    class Snapshot(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            optimizer = self.model.optimizer
            recorded.append(
                (int(optimizer.iterations), [v.numpy() for v in optimizer.variables[2:]])
            )

    est.set_params(callbacks=[Snapshot()])
    quietly_fit(est, STRINGS, REVERSED)
    iterations, moments_at_warm_start = recorded[0]
    assert iterations == 24  # the step count went on
    for before, after in zip(moments, moments_at_warm_start):
        np.testing.assert_array_equal(before, after)
    # The schedule ran anew over the 16 steps of the warm start, from 0.005.
    restarted = step_learning_rates("linear", learning_rate=0.005, n_steps=16, floor=0.01)
    np.testing.assert_allclose(est.history_["learning_rate"][3:], restarted[[7, 15]], rtol=1e-6)


# -- clipping and label smoothing ----------------------------------------------


def test_clipping_is_kerass_global_clipnorm_and_survives_saving(tmp_path):
    est = quietly_fit(Seq2SeqLSTM(global_clipnorm=0.5, **FAST), STRINGS, REVERSED)
    assert est.model_.optimizer.global_clipnorm == 0.5
    est.save(tmp_path / "m.s2s")
    assert load(tmp_path / "m.s2s").model_.optimizer.global_clipnorm == 0.5
    unclipped = quietly_fit(Seq2SeqLSTM(global_clipnorm=None, **FAST), STRINGS, REVERSED)
    assert unclipped.model_.optimizer.global_clipnorm is None


def test_smoothed_loss_without_smoothing_is_kerass_masked_loss():
    rng = np.random.RandomState(0)
    logits = rng.normal(size=(4, 5, 7)).astype("float32")
    labels = rng.randint(0, 7, size=(4, 5))
    labels[:, 3:] = PAD_LABEL
    keras_loss = keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=PAD_LABEL
    )
    ours = SmoothedSequenceCrossentropy(label_smoothing=0.0)
    assert float(ours(labels, logits)) == pytest.approx(float(keras_loss(labels, logits)), 1e-6)


def test_smoothed_loss_is_kerass_label_smoothing_on_real_positions_only():
    rng = np.random.RandomState(1)
    logits = rng.normal(size=(3, 4, 6)).astype("float32")
    labels = rng.randint(0, 6, size=(3, 4))
    labels[0, 2:] = PAD_LABEL
    real = labels != PAD_LABEL
    one_hot = np.eye(6, dtype="float32")[labels[real]]
    smoothed = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)
    expected = float(smoothed(one_hot, logits[real]))
    ours = float(SmoothedSequenceCrossentropy(label_smoothing=0.2)(labels, logits))
    assert ours == pytest.approx(expected, rel=1e-5)


def test_label_smoothing_trains_saves_and_loads(tmp_path):
    est = quietly_fit(Seq2SeqLSTM(label_smoothing=0.1, **FAST), STRINGS, REVERSED)
    est.save(tmp_path / "m.s2s")
    loaded = load(tmp_path / "m.s2s")
    assert loaded.model_.loss.label_smoothing == pytest.approx(0.1)
    assert loaded.predict(STRINGS[:8]) == est.predict(STRINGS[:8])


# -- weight averaging ------------------------------------------------------------


def averages(model):
    return [v.numpy() for v in model.optimizer._model_variables_moving_average]


def test_average_warms_up_as_tensorflows_moving_average():
    weight = keras.Variable(np.zeros(2, "float32"))
    optimizer = Adam(0.1, use_ema=True, ema_momentum=0.5)
    optimizer.build([weight])
    expected = None
    for step in range(5):
        optimizer.apply([np.ones(2, "float32")], [weight])
        # min(ema_momentum, (1 + step) / (10 + step)); the first step copies.
        momentum = 0.0 if step == 0 else min(0.5, (1 + step) / (10 + step))
        value = weight.numpy()
        expected = value if expected is None else momentum * expected + (1 - momentum) * value
        average = optimizer._model_variables_moving_average[0].numpy()
        np.testing.assert_allclose(average, expected, rtol=1e-6)
    assert not np.allclose(average, weight.numpy())  # it lags the weights


class LastStepWeights(keras.callbacks.Callback):
    """Keeps the training weights of the last step (before any swap)."""

    weights = None

    def on_train_batch_end(self, batch, logs=None):
        LastStepWeights.weights = self.model.get_weights()


def test_the_average_is_validated_kept_and_predicted():
    est = Seq2SeqLSTM(ema_momentum=0.9, callbacks=[LastStepWeights()], **FAST)
    quietly_fit(est, STRINGS, REVERSED, X_val=STRINGS[:40], y_val=REVERSED[:40])
    assert est.model_.optimizer.use_ema and est.model_.optimizer.ema_momentum == 0.9
    kept = est.model_.get_weights()
    assert not all(map(np.allclose, kept, LastStepWeights.weights))  # not round-off
    for average, weight in zip(averages(est.model_), est.model_.trainable_variables):
        np.testing.assert_array_equal(average, weight.numpy())
    # The last validation scored the weights predict uses.
    assert est.score(STRINGS[:40], REVERSED[:40]) == pytest.approx(est.validation_scores_[-1])


def test_the_average_is_kept_when_the_training_loss_stops_fit_early():
    est = Seq2SeqLSTM(
        ema_momentum=0.9,
        tol=100.0,
        n_iter_no_change=1,
        callbacks=[LastStepWeights()],
        **{**FAST, "epochs": 6},
    )
    quietly_fit(est, STRINGS, REVERSED, X_val=STRINGS[:40], y_val=REVERSED[:40])
    # A stall, one epoch annealing to the floor, a stall there: stopped.
    assert est.n_iter_ == 3 < est.epochs
    kept = est.model_.get_weights()
    assert not all(map(np.allclose, kept, LastStepWeights.weights))  # not round-off
    assert est.score(STRINGS[:40], REVERSED[:40]) == pytest.approx(est.validation_scores_[-1])


def test_without_averaging_the_last_steps_weights_are_kept():
    est = Seq2SeqLSTM(ema_momentum=None, callbacks=[LastStepWeights()], **FAST)
    quietly_fit(est, STRINGS, REVERSED)
    assert not est.model_.optimizer.use_ema
    for kept, last in zip(est.model_.get_weights(), LastStepWeights.weights):
        np.testing.assert_array_equal(kept, last)


def test_early_stopping_restores_the_best_epochs_average():
    est = Seq2SeqLSTM(
        early_stopping=True, n_iter_no_change=1, tol=1.0, n_units=16, epochs=4, random_state=0
    )
    quietly_fit(est, STRINGS, REVERSED, X_val=STRINGS[:40], y_val=REVERSED[:40])
    # tol=1: no later epoch can improve; epoch 2 anneals, epoch 3 stops.
    assert est.n_iter_ == 3 and est.best_epoch_ == 1
    # The first epoch's average, scored again, not the weights trained on after it.
    assert est.score(STRINGS[:40], REVERSED[:40]) == pytest.approx(est.validation_scores_[0])


class AveragesAtStart(keras.callbacks.Callback):
    """Records Adam's step count at each fit's start, and whether its average is the weights."""

    seen = []

    def on_train_begin(self, logs=None):
        optimizer = self.model.optimizer
        weights = [v.numpy() for v in self.model.trainable_variables]
        restarted = optimizer.use_ema and all(
            np.array_equal(a, w) for a, w in zip(averages(self.model), weights)
        )
        AveragesAtStart.seen.append((int(optimizer.iterations), restarted))


def test_warm_start_can_switch_averaging_and_restarts_it_from_the_weights():
    AveragesAtStart.seen = []
    est = Seq2SeqLSTM(ema_momentum=None, warm_start=True, callbacks=[AveragesAtStart()], **FAST)
    quietly_fit(est, STRINGS, REVERSED)
    quietly_fit(est.set_params(ema_momentum=0.9), STRINGS, REVERSED)
    quietly_fit(est.set_params(ema_momentum=None), STRINGS, REVERSED)
    # 3 epochs of 4 steps per fit; Adam's step count goes on across the switches.
    assert AveragesAtStart.seen == [(0, False), (12, True), (24, False)]
    assert est.n_iter_ == 9 and not est.model_.optimizer.use_ema


def test_averaging_survives_saving(tmp_path):
    est = quietly_fit(Seq2SeqLSTM(ema_momentum=0.95, **FAST), STRINGS, REVERSED)
    est.save(tmp_path / "m.s2s")
    loaded = load(tmp_path / "m.s2s")
    assert loaded.model_.optimizer.use_ema and loaded.model_.optimizer.ema_momentum == 0.95
    assert loaded.predict(STRINGS[:8]) == est.predict(STRINGS[:8])
    quietly_fit(loaded.set_params(warm_start=True, epochs=1), STRINGS, REVERSED)
    assert loaded.n_iter_ == 4


# -- a validation set the user gives ------------------------------------------------


def test_given_validation_set_is_evaluated_every_epoch_and_never_learned():
    X_val = ["abd", "dd"]  # "d" is new: read as unknown, not learned
    y_val = ["ba", "ab"]
    est = quietly_fit(Seq2SeqLSTM(**FAST), STRINGS, REVERSED, X_val=X_val, y_val=y_val)
    assert {"val_loss", "val_sequence_accuracy"} <= set(est.history_)
    assert est.validation_scores_ == est.history_["val_sequence_accuracy"]
    assert len(est.validation_scores_) == 3
    assert est.best_epoch_ is None and est.best_validation_score_ is None
    plain = quietly_fit(Seq2SeqLSTM(**FAST), STRINGS, REVERSED)
    assert list(est.source_vocabulary_.tokens) == list(plain.source_vocabulary_.tokens)
    # No samples were held out of training: same data, same seed, same model.
    np.testing.assert_array_equal(est.model_.get_weights()[0], plain.model_.get_weights()[0])


def test_early_stopping_monitors_the_given_validation_set():
    est = Seq2SeqLSTM(
        early_stopping=True, n_iter_no_change=2, **{**FAST, "epochs": 6, "batch_size": 48}
    )
    quietly_fit(est, STRINGS, REVERSED, X_val=STRINGS[:40], y_val=REVERSED[:40])
    # All 480 training samples trained (10 steps of 48 per epoch): none held out.
    assert int(est.model_.optimizer.iterations) == 10 * est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    # The restored weights are the best epoch's: its teacher-forced exact
    # accuracy is the greedy score on the same samples.
    assert est.score(STRINGS[:40], REVERSED[:40]) == pytest.approx(est.best_validation_score_)


@pytest.mark.parametrize(
    "X_val, y_val",
    [
        (np.array([[1, 2, 3, 4]]), np.array([[2, 1]])),  # arrays like X and y
        ([[1, 2, 3, 4], [4, 3, 2, 1]], [[2, 1], [3, 4]]),  # equal-length lists
    ],
)
def test_validation_set_in_other_input_kinds(small_task, X_val, y_val):
    X, Y, _, _ = small_task
    est = quietly_fit(Seq2SeqLSTM(**FAST), X[:500], Y[:500], X_val=X_val, y_val=y_val)
    assert len(est.validation_scores_) == 3


def test_labels_as_targets_with_a_validation_set():
    X = np.random.RandomState(0).randint(1, 5, size=(300, 3))
    y = X[:, 0]
    est = quietly_fit(Seq2SeqLSTM(**FAST), X, y, X_val=X[:20], y_val=y[:20])
    assert len(est.validation_scores_) == 3


@pytest.fixture(scope="session")
def strings_fit():
    return quietly_fit(Seq2SeqLSTM(**FAST), STRINGS, REVERSED)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"X_val": ["ab"]}, ValueError, "both X_val and y_val"),
        ({"y_val": ["ab"]}, ValueError, "both X_val and y_val"),
        ({"X_val": ["ab", "ba"], "y_val": ["ba", "xyz"]}, ValueError, "never seen in y"),
        ({"X_val": ["ab", "ba"], "y_val": ["ba"]}, ValueError, "inconsistent numbers"),
        ({"X_val": "ab", "y_val": ["ba"]}, TypeError, "X_val"),
    ],
)
def test_bad_validation_sets_are_refused_and_keep_the_fitted_model(
    strings_fit, kwargs, error, message
):
    est = strings_fit  # shared: a refused fit must leave it as it was
    model, predictions = est.model_, est.predict(STRINGS[:8])
    with pytest.raises(error, match=message):
        est.fit(STRINGS, REVERSED, **kwargs)
    assert est.model_ is model and est.predict(STRINGS[:8]) == predictions


def test_array_validation_set_of_another_width_names_x_val(small_task):
    X, Y, _, _ = small_task
    with pytest.raises(ValueError, match="X_val.*3 features"):
        Seq2SeqLSTM(**FAST).fit(X[:300], Y[:300], X_val=X[:5, :3], y_val=Y[:5])


def test_grid_search_passes_the_validation_set_to_every_fit():
    search = GridSearchCV(Seq2SeqLSTM(**FAST), {"n_units": [8]}, cv=2)  # 2 folds and a refit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(STRINGS, REVERSED, X_val=VALIDATION[0], y_val=VALIDATION[1])
    assert len(search.best_estimator_.validation_scores_) == 3


# Three fits (about 12 s): marked slow; routing through a Pipeline runs by default, below.
@pytest.mark.slow
def test_grid_search_with_metadata_routing():
    with sklearn.config_context(enable_metadata_routing=True):
        est = Seq2SeqLSTM(**FAST).set_fit_request(X_val=True, y_val=True)
        search = GridSearchCV(est, {"n_units": [8]}, cv=2)
        quietly_fit(search, STRINGS, REVERSED, X_val=VALIDATION[0], y_val=VALIDATION[1])
    assert len(search.best_estimator_.validation_scores_) == 3


def test_pipeline_transforms_the_validation_sources_like_x():
    upper = FunctionTransformer(lambda X: [x.upper() for x in X])
    pipe = Pipeline([("upper", upper), ("seq2seq", Seq2SeqLSTM(**FAST))], transform_input=["X_val"])
    with sklearn.config_context(enable_metadata_routing=True):
        pipe.set_params(seq2seq=Seq2SeqLSTM(**FAST).set_fit_request(X_val=True, y_val=True))
        quietly_fit(pipe, STRINGS, REVERSED, X_val=["ab"], y_val=["ba"])
    # Transformed, "AB" is known: lower-case "ab" would hold two unknown tokens.
    est = pipe.named_steps["seq2seq"]
    assert set(est.source_vocabulary_.tokens) == {"A", "B", "C"}
    assert len(est.validation_scores_) == 3


# -- convergence warning ---------------------------------------------------------


def test_convergence_warning_when_epochs_run_out_while_improving():
    with pytest.warns(ConvergenceWarning, match="still improved"):
        Seq2SeqLSTM(n_units=16, epochs=2, random_state=0).fit(STRINGS, REVERSED)


def test_no_convergence_warning_when_stopped_early_or_after_one_epoch():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        Seq2SeqLSTM(n_units=16, epochs=1, random_state=0).fit(STRINGS, REVERSED)
        # tol=10: the training loss never improves enough, training stops.
        est = Seq2SeqLSTM(n_units=8, epochs=8, n_iter_no_change=2, tol=10.0, random_state=0)
        est.fit(STRINGS, REVERSED)
    assert est.n_iter_ == 5  # 2 epochs' stall, 2 annealing, 2 at the floor


@pytest.mark.parametrize(
    "param, value",
    [
        ("learning_rate_schedule", "exponential"),
        ("learning_rate_floor", 1.5),
        ("warmup_fraction", 1.0),
        ("global_clipnorm", 0.0),
        ("label_smoothing", 1.0),
        ("ema_momentum", 1.0),
        ("ema_momentum", 0.0),
        ("batch_size", "large"),
        ("batch_size", 0),
    ],
)
def test_bad_recipe_parameters_are_named_at_fit(param, value):
    with pytest.raises(ValueError, match=param):
        Seq2SeqLSTM(**{param: value}).fit(STRINGS, REVERSED)
