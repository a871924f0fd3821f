"""The one-hot / teacher-forcing encoder for fixed-length token sequences.

Tokens become integer ids through a :class:`~sklearn_seq2seq._input.vocabulary.Vocabulary`
(reserved ids for padding, start, unknown and end come first); this
transformer adds the one-hot layout of the tutorial and the shifted
decoder input of teacher forcing.  The estimator keeps only integer ids in
host memory; the one-hot expansion it trains on happens inside the Keras
graph with the same ids.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike, DTypeLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._input.sequences import check_token_array, shift_right
from ._input.vocabulary import N_RESERVED, RESERVED_NAMES, Vocabulary
from ._runtime.private_api import DOC_LINK_TEMPLATE, Interval, _check_feature_names_in, _fit_context


class SequenceOneHotEncoder(TransformerMixin, BaseEstimator):
    """One-hot encode fixed-length token sequences with a shared vocabulary.

    Every position of a sequence shares one vocabulary (unlike
    :class:`~sklearn.preprocessing.OneHotEncoder`, which learns one per
    column).  Ids ``0..3`` are reserved for padding, start, unknown and
    end symbols; tokens seen in ``fit`` follow in sorted order.  Tokens not
    seen in ``fit`` (or dropped by ``max_tokens`` / ``min_frequency``) are
    encoded as the unknown symbol.

    ``transform`` returns the flattened one-hot array of shape
    ``(n_samples, length * n_ids_)``; ``.reshape(n_samples, length, -1)``
    gives the ``(samples, time steps, features)`` layout Keras expects.
    :meth:`encode` gives the integer ids the network consumes, and
    :meth:`encode_decoder_input` builds the teacher-forcing input: the start
    symbol followed by the sequence without its last token.

    Parameters
    ----------
    dtype : numpy dtype, default=np.float32
        Dtype of the one-hot output.
    max_tokens : int or None, default=None
        Keep only this many most frequent tokens; the rest read as unknown.
    min_frequency : int, float or None, default=None
        Drop tokens seen fewer times than this (int), or less often than
        this fraction of all tokens (float in (0, 1)).

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The token-to-id mapping.
    tokens_ : ndarray of shape (n_tokens,)
        Sorted tokens kept in ``fit``; token ``tokens_[i]`` has id
        ``i + 4``.
    n_ids_ : int
        Number of ids, reserved symbols included (``len(tokens_) + 4``).
    n_features_in_ : int
        Sequence length seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq2seq import SequenceOneHotEncoder
    >>> enc = SequenceOneHotEncoder().fit([[4, 5, 6], [6, 5, 4]])
    >>> enc.encode([[4, 5, 6], [6, 7, 4]])
    array([[4, 5, 6],
           [6, 2, 4]], dtype=int32)
    >>> enc.encode_decoder_input([[4, 5, 6]])
    array([[1, 4, 5]], dtype=int32)
    >>> enc.transform([[4, 5, 6]]).shape
    (1, 21)
    >>> enc.inverse_transform(enc.transform([[6, 4, 5]]))
    array([[6, 4, 5]])
    """

    _doc_link_module, _doc_link_template = "sklearn_seq2seq", DOC_LINK_TEMPLATE
    _parameter_constraints = {
        "dtype": "no_validation",
        "max_tokens": [Interval(Integral, 1, None, closed="left"), None],
        "min_frequency": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
            None,
        ],
    }

    def __init__(
        self,
        dtype: DTypeLike = np.float32,
        max_tokens: int | None = None,
        min_frequency: float | None = None,
    ) -> None:
        self.dtype = dtype
        self.max_tokens = max_tokens
        self.min_frequency = min_frequency

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> SequenceOneHotEncoder:
        """Learn the token vocabulary.

        Parameters
        ----------
        X : array-like of shape (n_samples, length)
            Token sequences (integers, strings or other orderable tokens).
        y : None
            Ignored.

        Returns
        -------
        self : SequenceOneHotEncoder
            The fitted encoder.
        """
        X = check_token_array(validate_data(self, X, dtype=None, ensure_all_finite=True))
        self.vocabulary_ = Vocabulary.from_tokens(
            X.reshape(-1), max_tokens=self.max_tokens, min_frequency=self.min_frequency
        )
        self.tokens_ = self.vocabulary_.tokens
        self.n_ids_ = self.vocabulary_.n_ids
        return self

    def _validated(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=None, ensure_all_finite=True, reset=False)
        return check_token_array(X)

    def encode(self, X: ArrayLike) -> np.ndarray:
        """Map tokens to integer ids; unseen tokens become the unknown id.

        Parameters
        ----------
        X : array-like of shape (n_samples, length)
            Token sequences.

        Returns
        -------
        ids : ndarray of shape (n_samples, length), dtype int32
            Token ids.
        """
        X = self._validated(X)
        return self.vocabulary_.encode(X)

    def encode_decoder_input(self, X: ArrayLike) -> np.ndarray:
        """Build the teacher-forcing decoder input ids.

        The start symbol followed by each sequence without its last token:
        ``[4, 5, 6] -> [<start>, 4, 5]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, length)
            Target token sequences.

        Returns
        -------
        ids : ndarray of shape (n_samples, length), dtype int32
            Shifted ids.
        """
        return shift_right(self.encode(X))

    def decode(self, ids: ArrayLike) -> np.ndarray:
        """Map token ids back to tokens.

        Parameters
        ----------
        ids : array-like of int
            Ids of user tokens (``>= 4``).

        Returns
        -------
        tokens : ndarray
            Tokens, same shape as ``ids``.
        """
        check_is_fitted(self)
        return self.vocabulary_.decode(ids)

    def transform(self, X: ArrayLike) -> np.ndarray:
        """One-hot encode token sequences.

        Parameters
        ----------
        X : array-like of shape (n_samples, length)
            Token sequences.

        Returns
        -------
        X_onehot : ndarray of shape (n_samples, length * n_ids)
            Flattened one-hot encoding, position-major.
        """
        return self._one_hot(self.encode(X))

    def transform_decoder_input(self, X: ArrayLike) -> np.ndarray:
        """One-hot encode the teacher-forcing decoder input.

        Parameters
        ----------
        X : array-like of shape (n_samples, length)
            Target token sequences.

        Returns
        -------
        X_onehot : ndarray of shape (n_samples, length * n_ids)
            Flattened one-hot encoding of :meth:`encode_decoder_input`.
        """
        return self._one_hot(self.encode_decoder_input(X))

    def _one_hot(self, ids):
        one_hot = np.eye(self.n_ids_, dtype=self.dtype)[ids]
        return one_hot.reshape(len(ids), -1)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Map one-hot or probability arrays back to tokens.

        The most likely user token is taken at each position; reserved
        columns are ignored.

        Parameters
        ----------
        X : array-like of shape (n_samples, length * n_ids) or \
                (n_samples, length, n_ids)
            Output of :meth:`transform`, or per-position probabilities.

        Returns
        -------
        tokens : ndarray of shape (n_samples, length)
            Decoded tokens.
        """
        check_is_fitted(self)
        X = np.asarray(X)
        if X.ndim == 2:
            if X.shape[1] != self.n_features_in_ * self.n_ids_:
                raise ValueError(
                    f"X has {X.shape[1]} columns; expected length * n_ids_ = "
                    f"{self.n_features_in_} * {self.n_ids_}."
                )
            X = X.reshape(len(X), self.n_features_in_, self.n_ids_)
        if X.ndim != 3 or X.shape[2] != self.n_ids_:
            raise ValueError(
                f"X must have shape (n_samples, length, {self.n_ids_}) or its "
                f"flattened 2-D form; got shape {X.shape}."
            )
        return self.decode(np.argmax(X[:, :, N_RESERVED:], axis=2) + N_RESERVED)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names of the one-hot columns, as :class:`~sklearn.preprocessing.OneHotEncoder`'s.

        Column ``"<feature>_<symbol>"`` is 1 where the position named
        ``feature`` holds ``symbol``: a reserved symbol (``"<pad>"``,
        ``"<start>"``, ``"<unk>"``, ``"<end>"``) or a token.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Names of the positions.  None uses ``feature_names_in_`` when
            ``fit`` saw a DataFrame, else ``"x0"``, ``"x1"``, ...

        Returns
        -------
        names : ndarray of str
            One name per output column, position-major as ``transform``.

        Examples
        --------
        >>> enc = SequenceOneHotEncoder().fit([["a", "b"]])
        >>> enc.get_feature_names_out()[:6].tolist()
        ['x0_<pad>', 'x0_<start>', 'x0_<unk>', 'x0_<end>', 'x0_a', 'x0_b']
        """
        check_is_fitted(self)
        features = _check_feature_names_in(self, input_features)
        symbols = list(RESERVED_NAMES) + [str(t) for t in self.tokens_]
        return np.asarray([f"{f}_{s}" for f in features for s in symbols], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = []
        return tags
