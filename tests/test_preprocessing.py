import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_seq2seq import SequenceOneHotEncoder
from sklearn_seq2seq._input.codec import TrainingData
from sklearn_seq2seq._input.vocabulary import N_RESERVED, START_ID, UNKNOWN_ID


def test_vocabulary_is_shared_across_positions_and_sorted():
    enc = SequenceOneHotEncoder().fit([[30, 10], [20, 30]])
    np.testing.assert_array_equal(enc.tokens_, [10, 20, 30])
    assert enc.n_ids_ == 3 + N_RESERVED
    np.testing.assert_array_equal(enc.encode([[10, 30]]), [[N_RESERVED, N_RESERVED + 2]])


def test_unseen_and_foreign_tokens_become_unknown():
    enc = SequenceOneHotEncoder().fit([[1, 2], [3, 4]])
    np.testing.assert_array_equal(enc.encode([[1, 99]]), [[N_RESERVED, UNKNOWN_ID]])
    np.testing.assert_array_equal(enc.encode([["a", "b"]]), [[UNKNOWN_ID, UNKNOWN_ID]])


def test_decoder_input_is_start_then_shifted_target():
    enc = SequenceOneHotEncoder().fit([[4, 5, 6]])
    ids = enc.encode([[4, 5, 6]])
    np.testing.assert_array_equal(
        enc.encode_decoder_input([[4, 5, 6]]), [[START_ID, ids[0, 0], ids[0, 1]]]
    )
    onehot = enc.transform_decoder_input([[4, 5, 6]]).reshape(1, 3, -1)
    assert onehot[0, 0, START_ID] == 1 and onehot.sum() == 3


def test_transform_layout_and_inverse_round_trip():
    X = np.array([["b", "a", "c"], ["c", "c", "a"]])
    enc = SequenceOneHotEncoder().fit(X)
    Xt = enc.transform(X)
    assert Xt.shape == (2, 3 * enc.n_ids_) and Xt.dtype == np.float32
    np.testing.assert_array_equal(Xt.reshape(2, 3, -1).sum(axis=2), 1)
    np.testing.assert_array_equal(enc.inverse_transform(Xt), X)
    # 3-D probabilities decode to the most likely user token.
    proba = Xt.reshape(2, 3, -1) * 0.6 + 0.01
    np.testing.assert_array_equal(enc.inverse_transform(proba), X)


def test_feature_names_follow_one_hot_encoder():
    enc = SequenceOneHotEncoder().fit([[1, 2]])
    names = enc.get_feature_names_out()
    assert len(names) == 2 * enc.n_ids_ == enc.transform([[1, 2]]).shape[1]
    assert "x0_<unk>" in names and "x1_2" in names  # OneHotEncoder's "x0_a"
    assert enc.get_feature_names_out(["first", "second"])[-1] == "second_2"
    with pytest.raises(ValueError, match="input_features"):
        enc.get_feature_names_out(["only one"])


def test_feature_names_honour_dataframe_columns_and_pandas_output():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"a": ["x", "y"], "b": ["y", "y"]})
    enc = SequenceOneHotEncoder().set_output(transform="pandas").fit(X)
    Xt = enc.transform(X)
    assert list(Xt.columns) == enc.get_feature_names_out().tolist()
    assert Xt.columns[4] == "a_x" and Xt.loc[0, "a_x"] == 1 and Xt.loc[1, "b_y"] == 1


def test_in_a_pipeline_with_a_scikit_learn_classifier():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 4, size=(200, 3))
    y = X[:, 1]
    pipe = make_pipeline(SequenceOneHotEncoder(), LogisticRegression()).fit(X, y)
    assert pipe.score(X, y) == 1.0


def test_errors_name_the_problem():
    with pytest.raises(NotFittedError):
        SequenceOneHotEncoder().transform([[1, 2]])
    enc = SequenceOneHotEncoder().fit([[1, 2]])
    with pytest.raises(ValueError, match="features"):
        enc.transform([[1, 2, 3]])
    with pytest.raises(ValueError, match="NaN"):
        SequenceOneHotEncoder().fit([[1.0, np.nan]])
    with pytest.raises(ValueError, match="columns"):
        enc.inverse_transform(np.zeros((1, 5)))
    with pytest.raises(ValueError, match="shape"):
        enc.inverse_transform(np.zeros((1, 2, 5)))
    with pytest.raises(TypeError, match="cannot be compared"):
        SequenceOneHotEncoder().fit(np.array([[1, "a"]], dtype=object))


def test_vocabulary_limits_read_rare_tokens_as_unknown():
    X = np.array([[1, 1, 2], [1, 2, 3]])
    enc = SequenceOneHotEncoder(max_tokens=2).fit(X)
    np.testing.assert_array_equal(enc.tokens_, [1, 2])
    assert enc.encode([[3, 1, 2]])[0, 0] == UNKNOWN_ID
    np.testing.assert_array_equal(SequenceOneHotEncoder(min_frequency=2).fit(X).tokens_, [1, 2])
    with pytest.raises(ValueError, match="max_tokens"):
        SequenceOneHotEncoder(max_tokens=0).fit(X)


@pytest.mark.parametrize(
    "largest, dtype", [(127, np.int8), (128, np.int16), (20_003, np.int16), (40_000, np.int32)]
)
def test_training_data_is_kept_in_the_narrowest_id_dtype(largest, dtype):
    ids = np.array([[0, largest], [4, 5]], dtype=np.int32)
    labels = np.array([[-1, largest - 4], [0, 1]], dtype=np.int32)
    lengths = np.array([2, 2])
    compact = TrainingData(ids, ids, labels, lengths, None).compact()
    assert [a.dtype for a in compact[:3]] == [dtype] * 3
    np.testing.assert_array_equal(compact.source_ids, ids)
    np.testing.assert_array_equal(compact.labels, labels)
    assert compact.source_lengths is lengths and compact.target_lengths is None
