"""Peak memory of ``predict`` on 1,000,000 variable-length sequences.

A model is trained on the 1-40 copy task of ``variable_lengths.py``
(strings of 20 letters, 128 units) and saved; a fresh process loads it,
builds 1,000,000 source strings, then calls ``predict`` once while a
thread samples its resident memory (``/proc/self/statm``) every 10 ms.
The bar: the peak stays below twice the memory after the model is loaded
and the inputs exist, plus the outputs ``predict`` returns.

Run:  python benchmarks/predict_memory.py [--n 1000000] [--out results/predict_memory.json]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from provenance import provenance

HERE = Path(__file__).resolve().parent
LETTERS = "abcdefghijklmnopqrst"
MAX_LENGTH = 40


def strings(n, seed):
    import numpy as np

    rng = np.random.RandomState(seed)
    lengths = rng.randint(1, MAX_LENGTH + 1, n)
    letters = np.array(list(LETTERS))[rng.randint(0, len(LETTERS), lengths.sum())]
    text = "".join(letters)
    ends = np.cumsum(lengths)
    return [text[end - length : end] for end, length in zip(ends, lengths)]


def rss_mib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(model_path, n):
    """In a fresh process: RSS after loading and inputs, peak during predict."""
    from sklearn_seq2seq import load

    est = load(model_path)
    est.predict(strings(10, seed=3))  # trace the small graphs first
    X = strings(n, seed=1)
    loaded = rss_mib()
    peak = [loaded]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mib())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    Y = est.predict(X)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    outputs = sum(sys.getsizeof(y) for y in Y) + sys.getsizeof(Y)
    inputs = sum(sys.getsizeof(x) for x in X) + sys.getsizeof(X)
    exact = sum(x == y for x, y in zip(X, Y)) / n
    return {
        "n_sequences": n,
        "rss_after_loading_and_inputs_mib": loaded,
        "inputs_mib": inputs / 2**20,
        "outputs_mib": outputs / 2**20,
        "peak_rss_during_predict_mib": peak[0],
        "bar_mib": 2 * (loaded + outputs / 2**20),
        "predict_seconds": seconds,
        "sequences_per_second": n / seconds,
        "exact_copies": exact,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--out", default=str(HERE / "results" / "predict_memory.json"))
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the fresh process's model
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.n)))
        return

    from sklearn_seq2seq import Seq2SeqLSTM

    X = strings(20_000, seed=0)
    # attention=None: the network of the committed results (2026-12-03).
    est = Seq2SeqLSTM(
        n_units=128, attention=None, bidirectional=False, epochs=3, random_state=0
    ).fit(X, X)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "copy.s2s")
        est.save(path)
        command = [sys.executable, __file__, "--measure", path, "--n", str(args.n)]
        child = subprocess.run(command, capture_output=True, text=True, check=True)
    report = json.loads(child.stdout.strip().splitlines()[-1])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    report["provenance"] = provenance()
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(
        f"predict of {report['n_sequences']:,} strings (lengths 1-{MAX_LENGTH}): "
        f"{report['predict_seconds']:.0f} s, {report['sequences_per_second']:,.0f}/s\n"
        f"RSS after loading the model and the inputs: "
        f"{report['rss_after_loading_and_inputs_mib']:,.0f} MiB; outputs "
        f"{report['outputs_mib']:,.0f} MiB; peak during predict "
        f"{report['peak_rss_during_predict_mib']:,.0f} MiB; bar (2x loaded + outputs) "
        f"{report['bar_mib']:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
