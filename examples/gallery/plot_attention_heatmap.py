"""
============================================
Where attention looks when reversing strings
============================================

Fit a :class:`~sklearn_seq2seq.Seq2SeqLSTM` with Luong attention on string
reversal (random lowercase words of 3 to 8 letters, each to its reverse),
then draw, with :class:`~sklearn_seq2seq.AttentionDisplay`, how much each
decoded character attends to each source character.  A model that has
learned to reverse looks at the source from its last character to its
first: the weight lies on the anti-diagonal.
"""

# %%
# Data: random words and their reverses
# -------------------------------------
# Plain Python strings go in as they are: each string is a sequence of
# characters, of any length.
import string

import matplotlib.pyplot as plt
import numpy as np

from sklearn_seq2seq import AttentionDisplay, Seq2SeqLSTM

rng = np.random.default_rng(0)
letters = np.array(list(string.ascii_lowercase))


def random_words(n_samples):
    lengths = rng.integers(3, 9, size=n_samples)
    return ["".join(rng.choice(letters, size=length)) for length in lengths]


X_train = random_words(5000)
y_train = [word[::-1] for word in X_train]
X_test = random_words(500)
y_test = [word[::-1] for word in X_test]
print(X_train[:3], "->", y_train[:3])

# %%
# A small model with attention
# ----------------------------
est = Seq2SeqLSTM(n_units=64, attention="luong", epochs=10, random_state=0)
est.fit(X_train, y_train)
print(f"exact-sequence accuracy on fresh words: {est.score(X_test, y_test):.1%}")
print(est.predict(["example", "sequence"]))

# %%
# The attention heatmap
# ---------------------
# Rows are the decoded characters (and the end symbol), columns the source
# characters; each row sums to 1.
display = AttentionDisplay.from_estimator(est, "example")
display.ax_.set_title("Attention while reversing 'example'")
plt.show()
