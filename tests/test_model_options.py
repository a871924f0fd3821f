"""Model options: cell, stacking, bidirectional encoders, attention, embeddings, dropout.

The compiled decoders re-implement the network's ops; every option is
checked against the Keras models built from the same trained layers.
"""

import pickle

import numpy as np
import pytest
from keras_loops import keras_greedy, up_to_end
from sklearn.model_selection import GridSearchCV

from sklearn_seq2seq import Seq2SeqLSTM, load
from sklearn_seq2seq._decoding.greedy import GreedyDecoder
from sklearn_seq2seq._input.sequences import pad_ids, read_sequences, shift_right
from sklearn_seq2seq._input.vocabulary import END_ID, PAD_ID
from sklearn_seq2seq._network import layers
from sklearn_seq2seq._network.model import build_training_model

rng = np.random.RandomState(0)
WORDS = ["".join(rng.choice(list("abcd"), size=n)) for n in rng.randint(1, 7, size=400)]
REVERSED = [w[::-1] for w in WORDS]

CONFIGS = {  # together they cover every option and both cells
    "stacked-dropout": dict(n_layers=2, dropout=0.2),
    "luong-embeddings": dict(attention="luong", embedding_dim=6),
    "bahdanau-bidirectional-gru-stacked": dict(
        attention="bahdanau", cell="gru", bidirectional=True, n_layers=2
    ),
    "luong-bidirectional-lstm": dict(attention="luong", bidirectional=True, dropout=0.1),
    # One-hot inputs read as kernel rows (wide vocabularies; forced here).
    "kernel-rows-luong-stacked": dict(attention="luong", n_layers=2),
}


@pytest.fixture(scope="session", params=list(CONFIGS), ids=list(CONFIGS))
def option_model(request):
    est = Seq2SeqLSTM(n_units=8, epochs=2, random_state=0, **CONFIGS[request.param])
    with pytest.MonkeyPatch.context() as patch:
        if request.param.startswith("kernel-rows"):
            patch.setattr(layers, "LOOKUP_MIN_WIDTH_RATIO", 0)
        return est.fit(WORDS, REVERSED)


def keras_decode(est, source_ids, n_steps):
    """The tutorial's inference with the estimator's Keras models."""
    attention = est._architecture["attention"] is not None
    return keras_greedy(
        est.encoder_model_, est.decoder_model_, source_ids, n_steps, END_ID, attention
    )


def test_compiled_decoding_matches_the_keras_inference_models(option_model):
    est = option_model
    sources = read_sequences(WORDS[:150], "strings")
    source_ids = pad_ids(est.source_vocabulary_.encode(sources.tokens), sources.lengths)
    expected_classes, expected_proba = keras_decode(est, source_ids, est._predictor.greedy.n_steps)
    classes, proba = est._predictor.greedy(source_ids, sources.lengths, return_probabilities=True)
    # Up to each row's end symbol: a chunk whose rows have all ended stops.
    inside = up_to_end(expected_classes)
    np.testing.assert_allclose(proba[inside], expected_proba[inside], atol=1e-5)
    np.testing.assert_array_equal(classes[inside], expected_classes[inside])
    # Equal-length sources: a full chunk runs the unrolled graph, every
    # step; the remainder (these rows) the masked graph, which stops too.
    same_length = source_ids[sources.lengths == 4][:, :4]
    expected_classes, expected_proba = keras_decode(est, same_length, est._predictor.greedy.n_steps)
    inside = up_to_end(expected_classes)
    for chunk_size in (1024, len(same_length)):
        greedy = GreedyDecoder(
            est.model_,
            n_steps=expected_classes.shape[1],
            class_offset=END_ID,
            end_class=0,
            chunk_size=chunk_size,
        )
        classes, proba = greedy(same_length, return_probabilities=True)
        np.testing.assert_allclose(proba[inside], expected_proba[inside], atol=1e-5)
        np.testing.assert_array_equal(classes[inside], expected_classes[inside])


