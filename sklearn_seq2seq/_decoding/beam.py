"""Beam search as compiled, batched TensorFlow: every row's beams at once.

Each source row keeps ``beam_width`` hypotheses.  At every step all of a
chunk's hypotheses take one decoder step together, their candidates
are ranked with one ``top_k`` per row (on a wide vocabulary only each
hypothesis's ``beam_width`` best classes, the only ones that can
survive), the survivors' states are gathered and their classes and
parents recorded; the hypotheses are read back from those records once,
at the end.  The steps unroll into the graph (their number is fixed per
model) or, with an end symbol, run in a ``tf.while_loop``, so nothing
loops in Python over samples or steps at call time.

A hypothesis that has emitted the end class is finished: it can only be
extended by the end class again, at no cost, so it keeps its score and
competes with the open ones until the last step, which ends every open
hypothesis (a hypothesis at the length limit scores its end symbol, so
each returned score is the model's log-probability of what is returned).
Candidates are ranked by the length-normalised score of Wu et al. (2016),
``log P / lp`` with ``lp = ((5 + length) / 6) ** alpha``; ``alpha = 0``
ranks by ``log P``.

With ``alpha = 0`` an open hypothesis's score can only fall, so once a
row's best finished hypothesis scores above all its open ones, that row's
best is final.  A search asked for the best hypothesis only
(``best_only``, what ``predict`` needs) stops when every row of the chunk
is settled so, instead of when every hypothesis has ended; the lower
hypotheses are then left unfinished.
"""

import tensorflow as tf

from .._input.vocabulary import START_ID
from .._network.ops import repeat_rows
from .greedy import ChunkedDecoder


def length_penalty(lengths, alpha):
    """Wu et al. (2016) length normalisation ``((5 + length) / 6) ** alpha``.

    Parameters
    ----------
    lengths : tf.Tensor of int
        Hypothesis lengths (tokens, end symbol included).
    alpha : float
        Strength; 0 gives 1 everywhere.

    Returns
    -------
    penalty : tf.Tensor of float32
        The divisor of the log-probability.

    Examples
    --------
    >>> float(length_penalty(tf.constant(1), 1.0))
    1.0
    """
    return ((5.0 + tf.cast(lengths, tf.float32)) / 6.0) ** alpha


