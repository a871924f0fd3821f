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
from sklearn.utils.validation import check_is_fitted, validate_data

from .metrics import sequence_accuracy_score
from .preprocessing import (
    N_RESERVED,
    SequenceOneHotEncoder,
    check_token_array,
    shift_right,
)

# Fitted state that TensorFlow objects hold and pickling rebuilds.
_INFERENCE_STATE = ("encoder_model_", "decoder_model_", "_decoder")


class Seq2SeqLSTM(ClassifierMixin, BaseEstimator):
    """Encoder-decoder LSTM for sequence-to-sequence prediction.

    An LSTM encoder reads the source sequence; its final states ``[h, c]``
    initialise an LSTM decoder trained with teacher forcing (the target
    shifted right behind a start symbol) and a softmax over the target
    tokens.  ``predict`` decodes greedily, the whole batch in one compiled
    TensorFlow call.

    Sequences are rows of a 2-D array of tokens: integers, strings or any
    orderable values.  Each output position is one output of a multi-output
    classifier whose classes are the target tokens seen in ``fit``.  Source
    tokens not seen in ``fit`` are read as an "unknown" symbol.

    Parameters
    ----------
    n_units : int, default=128
        Number of LSTM units in the encoder and in the decoder.
    epochs : int, default=10
        Number of passes over the training data.
    batch_size : int, default=128
        Sequences per gradient step (capped at the number of samples).
    learning_rate : float, default=0.01
        Adam's learning rate.
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
        Target tokens.  For 2-D targets a list with one (identical) array
        per output position, following scikit-learn's multi-output
        convention.
    n_outputs_ : int
        Target sequence length.
    source_encoder_ : SequenceOneHotEncoder
        Vocabulary of the source tokens.
    target_encoder_ : SequenceOneHotEncoder
        Vocabulary of the target tokens.
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
        Source sequence length.

    See Also
    --------
    SequenceOneHotEncoder : The token encoding used for sources and targets.

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
    """

    _parameter_constraints = {
        "n_units": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
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
        random_state=None,
        verbose=0,
        callbacks=None,
    ):
        self.n_units = n_units
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Learn the vocabularies and train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length)
            Source token sequences.
        y : array-like of shape (n_samples, target length) or (n_samples,)
            Target token sequences; 1-D for length-1 targets.

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
        X, Y = validate_data(self, X, Y, multi_output=True, dtype=None, ensure_all_finite=True)
        check_token_array(X, name="X")
        check_token_array(Y, name="Y")
        check_classification_targets(Y)
        Y = np.asarray(Y)
        self._y_ndim = Y.ndim
        Y = Y.reshape(len(Y), -1)

        self.source_encoder_ = SequenceOneHotEncoder().fit(X)
        self.target_encoder_ = SequenceOneHotEncoder().fit(Y)
        tokens = self.target_encoder_.tokens_
        self.n_outputs_ = Y.shape[1]
        self.classes_ = tokens if self._y_ndim == 1 else [tokens] * self.n_outputs_

        source_ids = self.source_encoder_.encode_validated(X)
        labels = self.target_encoder_.encode_validated(Y)
        decoder_input_ids = shift_right(labels)
        labels -= N_RESERVED  # in place: output class = target id - reserved ids
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))

        from .training import train  # imports TensorFlow

        self.model_, self.history_ = train(
            source_ids,
            decoder_input_ids,
            labels,
            n_source_ids=self.source_encoder_.n_ids_,
            n_target_ids=self.target_encoder_.n_ids_,
            n_classes=len(tokens),
            n_units=self.n_units,
            epochs=self.epochs,
            batch_size=min(self.batch_size, len(X)),
            learning_rate=self.learning_rate,
            seed=seed,
            verbose=self.verbose,
            callbacks=self.callbacks,
        )
        self._build_inference()
        return self

    def _build_inference(self):
        from .decoding import GreedyDecoder
        from .network import build_inference_models

        self.encoder_model_, self.decoder_model_ = build_inference_models(self.model_)
        self._decoder = GreedyDecoder(
            self.model_, source_length=self.n_features_in_, n_steps=self.n_outputs_
        )

    def _source_ids(self, X):
        X = validate_data(self, X, dtype=None, ensure_all_finite=True, reset=False)
        check_token_array(X, name="X")
        return self.source_encoder_.encode_validated(X)

    def predict(self, X):
        """Decode target sequences greedily.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length)
            Source token sequences.

        Returns
        -------
        Y : ndarray of shape (n_samples, target length) or (n_samples,)
            Predicted target tokens, 1-D when ``fit`` got 1-D targets.
        """
        check_is_fitted(self)
        classes = self._decoder(self._source_ids(X))
        return self._tokens(classes)

    def _tokens(self, classes):
        tokens = self.target_encoder_.tokens_[classes]
        return tokens[:, 0] if self._y_ndim == 1 else tokens

    def predict_proba(self, X):
        """Per-position token probabilities along the greedy decode.

        Position ``j``'s distribution is conditioned on the greedy tokens
        before it, so its argmax is ``predict(X)[:, j]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length)
            Source token sequences.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of such
            For 1-D targets one array; otherwise a list with one array per
            output position (scikit-learn's multi-output convention).
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        _, probabilities = self._decoder(self._source_ids(X), return_probabilities=True)
        if self._y_ndim == 1:
            return probabilities[:, 0]
        return [probabilities[:, j] for j in range(self.n_outputs_)]

    def score(self, X, y, sample_weight=None):
        """Exact-sequence accuracy: the fraction of sequences fully right.

        Parameters
        ----------
        X : array-like of shape (n_samples, source length)
            Source token sequences.
        y : array-like of shape (n_samples, target length) or (n_samples,)
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
