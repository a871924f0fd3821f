"""Normalise human-written dates to ISO: "Tuesday, March 07, 1995" -> "1995-03-07".

Ten date formats (day and month names, numeric, compact) of 8 to 29
characters map to one 10-character ISO form.  Sources of different
lengths are batched by similar length and masked; the targets all have the
same length, so the output does too.

Run:  python examples/dates.py
"""

import time

from sklearn_seq2seq import Seq2SeqLSTM, make_dates, sequence_accuracy_score, token_error_rate

# 1. Data: random dates between 1950 and 2049 in random human formats.
X_train, Y_train = make_dates(n_samples=30_000, random_state=0)
X_test, Y_test = make_dates(n_samples=5_000, random_state=1)
print(f"{len(X_train):,} training dates such as {X_train[0]!r} -> {Y_train[0]!r}")

# 2. Model and training.
model = Seq2SeqLSTM(n_units=128, epochs=10, random_state=0)
start = time.perf_counter()
model.fit(X_train, Y_train)
fit_seconds = time.perf_counter() - start

# 3. Evaluation on fresh dates.
Y_pred = model.predict(X_test)
print(
    f"Exact-sequence accuracy on {len(X_test):,} fresh dates: "
    f"{sequence_accuracy_score(Y_test, Y_pred):.2%}"
)
print(f"Token (character) error rate: {token_error_rate(Y_test, Y_pred):.2%}")
print(f"fit: {fit_seconds:.0f} s (TensorFlow import included)")

# 4. Spot checks.
for x, y, y_hat in zip(X_test[:8], Y_test[:8], Y_pred[:8]):
    print(f"{x:>32} -> {y_hat}  {'ok' if y == y_hat else 'WRONG, expected ' + y}")
