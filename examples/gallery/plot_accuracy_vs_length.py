"""
=============================================
Accuracy against sequence length, attention
=============================================

Without attention, an encoder-decoder must squeeze the whole source into
one state vector; the longer the sequence, the harder that gets.  Fit two
:class:`~sklearn_seq2seq.Seq2SeqLSTM` models, with and without Luong
attention, on the copy task of :func:`~sklearn_seq2seq.make_copy`
(variable-length lists of integers, each target equal to its source) and
draw the exact-sequence accuracy on fresh sequences against their length.
"""

# %%
# Data: variable-length integer lists
# -----------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_seq2seq import Seq2SeqLSTM, make_copy

# Both fits are short and still improving when they stop; that is expected.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

max_length = 12
X, y = make_copy(n_samples=4000, min_length=1, max_length=max_length, random_state=0)
X_test, y_test = make_copy(n_samples=2000, min_length=1, max_length=max_length, random_state=1)
print(X[0], "->", y[0])
test_lengths = np.array([len(target) for target in y_test])

# %%
# Two models, one line each
# -------------------------
lengths = np.arange(1, max_length + 1)
fig, ax = plt.subplots(layout="constrained")
for attention in [None, "luong"]:
    est = Seq2SeqLSTM(n_units=64, attention=attention, epochs=7, random_state=0).fit(X, y)
    correct = np.array([list(p) == list(t) for p, t in zip(est.predict(X_test), y_test)])
    accuracy = [correct[test_lengths == length].mean() for length in lengths]
    print(f"attention={attention!r}: exact-sequence accuracy {correct.mean():.1%}")
    ax.plot(lengths, accuracy, marker="o", label=f"attention={attention!r}")
ax.set_xlabel("target length")
ax.set_ylabel("exact-sequence accuracy")
ax.set_ylim(-0.02, 1.02)
ax.set_title("Copy task: 4,000 training sequences, 7 epochs, 64 units")
ax.legend()
plt.show()
