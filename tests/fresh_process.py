"""Run a script in a fresh Python process and read the JSON it reports."""

import json
import os
import subprocess
import sys
import textwrap

# TensorFlow's C++ start-up logs would only bury a failing script's traceback.
QUIET_ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}


def run_json(code, *args, env=QUIET_ENV):
    """Run ``code`` with ``args`` in a fresh Python; its last printed line, read as JSON.

    A failing script fails the calling test with the end of its stderr.
    """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
