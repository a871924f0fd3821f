"""The pair of ``model``: the trained network as plain TensorFlow ops.

The decoders (``_decoding.greedy``, ``_decoding.beam``) trace these functions into
``tf.function`` graphs.  They read the trained Keras layers' own variables
instead of calling the layers, for two reasons: a one-hot input times a
kernel is a row lookup, so ``tf.gather`` replaces that matmul exactly; and
one decoder step for any leading shape (chunks of rows, beams) is one set
of batched matmuls.  Gate orders and activations follow
:class:`keras.layers.LSTMCell` (i, f, c, o) and :class:`keras.layers.GRUCell`
(z, r, h, ``reset_after=True``); attention follows
:class:`keras.layers.Attention` and :class:`keras.layers.AdditiveAttention`
(masked scores minus 1e9).  Tests check every option against the Keras
inference models built from the same layers.
"""

import keras
import tensorflow as tf

from .layers import (
    ATTENTION,
    ATTENTION_KEYS,
    ATTENTION_OUTPUT,
    ATTENTION_QUERY,
    OUTPUT_DENSE,
    SOURCE_EMBEDDING,
    TARGET_EMBEDDING,
    IdentityInputKernel,
    bridge_name,
    count_layers,
    decoder_name,
    encoder_name,
)

MASKED_SCORE_OFFSET = 1.0e9  # what Keras's attention subtracts at padding


class Cell:
    """One trained recurrent cell (LSTM or GRU) as TensorFlow ops.

    Parameters
    ----------
    keras_cell : keras.layers.LSTMCell or keras.layers.GRUCell
        The trained cell.
    identity_kernel : bool, default=False
        The cell's input kernel is a fixed identity: its input embedding
        holds the kernel rows (:class:`~sklearn_seq2seq._network.layers.IdentityInputKernel`).
    """

    def __init__(self, keras_cell, identity_kernel=False):
        self.cell = keras_cell
        self.identity_kernel = identity_kernel
        self.units = keras_cell.units
        self.gru = isinstance(keras_cell, keras.layers.GRUCell)

    def _input_bias(self):
        return self.cell.bias[0] if self.gru else self.cell.bias

    def project(self, inputs):
        """Input projection of dense inputs ``(..., width) -> (..., gates)``."""
        return row_matmul(inputs, self.cell.kernel) + self._input_bias()

    def project_ids(self, ids, embedding=None):
        """Input projection of token ids: a row lookup for one-hot inputs."""
        if embedding is None:
            return tf.gather(self.cell.kernel, ids) + self._input_bias()
        if self.identity_kernel:
            return tf.gather(embedding, ids) + self._input_bias()
        return self.project(tf.gather(embedding, ids))

    def step(self, projection, states):
        """One step from the input projection; ``states=None`` means zeros.

        Returns the output ``h`` and the new state list.
        """
        if self.gru:
            return self._gru_step(projection, states)
        if states is None:  # zero states: the recurrent and forget terms vanish
            i, _, g, o = tf.split(projection, 4, axis=-1)
            c = tf.sigmoid(i) * tf.tanh(g)
        else:
            h, c = states
            gates = projection + row_matmul(h, self.cell.recurrent_kernel)
            i, f, g, o = tf.split(gates, 4, axis=-1)
            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        h = tf.sigmoid(o) * tf.tanh(c)
        return h, [h, c]

    def _gru_step(self, projection, states):
        recurrent_bias = self.cell.bias[1]
        if states is None:
            inner, h_previous = recurrent_bias, 0.0
        else:
            (h_previous,) = states
            inner = row_matmul(h_previous, self.cell.recurrent_kernel) + recurrent_bias
        x_z, x_r, x_h = tf.split(projection, 3, axis=-1)
        inner = tf.broadcast_to(inner, tf.shape(projection))
        r_z, r_r, r_h = tf.split(inner, 3, axis=-1)
        z = tf.sigmoid(x_z + r_z)
        r = tf.sigmoid(x_r + r_r)
        h = z * h_previous + (1 - z) * tf.tanh(x_h + r * r_h)
        return h, [h]


