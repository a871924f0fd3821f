"""Generators of sequence-to-sequence tasks, in scikit-learn's ``make_*`` style."""

import numpy as np
from sklearn.utils import check_random_state


def make_reversal(n_samples=100, n_in=6, n_out=3, n_tokens=51, random_state=None):
    """Generate the origin tutorial's task: reverse the first tokens.

    Each source is ``n_in`` random integers in ``1 .. n_tokens - 1`` (0 is
    kept free, as the tutorial reserves it); the target is the first
    ``n_out`` source integers in reverse order:
    ``[13, 28, 18, 7, 9, 5] -> [18, 28, 13]``.

    Parameters
    ----------
    n_samples : int, default=100
        Number of sequences.
    n_in : int, default=6
        Length of each source sequence.
    n_out : int, default=3
        Length of each target sequence, at most ``n_in``.
    n_tokens : int, default=51
        Cardinality including the reserved 0, so tokens are drawn from
        ``1 .. n_tokens - 1``.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for reproducible output.

    Returns
    -------
    X : ndarray of shape (n_samples, n_in), dtype int64
        Source sequences.
    Y : ndarray of shape (n_samples, n_out), dtype int64
        Target sequences.

    Examples
    --------
    >>> from sklearn_seq2seq import make_reversal
    >>> X, Y = make_reversal(n_samples=2, random_state=0)
    >>> X.shape, Y.shape
    ((2, 6), (2, 3))
    >>> bool((Y == X[:, 2::-1]).all())
    True
    """
    if not 1 <= n_out <= n_in:
        raise ValueError(f"n_out must be in [1, n_in={n_in}]; got {n_out}.")
    if n_tokens < 2:
        raise ValueError(f"n_tokens must be at least 2; got {n_tokens}.")
    rng = check_random_state(random_state)
    X = rng.randint(1, n_tokens, size=(n_samples, n_in)).astype(np.int64)
    Y = X[:, n_out - 1 :: -1].copy()
    return X, Y
