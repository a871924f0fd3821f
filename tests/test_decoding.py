"""The compiled decoder against the tutorial's step-by-step Keras decoding."""

import numpy as np
import pytest
from keras_loops import up_to_end

from sklearn_seq2seq import Seq2SeqLSTM, make_copy
from sklearn_seq2seq._input.sequences import pad_ids, read_sequences
from sklearn_seq2seq._input.vocabulary import END_ID, N_RESERVED, START_ID


def tutorial_decode(encoder_model, decoder_model, source_ids, n_steps, class_offset=N_RESERVED):
    """The origin tutorial's inference: one Keras predict call per step."""
    h, c = encoder_model.predict(source_ids, verbose=0)
    token = np.full((len(source_ids), 1), START_ID, dtype=np.int32)
    classes, probabilities = [], []
    for _ in range(n_steps):
        proba, h, c = decoder_model.predict([token, h, c], verbose=0)
        step = proba[:, 0].argmax(axis=1)
        classes.append(step)
        probabilities.append(proba[:, 0])
        token = (step + class_offset).reshape(-1, 1).astype(np.int32)
    return np.stack(classes, axis=1), np.stack(probabilities, axis=1)


@pytest.mark.parametrize("n_rows", [300, 1100])  # 1100: one XLA-compiled chunk + the rest
def test_compiled_decoder_matches_keras_inference_models(fitted, small_task, n_rows):
    X_test = np.resize(small_task[2], (n_rows, small_task[2].shape[1]))
    source_ids = fitted.source_vocabulary_.encode(X_test)
    expected_classes, expected_proba = tutorial_decode(
        fitted.encoder_model_, fitted.decoder_model_, source_ids, fitted.n_outputs_
    )
    classes, proba = fitted._predictor.greedy(source_ids, return_probabilities=True)
    np.testing.assert_array_equal(classes, expected_classes)
    np.testing.assert_allclose(proba, expected_proba, atol=1e-5)


def test_masked_decoder_matches_keras_inference_models_on_padded_sources():
    """Variable-length sources: the masked decode equals Keras's masked encoder."""
    X, Y = make_copy(n_samples=600, min_length=1, max_length=12, n_tokens=6, random_state=0)
    # The tutorial's inference models: no attention (test_model_options has it).
    est = Seq2SeqLSTM(n_units=16, attention=None, epochs=2, random_state=0).fit(X, Y)
    sources = read_sequences(X[:300], "lists")
    source_ids = pad_ids(est.source_vocabulary_.encode(sources.tokens), sources.lengths)
    expected_classes, expected_proba = tutorial_decode(
        est.encoder_model_,
        est.decoder_model_,
        source_ids,
        est._predictor.greedy.n_steps,
        class_offset=END_ID,
    )
    classes, proba = est._predictor.greedy(source_ids, sources.lengths, return_probabilities=True)
    # Up to and including each row's end symbol (class 0): after it, a
    # chunk whose rows have all ended stops decoding.
    inside = up_to_end(expected_classes)
    np.testing.assert_array_equal(classes[inside], expected_classes[inside])
    np.testing.assert_allclose(proba[inside], expected_proba[inside], atol=1e-6)
    assert np.all(classes[~inside] == 0)


def test_masked_decoding_stops_when_every_row_has_ended():
    """A chunk whose rows all end early runs only as many steps as its longest output."""
    X = [[1, 2], [3], [2, 1, 3]] * 100
    est = Seq2SeqLSTM(n_units=16, epochs=30, max_output_length=40, batch_size=128, random_state=0)
    est.fit(X, X)
    assert est.predict(X[:3]) == X[:3]
    sources = read_sequences(X[:3], "lists")
    source_ids = pad_ids(est.source_vocabulary_.encode(sources.tokens), sources.lengths)
    classes, proba = est._predictor.greedy(source_ids, sources.lengths, return_probabilities=True)
    assert classes.shape == (3, 41)
    # Steps never run: end class, zero probabilities (predict_proba puts
    # all mass on the end class after the end, as before).
    assert np.all(classes[:, 4:] == 0) and np.all(proba[:, 4:] == 0)
    np.testing.assert_allclose(proba[:, :3].sum(axis=-1), 1, rtol=1e-6)
    after_end = est.predict_proba(X[:3])[10]
    np.testing.assert_array_equal(after_end[:, 0], 1)


