"""Sequence-level metrics and the scorers that wrap them.

scikit-learn's ``accuracy_score`` refuses multiclass-multioutput targets
and knows nothing of sequences of different lengths, so sequence
predictions need their own metrics.  Every metric takes sequences the way
the estimator does (2-D arrays, 1-D label arrays, lists of strings or of
token lists) and works on right-padded id grids, vectorised over samples;
padding never counts.  The sentence metrics, :func:`bleu_score` and
:func:`chrf_score`, are sacreBLEU's corpus scores on detokenized text.  The
scorers plug them into ``GridSearchCV(scoring=...)`` and
``cross_val_score``.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import make_scorer

from ._input.sequences import (
    ARRAY,
    STRINGS,
    SequenceBatch,
    position_mask,
    read_sequences,
    sequence_kind,
)


def _tokens_and_lengths(y, name):
    kind = sequence_kind(y, labels_in_arrays=True, name=name)
    if kind != ARRAY:
        sequences = read_sequences(y, kind, name=name, allow_empty=True)
        return sequences.tokens, sequences.lengths
    y = np.asarray(y)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y.ndim != 2:
        raise ValueError(f"{name} must be 1-D or 2-D; got {y.ndim} dimensions.")
    return y.reshape(-1), np.full(len(y), y.shape[1])


def _common_ids(a, b):
    """Ids that are equal exactly where the tokens of ``a`` and ``b`` are."""
    if a.dtype.kind != b.dtype.kind:
        a, b = a.astype(object), b.astype(object)
    both = np.concatenate([a, b])
    try:
        _, ids = np.unique(both, return_inverse=True)
    except TypeError:  # tokens that cannot be ordered: number them as they come
        index = {}
        ids = np.fromiter(
            (index.setdefault(t, len(index)) for t in both.tolist()),
            dtype=np.int64,
            count=len(both),
        )
    return ids[: len(a)], ids[len(a) :]


def _paired_grids(y_true, y_pred):
    """Right-padded id grids of both, padded with values that never match."""
    true_tokens, true_lengths = _tokens_and_lengths(y_true, "y_true")
    pred_tokens, pred_lengths = _tokens_and_lengths(y_pred, "y_pred")
    if len(true_lengths) != len(pred_lengths):
        raise ValueError(
            f"y_true and y_pred have different numbers of sequences: {len(true_lengths)} "
            f"and {len(pred_lengths)}."
        )
    true_ids, pred_ids = _common_ids(true_tokens, pred_tokens)
    width = int(max(true_lengths.max(initial=0), pred_lengths.max(initial=0), 1))
    grids = []
    for ids, lengths, pad in ((true_ids, true_lengths, -1), (pred_ids, pred_lengths, -2)):
        grid = np.full((len(lengths), width), pad, dtype=np.int64)
        grid[position_mask(lengths, width)] = ids
        grids.append(grid)
    return grids[0], true_lengths, grids[1], pred_lengths


def sequence_accuracy_score(y_true: SequenceBatch, y_pred: SequenceBatch) -> float:
    """Fraction of sequences predicted exactly: same length, every token right.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, length) or (n_samples,), or list of sequences
        True target sequences (2-D array, 1-D labels, strings or token lists).
    y_pred : array-like or list of sequences
        Predicted sequences, same number as ``y_true``.

    Returns
    -------
    score : float
        Exact-sequence accuracy in [0, 1].

    Examples
    --------
    >>> sequence_accuracy_score([[1, 2], [3, 4]], [[1, 2], [3, 5]])
    0.5
    >>> sequence_accuracy_score(["42", "7"], ["42", "70"])
    0.5
    """
    true, true_lengths, pred, pred_lengths = _paired_grids(y_true, y_pred)
    inside = position_mask(true_lengths, true.shape[1])
    exact = (true_lengths == pred_lengths) & np.all((true == pred) | ~inside, axis=1)
    return float(np.mean(exact))


def token_accuracy_score(y_true: SequenceBatch, y_pred: SequenceBatch) -> float:
    """Fraction of aligned positions with the right token.

    Positions are compared index by index; a sequence of the wrong length
    counts every position of the longer one, so missing and extra tokens
    are errors.  For fixed-length sequences this is the plain fraction of
    right tokens.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, length) or (n_samples,), or list of sequences
        True target sequences.
    y_pred : array-like or list of sequences
        Predicted sequences, same number as ``y_true``.

    Returns
    -------
    score : float
        Token accuracy in [0, 1].

    Examples
    --------
    >>> token_accuracy_score([[1, 2], [3, 4]], [[1, 2], [3, 5]])
    0.75
    >>> token_accuracy_score(["abc"], ["ab"])
    0.6666666666666666
    """
    true, true_lengths, pred, pred_lengths = _paired_grids(y_true, y_pred)
    right = (true == pred) & position_mask(true_lengths, true.shape[1])
    return float(right.sum() / np.maximum(true_lengths, pred_lengths).sum())


def token_error_rate(y_true: SequenceBatch, y_pred: SequenceBatch) -> float:
    """Edit distance per reference token (like a word error rate).

    The Levenshtein distance (substitutions, insertions and deletions of
    tokens) between each prediction and its reference, summed and divided
    by the total reference length.  0 is perfect; it can exceed 1.  The
    dynamic programme runs over reference positions, vectorised over
    samples and prediction positions.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, length) or (n_samples,), or list of sequences
        Reference sequences.
    y_pred : array-like or list of sequences
        Predicted sequences, same number as ``y_true``.

    Returns
    -------
    rate : float
        Total edit distance over total reference length.

    Examples
    --------
    >>> token_error_rate(["kitten"], ["sitting"])
    0.5
    >>> token_error_rate([[1, 2, 3]], [[1, 2, 3]])
    0.0
    """
    true, true_lengths, pred, pred_lengths = _paired_grids(y_true, y_pred)
    distances = _edit_distances(true, true_lengths, pred, pred_lengths)
    return float(distances.sum() / true_lengths.sum())


def edit_distances(y_true: SequenceBatch, y_pred: SequenceBatch) -> np.ndarray:
    """Levenshtein distance between each pair of sequences.

    Parameters
    ----------
    y_true, y_pred : array-like or list of sequences
        Sequences, same number in both.

    Returns
    -------
    distances : ndarray of shape (n_samples,), int
        Token edits turning each ``y_pred`` into its ``y_true``.

    Examples
    --------
    >>> edit_distances(["kitten", "abc"], ["sitting", "abc"])
    array([3, 0])
    """
    return _edit_distances(*_paired_grids(y_true, y_pred))


def _edit_distances(true, true_lengths, pred, pred_lengths):
    n_samples, width = pred.shape
    columns = np.arange(width + 1)
    # previous[:, j]: distance between the reference prefix read so far and pred[:, :j].
    previous = np.broadcast_to(columns, (n_samples, width + 1)).copy()
    for i in range(true.shape[1]):
        substitute = previous[:, :-1] + (pred != true[:, i : i + 1])
        delete = previous[:, 1:] + 1
        best = np.empty_like(previous)
        best[:, 0] = i + 1
        np.minimum(substitute, delete, out=best[:, 1:])
        # Insertions chain left to right: row[j] = min_k(best[k] + j - k).
        current = np.minimum.accumulate(best - columns, axis=1) + columns
        inside = (i < true_lengths)[:, None]  # finished references keep their row
        previous = np.where(inside, current, previous)
    return previous[np.arange(n_samples), pred_lengths]


def _import_sacrebleu():
    try:
        import sacrebleu
    except ImportError as error:
        raise ImportError(
            "bleu_score and chrf_score need the sacrebleu package: "
            'pip install "sklearn-seq2seq[text]"'
        ) from error
    return sacrebleu


def as_sentences(y, name="y"):
    """Sequences as text: strings as they are, token sequences joined by spaces.

    Parameters
    ----------
    y : list of str, list of token sequences or 2-D array
        Sequences, given as the estimator takes them.
    name : str, default="y"
        Name used in error messages.

    Returns
    -------
    sentences : list of str

    Examples
    --------
    >>> as_sentences(["a cat", "dogs"]), as_sentences([[1, 2], [3]])
    (['a cat', 'dogs'], ['1 2', '3'])
    """
    kind = sequence_kind(y, name=name)
    if kind == STRINGS:
        return [str(sentence) for sentence in (y.to_numpy() if hasattr(y, "to_numpy") else y)]
    if kind == ARRAY:
        y = np.asarray(y)
        y = y.reshape(len(y), -1)
    return [" ".join(str(token) for token in sequence) for sequence in y]


def _paired_sentences(y_true, y_pred):
    references, hypotheses = as_sentences(y_true, "y_true"), as_sentences(y_pred, "y_pred")
    if len(references) != len(hypotheses):
        raise ValueError(
            f"y_true and y_pred have different numbers of sequences: {len(references)} "
            f"and {len(hypotheses)}."
        )
    return references, hypotheses


def bleu_score(y_true: SequenceBatch, y_pred: SequenceBatch, *, tokenize: str = "13a") -> float:
    """Corpus BLEU of predicted sentences against one reference each, by sacreBLEU.

    Scores detokenized text, as sacreBLEU (Post, 2018) defines it: cased,
    with its own tokenization, so that scores compare across papers and
    toolkits.  Needs the ``text`` extra (``pip install
    "sklearn-seq2seq[text]"``).

    Parameters
    ----------
    y_true : list of str or of token sequences
        Reference sentences (token sequences are joined by spaces).
    y_pred : list of str or of token sequences
        Predicted sentences, as ``predict`` returns them.
    tokenize : str, default="13a"
        sacreBLEU's tokenizer: "13a" (its default, for Latin scripts),
        "intl", "zh", "ja-mecab", "char" or "none".

    Returns
    -------
    score : float
        BLEU in [0, 100], higher is better.

    Examples
    --------
    >>> from sklearn_seq2seq import bleu_score
    >>> round(bleu_score(["the cat sat on the mat"], ["the cat sat on the mat"]), 2)
    100.0
    """
    sacrebleu = _import_sacrebleu()
    references, hypotheses = _paired_sentences(y_true, y_pred)
    return float(sacrebleu.corpus_bleu(hypotheses, [references], tokenize=tokenize).score)


def chrf_score(y_true: SequenceBatch, y_pred: SequenceBatch) -> float:
    """Corpus chrF of predicted sentences against one reference each, by sacreBLEU.

    The character n-gram F-score (Popovic, 2015): partial credit for
    words with the right stem, so it reads small gains BLEU misses.  Needs
    the ``text`` extra.

    Parameters
    ----------
    y_true : list of str or of token sequences
        Reference sentences.
    y_pred : list of str or of token sequences
        Predicted sentences.

    Returns
    -------
    score : float
        chrF in [0, 100], higher is better.

    Examples
    --------
    >>> from sklearn_seq2seq import chrf_score
    >>> chrf_score(["the cat sat"], ["the cat sat"])
    100.0
    """
    sacrebleu = _import_sacrebleu()
    references, hypotheses = _paired_sentences(y_true, y_pred)
    return float(sacrebleu.corpus_chrf(hypotheses, [references]).score)


sequence_accuracy_scorer = make_scorer(sequence_accuracy_score)
"""Scorer for exact-sequence accuracy, for ``scoring=`` arguments."""

token_accuracy_scorer = make_scorer(token_accuracy_score)
"""Scorer for token accuracy, for ``scoring=`` arguments."""

neg_token_error_rate_scorer = make_scorer(token_error_rate, greater_is_better=False)
"""Scorer for the token error rate, negated (higher is better) as scikit-learn's
``neg_*`` scorers, for ``scoring=``."""

bleu_scorer = make_scorer(bleu_score)
"""Scorer for corpus BLEU (:func:`bleu_score`), for ``scoring=`` arguments."""

chrf_scorer = make_scorer(chrf_score)
"""Scorer for corpus chrF (:func:`chrf_score`), for ``scoring=`` arguments."""
