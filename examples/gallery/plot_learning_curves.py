"""
=====================================
Learning curves with a validation set
=====================================

Fit a :class:`~sklearn_seq2seq.Seq2SeqLSTM` on integer addition written as
strings (``"12+345" -> "357"``), scoring a validation set of your own
(``X_val``, ``y_val``) after every epoch, and draw the loss and the
exact-sequence accuracy per epoch with
:class:`~sklearn_seq2seq.TrainingHistoryDisplay`.
"""

# %%
# Data and fit
# ------------
# Fifteen epochs are not enough to converge here, so ``fit`` warns with a
# ``ConvergenceWarning``; the curves show why.
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from sklearn_seq2seq import Seq2SeqLSTM, TrainingHistoryDisplay, make_addition

X, y = make_addition(n_samples=6000, max_digits=2, random_state=0)
X_val, y_val = make_addition(n_samples=1000, max_digits=2, random_state=1)
print(X[:4], "->", y[:4])

est = Seq2SeqLSTM(n_units=64, epochs=15, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    est.fit(X, y, X_val=X_val, y_val=y_val)
print(f"epochs run: {est.n_iter_}")
print("validation exact-sequence accuracy per epoch:")
print([round(score, 3) for score in est.validation_scores_])
print(est.predict(["12+7", "40+2", "99+99"]))

# %%
# The curves
# ----------
# ``history_`` holds Keras's per-epoch logs; the display draws the
# training and validation curves side by side.  Keyword arguments go to
# matplotlib's ``plot`` for every curve.
display = TrainingHistoryDisplay.from_estimator(est, marker="o", markersize=3)
display.figure_.suptitle("Addition of two numbers of 1-2 digits")
plt.show()
