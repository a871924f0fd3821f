"""Training: the teacher-forcing model fitted on integer ids with Keras.

Data reach the graph as integer ids only.  A ``tf.data`` pipeline shuffles
sample indices with the given seed (deterministic, no global seeding) and
gathers each batch, so nothing the size of the data set is ever one-hot
encoded or copied per epoch.
"""

import keras
import tensorflow as tf

from .network import build_training_model


def make_dataset(source_ids, decoder_input_ids, labels, *, batch_size, seed):
    """Shuffled, batched ``((source, decoder input), labels)`` batches.

    Parameters
    ----------
    source_ids, decoder_input_ids, labels : ndarray of shape (n_samples, length)
        Integer arrays, one row per sample.
    batch_size : int
        Samples per batch.
    seed : int
        Shuffling seed; the order differs between epochs but is the same
        for the same seed.

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

    def gather(indices):
        source, decoder_input, target = (tf.gather(a, indices) for a in arrays)
        return (source, decoder_input), target

    return (
        tf.data.Dataset.range(len(source_ids))
        .shuffle(len(source_ids), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
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

    Returns
    -------
    model : keras.Model
        The trained model.
    history : dict
        Keras's ``History.history``.
    """
    model = build_training_model(
        n_source_ids=n_source_ids,
        n_target_ids=n_target_ids,
        n_classes=n_classes,
        n_units=n_units,
        seed=seed,
        max_length=max(source_ids.shape[1], labels.shape[1]),
    )
    compile_model(model, learning_rate)
    dataset = make_dataset(source_ids, decoder_input_ids, labels, batch_size=batch_size, seed=seed)
    history = model.fit(dataset, epochs=epochs, verbose=verbose, callbacks=callbacks, shuffle=False)
    return model, history.history
