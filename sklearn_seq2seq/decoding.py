"""Greedy decoding as one compiled, batched TensorFlow function.

The tutorial decodes one sequence at a time and calls the inference
decoder's ``predict`` once per output step.  Here the whole batch is decoded
by a single ``tf.function`` traced once per fitted model: the encoder, every
decoder step and the argmax feedback run inside the graph.

The LSTM step is written out from the trained layers' own weights instead of
calling the Keras layers, for one reason: a one-hot input times the input
kernel is a row lookup, so ``tf.gather`` replaces that matmul exactly (the
product of a one-hot row with a matrix *is* the selected row).  Gate order
and activations follow :class:`keras.layers.LSTMCell` (i, f, c, o; sigmoid
and tanh); a test checks the result against the Keras decoder model.
"""

import tensorflow as tf

from .network import DECODER_LSTM, ENCODER_LSTM, OUTPUT_DENSE
from .preprocessing import N_RESERVED, START_ID


def _lstm_step(input_projection, h, c, recurrent_kernel):
    gates = input_projection + tf.matmul(h, recurrent_kernel)
    i, f, g, o = tf.split(gates, 4, axis=-1)
    c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
    h = tf.sigmoid(o) * tf.tanh(c)
    return h, c


class GreedyDecoder:
    """Batched greedy decoding for a trained seq2seq training model.

    Parameters
    ----------
    training_model : keras.Model
        A model from :func:`sklearn_seq2seq.network.build_training_model`.
        Its variables are read at call time, so further training is seen.
    source_length : int
        Length of the source sequences.
    n_steps : int
        Number of output tokens to decode.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq2seq.network import build_training_model
    >>> model = build_training_model(
    ...     n_source_ids=10, n_target_ids=10, n_classes=6, n_units=8, seed=0)
    >>> classes, probabilities = GreedyDecoder(model, source_length=5, n_steps=3)(
    ...     np.full((2, 5), 4, dtype=np.int32), return_probabilities=True)
    >>> classes.shape, probabilities.shape
    ((2, 3), (2, 3, 6))
    """

    def __init__(self, training_model, source_length, n_steps):
        self.source_length = source_length
        self.n_steps = n_steps
        self._encoder = training_model.get_layer(ENCODER_LSTM).cell
        self._decoder = training_model.get_layer(DECODER_LSTM).cell
        self._dense = training_model.get_layer(OUTPUT_DENSE)
        signature = [tf.TensorSpec([None, source_length], tf.int32)]
        self._classes = tf.function(
            lambda ids: self._decode(ids, False)[0], input_signature=signature
        )
        self._classes_and_probabilities = tf.function(
            lambda ids: self._decode(ids, True), input_signature=signature
        )

    def __call__(self, source_ids, return_probabilities=False):
        """Decode a batch of source id sequences.

        Parameters
        ----------
        source_ids : ndarray of shape (n_samples, source length), int32
            Encoded source sequences.
        return_probabilities : bool, default=False
            Also return the softmax distribution at every step.

        Returns
        -------
        classes : ndarray of shape (n_samples, n_steps), int
            Output class index per step.
        probabilities : ndarray of shape (n_samples, n_steps, n_classes)
            Only when ``return_probabilities``.
        """
        if return_probabilities:
            classes, probabilities = self._classes_and_probabilities(source_ids)
            return classes.numpy(), probabilities.numpy()
        return self._classes(source_ids).numpy()

    def _decode(self, source_ids, with_probabilities):
        enc, dec, dense = self._encoder, self._decoder, self._dense
        batch = tf.shape(source_ids)[0]
        # Input projections of all source steps at once: (batch, time, 4 * units).
        source_projection = tf.gather(enc.kernel, source_ids) + enc.bias
        h = c = tf.zeros([batch, enc.units])
        # Lengths are fixed per fitted model, so these loops unroll into the
        # graph when it is traced (once); nothing loops in Python at call time.
        for t in range(self.source_length):
            h, c = _lstm_step(source_projection[:, t], h, c, enc.recurrent_kernel)

        token = tf.fill([batch], START_ID)
        classes, probabilities = [], []
        for _ in range(self.n_steps):
            projection = tf.gather(dec.kernel, token) + dec.bias
            h, c = _lstm_step(projection, h, c, dec.recurrent_kernel)
            logits = tf.matmul(h, dense.kernel) + dense.bias
            step_classes = tf.argmax(logits, axis=-1, output_type=tf.int32)
            classes.append(step_classes)
            if with_probabilities:
                probabilities.append(tf.nn.softmax(logits))
            token = step_classes + N_RESERVED
        classes = tf.stack(classes, axis=1)
        if with_probabilities:
            return classes, tf.stack(probabilities, axis=1)
        return classes, None
