"""Token vocabulary: tokens to integer ids and back.

Tokens become integer ids here and nowhere else.  Ids ``0 .. N_RESERVED-1``
are reserved symbols (padding, start, unknown, end); user tokens follow, so
a reserved symbol can never collide with a user token whatever its type.
Orderable tokens (numbers, strings) are kept in sorted order and looked up
with a vectorised binary search; any other hashable tokens of one type are
kept in order of first appearance and looked up in a dict.
"""

from __future__ import annotations

from collections import Counter
from numbers import Integral

import numpy as np
from numpy.typing import ArrayLike

PAD_ID = 0
START_ID = 1
UNKNOWN_ID = 2
END_ID = 3
N_RESERVED = 4
RESERVED_NAMES = ("<pad>", "<start>", "<unk>", "<end>")
ENCODE_BLOCK_TOKENS = 1_048_576


class EndOfSequence:
    """The end-of-sequence class of variable-length targets (a singleton).

    It labels the first column of ``predict_proba`` for models trained on
    variable-length targets, so it compares unequal to every user token.  It
    sorts before every token, so arrays of classes stay sortable (as
    scikit-learn's ``type_of_target`` needs).

    Examples
    --------
    >>> from sklearn_seq2seq import EOS
    >>> EOS
    <end>
    """

    def __repr__(self):
        return "<end>"

    def __lt__(self, other):
        return other is not self

    def __le__(self, other):
        return True

    def __gt__(self, other):
        return False

    def __ge__(self, other):
        return other is self

    def __reduce__(self):
        return "EOS"  # pickles as a reference to the module's singleton


EOS = EndOfSequence()


def _type_names(tokens):
    return sorted({type(t).__name__ for t in tokens})


def check_tokens(tokens, *, name="X"):
    """Check a flat array of tokens: hashable, no None, no NaN, one kind.

    Parameters
    ----------
    tokens : ndarray of shape (n_tokens,)
        Tokens of all sequences, concatenated.
    name : str, default="X"
        Name used in error messages.

    Returns
    -------
    tokens : ndarray of shape (n_tokens,)
        The tokens, as a typed array (int, float or str) when they allow it.

    Examples
    --------
    >>> import numpy as np
    >>> check_tokens(np.array([1, 2, 3], dtype=object)).dtype
    dtype('int64')
    """
    if tokens.dtype.kind == "f" and not np.isfinite(tokens).all():
        raise ValueError(f"{name} contains NaN or infinity, which cannot be tokens.")
    if tokens.dtype != object:
        return tokens
    types = {type(t) for t in tokens}
    if type(None) in types:
        raise ValueError(f"{name} contains None, which cannot be a token.")
    unhashable = sorted(t.__name__ for t in types if t.__hash__ is None)
    if unhashable:
        raise TypeError(
            f"{name} contains unhashable tokens of type {', '.join(unhashable)}; tokens must "
            "be hashable (a sequence of sequences nested deeper than one level is not valid)."
        )
    if all(
        issubclass(t, (Integral, np.integer)) and not issubclass(t, (bool, np.bool_)) for t in types
    ):
        try:
            return tokens.astype(np.int64)
        except OverflowError:
            return tokens
    if all(issubclass(t, str) for t in types):
        return tokens.astype(str)
    if all(issubclass(t, (float, np.floating)) for t in types):
        return check_tokens(tokens.astype(np.float64), name=name)
    return tokens


def unique_tokens(tokens, *, name="X"):
    """Distinct tokens and their counts, sorted when the tokens allow it.

    Parameters
    ----------
    tokens : ndarray of shape (n_tokens,)
        Checked tokens (see :func:`check_tokens`).
    name : str, default="X"
        Name used in error messages.

    Returns
    -------
    unique : ndarray
        Distinct tokens: sorted, or in order of first appearance for
        hashable tokens of one type that cannot be ordered.
    counts : ndarray of int
        Occurrences of each distinct token.
    """
    try:
        return np.unique(tokens, return_counts=True)
    except TypeError:
        types = _type_names(tokens)
        if len(types) > 1:
            raise TypeError(
                f"{name} mixes token types that cannot be compared with each other "
                f"({', '.join(types)}); use tokens of one type."
            ) from None
    counter = Counter(tokens.tolist())
    unique = np.empty(len(counter), dtype=object)
    unique[:] = list(counter)
    return unique, np.fromiter(counter.values(), dtype=np.int64, count=len(counter))


