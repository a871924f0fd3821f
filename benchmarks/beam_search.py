"""Beam search throughput next to greedy decoding, in one process.

On the tutorial's task (6 in, 3 out, 51 tokens, 128 units, one epoch of
100,000 sequences), decodes 10,000 fresh sequences with ``predict`` at
beam widths 1 (greedy), 4 and 8, warm calls only, best of three.  Prints a
markdown table and writes JSON.

Run:  python benchmarks/beam_search.py [--out benchmarks/results/beam_search.json]
"""

import argparse
import json
import time
from pathlib import Path

from provenance import provenance

HERE = Path(__file__).resolve().parent
WIDTHS = (1, 4, 8)


def best_seconds(fn, repeats=3):
    fn()  # traces and compiles
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "results" / "beam_search.json"))
    args = parser.parse_args()

    from sklearn_seq2seq import Seq2SeqLSTM, make_reversal

    X, Y = make_reversal(100_000, 6, 3, 51, random_state=0)
    X_test, Y_test = make_reversal(10_000, 6, 3, 51, random_state=1)
    est = Seq2SeqLSTM(epochs=1, random_state=0).fit(X, Y)
    report = {"batch": len(X_test), "widths": {}}
    for width in WIDTHS:
        est.set_params(beam_width=width)
        seconds = best_seconds(lambda: est.predict(X_test))
        report["widths"][width] = {
            "sequences_per_second": len(X_test) / seconds,
            "accuracy": est.score(X_test, Y_test),
        }
        print(width, report["widths"][width], flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    report["provenance"] = provenance()
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(markdown(report))


def markdown(r):
    widths = {int(k): v for k, v in r["widths"].items()}  # JSON keys are strings
    greedy = widths[1]["sequences_per_second"]
    rows = [
        f"| predict, batch {r['batch']:,} | sequences/s | share of greedy | accuracy |",
        "|---|---|---|---|",
    ]
    for width, w in widths.items():
        name = "greedy (beam_width=1)" if width == 1 else f"beam_width={width}"
        rows.append(
            f"| {name} | {w['sequences_per_second']:,.0f} | "
            f"{w['sequences_per_second'] / greedy:.0%} | {w['accuracy']:.2%} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    main()