def test_log_likelihood_matches_the_keras_training_model(option_model):
    est = option_model
    X, Y = WORDS[:100], REVERSED[:100]
    sources = read_sequences(X, "strings")
    source_ids = pad_ids(est.source_vocabulary_.encode(sources.tokens), sources.lengths)
    targets = read_sequences(Y, "strings")
    grid = pad_ids(est.target_vocabulary_.encode(targets.tokens), targets.lengths, 7)
    grid[np.arange(len(grid)), targets.lengths] = END_ID
    decoder_input = shift_right(grid)
    decoder_input[decoder_input == END_ID] = PAD_ID
    logits = np.asarray(est.model_([source_ids, decoder_input], training=False))
    log_p = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    labels = np.maximum(grid - END_ID, 0)
    token_log_p = np.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]
    expected = np.where(np.arange(7) <= targets.lengths[:, None], token_log_p, 0).sum(axis=1)
    np.testing.assert_allclose(est.log_likelihood(X, Y), expected, rtol=1e-4, atol=1e-4)


def test_beam_search_of_width_one_is_greedy_and_wider_is_as_likely(option_model):
    est = option_model
    X = WORDS[:60]
    greedy = est.set_params(beam_width=1).predict(X)
    best, log_p = est.predict_nbest(X, n_best=1)
    assert [b[0] for b in best] == greedy
    wide, wide_log_p = est.predict_nbest(X, n_best=3)
    # Not row by row (a beam may prune the greedy path), but overall.
    assert wide_log_p[:, 0].mean() >= log_p[:, 0].mean()
    # Hypotheses that ended (not cut at max_output_length_) score as log_likelihood.
    ended = np.array([len(b[0]) < est.max_output_length_ for b in wide])
    assert ended.sum() > len(X) / 2
    np.testing.assert_allclose(
        est.log_likelihood(X, [b[0] for b in wide])[ended],
        wide_log_p[ended, 0],
        rtol=1e-4,
        atol=1e-4,
    )


def test_pickle_and_safe_file_round_trips(option_model, tmp_path):
    est = option_model
    X = WORDS[:40]
    expected = est.predict_proba(X)
    for restored in (pickle.loads(pickle.dumps(est)), _saved_and_loaded(est, tmp_path)):
        assert restored.predict(X) == est.predict(X)
        for theirs, ours in zip(restored.predict_proba(X), expected):
            np.testing.assert_array_equal(theirs, ours)


def test_export_decodes_like_predict(option_model, tmp_path):
    import tensorflow as tf

    est = option_model
    est.export(tmp_path / "served")
    served = tf.saved_model.load(str(tmp_path / "served"))
    sources = read_sequences(WORDS[:50], "strings")
    source_ids = pad_ids(est.source_vocabulary_.encode(sources.tokens), sources.lengths)
    out = served.decode(source_ids, sources.lengths.astype(np.int32))
    tokens = est.target_vocabulary_.tokens
    decoded = [
        "".join(tokens[i - 4] for i in row[:n])
        for row, n in zip(out["token_ids"].numpy(), out["lengths"].numpy())
    ]
    assert decoded == est.predict(WORDS[:50])


def _saved_and_loaded(est, tmp_path):
    est.save(tmp_path / "model.s2s")
    return load(tmp_path / "model.s2s")


def test_attention_weights_are_distributions_over_real_source_tokens():
    est = Seq2SeqLSTM(n_units=8, epochs=2, attention="bahdanau", random_state=0)
    est.fit(WORDS, REVERSED)
    X = ["abcd", "a", "dcbaab"]
    weights = est.attention_weights(X)
    predictions = est.predict(X)
    for w, x, y in zip(weights, X, predictions):
        assert w.shape[1] == len(x)
        assert w.shape[0] in (len(y), len(y) + 1)  # + the end symbol's row
        np.testing.assert_allclose(w.sum(axis=1), 1, atol=1e-5)
    with pytest.raises(ValueError, match="fitted with attention"):
        Seq2SeqLSTM(n_units=4, epochs=1, attention=None).fit(WORDS, REVERSED).attention_weights(X)


