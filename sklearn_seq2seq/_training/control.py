"""Training control with scikit-learn's MLP semantics, on Keras's callbacks.

What the estimator's ``fit`` runs around its data: :func:`restores_on_error`
(a failed ``fit`` leaves the estimator as it was), :func:`fit_seed`,
:func:`fitted_architecture` (the network's shape, checked on a warm
start), :func:`split_validation`, and :func:`train`, which builds (or
recompiles) the model and runs Keras's ``fit`` with what is monitored,
``EarlyStopping`` configured as ``MLPClassifier`` stops, the learning-rate
schedule and the ``ConvergenceWarning`` when epochs run out while the score
still improved; :func:`fitted_history` merges Keras's history across warm
starts into the estimator's fitted attributes.  Keras is imported inside
the functions that need it, so importing the estimator stays
TensorFlow-free.
"""

import copy
import functools
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

# Parameters of the network's shape (a warm start must keep them).
ARCHITECTURE = ("n_units", "cell", "n_layers", "bidirectional", "attention", "embedding_dim")
# Parameters Keras's compile reads (a warm start recompiles with them).
RECIPE = ("learning_rate", "global_clipnorm", "label_smoothing", "ema_momentum", "weight_decay")


def restores_on_error(fit):
    """Decorate ``fit`` so that a rejected or failed call leaves the estimator as it was."""

    @functools.wraps(fit)
    def fit_or_restore(estimator, *args, **kwargs):
        previous_state = estimator.__dict__.copy()
        try:
            return fit(estimator, *args, **kwargs)
        except BaseException:
            estimator.__dict__.clear()
            estimator.__dict__.update(previous_state)
            raise

    return fit_or_restore


def fit_seed(random_state):
    """The one seed a ``fit`` draws from ``random_state``: weights, shuffling, split.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        The estimator's ``random_state``.

    Returns
    -------
    seed : int
        In ``[0, 2**31 - 1)``.
    """
    return int(check_random_state(random_state).randint(2**31 - 1))


def monitored(validated, validation_metric):
    """The Keras log that early stopping and the plateau schedule watch, and its mode.

    Parameters
    ----------
    validated : bool
        Whether there are validation samples.
    validation_metric : {"sequence_accuracy", "loss", "bleu", "chrf"}
        What to watch on them.

    Returns
    -------
    monitor : str
        A Keras log name.
    mode : {"min", "max"}
        Which way is better.

    Examples
    --------
    >>> monitored(False, "sequence_accuracy"), monitored(True, "sequence_accuracy")
    (('loss', 'min'), ('val_sequence_accuracy', 'max'))
    >>> monitored(True, "bleu")
    ('val_bleu', 'max')
    """
    if not validated:
        return "loss", "min"
    if validation_metric == "loss":
        return "val_loss", "min"
    return f"val_{validation_metric}", "max"


def stopping_callback(
    monitor, mode, *, schedule, floor_rate, early_stopping, tol, n_iter_no_change
):
    """Keras's ``EarlyStopping`` as ``MLPClassifier`` stops, annealing first.

    With ``early_stopping`` the validation score (or loss) is monitored and
    the best weights are restored; without it training stops when the
    training loss has not improved by ``tol`` for ``n_iter_no_change``
    epochs.  Either way a stall above the lowest learning rate anneals the
    rate instead of stopping (:class:`~._training.recipe.AnnealingStop`).

    Returns
    -------
    callback : AnnealingStop
    """
    from .recipe import AnnealingStop

    if not early_stopping:
        monitor, mode = "loss", "min"
    return AnnealingStop(
        schedule,
        floor_rate,
        monitor=monitor,
        mode=mode,
        min_delta=tol,
        patience=n_iter_no_change,
        restore_best_weights=early_stopping,
    )


