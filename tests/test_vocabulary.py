import pickle

import numpy as np
import pytest

from sklearn_seq2seq import EOS
from sklearn_seq2seq._input.vocabulary import (
    END_ID,
    N_RESERVED,
    PAD_ID,
    START_ID,
    UNKNOWN_ID,
    Vocabulary,
    check_tokens,
)


def test_reserved_ids_come_first_and_are_distinct():
    assert sorted({PAD_ID, START_ID, UNKNOWN_ID, END_ID}) == list(range(N_RESERVED))
    vocabulary = Vocabulary.from_tokens(np.array([0, 1, 2, 3]))
    # User tokens that look like reserved ids get ids of their own.
    np.testing.assert_array_equal(vocabulary.encode(np.array([0, 3])), [N_RESERVED, N_RESERVED + 3])


def test_sorted_tokens_and_unknowns():
    vocabulary = Vocabulary.from_tokens(np.array(["b", "a", "b"]))
    np.testing.assert_array_equal(vocabulary.tokens, ["a", "b"])
    np.testing.assert_array_equal(vocabulary.encode(np.array(["b", "z"])), [5, UNKNOWN_ID])
    np.testing.assert_array_equal(vocabulary.encode(np.array([7])), [UNKNOWN_ID])
    np.testing.assert_array_equal(vocabulary.decode([4, 5]), ["a", "b"])


class Colour:
    """Hashable, not orderable."""

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, Colour) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


def test_hashable_tokens_that_cannot_be_ordered_keep_first_appearance_order():
    tokens = np.empty(3, dtype=object)
    tokens[:] = [Colour("red"), Colour("blue"), Colour("red")]
    vocabulary = Vocabulary.from_tokens(tokens)
    assert [c.name for c in vocabulary.tokens] == ["red", "blue"]
    query = np.empty(2, dtype=object)
    query[:] = [Colour("blue"), Colour("green")]
    np.testing.assert_array_equal(vocabulary.encode(query), [5, UNKNOWN_ID])
    restored = pickle.loads(pickle.dumps(vocabulary))
    np.testing.assert_array_equal(restored.encode(query), [5, UNKNOWN_ID])


def test_mixed_token_types_are_an_error():
    with pytest.raises(TypeError, match="cannot be compared.*int, str"):
        Vocabulary.from_tokens(np.array([1, "a"], dtype=object))
    with pytest.raises(TypeError, match="bytes, str"):
        Vocabulary.from_tokens(np.array([b"a", "a"], dtype=object))


def test_size_limits_keep_the_most_frequent_tokens():
    tokens = np.array(list("aaaabbbcc d"))
    np.testing.assert_array_equal(Vocabulary.from_tokens(tokens, max_tokens=2).tokens, ["a", "b"])
    np.testing.assert_array_equal(
        Vocabulary.from_tokens(tokens, min_frequency=2).tokens, ["a", "b", "c"]
    )
    np.testing.assert_array_equal(
        Vocabulary.from_tokens(tokens, min_frequency=0.25).tokens, ["a", "b"]
    )


def test_check_tokens_narrows_object_arrays():
    assert check_tokens(np.array([1, 2], dtype=object)).dtype == np.int64
    assert check_tokens(np.array(["a", "bc"], dtype=object)).dtype.kind == "U"
    assert check_tokens(np.array([True, False], dtype=object)).dtype == object
    assert check_tokens(np.array([2**70], dtype=object)).dtype == object


def test_end_of_sequence_is_a_picklable_singleton():
    assert pickle.loads(pickle.dumps(EOS)) is EOS
    assert EOS != "<end>" and repr(EOS) == "<end>"
    assert sorted(["b", EOS, "a"]) == [EOS, "a", "b"] and sorted([3, EOS]) == [EOS, 3]
