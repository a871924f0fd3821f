"""Seq2SeqLSTM: the scikit-learn estimator around the Keras encoder-decoder.

Its methods hand reading to ``_input``, training to ``_training``, decoding
to ``_decoding``'s predictor and files to ``_persistence``.  TensorFlow is imported only in
``fit`` and on unpickling: importing, ``clone`` and ``get_params`` stay free
of it.
"""

from __future__ import annotations

import copy
import os
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from ._input.codec import Codec
from ._input.sequences import SequenceBatch
from ._input.sources import (
    check_output_length_limit,
    read_sources,
    read_training_data,
    read_validation,
    segmentation_sampler,
    source_blocks,
)
from ._input.tokenizers import check_sentences
from ._runtime import private_api
from ._runtime.private_api import (
    HasMethods,
    Interval,
    StrOptions,
    _fit_context,
    validate_parameter_constraints,
)
from ._runtime.startup import import_tensorflow
from ._training import control
from .metrics import sequence_accuracy_score

# Fitted state that TensorFlow objects hold and pickling rebuilds.
_INFERENCE_STATE = ("_predictor",)
# Parameters predict reads, validated there too (set_params after fit).
_DECODING = ("beam_width", "length_penalty")
# beam_width="auto" with a tokenizer (sentences)
_SENTENCE_BEAM_WIDTH = 4


