"""Sentences in, sentences out: the subword tokenizer, sentence metrics, BLEU early stopping.

The text is made here: a toy English-German word list, sentences drawn
from it, and their word-by-word translations.
"""

import pickle
import sys
import zipfile

import numpy as np
import pytest
import sacrebleu
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, ShuffleSplit

from sklearn_seq2seq import (
    AttentionDisplay,
    SentencePieceTokenizer,
    Seq2SeqLSTM,
    bleu_score,
    bleu_scorer,
    chrf_score,
    chrf_scorer,
    load,
)

WORDS = {
    "the": "der",
    "a": "ein",
    "cat": "Katze",
    "dog": "Hund",
    "sat": "sass",
    "ran": "rannte",
    "big": "gross",
    "small": "klein",
    "red": "rot",
    "blue": "blau",
    "house": "Haus",
    "tree": "Baum",
}


def translations(n_samples, seed):
    rng = np.random.RandomState(seed)
    english = list(WORDS)
    sources = [" ".join(rng.choice(english, rng.randint(2, 7))) for _ in range(n_samples)]
    return sources, [" ".join(WORDS[word] for word in s.split()) for s in sources]


X, Y = translations(2000, seed=0)
X_TEST, Y_TEST = translations(200, seed=1)


def small_model(**params):
    # No early stopping or subword sampling unless a test asks: with a
    # tokenizer "auto" would hold out a tenth of the pairs and decode them
    # after every epoch, and draw new segmentations every epoch.
    options = dict(
        n_units=32,
        epochs=6,
        random_state=0,
        tokenizer=SentencePieceTokenizer(sampling_alpha=None),
        early_stopping=False,
    )
    return Seq2SeqLSTM(**{**options, **params})


@pytest.fixture(scope="session")
def fitted():
    """Fitted with the sentence defaults ("auto" early stopping, sampling and beam)."""
    return small_model(early_stopping="auto", tokenizer=SentencePieceTokenizer()).fit(X, Y)


def test_a_tokenizer_learns_pieces_and_predict_returns_sentences(fitted):
    predictions = fitted.predict(X_TEST)
    assert isinstance(predictions, list) and all(isinstance(p, str) for p in predictions)
    assert fitted.score(X_TEST, Y_TEST) > 0.9
    assert bleu_score(Y_TEST, predictions) > 90
    # The pieces are what the network reads: the vocabularies hold pieces.
    assert "▁Katze" in set(fitted.target_vocabulary_.tokens.tolist())


def test_fit_learns_a_clone_and_leaves_the_parameter_unfitted(fitted):
    assert fitted.tokenizer_ is not fitted.tokenizer
    assert not hasattr(fitted.tokenizer, "source_model_")
    assert isinstance(fitted.tokenizer_.source_model_, bytes)
    assert fitted.tokenizer_.source_model_ != fitted.tokenizer_.target_model_
    unfitted = clone(fitted)
    assert not hasattr(unfitted, "tokenizer_")
    assert not hasattr(unfitted.tokenizer, "source_model_")


def test_the_same_text_gives_the_same_subword_models():
    first = SentencePieceTokenizer(vocab_size=30).fit(X, Y)
    second = SentencePieceTokenizer(vocab_size=30).fit(X, Y)
    assert first.source_model_ == second.source_model_
    assert first.target_model_ == second.target_model_


def test_shared_bpe_models_read_both_sides():
    tokenizer = SentencePieceTokenizer(model_type="bpe", shared=True).fit(X, Y)
    assert tokenizer.source_model_ is tokenizer.target_model_
    pieces = tokenizer.encode(["der Hund"], side="source")
    assert tokenizer.decode(pieces) == ["der Hund"]


