"""Training: the teacher-forcing model fitted on integer ids with Keras.

Data reach the graph as integer ids only.  A ``tf.data`` pipeline shuffles
sample indices with the given seed (deterministic, no global seeding) and
gathers each batch, so nothing the size of the data set is ever one-hot
encoded or copied per epoch.
"""

import keras
import numpy as np
import tensorflow as tf

from .network import build_training_model, unrolls

# Bucketing sorts sequences by length within windows of this many batches.
BUCKET_WINDOW_BATCHES = 16


def make_dataset(
    source_ids,
    decoder_input_ids,
    labels,
    *,
    batch_size,
    seed,
    source_lengths=None,
    target_lengths=None,
):
    """Shuffled, batched ``((source, decoder input), labels)`` batches.

    For variable-length data (lengths given) batching is length-aware:
    the shuffled samples are sorted by length within windows of
    ``BUCKET_WINDOW_BATCHES`` batches, the batches of a window are
    shuffled, and each batch is cut to its own longest sequence, so short
    sequences do not pay for the padding of the longest one.

    Parameters
    ----------
    source_ids, decoder_input_ids, labels : ndarray of shape (n_samples, length)
        Integer arrays, one right-padded row per sample.
    batch_size : int
        Samples per batch.
    seed : int
        Shuffling seed; the order differs between epochs but is the same
        for the same seed.
    source_lengths, target_lengths : ndarray of shape (n_samples,) or None
        Lengths of variable-length sources and targets (targets counting
        their end symbol); None for fixed lengths.

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
    arrays = tuple(tf.constant(a) for a in (source_ids, decoder_input_ids, labels))
    n_samples = len(source_ids)
    dataset = tf.data.Dataset.range(n_samples).shuffle(
        n_samples, seed=seed, reshuffle_each_iteration=True
    )
    variable = source_lengths is not None or target_lengths is not None
    if not variable:

        def gather(indices):
            source, decoder_input, target = (tf.gather(a, indices) for a in arrays)
            return (source, decoder_input), target

        return (
            dataset.batch(batch_size)
            .map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
            .prefetch(tf.data.AUTOTUNE)
        )

    def full(length):
        return np.full(n_samples, length, dtype=np.int64)

    source_lengths = tf.constant(
        full(source_ids.shape[1]) if source_lengths is None else source_lengths, tf.int64
    )
    target_lengths = tf.constant(
        full(labels.shape[1]) if target_lengths is None else target_lengths, tf.int64
    )
    sort_key = source_lengths * (labels.shape[1] + 1) + target_lengths

    def sort_window(indices):
        order = tf.argsort(tf.gather(sort_key, indices), stable=True)
        return tf.gather(indices, order)

    def gather_and_trim(indices):
        source_width = tf.reduce_max(tf.gather(source_lengths, indices))
        target_width = tf.reduce_max(tf.gather(target_lengths, indices))
        source = tf.gather(arrays[0], indices)[:, :source_width]
        decoder_input = tf.gather(arrays[1], indices)[:, :target_width]
        target = tf.gather(arrays[2], indices)[:, :target_width]
        return (source, decoder_input), target

    n_batches = -(-n_samples // batch_size)  # windows hold whole batches
    return (
        dataset.batch(batch_size * BUCKET_WINDOW_BATCHES)
        .map(sort_window)
        .unbatch()
        .batch(batch_size)
        .shuffle(BUCKET_WINDOW_BATCHES, seed=seed, reshuffle_each_iteration=True)
        .map(gather_and_trim, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        .apply(tf.data.experimental.assert_cardinality(n_batches))
        .prefetch(tf.data.AUTOTUNE)
    )


def compile_model(model, learning_rate):
    """Compile with Adam and sparse categorical cross-entropy on logits.

    No Keras metrics are attached: each one adds graph-building and
    per-epoch work (about 1 s per 10 short epochs on small data), and the
    loss is what ``history_`` needs.

    Parameters
    ----------
    model : keras.Model
        The training model.
    learning_rate : float
        Adam's learning rate.

    Returns
    -------
    model : keras.Model
        The same model, compiled.
    """
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def train(
    source_ids,
    decoder_input_ids,
    labels,
    *,
    n_source_ids,
    n_target_ids,
    n_classes,
    n_units,
    epochs,
    batch_size,
    learning_rate,
    seed,
    verbose,
    callbacks=None,
    source_lengths=None,
    target_lengths=None,
    mask_source=False,
    mask_target=False,
):
    """Build, compile and fit the training model.

    Parameters
    ----------
    source_ids : ndarray of shape (n_samples, source length), int32
        Encoded sources.
    decoder_input_ids : ndarray of shape (n_samples, target length), int32
        Teacher-forcing decoder inputs (start symbol, then target[:-1]).
    labels : ndarray of shape (n_samples, target length), int
        Output class per target position.
    n_source_ids, n_target_ids, n_classes, n_units : int
        Model sizes, see :func:`~sklearn_seq2seq.network.build_training_model`.
    epochs, batch_size : int
        Passes over the data and samples per step.
    learning_rate : float
        Adam's learning rate.
    seed : int
        Seeds the initialisers and the shuffling.
    verbose : int
        Keras's progress output mode.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Passed to ``keras.Model.fit``.
    source_lengths, target_lengths : ndarray of shape (n_samples,) or None
        Lengths of variable-length data, for length-aware batching (see
        :func:`make_dataset`); None for fixed lengths.
    mask_source, mask_target : bool, default=False
        Mask padding in the sources / targets (see
        :func:`~sklearn_seq2seq.network.build_training_model`).

    Returns
    -------
    model : keras.Model
        The trained model.
    history : dict
        Keras's ``History.history``.
    """
    max_length = max(source_ids.shape[1], labels.shape[1])
    if unrolls(max_length):
        # Unrolled steps need one width for all batches; for sequences this
        # short, cutting padding per batch saves less than unrolling does.
        source_lengths = target_lengths = None
    model = build_training_model(
        n_source_ids=n_source_ids,
        n_target_ids=n_target_ids,
        n_classes=n_classes,
        n_units=n_units,
        seed=seed,
        max_length=max_length,
        mask_source=mask_source,
        mask_target=mask_target,
    )
    compile_model(model, learning_rate)
    dataset = make_dataset(
        source_ids,
        decoder_input_ids,
        labels,
        batch_size=batch_size,
        seed=seed,
        source_lengths=source_lengths,
        target_lengths=target_lengths,
    )
    history = model.fit(dataset, epochs=epochs, verbose=verbose, callbacks=callbacks, shuffle=False)
    return model, history.history
