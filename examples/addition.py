"""Learn integer addition from character strings: "12+345" -> "357".

Sources and targets are plain Python strings of different lengths; the
estimator reads them as sequences of characters, pads and masks them, and
predicts strings.  Results have 1 to 4 digits, so decoding stops at the
end symbol the model learned to emit after each result.

Run:  python examples/addition.py
"""

import time

from sklearn_seq2seq import Seq2SeqLSTM, make_addition, sequence_accuracy_score, token_error_rate

# 1. Data: sums of two numbers of 1 to 3 digits, as strings.
X_train, Y_train = make_addition(n_samples=50_000, max_digits=3, random_state=0)
X_test, Y_test = make_addition(n_samples=5_000, max_digits=3, random_state=1)
print(f"{len(X_train):,} training sums such as {X_train[0]!r} -> {Y_train[0]!r}")

# 2. Model and training.
model = Seq2SeqLSTM(n_units=128, epochs=30, random_state=0)
start = time.perf_counter()
model.fit(X_train, Y_train)
fit_seconds = time.perf_counter() - start

# 3. Evaluation on fresh sums.
Y_pred = model.predict(X_test)
print(
    f"Exact-sequence accuracy on {len(X_test):,} fresh sums: "
    f"{sequence_accuracy_score(Y_test, Y_pred):.2%}"
)
print(f"Token (character) error rate: {token_error_rate(Y_test, Y_pred):.2%}")
print(f"fit: {fit_seconds:.0f} s (TensorFlow import included)")

# 4. Spot checks.
for x, y, y_hat in zip(X_test[:8], Y_test[:8], Y_pred[:8]):
    print(f"{x:>8} = {y:<5} predicted {y_hat:<5} {'ok' if y == y_hat else 'WRONG'}")
