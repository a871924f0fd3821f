"""The source side: ``X`` validated and read as ids, as ``fit`` and ``predict`` read it.

2-D arrays go through scikit-learn's ``validate_data`` (which sets and
checks the estimator's ``n_features_in_`` and ``feature_names_in_``); lists
of sequences through :func:`~sklearn_seq2seq._input.sequences.read_sequences`.
Equal-length lists of scalar tokens in ``fit`` are a 2-D array, as
everywhere in scikit-learn; in ``predict`` lists are always sequences, and
equal lengths take the fixed-length (unpadded) path.
"""

import numpy as np
from sklearn.utils.validation import check_consistent_length, validate_data

from .codec import Codec, learn_length_limit, length_range, read_targets, reject_new_tokens
from .sequences import (
    ARRAY,
    LISTS,
    check_token_array,
    pad_ids,
    read_sequences,
    sequence_kind,
    sequence_lengths,
)
from .vocabulary import Vocabulary

# Decoder chunks predict reads, decodes and formats at a time (64 greedy
# chunks are 65,536 samples).
CHUNKS_PER_BLOCK = 64


def read_training_data(estimator, X, Y, *, codec=None, variable_lengths=False, vocabularies=None):
    """Validate the training samples; their layout and their encoded ids.

    Parameters
    ----------
    estimator : Seq2SeqLSTM
        The estimator being fitted (see :func:`read_fit_sources`); its
        ``max_tokens``, ``min_frequency``, ``max_output_length`` and
        ``output_length_limit`` are read.
    X, Y : array-like or list of sequences
        Training sources and targets.
    codec : ~sklearn_seq2seq._input.codec.Codec or None, default=None
        The fitted layout of a warm start, which ``X`` and ``Y`` must fit;
        None learns a new one.
    variable_lengths : bool, default=False
        Read lists as sequences of varying length even where all lengths
        happen to be equal (subword pieces of sentences), never as 2-D.
    vocabularies : tuple of Vocabulary or None, default=None
        Source and target vocabularies given instead of learned from the
        tokens (a tokenizer's pieces); a warm start keeps the fitted ones.

    Returns
    -------
    codec : ~sklearn_seq2seq._input.codec.Codec
    data : ~sklearn_seq2seq._input.codec.TrainingData
    """
    warm = codec is not None
    target_kind = sequence_kind(Y, labels_in_arrays=True, name="y")
    source_vocabulary, source_ids, source_lengths = read_fit_sources(
        estimator,
        X,
        Y,
        target_kind,
        vocabulary=codec.source_vocabulary if warm else (vocabularies or (None,))[0],
        variable_lengths=variable_lengths,
        warm=warm,
    )
    check_consistent_length(source_ids, Y)
    tokens, lengths, target_kind = read_targets(Y, target_kind)
    if warm:
        codec.check_warm_targets(target_kind, lengths)
    else:
        codec = Codec.learn(
            source_vocabulary,
            tokens,
            lengths,
            target_kind,
            max_output_length=estimator.max_output_length,
            variable_lengths=variable_lengths,
            target_vocabulary=None if vocabularies is None else vocabularies[1],
        )
        codec.length_limit = output_length_limit(
            estimator.output_length_limit,
            codec,
            source_ids,
            source_lengths,
            lengths,
            variable_lengths,
        )
    target_ids, target_lengths = codec.training_targets(tokens, lengths, warm=warm)
    return codec, codec.training_data(source_ids, source_lengths, target_ids, target_lengths)


def check_output_length_limit(parameter):
    """A ValueError unless ``parameter`` is "auto", None or ``(a, b)`` of finite numbers >= 0."""
    if parameter in (None, "auto"):
        return
    valid = len(parameter) == 2 and all(
        isinstance(value, (int, float, np.number)) and np.isfinite(value) and value >= 0
        for value in parameter
    )
    if not valid:
        raise ValueError(
            "output_length_limit must be 'auto', None or a tuple (a, b) of two finite, "
            f"non-negative numbers; got {parameter!r}."
        )


def output_length_limit(parameter, codec, source_ids, source_lengths, lengths, learn):
    """The fitted per-source output length limit ``(a, b)``, or None.

    ``"auto"`` learns it from the training pairs when ``learn`` (sentences
    read as pieces); a tuple is used as given; fixed-length targets have
    none.  ``fit`` has checked ``parameter`` with
    :func:`check_output_length_limit`.
    """
    if not codec.ends_with_eos or parameter is None or (parameter == "auto" and not learn):
        return None
    if parameter != "auto":
        return tuple(float(value) for value in parameter)
    if source_lengths is None:
        source_lengths = np.full(len(source_ids), source_ids.shape[1])
    return learn_length_limit(source_lengths, lengths)


