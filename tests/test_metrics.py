import numpy as np
import pytest

from sklearn_seq2seq.metrics import sequence_accuracy_score, token_accuracy_score


def test_sequence_and_token_accuracy():
    y_true = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    y_pred = np.array([[1, 2, 3], [4, 5, 0], [0, 0, 9]])
    assert sequence_accuracy_score(y_true, y_pred) == pytest.approx(1 / 3)
    assert token_accuracy_score(y_true, y_pred) == pytest.approx(6 / 9)


def test_one_dimensional_targets_and_string_tokens():
    assert sequence_accuracy_score(["a", "b"], ["a", "c"]) == 0.5
    assert isinstance(sequence_accuracy_score([1], [1]), float)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="different shapes"):
        sequence_accuracy_score([[1, 2]], [[1, 2, 3]])
