"""The origin tutorial's experiment, end to end, with Seq2SeqLSTM.

Task: the source is 6 random integers in 1..50 and the target is its first
3 integers reversed, ``[13, 28, 18, 7, 9, 5] -> [18, 28, 13]``.  We train an
encoder-decoder LSTM with 128 units on 100,000 sequences for one epoch, as
the tutorial does, then decode 10,000 fresh sequences (the tutorial used
100) and report exact-sequence accuracy.

Run:  python examples/reverse_sequence.py
"""

import time

from sklearn_seq2seq import Seq2SeqLSTM, make_reversal

# 1. Data: training sequences and fresh, independently drawn test sequences.
X_train, Y_train = make_reversal(n_samples=100_000, n_in=6, n_out=3, n_tokens=51, random_state=0)
X_test, Y_test = make_reversal(n_samples=10_000, n_in=6, n_out=3, n_tokens=51, random_state=1)

# 2. Model: the tutorial's network, one pass over the training data.
model = Seq2SeqLSTM(n_units=128, epochs=1, random_state=0)
start = time.perf_counter()
model.fit(X_train, Y_train)
fit_seconds = time.perf_counter() - start

# 3. Evaluation: batched greedy decoding of all test sequences at once.
#    The first call traces and compiles the decoder; later calls reuse it.
start = time.perf_counter()
Y_pred = model.predict(X_test)
first_call_seconds = time.perf_counter() - start
start = time.perf_counter()
Y_pred = model.predict(X_test)
predict_seconds = time.perf_counter() - start
accuracy = (Y_pred == Y_test).all(axis=1).mean()

print(f"Exact-sequence accuracy on {len(X_test):,} fresh sequences: {accuracy:.2%}")
print(f"fit: {fit_seconds:.1f} s for {len(X_train):,} sequences (TensorFlow import included)")
print(
    f"predict: {predict_seconds * 1000:.0f} ms for {len(X_test):,} sequences "
    f"({len(X_test) / predict_seconds:,.0f} sequences/s; the first call, which "
    f"compiles the decoder, took {first_call_seconds:.1f} s)"
)

# 4. Spot checks, in the tutorial's format.
for x, y, yhat in zip(X_test[:10], Y_test[:10], Y_pred[:10]):
    print(f"X={x.tolist()} y={y.tolist()}, yhat={yhat.tolist()}")
