"""Property-based fuzzing over vocabularies, token types and lengths.

Profiles (tests/conftest.py): "ci" by default; a longer run by hand:
``python -m pytest tests/test_fuzz.py --hypothesis-profile=long``.
Variable-length sequences of mixed token kinds: tests/test_real_sequences.py.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_seq2seq import Seq2SeqLSTM, SequenceOneHotEncoder

# Tests that never build a model afford many more examples.
CHEAP_EXAMPLES = 25 * settings.default.max_examples

TOKEN_ARRAYS = {
    "int": st.integers(-(2**62), 2**62),
    "str": st.text("abcé€\U0001f600", min_size=0, max_size=4),
    "float": st.floats(-1e6, 1e6, allow_nan=False, width=32),
    "bool": st.booleans(),
}
DTYPES = {"int": np.int64, "str": object, "float": np.float32, "bool": np.bool_}


@st.composite
def token_arrays(draw, min_rows=1):
    """A 2-D array of one token kind, drawn from a small vocabulary."""
    kind = draw(st.sampled_from(sorted(TOKEN_ARRAYS)))
    vocabulary = draw(st.lists(TOKEN_ARRAYS[kind], min_size=1, max_size=8, unique=True))
    shape = (draw(st.integers(min_rows, 12)), draw(st.integers(1, 6)))
    return draw(arrays(DTYPES[kind], shape, elements=st.sampled_from(vocabulary)))


@settings(max_examples=CHEAP_EXAMPLES)
@given(token_arrays(), st.data())
def test_encoder_round_trips(X, data):
    encoder = SequenceOneHotEncoder().fit(X)
    one_hot = encoder.transform(X)
    assert one_hot.shape == (len(X), X.shape[1] * encoder.n_ids_)
    np.testing.assert_array_equal(one_hot.reshape(len(X), X.shape[1], -1).sum(axis=2), 1)
    np.testing.assert_array_equal(encoder.inverse_transform(one_hot), X.astype(object))
    np.testing.assert_array_equal(encoder.decode(encoder.encode(X)), X.astype(object))
    rows = data.draw(st.lists(st.integers(0, len(X) - 1), min_size=1, max_size=5))
    np.testing.assert_array_equal(encoder.transform(X[rows]), one_hot[rows])


@settings(max_examples=CHEAP_EXAMPLES)
@given(token_arrays(), st.integers(1, 3))
def test_encoder_vocabulary_limits_keep_the_most_frequent_tokens(X, max_tokens):
    encoder = SequenceOneHotEncoder(max_tokens=max_tokens).fit(X)
    assert len(encoder.tokens_) == min(max_tokens, len(np.unique(X)))
    kept = set(encoder.tokens_)
    decoded = encoder.inverse_transform(encoder.transform(X))
    assert all(token in kept for token in decoded.ravel())  # unknowns decode to known tokens


@given(token_arrays(min_rows=2), token_arrays(min_rows=2))
def test_fit_predict_round_trip_on_any_token_kinds(X, Y):
    n_samples = min(len(X), len(Y))
    X, Y = X[:n_samples], Y[:n_samples]
    est = Seq2SeqLSTM(n_units=4, epochs=1, random_state=0)
    if Y.dtype.kind == "f" and np.any(Y != np.round(Y)):
        with pytest.raises(ValueError, match="continuous"):
            est.fit(X, Y)  # a classifier's targets: fractional floats are refused
        return
    if len(np.unique(Y)) == 1:
        return  # one class at every position: tests/test_bad_input.py
    Y_pred = est.fit(X, Y).predict(X)
    assert Y_pred.shape == Y.shape
    assert set(Y_pred.ravel().tolist()) <= set(Y.ravel().tolist())
    assert 0.0 <= est.score(X, Y) <= 1.0
    log_likelihood = est.log_likelihood(X, Y)
    assert log_likelihood.shape == (n_samples,)
    assert np.all(np.isfinite(log_likelihood)) and np.all(log_likelihood <= 0)
    probabilities = est.predict_proba(X)
    for position in probabilities:
        np.testing.assert_allclose(position.sum(axis=1), 1, rtol=1e-5)
