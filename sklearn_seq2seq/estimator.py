"""Seq2SeqLSTM: the scikit-learn estimator around the Keras encoder-decoder.

This module validates, encodes tokens to ids and back, and drives training
and decoding.  It never builds layers (``network``) and never decodes step
by step (``decoding``); TensorFlow is imported only inside ``fit`` and when
a fitted estimator is unpickled, so importing the package, ``clone`` and
``get_params`` stay TensorFlow-free.
"""

from __future__ import annotations

import copy
import os
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from .codec import LABELS, Codec, length_range, read_targets, reject_new_tokens
from .control import merge_history, monitored, stopping_callback, warn_if_still_improving
from .metrics import sequence_accuracy_score
from .preprocessing import check_token_array
from .private_api import Interval, StrOptions, _fit_context, validate_parameter_constraints
from .sequences import (
    ARRAY,
    LISTS,
    SequenceBatch,
    pad_ids,
    position_mask,
    read_sequences,
    sequence_kind,
)
from .startup import import_tensorflow
from .vocabulary import Vocabulary

# Fitted state that TensorFlow objects hold and pickling rebuilds.
_INFERENCE_STATE = ("_predictor",)
# Parameters of the network's shape (a warm start must keep them).
_ARCHITECTURE = ("n_units", "cell", "n_layers", "bidirectional", "attention", "embedding_dim")
# Parameters predict reads, validated there too (set_params after fit).
_DECODING = ("beam_width", "length_penalty")


