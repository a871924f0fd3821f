"""One network, checked everywhere: the plain-TF ops equal the Keras models.

``network_ops.Network`` re-implements the trained network's ops for the
compiled decoders.  Over every option combination, on untrained models
(their weights are as arbitrary as trained ones, and they build fast;
every pair of option values by default, the whole product with ``-m slow``),
it must give what the Keras models give: the teacher-forced scorer equals
the Keras training model's softmax, and the greedy decoder equals the
tutorial's step-by-step loop over the Keras inference models, for fixed
and for variable (padded, masked) lengths.
"""

import itertools

import numpy as np
import pytest
import tensorflow as tf
from keras_loops import keras_greedy, up_to_end

from sklearn_seq2seq._decoding.greedy import GreedyDecoder, TeacherForcedScorer
from sklearn_seq2seq._input.vocabulary import END_ID, N_RESERVED, PAD_ID, START_ID
from sklearn_seq2seq._network import layers
from sklearn_seq2seq._network.model import build_inference_models, build_training_model

N_SOURCE_IDS, N_TARGET_IDS, N_UNITS, N_ROWS, WIDTH = 9, 8, 6, 12, 5
INPUTS = ("one-hot", "kernel rows", "embeddings")
COMBINATIONS = list(
    itertools.product(("lstm", "gru"), (1, 2), (False, True), (None, "luong", "bahdanau"), INPUTS)
)


def combination_id(combination):
    cell, n_layers, bidirectional, attention, inputs = combination
    direction = "bi" if bidirectional else "uni"
    return f"{cell}-{n_layers}-{direction}-{attention or 'plain'}-{inputs.replace(' ', '_')}"


def pairwise_cover(combinations):
    """A few combinations in which every pair of option values occurs."""

    def pairs(combination):
        return set(itertools.combinations(enumerate(combination), 2))

    uncovered, chosen = set().union(*map(pairs, combinations)), []
    while uncovered:
        best = max(combinations, key=lambda c: len(pairs(c) & uncovered))
        chosen.append(best)
        uncovered -= pairs(best)
    return chosen


# Every pair of options in the default run; all combinations in the slow one.
QUICK = pairwise_cover(COMBINATIONS)
CASES = [
    pytest.param(c, id=combination_id(c), marks=() if c in QUICK else pytest.mark.slow)
    for c in COMBINATIONS
]


def build(combination, variable, monkeypatch):
    cell, n_layers, bidirectional, attention, inputs = combination
    if inputs == "kernel rows":
        monkeypatch.setattr(layers, "LOOKUP_MIN_WIDTH_RATIO", 0)
    return build_training_model(
        n_source_ids=N_SOURCE_IDS,
        n_target_ids=N_TARGET_IDS,
        n_classes=N_TARGET_IDS - END_ID if variable else N_TARGET_IDS - N_RESERVED,
        n_units=N_UNITS,
        seed=0,
        max_length=WIDTH + 1,
        mask_source=variable,
        mask_target=variable,
        cell=cell,
        n_layers=n_layers,
        bidirectional=bidirectional,
        attention=attention,
        embedding_dim=4 if inputs == "embeddings" else None,
    )


@pytest.mark.parametrize("variable", [False, True], ids=["fixed", "variable"])
@pytest.mark.parametrize("combination", CASES)
def test_plain_tf_network_equals_the_keras_models(combination, variable, monkeypatch):
    model = build(combination, variable, monkeypatch)
    rng = np.random.RandomState(0)
    class_offset = END_ID if variable else N_RESERVED
    lengths = rng.randint(1, WIDTH + 1, N_ROWS) if variable else np.full(N_ROWS, WIDTH)
    source_ids = rng.randint(N_RESERVED, N_SOURCE_IDS, (N_ROWS, WIDTH)).astype(np.int32)
    source_ids[np.arange(WIDTH) >= lengths[:, None]] = PAD_ID
    targets = rng.randint(N_RESERVED, N_TARGET_IDS, (N_ROWS, WIDTH)).astype(np.int32)
    decoder_input = np.concatenate([np.full((N_ROWS, 1), START_ID), targets[:, :-1]], axis=1)
    decoder_input = decoder_input.astype(np.int32)

    # Teacher forcing: the scorer's log-softmax equals the training model's.
    expected = tf.nn.log_softmax(model([source_ids, decoder_input], training=False)).numpy()
    scored = TeacherForcedScorer(model)(source_ids, lengths, decoder_input)
    np.testing.assert_allclose(scored, expected, atol=1e-5)

    # Greedy decoding, step by step, equals the Keras inference models.
    n_steps = WIDTH + 1 if variable else WIDTH
    attention = layers.ATTENTION in {layer.name for layer in model.layers}
    encoder, decoder = build_inference_models(model)
    expected_classes, expected_proba = keras_greedy(
        encoder, decoder, source_ids, n_steps, class_offset, attention
    )
    decoder = GreedyDecoder(
        model, n_steps=n_steps, class_offset=class_offset, end_class=0 if variable else None
    )
    classes, proba = decoder(source_ids, lengths if variable else None, return_probabilities=True)
    # Variable lengths: up to each row's end (class 0), where decoding may stop.
    inside = up_to_end(expected_classes) if variable else np.ones(classes.shape, bool)
    np.testing.assert_allclose(proba[inside], expected_proba[inside], atol=1e-5)
    np.testing.assert_array_equal(classes[inside], expected_classes[inside])
    if variable:  # full chunks of padded sources: the XLA-compiled, early-exit graph
        decoder.chunk_size = N_ROWS // 3
        classes, proba = decoder(source_ids, lengths, return_probabilities=True)
        np.testing.assert_allclose(proba[inside], expected_proba[inside], atol=1e-5)
        np.testing.assert_array_equal(classes[inside], expected_classes[inside])
