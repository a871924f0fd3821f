"""One predictor per fitted model: every decode goes through it.

``predict``, ``predict_proba``, ``predict_nbest``, ``log_likelihood``,
``attention_weights``, the displays and the serving export all read the
trained network through a :class:`Predictor` built from the training model
and the estimator's :class:`~sklearn_seq2seq._input.codec.Codec` (as scikit-learn's
gradient boosting builds its predictors once per fit).  It owns the
compiled decoders (greedy, teacher-forced scoring, one beam search per
width and length penalty) and the Keras inference models, built only when
asked for.
"""

import numpy as np

from .._input.sequences import position_mask, shift_right
from .._input.vocabulary import START_ID
from .._network.model import build_inference_models
from .beam import BeamSearchDecoder
from .greedy import GreedyDecoder, TeacherForcedScorer


class Predictor:
    """Decoders of one trained model, in output classes.

    Parameters
    ----------
    model : keras.Model
        The trained training model; its variables are read at call time.
    codec : ~sklearn_seq2seq._input.codec.Codec
        The fitted sequence layout (number of steps, class offset, end
        symbol).
    """

    def __init__(self, model, codec):
        self.model = model
        self.codec = codec
        self.greedy = GreedyDecoder(
            model,
            n_steps=codec.n_steps,
            class_offset=codec.class_offset,
            end_class=0 if codec.ends_with_eos else None,
            length_limit=codec.length_limit,
        )
        self.scorer = TeacherForcedScorer(model)
        self._beams = {}
        self._inference_models = None

    @property
    def inference_models(self):
        """The Keras inference encoder and decoder, built on first use."""
        if self._inference_models is None:
            self._inference_models = build_inference_models(self.model)
        return self._inference_models

    def beam(self, beam_width, length_penalty, best_only=False):
        """The compiled beam search of a width and length penalty (cached)."""
        key = int(beam_width), float(length_penalty), bool(best_only)
        if key not in self._beams:
            self._beams[key] = BeamSearchDecoder(
                self.model,
                n_steps=self.codec.n_steps,
                beam_width=key[0],
                class_offset=self.codec.class_offset,
                end_class=0 if self.codec.ends_with_eos else None,
                alpha=key[1],
                best_only=key[2],
                length_limit=self.codec.length_limit,
            )
        return self._beams[key]

    def chunk_size(self, *, beam_width=1, length_penalty=0.0):
        """Rows per chunk of the decoder :meth:`classes` runs with these options."""
        if beam_width == 1:
            return self.greedy.chunk_size
        return self.beam(beam_width, length_penalty).chunk_size

    def classes(self, source_ids, lengths, *, beam_width=1, length_penalty=0.0):
        """Output classes of the best sequence: greedy, or beam search if ``beam_width > 1``."""
        if beam_width == 1:
            return self.greedy(source_ids, lengths)
        search = self.beam(beam_width, length_penalty, best_only=True)
        return search(source_ids, lengths)[0][:, 0]

    def nbest(self, source_ids, lengths, n_best, *, beam_width=1, length_penalty=0.0):
        """Classes and log-probabilities of the ``n_best`` best hypotheses per row."""
        search = self.beam(max(beam_width, n_best), length_penalty)
        classes, log_probabilities, _ = search(source_ids, lengths)
        return classes[:, :n_best], log_probabilities[:, :n_best]

    def log_probabilities(self, source_ids, lengths, decoder_input):
        """Teacher-forced log-probability of every class at every step."""
        if lengths is None:
            lengths = np.full(len(source_ids), source_ids.shape[1])
        return self.scorer(source_ids, lengths, decoder_input)

    def log_likelihood(self, source_ids, lengths, classes, target_lengths, decoder_input):
        """``log P(target | source)`` per row: the given classes' log-probabilities summed.

        Classes below 0 (target tokens never seen in ``fit``) give ``-inf``;
        positions past ``target_lengths`` do not count.
        """
        log_p = self.log_probabilities(source_ids, lengths, decoder_input)
        token_log_p = np.take_along_axis(log_p, np.maximum(classes, 0)[..., None], axis=-1)[..., 0]
        token_log_p[classes < 0] = -np.inf
        inside = position_mask(target_lengths, classes.shape[1])
        return np.where(inside, token_log_p, 0.0).sum(axis=1)

    def probabilities(self, source_ids, lengths, *, beam_width=1, length_penalty=0.0):
        """Classes of the best sequence and each step's class probabilities along it.

        After the end of a variable-length sequence all mass is on the end
        class.
        """
        if beam_width == 1:
            classes, probabilities = self.greedy(source_ids, lengths, return_probabilities=True)
        else:
            classes = self.classes(
                source_ids, lengths, beam_width=beam_width, length_penalty=length_penalty
            )
            decoder_input = shift_right(classes + self.codec.class_offset)
            decoder_input[:, 0] = START_ID
            probabilities = np.exp(self.log_probabilities(source_ids, lengths, decoder_input))
        if self.codec.ends_with_eos:
            after_end = ~position_mask(self.codec.output_lengths(classes) + 1, classes.shape[1])
            probabilities[after_end] = np.eye(probabilities.shape[2], 1, dtype=np.float32)[:, 0]
        return classes, probabilities

    def attention(self, source_ids, lengths):
        """Greedy classes and, per row, attention weights cut to its tokens.

        Returns
        -------
        classes : ndarray of shape (n_samples, n_steps)
        weights : ndarray of shape (n_samples, n_steps, source length) or list
            One array for fixed lengths; otherwise per row an array of shape
            (output length [+ 1 for the end symbol], source length).
        """
        classes, weights = self.greedy.attention_weights(source_ids, lengths)
        if lengths is None and not self.codec.ends_with_eos:
            return classes, weights
        output_lengths = self.codec.output_lengths(classes)
        if self.codec.ends_with_eos:
            ended = output_lengths < classes.shape[1]
            output_lengths = output_lengths + ended  # the end symbol's row
        source_lengths = np.full(len(weights), weights.shape[2]) if lengths is None else lengths
        weights = [w[:n, :m] for w, n, m in zip(weights, output_lengths, source_lengths)]
        return classes, weights
