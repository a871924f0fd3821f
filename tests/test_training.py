"""Length-aware batching of the training data."""

import numpy as np

from sklearn_seq2seq._training.fit import length_buckets, make_dataset


def test_variable_length_batches_come_from_length_buckets_and_are_trimmed():
    rng = np.random.RandomState(0)
    n_samples, width = 1000, 28
    lengths = rng.randint(1, width + 1, size=n_samples)
    ids = np.where(np.arange(width) < lengths[:, None], np.arange(n_samples)[:, None] + 1, 0)
    ids = ids.astype(np.int32)
    dataset = make_dataset(
        ids, ids, ids, batch_size=10, seed=0, source_lengths=lengths, target_lengths=lengths
    )
    buckets = length_buckets(lengths)  # 7 ranges of 4 lengths: 1-4, 5-8, ...
    assert buckets.max() == 6 and np.all(np.diff(buckets[np.argsort(lengths)]) >= 0)
    # Each bucket's remainder is a batch of its own.
    n_batches = sum(-(-np.sum(buckets == b) // 10) for b in range(7))
    assert int(dataset.cardinality()) == n_batches > 100
    seen, batch_sizes = [], []
    for (source, decoder_input), labels in dataset.as_numpy_iterator():
        rows = source[:, 0] - 1  # each row's id tells its sample
        assert len(set(buckets[rows])) == 1  # one bucket per batch
        assert source.shape[1] == lengths[rows].max()  # trimmed to the batch's longest
        assert decoder_input.shape == labels.shape == source.shape
        seen.extend(rows)
        batch_sizes.append(len(rows))
    assert len(batch_sizes) == n_batches
    assert sorted(seen) == list(range(n_samples))  # every sample once per epoch
    assert sum(size < 10 for size in batch_sizes) <= 7


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


def test_resampled_batches_read_a_new_encoding_each_epoch_in_fixed_buckets():
    from sklearn_seq2seq._input.codec import TrainingData

    n_samples, width = 200, 12
    lengths = np.random.RandomState(0).randint(1, width + 1, size=n_samples)
    ids = np.where(np.arange(width) < lengths[:, None], np.arange(n_samples)[:, None] + 1, 0)
    seeds = []

    def resample(seed):  # every sample one token longer: another segmentation
        seeds.append(seed)
        longer = np.pad(ids, ((0, 0), (0, 1)))
        longer[np.arange(n_samples), lengths] = np.arange(n_samples) + 1
        longer = longer.astype(np.int16)
        return TrainingData(longer, longer, longer, lengths + 1, lengths + 1)

    def resampled_dataset():
        return make_dataset(
            *(ids.astype(np.int32),) * 3,
            batch_size=10,
            seed=0,
            source_lengths=lengths,
            target_lengths=lengths,
            resample=resample,
        )

    dataset = resampled_dataset()
    buckets = length_buckets(lengths)  # of the given encoding, every epoch
    epochs = [list(dataset.as_numpy_iterator()) for _ in range(2)]
    assert len(seeds) == 2 and seeds[0] != seeds[1]  # one draw per epoch
    for batches in epochs:
        assert len(batches) == int(dataset.cardinality())
        rows = [source[:, 0] - 1 for (source, _), _ in batches]
        assert all(len(set(buckets[r])) == 1 for r in rows)
        # Trimmed to the drawn lengths, every sample once, ids as int32.
        for ((source, _), labels), r in zip(batches, rows):
            assert source.shape[1] == lengths[r].max() + 1 and labels.dtype == np.int32
        assert sorted(np.concatenate(rows)) == list(range(n_samples))
    list(resampled_dataset().as_numpy_iterator())
    assert seeds[2] == seeds[0]  # the same draws for the same seed
