"""Quiet start: TensorFlow's C++ start-up notices stay off the terminal.

Each case runs in a fresh process, where TensorFlow is not imported yet.
"""

import os
import subprocess
import sys
import textwrap

import pytest

ENV = {name: value for name, value in os.environ.items() if name != "TF_CPP_MIN_LOG_LEVEL"}

FIT = """
from sklearn_seq2seq import Seq2SeqLSTM, make_reversal
X, Y = make_reversal(200, 4, 2, 6, random_state=0)
print(Seq2SeqLSTM(n_units=4, epochs=1, random_state=0).fit(X, Y).predict(X[:1]).shape)
"""

# A stand-in for TensorFlow that writes a start-up notice and a real error
# straight to file descriptor 2, as its C++ runtime does.
FAKE_TENSORFLOW = """
import os
os.write(2, b"I0000 cudart_stub.cc:31] Could not find cuda drivers on your machine\\n")
os.write(2, b"E0000 something really went wrong\\n")

class config:
    @staticmethod
    def list_physical_devices():
        os.write(2, b"E0000 cuda_platform.cc:52] failed call to cuInit\\n")
        return []
"""


def run(code, env, cwd=None):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_fitting_prints_no_tensorflow_start_up_notices():
    result = run(FIT, ENV)
    assert result.stdout.strip() == "(1, 2)"
    for notice in ("oneDNN", "cuda drivers", "cpu_feature_guard", "cuInit", "absl"):
        assert notice not in result.stderr


@pytest.fixture
def fake_tensorflow(tmp_path):
    (tmp_path / "tensorflow.py").write_text(FAKE_TENSORFLOW)
    return tmp_path


def test_other_start_up_output_still_shows(fake_tensorflow):
    code = "from sklearn_seq2seq._runtime.startup import import_tensorflow; import_tensorflow()"
    env = {**ENV, "PYTHONPATH": str(fake_tensorflow)}
    stderr = run(code, env).stderr
    assert stderr == "E0000 something really went wrong\n"


def test_a_log_level_the_user_set_gets_tensorflows_own_output(fake_tensorflow):
    code = "from sklearn_seq2seq._runtime.startup import import_tensorflow; import_tensorflow()"
    env = {**ENV, "PYTHONPATH": str(fake_tensorflow), "TF_CPP_MIN_LOG_LEVEL": "0"}
    assert "cuda drivers" in run(code, env).stderr
