"""Datasets and batch iterators that slice whole batches at once.

torch's default ``DataLoader`` fetches one sequence at a time and collates them;
for small recurrent layers that Python overhead is a visible share of an epoch.
These iterators index the padded tensors with one fancy-indexing call per batch
and trim each batch to its longest sequence.
"""

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from ._compat import global_random_state
from ._data import TokenSequences


class SequenceDataset(torch.utils.data.Dataset):
    """Padded sequences, their lengths and optional targets and weights.

    Every item of a batch is a pair ``(X, y)`` of dicts: ``X`` holds ``values``
    and ``lengths`` (the module's ``forward`` arguments), ``y`` holds ``target``,
    ``weight`` and ``lengths`` (the criterion's arguments).
    """

    def __init__(self, values, lengths, target=None, weight=None, per_step=False):
        self.per_step = per_step
        if isinstance(values, np.ndarray) and not values.flags.writeable:
            values = values.copy()  # torch tensors need writable memory
        self.values = torch.as_tensor(values)
        self.lengths = torch.as_tensor(lengths, dtype=torch.int64)
        self.target = None if target is None else torch.as_tensor(target)
        self.weight = None if weight is None else torch.as_tensor(weight)

    def __len__(self):
        return len(self.lengths)

    def __getitem__(self, index):
        return self.batch(torch.as_tensor([index]))

    def batch(self, indices):
        lengths = self.lengths[indices]
        max_length = int(lengths.max())
        X = {"values": self.values[indices, :max_length], "lengths": lengths}
        return X, self._targets(indices, lengths, max_length)

    def _targets(self, indices, lengths, max_length):
        if self.target is None:
            return None
        target = self.target[indices]
        if self.per_step:
            target = target[:, :max_length]
        y = {"target": target, "lengths": lengths}
        if self.weight is not None:
            weight = self.weight[indices]
            y["weight"] = weight[:, :max_length] if weight.ndim == 2 else weight
        return y