class BeamSearchDecoder(ChunkedDecoder):
    """Batched beam search for a trained seq2seq training model.

    Parameters
    ----------
    training_model : keras.Model
        A model from :func:`sklearn_seq2seq._network.model.build_training_model`.
    n_steps : int
        Number of decoder steps.
    beam_width : int
        Hypotheses kept per row.
    class_offset : int
        Target id of output class 0.
    end_class : int or None, default=None
        Output class of the end symbol; None for fixed-length targets.
    alpha : float, default=0.0
        Length penalty strength (Wu et al. 2016).
    chunk_size : int or None, default=None
        Rows per chunk; by default about 1,024 hypotheses per chunk.
    best_only : bool, default=False
        Only the best hypothesis of each row is used: with ``alpha=0`` and
        an end class, a chunk stops once every row's best has ended and
        outscores its open hypotheses.
    length_limit : tuple of (float, float) or None, default=None
        ``(a, b)``: with ``end_class``, every hypothesis of a row whose
        source has ``n`` tokens ends after at most ``ceil(a * n + b)``
        tokens.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq2seq._network.model import build_training_model
    >>> model = build_training_model(
    ...     n_source_ids=10, n_target_ids=10, n_classes=6, n_units=8, seed=0)
    >>> decoder = BeamSearchDecoder(model, n_steps=3, beam_width=4, class_offset=4)
    >>> classes, log_probabilities, lengths = decoder(np.full((2, 5), 4, dtype=np.int32))
    >>> classes.shape, log_probabilities.shape
    ((2, 4, 3), (2, 4))
    >>> bool(np.all(np.diff(log_probabilities, axis=1) <= 0))  # best first
    True
    """

    def __init__(
        self,
        training_model,
        n_steps,
        beam_width,
        class_offset,
        end_class=None,
        alpha=0.0,
        chunk_size=None,
        best_only=False,
        length_limit=None,
    ):
        super().__init__(
            training_model,
            n_steps,
            class_offset,
            chunk_size or max(1, 1024 // beam_width),
            length_limit,
        )
        self.beam_width = beam_width
        self.end_class = end_class
        self.alpha = alpha
        self.best_only = best_only

    def __call__(self, source_ids, lengths=None):
        """Beam-search a batch of source id sequences.

        Parameters
        ----------
        source_ids : ndarray of shape (n_samples, source length), int32
            Encoded sources, right-padded when ``lengths`` is given.
        lengths : ndarray of shape (n_samples,) or None, default=None
            Source lengths of variable-length sources.

        Returns
        -------
        classes : ndarray of shape (n_samples, beam_width, n_steps)
            Output classes of each hypothesis, best first; a finished
            hypothesis repeats the end class after its end.
        log_probabilities : ndarray of shape (n_samples, beam_width)
            Model log-probability of each hypothesis (end symbol included);
            ``-inf`` where fewer distinct hypotheses exist.
        output_lengths : ndarray of shape (n_samples, beam_width)
            Tokens of each hypothesis, its end symbol included.
        """
        return tuple(self._run(source_ids, lengths, None))

    def _decode(self, source_ids, option, full_chunk):
        limit = self._step_limits(source_ids.shape[1])
        return self._search(*self.network.encode(source_ids), until_end=False, limits=limit)

    def decode_padded(self, source_ids, lengths, option):
        """The search's ops on right-padded sources (see ``ChunkedDecoder``)."""
        return self._search(
            *self.network.encode(source_ids, lengths),
            until_end=self.end_class is not None,
            limits=self._step_limits(lengths),
        )

    def _search(self, states, memory, until_end, limits=None):
        """Beam search from the encoder's results.

        With ``until_end`` the steps run in a ``tf.while_loop`` that stops
        once every hypothesis of the chunk has ended (after that, each step
        would only append the end class at no cost); otherwise the
        ``n_steps`` steps unroll into the graph.  ``limits`` (per row, or
        one scalar) is the step from which hypotheses may only end.
        """
        network, width = self.network, self.beam_width
        rows, n_classes = _n_rows(states[0][0]), network.n_classes
        # A hypothesis's candidates share its length penalty, so only its
        # `width` best classes can survive a step. On a wide vocabulary a
        # top_k per hypothesis first leaves width * width candidates per row
        # to mask and rank; on a narrow one (up to 2 * width**2 classes) every
        # class is ranked, which costs less than the extra top_k
        # (benchmarks/beam_search.py: 51 classes, widths 4 and 8).
        per_hypothesis = width if 2 * width * width < n_classes else n_classes
        # Every row starts with one live hypothesis; the other slots start at
        # -inf, so the first top_k only extends the live one.
        first = tf.concat([[0.0], tf.fill([width - 1], -float("inf"))], axis=0)
        scores = tf.tile(first[None], [rows, 1])  # log P of each hypothesis
        lengths = tf.zeros([rows, width], tf.int32)
        finished = tf.zeros([rows, width], tf.bool)
        # Each step's surviving classes and the slots they extend; the
        # hypotheses are read back from these once, at the end (carrying and
        # reordering whole histories every step costs O(n_steps) per step).
        trail = (
            tf.TensorArray(tf.int32, size=self.n_steps),
            tf.TensorArray(tf.int32, size=self.n_steps),
        )
        # Hypotheses are rows * width rows; each row's attention memory is
        # repeated for its hypotheses (it never needs reordering).
        states, memory = repeat_rows(states, width), repeat_rows(memory, width)
        token = tf.fill([rows * width], START_ID)
        if self.end_class is not None:
            # A hypothesis forced to end offers one candidate, the end class.
            first_slot = tf.range(per_hypothesis) == 0
            if limits is not None and limits.shape.rank == 1:
                limits = limits[:, None]  # (rows, 1): against (rows, width)

        def step_once(step, token, states, scores, lengths, finished, trail):
            logits, states = network.decoder_step(token, states, memory)
            normaliser = tf.reduce_logsumexp(logits, axis=-1, keepdims=True)
            if per_hypothesis < n_classes:
                top_logits, top_classes = tf.math.top_k(logits, k=per_hypothesis)
            else:
                top_logits = logits
                top_classes = tf.broadcast_to(tf.range(n_classes), tf.shape(logits))
            log_p = tf.reshape(top_logits - normaliser, [rows, width, per_hypothesis])
            classes = tf.reshape(top_classes, [rows, width, per_hypothesis])
            if self.end_class is not None:
                # The last step ends every open hypothesis: one at the length
                # limit pays for its end symbol, as log_likelihood counts it.
                # A finished hypothesis may only add the end class, for free.
                last = step == self.n_steps - 1
                if limits is not None:  # or at the row's length limit
                    last = last | (step >= limits)
                end_log_p = logits[:, self.end_class] - normaliser[:, 0]
                end_log_p = tf.where(finished, 0.0, tf.reshape(end_log_p, [rows, width]))
                forced = (finished | last)[..., None]
                log_p = tf.where(
                    forced, tf.where(first_slot, end_log_p[..., None], -float("inf")), log_p
                )
                classes = tf.where(forced, self.end_class, classes)
            candidates = scores[..., None] + log_p  # (rows, width, per_hypothesis)
            candidate_lengths = lengths + tf.cast(~finished, tf.int32)
            ranked = candidates / length_penalty(candidate_lengths, self.alpha)[..., None]
            flat = [rows, width * per_hypothesis]
            _, best = tf.math.top_k(tf.reshape(ranked, flat), k=width)
            parent = best // per_hypothesis
            new_class = tf.gather(tf.reshape(classes, flat), best, batch_dims=1)
            scores = tf.gather(tf.reshape(candidates, flat), best, batch_dims=1)
            lengths = tf.gather(candidate_lengths, parent, batch_dims=1)
            finished = tf.gather(finished, parent, batch_dims=1)
            if self.end_class is not None:
                finished |= new_class == self.end_class
            trail = (trail[0].write(step, new_class), trail[1].write(step, parent))
            # The survivors' states: rows of the (rows * width, units) states,
            # gathered by flat index (XLA's batched gather was slower).
            survivors = tf.reshape(parent + tf.range(rows)[:, None] * width, [-1])
            states = tf.nest.map_structure(lambda s: tf.gather(s, survivors), states)
            token = tf.reshape(new_class, [-1]) + self.class_offset
            return step + 1, token, states, scores, lengths, finished, trail

        loop = (tf.constant(0), token, states, scores, lengths, finished, trail)
        if until_end:
            done = self._settled if self.best_only and self.alpha == 0 else self._all_ended

            def keep_going(step, token, states, scores, lengths, finished, trail):
                return (step < self.n_steps) & ~done(scores, finished)

            loop = tf.while_loop(keep_going, step_once, loop)
        else:
            # n_steps is fixed per fitted model: this unrolls when traced.
            for _ in range(self.n_steps):
                loop = step_once(*loop)
        n_run, *_, scores, lengths, finished, trail = loop
        # Final order by the normalised score, best first.
        ranked = scores / length_penalty(lengths, self.alpha)
        order = tf.argsort(ranked, axis=1, direction="DESCENDING", stable=True)
        return (
            self._backtrack(order, n_run, *trail),
            tf.gather(scores, order, batch_dims=1),
            tf.gather(lengths, order, batch_dims=1),
        )

    def _backtrack(self, slots, n_run, classes, parents):
        """Classes of the hypotheses in ``slots`` (rows, width), read back from the trail.

        Returns (rows, width, n_steps); the steps never run hold the end
        class (what a finished hypothesis adds).
        """
        ran = (tf.range(self.n_steps) < n_run)[:, None, None]
        classes = tf.where(ran, classes.stack(), self.end_class or 0)
        # A step never run keeps every slot where it is.
        parents = tf.where(ran, parents.stack(), tf.range(self.beam_width))

        def step_back(carry, step):
            slots, _ = carry
            step_classes, step_parents = step
            return (
                tf.gather(step_parents, slots, batch_dims=1),
                tf.gather(step_classes, slots, batch_dims=1),
            )

        _, history = tf.scan(step_back, (classes, parents), (slots, slots), reverse=True)
        return tf.transpose(history, [1, 2, 0])

    @staticmethod
    def _all_ended(scores, finished):
        return tf.reduce_all(finished)

    @staticmethod
    def _settled(scores, finished):
        """Whether every row's best hypothesis is final (``alpha = 0``: scores only fall)."""
        best_finished = tf.reduce_max(tf.where(finished, scores, -float("inf")), axis=1)
        best_open = tf.reduce_max(tf.where(finished, -float("inf"), scores), axis=1)
        return tf.reduce_all((best_finished > best_open) | tf.reduce_all(finished, axis=1))


def _n_rows(tensor):
    """Rows of a tensor: static where known (XLA's while_loop keeps shapes), else dynamic."""
    return tensor.shape[0] if tensor.shape[0] is not None else tf.shape(tensor)[0]
