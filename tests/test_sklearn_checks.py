"""scikit-learn's own estimator checks, with no expected failures.

The model options run the whole suite too: every option must keep the
estimator a scikit-learn estimator, not only the default tutorial model.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_seq2seq import Seq2SeqLSTM, SequenceOneHotEncoder


@parametrize_with_checks(
    [
        Seq2SeqLSTM(),
        Seq2SeqLSTM(cell="gru", attention="luong", embedding_dim=8),
        Seq2SeqLSTM(attention="bahdanau", dropout=0.1, n_units=32),
        SequenceOneHotEncoder(),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
