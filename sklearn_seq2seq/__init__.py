"""scikit-learn compatible encoder-decoder LSTM for sequence-to-sequence prediction."""

from .datasets import make_addition, make_copy, make_dates, make_reversal, make_sort
from .display import AttentionDisplay, TrainingHistoryDisplay
from .estimator import Seq2SeqLSTM
from .metrics import (
    edit_distances,
    sequence_accuracy_score,
    sequence_accuracy_scorer,
    token_accuracy_score,
    token_accuracy_scorer,
    token_error_rate,
    token_error_rate_scorer,
)
from .persistence import load
from .preprocessing import SequenceOneHotEncoder
from .vocabulary import EOS, Vocabulary

__all__ = [
    "AttentionDisplay",
    "EOS",
    "Seq2SeqLSTM",
    "SequenceOneHotEncoder",
    "TrainingHistoryDisplay",
    "Vocabulary",
    "edit_distances",
    "load",
    "make_addition",
    "make_copy",
    "make_dates",
    "make_reversal",
    "make_sort",
    "sequence_accuracy_score",
    "sequence_accuracy_scorer",
    "token_accuracy_score",
    "token_accuracy_scorer",
    "token_error_rate",
    "token_error_rate_scorer",
]
__version__ = "0.1.0"
