"""What a long-lived process accumulates, and what a fresh one reproduces.

Both run in fresh subprocesses, so that the rest of the suite neither
feeds nor hides what they measure.
"""

import json
import os

import pytest
from fresh_process import QUIET_ENV, run_json

CYCLES = """
import gc, json, os, time
import numpy as np
from sklearn.base import clone
from sklearn_seq2seq import Seq2SeqLSTM, make_reversal

def resident_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

def graphs():  # traced TensorFlow graphs still alive
    return sum(type(o).__name__ == "FuncGraph" for o in gc.get_objects())

X, Y = make_reversal(300, n_in=5, n_out=5, n_tokens=11, random_state=0)
template = Seq2SeqLSTM(n_units=16, epochs=2, random_state=0)
rss, cpu, alive = [], [], []
for cycle in range(30):
    start = time.process_time()
    est = clone(template).fit(X, Y)
    est.predict(X)
    cpu.append(time.process_time() - start)
    del est
    gc.collect()
    rss.append(resident_mb())
    alive.append(graphs())
print(json.dumps({"rss": rss, "cpu": cpu, "graphs": alive}))
"""


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads /proc (Linux)")
def test_thirty_clone_fit_predict_cycles_keep_memory_and_speed():
    # One TensorFlow thread: idle pool threads spinning while the other
    # test worker holds the cores would inflate CPU seconds.
    report = run_json(CYCLES, env={**QUIET_ENV, "OMP_NUM_THREADS": "1"})
    rss, cpu, graphs = report["rss"], report["cpu"], report["graphs"]
    # Resident memory after the 30th cycle against after the 2nd (the 1st
    # pays for TensorFlow's one-time set-up).
    assert rss[-1] - rss[1] < 50, rss
    # No traced graph outlives its estimator (TensorFlow's gradient
    # registry kept one per fit before training.Adam).
    assert graphs[-1] == graphs[1], graphs
    # The last fits are no slower than the second: CPU seconds (not wall
    # time), the fastest of five at each end (interference only adds time).
    second, last = min(cpu[1:6]), min(cpu[-5:])
    assert last <= 1.5 * second, cpu


DETERMINISM = """
import hashlib, json, sys
import numpy as np
from sklearn_seq2seq import Seq2SeqLSTM, load, make_reversal

X, Y = make_reversal(2000, n_in=5, n_out=3, n_tokens=12, random_state=0)
params = dict(n_units=32, epochs=2, batch_size=128, random_state=0)
report = {}
for name, options in json.loads(sys.argv[1]).items():
    est = Seq2SeqLSTM(**params, **options).fit(X, Y)
    path = f"{sys.argv[2]}-{name}.s2s"
    est.save(path)
    weights = load(path).model_.get_weights()
    report[name] = {
        "weights": hashlib.sha256(b"".join(w.tobytes() for w in weights)).hexdigest(),
        "predictions": est.predict(X).tolist(),
        "probabilities": hashlib.sha256(est.predict_proba(X)[0].tobytes()).hexdigest(),
    }
print(json.dumps(report))
"""

# Both fitted in each process (one TensorFlow start-up per process).
OPTIONS = {
    "default": {},
    "attention-dropout": {"attention": "luong", "embedding_dim": 8, "dropout": 0.1},
}


@pytest.mark.slow  # two fresh TensorFlow processes, each fitting two models
def test_same_random_state_in_fresh_processes_gives_identical_models(tmp_path):
    first, second = (
        run_json(DETERMINISM, json.dumps(OPTIONS), str(tmp_path / run))
        for run in ("first", "second")
    )
    for name in OPTIONS:
        assert first[name] == second[name], name