def test_a_grid_search_reaches_the_vocabulary_size():
    search = GridSearchCV(
        small_model(n_units=8, epochs=1, beam_width=1),  # the tokenizer is searched
        {"tokenizer__vocab_size": [25, 30]},
        cv=ShuffleSplit(n_splits=1, test_size=0.5, random_state=0),  # 2 fits and a refit
        scoring=chrf_scorer,
    )
    search.fit(X[:300], Y[:300])
    assert search.best_params_["tokenizer__vocab_size"] in (25, 30)
    assert search.best_estimator_.tokenizer_.get_params()["vocab_size"] in (25, 30)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_a_vocabulary_the_text_cannot_hold_names_the_largest_that_works():
    est = small_model().set_params(tokenizer__vocab_size=5000)
    with pytest.raises(ValueError, match=r"vocab_size=5000 .* the largest that works is \d+"):
        est.fit(X, Y)
    assert not hasattr(est, "tokenizer_")
    with pytest.raises(ValueError, match=r"vocab_size=5 .* the smallest that works is \d+"):
        est.set_params(tokenizer__vocab_size=5).fit(X, Y)


@pytest.mark.parametrize(
    "sources, targets, message",
    [
        (np.arange(12).reshape(6, 2), Y[:6], "1-D list of strings"),
        ([["the", "cat"]] * 6, Y[:6], r"X\[0\] is list"),
        (X[:6], [[1, 2]] * 6, r"y\[0\] is list"),
        (X[:6], np.arange(6), r"y\[0\] is int"),
    ],
)
def test_a_tokenizer_refuses_what_is_not_sentences(fitted, sources, targets, message):
    before = fitted.predict(X_TEST[:5])
    est = clone(fitted)
    with pytest.raises(ValueError, match=message):
        est.fit(sources, targets)
    # A warm fit that is refused leaves the fitted model as it was.
    warm = pickle.loads(pickle.dumps(fitted)).set_params(warm_start=True)
    with pytest.raises(ValueError, match=message):
        warm.fit(sources, targets)
    assert warm.predict(X_TEST[:5]) == before


def test_unusual_sentences_in_predict_are_read_never_a_crash(fitted):
    odd = ["", "   ", "😀 漢字 cat", "the big " * 100, "Tree"]
    predictions = fitted.predict(odd)
    assert len(predictions) == len(odd)
    assert all(isinstance(p, str) for p in predictions)


def test_sentences_stop_early_on_bleu_by_default(fitted):
    assert fitted.early_stopping == "auto" and fitted.validation_metric == "auto"
    # A tenth of the pairs held out, decoded and scored with BLEU every epoch.
    assert len(fitted.history_["val_bleu"]) == fitted.n_iter_
    assert fitted.best_validation_score_ == max(fitted.history_["val_bleu"])


def test_sentences_decode_with_a_beam_of_four_by_default(fitted):
    assert fitted.beam_width == "auto"
    searched = pickle.loads(pickle.dumps(fitted)).set_params(beam_width=4)
    assert list(fitted.predict(X_TEST)) == list(searched.predict(X_TEST))


def test_predict_nbest_log_likelihood_and_probabilities_read_sentences(fitted):
    nbest, log_probabilities = fitted.predict_nbest(X_TEST[:3], n_best=2)
    assert len(nbest) == 3 and all(len(h) == 2 and isinstance(h[0], str) for h in nbest)
    assert nbest[0][0] == fitted.predict(X_TEST[:1])[0]
    likelihood = fitted.log_likelihood(X_TEST[:3], [n[0] for n in nbest])
    np.testing.assert_allclose(likelihood, log_probabilities[:, 0], rtol=1e-4, atol=1e-4)
    assert len(fitted.predict_proba(X_TEST[:3])) == fitted.max_output_length_


def test_attention_is_labelled_with_pieces(fitted):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    weights, pieces = fitted.attention_weights(X_TEST[:1], return_predictions="pieces")
    _, sentences = fitted.attention_weights(X_TEST[:1], return_predictions=True)
    assert fitted.tokenizer_.decode(pieces) == sentences
    display = AttentionDisplay.from_estimator(fitted, X_TEST[0])
    assert display.source_tokens == fitted.tokenizer_.encode(X_TEST[:1], side="source")[0]
    assert display.weights.shape == (len(pieces[0]) + 1, len(display.source_tokens))


