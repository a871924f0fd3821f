"""Sources and targets as ids, and ids as targets again: one fitted layout.

A :class:`Codec` is the estimator's fitted view of its sequences: the two
vocabularies, the kind of ``y`` it was given (``"array"``, ``"labels"``,
``"strings"`` or ``"lists"``), whether targets vary in length (then every
target ends with the end symbol, ``END_ID``, a label and never a decoder
input) and the longest output.  Everything that turns user targets into
the network's ids (labels, decoder input, output classes) and output
classes back into the user's kind lives here, so training, validation,
scoring and decoding all read sequences one way.

Output classes are target ids shifted down: with the end symbol, class 0
is the end and class ``k`` is token id ``k + END_ID``; without it, class
``k`` is token id ``k + N_RESERVED``.
"""

from itertools import chain
from typing import NamedTuple

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_consistent_length

from .sequences import (
    ARRAY,
    check_token_array,
    format_sequences,
    pad_ids,
    position_mask,
    read_sequences,
    sequence_kind,
    shift_right,
)
from .vocabulary import END_ID, EOS, N_RESERVED, PAD_ID, UNKNOWN_ID, Vocabulary

# Target kind of a 1-D array y: one label (a length-1 sequence) per sample.
LABELS = "labels"

# Label of padded target positions: the loss ignores it and the
# exact-sequence accuracy counts it as right.
PAD_LABEL = -1


class TrainingData(NamedTuple):
    """Encoded training arrays, one row per sample.

    ``source_lengths`` and ``target_lengths`` are None for fixed lengths.
    """

    source_ids: np.ndarray
    decoder_input_ids: np.ndarray
    labels: np.ndarray
    source_lengths: np.ndarray | None = None
    target_lengths: np.ndarray | None = None

    def take(self, indices):
        """The samples at ``indices``."""
        return TrainingData(*(None if a is None else a[indices] for a in self))

    def compact(self):
        """The same samples, ids in the narrowest signed dtype that holds them.

        Training keeps a TensorFlow copy of these arrays for the whole fit;
        a 20,000-token vocabulary fits in int16, half of int32.
        """
        id_arrays = self[:3]
        largest = max(int(a.max(initial=0)) for a in id_arrays)
        dtype = next(t for t in (np.int8, np.int16, np.int32) if largest <= np.iinfo(t).max)
        return self._replace(
            **{name: a.astype(dtype, copy=False) for name, a in zip(self._fields, id_arrays)}
        )


def read_targets(Y, kind, *, name="y", allow_empty=False, classification=True):
    """Target tokens, one length per sequence, and the kind (1-D arrays are labels).

    Parameters
    ----------
    Y : array-like or list of sequences
        User targets.
    kind : str
        What :func:`~sklearn_seq2seq._input.sequences.sequence_kind` says ``Y`` is.
    name : str, default="y"
        Name used in error messages.
    allow_empty : bool, default=False
        Whether empty sequences are accepted.
    classification : bool, default=True
        Check an array ``Y`` with scikit-learn's
        ``check_classification_targets`` (``fit``); scoring given targets
        reads any tokens (unknown ones score as such).

    Returns
    -------
    tokens : ndarray of shape (total length,)
        All target tokens, concatenated.
    lengths : ndarray of shape (n_samples,)
        Length of each target.
    kind : str
        ``kind``, or ``"labels"`` for a 1-D array.
    """
    if kind != ARRAY:
        targets = read_sequences(Y, kind, name=name, allow_empty=allow_empty)
        return targets.tokens, targets.lengths, kind
    Y = check_array(Y, ensure_2d=False, dtype=None, ensure_all_finite=True, input_name=name)
    if classification:
        check_classification_targets(Y)
    if Y.ndim == 1:
        kind = LABELS
    Y = check_token_array(Y.reshape(len(Y), -1), name=name)
    return Y.reshape(-1), np.full(len(Y), Y.shape[1]), kind


