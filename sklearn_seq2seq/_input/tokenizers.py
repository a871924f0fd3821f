"""Subword tokenizers: sentences to pieces learned from the training text, and back.

A tokenizer is a parameter of the estimator, configured like one
(``get_params``/``set_params``, ``tokenizer__vocab_size`` in a grid
search) and never changed by the estimator's ``fit``: ``fit`` learns a
clone of it (``tokenizer_``).  The fitted tokenizer turns sentences into
lists of pieces, which the rest of the package reads as token lists, and
predicted pieces back into sentences.

:class:`SentencePieceTokenizer` wraps SentencePiece (Kudo and Richardson,
2018), the subword library of Marian/OPUS-MT and JoeyNMT: trained on raw
text with no pre-tokenizer, its models are plain bytes (protobuf), which
the model file stores as they are.
"""

from __future__ import annotations

import io
import re
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._runtime.private_api import Interval, StrOptions, _fit_context
from .vocabulary import Vocabulary

# Pieces a "auto" vocabulary holds at most per model: fewer when the
# training text cannot support that many (SentencePiece's soft limit).
AUTO_VOCAB_SIZE = 4000

# sampling_alpha="auto": for unigram models, 0.2 (Kudo, 2018; on Multi30k
# English-German it gained 1.9 BLEU with beam 4, docs/text.md); for BPE,
# the dropout rate BPE-dropout's authors use.
AUTO_SAMPLING_ALPHA = {"unigram": 0.2, "bpe": 0.1}

INSTALL_HINT = 'pip install "sklearn-seq2seq[text]"'


def import_sentencepiece():
    """The ``sentencepiece`` module, or an ImportError that names the extra to install."""
    try:
        import sentencepiece
    except ImportError as error:
        raise ImportError(
            f"SentencePieceTokenizer needs the sentencepiece package: {INSTALL_HINT}"
        ) from error
    return sentencepiece


def check_sentences(sentences, name):
    """``sentences`` as a list of str, or a ValueError that says what they are instead.

    Parameters
    ----------
    sentences : list, tuple, 1-D ndarray or pandas Series of str
        Sentences, one per sample.
    name : str
        Name used in error messages (``"X"``, ``"y"``).

    Returns
    -------
    sentences : list of str
    """
    if hasattr(sentences, "to_numpy"):
        sentences = sentences.to_numpy()
    if isinstance(sentences, str):
        raise ValueError(f"{name} must be a list of sentences (strings), not a single string.")
    if isinstance(sentences, np.ndarray) and sentences.ndim != 1:
        raise ValueError(
            f"A tokenizer reads sentences: {name} must be a 1-D list of strings; got an "
            f"array of shape {sentences.shape}.  Without a tokenizer (tokenizer=None) the "
            "estimator reads 2-D token arrays."
        )
    try:
        sentences = list(sentences)
    except TypeError:
        raise ValueError(
            f"{name} must be a list of sentences (strings); got {type(sentences).__name__}."
        ) from None
    for index, sentence in enumerate(sentences):
        if not isinstance(sentence, str):
            raise ValueError(
                f"A tokenizer reads sentences: {name}[{index}] is "
                f"{type(sentence).__name__} {sentence!r}, not a string.  Token lists and "
                "integer sequences need tokenizer=None."
            )
    return sentences


