"""Peak RSS of Seq2SeqLSTM.fit on 1,000,000 sequences of 20 tokens, 20,000-token vocabulary.

Run in its own process so that the peak belongs to this fit alone; training
stops after ``--steps`` batches (a full epoch of one-hot inputs 20,000 wide
would take hours on a CPU; memory is at its peak from the first step on).
Prints one JSON line.

Run:  python benchmarks/memory_fit.py --steps 20 [--embedding-dim 64] [--one-hot-matmul]
      [--no-averaging]  (ema_momentum=None: no moving average of the weights)

``seconds_per_step`` times the steps after the first (which traces).
"""

import argparse
import json
import resource
import time

import keras
import numpy as np
from provenance import provenance

from sklearn_seq2seq import Seq2SeqLSTM
from sklearn_seq2seq._network import layers


class StopAfter(keras.callbacks.Callback):
    """Stop training after a fixed number of batches."""

    def __init__(self, steps):
        super().__init__()
        self.steps, self.seen = steps, 0

    def __deepcopy__(self, memo):
        # fit runs deep copies of its callbacks; this one reports back.
        return self

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == 1:  # the first step also traces the train function
            self.first_done = time.perf_counter()
        if self.seen >= self.steps:
            self.seconds_per_step = (time.perf_counter() - self.first_done) / (self.seen - 1)
            self.model.stop_training = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--length", type=int, default=20)
    parser.add_argument("--vocabulary", type=int, default=20_000)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--embedding-dim", type=int, default=None, help="default: one-hot")
    parser.add_argument(
        "--one-hot-matmul",
        action="store_true",
        help="multiply one-hot inputs by the kernel instead of reading its rows (for comparison)",
    )
    parser.add_argument("--no-averaging", action="store_true", help="ema_momentum=None")
    args = parser.parse_args()
    if args.steps < 2:
        parser.error("--steps must be at least 2: the first step also traces")
    if args.one_hot_matmul:
        layers.LOOKUP_MIN_WIDTH_RATIO = float("inf")

    rng = np.random.RandomState(0)
    X = rng.randint(0, args.vocabulary, size=(args.samples, args.length))
    Y = X[:, ::-1].copy()
    stop = StopAfter(args.steps)
    start = time.perf_counter()
    est = Seq2SeqLSTM(
        epochs=1,
        embedding_dim=args.embedding_dim,
        ema_momentum=None if args.no_averaging else 0.99,
        random_state=0,
        callbacks=[stop],
    )
    est.fit(X, Y)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "samples": args.samples,
                "length": args.length,
                "vocabulary": args.vocabulary,
                "embedding_dim": args.embedding_dim,
                "inputs": "one-hot matmul" if args.one_hot_matmul else "default",
                "ema_momentum": est.ema_momentum,
                "provenance": provenance(),
                "steps": stop.seen,
                "seconds": round(time.perf_counter() - start, 1),
                "seconds_per_step": round(stop.seconds_per_step, 3),
                "data_mb": round((X.nbytes + Y.nbytes) / 2**20),
                "peak_rss_mb": round(peak_kb / 1024),  # MiB
            }
        )
    )


if __name__ == "__main__":
    main()
