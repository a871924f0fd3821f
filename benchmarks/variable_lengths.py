"""Length-aware batching against padding every batch to the longest sequence.

Task: copy sequences whose lengths are drawn uniformly from 1..40 (tokens
1..20, so an end symbol and masking are in play).  Both runs train the
identical masked network for one epoch on the same ids in one process;
the only difference is the batching:

* padded: random batches, every one padded to the longest sequence (40);
* bucketed: what ``Seq2SeqLSTM.fit`` does for variable-length data:
  samples sorted by length within windows of 16 batches, each batch cut
  to its own longest sequence.

Each trains three epochs; the first (which traces the training graph) is
reported apart from the steady-state epochs after it (the fastest of which
is taken: on a shared VM noise only adds time).

Also times ``Seq2SeqLSTM.predict`` on the same kind of data (warm calls).
Prints a markdown table and writes JSON.

Run:  python benchmarks/variable_lengths.py [--out benchmarks/results/variable_lengths.json]
"""

import argparse
import json
import time
from pathlib import Path

import keras

HERE = Path(__file__).resolve().parent
N_SAMPLES, MAX_LENGTH, N_TOKENS, N_UNITS, BATCH, EPOCHS = 20_000, 40, 21, 128, 128, 4


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def encoded_copy_task():
    """The copy task's samples encoded exactly as fit encodes them."""
    from sklearn_seq2seq import make_copy
    from sklearn_seq2seq.codec import Codec, read_targets
    from sklearn_seq2seq.sequences import read_sequences
    from sklearn_seq2seq.vocabulary import Vocabulary

    X, Y = make_copy(N_SAMPLES, 1, MAX_LENGTH, N_TOKENS, random_state=0)
    sources = read_sequences(X, "lists")
    tokens, lengths, kind = read_targets(Y, "lists")
    target_vocabulary, ends_with_eos, max_output_length = Codec.learn_targets(tokens, lengths, kind)
    codec = Codec(
        Vocabulary.from_tokens(sources.tokens),
        target_vocabulary,
        kind,
        ends_with_eos,
        max_output_length,
    )
    data = codec.training_data(
        codec.source_ids(sources.tokens, sources.lengths),
        sources.lengths,
        *codec.training_targets(tokens, lengths),
    )
    return X, codec, data


def train_once(codec, data, bucketed):
    from sklearn_seq2seq.training import fit_model, new_model

    model = new_model(
        n_source_ids=codec.source_vocabulary.n_ids,
        n_target_ids=codec.target_vocabulary.n_ids,
        n_classes=len(codec.classes),
        n_units=N_UNITS,
        recipe=dict(learning_rate=0.01, global_clipnorm=1.0),  # the estimator's defaults
        seed=0,
        max_length=MAX_LENGTH + 1,
        mask_source=True,
        mask_target=True,
    )
    if not bucketed:
        data = data._replace(source_lengths=None, target_lengths=None)
    timer = EpochTimer()
    fit_model(
        model,
        data,
        epochs=EPOCHS,
        batch_size=BATCH,
        seed=0,
        verbose=0,
        callbacks=[timer],
    )
    return timer.seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "results" / "variable_lengths.json"))
    args = parser.parse_args()

    X, codec, data = encoded_copy_task()
    padded_tokens = len(X) * (MAX_LENGTH + MAX_LENGTH + 1)
    real_tokens = int(data.source_lengths.sum() + data.target_lengths.sum())
    report = {"n_samples": N_SAMPLES, "max_length": MAX_LENGTH, "n_units": N_UNITS}
    report["real_token_fraction"] = real_tokens / padded_tokens
    for kind in ("padded", "bucketed"):
        seconds = train_once(codec, data, bucketed=kind == "bucketed")
        print(kind, [f"{s:.1f} s" for s in seconds], flush=True)
        report[f"{kind}_first_epoch_seconds"] = seconds[0]
        # The fastest steady epoch: this VM's noise only ever adds time.
        report[f"{kind}_epoch_seconds"] = min(seconds[1:])
    report["speedup"] = report["padded_epoch_seconds"] / report["bucketed_epoch_seconds"]

    from sklearn_seq2seq import Seq2SeqLSTM

    model = Seq2SeqLSTM(n_units=N_UNITS, epochs=1, random_state=0).fit(X[:2000], X[:2000])
    model.predict(X[:10_000])  # traces the decoder
    start = time.perf_counter()
    model.predict(X[:10_000])
    report["predict_10k_sequences_per_second"] = 10_000 / (time.perf_counter() - start)

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(markdown(report))


def markdown(r):
    return "\n".join(
        [
            "| copy task, lengths 1-40, 20k samples | epoch (steady) | first epoch | ratio |",
            "|---|---|---|---|",
            f"| padded to the longest (random batches) | {r['padded_epoch_seconds']:.1f} s | "
            f"{r['padded_first_epoch_seconds']:.1f} s | 1x |",
            f"| length-aware batches (`fit`'s default) | {r['bucketed_epoch_seconds']:.1f} s | "
            f"{r['bucketed_first_epoch_seconds']:.1f} s | {r['speedup']:.2f}x faster |",
            f"| real (unpadded) share of the padded tokens | {r['real_token_fraction']:.0%} | | |",
            f"| predict, 10,000 variable-length sequences | "
            f"{r['predict_10k_sequences_per_second']:,.0f} seq/s | | |",
        ]
    )


if __name__ == "__main__":
    main()
