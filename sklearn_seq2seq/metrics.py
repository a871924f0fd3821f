"""Sequence-level metrics and the scorers that wrap them.

scikit-learn's ``accuracy_score`` refuses multiclass-multioutput targets,
so sequence predictions need their own metrics; the scorers plug them into
``GridSearchCV(scoring=...)`` and ``cross_val_score``.
"""

import numpy as np
from sklearn.metrics import make_scorer


def _as_2d(y, name):
    y = np.asarray(y)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y.ndim != 2:
        raise ValueError(f"{name} must be 1-D or 2-D; got {y.ndim} dimensions.")
    return y


def _paired(y_true, y_pred):
    y_true, y_pred = _as_2d(y_true, "y_true"), _as_2d(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have different shapes: {y_true.shape} and {y_pred.shape}."
        )
    return y_true, y_pred


def sequence_accuracy_score(y_true, y_pred):
    """Fraction of sequences predicted exactly, every token right.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, length) or (n_samples,)
        True target sequences.
    y_pred : array-like of the same shape
        Predicted sequences.

    Returns
    -------
    score : float
        Exact-sequence accuracy in [0, 1].

    Examples
    --------
    >>> sequence_accuracy_score([[1, 2], [3, 4]], [[1, 2], [3, 5]])
    0.5
    """
    y_true, y_pred = _paired(y_true, y_pred)
    return float(np.mean(np.all(y_true == y_pred, axis=1)))


def token_accuracy_score(y_true, y_pred):
    """Fraction of tokens predicted right, over all positions.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, length) or (n_samples,)
        True target sequences.
    y_pred : array-like of the same shape
        Predicted sequences.

    Returns
    -------
    score : float
        Token accuracy in [0, 1].

    Examples
    --------
    >>> token_accuracy_score([[1, 2], [3, 4]], [[1, 2], [3, 5]])
    0.75
    """
    y_true, y_pred = _paired(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


sequence_accuracy_scorer = make_scorer(sequence_accuracy_score)
"""Scorer for exact-sequence accuracy, for ``scoring=`` arguments."""

token_accuracy_scorer = make_scorer(token_accuracy_score)
"""Scorer for token accuracy, for ``scoring=`` arguments."""