class Seq2SeqLSTM(ClassifierMixin, BaseEstimator):
    """Encoder-decoder LSTM for sequence-to-sequence prediction.

    An LSTM encoder reads the source; its final states ``[h, c]`` start an
    LSTM decoder trained with teacher forcing (the origin tutorial's model,
    the default); ``predict`` decodes the whole batch in compiled
    TensorFlow.  Sequences come unpadded, as a 2-D array of tokens (a 1-D
    ``y`` holds one label per sample), a list of strings or a list of token
    lists of any lengths; ``predict`` returns the kind ``y`` had.  See the
    user guide for each kind, the end symbol and unknown tokens.

    Parameters
    ----------
    n_units : int, default=128
        Units of every recurrent layer (per direction if bidirectional).
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent layer type of the encoder and the decoder.
    n_layers : int, default=1
        Stacked recurrent layers in the encoder and in the decoder; decoder
        layer ``l`` starts from encoder layer ``l``'s final states.
    bidirectional : bool or "auto", default="auto"
        Encoder layers read the source both ways; a ``Dense`` bridge per
        layer maps their final states to the decoder's initial states.
        "auto" is True for sources read as sequences (strings, token
        lists) with a vocabulary narrow enough for one-hot inputs (up to
        8 x ``n_units`` ids for an LSTM, 6 x for a GRU; any with
        ``embedding_dim``), else False, as for a 2-D array (user guide:
        choosing the model).
    attention : {"auto", "luong", "bahdanau"} or None, default="auto"
        Attention of the decoder over the top encoder layer's outputs:
        Luong's "general" or Bahdanau's additive score (user guide: model
        options); "auto" is "luong" for sources read as sequences (strings,
        token lists), None for a 2-D array.  See :meth:`attention_weights`.
    embedding_dim : int or None, default=None
        None feeds one-hot tokens (the tutorial's); an int learns embeddings of that size.
    dropout : float, default=0.0
        Dropout rate on embeddings, between stacked layers and before the output (training only).
    epochs : int or "auto", default=10
        Passes over the training data the schedule is planned for (early
        stopping may end sooner); "auto" plans enough for about 4,000
        steps, 10 to 50 epochs (user guide: training).
    batch_size : int or "auto", default="auto"
        Sequences per gradient step, at most the samples, by similar length;
        "auto" halves 128 down to 16 to keep ~300 steps per epoch (user guide).
    learning_rate : float, default=0.01
        Adam's peak learning rate, where the schedule starts (after warm-up).
    learning_rate_schedule : {"constant", "linear", "cosine", "plateau"}, \
            default="linear"
        ``"linear"`` and ``"cosine"`` decay the rate per batch to
        ``learning_rate_floor * learning_rate`` over the planned steps;
        ``"plateau"`` divides it by 5 when the monitored score stalls for
        2 epochs (user guide: training).
    learning_rate_floor : float, default=0.01
        Lowest rate of the decaying and plateau schedules, as a fraction of ``learning_rate``.
    warmup_fraction : float, default=0.0
        Share of the planned steps spent raising the learning rate linearly
        from near 0 to ``learning_rate`` before the schedule starts.
    global_clipnorm : float or None, default=1.0
        Rescale each step's gradients to this global norm at most (Keras's
        ``global_clipnorm``); None does not clip.
    label_smoothing : float, default=0.0
        Probability mass spread over all classes in the loss (real target positions only).
    ema_momentum : float or None, default=0.99
        Validate, keep and predict with a moving average of the weights
        (Keras's ``use_ema``) of this momentum, warmed up over the first
        steps; None keeps the last step's weights (user guide: training).
    weight_decay : float, default=0.0
        Decoupled weight decay (Keras's ``weight_decay``, as ``AdamW``):
        each step shrinks every weight matrix, biases excluded, by
        ``weight_decay`` times the step's learning rate; 0 does not decay.
    max_output_length : int or None, default=None
        Most tokens decoded for variable-length targets; None means the
        longest training target.  Fixed-length targets ignore it.
    output_length_limit : "auto", tuple of (float, float) or None, default="auto"
        ``(a, b)`` ends each variable-length output after at most
        ``ceil(a * n + b)`` tokens, ``n`` its source's length (and
        ``max_output_length``).  "auto" learns ``(a, b)`` from the
        training pairs with a ``tokenizer`` (every training pair fits);
        otherwise, as None, only ``max_output_length`` limits.  A warm
        start keeps the fitted limit; ``predict_proba`` gives the model's
        own probabilities at the step where the limit ends an output.
    beam_width : int or "auto", default="auto"
        Hypotheses kept per sequence by ``predict``: 1 decodes greedily,
        more runs a beam search.  "auto" searches with 4 hypotheses when a
        ``tokenizer`` reads sentences (as translation toolkits do: it gains
        a few BLEU points for about 4 times the decode time) and decodes
        greedily otherwise.
    length_penalty : float, default=0.0
        Strength ``alpha`` of Wu et al.'s (2016) length normalisation of
        beam hypotheses; 0 ranks by log-probability.
    max_tokens : int or None, default=None
        Keep only the most frequent source tokens, read others as unknown (targets keep all).
    min_frequency : int, float or None, default=None
        Read source tokens seen fewer times than this (an int) or than this
        fraction of all source tokens (a float) as unknown.
    tokenizer : SentencePieceTokenizer or None, default=None
        Reads sentences as subword pieces: ``fit`` learns a clone of it
        (``tokenizer_``) from the training sentences, ``X`` and ``y`` must
        be lists of strings and ``predict`` returns sentences; the
        vocabularies are its pieces (``max_tokens`` and ``min_frequency``
        do not apply).  None reads strings as characters and lists as
        tokens (user guide: text and sentences).
    early_stopping : bool or "auto", default="auto"
        Stop when the validation score (on ``X_val``/``y_val``, else on
        ``validation_fraction`` of the training samples) has not improved
        by ``tol`` for ``n_iter_no_change`` epochs at the lowest learning
        rate; restore the best epoch's weights.  A stall at a higher rate
        first decays the rate to ``learning_rate_floor * learning_rate``
        over ``n_iter_no_change`` epochs.  Without it, the training loss
        is watched so.  "auto" is True with a ``tokenizer`` (sentences
        overfit within a few epochs: the best validation epoch is kept,
        as translation toolkits do) and False otherwise.
    validation_fraction : float, default=0.1
        Share of training samples held out for early stopping without ``X_val``/``y_val``.
    n_iter_no_change : int, default=10
        Epochs without improvement before the rate anneals, or training stops.
    tol : float, default=1e-4
        Smallest change of the monitored score that counts as improvement.
    validation_metric : {"auto", "sequence_accuracy", "loss", "bleu", "chrf"}, \
            default="auto"
        The monitored validation score: exact-sequence accuracy (as
        ``score``, teacher-forced), the loss, or sacreBLEU's BLEU or chrF
        of the validation sources decoded greedily each epoch (sentences:
        user guide).  "auto" is "bleu" with a ``tokenizer`` and
        "sequence_accuracy" otherwise.
    warm_start : bool, default=False
        ``fit`` trains the fitted network (weights, optimizer state and
        vocabularies kept) ``epochs`` more epochs, restarting the schedule.
    random_state : int, RandomState instance or None, default=None
        Seeds weights and shuffling: an int gives identical models for identical data.
    verbose : int, default=0
        Keras's progress output: 0 silent, 1 a progress bar, 2 a line per epoch.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Keras callbacks for the training model's ``fit``, deep-copied afresh for each ``fit``.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Target tokens (first :data:`~sklearn_seq2seq.EOS` if lengths vary):
        one array for 1-D targets, else one per output position.
    n_outputs_ : int
        Output positions: the target length, or ``max_output_length_``.
    max_output_length_ : int
        Most tokens ``predict`` returns per sequence.
    output_length_limit_ : tuple of (float, float) or None
        The ``(a, b)`` of ``output_length_limit`` in force.
    tokenizer_ : SentencePieceTokenizer or None
        The tokenizer learned from the training sentences; None without one.
    source_vocabulary_ : Vocabulary
        Source tokens and their ids.
    target_vocabulary_ : Vocabulary
        Target tokens and their ids.
    model_ : keras.Model
        Training model, ``[source ids, shifted target ids] -> logits``.
    encoder_model_ : keras.Model
        Inference encoder, built on first read: ``source ids -> [encoder
        outputs (attention only), each decoder layer's h, c (LSTM) or h]``.
    decoder_model_ : keras.Model
        Inference decoder: ``[previous token id, states, (encoder outputs,
        source ids: attention only)] -> [probabilities, states]``.
    history_ : dict of str to list of float
        Keras's per-epoch history (``loss``, ``learning_rate``, ``val_*`` ...), warm starts added.
    loss_curve_ : list of float
        Training loss per epoch, as in ``MLPClassifier``.
    n_iter_ : int
        Epochs trained, warm starts included.
    best_loss_ : float or None
        Lowest training loss; None with early stopping.
    validation_scores_ : list of float or None
        Validation score per epoch, if validated: BLEU or chrF with that
        ``validation_metric``, else exact-sequence accuracy.
    best_validation_score_, best_epoch_ : float or None, int or None
        With early stopping, the validation score and the epoch (from 1,
        warm starts included) whose weights were restored.
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
    >>> est = Seq2SeqLSTM(n_units=32, random_state=0).fit(X, Y)
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

    _doc_link_module, _doc_link_template = "sklearn_seq2seq", private_api.DOC_LINK_TEMPLATE
    _parameter_constraints = {
        "n_units": [Interval(Integral, 1, None, closed="left")],
        "cell": [StrOptions({"lstm", "gru"})],
        "n_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean", StrOptions({"auto"})],
        "attention": [StrOptions({"auto", "luong", "bahdanau"}), None],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "learning_rate_schedule": [StrOptions({"constant", "linear", "cosine", "plateau"})],
        "learning_rate_floor": [Interval(Real, 0, 1, closed="both")],
        "warmup_fraction": [Interval(Real, 0, 1, closed="left")],
        "global_clipnorm": [Interval(Real, 0, None, closed="neither"), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "ema_momentum": [Interval(Real, 0, 1, closed="neither"), None],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "max_output_length": [Interval(Integral, 1, None, closed="left"), None],
        "output_length_limit": [StrOptions({"auto"}), tuple, None],
        "beam_width": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "length_penalty": [Interval(Real, 0, None, closed="left")],
        "max_tokens": [Interval(Integral, 1, None, closed="left"), None],
        "tokenizer": [HasMethods(["fit", "encode", "decode", "vocabulary"]), None],
        "min_frequency": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
            None,
        ],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "validation_metric": [StrOptions({"auto", "sequence_accuracy", "loss", "bleu", "chrf"})],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, None],
    }

    def __init__(
        self,
        n_units: int = 128,
        cell: str = "lstm",
        n_layers: int = 1,
        bidirectional: bool | str = "auto",
        attention: str | None = "auto",
        embedding_dim: int | None = None,
        dropout: float = 0.0,
        epochs: int | str = 10,
        batch_size: int | str = "auto",
        learning_rate: float = 0.01,
        learning_rate_schedule: str = "linear",
        learning_rate_floor: float = 0.01,
        warmup_fraction: float = 0.0,
        global_clipnorm: float | None = 1.0,
        label_smoothing: float = 0.0,
        ema_momentum: float | None = 0.99,
        weight_decay: float = 0.0,
        max_output_length: int | None = None,
        output_length_limit: str | tuple | None = "auto",
        beam_width: int | str = "auto",
        length_penalty: float = 0.0,
        max_tokens: int | None = None,
        min_frequency: float | None = None,
        tokenizer: object | None = None,
        early_stopping: bool | str = "auto",
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        validation_metric: str = "auto",
        warm_start: bool = False,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
        callbacks: list | None = None,
    ) -> None:
        self.n_units = n_units
        self.cell = cell
        self.n_layers = n_layers
        self.bidirectional = bidirectional
        self.attention = attention
        self.embedding_dim = embedding_dim
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.learning_rate_floor = learning_rate_floor
        self.warmup_fraction = warmup_fraction
        self.global_clipnorm = global_clipnorm
        self.label_smoothing = label_smoothing
        self.ema_momentum = ema_momentum
        self.weight_decay = weight_decay
        self.max_output_length = max_output_length
        self.output_length_limit = output_length_limit
        self.beam_width = beam_width
        self.length_penalty = length_penalty
        self.max_tokens = max_tokens
        self.min_frequency = min_frequency
        self.tokenizer = tokenizer
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.validation_metric = validation_metric
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks

    @_fit_context(prefer_skip_nested_validation=True)
    @control.restores_on_error
    def fit(
        self,
        X: SequenceBatch,
        y: SequenceBatch,
        *,
        X_val: SequenceBatch | None = None,
        y_val: SequenceBatch | None = None,
    ) -> Seq2SeqLSTM:
        """Learn the vocabularies and train the network.

        Ctrl-C stops after the current batch and keeps the weights (with a
        warning); a second one interrupts at once, leaving the estimator as
        it was before ``fit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences: a 2-D array of tokens, or a list of strings or
            of token lists of any lengths; sentences with a ``tokenizer``.
        y : array-like of shape (n_samples, target length) or (n_samples,), \
                or list of sequences
            Target sequences, given like ``X``; a 1-D array holds one label
            per sample.
        X_val, y_val : array-like or list of sequences, default=None
            Validation samples, given as ``X`` and ``y`` (both or neither),
            scored after every epoch and monitored by early stopping; their
            tokens never enter the vocabularies.

        Returns
        -------
        self : Seq2SeqLSTM
            The fitted estimator.

        Warns
        -----
        ConvergenceWarning
            When ``epochs`` ran out while the monitored score still
            improved by more than ``tol``.
        """
        warm = self.warm_start and hasattr(self, "model_")
        if (X_val is None) != (y_val is None):
            raise ValueError("fit needs both X_val and y_val, or neither.")
        check_output_length_limit(self.output_length_limit)
        references = y_val  # what validation_metric="bleu" scores against, as given
        tokenizer, X, y = self._fitted_tokenizer(X, y, warm)
        # Subword regularisation re-reads the training sentences every epoch.
        draws = getattr(tokenizer, "draws_segmentations", None)  # a tokenizer of one's own may not
        sentences = (X, y) if draws is not None and draws() else None
        if tokenizer is not None:
            X, y = tokenizer.encode(X, side="source"), tokenizer.encode(y, side="target")
            if X_val is not None:
                X_val = tokenizer.encode(X_val, side="source")
                y_val = tokenizer.encode(y_val, side="target")
        self.tokenizer_ = tokenizer
        self._codec, data = read_training_data(
            self,
            X,
            y,
            codec=self._codec if warm else None,
            variable_lengths=tokenizer is not None,
            vocabularies=None
            if tokenizer is None
            else (tokenizer.vocabulary("source"), tokenizer.vocabulary("target")),
        )
        params = self.get_params(deep=False)
        params.update(control.fitted_stopping(params, sentences=tokenizer is not None))
        architecture = control.fitted_architecture(
            params,
            data,
            self._architecture if warm else None,
            n_source_ids=self._codec.source_vocabulary.n_ids,
        )
        seed = control.fit_seed(self.random_state)
        if X_val is not None:
            validation = read_validation(self, self._codec, X_val, y_val, data)
        elif params["early_stopping"]:
            kept, held_out = control.split_validation(
                len(data.source_ids), self.validation_fraction, seed
            )
            data, validation = data.take(kept), data.take(held_out)
            if sentences is not None:
                sentences = tuple([side[i] for i in kept] for side in sentences)
        else:
            validation = None

        import_tensorflow()
        from ._training.fit import to_tensors

        # Training reads TensorFlow's copy of the ids: NumPy's can go.
        data = to_tensors(data)
        validation = None if validation is None else to_tensors(validation)
        resample = None
        if sentences is not None:
            # A warm start draws on from the epochs already trained.
            epochs_done = len(self.history_["loss"]) if warm else 0
            resample = segmentation_sampler(
                self, self._codec, tokenizer, *sentences, data, epochs_done=epochs_done
            )
        self._architecture, model = architecture, (self.model_ if warm else None)
        params.update(architecture)
        self.model_, history, best_epoch = control.train(
            model,
            data,
            validation,
            codec=self._codec,
            params=params,
            seed=seed,
            stacklevel=4,
            as_text=self._sentences,
            references=references,
            resample=resample,
        )
        previous = self.history_ if warm else {}
        vars(self).update(control.fitted_history(previous, history, best_epoch))
        self._build_inference()
        return self

    def _fitted_tokenizer(self, X, y, warm):
        """The tokenizer this fit reads sentences with (learned, kept or None), and X, y.

        With a tokenizer, ``X`` and ``y`` come back checked, as lists of str.
        """
        fitted = getattr(self, "tokenizer_", None) if warm else None
        if warm and (fitted is None) != (self.tokenizer is None):
            raise ValueError(
                "warm_start cannot add or remove a tokenizer: the model was fitted "
                f"{'without' if fitted is None else 'with'} one.  Set warm_start=False to "
                "train a new model."
            )
        if self.tokenizer is None:
            return None, X, y
        X, y = check_sentences(X, "X"), check_sentences(y, "y")
        if warm:
            # The learned models are kept; how training text is read
            # (subword sampling) follows the parameter as it is now.
            alpha = getattr(self.tokenizer, "sampling_alpha", None)
            if getattr(fitted, "sampling_alpha", None) != alpha:
                fitted = copy.copy(fitted).set_params(sampling_alpha=alpha)
            return fitted, X, y
        tokenizer = clone(self.tokenizer)
        # Inside this fit scikit-learn skips a nested estimator's own
        # parameter validation (by setting skip_parameter_validation): ask
        # for it.
        if hasattr(tokenizer, "_validate_params"):
            tokenizer._validate_params()
        return tokenizer.fit(X, y), X, y

    def _pieces(self, X, side="source"):
        """Sentences as the pieces the network reads; ``X`` itself without a tokenizer."""
        check_is_fitted(self)
        tokenizer = getattr(self, "tokenizer_", None)
        return X if tokenizer is None else tokenizer.encode(X, side=side)

    def _sentences(self, Y):
        """Predicted pieces as sentences; ``Y`` itself without a tokenizer."""
        tokenizer = getattr(self, "tokenizer_", None)
        return Y if tokenizer is None else tokenizer.decode(Y)

    @property
    def _codec(self):
        """The fitted sequence layout, kept as the fitted attributes it is built from."""
        vocabularies = self.source_vocabulary_, self.target_vocabulary_
        limit = getattr(self, "output_length_limit_", None)
        layout = self._target_kind, self._ends_with_eos, self.max_output_length_, limit
        return Codec(*vocabularies, *layout)

    @_codec.setter
    def _codec(self, codec):
        self.source_vocabulary_ = codec.source_vocabulary
        self.target_vocabulary_ = codec.target_vocabulary
        self._target_kind, self._ends_with_eos = codec.target_kind, codec.ends_with_eos
        self.max_output_length_ = self.n_outputs_ = codec.max_output_length
        self.output_length_limit_ = codec.length_limit
        self.classes_ = codec.classes_attribute

    def _build_inference(self):
        import_tensorflow()
        from ._decoding.predictor import Predictor

        self._predictor = Predictor(self.model_, self._codec)

    @property
    def encoder_model_(self):
        """Inference encoder (Keras), built on first use."""
        return self._predictor.inference_models[0]

    @property
    def decoder_model_(self):
        """Inference decoder (Keras), built on first use."""
        return self._predictor.inference_models[1]

    def _decoding(self):
        """``predict``'s decoding options, validated: set_params may have changed them."""
        check_is_fitted(self)
        options = {name: getattr(self, name) for name in _DECODING}
        constraints = {name: self._parameter_constraints[name] for name in _DECODING}
        validate_parameter_constraints(constraints, options, caller_name=type(self).__name__)
        if options["beam_width"] == "auto":
            sentences = getattr(self, "tokenizer_", None) is not None
            options["beam_width"] = _SENTENCE_BEAM_WIDTH if sentences else 1
        return {**options, "length_penalty": float(self.length_penalty)}

    def predict(self, X: SequenceBatch) -> SequenceBatch:
        """Decode target sequences: greedily, or by beam search (see ``beam_width``).

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences, given as in ``fit``.

        Returns
        -------
        Y : ndarray of shape (n_samples, target length) or (n_samples,), \
                or list of sequences
            Predicted target sequences, in the kind ``y`` had in ``fit``.
        """
        options = self._decoding()
        codec, predictor, X = self._codec, self._predictor, self._pieces(X)
        return self._sentences(
            codec.join(
                codec.format(predictor.classes(source_ids, lengths, **options))
                for source_ids, lengths in source_blocks(self, X, predictor.chunk_size(**options))
            )
        )

    def attention_weights(
        self, X: SequenceBatch, *, return_predictions: bool = False
    ) -> np.ndarray | list[np.ndarray] | tuple:
        """Attention of each greedily decoded token over the source tokens.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences, given as in ``fit``.
        return_predictions : bool or "pieces", default=False
            Also return the decoded sequences the rows follow, from the
            same decode; "pieces" returns them as the tokenizer's pieces
            (the rows' labels) instead of sentences.

        Returns
        -------
        weights : ndarray of shape (n_samples, n_outputs, source length) or list
            One array for fixed-length sources and targets, else per sample
            a row per decoded token and the end symbol; rows sum to 1.
        Y : ndarray or list of sequences
            The decoded sequences; only with ``return_predictions=True``.

        Raises
        ------
        ValueError
            If the model was fitted without attention.
        """
        check_is_fitted(self)
        if self._architecture.get("attention") is None:
            raise ValueError("attention_weights needs a model fitted with attention.")
        source_ids, lengths = read_sources(self, self._pieces(X))
        classes, weights = self._predictor.attention(source_ids, lengths)
        if return_predictions == "pieces":
            return weights, self._codec.format(classes)
        if return_predictions:
            return weights, self._sentences(self._codec.format(classes))
        return weights

    def predict_nbest(self, X: SequenceBatch, n_best: int = 5) -> tuple[SequenceBatch, np.ndarray]:
        """The ``n_best`` most likely target sequences per sample, by beam search.

        The beam is ``max(beam_width, n_best)`` wide and ranks as ``predict``
        does; log-probabilities are :meth:`log_likelihood`'s.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences, given as in ``fit``.
        n_best : int, default=5
            Sequences per sample.

        Returns
        -------
        Y_nbest : ndarray of shape (n_samples, n_best, ...) or list of lists
            Per sample ``n_best`` sequences, best first.
        log_probabilities : ndarray of shape (n_samples, n_best)
            Their log-probabilities; ``-inf`` where fewer sequences exist.
        """
        if not isinstance(n_best, Integral) or n_best < 1:
            raise ValueError(f"n_best must be a positive integer; got {n_best!r}.")
        options = self._decoding()
        source_ids, lengths = read_sources(self, self._pieces(X))
        classes, log_probabilities = self._predictor.nbest(source_ids, lengths, n_best, **options)
        nbest = self._codec.format_nbest(classes)
        if getattr(self, "tokenizer_", None) is not None:
            nbest = [self._sentences(hypotheses) for hypotheses in nbest]
        return nbest, log_probabilities

    def log_likelihood(self, X: SequenceBatch, y: SequenceBatch) -> np.ndarray:
        """Log-probability of each target sequence given its source.

        The decoder reads the given target (teacher forcing); its tokens'
        log-probabilities, end symbol included, are summed (``-inf`` for
        tokens never seen in ``fit``).

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
        source_ids, lengths = read_sources(self, self._pieces(X))
        targets = self._codec.targets(self._pieces(y, side="target"))
        check_consistent_length(source_ids, targets[0])
        return self._predictor.log_likelihood(source_ids, lengths, *targets)

    def predict_proba(self, X: SequenceBatch) -> np.ndarray | list[np.ndarray]:
        """Per-position token probabilities along the predicted sequence.

        Position ``j``'s distribution is conditioned on the predicted tokens
        before it (a beam search may pick a token that is not the argmax);
        after the end all mass is on the end class.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences, given as in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of such
            One array for 1-D targets, else one per output position;
            columns follow ``classes_``.
        """
        options = self._decoding()
        source_ids, lengths = read_sources(self, self._pieces(X))
        _, probabilities = self._predictor.probabilities(source_ids, lengths, **options)
        return self._codec.format_proba(probabilities)

    def score(self, X: SequenceBatch, y: SequenceBatch, sample_weight: None = None) -> float:
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
            Exact-sequence accuracy in [0, 1].  With a tokenizer, sentences
            are compared as the tokenizer reads them (normalised, unknown
            characters as ``⁇``).
        """
        if sample_weight is not None:
            raise ValueError("Seq2SeqLSTM.score does not support sample_weight.")
        check_is_fitted(self)
        y_pieces = self._pieces(y, side="target")
        self._codec.targets(y_pieces)  # y fits the model (e.g. its target length), or an error
        # With a tokenizer y is compared as it reads: normalised as its pieces are.
        return sequence_accuracy_score(self._sentences(y_pieces), self.predict(X))

    def save(self, path: str | os.PathLike) -> None:
        """Save the estimator to one file, without pickle (``callbacks`` excluded).

        :func:`sklearn_seq2seq.load` loads it, executing nothing from it.

        Parameters
        ----------
        path : str or os.PathLike
            Destination file (replaced atomically).
        """
        from ._persistence.archive import save

        save(self, path)

    def export(self, path: str | os.PathLike) -> None:
        """Export the decoder as a TensorFlow SavedModel (:func:`.serving.export`).

        Parameters
        ----------
        path : str or os.PathLike
            Directory to write.
        """
        options = self._decoding()  # fitted, valid options: else an error, nothing written
        from ._persistence.serving import export

        export(self._predictor, path, **options, tokenizer=getattr(self, "tokenizer_", None))

    def __getstate__(self):
        from ._persistence.archive import pickled_state

        return pickled_state(super().__getstate__(), dropped=_INFERENCE_STATE)

    def __setstate__(self, state):
        from ._persistence.archive import unpickled_state

        super().__setstate__(unpickled_state(state))
        if "model_" in state:
            self._build_inference()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.target_tags.multi_output = True
        return tags
