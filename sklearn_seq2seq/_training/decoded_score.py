"""Validation scores that need a decode: BLEU and chrF of greedy predictions.

Exact-sequence accuracy and the loss are read under teacher forcing, inside
Keras's own validation pass.  BLEU and chrF score what users read: the
validation sources are decoded greedily, batched and compiled, once per
epoch (as JoeyNMT's ``early_stopping_metric: bleu``), turned into text and
scored by sacreBLEU against the validation targets.  The score is written
into the epoch's logs as ``val_bleu`` or ``val_chrf``, where early stopping,
the plateau schedule and the history read it.  Imported only inside
``fit``: it imports Keras.
"""

import keras
import numpy as np

from .. import metrics
from .._decoding.predictor import Predictor
from .._input.codec import PAD_LABEL, Codec

# validation_metric values scored on decoded text, and their metric.
DECODED_METRICS = {"bleu": metrics.bleu_score, "chrf": metrics.chrf_score}


class DecodedValidationScore(keras.callbacks.Callback):
    """Greedy-decode the validation sources each epoch and log their score.

    Parameters
    ----------
    metric : {"bleu", "chrf"}
        The score, logged as ``val_<metric>``.
    validation : ~sklearn_seq2seq._input.codec.TrainingData
        The encoded validation samples.
    codec : ~sklearn_seq2seq._input.codec.Codec
        The fitted layout: output classes to the user's kind.
    as_text : callable
        Formatted sequences to what the metric reads (the tokenizer's
        sentences, or the sequences themselves).
    references : sequences or None, default=None
        The validation targets as given (``y_val``); None rebuilds them from
        the encoded labels (a split of the training samples).
    """

    def __init__(self, metric, validation, codec, as_text, references=None):
        super().__init__()
        self.metric = metric
        self.codec = codec
        self.as_text = as_text
        self.source_ids = np.asarray(validation.source_ids)
        lengths = validation.source_lengths
        self.source_lengths = None if lengths is None else np.asarray(lengths)
        if references is None:
            labels = np.asarray(validation.labels)
            # Padding after the end reads as more ends: format cuts at the
            # first, with room for the longest label (no output cap).
            layout = codec.target_kind, codec.ends_with_eos, labels.shape[1]
            full = Codec(codec.source_vocabulary, codec.target_vocabulary, *layout)
            references = as_text(full.format(np.where(labels == PAD_LABEL, 0, labels)))
        self.references = references
        self.predictor = None

    def on_epoch_end(self, epoch, logs=None):
        if self.predictor is None:  # reads the model's variables at call time
            self.predictor = Predictor(self.model, self.codec)
        classes = self.predictor.classes(self.source_ids, self.source_lengths)
        hypotheses = self.as_text(self.codec.format(classes))
        score = DECODED_METRICS[self.metric](self.references, hypotheses)
        if logs is not None:
            logs[f"val_{self.metric}"] = score