def test_save_and_load_keep_the_subword_models_without_pickle(fitted, tmp_path):
    path = tmp_path / "model.s2s"
    fitted.save(path)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert archive.read("tokenizer/source.model") == fitted.tokenizer_.source_model_
    assert {"estimator.json", "model.keras", "tokenizer/target.model"} <= names
    loaded = load(path)
    assert loaded.get_params()["tokenizer__vocab_size"] == "auto"
    assert loaded.predict(X_TEST) == fitted.predict(X_TEST)
    assert loaded.output_length_limit_ == fitted.output_length_limit_
    unpickled = pickle.loads(pickle.dumps(fitted))
    assert unpickled.predict(X_TEST[:20]) == fitted.predict(X_TEST[:20])


def test_export_writes_the_subword_models_beside_the_saved_model(fitted, tmp_path):
    fitted.export(tmp_path / "served")
    assert (tmp_path / "served" / "source.model").read_bytes() == fitted.tokenizer_.source_model_
    assert (tmp_path / "served" / "target.model").read_bytes() == fitted.tokenizer_.target_model_


def test_warm_start_keeps_the_fitted_tokenizer(fitted):
    warm = pickle.loads(pickle.dumps(fitted)).set_params(warm_start=True, epochs=1)
    models = warm.tokenizer_.source_model_, warm.tokenizer_.target_model_
    warm.fit(X_TEST, Y_TEST)
    assert (warm.tokenizer_.source_model_, warm.tokenizer_.target_model_) == models
    untokenized = Seq2SeqLSTM(n_units=8, epochs=1, random_state=0).fit(X[:100], Y[:100])
    untokenized.set_params(warm_start=True, tokenizer=SentencePieceTokenizer())
    with pytest.raises(ValueError, match="cannot add or remove a tokenizer"):
        untokenized.fit(X[:100], Y[:100])


def test_bleu_early_stopping_decodes_the_validation_set_each_epoch():
    est = small_model(epochs=3, early_stopping=True, validation_metric="bleu")
    # Validation text may hold characters the training text never had.
    long = " ".join(["the big cat"] * 4), " ".join(["der gross Katze"] * 4)
    X_val, y_val = [*X_TEST, "the café", long[0]], [*Y_TEST, "das  Café", long[1]]
    est.fit(X, Y, X_val=X_val, y_val=y_val)
    assert est.validation_scores_ == est.history_["val_bleu"]
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    # The logged score is sacreBLEU's on the greedy decode of the kept
    # weights, against y_val as given (longer than any training target).
    kept = bleu_score(y_val, est.set_params(beam_width=1).predict(X_val))
    assert kept == pytest.approx(est.best_validation_score_)


def test_chrf_early_stopping_works_without_a_tokenizer():
    est = Seq2SeqLSTM(n_units=16, epochs=2, early_stopping=True, validation_metric="chrf")
    est.set_params(random_state=0).fit(X[:500], Y[:500])
    assert len(est.history_["val_chrf"]) == 2
    assert all(0 <= score <= 100 for score in est.validation_scores_)


def test_sentence_metrics_are_sacrebleus_corpus_scores():
    references = ["the cat sat on the mat", "a dog ran"]
    hypotheses = ["the cat sat on a mat", "a dog ran away"]
    expected = sacrebleu.corpus_bleu(hypotheses, [references]).score
    assert bleu_score(references, hypotheses) == pytest.approx(expected)
    assert chrf_score(references, hypotheses) == pytest.approx(
        sacrebleu.corpus_chrf(hypotheses, [references]).score
    )
    # Token sequences are joined by spaces.
    assert bleu_score([["a", "b", "c", "d"]], [["a", "b", "c", "d"]]) == pytest.approx(100)
    with pytest.raises(ValueError, match="different numbers of sequences"):
        bleu_score(references, hypotheses[:1])