class Network:
    """Encoder, decoder step and attention of a trained training model.

    The architecture is read from the model's layers (see
    :mod:`sklearn_seq2seq._network.model` for their names), so any option of
    :func:`~sklearn_seq2seq._network.model.build_training_model` works.

    Parameters
    ----------
    training_model : keras.Model
        A model from :func:`~sklearn_seq2seq._network.model.build_training_model`.
        Its variables are read when the functions run, so further training
        is seen.
    """

    def __init__(self, training_model):
        layers = {layer.name: layer for layer in training_model.layers}
        self.n_layers = count_layers(training_model)
        first = layers[encoder_name(0)]
        self.bidirectional = isinstance(first, keras.layers.Bidirectional)
        self.encoders = []
        for layer in range(self.n_layers):
            encoder = layers[encoder_name(layer)]
            if self.bidirectional:
                cells = encoder.forward_layer.cell, encoder.backward_layer.cell
                self.encoders.append(tuple(Cell(cell) for cell in cells))
            else:
                self.encoders.append((_cell(encoder),))
        self.decoders = [_cell(layers[decoder_name(layer)]) for layer in range(self.n_layers)]
        self.n_states = 1 if self.decoders[0].gru else 2
        self.bridges = [
            [layers.get(bridge_name(layer, k)) for k in range(self.n_states)]
            for layer in range(self.n_layers)
        ]
        self.source_embedding = _embedding_matrix(layers[SOURCE_EMBEDDING])
        self.target_embedding = _embedding_matrix(layers[TARGET_EMBEDDING])
        self.attention = None
        if ATTENTION in layers:
            additive = isinstance(layers[ATTENTION], keras.layers.AdditiveAttention)
            self.attention = "bahdanau" if additive else "luong"
            self.attention_layer = layers[ATTENTION]
            self.query_dense = layers[ATTENTION_QUERY]
            self.key_dense = layers.get(ATTENTION_KEYS)
            self.attention_output = layers[ATTENTION_OUTPUT]
        self.output_dense = layers[OUTPUT_DENSE]
        self.n_classes = self.output_dense.units

    # -- encoder ---------------------------------------------------------

    def encode(self, source_ids, lengths=None):
        """Run the encoder.

        Parameters
        ----------
        source_ids : tf.Tensor of shape (..., time), int32
            Full-length sources (``lengths=None``; ``time`` static, the
            loop unrolls, any leading shape) or right-padded sources of
            shape (batch, time) with their ``lengths`` (a ``while_loop``
            that holds a row's state after its end, as Keras's mask does).
        lengths : tf.Tensor of shape (batch,) or None, default=None
            Source lengths.

        Returns
        -------
        states : list of list of tf.Tensor
            The decoder's initial states, per layer.
        memory : tuple or None
            What attention reads (encoder outputs, keys, source mask);
            None without attention.
        """
        inputs = None
        states = []
        for layer, cells in enumerate(self.encoders):
            top = layer == self.n_layers - 1
            keep_outputs = not top or self.attention is not None
            outputs, finals = [], []
            for direction, cell in enumerate(cells):
                if layer == 0:
                    # Token ids are projected step by step inside the loop (a
                    # row lookup per step): materializing and transposing the
                    # whole (rows, time, gates) block first cost the masked
                    # encoder a third of its time.
                    steps = _Steps(source_ids, project=self._id_projection(cell))
                else:
                    steps = _Steps(cell.project(inputs))
                backward = direction == 1
                output, final = _run(cell, steps, lengths, backward, keep_outputs)
                outputs.append(output)
                finals.append(final)
            if keep_outputs:
                inputs = outputs[0] if len(outputs) == 1 else tf.concat(outputs, axis=-1)
            states.append(self._bridge(layer, finals))
        memory = None
        if self.attention is not None:
            mask = None if lengths is None else tf.sequence_mask(lengths, tf.shape(source_ids)[-1])
            keys = inputs if self.key_dense is None else _dense(self.key_dense, inputs)
            memory = (inputs, keys, mask)
        return states, memory

    def _id_projection(self, cell):
        return lambda ids: cell.project_ids(ids, self.source_embedding)

    def _bridge(self, layer, finals):
        if not self.bidirectional:
            return finals[0]
        return [
            _dense(self.bridges[layer][k], tf.concat([finals[0][k], finals[1][k]], axis=-1))
            for k in range(self.n_states)
        ]

    # -- decoder ---------------------------------------------------------

    def decoder_step(self, token_ids, states, memory, return_weights=False):
        """One decoder step for any leading shape.

        Parameters
        ----------
        token_ids : tf.Tensor of shape (...,), int32
            Previous target ids.
        states : list of list of tf.Tensor of shape (..., units)
            Decoder states per layer.
        memory : tuple or None
            From :meth:`encode`, with the same leading shape.
        return_weights : bool, default=False
            Also return the attention weights (attention models only).

        Returns
        -------
        logits : tf.Tensor of shape (..., n_classes)
        states : list of list of tf.Tensor
        weights : tf.Tensor of shape (..., source time)
            Only when ``return_weights``.
        """
        new_states = []
        h = None
        for layer, cell in enumerate(self.decoders):
            if layer == 0:
                projection = cell.project_ids(token_ids, self.target_embedding)
            else:
                projection = cell.project(h)
            h, layer_states = cell.step(projection, states[layer])
            new_states.append(layer_states)
        weights = None
        if self.attention is not None:
            h, weights = self._attend(h, memory)
        logits = _dense(self.output_dense, h)
        return (logits, new_states, weights) if return_weights else (logits, new_states)

    def _attend(self, h, memory):
        values, keys, mask = memory
        query = _dense(self.query_dense, h)
        if self.attention == "luong":
            scores = tf.linalg.matvec(keys, query)
            if self.attention_layer.scale is not None:
                scores *= self.attention_layer.scale
        else:
            # v^T tanh(W_1 h_s + W_2 h_t), the sum over units as a matmul
            # (a reduction's summation order may change with the batch).
            v = self.attention_layer.scale
            if not self.attention_layer.use_scale:
                v = tf.ones_like(query[..., 0, :])
            scores = row_matmul(tf.tanh(query[..., None, :] + keys), v[:, None])[..., 0]
        if mask is not None:
            scores = tf.where(mask, scores, scores - MASKED_SCORE_OFFSET)
        weights = tf.nn.softmax(scores, axis=-1)
        context = tf.linalg.matvec(values, weights, transpose_a=True)
        attentional = _dense(self.attention_output, tf.concat([context, h], axis=-1))
        return attentional, weights


