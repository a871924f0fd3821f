"""Beam search, n-best lists and sequence log-probabilities."""

import numpy as np
import pytest

from sklearn_seq2seq import Seq2SeqLSTM
from sklearn_seq2seq._decoding.beam import BeamSearchDecoder, length_penalty
from sklearn_seq2seq._decoding.greedy import GreedyDecoder, TeacherForcedScorer
from sklearn_seq2seq._input.sequences import pad_ids, read_sequences
from sklearn_seq2seq._input.vocabulary import N_RESERVED, START_ID
from sklearn_seq2seq._network.model import build_training_model


@pytest.fixture(scope="session")
def words():
    """Reverse 1-5 letter words: variable lengths, an end symbol, a few errors left."""
    rng = np.random.RandomState(0)
    X = ["".join(rng.choice(list("abcde"), size=n)) for n in rng.randint(1, 6, size=1500)]
    # Batches of 128: 36 steps leave the errors beam search is tested on.
    est = Seq2SeqLSTM(n_units=24, epochs=3, batch_size=128, random_state=0)
    est.fit(X, [x[::-1] for x in X])
    X_test = ["".join(rng.choice(list("abcde"), size=n)) for n in rng.randint(1, 6, size=200)]
    return est, X_test


def test_width_one_is_greedy(words, fitted, small_task):
    est, X_test = words
    est.set_params(beam_width=1)
    greedy = est.predict(X_test)
    best, _ = est.predict_nbest(X_test, n_best=1)
    assert [b[0] for b in best] == greedy
    X_fixed = small_task[2]
    decoder = BeamSearchDecoder(fitted.model_, n_steps=2, beam_width=1, class_offset=N_RESERVED)
    np.testing.assert_array_equal(
        decoder(fitted.source_vocabulary_.encode(X_fixed))[0][:, 0],
        fitted._predictor.greedy(fitted.source_vocabulary_.encode(X_fixed)),
    )


def test_auto_width_decodes_sequences_without_a_tokenizer_greedily(words):
    est, X_test = words
    auto = est.set_params(beam_width="auto").predict(X_test)
    assert auto == est.set_params(beam_width=1).predict(X_test)


def test_beam_is_never_less_likely_than_greedy(words):
    est, X_test = words
    greedy = est.set_params(beam_width=1).predict(X_test)
    beam = est.set_params(beam_width=4).predict(X_test)
    est.set_params(beam_width=1)
    greedy_log_p, beam_log_p = est.log_likelihood(X_test, greedy), est.log_likelihood(X_test, beam)
    assert np.all(beam_log_p >= greedy_log_p - 1e-5)
    assert np.any(beam_log_p > greedy_log_p + 1e-3)  # an under-trained model: beam helps


def test_nbest_log_probabilities_are_the_models_and_finished_hypotheses_end(words):
    est, X_test = words
    nbest, log_p = est.predict_nbest(X_test[:50], n_best=4)
    assert len(nbest) == 50 and all(len(n) == 4 for n in nbest)
    assert np.all(np.diff(log_p, axis=1) <= 1e-6)  # best first
    for k in range(4):
        kth = [n[k] for n in nbest]
        np.testing.assert_allclose(est.log_likelihood(X_test[:50], kth), log_p[:, k], atol=1e-4)
    assert all(len(set(n)) == 4 for n in nbest)  # distinct hypotheses


def test_hypotheses_cut_at_the_length_limit_pay_for_their_end():
    """At max_output_length every open hypothesis ends, paying the end's log-probability."""
    rng = np.random.RandomState(1)
    X = ["".join(rng.choice(list("abc"), size=n)) for n in rng.randint(3, 6, size=300)]
    est = Seq2SeqLSTM(n_units=8, epochs=1, max_output_length=2, random_state=0)
    est.fit(X, [x[::-1] for x in X])  # every target is longer than the limit
    nbest, log_p = est.predict_nbest(X[:20], n_best=4)
    assert all(len(set(n)) == 4 for n in nbest)  # a cut hypothesis is not listed twice
    for k in range(4):
        kth = [n[k] for n in nbest]
        np.testing.assert_allclose(est.log_likelihood(X[:20], kth), log_p[:, k], atol=1e-4)


def test_length_penalty_orders_the_returned_hypotheses(words):
    est, X_test = words
    est.set_params(length_penalty=1.0)
    nbest, log_p = est.predict_nbest(X_test[:50], n_best=3)
    est.set_params(length_penalty=0.0)
    lengths = np.array([[len(y) + 1 for y in n] for n in nbest])  # end symbol counts
    normalised = log_p / length_penalty(lengths, 1.0).numpy()
    assert np.all(np.diff(normalised, axis=1) <= 1e-6)


