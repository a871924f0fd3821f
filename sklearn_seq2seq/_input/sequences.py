"""User sequences in, padded id grids out, and back to the user's kind.

A batch of sequences is held as all tokens concatenated (``tokens``) plus
one length per sequence.  Three kinds of user input are recognised:

* ``"strings"``: a list (or 1-D array, for sources) of ``str``; each string
  is a sequence of characters, read in one vectorised pass through its
  UTF-32 code units;
* ``"lists"``: a list or 1-D object array of lists, tuples or 1-D arrays of
  hashable tokens, of any lengths;
* ``"array"``: anything else, read by scikit-learn's ``validate_data`` as a
  2-D array (fixed length) or, for targets, a 1-D array of labels.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TypeAlias

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from .vocabulary import PAD_ID, START_ID, check_tokens

STRINGS, LISTS, ARRAY = "strings", "lists", "array"

# What the public API accepts and returns as a batch of sequences: a 2-D
# array (or DataFrame), a 1-D array of labels, a list of strings, or a
# list of token sequences.
SequenceBatch: TypeAlias = ArrayLike | Sequence[str] | Sequence[Sequence[Hashable]]


@dataclass
class Sequences:
    """Variable-length sequences as concatenated tokens plus lengths.

    Attributes
    ----------
    tokens : ndarray of shape (total length,)
        All tokens, sequence after sequence.
    lengths : ndarray of shape (n_samples,), int64
        Length of each sequence.
    kind : str
        ``"strings"`` or ``"lists"``: what the user gave.
    """

    tokens: np.ndarray
    lengths: np.ndarray
    kind: str

    def __len__(self):
        return len(self.lengths)


def sequence_kind(X, *, labels_in_arrays=False, name="X"):
    """Which kind of sequence input ``X`` is: strings, lists or array.

    Parameters
    ----------
    X : object
        User input.
    labels_in_arrays : bool, default=False
        True for targets: a 1-D array of strings then holds one label per
        sample (scikit-learn's convention) instead of character sequences.
        Lists of strings are character sequences either way.
    name : str, default="X"
        Name used in error messages.

    Returns
    -------
    kind : str
        ``"strings"``, ``"lists"`` or ``"array"``.

    Examples
    --------
    >>> sequence_kind(["12+7", "3+4"]), sequence_kind([[1, 2], [3]])
    ('strings', 'lists')
    >>> sequence_kind([[1, 2], [3, 4]])
    'lists'
    >>> import numpy as np
    >>> sequence_kind(np.array([[1, 2], [3, 4]]))
    'array'
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{name}: expected a collection of sequences, got a single "
            f"{type(X).__name__}; pass a list of sequences, e.g. [{name}]."
        )
    if sparse.issparse(X):
        raise TypeError(
            "Sparse matrices are not supported: sequences of tokens are dense; "
            "pass a 2-D array or a list of sequences."
        )
    if not isinstance(X, np.ndarray) and getattr(X, "ndim", None) == 1 and hasattr(X, "to_numpy"):
        X = X.to_numpy()  # a pandas Series
    if isinstance(X, (list, tuple)):
        elements = X
    elif isinstance(X, np.ndarray) and X.ndim == 1:
        if labels_in_arrays and X.dtype.kind in "OU":
            elements = [e for e in X if not isinstance(e, str)]
            if len(elements) < len(X):
                return ARRAY  # labels (possibly mixed with sequences: the array path rejects it)
        elements = X
    else:
        return ARRAY
    if len(elements) == 0:
        raise ValueError(f"{name} holds 0 sequences; at least 1 is required.")
    is_string = [isinstance(e, str) for e in elements]
    is_sequence = [isinstance(e, (list, tuple, np.ndarray)) for e in elements]
    if is_string and all(is_string):
        return STRINGS
    if is_sequence and all(is_sequence):
        return LISTS
    if any(is_string) or any(is_sequence):
        raise TypeError(
            "Sequences must all be strings or all be lists/tuples/arrays of tokens; "
            "got a mix of " + ", ".join(sorted({type(e).__name__ for e in elements})) + "."
        )
    return ARRAY


def sequence_lengths(X, kind, *, name="X", allow_empty=False):
    """The length of each sequence, checked: 1-D sequences, none empty unless allowed.

    Parameters
    ----------
    X : list or 1-D array
        Sequences of the given kind.
    kind : {"strings", "lists"}
        As returned by :func:`sequence_kind`.
    name : str, default="X"
        Name used in error messages.
    allow_empty : bool, default=False
        Accept empty sequences (predictions may be empty; inputs may not).

    Returns
    -------
    lengths : ndarray of shape (n_samples,), int64
    """
    if len(X) == 0:
        raise ValueError(f"{name} is empty: at least one sequence is needed.")
    if kind == LISTS:
        for i, sequence in enumerate(X):
            if isinstance(sequence, np.ndarray) and sequence.ndim != 1:
                raise ValueError(
                    f"{name}[{i}] is a {sequence.ndim}-D array; each sequence must be 1-D."
                )
    lengths = np.fromiter(map(len, X), dtype=np.int64, count=len(X))
    empty = np.flatnonzero(lengths == 0)
    if len(empty) and not allow_empty:
        raise ValueError(
            f"{name} contains {len(empty)} empty sequence(s) (first at index {empty[0]}); "
            "every sequence needs at least one token."
        )
    return lengths


