"""Export of the decoder for serving, as a TensorFlow SavedModel.

The exported directory needs TensorFlow only, not this package: its
``decode`` endpoint runs the same compiled decoding as ``predict`` (greedy,
or beam search when ``beam_width > 1``) on a batch of right-padded source
ids, and ``vocabulary.json`` beside it maps tokens to ids and back.  A model
fitted with a tokenizer takes the ids of subword pieces: its SentencePiece
models are written beside (``source.model``, ``target.model``), for the
server to cut sentences into pieces and join decoded pieces with the
``sentencepiece`` package.
``tf.saved_model.save`` writes a ``tf.Module`` that holds the training
model's variables; Keras's ``ExportArchive`` would also trace
every layer's own ``call``, which an unrolled LSTM without a fixed length
refuses.
"""

import json
import os

from .._input.vocabulary import END_ID, N_RESERVED, PAD_ID, RESERVED_NAMES, START_ID, UNKNOWN_ID
from .archive import vocabulary_to_json

VOCABULARY_FILE = "vocabulary.json"


def export(predictor, path, *, beam_width=1, length_penalty=0.0, tokenizer=None):
    """Write a SavedModel whose ``decode`` endpoint does what ``predict`` does.

    ``decode(source_ids, source_lengths)`` takes int32 source ids of shape
    ``(batch, time)``, right-padded with 0, and their lengths, and returns
    ``{"token_ids": (batch, max_output_length_) int32, "lengths": (batch,)
    int32}``: target ids, 0 after each sequence's end.  Ids follow
    ``vocabulary.json``: token ``i`` of a vocabulary has id ``i + 4``,
    unknown source tokens take id 2.

    Parameters
    ----------
    predictor : ~sklearn_seq2seq._decoding.predictor.Predictor
        A fitted estimator's predictor (its model and codec).
    path : str or os.PathLike
        Directory to write (created; must not hold another SavedModel).
    beam_width : int, default=1
        1 exports greedy decoding, more a beam search of that width.
    length_penalty : float, default=0.0
        The beam search's length normalisation.
    tokenizer : SentencePieceTokenizer or None, default=None
        The estimator's fitted tokenizer, whose models are written beside.
    """
    import tensorflow as tf

    from .._decoding.greedy import CLASSES

    codec = predictor.codec
    beam = beam_width > 1
    decoder = (
        predictor.beam(beam_width, length_penalty, best_only=True) if beam else predictor.greedy
    )
    offset, n_outputs = codec.class_offset, codec.max_output_length
    ends_with_eos = codec.ends_with_eos

    def decode(source_ids, source_lengths):
        classes = decoder.decode_padded(source_ids, source_lengths, CLASSES)[0]
        if beam:
            classes = classes[:, 0]  # the best hypothesis
        classes = classes[:, :n_outputs]
        batch = tf.shape(classes)[0]
        if not ends_with_eos:
            return {"token_ids": classes + offset, "lengths": tf.fill([batch], n_outputs)}
        ended = classes == 0  # class 0 is the end symbol
        first_end = tf.argmax(tf.cast(ended, tf.int32), axis=1, output_type=tf.int32)
        lengths = tf.where(tf.reduce_any(ended, axis=1), first_end, n_outputs)
        inside = tf.sequence_mask(lengths, n_outputs)
        return {"token_ids": tf.where(inside, classes + offset, PAD_ID), "lengths": lengths}

    module = tf.Module()
    module.weights = [weight.value for weight in predictor.model.weights]  # tf.Variables
    module.decode = tf.function(
        decode,
        input_signature=[
            tf.TensorSpec([None, None], tf.int32, name="source_ids"),
            tf.TensorSpec([None], tf.int32, name="source_lengths"),
        ],
    )
    tf.saved_model.save(module, os.fspath(path), signatures={"serving_default": module.decode})
    vocabulary = {
        "reserved_ids": dict(zip(RESERVED_NAMES, (PAD_ID, START_ID, UNKNOWN_ID, END_ID))),
        "first_token_id": N_RESERVED,
        "source": vocabulary_to_json(codec.source_vocabulary),
        "target": vocabulary_to_json(codec.target_vocabulary),
        "target_kind": codec.target_kind,
    }
    with open(os.path.join(path, VOCABULARY_FILE), "w") as file:
        json.dump(vocabulary, file)
    if tokenizer is not None:
        for name, model in (
            ("source", tokenizer.source_model_),
            ("target", tokenizer.target_model_),
        ):
            with open(os.path.join(path, f"{name}.model"), "wb") as file:
                file.write(model)
