"""Training: the teacher-forcing model fitted on integer ids with Keras.

Data reach the graph as integer ids only.  A ``tf.data`` pipeline draws one
permutation of the sample indices per epoch from the given seed
(deterministic, no global seeding) and gathers each batch, so nothing the
size of the data set is ever one-hot encoded or copied per epoch, except
with subword sampling, which encodes the training sentences anew at the
start of each epoch.  Padded
label positions hold ``PAD_LABEL``, which the loss ignores and the
exact-sequence accuracy skips.
"""

import signal
import threading

import keras
import numpy as np
import tensorflow as tf

from .._input.codec import PAD_LABEL
from .._network.model import build_training_model, is_unrolled
from .recipe import compile_model

# Variable-length batches come from this many target-length buckets.
N_LENGTH_BUCKETS = 7


def to_tensors(data):
    """The samples with their id arrays copied into TensorFlow tensors.

    Parameters
    ----------
    data : ~sklearn_seq2seq._input.codec.TrainingData
        Encoded samples.

    Returns
    -------
    data : ~sklearn_seq2seq._input.codec.TrainingData
        The same samples; ids as ``tf.Tensor`` (lengths stay NumPy arrays),
        so that the caller can let go of the NumPy ids.
    """
    # A tensor made straight from a NumPy array can hold more than its size
    # (docs/performance.md, Memory); the identity op's output is a plain copy.
    return data._replace(
        **{name: tf.identity(tf.convert_to_tensor(a)) for name, a in zip(data._fields, data[:3])}
    )


def make_dataset(
    source_ids,
    decoder_input_ids,
    labels,
    *,
    batch_size,
    seed,
    source_lengths=None,
    target_lengths=None,
    resample=None,
):
    """Shuffled, batched ``((source, decoder input), labels)`` batches.

    For variable-length data (lengths given) batching is length-aware, as
    tf.data's ``bucket_by_sequence_length``: each batch is drawn from one
    of ``N_LENGTH_BUCKETS`` equal ranges of target length
    (:func:`length_buckets`) and cut to its own longest sequence, so short
    sequences do not pay for the padding of the longest one.  Within a
    bucket, batches mix lengths at random: batches sorted to near-equal
    lengths learned worse (docs/training.md).

    Parameters
    ----------
    source_ids, decoder_input_ids, labels : ndarray or tf.Tensor of shape (n_samples, length)
        Integer arrays, one right-padded row per sample.
    batch_size : int
        Samples per batch.
    seed : int
        Shuffling seed; the order differs between epochs but is the same
        for the same seed.
    source_lengths, target_lengths : ndarray of shape (n_samples,) or None
        Lengths of variable-length sources and targets (targets counting
        their end symbol); None for fixed lengths.
    resample : callable or None, default=None
        For variable lengths: ``resample(seed)`` returns the same samples
        encoded anew (a :class:`~sklearn_seq2seq._input.codec.TrainingData`
        of NumPy arrays, e.g. another subword segmentation), called once
        per epoch with a seed drawn from ``seed``.  Samples keep the
        length bucket of the given arrays, so every epoch has as many
        batches.

    Returns
    -------
    dataset : tf.data.Dataset
        Yields ``((source_ids, decoder_input_ids), labels)`` batches.

    Examples
    --------
    >>> import numpy as np
    >>> ids = np.arange(10, dtype=np.int32).reshape(5, 2)
    >>> ds = make_dataset(ids, ids, ids, batch_size=2, seed=0)
    >>> int(ds.cardinality())
    3
    """
    # Kept in their compact integer dtype (see TrainingData.compact) and
    # widened per batch.
    arrays = tuple(tf.convert_to_tensor(a) for a in (source_ids, decoder_input_ids, labels))
    n_samples = len(source_ids)

    # Each epoch's order is one stateless permutation of the indices, keyed
    # by a number that Dataset.random draws anew at every iteration (every
    # epoch), the same sequence for the same seed.  Dataset.shuffle would
    # fill a buffer with one tensor per index that stays allocated for the
    # whole fit (docs/performance.md, Memory).
    def permutation(epoch_key):
        order = tf.random.experimental.stateless_shuffle(
            tf.range(n_samples, dtype=tf.int64),
            seed=tf.stack([epoch_key, tf.constant(seed, tf.int64)]),
        )
        return tf.data.Dataset.from_tensor_slices(order)

    epoch_keys = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
    variable = source_lengths is not None or target_lengths is not None
    if resample is not None and not variable:
        raise ValueError("resample needs variable lengths: fixed-width batches cannot change.")
    if not variable:

        def gather(indices):
            source, decoder_input, target = (_rows(a, indices) for a in arrays)
            return (source, decoder_input), target

        return (
            epoch_keys.flat_map(permutation)
            .apply(tf.data.experimental.assert_cardinality(n_samples))
            .batch(batch_size)
            .map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
            .prefetch(tf.data.AUTOTUNE)
        )

    source_lengths, target_lengths = (
        tf.constant(np.full(n_samples, a.shape[1]) if n is None else n, tf.int64)
        for a, n in ((source_ids, source_lengths), (labels, target_lengths))
    )
    bucket = tf.constant(length_buckets(target_lengths.numpy()))

    if resample is None:
        lengths = (source_lengths, target_lengths)
        batches = _bucketed(
            epoch_keys.flat_map(permutation), bucket, (*arrays, *lengths), batch_size
        )
    else:

        def draw(epoch_key):
            data = resample(int(epoch_key))
            ids = tuple(a.astype(np.int32) for a in data[:3])
            return (*ids, *(n.astype(np.int64) for n in data[3:]))

        # One new encoding of every sample per epoch, batched as above.
        def epoch(epoch_key):
            drawn = tf.numpy_function(draw, [epoch_key], [tf.int32] * 3 + [tf.int64] * 2)
            for array, shape in zip(drawn, [[n_samples, None]] * 3 + [[n_samples]] * 2):
                array.set_shape(shape)
            return _bucketed(permutation(epoch_key), bucket, drawn, batch_size)

        batches = epoch_keys.flat_map(epoch)
    return batches.apply(
        tf.data.experimental.assert_cardinality(n_bucketed_batches(bucket, batch_size))
    ).prefetch(tf.data.AUTOTUNE)


