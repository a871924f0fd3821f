"""Side-by-side benchmark on the tutorial's task, in one process.

Measures, on the tutorial's task (6 in, 3 out, 51 tokens, 128 units):

* the baseline: the tutorial's approach (``tutorial_baseline.py``): one
  epoch at batch 32, then one sequence at a time, one ``predict`` per step;
* ``Seq2SeqLSTM.predict`` throughput at batch 1, 100, 10,000 and 100,000;
* the machine's float32 matmul rate (numpy sgemm) and the roofline it
  implies for the model's analytic FLOPs per decoded sequence;
* time for ``fit`` with default parameters to reach 99.9% exact-sequence
  accuracy on 10,000 held-out sequences;
* ``Seq2SeqLSTM.fit`` against plain Keras training of the identical network;
* peak RSS of fitting 1,000,000 sequences of 20 tokens, 20,000-token
  vocabulary (a subprocess, ``memory_fit.py``).

Prints a markdown table and writes JSON.

Run:  python benchmarks/run_benchmarks.py [--out benchmarks/results/cpu.json] [--quick]

About six minutes on 2 CPU cores.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
from provenance import provenance

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

N_IN, N_OUT, N_TOKENS, N_UNITS = 6, 3, 51, 128
TARGET_ACCURACY = 0.999


def sgemm_rate(n=4096, repeats=5):
    """Best float32 matmul rate of numpy on this machine, in FLOP/s."""
    a = np.random.RandomState(0).rand(n, n).astype(np.float32)
    a @ a
    best = min(_timed(lambda: a @ a)[1] for _ in range(repeats))
    return 2 * n**3 / best


def model_flops_per_sequence(n_source_ids, n_target_ids, n_classes, n_units, n_in, n_out):
    """Matmul FLOPs of one greedy decode of the model as defined.

    Inputs are one-hot vectors, so each LSTM step is
    ``[x, h] (n_ids + units) x (4 units)``; each decoder step adds the
    ``units x n_classes`` output layer.  Elementwise gate work, softmax and
    argmax are left out (under 3% here).  The decoder replaces the one-hot
    input matmul by a row lookup, so it *executes* fewer FLOPs than this.
    """
    lstm = lambda n_ids: 2 * (n_ids + n_units) * 4 * n_units  # noqa: E731
    return n_in * lstm(n_source_ids) + n_out * (lstm(n_target_ids) + 2 * n_units * n_classes)


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def rate(fn, n_items, min_seconds=1.0, max_calls=200):
    """Items per second and seconds per call, from the median of warm calls."""
    fn()
    times = []
    while sum(times) < min_seconds and len(times) < max_calls:
        times.append(_timed(fn)[1])
    median = float(np.median(times))
    return n_items / median, median


def bench_baseline(X, Y, X_test, n_sequences):
    import tutorial_baseline as tb

    (_, encoder, decoder), seconds = _timed(lambda: tb.train(X, Y, N_TOKENS, N_UNITS))
    Y_pred = tb.predict_batched(encoder, decoder, X_test[0], N_OUT, N_TOKENS)
    accuracy = float(np.mean(np.all(Y_pred == X_test[1], axis=1)))
    tb.predict_sequence(encoder, decoder, X_test[0][0], N_OUT, N_TOKENS)  # warm-up
    _, decode_seconds = _timed(
        lambda: [
            tb.predict_sequence(encoder, decoder, x, N_OUT, N_TOKENS)
            for x in X_test[0][:n_sequences]
        ]
    )
    return {
        "train_seconds": seconds,
        "accuracy": accuracy,
        "decode_sequences_per_second": n_sequences / decode_seconds,
        "decoded_sequences_timed": n_sequences,
    }


class AccuracyProbe(keras.callbacks.Callback):
    """Held-out exact-sequence accuracy every ``every`` training batches.

    Records the fit's wall time since ``fit_start`` (probe time excluded)
    when the target is first reached, then stops training.
    """

    def __init__(self, X_train, X_test, Y_test, every, fit_start):
        super().__init__()
        from sklearn_seq2seq import SequenceOneHotEncoder

        self.source_ids = SequenceOneHotEncoder().fit(X_train).encode(X_test)
        self.Y_test, self.every, self.fit_start = Y_test, every, fit_start
        self.reached_seconds, self.steps, self.history = None, 0, []
        self.probe_seconds = 0.0

    def __deepcopy__(self, memo):
        # Seq2SeqLSTM.fit runs deep copies of its callbacks; this probe
        # reports back to the benchmark, so it is shared, not copied.
        return self

    def on_train_begin(self, logs=None):
        from sklearn_seq2seq._decoding.greedy import GreedyDecoder

        self.decoder = GreedyDecoder(self.model, n_steps=N_OUT)

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.steps % self.every or self.reached_seconds is not None:
            return
        start = time.perf_counter()
        Y_pred = self.decoder(self.source_ids) + 1  # classes are the tokens 1..50
        accuracy = float(np.mean(np.all(Y_pred == self.Y_test, axis=1)))
        self.probe_seconds += time.perf_counter() - start
        elapsed = time.perf_counter() - self.fit_start - self.probe_seconds
        self.history.append((self.steps, round(elapsed, 2), accuracy))
        if accuracy >= TARGET_ACCURACY:
            self.reached_seconds = elapsed
            self.model.stop_training = True


def bench_time_to_accuracy(X, Y, X_test, Y_test):
    from sklearn_seq2seq import Seq2SeqLSTM

    probe = AccuracyProbe(X, X_test, Y_test, every=25, fit_start=time.perf_counter())
    Seq2SeqLSTM(random_state=0, callbacks=[probe]).fit(X, Y)
    return {
        "seconds": probe.reached_seconds,
        "steps": probe.steps,
        "samples_seen": probe.steps * 128,
        "trace": probe.history,
    }


def bench_predict(est, X_big):
    results = {}
    for batch in (1, 100, 10_000, 100_000):
        X = X_big[:batch]
        per_second, seconds_per_call = rate(
            lambda: est.predict(X),
            batch,
            min_seconds=2.0 if batch > 1 else 1.0,
            max_calls=500 if batch == 1 else 50,
        )
        results[batch] = {
            "sequences_per_second": per_second,
            "ms_per_call": seconds_per_call * 1000,
        }
    return results


def bench_fit_overhead(X, Y, repeats=2):
    from sklearn_seq2seq import Seq2SeqLSTM
    from sklearn_seq2seq._input.sequences import shift_right
    from sklearn_seq2seq._input.vocabulary import N_RESERVED
    from sklearn_seq2seq._network.model import build_training_model
    from sklearn_seq2seq._training.recipe import compile_model
    from sklearn_seq2seq.preprocessing import SequenceOneHotEncoder

    source = SequenceOneHotEncoder().fit(X)
    target = SequenceOneHotEncoder().fit(Y)

    def plain_keras():
        source_ids, target_ids = source.encode(X), target.encode(Y)
        model = build_training_model(
            n_source_ids=source.n_ids_,
            n_target_ids=target.n_ids_,
            n_classes=len(target.tokens_),
            n_units=N_UNITS,
            seed=0,
            # The estimator's network: unrolled on a CPU for sequences this short.
            max_length=max(source_ids.shape[1], target_ids.shape[1]),
        )
        compile_model(model, [], learning_rate=0.01, global_clipnorm=1.0)
        model.fit(
            [source_ids, shift_right(target_ids)],
            target_ids - N_RESERVED,
            batch_size=128,
            epochs=1,
            shuffle=True,
            verbose=0,
        )

    def estimator():
        Seq2SeqLSTM(epochs=1, random_state=0).fit(X, Y)

    times = {"keras": [], "seq2seq": []}
    for _ in range(repeats):
        times["keras"].append(_timed(plain_keras)[1])
        times["seq2seq"].append(_timed(estimator)[1])
        keras.backend.clear_session()
    best = {k: min(v) for k, v in times.items()}
    return {
        **{f"{k}_seconds": v for k, v in best.items()},
        "ratio": best["seq2seq"] / best["keras"],
    }


def bench_memory(steps):
    out = subprocess.run(
        [sys.executable, str(HERE / "memory_fit.py"), "--steps", str(steps)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "results" / "cpu.json"))
    parser.add_argument(
        "--quick",
        action="store_true",
        help="decode 30 instead of 300 baseline sequences (smoke run)",
    )
    args = parser.parse_args()

    import tensorflow as tf

    from sklearn_seq2seq import Seq2SeqLSTM, make_reversal

    X, Y = make_reversal(100_000, N_IN, N_OUT, N_TOKENS, random_state=0)
    X_test, Y_test = make_reversal(10_000, N_IN, N_OUT, N_TOKENS, random_state=1)
    X_big, _ = make_reversal(100_000, N_IN, N_OUT, N_TOKENS, random_state=2)

    gpus = tf.config.list_physical_devices("GPU")
    report = {
        "device": (
            tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")
            if gpus
            else f"CPU, {os.cpu_count()} cores ({platform.processor() or platform.machine()})"
        ),
        "tensorflow": tf.__version__,
    }
    print(f"device: {report['device']}", flush=True)
    report["sgemm_gflops"] = sgemm_rate() / 1e9
    print(f"sgemm: {report['sgemm_gflops']:.1f} GFLOP/s", flush=True)
    report["baseline"] = bench_baseline(X, Y, (X_test, Y_test), 30 if args.quick else 300)
    print("baseline:", report["baseline"], flush=True)
    report["time_to_accuracy"] = bench_time_to_accuracy(X, Y, X_test, Y_test)
    print("time to accuracy:", report["time_to_accuracy"]["seconds"], flush=True)

    est = Seq2SeqLSTM(epochs=1, random_state=0).fit(X, Y)
    report["accuracy_one_epoch"] = est.score(X_test, Y_test)
    report["predict"] = bench_predict(est, X_big)
    print("predict:", report["predict"], flush=True)
    flops = model_flops_per_sequence(
        est.source_vocabulary_.n_ids,
        est.target_vocabulary_.n_ids,
        len(est.target_vocabulary_.tokens),
        N_UNITS,
        N_IN,
        N_OUT,
    )
    report["flops_per_sequence"] = flops
    report["roofline_sequences_per_second"] = report["sgemm_gflops"] * 1e9 / flops
    report["fit_overhead"] = bench_fit_overhead(X, Y)
    print("fit overhead:", report["fit_overhead"], flush=True)
    report["memory"] = bench_memory(steps=20)
    print("memory:", report["memory"], flush=True)

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    report["provenance"] = provenance()
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(markdown(report))


def markdown(r):
    base = r["baseline"]["decode_sequences_per_second"]
    roof = r["roofline_sequences_per_second"]
    rows = [
        "| measure | value | ratio |",
        "|---|---|---|",
        f"| device | {r['device']} | |",
        f"| numpy sgemm | {r['sgemm_gflops']:.0f} GFLOP/s | |",
        f"| model FLOPs per decoded sequence | {r['flops_per_sequence'] / 1e6:.2f} M | |",
        f"| roofline | {roof:,.0f} seq/s | |",
        f"| baseline decode (1 seq, predict per step) | {base:,.1f} seq/s | 1x |",
        f"| baseline train (batch 32, 1 epoch) | {r['baseline']['train_seconds']:.1f} s, "
        f"accuracy {r['baseline']['accuracy']:.2%} | |",
    ]
    for batch, p in r["predict"].items():
        speed = p["sequences_per_second"]
        rows.append(
            f"| predict, batch {int(batch):,} | {speed:,.0f} seq/s "
            f"({p['ms_per_call']:.2f} ms/call) | {speed / base:,.0f}x baseline, "
            f"{speed / roof:.1%} of roofline |"
        )
    t = r["time_to_accuracy"]
    reached = (
        "not reached"
        if t["seconds"] is None
        else f"{t['seconds']:.1f} s ({t['samples_seen']:,} samples)"
    )
    ratio = (
        ""
        if t["seconds"] is None
        else f"{t['seconds'] / r['baseline']['train_seconds']:.2f}x baseline epoch"
    )
    overhead = r["fit_overhead"]
    peak_mib = r["memory"]["peak_rss_mb"]
    rows += [
        f"| fit to 99.9% held-out (defaults) | {reached} | {ratio} |",
        f"| accuracy after 1 epoch (defaults otherwise) | {r['accuracy_one_epoch']:.2%} | |",
        f"| fit, 1 epoch: Seq2SeqLSTM vs plain Keras | {overhead['seq2seq_seconds']:.1f} s vs "
        f"{overhead['keras_seconds']:.1f} s | {overhead['ratio']:.2f}x |",
        f"| peak RSS, fit 1M x 20 tokens, 20k vocab ({r['memory']['steps']} steps) | "
        f"{peak_mib:,.0f} MiB ({peak_mib * 2**20 / 1e9:.2f} GB) | |",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    main()
