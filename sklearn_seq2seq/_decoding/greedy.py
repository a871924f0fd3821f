"""Greedy decoding and teacher-forced scoring as compiled, batched TensorFlow.

The tutorial decodes one sequence at a time and calls the inference
decoder's ``predict`` once per output step.  Here a batch is decoded by
compiled TensorFlow functions traced once per fitted model: the encoder,
every decoder step and the argmax feedback run inside the graph, a whole
chunk of rows per call.  The network's ops (any cell, layers, attention,
embeddings) come from :class:`~sklearn_seq2seq._network.ops.Network`.

Fixed-length sources take a path whose results do not depend on the other
rows of the batch down to the last bit (see ``GreedyDecoder._decode``);
with an end symbol only their full chunks do, the rest joins the masked
path, which stops early.  Variable-length sources take the masked path:
rows are sorted by length and
cut into chunks; a ``tf.while_loop`` runs the encoder up to the chunk's
longest source with the state of a finished row held fixed, exactly as the
Keras layers do under a mask, so padding never changes a prediction, and
the decoder stops once every row has ended.  Full chunks are padded to a
power-of-two width (:func:`compiled_width`) and run XLA-compiled graphs,
so a model compiles a handful of shapes; the rest run one uncompiled graph.
"""

import numpy as np
import tensorflow as tf

from .._input.vocabulary import N_RESERVED, PAD_ID, START_ID
from .._network.ops import Network, row_softmax

# What a greedy decode returns besides the classes.
CLASSES, PROBABILITIES, ATTENTION_WEIGHTS = "classes", "probabilities", "attention"
# Narrowest compiled width of padded sources (see compiled_width).
MIN_COMPILED_WIDTH = 8


