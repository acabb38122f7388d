"""Datasets and batch iterators that slice whole batches at once.

torch's default ``DataLoader`` fetches one sequence at a time and collates them;
for small recurrent layers that Python overhead is a visible share of an epoch.
These iterators index the padded tensors with one fancy-indexing call per batch
and trim each batch to its longest sequence.
"""

import numpy as np
import torch


class SequenceDataset(torch.utils.data.Dataset):
    """Padded sequences, their lengths and optional targets and weights.

    Every item of a batch is a pair ``(X, y)`` of dicts: ``X`` holds ``values``
    and ``lengths`` (the module's ``forward`` arguments), ``y`` holds ``target``,
    ``weight`` and ``lengths`` (the criterion's arguments).
    """

    def __init__(self, values, lengths, target=None, weight=None):
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
        values = self.values[indices, :max_length]
        X = {"values": values, "lengths": lengths}
        if self.target is None:
            return X, None
        target = self.target[indices]
        if target.ndim >= 2 and target.shape[1] == self.values.shape[1]:
            target = target[:, :max_length]
        y = {"target": target, "lengths": lengths}
        if self.weight is not None:
            y["weight"] = self.weight[indices]
        return X, y


class BatchIterator:
    """Iterate over a :class:`SequenceDataset` in batches.

    Parameters
    ----------
    dataset : SequenceDataset
    batch_size : int
    shuffle : bool, default=False
        Draw a new permutation for every pass.
    random_state : numpy.random.RandomState, default=None
        Source of the permutations; shared between passes so that successive
        epochs differ while a fixed seed repeats the whole run.
    """

    def __init__(self, dataset, batch_size, shuffle=False, random_state=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def _order(self):
        n = len(self.dataset)
        if not self.shuffle:
            return torch.arange(n)
        rng = self.random_state or np.random.mtrand._rand
        return torch.from_numpy(rng.permutation(n))

    def __iter__(self):
        order = self._order()
        for start in range(0, len(order), self.batch_size):
            yield self.dataset.batch(order[start : start + self.batch_size])
