"""Weighted per-feature statistics over the real steps of padded sequences.

The estimators' internal standardisation and
:class:`skrnn.preprocessing.SequenceScaler` both use these, so that they agree on
what a step weighs, what a feature's mean and spread are, and which features are
constant. Padding steps weigh zero: they never reach a statistic.
"""

import numpy as np


def real_steps(lengths, n_steps):
    """Boolean mask ``(n_sequences, n_steps)``, true on real steps, false on
    padding."""
    return np.arange(n_steps)[None, :] < lengths[:, None]


def step_weights(lengths, n_steps, weight=None):
    """Weight of every step, zero on padding: ``(n_sequences, n_steps)``.

    ``weight`` holds one weight per sequence or one per step.
    """
    weights = real_steps(lengths, n_steps).astype(np.float64)
    if weight is not None:
        weights *= weight[:, None] if weight.ndim == 1 else weight[:, :n_steps]
    return weights


def step_mean_var(values, step_weights, chunk=512):
    """Weighted mean and (population) variance of each feature over all steps.

    ``values`` is ``(n, T, F)`` and ``step_weights`` ``(n, T)``. Two float64
    passes over blocks of ``chunk`` sequences, each a matrix-vector product:
    no boolean-indexed or full-size float64 copy of ``values``.
    """
    n_features = values.shape[2]
    blocks = [
        (
            step_weights[i : i + chunk].reshape(-1),
            values[i : i + chunk].reshape(-1, n_features),
        )
        for i in range(0, len(values), chunk)
    ]
    total = step_weights.sum()
    mean = sum(w @ v.astype(np.float64) for w, v in blocks) / total
    var = np.zeros(n_features)
    for w, v in blocks:
        centred = v.astype(np.float64)
        centred -= mean
        np.square(centred, out=centred)
        var += w @ centred
    return mean, var / total


def scale_from_var(var, mean, n_samples):
    """Standard deviation of each feature, 1 for constant features.

    A constant feature's variance comes out of floating point as a tiny positive
    number when its mean is large (2e-22 for 123456.789), which an absolute
    threshold mistakes for a real spread. This is StandardScaler's bound on that
    rounding error, relative to the mean and the number of samples.
    """
    eps = np.finfo(np.float64).eps
    constant = var <= n_samples * eps * var + (n_samples * mean * eps) ** 2
    scale = np.sqrt(var)
    scale[constant] = 1.0
    return scale


def step_moments(values, step_weights):
    """Weighted mean and standard deviation (1 if constant) of each feature."""
    mean, var = step_mean_var(values, step_weights)
    return mean, scale_from_var(var, mean, step_weights.sum())
