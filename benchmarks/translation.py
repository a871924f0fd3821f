"""Sentences: Multi30k English->German translation, next to plain Keras.

Multi30k task 1 (Elliott et al., 2016): 29,000 training, 1,014
validation and 1,000 test (2016, Flickr) English-German sentence pairs of
raw text.  The files ``{train,val,test_2016_flickr}.{en,de}.gz`` come from
the public Multi30k repository (github.com/multi30k/dataset,
``data/task1/raw/``); ``--data`` names their folder.

Arms, each fit capped at the same wall-clock budget (a Keras callback
stops training after the batch that crosses it):

* ``defaults + tokenizer``: ``Seq2SeqLSTM(tokenizer=SentencePieceTokenizer())``,
  everything else the defaults (for sentences: 10 epochs, a new sampled
  segmentation of the training pairs every epoch, the weights of the best
  validation-BLEU epoch kept, beam 4);
* ``defaults, no subword sampling``: the first arm without subword
  regularisation (``SentencePieceTokenizer(sampling_alpha=None)``): the
  training pairs read in their most likely segmentation every epoch;
* ``recommended``: what the user guide recommends for sentences:
  the defaults with the tokenizer, more epochs, early stopping on
  validation BLEU and beam search of width 4 (its BLEU is the beam
  column);
* ``larger network``: the tokenizer with a bidirectional encoder,
  embeddings of 256, 256 units and dropout 0.2 (the network of the
  reference below), early stopping on validation BLEU;
* ``larger network, rate 0.001``: the same at Adam's textbook rate, the
  rate at which the reference below learns this network best;
* ``larger network, rate 0.001, no dropout``: the same without dropout,
  as the reference trains it;
* ``larger network, rate 0.001, no dropout, no subword sampling``: and
  read in the most likely segmentation, as the reference reads it;
* ``characters``: the defaults without a tokenizer, sentences read one
  character per step;
* ``plain Keras reference``: what a careful user writes by hand with the
  same SentencePiece pieces: the network of ``larger network`` (built by
  the package's model builder, so only training and decoding differ),
  ``tf.data``'s ``bucket_by_sequence_length``, Adam with
  ``global_clipnorm=1`` and a linear ``PolynomialDecay``, the weights of
  the best validation-BLEU epoch, and a batched greedy loop over Keras's
  inference encoder and decoder.  It runs at Adam's textbook rate (1e-3)
  and at the package's (1e-2); the better run is kept.

Scores are sacreBLEU (detokenized, cased; its signature is printed) and
chrF on test2016, with fit time, epochs and decode speed (sentences/s,
greedy and beam 4, on a second call: the first one's tracing and
compiling are recorded apart).  The estimator decodes sentences with
beam 4 by default (``beam_width="auto"``), so the defaults' translation
is the beam 4 column.  Results go to a JSON file with the command, commit,
date, CPU and library versions.

The time to learn both subword models from the training pairs is
recorded too (``--arms`` with no name: only that).

Run:  python benchmarks/translation.py [--data DIR] [--budget 1800]
      [--arms NAME ...] [--n-train N] [--length-penalties 0 0.6 1 ...]
Needs: pip install -e ".[text]"
"""

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np
from number_words import time_budget
from provenance import provenance

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "multi30k"
SPLITS = {"train": "train", "validation": "val", "test": "test_2016_flickr"}

# What the user guide recommends for sentences (docs/text.md).
SENTENCE_OPTIONS = dict(early_stopping=True, validation_metric="bleu", n_iter_no_change=3)
# A larger network: the reference's.
LARGER_NETWORK = dict(
    n_units=256,
    embedding_dim=256,
    bidirectional=True,
    dropout=0.2,
    early_stopping=True,
    validation_metric="bleu",
    n_iter_no_change=3,
)
# The larger network at Adam's textbook rate, and without dropout as the reference trains it.
LARGER_NETWORK_AT_1E3 = dict(LARGER_NETWORK, learning_rate=1e-3)
LARGER_NETWORK_AT_1E3_NO_DROPOUT = dict(LARGER_NETWORK_AT_1E3, dropout=0.0)


def read_split(data, split, language):
    with gzip.open(Path(data) / f"{SPLITS[split]}.{language}.gz", "rt", encoding="utf-8") as file:
        return [line.rstrip("\n") for line in file]


def load_multi30k(data, n_train=None):
    pairs = {
        split: (read_split(data, split, "en"), read_split(data, split, "de")) for split in SPLITS
    }
    if n_train:
        pairs["train"] = tuple(side[:n_train] for side in pairs["train"])
    return pairs