class ChunkedDecoder:
    """Run a compiled decode over a batch, chunk by chunk (base class).

    Subclasses define ``_decode(ids, option, full_chunk)`` for full-length
    sources and the public ``decode_padded(ids, lengths, option)`` for
    right-padded ones (serving traces it too); each returns a tuple of
    tensors with the rows first.  Fixed-length batches are cut into
    ``chunk_size``-row chunks: full chunks run an XLA-compiled graph, the
    remainder an uncompiled one.  Variable-length batches are sorted by
    length and each chunk trimmed to its longest source.  Results come
    back in the input order.

    Parameters
    ----------
    training_model : keras.Model
        A model from :func:`sklearn_seq2seq._network.model.build_training_model`.
        Its variables are read at call time, so further training is seen.
    n_steps : int
        Number of output tokens to decode.
    class_offset : int
        Target id of output class 0 (the id fed back for class ``k`` is
        ``k + class_offset``).
    chunk_size : int
        Rows per chunk.
    length_limit : tuple of (float, float) or None, default=None
        ``(a, b)``: with an end class, a row whose source has ``n`` tokens
        ends after at most ``ceil(a * n + b)`` output tokens.
    """

    def __init__(self, training_model, n_steps, class_offset, chunk_size, length_limit=None):
        self.n_steps = n_steps
        self.class_offset = class_offset
        self.chunk_size = chunk_size
        self.length_limit = length_limit
        self.network = Network(training_model)
        self._concrete = {}

    def _step_limits(self, source_lengths):
        """Per row, the step from which only the end may follow; None without a limit.

        ``source_lengths`` is a tensor of lengths, or the one length (an
        int) of fixed-length sources.
        """
        if self.length_limit is None or self.end_class is None:
            return None
        a, b = self.length_limit
        limits = tf.math.ceil(a * tf.cast(source_lengths, tf.float64) + b)
        return tf.minimum(tf.cast(limits, tf.int32), self.n_steps - 1)

    def _function(self, option, full_chunk, source_length, masked=False):
        """The compiled decode for one option, chunk kind and source length.

        Full chunks run XLA-compiled graphs, which fuse the gate arithmetic
        but compile once per input shape, so they only ever see
        (chunk_size, width) shapes from a small set: fixed-length sources
        their one length (the loops unroll into the graph), padded sources
        the widths of :func:`compiled_width`.  Other chunks run uncompiled
        graphs: fixed lengths one per length, padded sources one for all
        shapes (``source_length=None``).  The concrete function is then
        called directly, which skips ``tf.function``'s argument dispatch
        (a quarter of a call at batch size 1).
        """
        key = option, full_chunk, source_length, masked
        if key not in self._concrete:
            if masked:
                rows = self.chunk_size if full_chunk else None
                function = tf.function(
                    lambda ids, lengths: self.decode_padded(ids, lengths, option),
                    input_signature=[
                        tf.TensorSpec([rows, source_length], tf.int32),
                        tf.TensorSpec([rows], tf.int32),
                    ],
                    jit_compile=full_chunk,
                )
            else:
                function = tf.function(
                    lambda ids: self._decode(ids, option, full_chunk),
                    input_signature=[tf.TensorSpec([None, source_length], tf.int32)],
                    jit_compile=full_chunk,
                )
            self._concrete[key] = function.get_concrete_function()
        return self._concrete[key]

    def _run(self, source_ids, lengths, option):
        """All outputs of the decode for the whole batch, in input order.

        Each chunk's outputs are written into place as it is decoded, so the
        batch's outputs exist once (no concatenation, no reordering copy).
        """
        if lengths is None:
            pieces = self._fixed_pieces(source_ids, option)
        else:
            pieces = self._masked_pieces(source_ids, lengths, option)
        outputs = None
        for rows, piece in pieces:
            if outputs is None:
                outputs = [
                    np.empty((len(source_ids) if len(p) else 0, *p.shape[1:]), p.dtype)
                    for p in piece
                ]
            for output, part in zip(outputs, piece):
                if len(part):
                    output[rows] = part
        return outputs

    def _fixed_pieces(self, source_ids, option):
        """(rows, outputs) of each chunk, decoded one at a time."""
        length = source_ids.shape[1]
        n_full = len(source_ids) // self.chunk_size * self.chunk_size
        for start in range(0, len(source_ids), self.chunk_size):
            rows = slice(start, start + self.chunk_size)
            ids = tf.constant(source_ids[rows], tf.int32)
            if start < n_full or not self._exits_early():
                yield rows, _numpy(self._function(option, start < n_full, length)(ids))
            else:
                # The uncompiled unrolled graph runs every step, op by op; the
                # masked one stops once every row has ended, which is faster
                # for the few rows of a remainder (benchmarks/variable_lengths.py).
                lengths = tf.fill([ids.shape[0]], length)
                yield rows, _numpy(self._function(option, False, None, masked=True)(ids, lengths))

    def _exits_early(self):
        """Whether the masked decode stops once every row has ended."""
        return False

    def _trims(self, option):
        """Whether chunks may be cut to their longest source (outputs without a source axis)."""
        return True

    def _masked_pieces(self, source_ids, lengths, option):
        """(rows, outputs) of each chunk of rows sorted by length, decoded one at a time."""
        order = np.argsort(lengths, kind="stable")
        # Full chunks are cut from the long end, so the one short (uncompiled)
        # chunk gets the shortest rows and runs the fewest steps.
        stops = list(range(len(order), 0, -self.chunk_size))[::-1]
        for start, stop in zip([0, *stops[:-1]], stops):
            rows = order[start:stop]
            chunk_lengths = lengths[rows]
            compiled = self._trims(option) and len(rows) == self.chunk_size
            if not self._trims(option):  # outputs with a source axis keep its width
                width = source_ids.shape[1]
            elif compiled:
                width = compiled_width(chunk_lengths.max())
            else:
                width = chunk_lengths.max()
            ids = source_ids[rows, :width]
            if ids.shape[1] < width:  # a compiled width beyond the sources
                ids = np.pad(ids, [(0, 0), (0, width - ids.shape[1])], constant_values=PAD_ID)
            function = self._function(option, compiled, width if compiled else None, masked=True)
            yield (
                rows,
                _numpy(function(tf.constant(ids, tf.int32), tf.constant(chunk_lengths, tf.int32))),
            )