def test_the_sentence_scorers_score_an_estimator(fitted):
    assert bleu_scorer(fitted, X_TEST, Y_TEST) == pytest.approx(
        bleu_score(Y_TEST, fitted.predict(X_TEST))
    )


def test_a_missing_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentencepiece", None)
    with pytest.raises(ImportError, match=r"sklearn-seq2seq\[text\]"):
        SentencePieceTokenizer().fit(X, Y)
    monkeypatch.setitem(sys.modules, "sacrebleu", None)
    with pytest.raises(ImportError, match=r"sklearn-seq2seq\[text\]"):
        bleu_score(["a"], ["a"])


def test_the_learned_output_length_limit_holds_every_training_pair(fitted):
    a, b = fitted.output_length_limit_
    source = [len(p) for p in fitted.tokenizer_.encode(X, side="source")]
    target = [len(p) for p in fitted.tokenizer_.encode(Y, side="target")]
    assert np.all(np.array(target) <= np.ceil(a * np.array(source) + b))
    # Without a tokenizer "auto" sets no limit: character models are unchanged.
    chars = Seq2SeqLSTM(n_units=8, epochs=1, random_state=0).fit(X[:100], Y[:100])
    assert chars.output_length_limit_ is None


def test_a_given_output_length_limit_ends_every_output_in_time():
    est = small_model(epochs=2, output_length_limit=(0.0, 2.0)).fit(X, Y)
    for beam_width in (1, 3):  # greedy and beam search
        est.set_params(beam_width=beam_width)
        # Variable-length sources, and equal-length ones (the fixed-length path).
        for sources in (X_TEST[:40], ["the big cat sat", "a small dog ran"]):
            pieces = est.tokenizer_.encode(est.predict(sources), side="target")
            assert max(len(p) for p in pieces) <= 2
        nbest, _ = est.predict_nbest(X_TEST[:5], n_best=2)  # beams of 2 and 3
        assert all(len(p) <= 2 for h in nbest for p in est.tokenizer_.encode(h, side="target"))


@pytest.mark.parametrize("limit", [(1.0,), (1.0, float("inf")), (-1.0, 2.0)])
def test_a_malformed_output_length_limit_is_refused(limit):
    with pytest.raises(ValueError, match="output_length_limit must be"):
        small_model(output_length_limit=limit).fit(X[:50], Y[:50])


def test_a_given_output_length_limit_survives_saving(tmp_path):
    est = small_model(epochs=1, output_length_limit=(1.5, 2)).fit(X[:200], Y[:200])
    est.save(tmp_path / "model.s2s")
    loaded = load(tmp_path / "model.s2s")
    assert loaded.get_params()["output_length_limit"] == (1.5, 2)
    assert loaded.output_length_limit_ == (1.5, 2.0)
    clone(loaded).fit(X[:50], Y[:50])  # the loaded parameters are valid ones


def test_a_refitted_tokenizer_reads_with_its_new_models():
    tokenizer = SentencePieceTokenizer().fit(X, Y)
    assert "▁Katze" in tokenizer.encode(["die Katze"], side="target")[0]
    tokenizer.fit(["a b c d"] * 20, ["x y z w"] * 20)
    assert "▁Katze" not in tokenizer.encode(["die Katze"], side="target")[0]


def test_score_compares_sentences_as_the_tokenizer_reads_them(fitted):
    spaced = [y.replace(" ", "  ") for y in Y_TEST[:20]]  # doubled spaces
    assert fitted.score(X_TEST[:20], spaced) == fitted.score(X_TEST[:20], Y_TEST[:20])


