"""scikit-learn compatible encoder-decoder LSTM for sequence-to-sequence prediction."""

from .datasets import make_reversal
from .estimator import Seq2SeqLSTM
from .metrics import (
    sequence_accuracy_score,
    sequence_accuracy_scorer,
    token_accuracy_score,
    token_accuracy_scorer,
)
from .preprocessing import SequenceOneHotEncoder

__all__ = [
    "Seq2SeqLSTM",
    "SequenceOneHotEncoder",
    "make_reversal",
    "sequence_accuracy_score",
    "sequence_accuracy_scorer",
    "token_accuracy_score",
    "token_accuracy_scorer",
]
__version__ = "0.1.0"