def read_fit_sources(
    estimator, X, Y, target_kind, *, vocabulary=None, variable_lengths=False, warm=None
):
    """Validate the training sources; their vocabulary, ids and lengths.

    Parameters
    ----------
    estimator : Seq2SeqLSTM
        The estimator ``validate_data`` records (or, warm, checks) the
        width and feature names of 2-D sources on.
    X : array-like or list of sequences
        Training sources.
    Y : array-like or list of sequences
        Training targets (checked with ``X`` when both are arrays).
    target_kind : str
        What :func:`~sklearn_seq2seq._input.sequences.sequence_kind` says ``Y`` is.
    vocabulary : Vocabulary or None, default=None
        The fitted vocabulary of a warm start (or a tokenizer's), which new
        tokens may not enter; None learns one with the estimator's
        ``max_tokens`` and ``min_frequency``.
    variable_lengths : bool, default=False
        Keep lists of equal lengths as sequences instead of a 2-D array.
    warm : bool or None, default=None
        Whether this is a warm start; None: whether ``vocabulary`` is given.

    Returns
    -------
    vocabulary : Vocabulary
    ids : ndarray of shape (n_samples, source length)
        Right-padded source ids.
    lengths : ndarray of shape (n_samples,) or None
        Source lengths; None for 2-D sources.
    """
    given = vocabulary is not None
    warm = given if warm is None else warm
    kind = sequence_kind(X)
    sources = None if kind == ARRAY else read_sequences(X, kind, name="X")
    if kind == LISTS and sources.tokens.dtype != object and not variable_lengths:
        if np.all(sources.lengths == sources.lengths[0]):
            kind, X = ARRAY, sources.tokens.reshape(len(sources), -1)
    if kind == ARRAY:
        check = dict(dtype=None, ensure_all_finite=True, reset=not warm)
        if target_kind == ARRAY:
            X, _ = validate_data(estimator, X, Y, multi_output=True, **check)
        else:
            X = validate_data(estimator, X, **check)
        X = check_token_array(X, name="X")
        tokens, lengths = X.reshape(-1), None
    else:
        if not warm:
            for name in ("n_features_in_", "feature_names_in_"):
                vars(estimator).pop(name, None)  # a refit on sequences forgets the width
        tokens, lengths = sources.tokens, sources.lengths
    if not given:
        vocabulary = Vocabulary.from_tokens(
            tokens,
            max_tokens=estimator.max_tokens,
            min_frequency=estimator.min_frequency,
            name="X",
        )
    ids = vocabulary.encode(tokens)
    if warm and estimator.max_tokens is None and estimator.min_frequency is None:
        reject_new_tokens(ids, tokens, "X")
    if lengths is None:
        return vocabulary, ids.reshape(X.shape), None
    return vocabulary, pad_ids(ids, lengths), lengths


def read_sources(estimator, X, *, name="X"):
    """Source ids read with the fitted vocabulary, and lengths if they vary.

    Parameters
    ----------
    estimator : Seq2SeqLSTM
        A fitted estimator: ``source_vocabulary_``, and the width of 2-D
        sources that ``validate_data`` checks.
    X : array-like or list of sequences
        Sources given as in ``fit``.
    name : str, default="X"
        Name used in error messages.

    Returns
    -------
    ids : ndarray of shape (n_samples, source length)
    lengths : ndarray of shape (n_samples,) or None
        None when every source has the same length (the unpadded path).
    """
    vocabulary = estimator.source_vocabulary_
    kind = sequence_kind(X, name=name)
    if kind == ARRAY:
        try:
            X = validate_data(estimator, X, dtype=None, ensure_all_finite=True, reset=False)
        except ValueError as error:
            if name == "X":
                raise
            raise ValueError(f"{name}: {error}") from error
        return vocabulary.encode(check_token_array(X, name=name)), None
    ids, lengths = _sequence_ids(vocabulary, X, kind, name)
    return ids, None if _same_length(lengths) else lengths


def _sequence_ids(vocabulary, X, kind, name="X"):
    """Right-padded ids and lengths of sequences of ``kind``."""
    sources = read_sequences(X, kind, name=name)
    return pad_ids(vocabulary.encode(sources.tokens), sources.lengths), sources.lengths