def repeat_rows(structure, repeats):
    """Repeat every tensor of a nested structure ``repeats`` times along rows."""
    return tf.nest.map_structure(
        lambda t: None if t is None else tf.repeat(t, repeats, axis=0), structure
    )


def _cell(recurrent_layer):
    identity = isinstance(recurrent_layer, IdentityInputKernel)
    return Cell(recurrent_layer.cell, identity_kernel=identity)


def _embedding_matrix(layer):
    return layer.embeddings if isinstance(layer, keras.layers.Embedding) else None


# Floats per widest SIMD register: an elementwise op on a tensor whose last
# axis is a whole number of these never takes the scalar path, whose
# exp/tanh/sigmoid differ from the vectorized ones in the last bit.
SIMD_WIDTH = 16


def row_softmax(logits):
    """Softmax over the last axis whose rows do not depend on the other rows.

    ``tf.nn.softmax``'s CPU kernel changes a row's last bits with the number
    of rows (its sum is vectorized and threaded by shape).  Here each step is
    exact per element (max, subtraction, division), an ``exp`` over a width
    padded with ``-inf`` to whole SIMD registers, or a :func:`row_matmul`
    (the sum), so a row's probabilities are the same in any batch.
    """
    n_classes = logits.shape[-1]
    width = -(-n_classes // SIMD_WIDTH) * SIMD_WIDTH
    shifted = logits - tf.reduce_max(logits, axis=-1, keepdims=True)
    if width > n_classes:
        padding = tf.fill(tf.concat([tf.shape(logits)[:-1], [width - n_classes]], 0), -float("inf"))
        shifted = tf.concat([shifted, padding], axis=-1)
    exp = tf.exp(shifted)
    total = row_matmul(exp, tf.ones([width, 1], exp.dtype))
    return (exp / total)[..., :n_classes]


def row_matmul(inputs, kernel):
    """``inputs @ kernel`` whose rows do not depend on the other rows' count.

    TensorFlow's CPU matmul picks blocking and threading from the number of
    rows, so a row's float32 result can change in its last bits with the
    batch.  The decoders lay rows out as ``(blocks, rows, ...)`` with a
    fixed block shape; folding everything after the block axis into one
    matrix per block keeps every matmul in that fixed shape.
    """
    if inputs.shape.rank <= 3:
        return tf.matmul(inputs, kernel)
    shape = tf.shape(inputs)
    folded = tf.reshape(inputs, [shape[0], -1, inputs.shape[-1]])
    return tf.reshape(tf.matmul(folded, kernel), tf.concat([shape[:-1], [-1]], axis=0))


def _dense(layer, inputs):
    outputs = row_matmul(inputs, layer.kernel)
    if layer.use_bias:
        outputs += layer.bias
    activation = layer.activation
    return outputs if activation is keras.activations.linear else activation(outputs)


class _Steps:
    """An encoder layer's inputs over time: projections, or ids projected per step.

    Parameters
    ----------
    inputs : tf.Tensor
        Projections of shape (batch..., time, gates), or token ids of shape
        (batch..., time) when ``project`` is given.
    project : callable or None, default=None
        Maps the ids of one step to their projection.
    """

    def __init__(self, inputs, project=None):
        self.inputs = inputs
        self.project = project
        self.time_axis = inputs.shape.rank - (2 if project is None else 1)

    def at(self, t):
        """The projection of step ``t``, of shape (batch..., gates)."""
        if self.project is None:
            return self.inputs[..., t, :]
        return self.projected(self.inputs[..., t])

    def projected(self, step_inputs):
        """The projection of one step's inputs (``inputs`` without its time axis)."""
        return step_inputs if self.project is None else self.project(step_inputs)

    def map(self, function):
        """These steps with ``function`` applied to the inputs."""
        return _Steps(function(self.inputs), self.project)


def _run(cell, steps, lengths, backward, keep_outputs):
    """One direction of one encoder layer over the :class:`_Steps` ``steps``.

    Returns the outputs (time axis -2, or None) and the final states.
    """
    if lengths is None:
        return _run_fixed(cell, steps, backward, keep_outputs)
    if backward:  # reverse each row within its length, as Keras's masked RNN
        steps = steps.map(lambda x: tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0))
    outputs, states = _run_masked(cell, steps, lengths, keep_outputs)
    if backward and outputs is not None:
        outputs = tf.reverse_sequence(outputs, lengths, seq_axis=1, batch_axis=0)
    return outputs, states


