import numpy as np
import pytest
from scipy import sparse

from sklearn_seq2seq._input.sequences import (
    ARRAY,
    LISTS,
    STRINGS,
    format_sequences,
    pad_ids,
    read_sequences,
    sequence_kind,
)


@pytest.mark.parametrize(
    "X, kind",
    [
        (["12+7", "345+1"], STRINGS),
        (np.array(["12+7", "345+1"]), STRINGS),
        ([[1, 2], [3]], LISTS),
        ([(1, 2), np.array([3])], LISTS),
        (np.array([[1, 2], [3]], dtype=object), LISTS),
        (np.array([[1, 2], [3, 4]]), ARRAY),
        ([1, 2, 3], ARRAY),
    ],
)
def test_kinds_of_sequence_input(X, kind):
    assert sequence_kind(X) == kind


def test_a_one_dimensional_array_of_strings_is_labels_for_targets_only():
    y = np.array(["one", "two"])
    assert sequence_kind(y, labels_in_arrays=True) == ARRAY
    assert sequence_kind(list(y), labels_in_arrays=True) == STRINGS
    assert sequence_kind(y) == STRINGS


@pytest.mark.parametrize(
    "X, error, match",
    [
        ("abc", TypeError, "single str"),
        (b"abc", TypeError, "single bytes"),
        (sparse.csr_matrix(np.eye(2)), TypeError, "Sparse"),
        (["ab", [1, 2]], TypeError, "mix"),
    ],
)
def test_kind_errors_name_the_problem(X, error, match):
    with pytest.raises(error, match=match):
        sequence_kind(X)


def test_strings_are_read_as_characters_in_one_pass():
    sequences = read_sequences(["héllo", "✓", "ab"], STRINGS)
    assert sequences.tokens.tolist() == list("héllo✓ab")
    np.testing.assert_array_equal(sequences.lengths, [5, 1, 2])


def test_lists_of_any_hashable_tokens():
    sequences = read_sequences([[("a", 1), ("b", 2)], [("a", 1)]], LISTS)
    assert sequences.tokens.dtype == object and sequences.tokens[1] == ("b", 2)
    assert read_sequences([[1, 2], [np.int64(3)]], LISTS).tokens.dtype == np.int64
    assert read_sequences([["a"], ["bc"]], LISTS).tokens.dtype.kind == "U"


@pytest.mark.parametrize(
    "X, error, match",
    [
        ([[1, 2], []], ValueError, "empty sequence"),
        ([], ValueError, "empty"),
        ([[1, None]], ValueError, "None"),
        ([[1.0, float("nan")]], ValueError, "NaN"),
        ([[1, [2, 3]]], TypeError, "unhashable"),
        ([[{"a": 1}]], TypeError, "unhashable"),
        ([np.zeros((2, 2))], ValueError, "2-D array"),
    ],
)
def test_read_errors_name_the_problem(X, error, match):
    with pytest.raises(error, match=match):
        read_sequences(X, LISTS if X and not isinstance(X[0], str) else STRINGS)


def test_padding_and_formatting_round_trip():
    grid = pad_ids(np.array([5, 6, 7, 8]), np.array([1, 3]))
    np.testing.assert_array_equal(grid, [[5, 0, 0], [6, 7, 8]])
    assert format_sequences(np.array(list("héllo✓")), np.array([5, 1]), STRINGS) == ["héllo", "✓"]
    assert format_sequences(np.array([1, 2, 3]), np.array([0, 3]), LISTS) == [[], [1, 2, 3]]
