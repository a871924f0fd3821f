"""scikit-learn compatible encoder-decoder LSTM for sequence-to-sequence prediction."""

from ._estimator import Seq2SeqLSTM
from ._input.tokenizers import SentencePieceTokenizer
from ._input.vocabulary import EOS, Vocabulary
from ._version import __version__ as __version__
from .datasets import make_addition, make_copy, make_dates, make_reversal, make_sort
from .display import AttentionDisplay, TrainingHistoryDisplay
from .metrics import (
    bleu_score,
    bleu_scorer,
    chrf_score,
    chrf_scorer,
    edit_distances,
    neg_token_error_rate_scorer,
    sequence_accuracy_score,
    sequence_accuracy_scorer,
    token_accuracy_score,
    token_accuracy_scorer,
    token_error_rate,
)
from .persistence import load
from .preprocessing import SequenceOneHotEncoder

__all__ = [
    "AttentionDisplay",
    "EOS",
    "Seq2SeqLSTM",
    "SentencePieceTokenizer",
    "SequenceOneHotEncoder",
    "TrainingHistoryDisplay",
    "Vocabulary",
    "bleu_score",
    "bleu_scorer",
    "chrf_score",
    "chrf_scorer",
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
    "neg_token_error_rate_scorer",
]
