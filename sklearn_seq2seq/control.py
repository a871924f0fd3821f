"""Training control with scikit-learn's MLP semantics, on Keras's callbacks.

Small functions the estimator's ``fit`` composes: what is monitored,
Keras's ``EarlyStopping`` configured as ``MLPClassifier`` stops, the
``ConvergenceWarning`` when epochs run out while the score still improved,
and the merge of Keras's history across warm starts.  Keras is imported
inside the functions that need it, so importing the estimator stays
TensorFlow-free.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning


def monitored(validated, validation_metric):
    """The Keras log that early stopping and the plateau schedule watch, and its mode.

    Parameters
    ----------
    validated : bool
        Whether there are validation samples.
    validation_metric : {"sequence_accuracy", "loss"}
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
    """
    if not validated:
        return "loss", "min"
    if validation_metric == "loss":
        return "val_loss", "min"
    return "val_sequence_accuracy", "max"


def stopping_callback(monitor, mode, *, early_stopping, tol, n_iter_no_change):
    """Keras's ``EarlyStopping`` as ``MLPClassifier`` stops.

    With ``early_stopping`` the validation score (or loss) is monitored and
    the best weights are restored; without it training stops when the
    training loss has not improved by ``tol`` for ``n_iter_no_change``
    epochs.

    Returns
    -------
    callback : keras.callbacks.EarlyStopping
    """
    import keras

    if not early_stopping:
        monitor, mode = "loss", "min"
    return keras.callbacks.EarlyStopping(
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