class TokenDataset(SequenceDataset):
    """Token sequences (:class:`~skrnn._data.TokenSequences`) for the tagger.

    Each batch carries the characters of its distinct words only, so the
    character encoder runs once per word type of the batch.
    """

    def __init__(self, tokens, target=None, weight=None, per_step=True):
        self.per_step = per_step
        self.ids = torch.as_tensor(tokens.ids)
        self.word_types = torch.as_tensor(tokens.word_types)
        self.type_chars = torch.as_tensor(tokens.type_chars)
        self.lengths = torch.as_tensor(tokens.lengths, dtype=torch.int64)
        self.target = None if target is None else torch.as_tensor(target)
        self.weight = None if weight is None else torch.as_tensor(weight)

    def batch(self, indices):
        lengths = self.lengths[indices]
        max_length = int(lengths.max())
        types, local = torch.unique(
            self.word_types[indices, :max_length], return_inverse=True
        )
        chars = self.type_chars[types]
        width = max(int((chars != 0).sum(dim=1).max()), 1)
        # skorch requires every entry of a batch to have the batch's length, so
        # the (n_types, width) table travels as (batch, rows, width), padded with
        # empty words; the module flattens it back.
        n_rows = -(-len(types) // len(lengths))
        table = chars.new_zeros((len(lengths) * n_rows, width))
        table[: len(types)] = chars[:, :width]
        X = {
            "lengths": lengths,
            "ids": self.ids[indices, :max_length],
            "word_types": local,
            "chars": table.view(len(lengths), n_rows, width),
        }
        return X, self._targets(indices, lengths, max_length)


class TranslationDataset(torch.utils.data.Dataset):
    """Source sequences and target sequences of their own lengths.

    ``target`` holds output ids ``(n_sequences, max_target_length)``, each
    row ending in its end-of-sequence id and padded with 0. A batch is cut to
    its longest source and its longest target; the decoder reads the target
    (teacher forcing), so ``X`` carries it too, and ``y``'s ``lengths`` are
    the target lengths, over which the loss is averaged. Batches are bucketed
    by source length (``lengths``).
    """

    def __init__(self, source, target, weight=None):
        self.source = source
        self.lengths = source.lengths
        self.target = torch.as_tensor(target)
        self.target_lengths = (self.target != 0).sum(dim=1)
        self.weight = None if weight is None else torch.as_tensor(weight)

    def __len__(self):
        return len(self.lengths)

    def __getitem__(self, index):
        return self.batch(torch.as_tensor([index]))

    def batch(self, indices):
        X, _ = self.source.batch(indices)
        lengths = self.target_lengths[indices]
        target = self.target[indices, : int(lengths.max())]
        X["target"] = target
        y = {"target": target, "lengths": lengths}
        if self.weight is not None:
            y["weight"] = self.weight[indices]
        return X, y


def make_translation_dataset(parsed, target=None, weight=None, *, per_step=False):
    """A :class:`TranslationDataset` (source alone when ``target`` is None)."""
    source = make_dataset(parsed)
    if target is None:
        return source
    return TranslationDataset(source, target, weight)


def make_dataset(parsed, target=None, weight=None, *, per_step=False):
    """The dataset class that fits the parsed input."""
    if isinstance(parsed, TokenSequences):
        return TokenDataset(parsed, target, weight, per_step)
    return SequenceDataset(parsed.values, parsed.lengths, target, weight, per_step)


def train_valid_datasets(
    parsed,
    targets,
    weight,
    *,
    per_step,
    validation_fraction,
    stratify,
    random_state,
    build=make_dataset,
):
    """Training and validation datasets for ``early_stopping``, each made by
    ``build`` (:func:`make_dataset`'s signature).

    ``stratify`` splits by the class codes in ``targets`` (one per sequence),
    unless a class has a single member.
    """
    indices = np.arange(len(parsed))
    classes = targets if stratify else None
    if classes is not None and np.bincount(classes).min() < 2:
        classes = None  # a class with one member cannot be stratified
    try:
        train_idx, valid_idx = train_test_split(
            indices,
            test_size=validation_fraction,
            random_state=random_state,
            stratify=classes,
        )
    except ValueError as exc:
        raise ValueError(
            f"early_stopping=True could not set aside a validation set of "
            f"validation_fraction={validation_fraction} from "
            f"{len(indices)} sequences: {exc} Use more data, a larger "
            "validation_fraction, or early_stopping=False."
        ) from exc

    def subset(idx):
        return build(
            parsed.subset(idx),
            targets[idx],
            None if weight is None else weight[idx],
            per_step=per_step,
        )

    return subset(train_idx), subset(valid_idx)


class BatchIterator:
    """Iterate over a :class:`SequenceDataset` in batches.

    When shuffling sequences of different lengths, batches are drawn from
    length buckets: a random permutation is cut into chunks of
    ``bucket_batches`` batches, each chunk is sorted by jittered length and
    cut into batches, and the order of all batches is shuffled. Batches then hold
    sequences of similar lengths, so the work per epoch follows the total
    length of the data rather than the number of sequences times the longest,
    while every epoch still sees a different random grouping.

    Parameters
    ----------
    dataset : SequenceDataset
    batch_size : int
    shuffle : bool, default=False
        Draw a new permutation for every pass.
    random_state : numpy.random.RandomState, default=None
        Source of the permutations; shared between passes so that successive
        epochs differ while a fixed seed repeats the whole run.
    bucket_batches : int, default=50
        Number of batches per length bucket; 1 disables bucketing.
    length_noise : float, default=0.05
        Buckets are sorted by ``length * exp(u * length_noise)`` with ``u``
        uniform in [-1, 1], drawn anew every epoch, so that a sequence does not
        meet the same neighbours in every epoch (which cost accuracy when the
        whole data set fitted in one bucket); padding stays under about 10 %.
    """

    def __init__(
        self,
        dataset,
        batch_size,
        shuffle=False,
        random_state=None,
        bucket_batches=50,
        length_noise=0.05,
    ):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self.bucket_batches = bucket_batches
        self.length_noise = length_noise

    def __len__(self):
        if not self.shuffle:
            return -(-len(self.dataset) // self.batch_size)
        return len(self._batches(np.random.RandomState(0)))

    def _batches(self, rng):
        n = len(self.dataset)
        size = self.batch_size
        order = rng.permutation(n)
        lengths = self.dataset.lengths.numpy()
        if self.bucket_batches <= 1 or lengths.min() == lengths.max():
            return [order[i : i + size] for i in range(0, n, size)]
        batches = []
        chunk = size * self.bucket_batches
        for start in range(0, n, chunk):
            bucket = order[start : start + chunk]
            # Sorting by exact length would put the same sequences together
            # every epoch; jittered lengths mix batches while keeping padding
            # near length_noise.
            jitter = np.exp(rng.uniform(-1, 1, size=len(bucket)) * self.length_noise)
            bucket = bucket[np.argsort(lengths[bucket] * jitter, kind="stable")]
            batches += [bucket[i : i + size] for i in range(0, len(bucket), size)]
        return [batches[i] for i in rng.permutation(len(batches))]

    def __iter__(self):
        if not self.shuffle:
            # In order: slices index without copying (views of the tensors).
            for start in range(0, len(self.dataset), self.batch_size):
                yield self.dataset.batch(slice(start, start + self.batch_size))
            return
        rng = self.random_state or global_random_state()
        for indices in self._batches(rng):
            yield self.dataset.batch(torch.from_numpy(indices))
