"""Read numbers out loud: "1234" -> "one thousand, two hundred and thirty-four".

Real data rather than a rule of ours: the words come from the
``num2words`` library, character by character, for integers drawn
log-uniformly between 0 and a billion (targets of up to ~110 characters).
The model is the default estimator (on strings ``attention="auto"``
trains Luong attention), trained with the default recipe (Adam clipped by
global norm, linear learning-rate decay); a held-out validation set is
scored after every epoch and the learning curves are drawn with
``TrainingHistoryDisplay``.

Run:  pip install num2words matplotlib && python examples/number_words.py
About 3 minutes on 2 CPU cores (99.05% exact on 2,000 fresh numbers).
"""

import matplotlib

matplotlib.use("Agg")  # draw to a file, no window needed

import numpy as np
from num2words import num2words

from sklearn_seq2seq import (
    Seq2SeqLSTM,
    TrainingHistoryDisplay,
    sequence_accuracy_score,
    token_error_rate,
)


def numbers_in_words(n_samples, random_state):
    """Integers log-uniform in [0, 10^9), as digits and as English words."""
    rng = np.random.RandomState(random_state)
    numbers = np.floor(10 ** rng.uniform(0, 9, n_samples)).astype(np.int64) - 1
    return [str(n) for n in numbers], [num2words(int(n)) for n in numbers]


# 1. Data: training, validation and test numbers drawn independently.
X_train, Y_train = numbers_in_words(20_000, random_state=0)
X_val, Y_val = numbers_in_words(1_000, random_state=1)
X_test, Y_test = numbers_in_words(2_000, random_state=2)
print(f"{len(X_train):,} training pairs such as {X_train[0]!r} -> {Y_train[0]!r}")

# 2. Model: the defaults (Luong attention on strings); the validation set is only scored.
model = Seq2SeqLSTM(epochs=10, random_state=0)
model.fit(X_train, Y_train, X_val=X_val, y_val=Y_val)

# 3. Learning curves: loss and exact-sequence accuracy per epoch.
display = TrainingHistoryDisplay.from_estimator(model)
display.figure_.savefig("number_words_history.png", dpi=80)
print("learning curves: number_words_history.png")

# 4. Evaluation on fresh numbers.
Y_pred = model.predict(X_test)
print(f"exact-sequence accuracy: {sequence_accuracy_score(Y_test, Y_pred):.2%}")
print(f"character error rate: {token_error_rate(Y_test, Y_pred):.4f}")
for x, y, y_hat in zip(X_test[:5], Y_test[:5], Y_pred[:5]):
    print(f"X={x} y={y!r}, yhat={y_hat!r}")
