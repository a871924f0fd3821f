"""scikit-learn's own estimator checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_seq2seq import Seq2SeqLSTM, SequenceOneHotEncoder


@parametrize_with_checks([Seq2SeqLSTM(), SequenceOneHotEncoder()])
def test_sklearn_compatible(estimator, check):
    check(estimator)
