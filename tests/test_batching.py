"""Length-bucketed batches: every sequence once per epoch, similar lengths."""

import numpy as np
import pytest
from skorch.callbacks import Callback

from skrnn import RNNClassifier
from skrnn._batching import BatchIterator, SequenceDataset


def dataset(rng, n=1000):
    lengths = rng.randint(10, 201, size=n)
    values = np.zeros((n, 200, 1), dtype=np.float32)
    return SequenceDataset(values, lengths, np.arange(n))


def epoch(iterator):
    return [y["target"].numpy() for _, y in iterator]


def test_each_sequence_once_per_epoch_and_epochs_differ(rng):
    data = dataset(rng)
    iterator = BatchIterator(data, 32, shuffle=True, random_state=rng)
    first, second = epoch(iterator), epoch(iterator)
    for batches in (first, second):
        np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(1000))
    assert len(first) == len(iterator)
    assert not all(np.array_equal(a, b) for a, b in zip(first, second, strict=False))


def test_buckets_cut_padding(rng):
    data = dataset(rng)
    lengths = data.lengths.numpy()

    def padded_steps(bucket_batches):
        iterator = BatchIterator(
            data,
            32,
            shuffle=True,
            random_state=np.random.RandomState(0),
            bucket_batches=bucket_batches,
        )
        return sum(len(t) * lengths[t].max() for t in epoch(iterator))

    # Random batches pad to about the longest sequence; buckets stay close to
    # the total length of the data.
    assert padded_steps(50) < 1.1 * lengths.sum()
    assert padded_steps(1) > 1.5 * lengths.sum()


def test_prediction_order_is_kept(rng):
    data = dataset(rng, n=100)
    targets = np.concatenate(epoch(BatchIterator(data, 7)))
    np.testing.assert_array_equal(targets, np.arange(100))


def test_bucketed_batches_mix_between_epochs(rng):
    # Sorting a bucket by exact length would rebuild nearly the same batches
    # every epoch; jittered lengths must give each sequence new neighbours.
    data = dataset(rng, n=640)  # fits in one bucket of 50 batches of 32
    iterator = BatchIterator(data, 32, shuffle=True, random_state=rng)

    def batch_of(batches):
        return {int(i): k for k, batch in enumerate(batches) for i in batch}

    first = batch_of(epoch(iterator))
    sources = [len({first[int(i)] for i in batch}) for batch in epoch(iterator)]
    assert np.mean(sources) > 2.9
    exact = BatchIterator(data, 32, shuffle=True, random_state=rng, length_noise=0.0)
    first = batch_of(epoch(exact))
    sources = [len({first[int(i)] for i in batch}) for batch in epoch(exact)]
    assert np.mean(sources) < 2.6


class _BatchLengths(Callback):
    def initialize(self):
        self.spreads = []
        return self

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        lengths = batch[0]["lengths"]
        if training:
            self.spreads.append(int(lengths.max() - lengths.min()))


@pytest.mark.parametrize("length_buckets", [True, False])
def test_length_buckets_parameter(length_buckets, rng):
    X = [rng.randn(n, 1) for n in rng.randint(1, 101, size=256)]
    y = rng.randint(0, 2, 256)
    seen = _BatchLengths()
    RNNClassifier(
        hidden_size=4,
        max_epochs=1,
        batch_size=16,
        random_state=0,
        length_buckets=length_buckets,
        callbacks=[seen],
    ).fit(X, y)
    assert len(seen.spreads) == 16
    if length_buckets:
        assert np.median(seen.spreads) < 15
    else:
        assert np.median(seen.spreads) > 60
