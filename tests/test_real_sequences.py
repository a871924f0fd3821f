"""Seq2SeqLSTM on sequences as users have them: strings, token lists, any lengths."""

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklearn_seq2seq import EOS, Seq2SeqLSTM, make_copy, sequence_accuracy_score

FAST = dict(n_units=16, epochs=2, batch_size=128, random_state=0)


@pytest.fixture(scope="session")
def reverse_strings():
    """Reverse strings of 1-6 letters: variable lengths, so an end symbol."""
    rng = np.random.RandomState(0)
    lengths = rng.randint(1, 7, size=3000)
    X = ["".join(rng.choice(list("abcd"), size=n)) for n in lengths]
    Y = [x[::-1] for x in X]
    est = Seq2SeqLSTM(n_units=48, epochs=12, batch_size=128, random_state=0).fit(X, Y)
    return est, X, Y


def test_strings_in_strings_out(reverse_strings):
    est, X, Y = reverse_strings
    X_test = ["abc", "d", "abcdab", "ca"]
    Y_pred = est.predict(X_test)
    assert isinstance(Y_pred, list) and all(isinstance(y, str) for y in Y_pred)
    assert est.score(X[:500], Y[:500]) > 0.9
    assert sequence_accuracy_score([x[::-1] for x in X_test], Y_pred) >= 0.75
    assert est.max_output_length_ == est.n_outputs_ == 6
    assert not hasattr(est, "n_features_in_")


def test_padding_never_changes_a_prediction(reverse_strings):
    est = reverse_strings[0]
    short = ["ab", "c"]
    alone = est.predict_proba(short)
    with_long = est.predict_proba(short + ["abcdabcdabcd" * 3, "dcba"])
    assert est.predict(short) == est.predict(short + ["abcdabcdabcd" * 3])[:2]
    for a, b in zip(alone, with_long):
        np.testing.assert_allclose(a, b[:2], atol=1e-6)


def small_blocks(est, monkeypatch):
    """Make predict read ``est``'s sources in blocks of 64 samples (4 chunks of 16)."""
    from sklearn_seq2seq._decoding.predictor import Predictor

    monkeypatch.setattr("sklearn_seq2seq._input.sources.CHUNKS_PER_BLOCK", 4)
    monkeypatch.setattr(est._predictor.greedy, "chunk_size", 16)
    monkeypatch.setattr(est._predictor.beam(3, 0.0), "chunk_size", 16)
    paths = []
    classes = Predictor.classes

    def spy(self, source_ids, lengths, **options):
        paths.append(("fixed" if lengths is None else "masked", len(source_ids)))
        return classes(self, source_ids, lengths, **options)

    monkeypatch.setattr(Predictor, "classes", spy)
    return paths


@pytest.mark.parametrize("target", ["strings", "lists", "labels"])
def test_predict_in_blocks_equals_one_batch(reverse_strings, monkeypatch, target):
    est, X, Y = reverse_strings
    X, Y = X[:300], Y[:300]
    if target == "lists":
        X, Y = [list(x) for x in X], [list(y) for y in Y]
        est = Seq2SeqLSTM(**FAST).fit(X, Y)
    elif target == "labels":
        Y = np.array([y[0] for y in Y])  # one label per sample: arrays out
        est = Seq2SeqLSTM(**FAST).fit(X, Y)
    whole = est.predict(X)
    whole_beam = est.set_params(beam_width=3).predict(X)
    paths = small_blocks(est, monkeypatch)
    assert list(est.predict(X)) == list(whole_beam)
    est.set_params(beam_width=1)
    assert list(est.predict(tuple(X))) == list(whole)
    objects = np.empty(len(X), dtype=object)
    objects[:] = X
    assert list(est.predict(objects)) == list(whole)
    assert [n for _, n in paths] == [64] * 4 + [44] + [64] * 4 + [44] + [64] * 4 + [44]
    assert {path for path, _ in paths} == {"masked"}
    # Equal lengths take the fixed-length path in every block.
    paths.clear()
    same_length = [x for x in X if len(x) == 3] * 30
    blocks = est.predict(same_length)
    assert {path for path, _ in paths} == {"fixed"} and len(paths) > 1
    assert list(blocks) == [whole[X.index(x)] for x in same_length]
    # Errors count and name the samples of the user's whole input.
    empty = [] if target == "lists" else ""
    with pytest.raises(ValueError, match="2 empty sequence.*first at index 200"):
        est.predict(X[:200] + [empty] + X[:100] + [empty])


