"""TensorFlow's start-up without its C++ notices, unless the user asks for them.

On import and on its first look for devices, TensorFlow's C++ runtime
prints notices (oneDNN, CUDA drivers, CPU instructions, ``cuInit``) before
its logging is set up, so ``TF_CPP_MIN_LOG_LEVEL`` cannot silence them.
The package imports TensorFlow through :func:`import_tensorflow`: when
the user has not set ``TF_CPP_MIN_LOG_LEVEL``, the process's standard
error is redirected to a temporary file for that start-up, and every line
that is not one of those known notices is written back, so real errors
still show; the level is then set to 1, which keeps TensorFlow's later
informational lines (XLA compiling) quiet but its warnings and errors
not.  A user who sets the variable gets TensorFlow's own output.
"""

import os
import re
import sys
import tempfile

LEVEL = "TF_CPP_MIN_LOG_LEVEL"
OUR_LEVEL = "SKLEARN_SEQ2SEQ_TF_CPP_MIN_LOG_LEVEL"  # set with LEVEL, when we set it
# The notices TensorFlow's C++ start-up prints on machines that work fine.
STARTUP_NOTICES = re.compile(
    r"absl::InitializeLog|oneDNN custom operations|cudart_stub|cuda drivers|"
    r"cpu_feature_guard|To enable the following instructions|failed call to cuInit|"
    r"Unable to register cu(DNN|FFT|BLAS) factory|computation placer|TF-TRT Warning"
)


def import_tensorflow():
    """Import TensorFlow (and find its devices) with its start-up notices filtered.

    Returns
    -------
    tensorflow : module
        The ``tensorflow`` module.
    """
    user_level = os.environ.get(LEVEL) not in (None, os.environ.get(OUR_LEVEL))
    if "tensorflow" in sys.modules or user_level:
        import tensorflow

        return tensorflow
    # Marked as ours, so that worker processes started later, which
    # inherit the variable, still filter their own start-up.
    os.environ[LEVEL] = os.environ[OUR_LEVEL] = "1"
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow

            tensorflow.config.list_physical_devices()
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        lines = captured.read().decode(errors="replace").splitlines(keepends=True)
    sys.stderr.write("".join(line for line in lines if not STARTUP_NOTICES.search(line)))
    return tensorflow