def _rows(array, indices):
    """The rows at ``indices``, widened to int32."""
    return tf.cast(tf.gather(array, indices), tf.int32)


def _bucketed(indices, bucket, arrays, batch_size):
    """Batches of ``indices`` per length bucket, each cut to its longest sequence.

    ``arrays`` are the source, decoder input and label ids and the source
    and target lengths.
    """
    source_ids, decoder_input_ids, labels, source_lengths, target_lengths = arrays

    def gather_and_trim(indices):
        source_width = tf.reduce_max(tf.gather(source_lengths, indices))
        target_width = tf.reduce_max(tf.gather(target_lengths, indices))
        source = _rows(source_ids, indices)[:, :source_width]
        decoder_input = _rows(decoder_input_ids, indices)[:, :target_width]
        target = _rows(labels, indices)[:, :target_width]
        return (source, decoder_input), target

    # As tf.data's bucket_by_sequence_length: each bucket emits a batch
    # whenever it holds batch_size of the shuffled samples, and its
    # remainder at the end of the epoch.
    return indices.group_by_window(
        key_func=lambda index: tf.gather(bucket, index),
        reduce_func=lambda key, samples: samples.batch(batch_size),
        window_size=batch_size,
    ).map(gather_and_trim, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def length_buckets(target_lengths):
    """Each sample's bucket: one of ``N_LENGTH_BUCKETS`` equal target-length ranges.

    Parameters
    ----------
    target_lengths : ndarray of shape (n_samples,)
        Target lengths (counting the end symbol).

    Returns
    -------
    buckets : ndarray of shape (n_samples,)
        Bucket index of each sample, from 0 (shortest targets).

    Examples
    --------
    >>> length_buckets(np.array([1, 7, 8, 70])).tolist()
    [0, 0, 0, 6]
    """
    width = -(-int(target_lengths.max()) // N_LENGTH_BUCKETS)
    return (np.asarray(target_lengths) - 1) // width


def n_bucketed_batches(buckets, batch_size):
    """Batches per epoch when each bucket is batched on its own."""
    per_bucket = np.bincount(np.asarray(buckets))
    return int(np.sum(-(-per_bucket // batch_size)))


def batches_per_epoch(model, data, batch_size):
    """Training steps per epoch of :func:`fit_model` (the schedule's unit).

    Parameters
    ----------
    model : keras.Model
        The training model.
    data : ~sklearn_seq2seq._input.codec.TrainingData
        Encoded training samples.
    batch_size : int
        Samples per batch.

    Returns
    -------
    n_batches : int
        Batches per epoch: more than ``ceil(n_samples / batch_size)``
        when variable-length samples are batched per length bucket.
    """
    if _trims(model, data):
        lengths = data.target_lengths
        if lengths is None:
            lengths = np.full(len(data.labels), data.labels.shape[1])
        return n_bucketed_batches(length_buckets(lengths), batch_size)
    return -(-len(data.labels) // batch_size)


def _trims(model, data):
    """Whether batches are bucketed by length and cut to their longest sequence.

    Unrolled steps need one width for all batches; for sequences that
    short, cutting padding per batch saves less than unrolling does.
    """
    variable = data.source_lengths is not None or data.target_lengths is not None
    return variable and not is_unrolled(model)


@keras.saving.register_keras_serializable(package="sklearn_seq2seq")
class SequenceAccuracy(keras.metrics.Metric):
    """Fraction of sequences whose every teacher-forced argmax is right.

    A greedy decoder feeds back its own argmax; if every teacher-forced
    argmax equals the target token, the greedy decoder is fed exactly the
    target and so reproduces it, and conversely.  This in-graph metric is
    therefore the exact-sequence accuracy of greedy decoding (``score``),
    computed during training without a decode.  Positions labelled
    ``PAD_LABEL`` (padding) count as right.

    Parameters
    ----------
    name : str, default="sequence_accuracy"
        Metric name in the Keras logs.
    **kwargs
        Passed to :class:`keras.metrics.Metric`.
    """

    def __init__(self, name="sequence_accuracy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.correct = self.add_variable(shape=(), initializer="zeros", name="correct")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = keras.ops.cast(y_true, "int32")
        # tf.argmax, as the greedy decoder: keras.ops.argmax first rewrites
        # -0.0 in a copy of the logits, several (batch, time, classes)
        # temporaries that stay allocated through the backward pass.
        predicted = tf.argmax(y_pred, axis=-1, output_type=tf.int32)
        right = keras.ops.logical_or(predicted == y_true, y_true == PAD_LABEL)
        right = keras.ops.all(keras.ops.reshape(right, (keras.ops.shape(right)[0], -1)), axis=1)
        self.correct.assign_add(keras.ops.sum(keras.ops.cast(right, self.dtype)))
        self.count.assign_add(keras.ops.cast(keras.ops.shape(right)[0], self.dtype))

    def result(self):
        return keras.ops.divide_no_nan(self.correct, self.count)


def new_model(data, codec, *, recipe, seed=None, may_unroll=True, **options):
    """A compiled training model sized for the data and the fitted codec.

    Parameters
    ----------
    data : ~sklearn_seq2seq._input.codec.TrainingData
        Encoded training samples: their widths decide whether the model is
        unrolled (:func:`~.network.unrolls`), their lengths whether the
        sources are masked.
    codec : ~sklearn_seq2seq._input.codec.Codec
        The fitted layout: vocabulary sizes, classes, end symbol.
    recipe : dict
        Passed to :func:`~sklearn_seq2seq._training.recipe.compile_model`
        (``learning_rate``, ``global_clipnorm``, ``label_smoothing``,
        ``ema_momentum``, ``weight_decay``).
    seed : int or None, default=None
        Seed of the weight initialisers.
    may_unroll : bool, default=True
        Whether short sequences may unroll the model to their fixed width;
        False when the data are encoded anew each epoch (their widths
        change).
    **options
        Passed to :func:`~sklearn_seq2seq._network.model.build_training_model`
        (``n_units``, ``cell``, ``attention``, ``dropout``, ...).

    Returns
    -------
    model : keras.Model
        The compiled training model.
    """
    model = build_training_model(
        n_source_ids=codec.source_vocabulary.n_ids,
        n_target_ids=codec.target_vocabulary.n_ids,
        n_classes=len(codec.classes),
        seed=seed,
        max_length=max(data.source_ids.shape[1], data.labels.shape[1]) if may_unroll else None,
        mask_source=data.source_lengths is not None,
        mask_target=codec.ends_with_eos,
        **options,
    )
    return compile_model(model, [SequenceAccuracy()], **recipe)


def recompile(model, recipe):
    """Compile a trained model anew for a warm start, keeping Adam's state.

    A new recipe (clipping, label smoothing, averaging) needs a new
    compile, and Keras's ``compile`` makes a new optimizer: its moments
    and step count are copied from the old one, so training continues
    where it stopped.  The weight average restarts from the weights the
    model holds (the fitted average, when it averaged).

    Parameters
    ----------
    model : keras.Model
        A compiled, trained model.
    recipe : dict
        Passed to :func:`~sklearn_seq2seq._training.recipe.compile_model`.

    Returns
    -------
    model : keras.Model
        The same model, compiled with the new recipe.
    """
    previous = {v.name: v.numpy() for v in model.optimizer.variables}
    compile_model(model, [SequenceAccuracy()], **recipe)
    optimizer = model.optimizer
    for variable in optimizer.variables:
        if variable.name in previous:
            variable.assign(previous[variable.name])
    for average, weight in zip(
        getattr(optimizer, "_model_variables_moving_average", []), model.trainable_variables
    ):
        average.assign(weight)
    optimizer.learning_rate.assign(recipe["learning_rate"])
    return model


class GracefulInterrupt(keras.callbacks.Callback):
    """Ctrl-C stops training after the current batch instead of killing it.

    Used as a context manager around ``fit``: it installs a SIGINT handler
    (in the main thread only; other threads never receive signals) that
    records the interrupt, sets ``model.stop_training`` (Keras checks it
    after every batch) and puts the previous handler back, so a second
    Ctrl-C interrupts at once.  No per-batch hook is needed.

    Attributes
    ----------
    interrupted : bool
        Whether a SIGINT arrived.
    """

    def __init__(self):
        super().__init__()
        self.interrupted = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None and signal.getsignal(signal.SIGINT) == self._handle:
            signal.signal(signal.SIGINT, self._previous)
        return False

    def _handle(self, signum, frame):
        self.interrupted = True
        signal.signal(signal.SIGINT, self._previous or signal.default_int_handler)
        if self.model is not None:
            self.model.stop_training = True

    def on_train_begin(self, logs=None):
        if self.interrupted:  # before fit started (which resets the flag)
            self.model.stop_training = True


def fit_model(
    model,
    data,
    *,
    epochs,
    batch_size,
    seed,
    verbose,
    callbacks=(),
    validation=None,
    resample=None,
):
    """Fit a compiled training model; Ctrl-C stops it after the current batch.

    Parameters
    ----------
    model : keras.Model
        A compiled model from :func:`new_model` (possibly trained before:
        training continues from its weights and optimizer state).
    data : ~sklearn_seq2seq._input.codec.TrainingData
        Encoded training samples.
    epochs, batch_size : int
        Passes over the data and samples per step.
    seed : int
        Seeds the shuffling.
    verbose : int
        Keras's progress output mode.
    callbacks : sequence of keras.callbacks.Callback, default=()
        Passed to ``keras.Model.fit``.
    validation : TrainingData or None, default=None
        Held-out samples evaluated after every epoch (``val_*`` logs).
    resample : callable or None, default=None
        ``resample(seed)`` encodes the training samples anew for each
        epoch (see :func:`make_dataset`); the model must not be unrolled
        (see :func:`new_model`).

    Returns
    -------
    history : dict
        Keras's ``History.history`` of this call.
    interrupted : bool
        Whether Ctrl-C stopped training early.
    """
    trim = _trims(model, data)

    if resample is not None and not trim:
        raise ValueError(
            "Subword sampling needs a network that reads any length: this one was fitted "
            "without sampling on sequences short enough to be unrolled to a fixed length.  "
            "Fit it anew (warm_start=False) to sample."
        )

    def batches(samples, seed, draw=None):
        return make_dataset(
            *samples[:3],
            batch_size=batch_size,
            seed=seed,
            source_lengths=samples.source_lengths if trim else None,
            target_lengths=samples.target_lengths if trim else None,
            resample=draw,
        )

    validation_data = None if validation is None else batches(validation, seed + 1)
    with GracefulInterrupt() as interrupt:
        history = model.fit(
            batches(data, seed, resample),
            epochs=epochs,
            verbose=verbose,
            callbacks=[*callbacks, interrupt],
            validation_data=validation_data,
            shuffle=False,
        )
    return history.history, interrupt.interrupted
