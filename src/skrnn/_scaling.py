"""The estimators' own input standardisation (``standardize=True``).

Training reads one standardised copy of the sequences per fit (cheaper than
scaling every batch); prediction never copies ``X``: the network folds the
standardisation into its first layer (``SequenceNetwork.set_input_scaling``).
"""

import numpy as np

from ._data import Sequences
from ._stats import real_steps, step_moments, step_weights


def input_moments(sequences, weight, *, standardize):
    """Per-feature ``(mean, scale)`` of numeric ``sequences`` over their real
    steps, weighted by ``weight`` (one per sequence or per step); zeros and ones
    when ``standardize`` is false."""
    values, lengths = sequences.values, sequences.lengths
    n_features = values.shape[2]
    if not standardize:
        return np.zeros(n_features), np.ones(n_features)
    return step_moments(values, step_weights(lengths, values.shape[1], weight))


def standardized(sequences, mean, scale):
    """A standardised copy of numeric ``sequences`` (zero on padding)."""
    values, lengths = sequences.values, sequences.lengths
    scaled = values - mean.astype(values.dtype)
    scaled /= scale.astype(values.dtype)
    if lengths.min() < values.shape[1]:
        scaled[~real_steps(lengths, values.shape[1])] = 0.0
    return Sequences(scaled, lengths, sequences.layout)
