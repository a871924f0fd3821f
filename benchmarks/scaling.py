"""Scale-out measured side by side: data-parallel fit and distributed search.

In one process:

1. **Data-parallel fit**: the tutorial's task (6 in, 3 out, 51 tokens, 128
   units; 20,000 sequences, 2 epochs, batch 32) fitted on one device, then
   under ``tf.distribute.MirroredStrategy`` over the CPU split into two
   logical devices (the code path of two GPUs), same global batch.
2. **Search**: a ``GridSearchCV`` of 4 candidates x 2 folds (8 fits) on
   5,000 sequences of the same task, run with ``n_jobs=1``, then on a Dask
   ``LocalCluster`` of 2 single-threaded worker processes (loopback) with
   joblib's dask backend; fits per minute, the cluster's start-up timed
   apart.

Prints a markdown table and writes JSON.

Run:  python benchmarks/scaling.py [--out benchmarks/results/scaling.json]
"""

import argparse
import json
import time
from pathlib import Path

from provenance import provenance

HERE = Path(__file__).resolve().parent
GRID = {"n_units": [32, 64], "learning_rate": [0.001, 0.01]}


def seconds(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def data_parallel_fit(tf):
    from sklearn_seq2seq import Seq2SeqLSTM, make_reversal

    X, Y = make_reversal(20_000, random_state=0)
    X_test, Y_test = make_reversal(2_000, random_state=1)
    Seq2SeqLSTM(epochs=1, random_state=0).fit(X[:500], Y[:500])  # warms TensorFlow up
    single_s, single = seconds(lambda: Seq2SeqLSTM(epochs=2, random_state=0).fit(X, Y))
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        mirrored_s, mirrored = seconds(lambda: Seq2SeqLSTM(epochs=2, random_state=0).fit(X, Y))
    return {
        "samples": len(X),
        "epochs": 2,
        "single_device": {"fit_s": single_s, "accuracy": single.score(X_test, Y_test)},
        "mirrored_2_logical_cpus": {
            "fit_s": mirrored_s,
            "accuracy": mirrored.score(X_test, Y_test),
            "replicas": strategy.num_replicas_in_sync,
        },
    }


def search(n_jobs, backend=None):
    import joblib
    from sklearn.model_selection import GridSearchCV

    from sklearn_seq2seq import Seq2SeqLSTM, make_reversal

    X, Y = make_reversal(5_000, random_state=2)
    grid_search = GridSearchCV(
        Seq2SeqLSTM(epochs=2, random_state=0), GRID, cv=2, n_jobs=n_jobs, refit=False
    )
    with joblib.parallel_config(backend=backend or "loky"):
        wall, fitted = seconds(lambda: grid_search.fit(X, Y))
    n_fits = len(fitted.cv_results_["params"]) * 2
    return {
        "fits": n_fits,
        "wall_s": wall,
        "fits_per_minute": 60 * n_fits / wall,
        "best_params": fitted.best_params_,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "results" / "scaling.json"))
    args = parser.parse_args()

    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    report = {"data_parallel": data_parallel_fit(tf)}
    print(report, flush=True)

    report["search"] = {"n_jobs=1": search(n_jobs=1)}
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster),
    ):
        startup_s = time.perf_counter() - start
        report["search"]["dask, 2 workers"] = {
            **search(n_jobs=-1, backend="dask"),
            "cluster_start_s": startup_s,
        }
    print(report, flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    report["provenance"] = provenance()
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(markdown(report))


def markdown(r):
    fit = r["data_parallel"]
    single, mirrored = fit["single_device"], fit["mirrored_2_logical_cpus"]
    searches = r["search"]
    local = searches["n_jobs=1"]["fits_per_minute"]
    rows = [
        "| run | wall | accuracy / best | speed-up |",
        "|---|---|---|---|",
        f"| fit {fit['samples']:,} x {fit['epochs']} epochs, one device | "
        f"{single['fit_s']:.1f} s | {single['accuracy']:.2%} | 1.00x |",
        f"| same fit, MirroredStrategy, 2 logical CPU devices | {mirrored['fit_s']:.1f} s | "
        f"{mirrored['accuracy']:.2%} | {single['fit_s'] / mirrored['fit_s']:.2f}x |",
    ]
    for name, s in searches.items():
        startup = f" (+{s['cluster_start_s']:.1f} s start)" if "cluster_start_s" in s else ""
        rows.append(
            f"| GridSearchCV {s['fits']} fits, {name} | {s['wall_s']:.1f} s{startup}, "
            f"{s['fits_per_minute']:.1f} fits/min | {s['best_params']} | "
            f"{s['fits_per_minute'] / local:.2f}x |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    main()
