"""
==========================================
Reading learning curves: under and over it
==========================================

Two fits of :class:`~sklearn_seq2seq.Seq2SeqLSTM` on the same task,
integer addition written as strings (``"12+34" -> "46"``), whose curves
tell two different stories, drawn with
:class:`~sklearn_seq2seq.TrainingHistoryDisplay`:

* **under-fitting**: a network too small trained too briefly. Training and
  validation accuracy stay low together and the training loss is still
  falling when ``fit`` ends: give it more epochs (``epochs="auto"``) or
  more units before anything else.
* **over-fitting**: a few hundred samples trained for many epochs. Training
  accuracy climbs towards 100% while validation accuracy stalls far below
  it and the validation loss turns upwards: more data helps most; else
  ``dropout``, ``weight_decay`` and ``early_stopping``, which keeps the
  best validation epoch.

The user guide's "Choosing the model for your data" says which option to
turn on first and what each costs.
"""

# %%
# Under-fitting: 8 units, 3 epochs
# --------------------------------
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from sklearn_seq2seq import Seq2SeqLSTM, TrainingHistoryDisplay, make_addition

X, y = make_addition(n_samples=4000, max_digits=2, random_state=0)
X_val, y_val = make_addition(n_samples=500, max_digits=2, random_state=1)

small = Seq2SeqLSTM(n_units=8, epochs=3, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # the curves say it
    small.fit(X, y, X_val=X_val, y_val=y_val)
print("validation accuracy per epoch:", [round(s, 3) for s in small.validation_scores_])

display = TrainingHistoryDisplay.from_estimator(small, marker="o", markersize=3)
display.figure_.suptitle("Under-fitting: both curves low, the loss still falling")

# %%
# Over-fitting: 200 samples, 60 epochs
# ------------------------------------
# The same network as the defaults, on a twentieth of the data.
few = Seq2SeqLSTM(n_units=128, epochs=60, batch_size=16, random_state=0)
few.fit(X[:200], y[:200], X_val=X_val, y_val=y_val)
print(f"training accuracy: {few.score(X[:200], y[:200]):.3f}")
print(f"validation accuracy: {few.score(X_val, y_val):.3f}")

display = TrainingHistoryDisplay.from_estimator(few)
display.figure_.suptitle("Over-fitting: training far above validation")
plt.show()
