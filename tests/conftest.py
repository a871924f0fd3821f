"""Shared fixtures (one small reversal task and one model fitted on it) and
the hypothesis profiles: "ci" by default, "long" by hand with
``python -m pytest tests/test_fuzz.py --hypothesis-profile=long``."""

import pytest
from hypothesis import HealthCheck, settings

from sklearn_seq2seq import Seq2SeqLSTM, make_reversal

# max_examples counts fits of a model; tests without TensorFlow run 25x as many.
_FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
# CI replays the same examples every run; the long profile explores afresh.
settings.register_profile("ci", max_examples=8, derandomize=True, **_FUZZ)
settings.register_profile("long", max_examples=200, **_FUZZ)
settings.load_profile("ci")


@pytest.fixture(scope="session")
def small_task():
    """Reversal of 2 of 4 tokens drawn from 1..5, train and test splits."""
    X, Y = make_reversal(n_samples=3000, n_in=4, n_out=2, n_tokens=6, random_state=0)
    X_test, Y_test = make_reversal(n_samples=300, n_in=4, n_out=2, n_tokens=6, random_state=1)
    return X, Y, X_test, Y_test


@pytest.fixture(scope="session")
def fitted(small_task):
    """A model that has learned the small task (read-only: do not refit)."""
    X, Y, _, _ = small_task
    return Seq2SeqLSTM(n_units=32, epochs=10, batch_size=128, random_state=0).fit(X, Y)