class GreedyDecoder(ChunkedDecoder):
    """Batched greedy decoding for a trained seq2seq training model.

    Parameters
    ----------
    training_model : keras.Model
        A model from :func:`sklearn_seq2seq._network.model.build_training_model`.
        Its variables are read at call time, so further training is seen.
    n_steps : int
        Number of output tokens to decode.
    class_offset : int, default=N_RESERVED
        Target id of output class 0 (the id fed back for class ``k`` is
        ``k + class_offset``).
    chunk_size : int, default=1024
        Batches are decoded in chunks of this many rows; full chunks of
        fixed-length sources use an XLA-compiled graph.
    end_class : int or None, default=None
        Output class of the end symbol.  Given, a chunk of variable-length
        sources stops decoding once every row in it has emitted it; the
        steps left are filled with the end class (probabilities and
        attention weights with zeros there).  Full chunks of fixed-length
        sources run all ``n_steps`` (their unrolled, compiled graph);
        the remainder runs the masked graph and stops too.
    length_limit : tuple of (float, float) or None, default=None
        ``(a, b)``: with ``end_class``, a row whose source has ``n`` tokens
        emits the end class after at most ``ceil(a * n + b)`` tokens.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq2seq._network.model import build_training_model
    >>> model = build_training_model(
    ...     n_source_ids=10, n_target_ids=10, n_classes=6, n_units=8, seed=0)
    >>> decoder = GreedyDecoder(model, n_steps=3)
    >>> classes, probabilities = decoder(
    ...     np.full((2, 5), 4, dtype=np.int32), return_probabilities=True)
    >>> classes.shape, probabilities.shape
    ((2, 3), (2, 3, 6))
    >>> decoder(np.array([[4, 5, 0], [4, 5, 6]], dtype=np.int32),
    ...         lengths=np.array([2, 3])).shape
    (2, 3)
    """

    def __init__(
        self,
        training_model,
        n_steps,
        class_offset=N_RESERVED,
        chunk_size=1024,
        end_class=None,
        length_limit=None,
    ):
        super().__init__(training_model, n_steps, class_offset, chunk_size, length_limit)
        self.end_class = end_class

    def __call__(self, source_ids, lengths=None, return_probabilities=False):
        """Decode a batch of source id sequences.

        Parameters
        ----------
        source_ids : ndarray of shape (n_samples, source length), int32
            Encoded source sequences, right-padded when ``lengths`` is given.
        lengths : ndarray of shape (n_samples,) or None, default=None
            Source lengths of variable-length sources; None when every row
            is a full-length sequence.
        return_probabilities : bool, default=False
            Also return the softmax distribution at every step.

        Returns
        -------
        classes : ndarray of shape (n_samples, n_steps), int
            Output class index per step.
        probabilities : ndarray of shape (n_samples, n_steps, n_classes)
            Only when ``return_probabilities``.
        """
        option = PROBABILITIES if return_probabilities else CLASSES
        classes, probabilities = self._run(source_ids, lengths, option)
        return (classes, probabilities) if return_probabilities else classes

    def attention_weights(self, source_ids, lengths=None):
        """Classes and attention weights of the greedy decode (attention models).

        Parameters
        ----------
        source_ids : ndarray of shape (n_samples, source length), int32
            Encoded sources, right-padded when ``lengths`` is given.
        lengths : ndarray of shape (n_samples,) or None, default=None
            Source lengths of variable-length sources.

        Returns
        -------
        classes : ndarray of shape (n_samples, n_steps)
            Output classes.
        weights : ndarray of shape (n_samples, n_steps, source length)
            Attention weights of each step over the source positions.
        """
        if self.network.attention is None:
            raise ValueError("This model has no attention.")
        return tuple(self._run(source_ids, lengths, ATTENTION_WEIGHTS))

    def _trims(self, option):
        return option != ATTENTION_WEIGHTS

    def _exits_early(self):
        return self.end_class is not None

    def _decode(self, source_ids, option, full_chunk):
        batch = tf.shape(source_ids)[0]
        # Rows are decoded in blocks, as (blocks, rows, ...) tensors whose
        # matmuls are batched matmuls of one fixed block shape.  TensorFlow's
        # CPU matmul picks blocking and threading from the number of rows,
        # so a row's float32 result would otherwise change in its last bits
        # with the batch it is in.  With a fixed block shape every row takes
        # the same path, so its tokens and probabilities do not depend on
        # the other rows.  A full chunk is one block (one fixed shape, XLA);
        # any other batch is blocks of one row, each a matrix-vector product.
        rows = self.chunk_size if full_chunk else 1
        source_length = source_ids.shape[1]
        source_ids = tf.reshape(source_ids, [-1, rows, source_length])
        limit = self._step_limits(source_length)
        classes, extra = self._decode_steps(*self.network.encode(source_ids), option, limit)
        classes = tf.reshape(classes, [batch, self.n_steps])
        if option != CLASSES:
            extra = tf.reshape(extra, [batch, self.n_steps, -1])
        return classes, extra

    def decode_padded(self, source_ids, lengths, option):
        """The decode's ops on right-padded sources, to trace in a ``tf.function``."""
        states, memory = self.network.encode(source_ids, lengths)
        if self.end_class is None:
            return self._decode_steps(states, memory, option)
        return self._decode_until_end(states, memory, option, self._step_limits(lengths))

    def _decode_until_end(self, states, memory, option, limits=None):
        """Greedy steps in a ``tf.while_loop`` that stops once every row has ended."""
        batch = tf.shape(states[0][0])[0]
        # Static sizes, as XLA needs: the steps not run stay zeros.
        outputs = {CLASSES: tf.TensorArray(tf.int32, size=self.n_steps)}
        if option != CLASSES:
            outputs[option] = tf.TensorArray(tf.float32, size=self.n_steps)

        def running(step, token, states, ended, outputs):
            return (step < self.n_steps) & ~tf.reduce_all(ended)

        def step_once(step, token, states, ended, outputs):
            step_classes, extra, states = self._step(token, states, memory, option)
            if limits is not None:  # rows at their length limit end here
                step_classes = tf.where(step >= limits, self.end_class, step_classes)
            written = {CLASSES: outputs[CLASSES].write(step, step_classes)}
            if option != CLASSES:
                written[option] = outputs[option].write(step, extra)
            ended = ended | (step_classes == self.end_class)
            return step + 1, step_classes + self.class_offset, states, ended, written

        start = (tf.constant(0), tf.fill([batch], START_ID), states, tf.zeros([batch], tf.bool))
        n_run, *_, outputs = tf.while_loop(running, step_once, (*start, outputs))
        # (steps, batch, ...) -> (batch, n_steps, ...): the steps not run are
        # the end class, their probabilities and weights zeros.
        run = tf.range(self.n_steps) < n_run
        classes = tf.transpose(tf.where(run[:, None], outputs[CLASSES].stack(), self.end_class))
        if option == CLASSES:
            return classes, tf.zeros([0])
        return classes, tf.transpose(outputs[option].stack(), [1, 0, 2])

    def _decode_steps(self, states, memory, option, limit=None):
        """Greedy decoder steps from the encoder's results, for any leading shape.

        ``limit`` (a scalar tensor) is the step from which every row ends.
        """
        token = tf.fill(tf.shape(states[0][0])[:-1], START_ID)
        classes, extras = [], []
        # n_steps is fixed per fitted model, so this loop unrolls into the
        # graph when it is traced (once); nothing loops in Python at call time.
        for step in range(self.n_steps):
            step_classes, extra, states = self._step(token, states, memory, option)
            if limit is not None:
                step_classes = tf.where(step >= limit, self.end_class, step_classes)
            classes.append(step_classes)
            extras.append(extra)
            token = step_classes + self.class_offset
        classes = tf.stack(classes, axis=-1)
        if option == CLASSES:
            return classes, tf.zeros([0])  # same structure for every option
        return classes, tf.stack(extras, axis=-2)

    def _step(self, token, states, memory, option):
        """One greedy step: its classes, what ``option`` asks for besides, new states."""
        logits, states, weights = self.network.decoder_step(
            token, states, memory, return_weights=True
        )
        step_classes = tf.argmax(logits, axis=-1, output_type=tf.int32)
        if option == PROBABILITIES:
            return step_classes, row_softmax(logits), states
        return step_classes, weights if option == ATTENTION_WEIGHTS else None, states