def warn_if_still_improving(scores, mode, *, tol, epochs, stacklevel):
    """``ConvergenceWarning`` if the last epoch still beat the earlier ones by more than ``tol``.

    Parameters
    ----------
    scores : list of float
        The monitored score per epoch of this fit.
    mode : {"min", "max"}
        Which way is better.
    tol : float
        Smallest improvement that counts.
    epochs : int
        Planned epochs (for the message).
    stacklevel : int
        Passed to :func:`warnings.warn`, so the warning points at the
        user's ``fit`` call.
    """
    if len(scores) < 2:
        return  # one epoch: no trend to read
    sign = 1 if mode == "max" else -1
    gain = sign * (scores[-1] - (max if mode == "max" else min)(scores[:-1]))
    if gain > tol:
        warnings.warn(
            f"fit ran all {epochs} epochs and the monitored score still improved by "
            f"{gain:.4g} (more than tol={tol}) in the last one; more epochs may help.",
            ConvergenceWarning,
            stacklevel=stacklevel + 1,
        )


def merge_history(previous, history):
    """Keras's history of this fit appended to an earlier one (warm start).

    Parameters
    ----------
    previous : dict of str to list of float
        History so far; empty for a new fit.
    history : dict of str to list
        Keras's ``History.history`` of this fit.

    Returns
    -------
    merged : dict of str to list of float
        Every log name of either, NaN where one of them lacks it.

    Examples
    --------
    >>> merge_history({"loss": [1.0]}, {"loss": [0.5], "val_loss": [0.7]})
    {'loss': [1.0, 0.5], 'val_loss': [nan, 0.7]}
    """
    history = {name: [float(v) for v in values] for name, values in history.items()}
    n_before = len(previous.get("loss", []))
    n_new = len(history["loss"])
    return {
        name: previous.get(name, [np.nan] * n_before) + history.get(name, [np.nan] * n_new)
        for name in {**previous, **history}
    }


def fitted_architecture(params, data, fitted=None, *, n_source_ids=None):
    """The network's shape this fit trains: the parameters, the "auto" ones resolved.

    For sources read as sequences (strings, token lists:
    ``data.source_lengths`` is set) ``attention="auto"`` is Luong attention
    and ``bidirectional="auto"`` a bidirectional encoder, unless the source
    vocabulary is so wide that a one-directional encoder reads it as
    kernel rows (:func:`~sklearn_seq2seq._network.layers.reads_kernel_rows`:
    several times faster per step, which a bidirectional encoder cannot
    do).  For a 2-D array both are off (the tutorial's network).  A warm
    start keeps the fitted network, whose shape must match.

    Parameters
    ----------
    params : dict
        The estimator's parameters (``get_params(deep=False)``).
    data : ~sklearn_seq2seq._input.codec.TrainingData
        This fit's encoded training samples.
    fitted : dict or None, default=None
        The fitted network's shape, on a warm start.
    n_source_ids : int or None, default=None
        Width of the source vocabulary (reserved ids included); None
        counts as narrow.

    Returns
    -------
    architecture : dict
        The :data:`ARCHITECTURE` parameters, the "auto" ones resolved.

    Examples
    --------
    >>> from sklearn_seq2seq._input.codec import TrainingData
    >>> params = dict(n_units=8, cell="lstm", n_layers=1, bidirectional="auto",
    ...               attention="auto", embedding_dim=None)
    >>> sequences = TrainingData(None, None, None, source_lengths=[3, 1])
    >>> resolved = fitted_architecture(params, sequences, n_source_ids=30)
    >>> resolved["attention"], resolved["bidirectional"]
    ('luong', True)
    >>> fitted_architecture(params, sequences, n_source_ids=300)["bidirectional"]
    False
    >>> resolved = fitted_architecture(params, TrainingData(None, None, None))
    >>> resolved["attention"], resolved["bidirectional"]
    (None, False)
    """
    architecture = {name: params[name] for name in ARCHITECTURE}
    sequences = data.source_lengths is not None
    if architecture["attention"] == "auto":
        resolved = "luong" if sequences else None
        architecture["attention"] = resolved if fitted is None else fitted["attention"]
    if architecture["bidirectional"] == "auto":
        if fitted is not None:
            architecture["bidirectional"] = fitted["bidirectional"]
        else:
            architecture["bidirectional"] = sequences and not _reads_kernel_rows(
                n_source_ids, params
            )
    if fitted is not None and fitted != architecture:
        raise ValueError(
            f"warm_start cannot change the network ({fitted} when fitted, "
            f"{architecture} now); set warm_start=False to train a new model."
        )
    return architecture