class Seq2SeqLSTM(ClassifierMixin, BaseEstimator):
    """Encoder-decoder LSTM for sequence-to-sequence prediction.

    An LSTM encoder reads the source sequence; its final states ``[h, c]``
    initialise an LSTM decoder trained with teacher forcing (the target
    shifted right behind a start symbol) and a softmax over the target
    tokens.  ``predict`` decodes greedily, the whole batch in compiled
    TensorFlow calls.  That is the origin tutorial's model and the default;
    GRU cells, stacked and bidirectional encoders, attention, learned
    embeddings and dropout are parameters.

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
        Units of every recurrent layer (per direction in a bidirectional
        encoder).
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent layer type of the encoder and the decoder.
    n_layers : int, default=1
        Stacked recurrent layers in the encoder and in the decoder; decoder
        layer ``l`` starts from encoder layer ``l``'s final states.
    bidirectional : bool, default=False
        Encoder layers read the source both ways; per layer a ``Dense``
        bridge maps the concatenated forward and backward final states to
        the decoder's initial states (``tanh`` for ``h``, linear for ``c``).
    attention : {None, "luong", "bahdanau"}, default=None
        Attention of the decoder over the top encoder layer's outputs:
        ``"luong"`` scores ``h_t^T W_a h_s`` (Luong et al. 2015, "general";
        ``W_a`` also spans a bidirectional encoder's wider outputs),
        ``"bahdanau"`` the additive ``v^T tanh(W_1 h_s + W_2 h_t)``
        (Bahdanau et al. 2015); either way ``tanh(W_c [context; h_t])``
        feeds the output layer.  See :meth:`attention_weights`.
    embedding_dim : int or None, default=None
        None feeds one-hot tokens, as the tutorial; an int learns
        embeddings of that size (for large vocabularies).
    dropout : float, default=0.0
        Dropout rate on embeddings, between stacked layers and before the
        output layer, during training only.

        No option leaves the fast GPU path: the recurrent layers keep
        Keras's cuDNN-eligible settings (default activations, no recurrent
        dropout, GRU ``reset_after=True``, not unrolled on a GPU); attention,
        bridges, embeddings and dropout are separate layers around them.
    epochs : int, default=10
        Number of passes over the training data.
    batch_size : int, default=128
        Sequences per gradient step (capped at the number of samples).
        Variable-length data are batched by similar length.
    learning_rate : float, default=0.01
        Adam's peak learning rate: where the schedule starts (after any
        warm-up).
    learning_rate_schedule : {"constant", "linear", "cosine", "plateau"}, \
            default="linear"
        How the learning rate moves during ``fit``, set before every
        batch: ``"linear"`` decays linearly and ``"cosine"`` along a half
        cosine from ``learning_rate`` to ``learning_rate_floor *
        learning_rate`` over the planned steps (``epochs`` times the
        batches per epoch); ``"constant"`` keeps it; ``"plateau"`` divides
        it by 5 whenever the monitored score (the validation score when
        there is one, else the training loss) has not improved by ``tol``
        for 2 epochs, as ``MLPClassifier``'s ``"adaptive"``, down to the
        floor.  Keras's ``PolynomialDecay``, ``CosineDecay`` and
        ``ReduceLROnPlateau`` do the work; ``history_["learning_rate"]``
        records the rate at the end of each epoch.
    learning_rate_floor : float, default=0.01
        Lowest learning rate of the ``"linear"``, ``"cosine"`` and
        ``"plateau"`` schedules, as a fraction of ``learning_rate``.
    warmup_fraction : float, default=0.0
        Share of the planned steps spent raising the learning rate linearly
        from near 0 to ``learning_rate`` before the schedule starts.
    global_clipnorm : float or None, default=1.0
        Rescale the gradients of each step so that their global norm is at
        most this (Keras's ``global_clipnorm``); None does not clip.
        Clipping is what keeps a high learning rate from collapsing a
        trained model in one bad step.
    label_smoothing : float, default=0.0
        Share of each target token's probability mass spread evenly over
        all output classes in the loss (real target positions only, never
        the padding).
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
    early_stopping : bool, default=False
        Stop when the validation score has not improved by at least ``tol``
        for ``n_iter_no_change`` epochs, and restore the weights of the
        best epoch.  The validation samples are ``X_val``/``y_val`` when
        ``fit`` is given them, else ``validation_fraction`` of the training
        samples, held out.  Without it, training stops when the training
        loss has not improved by ``tol`` for ``n_iter_no_change`` epochs
        (as in ``MLPClassifier``).
    validation_fraction : float, default=0.1
        Share of the training samples held out for early stopping when
        ``fit`` is not given ``X_val``/``y_val``.
    n_iter_no_change : int, default=10
        Epochs without improvement before training stops.
    tol : float, default=1e-4
        Smallest change of the monitored score or loss that counts as an
        improvement.
    validation_metric : {"sequence_accuracy", "loss"}, default="sequence_accuracy"
        What early stopping monitors on the validation samples:
        exact-sequence accuracy (what ``score`` returns; see
        :class:`~sklearn_seq2seq.training.SequenceAccuracy`) or the loss.
    warm_start : bool, default=False
        ``fit`` continues training the fitted network (weights, Adam's
        moments, vocabularies and output layout kept) for ``epochs`` more
        epochs.  The learning-rate schedule restarts: ``fit`` runs it anew
        over its own steps, from the current ``learning_rate`` (warm-up
        included), with the current clipping and label smoothing.  Tokens
        outside the fitted vocabularies are an error, as is a change of
        ``n_units``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation and shuffling.  An int gives identical
        models and predictions for identical data.
    verbose : int, default=0
        Keras's progress output: 0 silent, 1 progress bar, 2 one line per
        epoch.  The default stays quiet, as inside a grid search.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Keras callbacks for the training model's ``fit``; they see the
        training model as ``callback.model``.  Each ``fit`` uses fresh deep
        copies, so no state leaks from one fit (or grid-search candidate)
        into the next, and the objects given here are never attached to a
        model.

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
    history_ : dict of str to list of float
        Keras's per-epoch history: ``loss`` and ``sequence_accuracy`` on
        the training samples, ``learning_rate`` at the end of each epoch,
        plus ``val_loss`` and ``val_sequence_accuracy`` when there are
        validation samples (``X_val`` or early stopping).  A warm start
        appends to it.
    loss_curve_ : list of float
        Training loss per epoch (``history_["loss"]``), as in
        ``MLPClassifier``.
    n_iter_ : int
        Epochs trained, warm starts included.
    best_loss_ : float or None
        Lowest training loss; None with early stopping.
    validation_scores_ : list of float or None
        Validation exact-sequence accuracy per epoch; None without
        validation samples.
    best_validation_score_ : float or None
        Validation exact-sequence accuracy of the epoch whose weights were
        restored; None without early stopping.
    best_epoch_ : int or None
        Epoch (counted from 1, warm starts included) whose weights early
        stopping restored; None without early stopping.
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

    _parameter_constraints = {
        "n_units": [Interval(Integral, 1, None, closed="left")],
        "cell": [StrOptions({"lstm", "gru"})],
        "n_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "attention": [StrOptions({"luong", "bahdanau"}), None],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "learning_rate_schedule": [StrOptions({"constant", "linear", "cosine", "plateau"})],
        "learning_rate_floor": [Interval(Real, 0, 1, closed="both")],
        "warmup_fraction": [Interval(Real, 0, 1, closed="left")],
        "global_clipnorm": [Interval(Real, 0, None, closed="neither"), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "max_output_length": [Interval(Integral, 1, None, closed="left"), None],
        "beam_width": [Interval(Integral, 1, None, closed="left")],
        "length_penalty": [Interval(Real, 0, None, closed="left")],
        "max_tokens": [Interval(Integral, 1, None, closed="left"), None],
        "min_frequency": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
            None,
        ],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "validation_metric": [StrOptions({"sequence_accuracy", "loss"})],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, None],
    }

    def __init__(
        self,
        n_units=128,
        cell="lstm",
        n_layers=1,
        bidirectional=False,
        attention=None,
        embedding_dim=None,
        dropout=0.0,
        epochs=10,
        batch_size=128,
        learning_rate=0.01,
        learning_rate_schedule="linear",
        learning_rate_floor=0.01,
        warmup_fraction=0.0,
        global_clipnorm=1.0,
        label_smoothing=0.0,
        max_output_length=None,
        beam_width=1,
        length_penalty=0.0,
        max_tokens=None,
        min_frequency=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        validation_metric="sequence_accuracy",
        warm_start=False,
        random_state=None,
        verbose=0,
        callbacks=None,
    ):
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
        self.max_output_length = max_output_length
        self.beam_width = beam_width
        self.length_penalty = length_penalty
        self.max_tokens = max_tokens
        self.min_frequency = min_frequency
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
    def fit(
        self,
        X: SequenceBatch,
        y: SequenceBatch,
        *,
        X_val: SequenceBatch | None = None,
        y_val: SequenceBatch | None = None,
    ) -> Seq2SeqLSTM:
        """Learn the vocabularies and train the network.

        Ctrl-C (``KeyboardInterrupt``) stops training after the current
        batch: the estimator keeps the weights learned so far, stays fitted
        and warns.  A second Ctrl-C interrupts at once and leaves the
        estimator as it was before ``fit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences: a 2-D array of tokens, or a list of strings or
            of token lists of any lengths.
        y : array-like of shape (n_samples, target length) or (n_samples,), \
                or list of sequences
            Target sequences, given like ``X``; a 1-D array holds one label
            per sample.
        X_val, y_val : array-like or list of sequences, default=None
            Validation samples, given in any kind ``X`` and ``y`` accept
            (read with the vocabularies learned from ``X`` and ``y``: their
            tokens never enter them).  Evaluated after every epoch
            (``history_["val_*"]``, ``validation_scores_``); with
            ``early_stopping`` they replace the ``validation_fraction``
            held out of the training samples.  Give both or neither.  In a
            :class:`~sklearn.pipeline.Pipeline`, ``transform_input=["X_val"]``
            transforms ``X_val`` as ``X``.

        Returns
        -------
        self : Seq2SeqLSTM
            The fitted estimator.

        Warns
        -----
        ConvergenceWarning
            When ``epochs`` ran out while the monitored score (validation
            score, else training loss) still improved by more than ``tol``
            in the last epoch.
        """
        # A rejected or failed fit must leave a fitted estimator as it was.
        previous_state = self.__dict__.copy()
        try:
            return self._fit(X, y, X_val, y_val)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous_state)
            raise

    def _fit(self, X, Y, X_val, y_val):
        warm = self.warm_start and hasattr(self, "model_")
        if warm and self._architecture != self._architecture_params():
            raise ValueError(
                f"warm_start cannot change the network ({self._architecture} when fitted, "
                f"{self._architecture_params()} now); set warm_start=False to train a new model."
            )
        if (X_val is None) != (y_val is None):
            raise ValueError("fit needs both X_val and y_val, or neither.")
        data = self._training_data(X, Y, warm)
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        if X_val is not None:
            validation = self._validation_data(X_val, y_val, data)
        else:
            data, validation = self._split_validation(data, seed)

        import_tensorflow()
        from .training import (
            batches_per_epoch,
            fit_model,
            new_model,
            recompile,
            to_tensors,
        )

        # Training reads TensorFlow's copy of the ids: NumPy's can go.
        data = to_tensors(data)
        validation = None if validation is None else to_tensors(validation)
        recipe = {
            "learning_rate": self.learning_rate,
            "global_clipnorm": self.global_clipnorm,
            "label_smoothing": self.label_smoothing,
        }
        if warm:
            recompile(self.model_, recipe)
        else:
            self._architecture = self._architecture_params()
            self.model_ = new_model(
                n_source_ids=self.source_vocabulary_.n_ids,
                n_target_ids=self.target_vocabulary_.n_ids,
                n_classes=len(self._codec.classes),
                recipe=recipe,
                seed=seed,
                max_length=max(data.source_ids.shape[1], data.labels.shape[1]),
                mask_source=data.source_lengths is not None,
                mask_target=self._ends_with_eos,
                dropout=self.dropout,
                **self._architecture,
            )
        # Fresh copies per fit: no callback state leaks from one fit into the
        # next, and the parameter never holds a model (clone deep-copies it).
        callbacks = copy.deepcopy(list(self.callbacks or []))
        batch_size = min(self.batch_size, len(data.source_ids))
        monitor, mode = monitored(validation is not None, self.validation_metric)
        stopper = stopping_callback(
            monitor,
            mode,
            early_stopping=self.early_stopping,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
        )
        history, interrupted = fit_model(
            self.model_,
            data,
            epochs=self.epochs,
            batch_size=batch_size,
            seed=seed,
            verbose=self.verbose,
            callbacks=[
                *callbacks,
                *self._learning_rate_callbacks(
                    batches_per_epoch(self.model_, data, batch_size), monitor, mode
                ),
                stopper,
            ],
            validation=validation,
        )
        self._record_history(history, stopper, warm, validated=validation is not None)
        if interrupted:
            warnings.warn(
                f"fit was interrupted (Ctrl-C) after {len(history['loss'])} epoch(s); the "
                "estimator keeps the weights learned so far.",
                UserWarning,
                stacklevel=3,
            )
        elif not stopper.stopped_epoch:
            warn_if_still_improving(
                history[monitor], mode, tol=self.tol, epochs=self.epochs, stacklevel=4
            )
        self._build_inference()
        return self

    def _learning_rate_callbacks(self, n_batches, monitor, mode):
        """Keras callbacks that run the learning-rate schedule of this fit."""
        from .recipe import learning_rate_callbacks

        return learning_rate_callbacks(
            self.learning_rate_schedule,
            learning_rate=self.learning_rate,
            n_steps=self.epochs * n_batches,
            warmup_fraction=self.warmup_fraction,
            floor=self.learning_rate_floor,
            monitor=monitor,
            mode=mode,
            tol=self.tol,
        )

    def _training_data(self, X, Y, warm):
        """Validate ``X`` and ``Y``, learn the vocabularies; the encoded samples."""
        target_kind = sequence_kind(Y, labels_in_arrays=True, name="y")
        source_ids, source_lengths = self._read_fit_sources(X, Y, target_kind, warm)
        check_consistent_length(source_ids, Y)
        tokens, lengths, target_kind = read_targets(Y, target_kind)
        if warm:
            self._codec.check_warm_targets(target_kind, lengths)
        else:
            self.target_vocabulary_, self._ends_with_eos, n_outputs = Codec.learn_targets(
                tokens, lengths, target_kind, max_output_length=self.max_output_length
            )
            self._target_kind = target_kind
            self._set_output_layout(n_outputs)
        codec = self._codec
        target_ids, target_lengths = codec.training_targets(tokens, lengths, warm=warm)
        return codec.training_data(source_ids, source_lengths, target_ids, target_lengths)

    def _read_fit_sources(self, X, Y, target_kind, warm=False):
        """Validate the sources, learn their vocabulary; ids and lengths.

        Equal-length lists of scalar tokens are a 2-D array, as everywhere
        in scikit-learn: the model then expects that width in ``predict``.
        A warm start keeps the vocabulary (and the width of 2-D sources).
        """
        kind = sequence_kind(X)
        sources = None if kind == ARRAY else read_sequences(X, kind, name="X")
        if kind == LISTS and sources.tokens.dtype != object:
            if np.all(sources.lengths == sources.lengths[0]):
                kind, X = ARRAY, sources.tokens.reshape(len(sources), -1)
        if kind == ARRAY:
            check = dict(dtype=None, ensure_all_finite=True, reset=not warm)
            if target_kind == ARRAY:
                X, _ = validate_data(self, X, Y, multi_output=True, **check)
            else:
                X = validate_data(self, X, **check)
            X = check_token_array(X, name="X")
            tokens, lengths = X.reshape(-1), None
        else:
            if not warm:
                for name in ("n_features_in_", "feature_names_in_"):
                    self.__dict__.pop(name, None)  # a refit on sequences forgets the width
            tokens, lengths = sources.tokens, sources.lengths
        if not warm:
            self.source_vocabulary_ = Vocabulary.from_tokens(
                tokens, max_tokens=self.max_tokens, min_frequency=self.min_frequency, name="X"
            )
        ids = self.source_vocabulary_.encode(tokens)
        if warm and self.max_tokens is None and self.min_frequency is None:
            reject_new_tokens(ids, tokens, "X")
        if lengths is None:
            return ids.reshape(X.shape), None
        return pad_ids(ids, lengths), lengths

    def _architecture_params(self):
        """The parameters that shape the network: a warm start must keep them."""
        return {name: getattr(self, name) for name in _ARCHITECTURE}

    def _validation_data(self, X_val, y_val, data):
        """Encode ``X_val``/``y_val`` with the fitted vocabularies, as the training data."""
        source_ids, source_lengths = self._read_sources(X_val, name="X_val")
        if source_lengths is not None and data.source_lengths is None:
            raise ValueError(
                f"X_val holds sequences of {length_range(source_lengths)} tokens, but the "
                f"training sources all have {data.source_ids.shape[1]}: give X_val the length of X."
            )
        if source_lengths is None and data.source_lengths is not None:
            source_lengths = np.full(len(source_ids), source_ids.shape[1])
        return self._codec.held_out_data(source_ids, source_lengths, y_val, name="y_val")

    def _split_validation(self, data, seed):
        """Hold out ``validation_fraction`` of the samples for early stopping."""
        if not self.early_stopping:
            return data, None
        n_samples = len(data.source_ids)
        n_validation = int(np.ceil(self.validation_fraction * n_samples))
        if n_validation >= n_samples:
            raise ValueError(
                f"early_stopping with validation_fraction={self.validation_fraction} leaves no "
                f"training samples out of {n_samples}."
            )
        order = np.random.RandomState(seed).permutation(n_samples)
        return data.take(order[n_validation:]), data.take(order[:n_validation])

    def _record_history(self, history, stopper, warm, validated):
        """Set history_, loss_curve_, n_iter_ and the validation attributes."""
        n_before = self.n_iter_ if warm else 0
        self.history_ = merge_history(self.history_ if warm else {}, history)
        self.loss_curve_ = self.history_["loss"]
        self.n_iter_ = len(self.loss_curve_)
        self.validation_scores_ = self.history_["val_sequence_accuracy"] if validated else None
        if self.early_stopping:
            self.best_loss_ = None
            self.best_epoch_ = n_before + stopper.best_epoch + 1
            self.best_validation_score_ = self.validation_scores_[self.best_epoch_ - 1]
        else:
            self.best_loss_ = float(np.nanmin(self.loss_curve_))
            self.best_validation_score_ = self.best_epoch_ = None

    def _set_output_layout(self, n_outputs):
        """Set n_outputs_, max_output_length_ and classes_."""
        self.max_output_length_ = self.n_outputs_ = n_outputs
        self.classes_ = self._codec.classes_attribute

    @property
    def _codec(self):
        """The fitted sequence layout (built from the fitted attributes)."""
        return Codec(
            self.source_vocabulary_,
            self.target_vocabulary_,
            self._target_kind,
            self._ends_with_eos,
            self.max_output_length_,
        )

    def _build_inference(self):
        import_tensorflow()
        from .predictor import Predictor

        self._predictor = Predictor(self.model_, self._codec)

    @property
    def encoder_model_(self):
        """Inference encoder (Keras), built on first use."""
        return self._predictor.inference_models[0]

    @property
    def decoder_model_(self):
        """Inference decoder (Keras), built on first use."""
        return self._predictor.inference_models[1]

    def _check_decoding_params(self):
        """Validate what decoding reads: set_params may have changed it since fit."""
        validate_parameter_constraints(
            {name: self._parameter_constraints[name] for name in _DECODING},
            {name: getattr(self, name) for name in _DECODING},
            caller_name=type(self).__name__,
        )

    def _decoding(self):
        """``predict``'s decoding options for the predictor."""
        return {"beam_width": self.beam_width, "length_penalty": float(self.length_penalty)}

    def _source_ids(self, X):
        """Validated source ids, and lengths for variable-length sources."""
        check_is_fitted(self)
        self._check_decoding_params()
        return self._read_sources(X)

    def _read_sources(self, X, name="X"):
        """Source ids (and lengths if they vary) read with the fitted vocabulary."""
        kind = sequence_kind(X, name=name)
        if kind == ARRAY:
            try:
                X = validate_data(self, X, dtype=None, ensure_all_finite=True, reset=False)
            except ValueError as error:
                if name == "X":
                    raise
                raise ValueError(f"{name}: {error}") from error
            return self.source_vocabulary_.encode(check_token_array(X, name=name)), None
        sources = read_sequences(X, kind, name=name)
        ids = self._codec.source_ids(sources.tokens, sources.lengths)
        if np.all(sources.lengths == sources.lengths[0]):
            return ids, None  # no padding: the fixed-length path
        return ids, sources.lengths

    def predict(self, X: SequenceBatch) -> SequenceBatch:
        """Decode target sequences: greedily, or by beam search if ``beam_width > 1``.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences, given as in ``fit``.

        Returns
        -------
        Y : ndarray of shape (n_samples, target length) or (n_samples,), \
                or list of sequences
            Predicted target sequences, in the kind ``y`` had in ``fit``:
            a 2-D (or 1-D) array, a list of strings or a list of lists.
        """
        source_ids, lengths = self._source_ids(X)
        classes = self._predictor.classes(source_ids, lengths, **self._decoding())
        return self._codec.format(classes)

    def attention_weights(
        self, X: SequenceBatch, *, return_predictions: bool = False
    ) -> np.ndarray | list[np.ndarray] | tuple:
        """Attention of each greedily decoded token over the source tokens.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length), or list of sequences
            Source sequences, given as in ``fit``.
        return_predictions : bool, default=False
            Also return the greedily decoded sequences the rows follow (as
            ``predict`` returns them with ``beam_width=1``), from the same
            decode.

        Returns
        -------
        weights : ndarray of shape (n_samples, n_outputs, source length) or list
            For fixed-length sources and targets one array; otherwise, per
            sample, an array of shape (output length, source length), one
            row per token ``predict`` returns with ``beam_width=1`` (and,
            for variable-length targets, a last row for the end symbol).
            Each row sums to 1 over the source positions.
        Y : ndarray or list of sequences
            The decoded sequences; only with ``return_predictions=True``.

        Raises
        ------
        ValueError
            If the model was fitted with ``attention=None``.
        """
        check_is_fitted(self)
        if self._architecture.get("attention") is None:
            raise ValueError("attention_weights needs a model fitted with attention.")
        source_ids, lengths = self._source_ids(X)
        classes, weights = self._predictor.attention(source_ids, lengths)
        if return_predictions:
            return weights, self._codec.format(classes)
        return weights

    def predict_nbest(self, X: SequenceBatch, n_best: int = 5) -> tuple[SequenceBatch, np.ndarray]:
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
        classes, log_probabilities = self._predictor.nbest(
            source_ids, lengths, n_best, **self._decoding()
        )
        n_samples, steps = len(classes), classes.shape[2]
        flat = self._codec.format(classes.reshape(-1, steps))
        if isinstance(flat, np.ndarray):
            Y_nbest = flat.reshape(n_samples, n_best, *flat.shape[1:])
        else:
            Y_nbest = [flat[i : i + n_best] for i in range(0, len(flat), n_best)]
        return Y_nbest, log_probabilities

    def log_likelihood(self, X: SequenceBatch, y: SequenceBatch) -> np.ndarray:
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
        classes, target_lengths, decoder_input = self._codec.targets(y)
        if len(classes) != len(source_ids):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {len(source_ids)} and "
                f"{len(classes)}."
            )
        log_p = self._predictor.log_probabilities(source_ids, lengths, decoder_input)
        token_log_p = np.take_along_axis(log_p, np.maximum(classes, 0)[..., None], axis=-1)[..., 0]
        token_log_p[classes < 0] = -np.inf  # unknown target tokens
        inside = position_mask(target_lengths, classes.shape[1])
        return np.where(inside, token_log_p, 0.0).sum(axis=1)

    def predict_proba(self, X: SequenceBatch) -> np.ndarray | list[np.ndarray]:
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
        _, probabilities = self._predictor.probabilities(source_ids, lengths, **self._decoding())
        if self._target_kind == LABELS:
            return probabilities[:, 0]
        return [probabilities[:, j] for j in range(self.n_outputs_)]

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
            Exact-sequence accuracy in [0, 1].
        """
        if sample_weight is not None:
            raise ValueError("Seq2SeqLSTM.score does not support sample_weight.")
        check_is_fitted(self)
        self._codec.targets(y)  # y fits the model (e.g. its target length), or a clear error
        return sequence_accuracy_score(y, self.predict(X))

    def save(self, path: str | os.PathLike) -> None:
        """Save the estimator to one file, without pickle.

        Load it with :func:`sklearn_seq2seq.load`, which executes nothing
        from the file.  See :mod:`sklearn_seq2seq.archive` for the
        format; ``callbacks`` are not saved.

        Parameters
        ----------
        path : str or os.PathLike
            Destination file (replaced atomically).
        """
        from .archive import save

        save(self, path)

    def export(self, path: str | os.PathLike) -> None:
        """Export the decoder as a TensorFlow SavedModel for serving.

        The directory needs only TensorFlow: ``tf.saved_model.load(path)
        .decode(source_ids, source_lengths)`` decodes a batch as
        ``predict`` does, in ids; ``vocabulary.json`` maps tokens to ids.
        See :func:`sklearn_seq2seq.serving.export`.

        Parameters
        ----------
        path : str or os.PathLike
            Directory to write.
        """
        check_is_fitted(self)
        self._check_decoding_params()
        from .serving import export

        export(self._predictor, path, **self._decoding())

    def __getstate__(self):
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        for name in _INFERENCE_STATE:
            state.pop(name, None)
        if "model_" in state:
            # Keras's own format, not Keras's pickling: unpickling then
            # imports this package's layers before it rebuilds the model.
            from .archive import keras_bytes

            state["model_"] = keras_bytes(state["model_"])
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), bytes):
            from .archive import keras_model

            state = {**state, "model_": keras_model(state["model_"], "pickled estimator")}
        super().__setstate__(state)
        if "model_" in state:
            self._build_inference()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.target_tags.multi_output = True
        return tags
