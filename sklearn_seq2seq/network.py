"""Keras side: the training model and the inference encoder and decoder.

Three models share one set of layers, as in the origin tutorial:

* training model: ``[source ids, shifted target ids] -> target logits``
  (teacher forcing);
* inference encoder: ``source ids -> [h, c]``;
* inference decoder: ``[previous token id, h, c] -> [probabilities, h, c]``.

Inputs are integer ids; the one-hot expansion happens inside the graph, so
host memory only ever holds ids.  For variable-length data the one-hot
layers mask the padding id: the encoder LSTM then carries its state
unchanged over padding (so right-padded sources end in the state of their
last real token), and the mask reaches the loss through the decoder, so
padded target positions never count.  Where a GPU is visible the LSTMs keep
Keras's defaults (tanh, sigmoid, no recurrent dropout, not unrolled), which
makes them eligible for the cuDNN kernel.  Without a GPU, short sequences
(up to ``UNROLL_MAX_LENGTH`` steps) are unrolled: an unrolled graph traces
and trains faster on a CPU than a ``while_loop`` (1-2 s less per ``fit`` on
small data), but, as Keras warns, it holds every step's activations and
gradients at once, so longer sequences keep the loop.
This module imports TensorFlow and is only imported once a model is built.
"""

import keras
import tensorflow as tf

from .vocabulary import PAD_ID

SOURCE_ONE_HOT = "source_one_hot"
TARGET_ONE_HOT = "target_one_hot"
ENCODER_LSTM = "encoder_lstm"
DECODER_LSTM = "decoder_lstm"
OUTPUT_DENSE = "output_dense"
UNROLL_MAX_LENGTH = 10


@keras.saving.register_keras_serializable(package="sklearn_seq2seq")
class OneHot(keras.layers.Layer):
    """One-hot expansion of integer ids: ``(batch, time) -> (batch, time, depth)``.

    ``keras.layers.CategoryEncoding`` would do, except that it reads a
    trailing axis of length 1 as the token axis, which breaks length-1
    sequences (one decoder step, length-1 targets).

    Parameters
    ----------
    depth : int
        Number of ids.
    mask_padding : bool, default=False
        Emit a Keras mask that is False at the padding id (0).
    **kwargs
        Passed to :class:`keras.layers.Layer`.

    Examples
    --------
    >>> import numpy as np
    >>> tuple(OneHot(5)(np.array([[1, 2, 3]])).shape)
    (1, 3, 5)
    """

    def __init__(self, depth, mask_padding=False, **kwargs):
        super().__init__(**kwargs)
        self.depth = depth
        self.mask_padding = mask_padding

    def call(self, ids):
        return keras.ops.one_hot(keras.ops.cast(ids, "int32"), self.depth)

    def compute_mask(self, ids, mask=None):
        if not self.mask_padding:
            return None
        return keras.ops.not_equal(ids, PAD_ID)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.depth)

    def get_config(self):
        return {**super().get_config(), "depth": self.depth, "mask_padding": self.mask_padding}


def unrolls(max_length):
    """Whether sequences up to ``max_length`` steps train unrolled here.

    Parameters
    ----------
    max_length : int or None
        Longest source or target sequence; None when unknown.

    Returns
    -------
    unroll : bool
        True on a CPU for ``max_length <= UNROLL_MAX_LENGTH``.  Unrolled
        models need a fixed sequence length per batch.
    """
    short = max_length is not None and max_length <= UNROLL_MAX_LENGTH
    return short and not tf.config.list_physical_devices("GPU")