def reject_new_tokens(ids, tokens, name):
    """A warm start cannot learn tokens outside the fitted vocabulary."""
    new = ids == UNKNOWN_ID
    if np.any(new):
        examples = list(dict.fromkeys(np.asarray(tokens).reshape(-1)[new.reshape(-1)].tolist()))
        raise ValueError(
            f"warm_start: {name} holds {len(examples)} token(s) the fitted model has never seen, "
            f"e.g. {examples[:5]!r}; its vocabulary is fixed.  Fit with warm_start=False to "
            "learn a new vocabulary."
        )


def learn_length_limit(source_lengths, target_lengths, quantile=0.99):
    """``(a, b)`` such that every training target has at most ``a * source length + b`` tokens.

    ``a`` is a high quantile of the target/source length ratios, ``b`` the
    smallest offset that then holds every training pair (fairseq's
    ``--max-len-a``/``--max-len-b``, learned from the data).

    Examples
    --------
    >>> import numpy as np
    >>> learn_length_limit(np.array([2, 4, 10]), np.array([3, 4, 12]), quantile=0.5)
    (1.2, 0.6)
    """
    source_lengths = np.maximum(np.asarray(source_lengths, dtype=float), 1)
    target_lengths = np.asarray(target_lengths, dtype=float)
    a = float(np.quantile(target_lengths / source_lengths, quantile))
    b = float(max(0.0, np.max(target_lengths - a * source_lengths)))
    return round(a, 6), round(b, 6)


def length_range(lengths):
    """ "3" or "2 to 5": the sequence lengths of an error message."""
    shortest, longest = int(lengths.min()), int(lengths.max())
    return str(shortest) if shortest == longest else f"{shortest} to {longest}"