@pytest.mark.parametrize("model_type", ["unigram", "bpe"])
def test_sampled_segmentations_are_reproducible_and_read_back(model_type):
    tokenizer = SentencePieceTokenizer(model_type=model_type).fit(X, Y)  # "auto" samples
    assert tokenizer.draws_segmentations()
    best = tokenizer.encode(X, side="source")
    first, again, other = (
        tokenizer.encode(X, side="source", sample_seed=seed) for seed in (1, 1, 2)
    )
    assert first == again and first != other and first != best
    assert tokenizer.decode(tokenizer.encode(Y, side="target", sample_seed=3)) == Y
    # Without sampling_alpha a seed changes nothing.
    plain = clone(tokenizer).set_params(sampling_alpha=None).fit(X, Y)
    assert not plain.draws_segmentations()
    assert plain.encode(X, side="source", sample_seed=1) == best


@pytest.fixture
def recorded_seeds(monkeypatch):
    """(side, sample_seed) of every ``SentencePieceTokenizer.encode`` call."""
    seeds = []
    encode = SentencePieceTokenizer.encode

    def recording_encode(self, sentences, *, side, sample_seed=None):
        seeds.append((side, sample_seed))
        return encode(self, sentences, side=side, sample_seed=sample_seed)

    monkeypatch.setattr(SentencePieceTokenizer, "encode", recording_encode)
    return seeds


def drawn_seeds(seeds, side):
    return [seed for s, seed in seeds if s == side and seed is not None]


def sampling_model():
    est = small_model(n_units=16, epochs=2, early_stopping=True)
    return est.set_params(tokenizer__sampling_alpha=0.2).fit(X[:200], Y[:200])


def test_subword_regularisation_reads_a_new_segmentation_each_epoch(recorded_seeds):
    est = sampling_model()
    for side in ("source", "target"):
        drawn = drawn_seeds(recorded_seeds, side)
        assert len(set(drawn)) == len(drawn) == 2  # one draw per epoch
    recorded_seeds.clear()
    est.predict(X_TEST[:5])
    assert recorded_seeds == [("source", None)]  # prediction reads the most likely pieces


# Four more fits (about 20 s): marked slow.
@pytest.mark.slow
def test_sampled_segmentations_are_seeded_and_follow_a_warm_start(recorded_seeds):
    est = sampling_model()
    drawn = drawn_seeds(recorded_seeds, "source")
    # The same random_state draws the same segmentations: the same model;
    # without sampling the same random_state trains another one.
    again = clone(est).fit(X[:200], Y[:200])
    plain = clone(est).set_params(tokenizer__sampling_alpha=None).fit(X[:200], Y[:200])
    weights = [e.model_.get_weights() for e in (est, again, plain)]
    for a, b in zip(weights[0], weights[1]):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, c) for a, c in zip(weights[0], weights[2]))
    # A warm start draws new segmentations, and follows the parameter.
    recorded_seeds.clear()
    est.set_params(warm_start=True, epochs=1).fit(X[:200], Y[:200])
    warm = drawn_seeds(recorded_seeds, "source")
    assert len(warm) == 1 and warm[0] not in drawn
    recorded_seeds.clear()
    est.set_params(tokenizer__sampling_alpha=None).fit(X[:200], Y[:200])
    assert all(seed is None for _, seed in recorded_seeds)


@pytest.mark.parametrize(
    "name, value",
    [
        ("sampling_alpha", 0.0),
        ("sampling_alpha", 1.5),
        ("sampling_alpha", "high"),
        ("vocab_size", "many"),
        ("model_type", "wordpiece"),
    ],
)
def test_malformed_tokenizer_parameters_are_refused_by_name(name, value):
    est = small_model(tokenizer=SentencePieceTokenizer(**{name: value}))
    with pytest.raises(ValueError, match=f"'{name}' parameter of SentencePieceTokenizer"):
        est.fit(X[:50], Y[:50])
    assert not hasattr(est, "tokenizer_")
