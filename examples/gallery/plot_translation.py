"""
=====================================================
Translating sentences with subword pieces (a toy set)
=====================================================

Sentences go in and come out as text: with
``tokenizer=SentencePieceTokenizer()``, :class:`~sklearn_seq2seq.Seq2SeqLSTM`
learns a subword model per language from the training sentences, reads
them as pieces, and joins the predicted pieces back into sentences.  Here a
small English-to-German set made from a grammar (German adjectives change
their ending with the article and the noun's gender, which the model
must get right), scored with sacreBLEU, and the attention of one
translation drawn over its pieces.

Needs the ``text`` extra: ``pip install "sklearn-seq2seq[text]"``.
"""

# %%
# Data: sentences made from a small grammar
# -----------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_seq2seq import (
    AttentionDisplay,
    SentencePieceTokenizer,
    Seq2SeqLSTM,
    bleu_score,
    chrf_score,
)

NOUNS = {  # English: (German, gender)
    "dog": ("Hund", "m"),
    "man": ("Mann", "m"),
    "cat": ("Katze", "f"),
    "woman": ("Frau", "f"),
    "child": ("Kind", "n"),
    "horse": ("Pferd", "n"),
}
ADJECTIVES = {"big": "groß", "small": "klein", "old": "alt", "young": "jung", "brown": "braun"}
VERBS = {"runs": "läuft", "sleeps": "schläft", "plays": "spielt", "waits": "wartet"}
PLACES = {"": "", " in the park": " im Park", " on the street": " auf der Straße"}
ARTICLES = {"the": {"m": "der", "f": "die", "n": "das"}, "a": {"m": "ein", "f": "eine", "n": "ein"}}
ENDINGS = {"the": {"m": "e", "f": "e", "n": "e"}, "a": {"m": "er", "f": "e", "n": "es"}}

rng = np.random.default_rng(0)


def sentence_pairs(n_samples):
    english, german = [], []
    for _ in range(n_samples):
        article = rng.choice(list(ARTICLES))
        adjective, noun = rng.choice(list(ADJECTIVES)), rng.choice(list(NOUNS))
        verb, place = rng.choice(list(VERBS)), rng.choice(list(PLACES))
        word, gender = NOUNS[noun]
        ending = ENDINGS[article][gender]
        english.append(f"{article} {adjective} {noun} {verb}{place}.".capitalize())
        german.append(
            f"{ARTICLES[article][gender]} {ADJECTIVES[adjective]}{ending} {word} "
            f"{VERBS[verb]}{PLACES[place]}.".capitalize()
        )
    return english, german


X_train, y_train = sentence_pairs(3000)
X_test, y_test = sentence_pairs(300)
print(X_train[0], "->", y_train[0])

# %%
# A model that reads pieces
# -------------------------
# ``vocab_size="auto"`` (the default) learns at most 4,000 pieces per
# language, fewer when the text is small, as here.
est = Seq2SeqLSTM(n_units=64, epochs=8, tokenizer=SentencePieceTokenizer(), random_state=0).fit(
    X_train, y_train
)
pieces = est.tokenizer_.encode(["A big dog runs."], side="source")[0]
print(f"{len(est.target_vocabulary_.tokens)} German pieces; 'A big dog runs.' reads as {pieces}")

# %%
# Translations, scored with sacreBLEU
# -----------------------------------
predicted = est.predict(X_test)
for source, reference, translation in zip(X_test[:3], y_test[:3], predicted[:3]):
    print(f"{source}\n  reference:   {reference}\n  translation: {translation}")
print(f"BLEU {bleu_score(y_test, predicted):.1f}, chrF {chrf_score(y_test, predicted):.1f}")

# %%
# Attention over pieces
# ---------------------
# Rows are the decoded German pieces (and the end), columns the English
# pieces of the source; the adjective's ending follows the article and the
# noun.
display = AttentionDisplay.from_estimator(est, "A small horse sleeps in the park.")
display.ax_.set_title("Attention while translating one sentence")
plt.setp(display.ax_.get_xticklabels(), rotation=60, ha="right")
plt.show()