class Codec:
    """The fitted mapping between user sequences and the network's ids.

    Parameters
    ----------
    source_vocabulary, target_vocabulary : Vocabulary
        Fitted vocabularies.
    target_kind : {"array", "labels", "strings", "lists"}
        The kind of ``y`` in ``fit``; predictions come back in it.
    ends_with_eos : bool
        Whether targets vary in length (and end with the end symbol).
    max_output_length : int
        Longest output: the fixed target length, or the cap of
        variable-length outputs.
    length_limit : tuple of (float, float) or None, default=None
        ``(a, b)``: a variable-length output of a source of ``n`` tokens
        ends after at most ``ceil(a * n + b)`` tokens (and
        ``max_output_length``); None: ``max_output_length`` only.
    """

    def __init__(
        self,
        source_vocabulary,
        target_vocabulary,
        target_kind,
        ends_with_eos,
        max_output_length,
        length_limit=None,
    ):
        self.source_vocabulary = source_vocabulary
        self.target_vocabulary = target_vocabulary
        self.target_kind = target_kind
        self.ends_with_eos = ends_with_eos
        self.max_output_length = max_output_length
        self.length_limit = length_limit if ends_with_eos else None

    @classmethod
    def learn(
        cls,
        source_vocabulary,
        tokens,
        lengths,
        kind,
        *,
        max_output_length=None,
        variable_lengths=False,
        target_vocabulary=None,
    ):
        """The layout of a new fit: its target vocabulary, kind, end symbol, output length.

        Parameters
        ----------
        source_vocabulary : Vocabulary
            The learned source vocabulary.
        tokens, lengths, kind
            The targets, as :func:`read_targets` returns them.
        max_output_length : int or None, default=None
            Cap of variable-length outputs; None: the longest target.
        variable_lengths : bool, default=False
            End every target with the end symbol even if all have one
            length (sentences read as pieces).
        target_vocabulary : Vocabulary or None, default=None
            The target vocabulary, given (a tokenizer's pieces) instead of
            learned from ``tokens``.

        Returns
        -------
        codec : Codec
        """
        longest = int(lengths.max())
        ends_with_eos = variable_lengths or bool(lengths.min() != longest)
        vocabulary = target_vocabulary or Vocabulary.from_tokens(tokens, name="y")
        if not ends_with_eos and len(vocabulary.tokens) == 1:
            raise ValueError(
                f"y holds one class ({vocabulary.tokens[0]!r}) at every position: there is "
                "nothing to learn."
            )
        n_outputs = (max_output_length or longest) if ends_with_eos else longest
        return cls(source_vocabulary, vocabulary, kind, ends_with_eos, n_outputs)

    @property
    def classes(self):
        """Output classes: the target tokens, after ``EOS`` for variable lengths."""
        tokens = self.target_vocabulary.tokens
        if not self.ends_with_eos:
            return tokens
        classes = np.empty(len(tokens) + 1, dtype=object)
        classes[0], classes[1:] = EOS, tokens
        return classes

    @property
    def classes_attribute(self):
        """The estimator's ``classes_``: one array for labels, else one per output position."""
        if self.target_kind == LABELS:
            return self.classes
        return [self.classes] * self.max_output_length

    @property
    def class_offset(self):
        """Target id of output class 0."""
        return END_ID if self.ends_with_eos else N_RESERVED

    @property
    def n_steps(self):
        """Decoder steps: one more than the longest output with an end symbol."""
        return self.max_output_length + 1 if self.ends_with_eos else self.max_output_length

    def check_warm_targets(self, kind, lengths):
        """A warm start keeps the kind of ``y`` and a fixed target length."""
        if kind != self.target_kind:
            raise ValueError(
                f"warm_start: y is given as {kind}, but the model was fitted on {self.target_kind}."
            )
        if not self.ends_with_eos and np.any(lengths != self.max_output_length):
            raise ValueError(
                f"warm_start: y has sequences of {length_range(lengths)} tokens, but the "
                f"model was fitted on targets of exactly {self.max_output_length}."
            )

    def source_ids(self, tokens, lengths):
        """Right-padded source ids of concatenated tokens (unknown tokens: ``UNKNOWN_ID``)."""
        return pad_ids(self.source_vocabulary.encode(tokens), lengths)

    def training_targets(self, tokens, lengths, *, warm=False):
        """Target ids of the training samples, and their lengths with the end symbol.

        Returns
        -------
        ids : ndarray of shape (n_samples, width)
            Target ids, the end symbol after each variable-length target.
        lengths : ndarray of shape (n_samples,) or None
            Lengths counting the end symbol; None for fixed lengths.
        """
        ids = self.target_vocabulary.encode(tokens)
        if warm:
            reject_new_tokens(ids, tokens, "y")
        grid, lengths = self._target_grid(ids, lengths)
        return grid, lengths if self.ends_with_eos else None

    def _target_grid(self, ids, lengths):
        """Target ids as a right-padded grid, the end symbol after each variable-length one.

        Returns the grid and the lengths (counting the end symbol).
        """
        if not self.ends_with_eos:
            return ids.reshape(len(lengths), -1), lengths
        grid = pad_ids(ids, lengths, int(lengths.max()) + 1)
        grid[np.arange(len(grid)), lengths] = END_ID
        return grid, lengths + 1

    def decoder_input(self, target_ids):
        """The teacher-forcing decoder input: the start symbol, then the target.

        The end symbol is a label, never a decoder input (fixed-length
        targets have none).
        """
        decoder_input = shift_right(target_ids)
        if self.ends_with_eos:
            decoder_input[decoder_input == END_ID] = PAD_ID
        return decoder_input

    def training_data(self, source_ids, source_lengths, target_ids, target_lengths):
        """Encoded samples for teacher forcing: decoder input and labels from the targets."""
        decoder_input_ids = self.decoder_input(target_ids)
        labels = target_ids
        if self.ends_with_eos:
            labels -= END_ID  # in place: class 0 = end, class k = token k - 1
            labels[labels < 0] = PAD_LABEL  # padding (the only ids below END_ID)
        else:
            labels -= N_RESERVED  # in place: output class = target id - reserved ids
        data = TrainingData(source_ids, decoder_input_ids, labels, source_lengths, target_lengths)
        return data.compact()

    def targets(self, Y, *, name="y"):
        """Output classes (-1 where unknown), lengths and decoder input of given targets.

        Parameters
        ----------
        Y : array-like or list of sequences
            Targets given as in ``fit``.
        name : str, default="y"
            Name used in error messages.

        Returns
        -------
        classes : ndarray of shape (n_samples, width)
            Output class of each position; -1 for tokens never seen in ``fit``.
        lengths : ndarray of shape (n_samples,)
            Target lengths, counting the end symbol for variable lengths.
        decoder_input : ndarray of shape (n_samples, width)
            The teacher-forcing decoder input.
        """
        tokens, lengths, _ = read_targets(
            Y,
            sequence_kind(Y, labels_in_arrays=True, name=name),
            name=name,
            allow_empty=self.ends_with_eos,
            classification=False,
        )
        if not self.ends_with_eos and np.any(lengths != self.max_output_length):
            raise ValueError(
                f"{name} has sequences of {length_range(lengths)} tokens, but this model was "
                f"fitted on targets of exactly {self.max_output_length}."
            )
        grid, lengths = self._target_grid(self.target_vocabulary.encode(tokens), lengths)
        classes = np.where(grid == UNKNOWN_ID, -1, grid - self.class_offset)
        return classes, lengths, self.decoder_input(grid)

    def held_out_data(self, source_ids, source_lengths, Y, *, name="y_val"):
        """Validation samples encoded as training data; their targets must use known tokens.

        Parameters
        ----------
        source_ids : ndarray of shape (n_samples, source length)
            Encoded sources.
        source_lengths : ndarray of shape (n_samples,) or None
            Their lengths; None for fixed lengths.
        Y : array-like or list of sequences
            Targets given as in ``fit``.
        name : str, default="y_val"
            Name used in error messages.

        Returns
        -------
        data : ~sklearn_seq2seq._input.codec.TrainingData
        """
        classes, target_lengths, decoder_input = self.targets(Y, name=name)
        check_consistent_length(source_ids, classes)
        inside = position_mask(target_lengths, classes.shape[1])
        unknown = inside & (classes < 0)
        if np.any(unknown):
            raise ValueError(
                f"{name} holds {int(unknown.any(axis=1).sum())} sequence(s) with target tokens "
                "never seen in y; the model cannot predict them.  Leave those samples out of "
                "the validation set."
            )
        labels = np.where(inside, classes, PAD_LABEL)
        if not self.ends_with_eos:
            target_lengths = None
        return TrainingData(
            source_ids, decoder_input, labels, source_lengths, target_lengths
        ).compact()

    def output_lengths(self, classes):
        """Tokens before the first end symbol, at most ``max_output_length``."""
        if not self.ends_with_eos:
            return np.full(len(classes), classes.shape[1])
        ended = classes == 0
        lengths = np.where(ended.any(axis=1), ended.argmax(axis=1), classes.shape[1])
        return np.minimum(lengths, self.max_output_length)

    def format(self, classes):
        """Output classes of shape (n, steps) as target sequences of the user's kind."""
        tokens = self.target_vocabulary.tokens
        if self.target_kind == LABELS:
            return tokens[classes[:, 0]]
        if self.target_kind == ARRAY:
            return tokens[classes]
        output_lengths = self.output_lengths(classes)
        inside = position_mask(output_lengths, classes.shape[1])
        offset = 1 if self.ends_with_eos else 0  # class 0 is the end symbol
        return format_sequences(tokens[classes[inside] - offset], output_lengths, self.target_kind)

    def format_proba(self, probabilities):
        """Per-step probabilities of shape (n, steps, classes) as ``predict_proba`` returns them."""
        if self.target_kind == LABELS:
            return probabilities[:, 0]
        return [probabilities[:, j] for j in range(self.max_output_length)]

    def join(self, blocks):
        """Formatted blocks of samples (as :meth:`format` gives them) as one output."""
        blocks = list(blocks)
        if len(blocks) == 1:
            return blocks[0]
        if self.target_kind in (LABELS, ARRAY):
            return np.concatenate(blocks)
        return list(chain.from_iterable(blocks))

    def format_nbest(self, classes):
        """Output classes of shape (n, n_best, steps) as ``predict_nbest`` returns them.

        Array targets give one array with the hypotheses on axis 1; the
        other kinds a list of ``n_best`` sequences per sample.
        """
        n_samples, n_best, steps = classes.shape
        flat = self.format(classes.reshape(-1, steps))
        if isinstance(flat, np.ndarray):
            return flat.reshape(n_samples, n_best, *flat.shape[1:])
        return [flat[i : i + n_best] for i in range(0, len(flat), n_best)]