def _run_fixed(cell, steps, backward, keep_outputs):
    # The length is static, so this loop unrolls into the graph when it is
    # traced (once); nothing loops in Python at call time.
    n_steps = steps.inputs.shape[steps.time_axis]
    order = range(n_steps - 1, -1, -1) if backward else range(n_steps)
    states, outputs = None, {}
    for t in order:
        h, states = cell.step(steps.at(t), states)
        outputs[t] = h
    if not keep_outputs:
        return None, states
    return tf.stack([outputs[t] for t in range(n_steps)], axis=-2), states


def _run_masked(cell, steps, lengths, keep_outputs):
    # Masked inputs are (batch, time[, gates]): loop over time-major steps.
    perm = [1, 0] + list(range(2, steps.inputs.shape.rank))
    time_major = steps.map(lambda x: tf.transpose(x, perm))
    width = tf.shape(time_major.inputs)[0]
    # Steps past the longest row would change nothing: a chunk padded to a
    # compiled width stops there (its outputs beyond stay zeros).
    n_steps = tf.minimum(tf.reduce_max(lengths), width)
    zeros = tf.zeros([tf.shape(lengths)[0], cell.units])
    initial = [zeros] * (1 if cell.gru else 2)
    outputs = tf.TensorArray(tf.float32, size=width if keep_outputs else 0)

    def step(t, states, outputs):
        h, new_states = cell.step(time_major.projected(time_major.inputs[t]), states)
        inside = (t < lengths)[:, None]  # a finished row keeps its state
        new_states = [tf.where(inside, new, old) for new, old in zip(new_states, states)]
        if keep_outputs:
            outputs = outputs.write(t, tf.where(inside, h, 0.0))
        return t + 1, new_states, outputs

    _, states, outputs = tf.while_loop(
        lambda t, states, outputs: t < n_steps, step, (0, initial, outputs)
    )
    if not keep_outputs:
        return None, states
    return tf.transpose(outputs.stack(), [1, 0, 2]), states
