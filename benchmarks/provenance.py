"""Where a benchmark result comes from: command, commit, date, machine and versions.

Every results JSON records this beside its numbers, so that a figure in the
docs can be traced to the run that measured it.  Call :func:`provenance` when
the run starts: the commit is then the one whose code ran.
"""

import datetime
import os
import platform
import shlex
import subprocess
import sys
from importlib import metadata

PACKAGES = ("tensorflow", "keras", "numpy", "scikit-learn", "sentencepiece", "sacrebleu")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as file:
            for line in file:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def commit():
    try:
        here = os.path.dirname(os.path.abspath(__file__))
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def versions():
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def command():
    """The command line, with paths inside the checkout made relative to its root.

    A run from a scratch copy of the tree (``/tmp/...``) then reads as a
    command a user can paste into their own checkout.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    return "python " + shlex.join(arg.removeprefix(root) for arg in sys.argv)


def provenance():
    """The ``"provenance"`` entry of a results file."""
    return {
        "command": command(),
        "commit": commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "versions": versions(),
    }
