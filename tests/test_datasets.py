import numpy as np
import pytest

from sklearn_seq2seq import make_reversal


def test_shapes_range_and_target():
    X, Y = make_reversal(n_samples=500, n_in=6, n_out=3, n_tokens=51, random_state=0)
    assert X.shape == (500, 6) and Y.shape == (500, 3)
    assert X.min() >= 1 and X.max() <= 50  # 0 stays reserved
    np.testing.assert_array_equal(Y, X[:, [2, 1, 0]])


def test_random_state_reproducible_and_varies():
    a = make_reversal(n_samples=50, random_state=3)[0]
    np.testing.assert_array_equal(a, make_reversal(n_samples=50, random_state=3)[0])
    assert not np.array_equal(a, make_reversal(n_samples=50, random_state=4)[0])


@pytest.mark.parametrize(
    "kwargs, match",
    [({"n_in": 3, "n_out": 4}, "n_out"), ({"n_out": 0}, "n_out"), ({"n_tokens": 1}, "n_tokens")],
)
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_reversal(**kwargs)