def test_end_symbol_in_classes_and_probabilities(reverse_strings):
    est = reverse_strings[0]
    assert est.classes_[0][0] is EOS and list(est.classes_[0][1:]) == list("abcd")
    X_test = ["abc", "d", "abcd"]
    Y_pred = est.predict(X_test)
    proba = est.predict_proba(X_test)
    assert len(proba) == est.n_outputs_
    for i, y in enumerate(Y_pred):
        tokens = [est.classes_[j][proba[j][i].argmax()] for j in range(est.n_outputs_)]
        assert "".join(t for t in tokens if t is not EOS) == y
        # Everything after the end is the end.
        assert all(t is EOS for t in tokens[len(y) :])


def test_max_output_length_bounds_decoding():
    X = ["ab", "abc", "b", "ca"] * 100
    Y = [x * 2 for x in X]
    est = Seq2SeqLSTM(max_output_length=3, **FAST).fit(X, Y)
    assert est.n_outputs_ == 3 and all(len(y) <= 3 for y in est.predict(X[:20]))


def test_unknown_source_tokens_are_read_as_unknown(reverse_strings):
    est = reverse_strings[0]
    Y_pred = est.predict(["xyz", "a?b", "😀"])
    assert all(set(y) <= set("abcd") for y in Y_pred)


def test_lists_of_any_hashable_tokens_and_fixed_length_targets():
    X = [["the", "cat"], ["a", "dog", "ran"], ["a", "cat"]] * 50
    Y = [[("DH", 0), ("AH", 0)], [("AH", 0), ("D", 1)], [("AH", 0), ("K", 2)]] * 50
    est = Seq2SeqLSTM(**FAST).fit(X, Y)
    Y_pred = est.predict([["the", "dog"], ["unseen", "words", "here", "too"]])
    assert isinstance(Y_pred, list) and all(len(y) == 2 for y in Y_pred)
    assert all(token in {("DH", 0), ("AH", 0), ("D", 1), ("K", 2)} for y in Y_pred for token in y)
    assert EOS not in list(est.classes_[0])  # fixed-length targets: no end class


def test_array_sources_with_string_targets():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 100, size=(400, 1))
    Y = [str(x) for x in X[:, 0]]
    est = Seq2SeqLSTM(**FAST).fit(X, Y)
    assert est.n_features_in_ == 1
    assert all(isinstance(y, str) for y in est.predict(X[:5]))


def test_source_vocabulary_limits():
    X, Y = make_copy(n_samples=300, max_length=5, n_tokens=30, random_state=0)
    est = Seq2SeqLSTM(max_tokens=5, **FAST).fit(X, Y)
    assert len(est.source_vocabulary_.tokens) == 5
    assert len(est.target_vocabulary_.tokens) == 29  # targets keep every token
    est = Seq2SeqLSTM(min_frequency=0.05, **FAST).fit(X, Y)
    assert len(est.source_vocabulary_.tokens) < 29
    assert len(est.predict(X[:3])) == 3


def test_pickled_variable_length_model_predicts_the_same(reverse_strings):
    est = reverse_strings[0]
    restored = pickle.loads(pickle.dumps(est))
    assert restored.classes_[0][0] is EOS
    X_test = ["abc", "dd", "abcdab"]
    assert restored.predict(X_test) == est.predict(X_test)


@pytest.fixture(scope="session")
def tiny_model():
    """A model fitted on a few strings, and its predictions for ``["ab", "ba"]``."""
    est = Seq2SeqLSTM(**FAST).fit(["ab", "ba", "a"] * 5, ["b", "a", "aa"] * 5)
    return est, est.predict(["ab", "ba"])