def read_sequences(X, kind, *, name="X", allow_empty=False):
    """Read strings or lists of tokens into a :class:`Sequences`.

    Parameters
    ----------
    X : list or 1-D array
        Sequences of the given kind.
    kind : {"strings", "lists"}
        As returned by :func:`sequence_kind`.
    name : str, default="X"
        Name used in error messages.
    allow_empty : bool, default=False
        Accept empty sequences (predictions may be empty; inputs may not).

    Returns
    -------
    sequences : Sequences
        Concatenated tokens and lengths.

    Examples
    --------
    >>> s = read_sequences(["ab", "c"], "strings")
    >>> s.tokens, s.lengths
    (array(['a', 'b', 'c'], dtype='<U1'), array([2, 1]))
    """
    lengths = sequence_lengths(X, kind, name=name, allow_empty=allow_empty)
    if kind == STRINGS:
        # One pass over all characters: UTF-32 code units are numpy's '<U1'.
        tokens = np.frombuffer("".join(X).encode("utf-32-le"), dtype="<U1")
    else:
        tokens = np.fromiter(chain.from_iterable(X), dtype=object, count=int(lengths.sum()))
        tokens = check_tokens(tokens, name=name)
    return Sequences(tokens, lengths, kind)


def position_mask(lengths, width=None):
    """Boolean ``(n_samples, width)`` mask of the positions inside each sequence.

    Parameters
    ----------
    lengths : ndarray of shape (n_samples,)
        Sequence lengths.
    width : int or None, default=None
        Grid width; the longest length when None.

    Returns
    -------
    mask : ndarray of shape (n_samples, width), bool
        ``mask[i, t]`` is ``t < lengths[i]``.

    Examples
    --------
    >>> import numpy as np
    >>> position_mask(np.array([2, 1])).astype(int)
    array([[1, 1],
           [1, 0]])
    """
    width = int(lengths.max()) if width is None else width
    return np.arange(width) < lengths[:, None]


def pad_ids(ids, lengths, width=None):
    """Scatter concatenated ids into a right-padded ``(n_samples, width)`` grid.

    Parameters
    ----------
    ids : ndarray of shape (total length,)
        Ids of all sequences, concatenated.
    lengths : ndarray of shape (n_samples,)
        Sequence lengths.
    width : int or None, default=None
        Grid width; the longest length when None.

    Returns
    -------
    grid : ndarray of shape (n_samples, width), int32
        Ids, padded with ``PAD_ID``.

    Examples
    --------
    >>> import numpy as np
    >>> pad_ids(np.array([5, 6, 7]), np.array([2, 1]))
    array([[5, 6],
           [7, 0]], dtype=int32)
    """
    mask = position_mask(lengths, width)
    grid = np.full(mask.shape, PAD_ID, dtype=np.int32)
    grid[mask] = ids  # boolean assignment fills row by row: the concatenation order
    return grid


def format_sequences(tokens, lengths, kind):
    """Build the user's kind of output from concatenated tokens and lengths.

    Parameters
    ----------
    tokens : ndarray of shape (total length,)
        Tokens of all sequences, concatenated.
    lengths : ndarray of shape (n_samples,)
        Sequence lengths.
    kind : {"strings", "lists"}
        Output kind.

    Returns
    -------
    sequences : list of str or list of list
        One entry per sample.

    Examples
    --------
    >>> import numpy as np
    >>> format_sequences(np.array(list("abc")), np.array([2, 1]), "strings")
    ['ab', 'c']
    >>> format_sequences(np.array([5, 6, 7]), np.array([1, 2]), "lists")
    [[5], [6, 7]]
    """
    ends = np.cumsum(lengths).tolist()
    starts = [0, *ends[:-1]]
    if kind == STRINGS:
        text = tokens.astype("<U1").tobytes().decode("utf-32-le")
        return [text[a:b] for a, b in zip(starts, ends)]
    values = tokens.tolist()
    return [values[a:b] for a, b in zip(starts, ends)]


def check_token_array(X, *, name="X"):
    """Check a 2-D token array and give it the narrowest token dtype.

    Parameters
    ----------
    X : ndarray of shape (n_samples, length)
        Tokens, as returned by scikit-learn's ``validate_data``.
    name : str, default="X"
        Name used in error messages.

    Returns
    -------
    X : ndarray of shape (n_samples, length)
        The tokens; an object array of ints or strings becomes typed.

    Examples
    --------
    >>> import numpy as np
    >>> check_token_array(np.array([[1, 2], [3, 4]], dtype=object)).dtype
    dtype('int64')
    """
    return check_tokens(X.reshape(-1), name=name).reshape(X.shape)


def shift_right(ids):
    """Prepend the start id and drop the last position.

    Parameters
    ----------
    ids : ndarray of shape (n_samples, length)
        Token ids.

    Returns
    -------
    shifted : ndarray of shape (n_samples, length), dtype int32
        ``[<start>, ids[:, 0], ..., ids[:, -2]]`` per row.

    Examples
    --------
    >>> import numpy as np
    >>> shift_right(np.array([[7, 8, 9]]))
    array([[1, 7, 8]], dtype=int32)
    """
    shifted = np.empty(ids.shape, dtype=np.int32)
    shifted[:, 0] = START_ID
    shifted[:, 1:] = ids[:, :-1]
    return shifted
