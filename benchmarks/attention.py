"""Attention against the tutorial's single state vector, same budget, one process.

Reverses whole sequences of 10, 20 and 40 tokens (10 symbols) and reads
dates in 10 human formats (the issue-4 task), each with and without
(Luong) attention: same data, units, batch size, seed and budget of at
most ``EPOCHS`` epochs with early stopping on the validation loss (10%
held out, best weights restored: at the default learning rate an attention
model can reach ~100% and then diverge within an epoch).  Reports exact-sequence accuracy on
fresh sequences, epochs run and the fit's wall time, prints a markdown
table and writes JSON.

Run:  python benchmarks/attention.py [--out benchmarks/results/attention.json]

About 15 minutes on 2 CPU cores.
"""

import argparse
import json
import time
from pathlib import Path

from provenance import provenance

HERE = Path(__file__).resolve().parent
N_TRAIN, N_TEST, N_UNITS, EPOCHS = 20_000, 2_000, 64, 8


def tasks():
    from sklearn_seq2seq import make_dates, make_reversal

    for length in (10, 20, 40):
        name = f"reverse {length} tokens"

        def data(seed, n, length=length):
            return make_reversal(n, n_in=length, n_out=length, n_tokens=11, random_state=seed)

        yield name, data
    yield "dates, 10 formats -> ISO", lambda seed, n: make_dates(n, random_state=seed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "results" / "attention.json"))
    args = parser.parse_args()

    from sklearn_seq2seq import Seq2SeqLSTM

    rows = []
    for name, data in tasks():
        X, Y = data(0, N_TRAIN)
        X_test, Y_test = data(1, N_TEST)
        for attention in (None, "luong"):
            est = Seq2SeqLSTM(
                n_units=N_UNITS,
                epochs=EPOCHS,
                attention=attention,
                bidirectional=False,  # attention alone makes the difference
                early_stopping=True,
                validation_metric="loss",  # accuracy stuck at 0 would stop at once
                n_iter_no_change=2,
                random_state=0,
            )
            start = time.perf_counter()
            est.fit(X, Y)
            seconds = time.perf_counter() - start
            row = {
                "task": name,
                "attention": attention or "none",
                "accuracy": est.score(X_test, Y_test),
                "epochs_run": est.n_iter_,
                "best_epoch": est.best_epoch_,
                "fit_seconds": seconds,
            }
            print(row, flush=True)
            rows.append(row)

    report = {
        "n_train": N_TRAIN,
        "n_test": N_TEST,
        "n_units": N_UNITS,
        "epochs": EPOCHS,
        "rows": rows,
    }
    report["provenance"] = provenance()
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(f"\n{N_TRAIN:,} training sequences, <= {EPOCHS} epochs, {N_UNITS} units, same seed\n")
    print("| task | attention | exact-sequence accuracy | epochs run (best) | fit |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['task']} | {row['attention']} | {row['accuracy']:.2%} "
            f"| {row['epochs_run']} ({row['best_epoch']}) | {row['fit_seconds']:.0f} s |"
        )


if __name__ == "__main__":
    main()
