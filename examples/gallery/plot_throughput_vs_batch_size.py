"""
===============================================
Prediction throughput against the batch size
===============================================

``predict`` decodes a whole batch in compiled TensorFlow calls instead of
one sequence and one step at a time, so the sequences decoded per second
grow with the batch until the machine is busy.  Fit a model on the
tutorial's task (:func:`~sklearn_seq2seq.make_reversal`: 6 integers in,
the first 3 reversed out) and time ``predict`` at batch sizes from 1 to
10,000: warm calls (the first call for each shape traces the decoder),
best of 3.  The numbers depend on the machine that built these pages.
"""

# %%
# A model of the tutorial's task
# ------------------------------
import time
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from sklearn_seq2seq import Seq2SeqLSTM, make_reversal

X, y = make_reversal(n_samples=20_000, random_state=0)
X_test, y_test = make_reversal(n_samples=10_000, random_state=1)
with warnings.catch_warnings():  # two epochs are short: the fit is still improving
    warnings.simplefilter("ignore", ConvergenceWarning)
    est = Seq2SeqLSTM(n_units=64, epochs=2, random_state=0).fit(X, y)
print(f"exact-sequence accuracy on 10,000 fresh sequences: {est.score(X_test, y_test):.2%}")

# %%
# Timing ``predict``
# ------------------
# Small batches are timed over several calls, so that every timing lasts
# long enough to measure.
batch_sizes = [1, 10, 100, 1000, 10_000]
throughput = []
for batch_size in batch_sizes:
    batch = X_test[:batch_size]
    est.predict(batch)  # warm-up: traces (and compiles) for this shape
    calls = max(1, 100 // batch_size)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(calls):
            est.predict(batch)
        best = min(best, (time.perf_counter() - start) / calls)
    throughput.append(batch_size / best)
    print(f"batch {batch_size:>6,}: {batch_size / best:>9,.0f} sequences/s ({best * 1e3:.2f} ms)")

# %%
# The curve
# ---------
fig, ax = plt.subplots(layout="constrained")
ax.loglog(batch_sizes, throughput, marker="o")
ax.set_xlabel("batch size (sequences per predict call)")
ax.set_ylabel("sequences per second")
ax.set_title("predict throughput, 64 units, best of 3 warm calls")
ax.grid(True, which="both", alpha=0.3)
plt.show()
