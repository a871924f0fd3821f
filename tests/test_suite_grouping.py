"""The suite's own machinery: tests that share a module's session fixture
(a fitted model, in the other modules) run on one pytest-xdist worker, so
that the model is fitted once (tests/conftest.py)."""

import pytest


@pytest.fixture(scope="session")
def shared_value():
    """A session-scoped fixture of this module, as the fitted models are."""
    return object()


def test_tests_sharing_a_module_fixture_join_its_group(request, shared_value):
    if not request.config.getoption("loadgroup", default=False):
        pytest.skip("needs pytest-xdist's --dist loadgroup, as the default options give")
    # pytest-xdist groups by this suffix of the node id; when it is missing,
    # every worker fits the shared models again and the suite slows down.
    assert request.node.nodeid.endswith("@tests.test_suite_grouping:shared_value")