@pytest.mark.parametrize(
    "X, Y, error, match",
    [
        (["ab", ""], ["a", "b"], ValueError, "empty sequence"),
        (["ab", "cd"], ["a", ""], ValueError, "empty sequence"),
        (["ab", [1, 2]], ["a", "b"], TypeError, "all be strings or all be lists"),
        ("abc", ["a"], TypeError, "single str"),
        ([[1, [2]], [3]], ["a", "b"], TypeError, "unhashable"),
        ([[1, "a"], [2]], ["a", "b"], TypeError, "cannot be compared"),
        ([[1, None], [2]], ["a", "b"], ValueError, "None"),
        (["ab", "cd", "e"], ["a", "b"], ValueError, "inconsistent numbers of samples"),
    ],
)
def test_bad_sequences_are_rejected_and_keep_the_fitted_model(tiny_model, X, Y, error, match):
    est, before = tiny_model  # shared: a refused fit must leave it as it was
    with pytest.raises(error, match=match):
        est.fit(X, Y)
    assert est.predict(["ab", "ba"]) == before


def test_model_fitted_on_a_2d_array_checks_the_width_of_arrays_only():
    est = Seq2SeqLSTM(**FAST).fit([[1, 2], [2, 1]] * 10, np.array([1, 2] * 10))
    assert est.n_features_in_ == 2  # equal-length lists in fit are a 2-D array
    with pytest.raises(ValueError, match="expecting 2 features"):
        est.predict(np.array([[1, 2, 1]]))
    assert est.predict([[1, 2, 1], [2]]).shape == (2,)  # lists are sequences
    np.testing.assert_array_equal(est.predict([[1, 2]]), est.predict(np.array([[1, 2]])))


token_strategies = st.sampled_from(
    [
        st.integers(-(2**40), 2**40),
        st.text("xyzé", min_size=1, max_size=3),
        st.tuples(st.integers(0, 3), st.booleans()),
    ]
)


@st.composite
def sequence_tasks(draw):
    source_tokens = draw(st.lists(draw(token_strategies), min_size=1, max_size=6, unique=True))
    target_tokens = draw(st.lists(draw(token_strategies), min_size=1, max_size=6, unique=True))
    n_samples = draw(st.integers(1, 12))

    def sequences(tokens):
        return [
            draw(st.lists(st.sampled_from(tokens), min_size=1, max_size=7))
            for _ in range(n_samples)
        ]

    return sequences(source_tokens), sequences(target_tokens)


@pytest.mark.slow  # 8 fits of random vocabularies (23 s); tests/test_fuzz.py runs by default
@given(sequence_tasks(), st.sampled_from([None, 2]))
def test_random_vocabularies_never_crash_and_predict_training_tokens(task, max_tokens):
    X, Y = task
    est = Seq2SeqLSTM(n_units=4, epochs=1, max_tokens=max_tokens, random_state=0)
    if len({t for y in Y for t in y}) == 1 and len({len(y) for y in Y}) == 1:
        with pytest.raises(ValueError, match="one class"):
            est.fit(X, Y)  # one token at every position: nothing to learn
        return
    est.fit(X, Y)
    Y_pred = est.predict(X + [X[0] * 3])
    assert len(Y_pred) == len(X) + 1
    seen = set(token for y in Y for token in y)
    assert all(token in seen for y in Y_pred for token in y)
    assert all(len(y) <= est.max_output_length_ for y in Y_pred)


@pytest.mark.slow  # five fits (20 s); grid searches on strings run by default in test_text.py
def test_model_selection_on_strings_with_a_sequence_scorer():
    from sklearn.model_selection import GridSearchCV

    from sklearn_seq2seq import make_addition, neg_token_error_rate_scorer

    X, Y = make_addition(n_samples=300, max_digits=1, random_state=0)
    search = GridSearchCV(
        Seq2SeqLSTM(epochs=2, random_state=0),
        {"n_units": [4, 16]},
        cv=2,
        scoring=neg_token_error_rate_scorer,
    ).fit(X, Y)
    assert all(score <= 0 for score in search.cv_results_["mean_test_score"])
    assert all(isinstance(y, str) for y in search.predict(X[:3]))