def compiled_width(max_length):
    """Width a full chunk of padded sources is compiled for: the next power of two, at least 8.

    Sources up to ``L`` tokens thus compile at most
    ``1 + ceil(log2(L / 8))`` shapes per decode kind (4 up to 64 tokens);
    the encoder still stops at the chunk's longest source.

    Examples
    --------
    >>> [compiled_width(n) for n in (1, 8, 9, 40, 100)]
    [8, 8, 16, 64, 128]
    """
    return max(MIN_COMPILED_WIDTH, 1 << (int(max_length) - 1).bit_length())


def _numpy(outputs):
    return tuple(output.numpy() for output in outputs)


class TeacherForcedScorer:
    """Per-step log-probabilities of given target sequences, compiled.

    The decoder reads the given (shifted) target instead of its own
    predictions, as in training; the encoder is the masked one, so padded
    and full-length sources both work.

    Parameters
    ----------
    training_model : keras.Model
        A model from :func:`sklearn_seq2seq._network.model.build_training_model`.
    chunk_size : int, default=1024
        Rows per compiled call (bounds memory).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq2seq._network.model import build_training_model
    >>> model = build_training_model(
    ...     n_source_ids=10, n_target_ids=10, n_classes=6, n_units=8, seed=0)
    >>> log_probabilities = TeacherForcedScorer(model)(
    ...     np.full((2, 5), 4), np.array([5, 3]), np.array([[1, 4], [1, 5]]))
    >>> log_probabilities.shape
    (2, 2, 6)
    """

    def __init__(self, training_model, chunk_size=1024):
        self.chunk_size = chunk_size
        self.network = Network(training_model)
        self._graph = tf.function(
            self._log_probabilities,
            input_signature=[
                tf.TensorSpec([None, None], tf.int32),
                tf.TensorSpec([None], tf.int32),
                tf.TensorSpec([None, None], tf.int32),
            ],
        )

    def __call__(self, source_ids, lengths, decoder_input_ids):
        """Log-softmax of every decoder step.

        Parameters
        ----------
        source_ids : ndarray of shape (n_samples, source length)
            Right-padded source ids.
        lengths : ndarray of shape (n_samples,)
            Source lengths.
        decoder_input_ids : ndarray of shape (n_samples, target length)
            Start id followed by the target ids (teacher forcing).

        Returns
        -------
        log_probabilities : ndarray of shape (n_samples, target length, n_classes)
            Log-probability of each class at each step.
        """
        pieces = [
            self._graph(
                tf.constant(source_ids[start : start + self.chunk_size], tf.int32),
                tf.constant(lengths[start : start + self.chunk_size], tf.int32),
                tf.constant(decoder_input_ids[start : start + self.chunk_size], tf.int32),
            ).numpy()
            for start in range(0, len(source_ids), self.chunk_size)
        ]
        return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]

    def _log_probabilities(self, source_ids, lengths, decoder_input_ids):
        network = self.network
        states, memory = network.encode(source_ids, lengths)
        logits = tf.zeros([tf.shape(source_ids)[0], network.n_classes])

        def step(carry, token):
            logits, states = network.decoder_step(token, carry[1], memory)
            return logits, states

        # Time-major scan over the given decoder inputs (teacher forcing).
        logits, _ = tf.scan(step, tf.transpose(decoder_input_ids), (logits, states))
        return tf.nn.log_softmax(tf.transpose(logits, [1, 0, 2]))
