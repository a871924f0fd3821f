"""Shared fixtures (one small reversal task and one model fitted on it), the
hypothesis profiles ("ci" by default, "long" by hand with
``python -m pytest tests/test_fuzz.py --hypothesis-profile=long``), and the
grouping that lets each test module's fitted models be fitted once."""

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


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    """Tests that share a test module's fitted model run on one xdist worker.

    Those fixtures are session-scoped, so a worker fits each model once even
    when it runs other modules' tests in between, and grouped
    (``--dist loadgroup``), so only one worker fits it.
    """
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        shared = sorted(
            name
            for name, definitions in info.name2fixturedefs.items()
            if name in item.fixturenames
            and definitions[-1].scope == "session"
            and definitions[-1].baseid.endswith(".py")
        )
        if shared:
            # Keyed by the first shared model (and its parameter: xdist reads a
            # group name only without brackets), so that tests which also use
            # a second fixture still join their model's group.
            first = shared[0]
            params = getattr(item, "callspec", None)
            if params and first in params.params:
                first = f"{first}={params.params[first]}"
            item.add_marker(pytest.mark.xdist_group(f"{item.module.__name__}:{first}"))