class Vocabulary:
    """Map tokens to integer ids (and back), reserved symbols first.

    Parameters
    ----------
    tokens : ndarray of shape (n_tokens,)
        Distinct tokens; ``tokens[i]`` gets id ``i + N_RESERVED``.

    Attributes
    ----------
    tokens : ndarray
        The tokens.
    n_ids : int
        Number of ids, reserved symbols included.

    Examples
    --------
    >>> import numpy as np
    >>> vocabulary = Vocabulary.from_tokens(np.array(list("abracadabra")))
    >>> vocabulary.tokens
    array(['a', 'b', 'c', 'd', 'r'], dtype='<U1')
    >>> vocabulary.encode(np.array(list("bad!")))
    array([5, 4, 7, 2], dtype=int32)
    >>> Vocabulary.from_tokens(np.array(list("abracadabra")), max_tokens=2).tokens
    array(['a', 'b'], dtype='<U1')
    """

    def __init__(self, tokens: np.ndarray) -> None:
        self.tokens = tokens
        self.n_ids = len(tokens) + N_RESERVED
        self._sorted = tokens.dtype != object or _is_sorted(tokens)
        self._index = None  # dict, built on first use by the dict lookup

    @classmethod
    def from_tokens(
        cls,
        tokens: ArrayLike,
        *,
        max_tokens: int | None = None,
        min_frequency: float | None = None,
        name: str = "X",
    ) -> Vocabulary:
        """Build a vocabulary from all training tokens.

        Parameters
        ----------
        tokens : ndarray of shape (n_tokens,)
            Checked tokens of all training sequences, concatenated.
        max_tokens : int or None, default=None
            Keep only this many most frequent tokens (ties go to the first
            in vocabulary order); the rest are read as unknown.
        min_frequency : int, float or None, default=None
            Drop tokens seen fewer times than this (an int), or less often
            than this fraction of all tokens (a float in (0, 1)).
        name : str, default="X"
            Name used in error messages.

        Returns
        -------
        vocabulary : Vocabulary
            The vocabulary.
        """
        unique, counts = unique_tokens(tokens, name=name)
        keep = np.ones(len(unique), dtype=bool)
        if min_frequency is not None:
            threshold = min_frequency
            if isinstance(min_frequency, float):
                threshold = min_frequency * counts.sum()
            keep &= counts >= threshold
        if max_tokens is not None and keep.sum() > max_tokens:
            ranked = np.argsort(-np.where(keep, counts, -1), kind="stable")
            keep[:] = False
            keep[ranked[:max_tokens]] = True
        return cls(unique[keep])

    def encode(self, tokens: ArrayLike) -> np.ndarray:
        """Ids of the given tokens; unseen tokens get the unknown id.

        Parameters
        ----------
        tokens : ndarray
            Tokens, any shape.

        Returns
        -------
        ids : ndarray of the same shape, dtype int32
            Token ids.
        """
        tokens = np.asarray(tokens)
        ids = np.empty(tokens.shape, dtype=np.int32)
        flat_ids, flat_tokens = ids.reshape(-1), tokens.reshape(-1)
        # Blocks bound the int64 temporaries of searchsorted on big data.
        for start in range(0, flat_tokens.size, ENCODE_BLOCK_TOKENS):
            block = slice(start, start + ENCODE_BLOCK_TOKENS)
            flat_ids[block] = self._encode_block(flat_tokens[block])
        return ids

    def _encode_block(self, tokens):
        if self._sorted and (tokens.dtype != object or self.tokens.dtype == object):
            try:
                return self._search(tokens)
            except (TypeError, np.exceptions.DTypePromotionError):
                pass  # query tokens of another type: look them up one by one
        if self._index is None:
            self._index = {token: i + N_RESERVED for i, token in enumerate(self.tokens.tolist())}
        index = self._index
        return np.fromiter(
            (index.get(t, UNKNOWN_ID) for t in tokens.tolist()), dtype=np.int32, count=tokens.size
        )

    def _search(self, tokens):
        if len(self.tokens) == 0:
            return np.full(tokens.shape, UNKNOWN_ID)
        positions = np.searchsorted(self.tokens, tokens).clip(0, len(self.tokens) - 1)
        known = self.tokens[positions] == tokens
        return np.where(known, positions + N_RESERVED, UNKNOWN_ID)

    def decode(self, ids: ArrayLike) -> np.ndarray:
        """Tokens of the given user-token ids (``>= N_RESERVED``).

        Parameters
        ----------
        ids : array-like of int
            Token ids.

        Returns
        -------
        tokens : ndarray
            Tokens, same shape as ``ids``.
        """
        return self.tokens[np.asarray(ids) - N_RESERVED]

    def __getstate__(self):
        return {"tokens": self.tokens}

    def __setstate__(self, state):
        self.__init__(state["tokens"])


def _is_sorted(tokens):
    try:
        return bool(np.all(tokens[:-1] < tokens[1:]))
    except TypeError:
        return False