def fitted_stopping(params, *, sentences):
    """``early_stopping`` and ``validation_metric``, the "auto" ones resolved.

    With a tokenizer (``sentences``) "auto" monitors validation BLEU and
    keeps the best epoch's weights, as translation toolkits keep their
    best-BLEU checkpoint; otherwise it is MLPClassifier's default (no
    early stopping) and exact-sequence accuracy.

    Examples
    --------
    >>> fitted_stopping(dict(early_stopping="auto", validation_metric="auto"), sentences=True)
    {'early_stopping': True, 'validation_metric': 'bleu'}
    >>> fitted_stopping(dict(early_stopping="auto", validation_metric="loss"), sentences=False)
    {'early_stopping': False, 'validation_metric': 'loss'}
    """
    stopping = {name: params[name] for name in ("early_stopping", "validation_metric")}
    if stopping["early_stopping"] == "auto":
        stopping["early_stopping"] = sentences
    if stopping["validation_metric"] == "auto":
        stopping["validation_metric"] = "bleu" if sentences else "sequence_accuracy"
    return stopping


def _reads_kernel_rows(n_source_ids, params):
    """Whether a one-directional encoder would read this source vocabulary as kernel rows."""
    if n_source_ids is None or params["embedding_dim"] is not None:
        return False
    from .._runtime.startup import import_tensorflow

    import_tensorflow()  # its start-up notices filtered, before the network's layers
    from .._network.layers import reads_kernel_rows

    return reads_kernel_rows(n_source_ids, params["n_units"], params["cell"])


def split_validation(n_samples, validation_fraction, seed):
    """Hold out ``validation_fraction`` of the samples for early stopping.

    Parameters
    ----------
    n_samples : int
        Training samples.
    validation_fraction : float
        Share held out (rounded up).
    seed : int
        Seeds the draw.

    Returns
    -------
    kept, held_out : ndarray of int
        Indices of the samples kept for training and of those held out.
    """
    n_validation = int(np.ceil(validation_fraction * n_samples))
    if n_validation >= n_samples:
        raise ValueError(
            f"early_stopping with validation_fraction={validation_fraction} leaves no "
            f"training samples out of {n_samples}."
        )
    order = np.random.RandomState(seed).permutation(n_samples)
    return order[n_validation:], order[:n_validation]