@pytest.mark.slow  # trains 30 epochs for outputs that end (11-15 s)
def test_equal_length_remainder_stops_early_and_matches_a_full_chunk():
    """Equal-length sources with an end symbol: the remainder takes the masked path."""
    from sklearn_seq2seq._decoding.greedy import GreedyDecoder

    X = [[1, 2, 3], [3, 1, 2], [2, 2, 1]] * 100
    Y = [[1], [3, 1], [2, 2, 1]] * 100
    est = Seq2SeqLSTM(n_units=16, epochs=30, max_output_length=40, batch_size=128, random_state=0)
    est.fit(X, Y)
    source_ids = est.source_vocabulary_.encode(np.array(X[:48]).ravel()).reshape(48, 3)
    options = dict(n_steps=41, class_offset=END_ID, end_class=0)
    whole_chunk = GreedyDecoder(est.model_, chunk_size=48, **options)  # compiled, every step
    remainders = GreedyDecoder(est.model_, chunk_size=32, **options)  # + 16 rows, masked
    expected, expected_proba = whole_chunk(source_ids, return_probabilities=True)
    classes, proba = remainders(source_ids, return_probabilities=True)
    assert est.predict(X[:3]) == Y[:3]
    inside = np.arange(41) <= np.array([len(y) for y in Y[:48]])[:, None]  # tokens and end
    np.testing.assert_array_equal(classes[inside], expected[inside])
    np.testing.assert_allclose(proba[inside], expected_proba[inside], atol=1e-6)
    # The remainder stopped after its longest output: steps never run are zeros.
    assert np.all(proba[32:, 4:] == 0) and not np.all(expected_proba[32:, 4:] == 0)


def test_inference_models_share_the_trained_weights(fitted):
    encoder_lstm = fitted.model_.get_layer("encoder_0")
    assert any(w is encoder_lstm.weights[0] for w in fitted.encoder_model_.weights)
    decoder_lstm = fitted.model_.get_layer("decoder_0")
    assert any(w is decoder_lstm.weights[0] for w in fitted.decoder_model_.weights)


def test_keras_inference_models_are_built_only_when_read(monkeypatch):
    """fit and predict never build them; the first read of encoder_model_ does, once."""
    from sklearn_seq2seq._decoding import predictor

    built = []
    build = predictor.build_inference_models
    monkeypatch.setattr(
        predictor, "build_inference_models", lambda model: built.append(model) or build(model)
    )
    X, Y = make_copy(200, 2, 4, 5, random_state=0)
    est = Seq2SeqLSTM(n_units=4, epochs=1, random_state=0).fit(X, Y)
    est.predict(X[:3])
    assert built == []
    assert est.encoder_model_ is est.encoder_model_ and est.decoder_model_ is not None
    assert built == [est.model_]


def test_a_rows_probabilities_do_not_depend_on_the_other_rows():
    # scikit-learn's sample-order and subset checks on a tiny 3-class task;
    # tf.nn.softmax changed a row's last bit with the batch (about 1 run in 4
    # of the check failed its rtol of 1e-7).
    rng = np.random.RandomState(0)
    X = 3 * rng.uniform(size=(20, 3))
    est = Seq2SeqLSTM(random_state=1).fit(X, X[:, 0].astype(np.int64))
    full = est.predict_proba(X)
    one_by_one = np.concatenate([est.predict_proba(X[i : i + 1]) for i in range(len(X))])
    np.testing.assert_array_equal(one_by_one, full)
    for _ in range(5):
        order = rng.permutation(len(X))
        np.testing.assert_array_equal(est.predict_proba(X[order]), full[order])


def test_a_padded_rows_prediction_does_not_depend_on_the_other_rows():
    """The masked path: same tokens, probabilities within float32 noise (1e-6).

    Rows are sorted by length into chunks; full chunks run a compiled graph
    at a padded width, the rest an uncompiled one, so a row's last float
    bits may change with its chunk (README, known limits), never its tokens.
    """
    X, Y = make_copy(n_samples=600, min_length=1, max_length=12, n_tokens=6, random_state=0)
    est = Seq2SeqLSTM(n_units=16, epochs=2, attention="luong", random_state=0).fit(X, Y)
    est._predictor.greedy.chunk_size = 32  # full chunks (compiled) and a remainder
    X_test, _ = make_copy(n_samples=150, min_length=1, max_length=12, n_tokens=6, random_state=1)
    predicted = est.predict(X_test)
    proba = np.stack(est.predict_proba(X_test), axis=1)
    order = np.random.RandomState(0).permutation(len(X_test))
    for rows in (order, np.arange(40), np.arange(3)):
        X_rows = [X_test[i] for i in rows]
        assert est.predict(X_rows) == [predicted[i] for i in rows]
        rows_proba = np.stack(est.predict_proba(X_rows), axis=1)
        np.testing.assert_allclose(rows_proba, proba[rows], rtol=0, atol=1e-6)
