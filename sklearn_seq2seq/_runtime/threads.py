"""TensorFlow's thread pools sized to this process's share of the cores.

TensorFlow sizes its pools to every core of the machine, so ``n_jobs``
worker processes that each fit a model would run ``n_jobs`` times as many
busy threads as there are cores.  The engines that start such workers
already say how many threads each may use: joblib's loky backend (which
scikit-learn's ``n_jobs`` uses) sets ``OMP_NUM_THREADS`` to
``cpu_count() // n_jobs`` (or ``inner_max_num_threads``), Dask's nanny sets
it to 1 and Ray to the task's CPUs.  TensorFlow reads only its own
variables, so this module passes that share on, once, before TensorFlow
runs its first operation in the process.

Precedence: TensorFlow's own ``TF_NUM_INTRAOP_THREADS`` /
``TF_NUM_INTEROP_THREADS`` (left to TensorFlow), then pools the user set
with ``tf.config.threading``, then ``OMP_NUM_THREADS``; with none of
them TensorFlow keeps its default (all cores).
"""

import os

TENSORFLOW_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def worker_threads(environ=os.environ):
    """Threads per TensorFlow pool this process should use, or None.

    Parameters
    ----------
    environ : mapping, default=os.environ
        The environment to read.

    Returns
    -------
    n_threads : int or None
        ``OMP_NUM_THREADS`` when it holds a positive integer and
        TensorFlow's own variables are unset; None leaves TensorFlow alone.

    Examples
    --------
    >>> worker_threads({"OMP_NUM_THREADS": "2"})
    2
    >>> worker_threads({"OMP_NUM_THREADS": "2", "TF_NUM_INTRAOP_THREADS": "4"}) is None
    True
    >>> worker_threads({}) is None
    True
    """
    if any(name in environ for name in TENSORFLOW_VARIABLES):
        return None
    try:
        n_threads = int(environ.get("OMP_NUM_THREADS", ""))
    except ValueError:
        return None
    return n_threads if n_threads >= 1 else None


def limit_tensorflow_threads():
    """Size TensorFlow's intra- and inter-op pools by :func:`worker_threads`.

    Does nothing when the pools were set already or TensorFlow has started
    running (its pools are then fixed for the life of the process).
    """
    n_threads = worker_threads()
    if n_threads is None:
        return
    import tensorflow as tf

    threading = tf.config.threading
    if threading.get_intra_op_parallelism_threads() or threading.get_inter_op_parallelism_threads():
        return  # chosen by the user
    try:
        threading.set_intra_op_parallelism_threads(n_threads)
        threading.set_inter_op_parallelism_threads(n_threads)
    except RuntimeError:  # TensorFlow is running already
        pass