def estimator_arm(pairs, *, budget, epochs, seed, tokenizer=True, sampling_alpha="auto", **params):
    from sklearn_seq2seq import SentencePieceTokenizer, Seq2SeqLSTM

    (X, Y), (X_val, Y_val) = pairs["train"], pairs["validation"]
    if not tokenizer:  # characters: validation targets may only use training characters
        seen = set("".join(Y))
        kept = [i for i, y in enumerate(Y_val) if set(y) <= seen]
        X_val, Y_val = [X_val[i] for i in kept], [Y_val[i] for i in kept]
    if epochs is not None:
        params["epochs"] = epochs
    est = Seq2SeqLSTM(
        random_state=seed,
        tokenizer=SentencePieceTokenizer(sampling_alpha=sampling_alpha) if tokenizer else None,
        callbacks=[time_budget(budget)],
        **params,
    )
    start = time.perf_counter()
    est.fit(X, Y, X_val=X_val, y_val=Y_val)
    fit_seconds = time.perf_counter() - start

    def predict(sources, beam_width, length_penalty=0.0):
        return est.set_params(beam_width=beam_width, length_penalty=length_penalty).predict(sources)

    options = {"tokenizer": bool(tokenizer), **params}
    if tokenizer:
        options["tokenizer__sampling_alpha"] = sampling_alpha
    return predict, fit_seconds, est.n_iter_, est.validation_scores_, options


