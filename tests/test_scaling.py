"""Beyond one process: tf.distribute training, searches on joblib backends,
Dask and Ray clusters, and TensorFlow's threads in worker processes."""

import os
import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pytest
from fresh_process import run_json
from sklearn.model_selection import GridSearchCV

from sklearn_seq2seq import Seq2SeqLSTM

GRID = {"n_units": [4, 32], "epochs": [3]}


@pytest.fixture(scope="session")
def search_task(small_task):
    return small_task[0][:600], small_task[1][:600]


@pytest.fixture(scope="session")
def local_search(search_task):
    """The reference: the same search in this process, one fit at a time."""
    return GridSearchCV(Seq2SeqLSTM(random_state=0), GRID, cv=2, n_jobs=1).fit(*search_task)


def assert_same_search(search, reference):
    assert search.best_params_ == reference.best_params_
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"], atol=0.01
    )


# loky's process pool is slow to start: its search is marked slow, and
# test_loky_workers_use_their_share_of_the_cores runs loky by default.
@pytest.mark.parametrize("backend", [pytest.param("loky", marks=pytest.mark.slow), "threading"])
def test_parallel_search_finds_what_a_sequential_one_finds(search_task, local_search, backend):
    with joblib.parallel_config(backend=backend):
        search = GridSearchCV(Seq2SeqLSTM(random_state=0), GRID, cv=2, n_jobs=2).fit(*search_task)
    assert_same_search(search, local_search)
    assert search.predict(search_task[0][:3]).shape == (3, 2)


def thread_reader(X, Y):
    """A function that fits in a worker and reports TensorFlow's pool sizes.

    Defined locally so that workers receive it by value: they cannot import
    this test module.
    """

    def fit_and_read_threads():
        Seq2SeqLSTM(n_units=4, epochs=1).fit(X, Y)
        import tensorflow as tf

        pools = tf.config.threading
        return pools.get_intra_op_parallelism_threads(), pools.get_inter_op_parallelism_threads()

    return fit_and_read_threads