def test_predict_proba_follows_the_beam_path(words):
    est, X_test = words
    est.set_params(beam_width=3)
    proba, Y_pred = est.predict_proba(X_test[:20]), est.predict(X_test[:20])
    est.set_params(beam_width=1)
    assert len(proba) == est.n_outputs_
    for p in proba:
        np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
    # Sequences shorter than n_outputs_ have their end inside predict_proba.
    short = [i for i, y in enumerate(Y_pred) if len(y) < est.n_outputs_]
    log_p = []
    for i in short:
        path = [est.classes_[0].tolist().index(t) for t in Y_pred[i]] + [0]  # then the end
        log_p.append(sum(np.log(proba[j][i, c]) for j, c in enumerate(path)))
    expected = est.log_likelihood([X_test[i] for i in short], [Y_pred[i] for i in short])
    np.testing.assert_allclose(log_p, expected, atol=1e-3)


def test_fixed_length_targets_log_likelihood_and_nbest(fitted, small_task):
    X_test, Y_test = small_task[2][:100], small_task[3][:100]
    log_p = fitted.log_likelihood(X_test, Y_test)
    assert log_p.shape == (100,) and np.all(log_p <= 0)
    nbest, nbest_log_p = fitted.predict_nbest(X_test, n_best=3)
    assert nbest.shape == (100, 3, 2)
    np.testing.assert_array_equal(nbest[:, 0], fitted.predict(X_test))
    np.testing.assert_allclose(
        fitted.log_likelihood(X_test, nbest[:, 1]), nbest_log_p[:, 1], atol=1e-4
    )
    assert np.all(np.isneginf(fitted.log_likelihood(X_test[:1], [[1, 99]])))  # unseen token
    with pytest.raises(ValueError, match="exactly 2"):
        fitted.log_likelihood(X_test[:1], [[1, 2, 3]])
    with pytest.raises(ValueError, match="n_best"):
        fitted.predict_nbest(X_test, n_best=0)


def tiny_model_where_greedy_is_wrong():
    """Two steps over classes {0, 1}; the first step says 0 (0.6 against 0.4),
    but after 0 the second step is a coin flip and after 1 it is 0.99 sure:
    greedy finds [0, x] with P = 0.3, the best sequence is [1, 0] with 0.396.
    """
    model = build_training_model(n_source_ids=5, n_target_ids=6, n_classes=2, n_units=2, seed=0)
    for layer in model.layers:
        layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    # Decoder: forget gate shut, input and output gates open, no recurrence,
    # so h depends only on the input token: START -> (0, 0), class 0 -> (u, 0),
    # class 1 -> (0, u).
    decoder = model.get_layer("decoder_0")
    kernel, recurrent, bias = decoder.get_weights()
    units = 2
    kernel[:, :units] = 20  # i
    kernel[:, units : 2 * units] = -20  # f
    kernel[:, 3 * units :] = 20  # o
    kernel[N_RESERVED + 0, 2 * units] = 3.0  # g of class 0's token
    kernel[N_RESERVED + 1, 2 * units + 1] = 3.0  # g of class 1's token
    decoder.set_weights([kernel, recurrent, bias])
    u = np.tanh(np.tanh(3.0))
    first, after_0, after_1 = np.log([0.6, 0.4]), np.log([0.5, 0.5]), np.log([0.99, 0.01])
    model.get_layer("output_dense").set_weights(
        [
            np.stack([(after_0 - first) / u, (after_1 - first) / u]).astype(np.float32),
            first.astype(np.float32),
        ]
    )
    return model


def test_tiny_model_where_greedy_is_provably_wrong_and_beam_is_right():
    model = tiny_model_where_greedy_is_wrong()
    source = np.full((1, 3), N_RESERVED, dtype=np.int32)
    assert GreedyDecoder(model, n_steps=2)(source)[0, 0] == 0
    classes, log_p, _ = BeamSearchDecoder(model, 2, beam_width=2, class_offset=N_RESERVED)(source)
    np.testing.assert_array_equal(classes[0, 0], [1, 0])
    np.testing.assert_allclose(log_p[0, 0], np.log(0.4 * 0.99), atol=1e-3)
    decoder_input = np.array([[START_ID, N_RESERVED + 1]])
    scored = TeacherForcedScorer(model)(source, np.array([3]), decoder_input)
    np.testing.assert_allclose(scored[0, [0, 1], [1, 0]].sum(), np.log(0.4 * 0.99), atol=1e-3)