def test_attention_weights_of_fixed_length_data_are_one_array(small_task):
    X, Y, X_test, _ = small_task
    est = Seq2SeqLSTM(n_units=8, epochs=1, attention="luong", random_state=0).fit(X, Y)
    weights = est.attention_weights(X_test[:5])
    assert weights.shape == (5, 2, 4)
    np.testing.assert_allclose(weights.sum(axis=2), 1, atol=1e-5)


def test_attention_display_renders_to_png(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from sklearn_seq2seq import AttentionDisplay

    est = Seq2SeqLSTM(n_units=8, epochs=2, attention="luong", random_state=0)
    est.fit(WORDS, REVERSED)
    display = AttentionDisplay.from_estimator(est, "abcd")
    assert display.weights.shape[1] == 4
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == list("abcd")
    display.figure_.savefig(tmp_path / "attention.png")
    assert (tmp_path / "attention.png").read_bytes()[:4] == b"\x89PNG"


def test_options_are_grid_search_parameters(small_task):
    X, Y = small_task[0][:400], small_task[1][:400]
    search = GridSearchCV(
        Seq2SeqLSTM(n_units=8, epochs=2, random_state=0),
        {"attention": [None, "luong"], "cell": ["gru"]},
        cv=2,
    ).fit(X, Y)
    assert search.best_estimator_.cell == "gru"
    assert len(search.cv_results_["params"]) == 2


def test_warm_start_keeps_the_architecture():
    est = Seq2SeqLSTM(n_units=4, epochs=1, attention="luong", warm_start=True, random_state=0)
    est.fit(WORDS, REVERSED)
    with pytest.raises(ValueError, match="cannot change the network"):
        est.set_params(attention="bahdanau").fit(WORDS, REVERSED)
    est.set_params(attention="luong", dropout=0.3).fit(WORDS, REVERSED)  # dropout may change
    assert est.n_iter_ == 2


@pytest.mark.parametrize("sources", ["sequences", "array"])
def test_auto_attention_is_luong_on_sequences_and_none_on_arrays(sources, small_task):
    """attention="auto" trains exactly the model its resolved value trains."""
    X, Y = (WORDS, REVERSED) if sources == "sequences" else small_task[:2]
    resolved = "luong" if sources == "sequences" else None
    auto, explicit = (
        Seq2SeqLSTM(n_units=4, epochs=1, attention=attention, random_state=0).fit(X, Y)
        for attention in ("auto", resolved)
    )
    assert auto.attention == "auto"  # the parameter stays as given
    assert len(auto.model_.weights) == len(explicit.model_.weights)
    for a, b in zip(auto.model_.weights, explicit.model_.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)
    if resolved is None:
        with pytest.raises(ValueError, match="fitted with attention"):
            auto.attention_weights(X[:2])
    else:
        assert len(auto.attention_weights(X[:2])) == 2


def test_auto_attention_warm_start_keeps_the_fitted_network(small_task):
    X, Y = small_task[:2]
    est = Seq2SeqLSTM(n_units=4, epochs=1, attention=None, warm_start=True, random_state=0)
    est.fit(X, Y).set_params(attention="auto").fit(X, Y)  # auto: the fitted None
    assert est.n_iter_ == 2
    est = Seq2SeqLSTM(n_units=4, epochs=1, warm_start=True, random_state=0).fit(WORDS, REVERSED)
    with pytest.raises(ValueError, match="cannot change the network"):
        est.set_params(attention=None).fit(WORDS, REVERSED)  # auto trained luong
    assert est.n_iter_ == 1


def _encoder_kinds(est):
    return {type(layer).__name__ for layer in est.model_.layers}


def test_auto_bidirectional_reads_narrow_sequences_both_ways_and_arrays_one_way(small_task):
    """bidirectional="auto": on for characters, off for 2-D arrays and wide vocabularies."""
    fast = dict(n_units=4, epochs=1, random_state=0)
    strings = Seq2SeqLSTM(**fast).fit(WORDS, REVERSED)
    assert strings.bidirectional == "auto"  # the parameter stays as given
    assert strings._architecture["bidirectional"] is True
    assert "Bidirectional" in _encoder_kinds(strings)
    array = Seq2SeqLSTM(**fast).fit(*small_task[:2])
    assert array._architecture["bidirectional"] is False
    assert "Bidirectional" not in _encoder_kinds(array)
    # 60 distinct tokens (64 ids) are wider than 2 x 4 gates x 4 units: one way,
    # reading the one-hot input as kernel rows; with embeddings, both ways.
    tokens = [[f"t{(i + j) % 60}" for j in range(1 + i % 3)] for i in range(120)]
    wide = Seq2SeqLSTM(**fast).fit(tokens, tokens)
    assert wide._architecture["bidirectional"] is False
    embedded = Seq2SeqLSTM(embedding_dim=4, **fast).fit(tokens, tokens)
    assert embedded._architecture["bidirectional"] is True


def test_auto_bidirectional_warm_start_keeps_the_fitted_encoder():
    est = Seq2SeqLSTM(n_units=4, epochs=1, warm_start=True, random_state=0)
    est.fit(WORDS, REVERSED).fit(WORDS, REVERSED)  # auto: the fitted True
    assert est.n_iter_ == 2
    with pytest.raises(ValueError, match="cannot change the network"):
        est.set_params(bidirectional=False).fit(WORDS, REVERSED)


def test_defaults_build_the_tutorial_model():
    model = build_training_model(n_source_ids=9, n_target_ids=9, n_classes=5, n_units=8)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("LSTM") == 2 and kinds.count("OneHot") == 2
    assert not {"Embedding", "Dropout", "Bidirectional", "Attention", "GRU"} & set(kinds)
    assert model.count_params() == (9 + 8 + 1) * 32 * 2 + (8 + 1) * 5


@pytest.mark.parametrize(
    "params, message",
    [
        ({"cell": "rnn"}, "cell"),
        ({"attention": "dot"}, "attention"),
        ({"n_layers": 0}, "n_layers"),
        ({"embedding_dim": 0}, "embedding_dim"),
        ({"dropout": 1.0}, "dropout"),
    ],
)
def test_bad_options_are_rejected_by_name(params, message):
    with pytest.raises(ValueError, match=message):
        Seq2SeqLSTM(**params).fit(WORDS[:10], REVERSED[:10])


def test_random_state_fixes_the_bahdanau_attention_weights():
    """AdditiveAttention's own v is drawn unseeded by Keras; the builder reseeds it."""
    sizes = dict(n_source_ids=9, n_target_ids=9, n_classes=5, n_units=4, seed=0)
    first, second = (build_training_model(**sizes, attention="bahdanau") for _ in range(2))
    for a, b in zip(first.weights, second.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)


# Two fits of the largest network (17 s): the builder's seeding is tested above.
@pytest.mark.slow
@pytest.mark.parametrize("options", [CONFIGS["bahdanau-bidirectional-gru-stacked"]])
def test_random_state_fixes_every_weight(options):
    """AdditiveAttention's own v is drawn unseeded by Keras; we reseed it."""
    first, second = (
        Seq2SeqLSTM(n_units=4, epochs=1, random_state=0, **options).fit(WORDS, REVERSED)
        for _ in range(2)
    )
    for a, b in zip(first.model_.weights, second.model_.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)


def _one_hot_and_kernel_rows_models(monkeypatch, **options):
    sizes = dict(n_source_ids=60, n_target_ids=50, n_classes=46, n_units=4, seed=3)
    monkeypatch.setattr(layers, "LOOKUP_MIN_WIDTH_RATIO", 10**9)
    one_hot = build_training_model(**sizes, **options)
    monkeypatch.setattr(layers, "LOOKUP_MIN_WIDTH_RATIO", 2)  # 50 and 60 ids > 2 x 16 gates
    return one_hot, build_training_model(**sizes, **options)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"cell": "gru"},
        {"n_layers": 2, "attention": "bahdanau", "mask_source": True, "mask_target": True},
        {"bidirectional": True},
    ],
    ids=["lstm", "gru", "stacked-attention-masked", "bidirectional"],
)
def test_wide_one_hot_inputs_read_kernel_rows_and_compute_the_same(monkeypatch, options):
    one_hot, rows = _one_hot_and_kernel_rows_models(monkeypatch, **options)
    kinds = [type(layer).__name__ for layer in rows.layers]
    lookups = [layer for layer in rows.layers if isinstance(layer, layers.IdentityInputKernel)]
    # Bidirectional encoders keep one-hot inputs (two input kernels).
    assert len(lookups) == (1 if options.get("bidirectional") else 2)
    assert kinds.count("OneHot") == 2 - len(lookups)
    for layer in lookups:
        kernel = layer.cell.kernel
        assert not kernel.trainable
        assert all(weight is not kernel for weight in rows.trainable_weights)
        np.testing.assert_array_equal(kernel.numpy(), np.eye(*kernel.shape))
        # The lookup embedding starts as the one-hot model's kernel.
        side = "source" if layer.name.startswith("encoder") else "target"
        embedding = rows.get_layer(f"{side}_embedding")
        np.testing.assert_array_equal(
            embedding.embeddings.numpy(), one_hot.get_layer(layer.name).cell.kernel.numpy()
        )
    assert sum(w.numpy().size for w in rows.trainable_weights) == sum(
        w.numpy().size for w in one_hot.trainable_weights
    )
    rng = np.random.RandomState(0)
    inputs = [rng.randint(0, 60, (7, 9)), rng.randint(0, 50, (7, 5))]
    # Bit for bit: rows @ identity is exact.
    np.testing.assert_array_equal(one_hot(inputs).numpy(), rows(inputs).numpy())


