"""The network's Keras layers and the layer-name contract.

The training model (:mod:`~sklearn_seq2seq._network.model`) names its layers
here; the plain-TensorFlow copy of the network (:mod:`~sklearn_seq2seq._network.ops`)
finds the trained variables by the same names.  The custom layers are
registered with Keras, so saved models load with ``safe_mode`` on:
:class:`OneHot` (one-hot ids, masking the padding) and the recurrent layers
that read one-hot inputs as rows of their input kernel
(:class:`IdentityInputKernel`).  This module imports TensorFlow; importing
it sizes TensorFlow's thread pools (:mod:`~sklearn_seq2seq._runtime.threads`).
"""

import keras

from .._input.vocabulary import PAD_ID
from .._runtime.threads import limit_tensorflow_threads

# Every path to a TensorFlow operation in this package imports this module
# first: size the thread pools while they can still be sized.
limit_tensorflow_threads()

SOURCE_EMBEDDING = "source_embedding"
TARGET_EMBEDDING = "target_embedding"
ATTENTION_QUERY = "attention_query"
ATTENTION_KEYS = "attention_keys"
ATTENTION = "attention"
ATTENTION_OUTPUT = "attention_output"
OUTPUT_DENSE = "output_dense"
# One-hot inputs more than this many times wider than a layer's gates are
# read as rows of the input kernel (see IdentityInputKernel).
LOOKUP_MIN_WIDTH_RATIO = 2
N_STATES = {"lstm": 2, "gru": 1}
N_GATES = {"lstm": 4, "gru": 3}


def encoder_name(layer):
    """Name of encoder layer ``layer`` (0 = reads the embedded source)."""
    return f"encoder_{layer}"


def decoder_name(layer):
    """Name of decoder layer ``layer`` (0 = reads the embedded target)."""
    return f"decoder_{layer}"


def count_layers(training_model):
    """Number of stacked decoder (and encoder) layers of a training model."""
    names = {layer.name for layer in training_model.layers}
    return sum(decoder_name(layer) in names for layer in range(len(names)))


def bridge_name(layer, state):
    """Name of the Dense mapping bidirectional state ``state`` of ``layer``."""
    return f"bridge_{layer}_{state}"


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


class IdentityInputKernel:
    """Recurrent layer whose input kernel is a fixed (non-trainable) identity.

    A one-hot input times the input kernel selects kernel rows.  For a wide
    vocabulary that product dominates training, in time (an
    ``(ids, gates)`` matmul per step) and in memory (a ``(batch, time,
    ids)`` float tensor per side).  Such models hold the kernel in a
    :class:`keras.layers.Embedding` of width ``gates``, initialised as the
    kernel would be, and feed its rows through this layer's identity
    kernel: ``rows @ I == rows`` exactly in floating point, so the network
    computes what the one-hot model computes, and the layer stays a stock
    Keras layer (cuDNN-eligible on a GPU).
    """

    # Keras maps call arguments to build arguments by name: keep RNN.build's.
    def build(self, sequences_shape, initial_state_shape=None):
        super().build(sequences_shape, initial_state_shape)
        self.cell.kernel.trainable = False


@keras.saving.register_keras_serializable(package="sklearn_seq2seq")
class LookupLSTM(IdentityInputKernel, keras.layers.LSTM):
    """:class:`keras.layers.LSTM` reading kernel rows (:class:`IdentityInputKernel`)."""


@keras.saving.register_keras_serializable(package="sklearn_seq2seq")
class LookupGRU(IdentityInputKernel, keras.layers.GRU):
    """:class:`keras.layers.GRU` reading kernel rows (:class:`IdentityInputKernel`)."""


CELLS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
LOOKUP_CELLS = {"lstm": LookupLSTM, "gru": LookupGRU}


def reads_kernel_rows(n_ids, n_units, cell="lstm"):
    """Whether one-hot inputs of ``n_ids`` ids are read as kernel rows.

    Parameters
    ----------
    n_ids : int
        Width of the one-hot input (vocabulary size, reserved ids included).
    n_units : int
        Units of the recurrent layer reading it.
    cell : {"lstm", "gru"}, default="lstm"
        Its type.

    Returns
    -------
    lookup : bool
        True when the vocabulary is more than ``LOOKUP_MIN_WIDTH_RATIO``
        times wider than the gates (the identity kernel then costs far
        less than the one-hot matmul it replaces).

    Examples
    --------
    >>> reads_kernel_rows(54, 128), reads_kernel_rows(20_004, 128)
    (False, True)
    """
    return n_ids > LOOKUP_MIN_WIDTH_RATIO * N_GATES[cell] * n_units