class ReferenceTranslator:
    """The plain-Keras reference: hand-made ids, Keras fit, a batched greedy loop."""

    def __init__(self, tokenizer, sources, targets, *, seed, n_units=256, embedding_dim=256):
        from sklearn_seq2seq._network.model import build_training_model

        self.tokenizer = tokenizer
        source_pieces = tokenizer.encode(sources, side="source")
        target_pieces = tokenizer.encode(targets, side="target")
        # ids: 0 padding, 1 start, 2 unknown, 3 end, pieces from 4; class = id - 3.
        self.source_ids = self._ids(source_pieces)
        self.target_ids = self._ids(target_pieces)
        self.target_pieces = ["<end>"] + sorted(self.target_ids, key=self.target_ids.get)
        self.longest = max(len(p) for p in target_pieces)
        self.training = (source_pieces, target_pieces)
        self.model = build_training_model(
            n_source_ids=len(self.source_ids) + 4,
            n_target_ids=len(self.target_ids) + 4,
            n_classes=len(self.target_ids) + 1,
            n_units=n_units,
            embedding_dim=embedding_dim,
            bidirectional=True,
            attention="luong",
            seed=seed,
            mask_source=True,
            mask_target=True,
        )

    @staticmethod
    def _ids(pieces):
        vocabulary = sorted({piece for sentence in pieces for piece in sentence})
        return {piece: i + 4 for i, piece in enumerate(vocabulary)}

    def _dataset(self, source_pieces, target_pieces, *, seed=None):
        import tensorflow as tf

        def pairs():
            for source, target in zip(source_pieces, target_pieces):
                ids = [self.target_ids[p] for p in target] + [3]
                yield (
                    ([self.source_ids.get(p, 2) for p in source], [1] + ids[:-1]),
                    [i - 3 for i in ids],
                )

        signature = (
            (tf.TensorSpec([None], tf.int32), tf.TensorSpec([None], tf.int32)),
            tf.TensorSpec([None], tf.int32),
        )
        ds = tf.data.Dataset.from_generator(pairs, output_signature=signature).cache()
        if seed is not None:
            ds = ds.shuffle(len(source_pieces), seed=seed, reshuffle_each_iteration=True)
        boundaries = [8, 12, 16, 20, 24, 32, 48]
        ds = ds.bucket_by_sequence_length(
            lambda inputs, labels: tf.shape(labels)[0],
            bucket_boundaries=boundaries,
            bucket_batch_sizes=[64] * (len(boundaries) + 1),
            padding_values=((0, 0), -1),
        )
        return ds.prefetch(tf.data.AUTOTUNE)

    def fit(self, references, *, validation, learning_rate, epochs, budget, seed):
        import keras

        from sklearn_seq2seq import bleu_score

        train = self._dataset(*self.training, seed=seed)
        steps = epochs * sum(1 for _ in train)
        schedule = keras.optimizers.schedules.PolynomialDecay(
            learning_rate, steps, end_learning_rate=learning_rate / 100
        )
        self.model.compile(
            optimizer=keras.optimizers.Adam(schedule, global_clipnorm=1.0),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1),
        )
        translator = self

        class BestValidationBleu(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.best, self.weights, self.scores = -1.0, None, []

            def on_epoch_end(self, epoch, logs=None):
                score = bleu_score(references, translator.predict(validation))
                self.scores.append(score)
                if score > self.best:
                    self.best, self.weights = score, self.model.get_weights()

        best = BestValidationBleu()
        start = time.perf_counter()
        self.model.fit(train, epochs=epochs, verbose=0, callbacks=[time_budget(budget), best])
        fit_seconds = time.perf_counter() - start
        self.model.set_weights(best.weights)
        return fit_seconds, best.scores

    def predict(self, sentences, chunk=1000):
        """A batched greedy loop: one call of Keras's inference decoder per step."""
        from sklearn_seq2seq._network.model import build_inference_models

        if not hasattr(self, "_inference"):
            self._inference = build_inference_models(self.model)
        encoder, decoder = self._inference
        pieces = self.tokenizer.encode(sentences, side="source")
        output = []
        for begin in range(0, len(pieces), chunk):
            block = pieces[begin : begin + chunk]
            grid = np.zeros((len(block), max(len(p) for p in block)), dtype=np.int32)
            for row, sentence in enumerate(block):
                grid[row, : len(sentence)] = [self.source_ids.get(p, 2) for p in sentence]
            encoded = encoder.predict_on_batch(grid)
            memory, states = encoded[0], list(encoded[1:])
            token = np.ones((len(block), 1), dtype=np.int32)
            classes = np.zeros((len(block), self.longest + 1), dtype=np.int64)
            done = np.zeros(len(block), dtype=bool)
            for step in range(self.longest + 1):
                probabilities, *states = decoder.predict_on_batch([token, *states, memory, grid])
                chosen = np.asarray(probabilities)[:, 0].argmax(axis=-1)
                classes[:, step] = np.where(done, 0, chosen)
                done |= chosen == 0
                if done.all():
                    break
                token = (chosen + 3).astype(np.int32)[:, None]
            for row in classes:
                ended = np.flatnonzero(row == 0)
                row = row[: ended[0]] if len(ended) else row
                output.append([self.target_pieces[c] for c in row])
        return self.tokenizer.decode(output)


def keras_reference_arm(pairs, *, budget, epochs, seed, rates=(1e-3, 1e-2)):
    from sklearn_seq2seq import SentencePieceTokenizer

    (X, Y), (X_val, Y_val) = pairs["train"], pairs["validation"]
    tokenizer = SentencePieceTokenizer().fit(X, Y)  # the estimator's models: same text
    runs = []
    for rate in rates:
        reference = ReferenceTranslator(tokenizer, X, Y, seed=seed)
        fit_seconds, scores = reference.fit(
            Y_val, validation=X_val, learning_rate=rate, epochs=epochs, budget=budget, seed=seed
        )
        runs.append((max(scores), rate, reference, fit_seconds, scores))
        print(f"  reference at rate {rate}: best validation BLEU {max(scores):.2f}", flush=True)
    _, rate, reference, fit_seconds, scores = max(runs, key=lambda run: run[0])

    def predict(sources, beam_width):
        if beam_width != 1:
            return None  # the reference decodes greedily only
        return reference.predict(sources)

    return predict, fit_seconds, len(scores), scores, {"learning_rate": rate}


ARMS = {
    "defaults + tokenizer": lambda pairs, epochs, **kw: estimator_arm(pairs, epochs=None, **kw),
    "defaults, no subword sampling": lambda pairs, epochs, **kw: estimator_arm(
        pairs, epochs=None, sampling_alpha=None, **kw
    ),
    "recommended": lambda pairs, **kw: estimator_arm(pairs, **SENTENCE_OPTIONS, **kw),
    "larger network": lambda pairs, **kw: estimator_arm(pairs, **LARGER_NETWORK, **kw),
    "larger network, rate 0.001": lambda pairs, **kw: estimator_arm(
        pairs, **LARGER_NETWORK_AT_1E3, **kw
    ),
    "larger network, rate 0.001, no dropout": lambda pairs, **kw: estimator_arm(
        pairs, **LARGER_NETWORK_AT_1E3_NO_DROPOUT, **kw
    ),
    "larger network, rate 0.001, no dropout, no subword sampling": lambda pairs, **kw: (
        estimator_arm(pairs, **LARGER_NETWORK_AT_1E3_NO_DROPOUT, sampling_alpha=None, **kw)
    ),
    "characters": lambda pairs, epochs, **kw: estimator_arm(
        pairs, tokenizer=False, epochs=None, **kw
    ),
    "plain Keras reference": keras_reference_arm,
}


def timed(predict, sources, beam_width):
    """Predictions and seconds of the first call (tracing and compiling
    included) and of a second one (the steady decode speed)."""
    seconds = []
    for _ in range(2):
        start = time.perf_counter()
        predicted = predict(sources, beam_width)
        seconds.append(time.perf_counter() - start)
    return predicted, seconds


def main():
    import sacrebleu

    from sklearn_seq2seq import SentencePieceTokenizer, bleu_score, chrf_score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="folder of the Multi30k files")
    parser.add_argument(
        "--arms",
        nargs="*",
        default=list(ARMS),
        choices=list(ARMS),
        help="arms to run (none: only time learning the subword models)",
    )
    parser.add_argument("--budget", type=float, default=1800.0, help="seconds of fit per arm")
    parser.add_argument(
        "--epochs",
        type=int,
        default=7,
        help="planned epochs of the recommended, larger-network and reference arms "
        "(the two default arms keep the estimator's default)",
    )
    parser.add_argument("--n-train", type=int, default=None, help="first N training pairs")
    parser.add_argument(
        "--length-penalties",
        nargs="*",
        type=float,
        default=[],
        help="also score beam 4 at each of these length_penalty values (estimator arms)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(HERE / "results" / "translation.json"))
    args = parser.parse_args()

    started = provenance()  # the commit whose code runs
    pairs = load_multi30k(args.data, args.n_train)
    start = time.perf_counter()  # both subword models, the tokenizer's defaults
    SentencePieceTokenizer().fit(*pairs["train"])
    tokenizer_seconds = time.perf_counter() - start
    print(f"learning both subword models: {tokenizer_seconds:.2f} s")
    X_test, Y_test = pairs["test"]
    metric = sacrebleu.metrics.BLEU()  # bleu_score's settings: one reference, 13a, cased
    metric.corpus_score(Y_test, [Y_test])
    signature = metric.get_signature()
    print(f"sacreBLEU signature: {signature}")
    print("| arm | BLEU | chrF | fit | epochs | greedy sent/s | beam 4 BLEU | beam 4 sent/s |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for arm in args.arms:
        result = ARMS[arm](pairs, budget=args.budget, epochs=args.epochs, seed=args.seed)
        predict, fit_seconds, epochs_run, validation_scores = result[:4]
        greedy, (greedy_first, greedy_seconds) = timed(predict, X_test, 1)
        beam, (beam_first, beam_seconds) = timed(predict, X_test, 4)
        row = {
            "arm": arm,
            "options": result[4] if len(result) > 4 else {},
            "bleu": bleu_score(Y_test, greedy),
            "chrf": chrf_score(Y_test, greedy),
            "beam4_bleu": None if beam is None else bleu_score(Y_test, beam),
            "fit_seconds": fit_seconds,
            "epochs_run": epochs_run,
            "greedy_sentences_per_second": len(X_test) / greedy_seconds,
            "beam4_sentences_per_second": None if beam is None else len(X_test) / beam_seconds,
            "first_call_seconds": {"greedy": greedy_first, "beam4": beam_first},
            "validation_scores": [float(s) for s in validation_scores or []],
            "examples": [[x, y, p] for x, y, p in zip(X_test[:3], Y_test[:3], greedy[:3])],
        }
        if args.length_penalties and arm != "plain Keras reference":
            row["beam4_bleu_by_length_penalty"] = {
                str(alpha): bleu_score(Y_test, predict(X_test, 4, alpha))
                for alpha in args.length_penalties
            }
            print(f"beam 4 BLEU by length_penalty: {row['beam4_bleu_by_length_penalty']}")
        rows.append(row)
        beam_cells = (
            "- | -"
            if beam is None
            else f"{row['beam4_bleu']:.2f} | {row['beam4_sentences_per_second']:.0f}"
        )
        print(
            f"| {arm} | {row['bleu']:.2f} | {row['chrf']:.2f} | {fit_seconds:.0f} s | "
            f"{epochs_run} | {row['greedy_sentences_per_second']:.0f} | {beam_cells} |",
            flush=True,
        )
    results = {
        "provenance": started,
        "task": "Multi30k task 1, English->German, test2016 (1,000 sentences)",
        "budget_seconds": args.budget,
        "planned_epochs": {"recommended, larger network, reference": args.epochs, "others": 10},
        "n_train": len(pairs["train"][0]),
        "tokenizer_fit_seconds": tokenizer_seconds,
        "sacrebleu_signature": str(signature),
        "rows": rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