def test_kernel_rows_train_like_one_hot_inputs_and_stay_frozen(monkeypatch, tmp_path):
    X = np.random.RandomState(1).randint(0, 40, size=(300, 5))
    Y = X[:, ::-1]
    params = dict(n_units=4, epochs=2, random_state=0)
    monkeypatch.setattr(layers, "LOOKUP_MIN_WIDTH_RATIO", 10**9)
    one_hot = Seq2SeqLSTM(**params).fit(X, Y)
    monkeypatch.undo()
    rows = Seq2SeqLSTM(**params).fit(X, Y)  # 44 ids > 2 x 16 gates: kernel rows
    assert isinstance(rows.model_.get_layer("encoder_0"), layers.LookupLSTM)
    assert not isinstance(one_hot.model_.get_layer("encoder_0"), layers.IdentityInputKernel)
    # Same network, same start; only the gradients' summation order differs.
    for theirs, ours in zip(one_hot.predict_proba(X[:50]), rows.predict_proba(X[:50])):
        np.testing.assert_allclose(theirs, ours, atol=1e-4)
    # A reloaded model trained further keeps its identity kernels.
    restored = _saved_and_loaded(rows, tmp_path).set_params(warm_start=True).fit(X, Y)
    assert restored.n_iter_ == 4
    for name in ("encoder_0", "decoder_0"):
        kernel = restored.model_.get_layer(name).cell.kernel
        assert not kernel.trainable
        np.testing.assert_array_equal(kernel.numpy(), np.eye(*kernel.shape))
