import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_seq2seq.metrics import (
    edit_distances,
    neg_token_error_rate_scorer,
    sequence_accuracy_score,
    token_accuracy_score,
    token_error_rate,
)


def test_sequence_and_token_accuracy():
    y_true = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    y_pred = np.array([[1, 2, 3], [4, 5, 0], [0, 0, 9]])
    assert sequence_accuracy_score(y_true, y_pred) == pytest.approx(1 / 3)
    assert token_accuracy_score(y_true, y_pred) == pytest.approx(6 / 9)


def test_one_dimensional_targets_and_string_tokens():
    assert sequence_accuracy_score(np.array(["a", "b"]), np.array(["a", "c"])) == 0.5
    assert isinstance(sequence_accuracy_score([1], [1]), float)


def test_variable_lengths_count_missing_and_extra_tokens():
    y_true = ["357", "42", "7"]
    assert sequence_accuracy_score(y_true, ["357", "4", "70"]) == pytest.approx(1 / 3)
    # 3 + 1 + 1 right of max lengths 3 + 2 + 2.
    assert token_accuracy_score(y_true, ["357", "4", "70"]) == pytest.approx(5 / 7)
    assert sequence_accuracy_score([[1, 2], [3]], [[1, 2], [3, 0]]) == 0.5
    # A prefix is not a match, and an empty prediction is allowed.
    assert sequence_accuracy_score(["ab", "a"], ["a", ""]) == 0.0


def test_token_error_rate():
    assert token_error_rate(["kitten"], ["sitting"]) == pytest.approx(3 / 6)
    assert token_error_rate([[1, 2, 3], [4]], [[1, 2, 3], [4]]) == 0.0
    assert token_error_rate([["a", "b"]], [[]]) == 1.0
    assert token_error_rate([["a"]], [["x", "y", "z"]]) == 3.0
    assert neg_token_error_rate_scorer._sign == -1  # lower is better


def _levenshtein(a, b):
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.text("abc", max_size=8), st.text("abcd", max_size=8)), min_size=1, max_size=6
    )
)
def test_vectorised_edit_distance_matches_the_textbook_recurrence(pairs):
    y_true, y_pred = [a for a, _ in pairs], [b for _, b in pairs]
    expected = [_levenshtein(a, b) for a, b in pairs]
    np.testing.assert_array_equal(edit_distances(y_true, y_pred), expected)


def test_mismatched_sample_counts_are_an_error():
    with pytest.raises(ValueError, match="different numbers of sequences"):
        sequence_accuracy_score([[1, 2]], [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="1-D or 2-D"):
        sequence_accuracy_score(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))