class SentencePieceTokenizer(BaseEstimator):
    """Subword pieces learned from the training text with SentencePiece.

    Give it to :class:`Seq2SeqLSTM` as ``tokenizer``: its ``fit`` learns one
    model per side (sources and targets) from the training sentences, reads
    them as pieces, and ``predict`` returns sentences again.  Needs the
    ``text`` extra: ``pip install "sklearn-seq2seq[text]"``.

    Parameters
    ----------
    vocab_size : int or "auto", default="auto"
        Pieces per model, ``<unk>`` included.  "auto" is at most 4,000,
        fewer when the training text cannot support that many; an int the
        text cannot support is an error that says the largest that works.
    model_type : {"unigram", "bpe"}, default="unigram"
        SentencePiece's unigram language model (Kudo, 2018) or byte-pair
        encoding (Sennrich et al., 2016).
    character_coverage : float, default=1.0
        Share of the training characters the model keeps as pieces; the
        rarest others become ``<unk>``.  Below 1 (e.g. 0.9995) suits
        scripts with very many characters (Chinese, Japanese).
    shared : bool, default=False
        One model learned from sources and targets together, used on both
        sides (languages that share a script and many words), instead of
        one model per side.
    sampling_alpha : "auto", float in (0, 1] or None, default="auto"
        Subword regularisation (Kudo, 2018): the estimator's ``fit`` reads
        the training pairs in a new segmentation every epoch, drawn by
        SentencePiece's sampling (unigram: segmentations drawn with their
        probabilities raised to this power; BPE: merges dropped with this
        probability, Provilkov et al., 2020), so the network learns that
        one word can be cut in several ways.  "auto" is 0.2 for unigram
        models and 0.1 for BPE.  Validation and prediction always read the
        most likely segmentation.  None trains on that one only (faster
        epochs: sampled segmentations hold more pieces).

    Attributes
    ----------
    source_model_ : bytes
        The fitted source model (SentencePiece's serialised protobuf).
    target_model_ : bytes
        The fitted target model; the same bytes as ``source_model_`` when
        ``shared``.

    See Also
    --------
    Seq2SeqLSTM : Its ``tokenizer`` parameter takes this object.

    Examples
    --------
    >>> from sklearn_seq2seq import SentencePieceTokenizer
    >>> sources = ["the cat sat", "the dog sat", "a cat ran"] * 20
    >>> targets = ["die Katze sass", "der Hund sass", "eine Katze rannte"] * 20
    >>> tokenizer = SentencePieceTokenizer().fit(sources, targets)
    >>> pieces = tokenizer.encode(["the cat ran"], side="source")
    >>> "".join(pieces[0]).replace("\u2581", " ").strip()
    'the cat ran'
    >>> tokenizer.decode(tokenizer.encode(["der Hund"], side="target"))
    ['der Hund']
    """

    _parameter_constraints = {
        "vocab_size": [Interval(Integral, 2, None, closed="left"), StrOptions({"auto"})],
        "model_type": [StrOptions({"unigram", "bpe"})],
        "character_coverage": [Interval(Real, 0, 1, closed="right")],
        "shared": ["boolean"],
        "sampling_alpha": [Interval(Real, 0, 1, closed="right"), StrOptions({"auto"}), None],
    }

    def __init__(
        self,
        vocab_size="auto",
        model_type="unigram",
        character_coverage=1.0,
        shared=False,
        sampling_alpha="auto",
    ):
        self.vocab_size = vocab_size
        self.model_type = model_type
        self.character_coverage = character_coverage
        self.shared = shared
        self.sampling_alpha = sampling_alpha

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Learn the subword models from training sentences.

        Parameters
        ----------
        X : list of str
            Source sentences.
        y : list of str
            Target sentences.

        Returns
        -------
        self : SentencePieceTokenizer
            The fitted tokenizer.
        """
        sentencepiece = import_sentencepiece()
        sources, targets = check_sentences(X, "X"), check_sentences(y, "y")
        for cache in ("_processors", "_tables"):  # a refit reads with its new models
            vars(self).pop(cache, None)
        if self.shared:
            self.source_model_ = self.target_model_ = self._learn(
                sentencepiece, sources + targets, "X and y"
            )
        else:
            self.source_model_ = self._learn(sentencepiece, sources, "X")
            self.target_model_ = self._learn(sentencepiece, targets, "y")
        return self

    def _learn(self, sentencepiece, sentences, name):
        text = [sentence for sentence in sentences if sentence.strip()]
        if not text:
            raise ValueError(f"{name} holds no text to learn subword pieces from.")
        auto = self.vocab_size == "auto"
        model = io.BytesIO()
        options = dict(
            vocab_size=AUTO_VOCAB_SIZE if auto else int(self.vocab_size),
            hard_vocab_limit=not auto,
            model_type=self.model_type,
            character_coverage=float(self.character_coverage),
            # Pieces only: the estimator's vocabulary has its own start and end.
            bos_id=-1,
            eos_id=-1,
            # Every sentence, in order: the same text gives the same model.
            input_sentence_size=0,
            shuffle_input_sentence=False,
            num_threads=1,
            minloglevel=2,
        )
        try:
            sentencepiece.SentencePieceTrainer.train(
                sentence_iterator=iter(text), model_writer=model, **options
            )
        except RuntimeError as error:
            raise ValueError(self._vocab_size_error(str(error), name)) from error
        return model.getvalue()

    def _vocab_size_error(self, message, name):
        """SentencePiece's complaint about ``vocab_size``, said in this class's words."""
        largest = re.search(r"value <= (\d+)", message)
        if largest:
            return (
                f"vocab_size={self.vocab_size} is more pieces than the training text of {name} "
                f'supports; the largest that works is {largest.group(1)} (or use "auto").'
            )
        smallest = re.search(r"smaller than required_chars\. \d+ vs (\d+)", message)
        if smallest:
            return (
                f"vocab_size={self.vocab_size} is fewer pieces than the characters of {name} "
                f"need; the smallest that works is {smallest.group(1)} (or lower "
                "character_coverage)."
            )
        return f"SentencePiece cannot learn from {name}: {message}"

    def encode(self, sentences, *, side, sample_seed=None):
        """Sentences as lists of pieces.

        Parameters
        ----------
        sentences : list of str
            Sentences; characters never seen in training give ``<unk>``
            pieces, and an empty source sentence is one ``<unk>`` piece.
        side : {"source", "target"}
            Which model reads them.
        sample_seed : int or None, default=None
            With ``sampling_alpha`` set, each sentence's segmentation is
            drawn (subword regularisation), the same draws for the same
            seed; None, or ``sampling_alpha=None``, gives the most likely
            segmentation.

        Returns
        -------
        pieces : list of list of str
        """
        check_is_fitted(self)
        processor, table = self._processor(side), self._piece_table(side)
        # Through ids: a character the model never saw is its ``<unk>`` piece.
        name = "X" if side == "source" else "y"
        sentences = check_sentences(sentences, name)
        alpha = self._sampling_alpha()
        if sample_seed is None or alpha is None:
            ids = processor.encode(sentences, out_type=int)
        else:
            # SentencePiece's sampling seed is process-wide: set before the
            # draw, and one thread drawing, the draws are reproducible.
            # Fits that sample in parallel threads of one process may
            # interleave their seeds (processes, as joblib's default, do not).
            import_sentencepiece().set_random_generator_seed(int(sample_seed) % 2**32)
            ids = processor.encode(
                sentences,
                out_type=int,
                enable_sampling=True,
                alpha=alpha,
                nbest_size=-1,
                num_threads=1,
            )
        pieces = [table[sentence].tolist() for sentence in ids]
        if side == "source":  # the network reads at least one source token
            unknown = table[processor.unk_id()]
            pieces = [p if p else [unknown] for p in pieces]
        return pieces

    def draws_segmentations(self):
        """Whether ``encode`` with a ``sample_seed`` draws segmentations (subword regularisation).

        Returns
        -------
        draws : bool
            True unless ``sampling_alpha`` is None.
        """
        return self._sampling_alpha() is not None

    def _sampling_alpha(self):
        """``sampling_alpha`` as SentencePiece takes it: a float, or None."""
        if self.sampling_alpha == "auto":
            return AUTO_SAMPLING_ALPHA[self.model_type]
        return None if self.sampling_alpha is None else float(self.sampling_alpha)

    def vocabulary(self, side):
        """Every piece of a side's model, as the estimator's vocabulary of that side.

        Any segmentation of any text is then in the vocabulary: validation
        and new text never hold a piece the network has no id for.

        Parameters
        ----------
        side : {"source", "target"}
            Which model.

        Returns
        -------
        vocabulary : Vocabulary
        """
        check_is_fitted(self)
        return Vocabulary(np.unique(self._piece_table(side).astype(str)))

    def decode(self, pieces):
        """Target pieces as sentences: the pieces joined, their word marks as spaces.

        Parameters
        ----------
        pieces : list of list of str
            Target pieces, one list per sentence.

        Returns
        -------
        sentences : list of str
        """
        check_is_fitted(self)
        pieces = [list(p) for p in pieces]
        # Decoded without the empty ones: older SentencePiece releases read a
        # batch whose first entry is empty as a batch of ids.
        filled = [i for i, p in enumerate(pieces) if p]
        sentences = [""] * len(pieces)
        if filled:
            decoded = self._processor("target").decode([pieces[i] for i in filled])
            for i, sentence in zip(filled, decoded):
                sentences[i] = sentence
        return sentences

    def _piece_table(self, side):
        """A side's pieces by id, as an array (ids to pieces in one lookup)."""
        cache = vars(self).setdefault("_tables", {})
        if side not in cache:
            processor = self._processor(side)
            pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
            cache[side] = np.array(pieces, dtype=object)
        return cache[side]

    def _processor(self, side):
        cache = vars(self).setdefault("_processors", {})
        if side not in cache:
            model = self.source_model_ if side == "source" else self.target_model_
            cache[side] = import_sentencepiece().SentencePieceProcessor(model_proto=model)
        return cache[side]

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_processors", None)  # C++ objects; rebuilt from the bytes
        state.pop("_tables", None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
