import datetime

import numpy as np
import pytest

from sklearn_seq2seq import make_addition, make_copy, make_dates, make_reversal, make_sort
from sklearn_seq2seq.datasets import DATE_FORMATS


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


def test_copy_and_sort_have_variable_lengths():
    X, Y = make_copy(n_samples=300, min_length=2, max_length=9, n_tokens=5, random_state=0)
    assert X == Y and {len(x) for x in X} == set(range(2, 10))
    assert all(1 <= t <= 4 for x in X for t in x)
    X, Y = make_sort(n_samples=300, max_length=9, random_state=0)
    assert Y == [sorted(x) for x in X]
    assert make_sort(n_samples=5, random_state=1) == make_sort(n_samples=5, random_state=1)


def test_addition_strings_are_right():
    X, Y = make_addition(n_samples=500, max_digits=4, random_state=0)
    assert all(int(a) + int(b) == int(y) for (a, b), y in zip((x.split("+") for x in X), Y))
    assert {len(x.split("+")[0]) for x in X} == {1, 2, 3, 4}  # short and long operands


def test_dates_match_the_standard_library():
    X, Y = make_dates(n_samples=400, random_state=0)
    assert len(set(X)) == 400 and all(len(y) == 10 for y in Y)
    # The vectorised formatting agrees with datetime.strftime for every format.
    for date_format in DATE_FORMATS:
        X, Y = make_dates(n_samples=50, formats=[date_format], random_state=1)
        expected = [datetime.date.fromisoformat(y).strftime(date_format) for y in Y]
        assert X == expected


@pytest.mark.parametrize(
    "make, kwargs, match",
    [
        (make_copy, {"min_length": 0}, "min_length"),
        (make_sort, {"min_length": 5, "max_length": 4}, "max_length"),
        (make_copy, {"n_tokens": 1}, "n_tokens"),
        (make_addition, {"max_digits": 0}, "max_digits"),
        (make_dates, {"start": "2000-01-02", "end": "2000-01-01"}, "before"),
        (make_dates, {"formats": ["%H:%M"]}, "Unsupported"),
    ],
)
def test_invalid_generator_arguments(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(**kwargs)