def _same_length(lengths):
    """Whether every source has one length: no padding, the fixed-length path."""
    return bool(np.all(lengths == lengths[0]))


def source_blocks(estimator, X, chunk_size):
    """:func:`read_sources` of ``X``, ``CHUNKS_PER_BLOCK`` decoder chunks at a time.

    Sequences are read, encoded and padded one block at a time, so that
    ``predict`` never holds more than a block's ids and tokens next to the
    caller's inputs and outputs.  ``X`` is checked and whether it takes the
    fixed-length path decided once, from all of it.  2-D arrays come in
    one block.

    Parameters
    ----------
    estimator : Seq2SeqLSTM
        A fitted estimator, as for :func:`read_sources`.
    X : array-like or list of sequences
        Sources given as in ``fit``.
    chunk_size : int
        Rows per chunk of the decoder that will read the blocks: fixed-
        length blocks then cut the same chunks as one batch would.

    Yields
    ------
    ids : ndarray of shape (n_block_samples, source length)
    lengths : ndarray of shape (n_block_samples,) or None
        None when every source of ``X`` has the same length.
    """
    kind = sequence_kind(X)
    if kind == ARRAY:
        yield read_sources(estimator, X)
        return
    if hasattr(X, "to_numpy"):
        X = X.to_numpy()  # a pandas Series: slice by position
    same_length = _same_length(sequence_lengths(X, kind))
    vocabulary, block_size = estimator.source_vocabulary_, CHUNKS_PER_BLOCK * chunk_size
    for start in range(0, len(X), block_size):
        ids, lengths = _sequence_ids(vocabulary, X[start : start + block_size], kind)
        yield ids, None if same_length else lengths


def read_validation(estimator, codec, X_val, y_val, data):
    """``X_val``/``y_val`` encoded with the fitted vocabularies, as the training data.

    Parameters
    ----------
    estimator : Seq2SeqLSTM
        The estimator being fitted (its vocabularies are learned).
    codec : ~sklearn_seq2seq._input.codec.Codec
        Its fitted layout.
    X_val, y_val : array-like or list of sequences
        Validation samples, in any kind ``fit`` accepts.
    data : ~sklearn_seq2seq._input.codec.TrainingData
        The encoded training samples: fixed-length sources need
        fixed-length validation sources of the same width.

    Returns
    -------
    validation : ~sklearn_seq2seq._input.codec.TrainingData
    """
    source_ids, source_lengths = read_sources(estimator, X_val, name="X_val")
    if source_lengths is not None and data.source_lengths is None:
        raise ValueError(
            f"X_val holds sequences of {length_range(source_lengths)} tokens, but the "
            f"training sources all have {data.source_ids.shape[1]}: give X_val the length of X."
        )
    if source_lengths is None and data.source_lengths is not None:
        source_lengths = np.full(len(source_ids), source_ids.shape[1])
    return codec.held_out_data(source_ids, source_lengths, y_val, name="y_val")


def segmentation_sampler(estimator, codec, tokenizer, X, y, data, *, epochs_done=0):
    """The training sentences, read in a new sampled segmentation at each call.

    Subword regularisation: the tokenizer draws one segmentation per
    sentence (its ``sampling_alpha``), and the fitted vocabularies, which
    hold every piece of the subword models, read any of them.

    Parameters
    ----------
    estimator : Seq2SeqLSTM
        The estimator being fitted (its vocabularies are learned).
    codec : ~sklearn_seq2seq._input.codec.Codec
        Its fitted layout.
    tokenizer : SentencePieceTokenizer
        The fitted tokenizer.
    X, y : list of str
        The training sentences, in the order of ``data``.
    data : ~sklearn_seq2seq._input.codec.TrainingData
        The same pairs in their most likely segmentation.
    epochs_done : int, default=0
        Epochs a warm start trained before: mixed into the seeds, so that
        each ``fit`` call of a warm-start loop draws new segmentations.

    Returns
    -------
    sample : callable
        ``sample(seed)`` returns a :class:`~sklearn_seq2seq._input.codec.TrainingData`
        of the same pairs, the same draws for the same seed.
    """
    if not len(X) == len(y) == len(data.source_ids):
        raise ValueError("The sentences to sample do not match the training pairs.")
    offset = 2 * epochs_done

    def sample(seed):
        sources = tokenizer.encode(X, side="source", sample_seed=seed + offset)
        targets = tokenizer.encode(y, side="target", sample_seed=seed + offset + 1)
        return read_validation(estimator, codec, sources, targets, data)

    return sample
