"""Length-aware batching of the training data."""

import numpy as np

from sklearn_seq2seq.training import make_dataset


def test_variable_length_batches_are_sorted_within_windows_and_trimmed():
    rng = np.random.RandomState(0)
    n_samples, width = 1000, 30
    lengths = rng.randint(1, width + 1, size=n_samples)
    ids = np.where(np.arange(width) < lengths[:, None], np.arange(n_samples)[:, None] + 1, 0)
    ids = ids.astype(np.int32)
    dataset = make_dataset(
        ids, ids, ids, batch_size=10, seed=0, source_lengths=lengths, target_lengths=lengths
    )
    assert int(dataset.cardinality()) == 100
    seen, padding = [], 0
    for (source, decoder_input), labels in dataset.as_numpy_iterator():
        rows = source[:, 0] - 1  # each row's id tells its sample
        assert source.shape[1] == lengths[rows].max()  # trimmed to the batch's longest
        assert decoder_input.shape == labels.shape == source.shape
        seen.extend(rows)
        padding += (source == 0).sum()
    assert sorted(seen) == list(range(n_samples))  # every sample once per epoch
    # Sorting within windows removes most padding: random batches would pad
    # about a third of a 1..30-uniform batch; these pad far less.
    assert padding < 0.1 * lengths.sum()


def test_fixed_length_batches_are_plain_shuffled_batches():
    ids = np.arange(20, dtype=np.int32).reshape(10, 2)
    batches = list(make_dataset(ids, ids, ids, batch_size=4, seed=0).as_numpy_iterator())
    assert [b[1].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert sorted(np.concatenate([b[1][:, 0] for b in batches])) == list(range(0, 20, 2))


def test_each_epoch_is_a_fresh_permutation_and_the_step_count_is_known():
    ids = np.arange(1000, dtype=np.int32).reshape(500, 2)
    dataset = make_dataset(ids, ids, ids, batch_size=64, seed=3)
    # Keras reads the steps per epoch from the cardinality.
    assert int(dataset.cardinality()) == 8

    def order(dataset):
        return np.concatenate([b[1][:, 0] for b in dataset.as_numpy_iterator()])

    epochs = [order(dataset), order(dataset)]
    for epoch in epochs:
        assert sorted(epoch) == list(range(0, 1000, 2))
    assert not np.array_equal(*epochs)
    same_seed = make_dataset(ids, ids, ids, batch_size=64, seed=3)
    np.testing.assert_array_equal(order(same_seed), epochs[0])


def test_batches_widen_compact_ids_to_int32():
    ids = np.array([[1, 2], [3, -1]], dtype=np.int8)
    ((source, decoder_input), labels), *_ = make_dataset(ids, ids, ids, batch_size=2, seed=0)
    assert source.dtype == decoder_input.dtype == labels.dtype == "int32"
    assert sorted(labels.numpy().ravel().tolist()) == [-1, 1, 2, 3]
