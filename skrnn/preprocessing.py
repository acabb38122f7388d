"""Preprocessing for sequences: padding-aware scaling.

:class:`SequenceScaler` standardises each step feature over the real steps of
sequences given in any form the estimators accept.
"""

import numpy as np
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from ._data import check_sequences
from ._stats import scale_from_var, step_mean_var, step_weights

__all__ = ["SequenceScaler"]


class SequenceScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardise each step feature of sequences, ignoring padding.

    The mean and standard deviation of every feature are taken over the real
    steps of all sequences, each step counting once: padding never enters them.
    ``transform`` subtracts the mean and divides by the standard deviation, and
    returns the sequences in the form they were given.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract each feature's mean.

    with_std : bool, default=True
        Divide each feature by its standard deviation (1 for a constant
        feature, as in :class:`~sklearn.preprocessing.StandardScaler`).

    copy : bool, default=True
        If False, scale a NumPy array in place when it already has the fitted
        dtype and no padding; other input (lists, padded arrays) is always
        copied.

    Attributes
    ----------
    mean_ : ndarray of shape (n_step_features_,)
        Mean of each step feature over the real steps seen in fit.

    var_ : ndarray of shape (n_step_features_,)
        Variance of each step feature over the real steps seen in fit.

    scale_ : ndarray of shape (n_step_features_,) or None
        Standard deviation of each step feature, 1 where it is constant;
        ``None`` when ``with_std=False``.

    n_samples_seen_ : int or float
        Number of real steps seen, or the sum of their weights when
        ``sample_weight`` was given.

    n_features_in_ : int
        Number of columns of a 2-D ``X`` (its number of steps), else the number
        of features per step.

    n_step_features_ : int
        Number of features per step (1 for 2-D ``X``).

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : The same for a table of samples.

    Notes
    -----
    ``X`` may be a 3-D array ``(n_sequences, n_steps, n_features)``, a 2-D array
    or DataFrame ``(n_sequences, n_steps)`` of univariate sequences, a list of
    arrays ``(n_steps_i, n_features)`` or ``(n_steps_i,)`` of different lengths,
    or an array padded with trailing all-NaN steps. Each row of a 2-D ``X`` is a
    sequence of one feature, so a 2-D ``X`` is scaled by one mean and one
    standard deviation over all its values, not column by column as
    :class:`~sklearn.preprocessing.StandardScaler` would.

    ``transform`` and ``inverse_transform`` return ``X``'s form: an array of the
    same shape with NaN on its padding steps, or a list of arrays of the same
    shapes as the given ones. A list of rows of one length is a table, as
    everywhere in skrnn and scikit-learn, and gives a 2-D array. The output is
    float32 when the scaler was fitted on float32 data, else float64.

    The recurrent estimators already standardise their inputs themselves
    (``standardize=True``); this scaler is for other models, for per-step
    targets (``inverse_transform`` turns predictions back into their units),
    or for looking at the scaled data.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import SequenceScaler
    >>> X = [np.array([[1.0], [2.0], [3.0]]), np.array([[5.0]])]
    >>> scaler = SequenceScaler().fit(X)
    >>> scaler.mean_, scaler.scale_
    (array([2.75]), array([1.47901995]))
    >>> [seq.shape for seq in scaler.transform(X)]
    [(3, 1), (1, 1)]

    The same sequences as one array padded with NaN give the same statistics,
    and the padding stays NaN:

    >>> X_padded = np.array([[[1.0], [2.0], [3.0]], [[5.0], [np.nan], [np.nan]]])
    >>> scaler.fit_transform(X_padded)[:, :, 0].round(2)
    array([[-1.18, -0.51,  0.17],
           [ 1.52,   nan,   nan]])
    >>> scaler.mean_
    array([2.75])
    """

    _parameter_constraints = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
        "copy": ["boolean"],
    }

    def __init__(self, *, with_mean=True, with_std=True, copy=True):
        self.with_mean = with_mean
        self.with_std = with_std
        self.copy = copy

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Compute the mean and standard deviation of each step feature.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        y : None
            Ignored.

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence, given to each of its steps.

        Returns
        -------
        self : SequenceScaler
            The fitted scaler.
        """
        return self._update(X, sample_weight, reset=True)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Update the mean and standard deviation with more sequences.

        The result equals one ``fit`` on all the sequences seen so far, which
        need not fit in memory together.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        y : None
            Ignored.

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence, given to each of its steps.

        Returns
        -------
        self : SequenceScaler
            The updated scaler.
        """
        return self._update(X, sample_weight, reset=not hasattr(self, "mean_"))

    def _update(self, X, sample_weight, *, reset):
        sequences = check_sequences(self, X, reset=reset)
        lengths = sequences.lengths
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, lengths, ensure_non_negative=True
            )
        weights = step_weights(lengths, sequences.values.shape[1], sample_weight)
        # A count of steps is an int, as StandardScaler's n_samples_seen_.
        count = int(lengths.sum()) if sample_weight is None else float(weights.sum())
        mean, var = step_mean_var(sequences.values, weights)
        if not reset:
            mean, var, count = _merge_moments(
                (self.mean_, self.var_, self.n_samples_seen_), (mean, var, count)
            )
        self.mean_, self.var_, self.n_samples_seen_ = mean, var, count
        self.scale_ = scale_from_var(var, mean, count) if self.with_std else None
        return self

    def transform(self, X):
        """Standardise sequences.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        Returns
        -------
        X_scaled : ndarray or list of ndarray
            The scaled sequences in the form of ``X``; padding stays NaN.
        """
        return self._rescale(X, inverse=False)

    def inverse_transform(self, X):
        """Undo the standardisation.

        Parameters
        ----------
        X : array-like or list of array-like
            Scaled sequences; see the class Notes for the accepted forms.

        Returns
        -------
        X_original : ndarray or list of ndarray
            The sequences in their original units, in the form of ``X``;
            padding stays NaN.
        """
        return self._rescale(X, inverse=True)

    def _rescale(self, X, *, inverse):
        check_is_fitted(self)
        sequences = check_sequences(self, X, reset=False)
        values = sequences.values.copy() if self.copy else sequences.values
        mean = self.mean_.astype(values.dtype)
        if inverse:
            if self.with_std:
                values *= self.scale_.astype(values.dtype)
            if self.with_mean:
                values += mean
        else:
            if self.with_mean:
                values -= mean
            if self.with_std:
                values /= self.scale_.astype(values.dtype)
        lengths = sequences.lengths
        if lengths.min() < values.shape[1]:
            values[np.arange(values.shape[1])[None, :] >= lengths[:, None]] = np.nan
        return _in_form_of(X, values, sequences.layout)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _merge_moments(first, second):
    """``(mean, var, count)`` of two sets of samples pooled (Chan et al.)."""
    mean_a, var_a, count_a = first
    mean_b, var_b, count_b = second
    count = count_a + count_b
    delta = mean_b - mean_a
    mean = mean_a + delta * (count_b / count)
    squares = var_a * count_a + var_b * count_b + delta**2 * (count_a * count_b / count)
    return mean, squares / count, count


def _in_form_of(X, values, layout):
    """Padded ``values`` ``(n, T, F)`` in the form of the input ``X``.

    An array gives an array of its shape (``(n, T)`` for 2-D ``X``). A list gives
    a list of arrays of the shapes of ``X``'s own, except a table given as a list
    of rows (sequences of one feature, all of one length), which gives a 2-D
    array like any table.
    """
    if layout == "list":
        shapes = [(len(seq), _ndim(seq)) for seq in X]
        if shapes[0][1] == 2 or len(set(shapes)) > 1:
            return [
                values[i, :length] if ndim == 2 else values[i, :length, 0]
                for i, (length, ndim) in enumerate(shapes)
            ]
    elif _ndim(X) == 3:
        return values
    return values[:, :, 0]


def _ndim(data):
    # The attribute first: np.ndim would go through __array_function__, which
    # array-likes may refuse.
    ndim = getattr(data, "ndim", None)
    return np.asarray(data).ndim if ndim is None else ndim