def build_training_model(
    *,
    n_source_ids,
    n_target_ids,
    n_classes,
    n_units,
    seed=None,
    max_length=None,
    mask_source=False,
    mask_target=False,
):
    """Build the teacher-forcing training model.

    Parameters
    ----------
    n_source_ids : int
        Size of the source vocabulary, reserved ids included.
    n_target_ids : int
        Size of the target vocabulary, reserved ids included (the decoder's
        input side).
    n_classes : int
        Number of output classes (target tokens the softmax ranges over).
    n_units : int
        LSTM units in the encoder and decoder.
    seed : int or None, default=None
        Seed of the weight initialisers; ``None`` draws fresh weights.
    max_length : int or None, default=None
        Longest source or target sequence the model will train on; the
        LSTMs are unrolled when :func:`unrolls` says so.
    mask_source, mask_target : bool, default=False
        Mask the padding id in the sources (variable-length sources) and in
        the decoder input and loss (variable-length targets).  Right-padded
        masks keep the LSTMs eligible for cuDNN.

    Returns
    -------
    training_model : keras.Model
        ``[source ids, shifted target ids] -> logits`` of shape
        ``(batch, target length, n_classes)``.

    Examples
    --------
    >>> model = build_training_model(
    ...     n_source_ids=10, n_target_ids=10, n_classes=6, n_units=8, seed=0)
    >>> tuple(model.output.shape)
    (None, None, 6)
    """

    def init(kind, offset):
        return kind(seed=None if seed is None else seed + offset)

    unroll = unrolls(max_length)

    def lstm(name, seed_offset, **kwargs):
        return keras.layers.LSTM(
            n_units,
            return_state=True,
            unroll=unroll,
            kernel_initializer=init(keras.initializers.GlorotUniform, seed_offset),
            recurrent_initializer=init(keras.initializers.Orthogonal, seed_offset + 1),
            name=name,
            **kwargs,
        )

    source = keras.Input(shape=(None,), dtype="int32", name="source_ids")
    decoder_input = keras.Input(shape=(None,), dtype="int32", name="decoder_input_ids")
    source_one_hot = OneHot(n_source_ids, mask_padding=mask_source, name=SOURCE_ONE_HOT)
    target_one_hot = OneHot(n_target_ids, mask_padding=mask_target, name=TARGET_ONE_HOT)
    encoder_lstm = lstm(ENCODER_LSTM, 0)
    decoder_lstm = lstm(DECODER_LSTM, 2, return_sequences=True)
    output_dense = keras.layers.Dense(
        n_classes,
        kernel_initializer=init(keras.initializers.GlorotUniform, 4),
        name=OUTPUT_DENSE,
    )

    _, state_h, state_c = encoder_lstm(source_one_hot(source))
    decoded, _, _ = decoder_lstm(target_one_hot(decoder_input), initial_state=[state_h, state_c])
    return keras.Model([source, decoder_input], output_dense(decoded), name="seq2seq_training")


def build_inference_models(training_model):
    """Wire the inference encoder and decoder from the training model's layers.

    Parameters
    ----------
    training_model : keras.Model
        A model from :func:`build_training_model`.

    Returns
    -------
    encoder_model : keras.Model
        ``source ids -> [h, c]``.
    decoder_model : keras.Model
        ``[previous token id of shape (batch, 1), h, c] ->
        [probabilities of shape (batch, 1, n_classes), h, c]``.

    Examples
    --------
    >>> model = build_training_model(
    ...     n_source_ids=10, n_target_ids=10, n_classes=6, n_units=8, seed=0)
    >>> encoder, decoder = build_inference_models(model)
    >>> [tuple(t.shape) for t in decoder.outputs]
    [(None, 1, 6), (None, 8), (None, 8)]
    """
    encoder_lstm = training_model.get_layer(ENCODER_LSTM)
    decoder_lstm = training_model.get_layer(DECODER_LSTM)
    n_units = decoder_lstm.units
    encoder_model = keras.Model(
        training_model.inputs[0], encoder_lstm.output[1:], name="seq2seq_encoder"
    )

    previous_token = keras.Input(shape=(1,), dtype="int32", name="previous_token_id")
    h_in = keras.Input(shape=(n_units,), name="state_h")
    c_in = keras.Input(shape=(n_units,), name="state_c")
    step, h_out, c_out = decoder_lstm(
        training_model.get_layer(TARGET_ONE_HOT)(previous_token),
        initial_state=[h_in, c_in],
    )
    logits = training_model.get_layer(OUTPUT_DENSE)(step)
    probabilities = keras.layers.Activation("softmax", name="probabilities")(logits)
    decoder_model = keras.Model(
        [previous_token, h_in, c_in],
        [probabilities, h_out, c_out],
        name="seq2seq_decoder",
    )
    return encoder_model, decoder_model
