"""Seq2SeqLSTM: the scikit-learn estimator around the Keras encoder-decoder.

This module validates, encodes tokens to ids and back, and drives training
and decoding.  It never builds layers (``network``) and never decodes step
by step (``decoding``); TensorFlow is imported only inside ``fit`` and when
a fitted estimator is unpickled, so importing the package, ``clone`` and
``get_params`` stay TensorFlow-free.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from .metrics import sequence_accuracy_score
from .preprocessing import check_token_array, shift_right
from .sequences import (
    ARRAY,
    LISTS,
    format_sequences,
    pad_ids,
    position_mask,
    read_sequences,
    sequence_kind,
)
from .vocabulary import END_ID, EOS, N_RESERVED, PAD_ID, START_ID, UNKNOWN_ID, Vocabulary

# Fitted state that TensorFlow objects hold and pickling rebuilds.
_INFERENCE_STATE = ("encoder_model_", "decoder_model_", "_decoder", "_scorer", "_beam_decoders")
# Target kind of a 1-D array y: one label (a length-1 sequence) per sample.
LABELS = "labels"


class Seq2SeqLSTM(ClassifierMixin, BaseEstimator):
    """Encoder-decoder LSTM for sequence-to-sequence prediction.

    An LSTM encoder reads the source sequence; its final states ``[h, c]``
    initialise an LSTM decoder trained with teacher forcing (the target
    shifted right behind a start symbol) and a softmax over the target
    tokens.  ``predict`` decodes greedily, the whole batch in compiled
    TensorFlow calls.

    Sequences come as the user has them, with no padding or encoding:

    * a 2-D array of tokens, one fixed-length sequence per row (a 1-D
      array ``y`` holds one label per sample); as everywhere in
      scikit-learn, ``fit`` reads equal-length lists of scalar tokens in
      ``X`` as a 2-D array, whose width ``predict`` then checks in 2-D
      arrays (lists are always sequences of any length there);
    * a list of strings, each a sequence of characters (``"12+7"``);
    * a list of lists, tuples or 1-D arrays of hashable tokens (ints,
      strings, ...) of any lengths.

    ``predict`` returns the kind ``y`` had: a 2-D array, a list of strings
    or a list of lists.  Padding is masked in the encoder and in the loss,
    so a prediction never depends on the other sequences of the batch.
    Targets of varying length are trained with an end symbol and decoding
    stops there (at most ``max_output_length`` tokens); fixed-length
    targets give fixed-length output.  Source tokens not seen in ``fit``
    (or dropped by ``max_tokens`` / ``min_frequency``) are read as an
    unknown symbol.

    Parameters
    ----------
    n_units : int, default=128
        Number of LSTM units in the encoder and in the decoder.
    epochs : int, default=10
        Number of passes over the training data.
    batch_size : int, default=128
        Sequences per gradient step (capped at the number of samples).
        Variable-length data are batched by similar length.
    learning_rate : float, default=0.01
        Adam's learning rate.
    max_output_length : int or None, default=None
        Most tokens decoded for variable-length targets; None means the
        longest training target.  Fixed-length targets ignore it.
    beam_width : int, default=1
        Hypotheses kept per sequence by ``predict``: 1 decodes greedily,
        more runs beam search (compiled and batched like greedy decoding).
    length_penalty : float, default=0.0
        Strength ``alpha`` of the Wu et al. (2016) length normalisation
        ``log P / ((5 + length) / 6) ** alpha`` that ranks beam hypotheses;
        0 ranks by log-probability.  Matters only for variable-length
        targets.
    max_tokens : int or None, default=None
        Keep only this many most frequent source tokens; the others are
        read as unknown.  Target tokens are always all kept.
    min_frequency : int, float or None, default=None
        Read source tokens seen fewer times than this (an int), or less
        often than this fraction of all source tokens (a float in (0, 1)),
        as unknown.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation and shuffling.  An int gives identical
        models and predictions for identical data.
    verbose : int, default=0
        Keras's progress output: 0 silent, 1 progress bar, 2 one line per
        epoch.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Keras callbacks passed to the training model's ``fit``; they see the
        training model as ``callback.model``.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Target tokens.  For 1-D targets one array; otherwise a list with one
        (identical) array per output position, following scikit-learn's
        multi-output convention.  For variable-length targets the first
        class is :data:`~sklearn_seq2seq.EOS`, the end of the sequence.
    n_outputs_ : int
        Output positions: the target length, or ``max_output_length_``.
    max_output_length_ : int
        Most tokens ``predict`` returns per sequence.
    source_vocabulary_ : Vocabulary
        Source tokens and their ids.
    target_vocabulary_ : Vocabulary
        Target tokens and their ids.
    model_ : keras.Model
        Training model, ``[source ids, shifted target ids] -> logits``.
    encoder_model_ : keras.Model
        Inference encoder, ``source ids -> [h, c]``.
    decoder_model_ : keras.Model
        Inference decoder, ``[previous token id, h, c] ->
        [probabilities, h, c]``.
    history_ : dict
        Keras's per-epoch training history (``{"loss": [...]}``).
    n_features_in_ : int
        Source sequence length; only set when ``X`` was a 2-D array.

    See Also
    --------
    SequenceOneHotEncoder : The token encoding of the origin tutorial.

    Examples
    --------
    >>> from sklearn_seq2seq import Seq2SeqLSTM, make_reversal
    >>> X, Y = make_reversal(n_samples=3000, n_in=4, n_out=2, n_tokens=6,
    ...                      random_state=0)
    >>> est = Seq2SeqLSTM(n_units=32, epochs=5, random_state=0).fit(X, Y)
    >>> est.predict(X[:3]).shape
    (3, 2)
    >>> est.score(X, Y) > 0.9
    True

    Variable-length sequences of characters, any lengths:

    >>> X = ["ab", "abc", "b", "ca"] * 200
    >>> Y = [x[::-1] for x in X]
    >>> est = Seq2SeqLSTM(n_units=32, epochs=8, random_state=0).fit(X, Y)
    >>> est.predict(["abc", "ca"])
    ['cba', 'ac']
    """

    _parameter_constraints = {
        "n_units": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_output_length": [Interval(Integral, 1, None, closed="left"), None],
        "beam_width": [Interval(Integral, 1, None, closed="left")],
        "length_penalty": [Interval(Real, 0, None, closed="left")],
        "max_tokens": [Interval(Integral, 1, None, closed="left"), None],
        "min_frequency": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
            None,
        ],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, None],
    }

    def __init__(
        self,
        n_units=128,
        epochs=10,
        batch_size=128,
        learning_rate=0.01,
        max_output_length=None,
        beam_width=1,
        length_penalty=0.0,
        max_tokens=None,
        min_frequency=None,
        random_state=None,
        verbose=0,
        callbacks=None,
    ):
        self.n_units = n_units
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_output_length = max_output_length
        self.beam_width = beam_width
        self.length_penalty = length_penalty
        self.max_tokens = max_tokens
        self.min_frequency = min_frequency
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Learn the vocabularies and train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences: a 2-D array of tokens, or a list of strings or
            of token lists of any lengths.
        y : array-like of shape (n_samples, target length) or (n_samples,), \
                or list of sequences
            Target sequences, given like ``X``; a 1-D array holds one label
            per sample.

        Returns
        -------
        self : Seq2SeqLSTM
            The fitted estimator.
        """
        # A rejected or failed fit must leave a fitted estimator as it was.
        previous_state = self.__dict__.copy()
        try:
            return self._fit(X, y)
        except Exception:
            self.__dict__.clear()
            self.__dict__.update(previous_state)
            raise

    def _fit(self, X, Y):
        target_kind = sequence_kind(Y, labels_in_arrays=True)
        source_ids, source_lengths = self._read_fit_sources(X, Y, target_kind)
        check_consistent_length(source_ids, Y)
        target_ids, target_lengths = self._read_fit_targets(Y, target_kind)
        decoder_input_ids = shift_right(target_ids)
        if self._ends_with_eos:
            # The end symbol is a label, never a decoder input; padding is
            # masked out of the loss, so its label only needs to be valid.
            decoder_input_ids[decoder_input_ids == END_ID] = PAD_ID
            labels = target_ids
            labels -= END_ID  # in place: class 0 = end, class k = token k - 1
            np.maximum(labels, 0, out=labels)
        else:
            labels = target_ids
            labels -= N_RESERVED  # in place: output class = target id - reserved ids
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))

        from .training import train  # imports TensorFlow

        self.model_, self.history_ = train(
            source_ids,
            decoder_input_ids,
            labels,
            n_source_ids=self.source_vocabulary_.n_ids,
            n_target_ids=self.target_vocabulary_.n_ids,
            n_classes=len(self._classes()),
            n_units=self.n_units,
            epochs=self.epochs,
            batch_size=min(self.batch_size, len(source_ids)),
            learning_rate=self.learning_rate,
            seed=seed,
            verbose=self.verbose,
            callbacks=self.callbacks,
            source_lengths=source_lengths,
            target_lengths=target_lengths,
            mask_source=source_lengths is not None,
            mask_target=self._ends_with_eos,
        )
        self._build_inference()
        return self

    def _read_fit_sources(self, X, Y, target_kind):
        """Validate the sources, learn their vocabulary; ids and lengths.

        Equal-length lists of scalar tokens are a 2-D array, as everywhere
        in scikit-learn: the model then expects that width in ``predict``.
        """
        kind = sequence_kind(X)
        sources = None if kind == ARRAY else read_sequences(X, kind, name="X")
        if kind == LISTS and sources.tokens.dtype != object:
            if np.all(sources.lengths == sources.lengths[0]):
                kind, X = ARRAY, sources.tokens.reshape(len(sources), -1)
        if kind == ARRAY:
            if target_kind == ARRAY:
                X, _ = validate_data(
                    self, X, Y, multi_output=True, dtype=None, ensure_all_finite=True
                )
            else:
                X = validate_data(self, X, dtype=None, ensure_all_finite=True)
            X = check_token_array(X, name="X")
            tokens, lengths = X.reshape(-1), None
        else:
            for name in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(name, None)  # a refit on sequences forgets the old width
            tokens, lengths = sources.tokens, sources.lengths
        self.source_vocabulary_ = Vocabulary.from_tokens(
            tokens, max_tokens=self.max_tokens, min_frequency=self.min_frequency, name="X"
        )
        if lengths is None:
            return self.source_vocabulary_.encode(X), None
        return pad_ids(self.source_vocabulary_.encode(tokens), lengths), lengths

    def _read_fit_targets(self, Y, kind):
        """Validate the targets, learn their vocabulary and output layout.

        Returns the target ids (with the end symbol for variable lengths)
        and, for variable lengths, the lengths counting the end symbol.
        """
        self._target_kind = kind
        if self._target_kind == ARRAY:
            Y = check_array(Y, ensure_2d=False, dtype=None, ensure_all_finite=True, input_name="y")
            check_classification_targets(Y)
            if Y.ndim == 1:
                self._target_kind = LABELS
            Y = check_token_array(Y.reshape(len(Y), -1), name="y")
            tokens, lengths = Y.reshape(-1), np.full(len(Y), Y.shape[1])
        else:
            targets = read_sequences(Y, self._target_kind, name="y")
            tokens, lengths = targets.tokens, targets.lengths
        self.target_vocabulary_ = Vocabulary.from_tokens(tokens, name="y")
        ids = self.target_vocabulary_.encode(tokens)
        longest = int(lengths.max())
        self._ends_with_eos = bool(lengths.min() != longest)
        if not self._ends_with_eos and len(self.target_vocabulary_.tokens) == 1:
            raise ValueError(
                f"y holds one class ({self.target_vocabulary_.tokens[0]!r}) at every "
                "position: there is nothing to learn."
            )
        if not self._ends_with_eos:
            self.max_output_length_ = self.n_outputs_ = longest
            classes = self._classes()
            self.classes_ = classes if self._target_kind == LABELS else [classes] * longest
            return ids.reshape(len(lengths), longest), None
        self.max_output_length_ = self.n_outputs_ = self.max_output_length or longest
        self.classes_ = [self._classes()] * self.n_outputs_
        grid = pad_ids(ids, lengths, longest + 1)
        grid[np.arange(len(grid)), lengths] = END_ID
        return grid, lengths + 1

    def _classes(self):
        tokens = self.target_vocabulary_.tokens
        if not self._ends_with_eos:
            return tokens
        classes = np.empty(len(tokens) + 1, dtype=object)
        classes[0], classes[1:] = EOS, tokens
        return classes

    def _build_inference(self):
        from .decoding import GreedyDecoder, TeacherForcedScorer
        from .network import build_inference_models

        self.encoder_model_, self.decoder_model_ = build_inference_models(self.model_)
        self._decoder = GreedyDecoder(
            self.model_, n_steps=self._n_steps(), class_offset=self._class_offset()
        )
        self._scorer = TeacherForcedScorer(self.model_)
        self._beam_decoders = {}

    def _n_steps(self):
        # One step more than the longest output, so that a sequence of the
        # longest length can still end with the end symbol.
        return self.n_outputs_ + 1 if self._ends_with_eos else self.n_outputs_

    def _class_offset(self):
        return END_ID if self._ends_with_eos else N_RESERVED

    def _beam_decoder(self, beam_width):
        """The compiled beam search for a width and the current length penalty."""
        from .beam_search import BeamSearchDecoder

        key = beam_width, float(self.length_penalty)
        if key not in self._beam_decoders:
            self._beam_decoders[key] = BeamSearchDecoder(
                self.model_,
                n_steps=self._n_steps(),
                beam_width=beam_width,
                class_offset=self._class_offset(),
                end_class=0 if self._ends_with_eos else None,
                alpha=float(self.length_penalty),
            )
        return self._beam_decoders[key]

    def _predict_classes(self, source_ids, lengths):
        """Output classes of the best sequence: greedy or beam search."""
        if self.beam_width == 1:
            return self._decoder(source_ids, lengths)
        return self._beam_decoder(self.beam_width)(source_ids, lengths)[0][:, 0]

    def _source_ids(self, X):
        """Validated source ids, and lengths for variable-length sources."""
        check_is_fitted(self)
        kind = sequence_kind(X)
        if kind == ARRAY:
            X = validate_data(self, X, dtype=None, ensure_all_finite=True, reset=False)
            return self.source_vocabulary_.encode(check_token_array(X, name="X")), None
        sources = read_sequences(X, kind, name="X")
        ids = pad_ids(self.source_vocabulary_.encode(sources.tokens), sources.lengths)
        if np.all(sources.lengths == sources.lengths[0]):
            return ids, None  # no padding: the fixed-length path
        return ids, sources.lengths

    def _output_lengths(self, classes):
        """Tokens before the first end symbol, at most ``max_output_length_``."""
        if not self._ends_with_eos:
            return np.full(len(classes), classes.shape[1])
        ended = classes == 0
        lengths = np.where(ended.any(axis=1), ended.argmax(axis=1), classes.shape[1])
        return np.minimum(lengths, self.max_output_length_)

    def predict(self, X):
        """Decode target sequences: greedily, or by beam search if ``beam_width > 1``.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences, given as in ``fit``.

        Returns
        -------
        Y : ndarray of shape (n_samples, target length) or (n_samples,), \\
                or list of sequences
            Predicted target sequences, in the kind ``y`` had in ``fit``:
            a 2-D (or 1-D) array, a list of strings or a list of lists.
        """
        return self._format_predictions(self._predict_classes(*self._source_ids(X)))

    def _format_predictions(self, classes):
        """Output classes of shape (n, steps) as target sequences of the user's kind."""
        tokens = self.target_vocabulary_.tokens
        if self._target_kind == LABELS:
            return tokens[classes[:, 0]]
        if self._target_kind == ARRAY:
            return tokens[classes]
        output_lengths = self._output_lengths(classes)
        inside = position_mask(output_lengths, classes.shape[1])
        offset = 1 if self._ends_with_eos else 0  # class 0 is the end symbol
        return format_sequences(tokens[classes[inside] - offset], output_lengths, self._target_kind)

    def predict_nbest(self, X, n_best=5):
        """The ``n_best`` most likely target sequences per sample, by beam search.

        The beam is ``max(beam_width, n_best)`` wide and hypotheses are
        ranked as in ``predict`` (length penalty included); the reported
        log-probabilities are the model's, end symbol included, as
        :meth:`log_likelihood` gives them.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences, given as in ``fit``.
        n_best : int, default=5
            Sequences per sample.

        Returns
        -------
        Y_nbest : ndarray of shape (n_samples, n_best, ...) or list of lists
            For array targets an array with the hypotheses on axis 1;
            otherwise, per sample, a list of ``n_best`` sequences, best
            first.
        log_probabilities : ndarray of shape (n_samples, n_best)
            Log-probability of each sequence; ``-inf`` where the model
            allows fewer than ``n_best`` distinct sequences.
        """
        if not isinstance(n_best, Integral) or n_best < 1:
            raise ValueError(f"n_best must be a positive integer; got {n_best!r}.")
        source_ids, lengths = self._source_ids(X)
        classes, log_probabilities, _ = self._beam_decoder(max(self.beam_width, n_best))(
            source_ids, lengths
        )
        n_samples, steps = len(classes), classes.shape[2]
        flat = self._format_predictions(classes[:, :n_best].reshape(-1, steps))
        if isinstance(flat, np.ndarray):
            Y_nbest = flat.reshape(n_samples, n_best, *flat.shape[1:])
        else:
            Y_nbest = [flat[i : i + n_best] for i in range(0, len(flat), n_best)]
        return Y_nbest, log_probabilities[:, :n_best]

    def log_likelihood(self, X, y):
        """Log-probability of each target sequence given its source.

        (Not named ``score_samples``: scikit-learn calls that with ``X``
        alone, for density and outlier models.)

        The decoder reads the given target (teacher forcing) and the
        log-probabilities of its tokens are summed, the end symbol included
        for variable-length targets.  Target tokens never seen in ``fit``
        give ``-inf``.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences, given as in ``fit``.
        y : array-like or list of sequences
            Target sequences, given as in ``fit``.

        Returns
        -------
        log_probabilities : ndarray of shape (n_samples,)
            ``log P(y | X)`` under the model.
        """
        source_ids, lengths = self._source_ids(X)
        classes, target_lengths, decoder_input = self._target_classes(y)
        if len(classes) != len(source_ids):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {len(source_ids)} and "
                f"{len(classes)}."
            )
        log_p = self._teacher_forced(source_ids, lengths, decoder_input)
        token_log_p = np.take_along_axis(log_p, np.maximum(classes, 0)[..., None], axis=-1)[..., 0]
        token_log_p[classes < 0] = -np.inf  # unknown target tokens
        inside = position_mask(target_lengths, classes.shape[1])
        return np.where(inside, token_log_p, 0.0).sum(axis=1)

    def _teacher_forced(self, source_ids, lengths, decoder_input):
        if lengths is None:
            lengths = np.full(len(source_ids), source_ids.shape[1])
        return self._scorer(source_ids, lengths, decoder_input)

    def _target_classes(self, Y):
        """Output classes (-1 where unknown), lengths and decoder input of targets."""
        kind = sequence_kind(Y, labels_in_arrays=True)
        if kind == ARRAY:
            Y = check_array(Y, ensure_2d=False, dtype=None, ensure_all_finite=True, input_name="y")
            Y = check_token_array(Y.reshape(len(Y), -1), name="y")
            tokens, lengths = Y.reshape(-1), np.full(len(Y), Y.shape[1])
        else:
            targets = read_sequences(Y, kind, name="y", allow_empty=self._ends_with_eos)
            tokens, lengths = targets.tokens, targets.lengths
        ids = self.target_vocabulary_.encode(tokens)
        if self._ends_with_eos:
            grid = pad_ids(ids, lengths, int(lengths.max()) + 1)
            grid[np.arange(len(grid)), lengths] = END_ID
            lengths = lengths + 1
        elif np.any(lengths != self.n_outputs_):
            raise ValueError(
                f"y has sequences of {lengths.min()} to {lengths.max()} tokens, but this model "
                f"was fitted on targets of exactly {self.n_outputs_}."
            )
        else:
            grid = pad_ids(ids, lengths)
        decoder_input = shift_right(grid)
        decoder_input[decoder_input == END_ID] = PAD_ID
        classes = np.where(grid == UNKNOWN_ID, -1, grid - self._class_offset())
        return classes, lengths, decoder_input

    def _output_lengths(self, classes):
        """Tokens before the first end symbol, at most ``max_output_length_``."""
        if not self._ends_with_eos:
            return np.full(len(classes), classes.shape[1])
        ended = classes == 0
        lengths = np.where(ended.any(axis=1), ended.argmax(axis=1), classes.shape[1])
        return np.minimum(lengths, self.max_output_length_)

    def predict_proba(self, X):
        """Per-position token probabilities along the predicted sequence.

        Position ``j``'s distribution is conditioned on the predicted
        tokens before it.  With greedy decoding its argmax is the ``j``-th
        predicted token; a beam search may pick a token that is not the
        argmax of its own step.  After the end of a variable-length
        sequence all mass is on the end class.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences, given as in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of such
            For 1-D targets one array; otherwise a list with one array per
            output position (scikit-learn's multi-output convention).
            Columns follow ``classes_``.
        """
        source_ids, lengths = self._source_ids(X)
        if self.beam_width == 1:
            classes, probabilities = self._decoder(source_ids, lengths, return_probabilities=True)
        else:
            classes = self._predict_classes(source_ids, lengths)
            decoder_input = shift_right(classes + self._class_offset())
            decoder_input[:, 0] = START_ID
            probabilities = np.exp(self._teacher_forced(source_ids, lengths, decoder_input))
        if self._target_kind == LABELS:
            return probabilities[:, 0]
        if self._ends_with_eos:
            after_end = ~position_mask(self._output_lengths(classes) + 1, classes.shape[1])
            probabilities[after_end] = np.eye(probabilities.shape[2], 1, dtype=np.float32)[:, 0]
        return [probabilities[:, j] for j in range(self.n_outputs_)]

    def score(self, X, y, sample_weight=None):
        """Exact-sequence accuracy: the fraction of sequences fully right.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences.
        y : array-like of shape (n_samples, target length) or (n_samples,), \
                or list of sequences
            True target sequences.
        sample_weight : None
            Not supported; must be None.

        Returns
        -------
        score : float
            Exact-sequence accuracy in [0, 1].
        """
        if sample_weight is not None:
            raise ValueError("Seq2SeqLSTM.score does not support sample_weight.")
        return sequence_accuracy_score(y, self.predict(X))

    def __getstate__(self):
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        for name in _INFERENCE_STATE:
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "model_" in state:
            self._build_inference()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.target_tags.multi_output = True
        return tags