def test_loky_workers_use_their_share_of_the_cores(search_task):
    X, Y = search_task[0][:50], search_task[1][:50]
    # loky's share: cpu_count() // n_jobs, unless this process sets its own
    share = int(os.environ.get("OMP_NUM_THREADS", max(joblib.cpu_count() // 2, 1)))
    with joblib.parallel_config(backend="loky"):
        read = thread_reader(X, Y)
        pools = joblib.Parallel(n_jobs=2)(joblib.delayed(read)() for _ in "ab")
    assert pools == [(share, share)] * 2


@pytest.mark.slow
def test_search_on_a_dask_cluster_equals_the_local_search(search_task, local_search):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with joblib.parallel_config(backend="dask"):
            search = GridSearchCV(Seq2SeqLSTM(random_state=0), GRID, cv=2, n_jobs=-1)
            search.fit(*search_task)
        # Dask's nanny gives each worker OMP_NUM_THREADS=1; TensorFlow follows.
        pools = client.run(thread_reader(search_task[0][:50], search_task[1][:50]))
    assert_same_search(search, local_search)
    assert list(pools.values()) == [(1, 1)] * 2


@pytest.mark.slow
def test_search_on_ray_equals_the_local_search(search_task, local_search):
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        register_ray()
        with joblib.parallel_config(backend="ray"):
            search = GridSearchCV(Seq2SeqLSTM(random_state=0), GRID, cv=2, n_jobs=-1)
            search.fit(*search_task)
    finally:
        ray.shutdown()
    assert_same_search(search, local_search)


MIRRORED = """
import json
import tensorflow as tf

# Two logical devices on the one CPU: the same code path as two GPUs.
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

from sklearn_seq2seq import Seq2SeqLSTM, make_reversal

X, Y = make_reversal(10_000, random_state=0)
X_test, Y_test = make_reversal(2_000, random_state=1)
# A constant rate: 3 epochs of 10,000 reach 97% with it (a linear decay
# over so few steps learns less); this test is about devices, not recipes.
params = dict(epochs=3, learning_rate_schedule="constant", random_state=0)
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    mirrored = Seq2SeqLSTM(**params).fit(X, Y)
    mirrored_accuracy = mirrored.score(X_test, Y_test)
single = Seq2SeqLSTM(**params).fit(X, Y)
kernel = mirrored.model_.get_layer("encoder_0").cell.kernel.value
print(json.dumps({
    "replicas": mirrored.model_.distribute_strategy.num_replicas_in_sync,
    "kernel_devices": sorted(v.device for v in strategy.experimental_local_results(kernel)),
    "mirrored": mirrored_accuracy,
    "mirrored_outside_scope": mirrored.score(X_test, Y_test),
    "single": single.score(X_test, Y_test),
    "single_replicas": single.model_.distribute_strategy.num_replicas_in_sync,
}))
"""


@pytest.mark.slow
def test_mirrored_strategy_trains_on_two_replicas_as_well_as_on_one():
    report = run_json(MIRRORED)
    assert report["replicas"] == 2 and report["single_replicas"] == 1
    assert [device[-5:] for device in report["kernel_devices"]] == ["CPU:0", "CPU:1"]
    # Same global batch, gradients summed over the replicas: the same
    # training up to float rounding.  Stated tolerance: 2 points.
    assert report["single"] > 0.97
    assert abs(report["mirrored"] - report["single"]) <= 0.02
    assert report["mirrored_outside_scope"] == report["mirrored"]


CLIPPED_STEPS = """
import json
import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

from sklearn_seq2seq import Seq2SeqLSTM, make_reversal

X, Y = make_reversal(512, random_state=0)
# Two steps of 512 (256 per replica), clipped hard: the clip binds on every step.
params = dict(n_units=16, epochs=2, batch_size=512, global_clipnorm=0.01, random_state=0,
              learning_rate_schedule="linear", learning_rate_floor=0.5)
with tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]).scope():
    mirrored = Seq2SeqLSTM(**params).fit(X, Y)
single = Seq2SeqLSTM(**params).fit(X, Y)
pairs = zip(mirrored.model_.get_weights(), single.model_.get_weights())
print(json.dumps({
    "replicas": mirrored.model_.distribute_strategy.num_replicas_in_sync,
    "max_weight_difference": max(float(np.abs(a - b).max()) for a, b in pairs),
    "learning_rates": [mirrored.history_["learning_rate"], single.history_["learning_rate"]],
}))
"""


@pytest.mark.slow
def test_clipping_and_schedule_under_mirrored_strategy_match_one_device():
    """The global batch's gradient is clipped, not each replica's share."""
    report = run_json(CLIPPED_STEPS)
    assert report["replicas"] == 2
    mirrored_rates, single_rates = report["learning_rates"]
    assert mirrored_rates == single_rates and single_rates[-1] == pytest.approx(0.005)
    assert report["max_weight_difference"] < 1e-5


def test_thread_share_follows_tensorflow_then_joblib_variables():
    from sklearn_seq2seq._runtime.threads import worker_threads

    assert worker_threads({"OMP_NUM_THREADS": "3"}) == 3
    assert worker_threads({"OMP_NUM_THREADS": "0"}) is None
    assert worker_threads({"OMP_NUM_THREADS": "many"}) is None
    assert worker_threads({"OMP_NUM_THREADS": "3", "TF_NUM_INTEROP_THREADS": "1"}) is None
    code = textwrap.dedent(
        """
        import numpy as np, tensorflow as tf
        from sklearn_seq2seq import Seq2SeqLSTM
        X = np.arange(40).reshape(20, 2) % 5 + 1
        Seq2SeqLSTM(n_units=4, epochs=1).fit(X, X)
        print(tf.config.threading.get_intra_op_parallelism_threads(),
              tf.config.threading.get_inter_op_parallelism_threads())
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_NUM", "OMP_NUM"))}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "OMP_NUM_THREADS": "3"},
    ).stdout
    assert out.split() == ["3", "3"]