def test_a_wide_vocabulary_is_searched_as_every_class_were_ranked():
    """With 40 classes a width-3 search ranks only each hypothesis's 3 best
    classes; two steps of it equal a beam search over every class, done here
    by hand from teacher-forced log-probabilities."""
    n_classes, width = 40, 3
    model = build_training_model(
        n_source_ids=10, n_target_ids=n_classes + N_RESERVED, n_classes=n_classes, n_units=8, seed=0
    )
    source = np.array([[4, 5, 6, 7], [7, 6, 5, 4]], dtype=np.int32)
    classes, log_p, _ = BeamSearchDecoder(model, 2, beam_width=width, class_offset=N_RESERVED)(
        source
    )
    scorer = TeacherForcedScorer(model)
    for row in range(len(source)):

        def step_log_p(first_class):
            decoder_input = np.array([[START_ID, first_class + N_RESERVED]])
            return scorer(source[row : row + 1], np.array([4]), decoder_input)[0]

        first = step_log_p(0)[0]
        kept = np.argsort(-first, kind="stable")[:width]
        candidates = np.stack([first[c] + step_log_p(c)[1] for c in kept])  # (width, classes)
        best = np.argsort(-candidates.ravel(), kind="stable")[:width]
        expected = np.column_stack([kept[best // n_classes], best % n_classes])
        np.testing.assert_array_equal(classes[row], expected)
        np.testing.assert_allclose(log_p[row], candidates.ravel()[best], atol=1e-4)


def test_invalid_beam_parameters_are_reported_at_fit():
    for width in (0, "wide"):
        with pytest.raises(ValueError, match="beam_width"):
            Seq2SeqLSTM(beam_width=width).fit([[1, 2]] * 4, [1] * 4)
    with pytest.raises(ValueError, match="length_penalty"):
        Seq2SeqLSTM(length_penalty=-1.0).fit([[1, 2]] * 4, [1] * 4)


def test_stopping_once_every_hypothesis_has_ended_changes_no_result(words):
    """The masked path's while_loop (early exit) equals running every step."""
    import tensorflow as tf

    from sklearn_seq2seq._input.sequences import pad_ids, read_sequences

    est, X_test = words
    search = est._predictor.beam(4, 0.6)
    sources = read_sequences(X_test, "strings")
    ids = tf.constant(pad_ids(est.source_vocabulary_.encode(sources.tokens), sources.lengths))
    lengths = tf.constant(sources.lengths, tf.int32)
    encoded = search.network.encode(ids, lengths)
    stopped = [t.numpy() for t in search._search(*encoded, until_end=True)]
    every_step = [t.numpy() for t in search._search(*encoded, until_end=False)]
    for early, full in zip(stopped, every_step):
        np.testing.assert_array_equal(early, full)


def test_full_chunks_of_padded_sources_compile_to_the_same_search(words):
    """Full chunks run XLA at a padded width: same hypotheses, scores to float noise."""
    from sklearn_seq2seq._input.sequences import pad_ids, read_sequences

    est, X_test = words
    search = est._predictor.beam(4, 0.6)
    sources = read_sequences(X_test, "strings")
    ids = pad_ids(est.source_vocabulary_.encode(sources.tokens), sources.lengths)
    uncompiled = search(ids, sources.lengths)  # 200 rows < one chunk: uncompiled
    search.chunk_size = 50  # four full chunks: compiled
    compiled = search(ids, sources.lengths)
    search.chunk_size = 256  # as the estimator built it, for the other tests
    np.testing.assert_array_equal(compiled[0], uncompiled[0])
    np.testing.assert_allclose(compiled[1], uncompiled[1], atol=1e-5)
    np.testing.assert_array_equal(compiled[2], uncompiled[2])


def test_best_only_search_stops_once_every_best_is_final():
    """The tiny model with class 0 as the end: [0] (P 0.6) ends first and no open
    hypothesis can beat it, so predict's search stops there; a full search goes
    on until [1, 0] (P 0.396) ends too, and keeps the same best."""
    model = tiny_model_where_greedy_is_wrong()
    source, lengths = np.full((1, 3), N_RESERVED, dtype=np.int32), np.array([3])
    options = dict(n_steps=20, beam_width=2, class_offset=N_RESERVED, end_class=0)
    settled = BeamSearchDecoder(model, **options, best_only=True)(source, lengths)
    full = BeamSearchDecoder(model, **options)(source, lengths)
    for early, every in zip(settled, full):
        np.testing.assert_array_equal(early[:, 0], every[:, 0])
    np.testing.assert_allclose(full[1][0], np.log([0.6, 0.4 * 0.99]), atol=1e-3)
    np.testing.assert_array_equal(full[2][0], [1, 2])
    np.testing.assert_array_equal(settled[2][0], [1, 1])  # [1] left open after one step
    with_penalty = BeamSearchDecoder(model, **options, alpha=0.6, best_only=True)
    np.testing.assert_array_equal(with_penalty(source, lengths)[2][0], [1, 2])  # runs on


def test_predict_with_beam_search_equals_the_full_search_best(words):
    est, X_test = words
    sources = read_sequences(X_test, "strings")
    ids = pad_ids(est.source_vocabulary_.encode(sources.tokens), sources.lengths)
    full = est._predictor.beam(4, 0.0)(ids, sources.lengths)
    est.set_params(beam_width=4)
    try:
        assert est.predict(X_test) == est._codec.format(full[0][:, 0])
    finally:
        est.set_params(beam_width=1)