def train(
    model,
    data,
    validation,
    *,
    codec,
    params,
    seed,
    stacklevel,
    as_text=None,
    references=None,
    resample=None,
):
    """Keras's ``fit`` with this fit's callbacks: the user's, the schedule, stopping.

    Parameters
    ----------
    model : keras.Model or None
        The trained model of a warm start, compiled anew with the recipe
        in ``params``; None builds a new one.
    data, validation : TrainingData, TrainingData or None
        Encoded training and validation samples (as tensors).
    codec : ~sklearn_seq2seq._input.codec.Codec
        The fitted layout a new model is sized for.
    params : dict
        The estimator's parameters (``get_params(deep=False)``), the
        network's shape as :func:`fitted_architecture` resolved it.
    seed : int
        Seeds the weights of a new model and the shuffling.
    stacklevel : int
        Passed to :func:`warnings.warn`, so warnings point at the user's
        ``fit`` call.
    as_text : callable or None, default=None
        Decoded sequences in the user's kind to the text that
        ``validation_metric="bleu"`` or ``"chrf"`` scores.
    references : sequences or None, default=None
        The validation targets as the user gave them (``y_val``), which
        BLEU and chrF score against; None rebuilds them from ``validation``.
    resample : callable or None, default=None
        ``resample(seed)`` encodes the training samples anew for each
        epoch (subword regularisation; see
        :func:`~sklearn_seq2seq._training.fit.make_dataset`).

    Returns
    -------
    model : keras.Model
        The trained model.
    history : dict of str to list
        Keras's ``History.history`` of this fit.
    best_epoch : int or None
        With ``early_stopping``, the epoch (from 0) whose weights were
        restored.

    Warns
    -----
    UserWarning
        When Ctrl-C stopped training.
    ConvergenceWarning
        See :func:`warn_if_still_improving`.
    """
    from .fit import batches_per_epoch, fit_model, new_model, recompile
    from .recipe import (
        averaging_callbacks,
        learning_rate_callbacks,
        planned_epochs,
        training_batch_size,
    )

    recipe = {name: params[name] for name in RECIPE}
    if model is None:
        options = {name: params[name] for name in (*ARCHITECTURE, "dropout")}
        model = new_model(
            data, codec, recipe=recipe, seed=seed, may_unroll=resample is None, **options
        )
    else:
        recompile(model, recipe)
    batch_size = training_batch_size(params["batch_size"], len(data.source_ids))
    n_batches = batches_per_epoch(model, data, batch_size)
    epochs = planned_epochs(params["epochs"], n_batches)
    monitor, mode = monitored(validation is not None, params["validation_metric"])
    schedule = learning_rate_callbacks(
        params["learning_rate_schedule"],
        learning_rate=params["learning_rate"],
        n_steps=epochs * n_batches,
        warmup_fraction=params["warmup_fraction"],
        floor=params["learning_rate_floor"],
        monitor=monitor,
        mode=mode,
        tol=params["tol"],
    )
    stopper = stopping_callback(
        monitor,
        mode,
        schedule=schedule[0],
        floor_rate=params["learning_rate_floor"] * params["learning_rate"],
        early_stopping=params["early_stopping"],
        tol=params["tol"],
        n_iter_no_change=params["n_iter_no_change"],
    )
    # Fresh copies per fit: no callback state leaks from one fit into the
    # next, and the parameter never holds a model (clone deep-copies it).
    callbacks = copy.deepcopy(list(params["callbacks"] or []))
    if validation is not None and monitor in ("val_bleu", "val_chrf"):
        from .decoded_score import DecodedValidationScore

        scorer = DecodedValidationScore(
            params["validation_metric"], validation, codec, as_text, references
        )
        callbacks.insert(0, scorer)
    history, interrupted = fit_model(
        model,
        data,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        verbose=params["verbose"],
        # The average first: the other callbacks see it at each epoch's end.
        callbacks=[*averaging_callbacks(params["ema_momentum"]), *callbacks, *schedule, stopper],
        validation=validation,
        resample=resample,
    )
    if interrupted:
        warnings.warn(
            f"fit was interrupted (Ctrl-C) after {len(history['loss'])} epoch(s); the "
            "estimator keeps the weights learned so far.",
            UserWarning,
            stacklevel=stacklevel + 1,
        )
    elif not stopper.stopped_epoch:
        warn_if_still_improving(
            history[monitor],
            mode,
            tol=params["tol"],
            epochs=epochs,
            stacklevel=stacklevel + 1,
        )
    return model, history, stopper.best_epoch if params["early_stopping"] else None


def fitted_history(previous, history, best_epoch):
    """The estimator's fitted history attributes after a fit.

    Parameters
    ----------
    previous : dict of str to list of float
        ``history_`` before this fit (a warm start); empty for a new fit.
    history : dict of str to list
        Keras's ``History.history`` of this fit.
    best_epoch : int or None
        Epoch of this fit (from 0) whose weights early stopping restored;
        None without early stopping.

    Returns
    -------
    attributes : dict of str to object
        ``history_``, ``loss_curve_``, ``n_iter_``, ``validation_scores_``,
        ``best_loss_``, ``best_epoch_`` and ``best_validation_score_``.
    """
    n_before = len(previous.get("loss", []))
    merged = merge_history(previous, history)
    scored = [name for name in ("val_bleu", "val_chrf", "val_sequence_accuracy") if name in history]
    scores = merged[scored[0]] if scored else None
    attributes = {
        "history_": merged,
        "loss_curve_": merged["loss"],
        "n_iter_": len(merged["loss"]),
        "validation_scores_": scores,
        "best_loss_": None,
        "best_epoch_": None,
        "best_validation_score_": None,
    }
    if best_epoch is None:
        attributes["best_loss_"] = float(np.nanmin(merged["loss"]))
    else:
        attributes["best_epoch_"] = n_before + best_epoch + 1
        attributes["best_validation_score_"] = scores[n_before + best_epoch]
    return attributes
