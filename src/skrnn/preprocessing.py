"""Preprocessing for sequences: padding-aware scaling and lag windows.

:class:`SequenceScaler` standardises each step feature over the real steps of
sequences given in any form the estimators accept. :func:`make_lag_windows` and
:class:`LagWindows` cut a time-ordered table into windows of consecutive rows, the
input a recurrent forecaster reads. :func:`from_long_format` and
:func:`to_long_format` convert long-format tables (one row per step, an id per
sequence) to lists of sequences and back.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._compat import (
    Interval,
    _check_sample_weight,
    _fit_context,
    offer_set_output,
    validate_params,
    wrap_transform_output,
)
from ._data import parse_sequences
from ._input_state import InputStateMixin
from ._long_format import from_long_format, to_long_format
from ._stats import real_steps, scale_from_var, step_mean_var, step_weights

__all__ = [
    "LagWindows",
    "SequenceScaler",
    "from_long_format",
    "make_lag_windows",
    "to_long_format",
]


@offer_set_output
class SequenceScaler(
    InputStateMixin,
    OneToOneFeatureMixin,
    TransformerMixin,
    BaseEstimator,
    # _rescale wraps its own output (only 2-D outputs can become DataFrames).
    auto_wrap_output_keys=None,
):
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
    mean_ : ndarray of shape (`n_step_features_`,)
        Mean of each step feature over the real steps seen in fit.

    var_ : ndarray of shape (`n_step_features_`,)
        Variance of each step feature over the real steps seen in fit.

    scale_ : ndarray of shape (`n_step_features_`,) or None
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

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : The same for a table of samples.
    LagWindows : Windows of consecutive rows of a time-ordered table.

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

    def _parse(self, X, *, reset):
        sequences, spec = parse_sequences(
            self, X, fitted=None if reset else self._fitted_input()
        )
        if reset:
            self._record_input(spec)
        return sequences

    def _update(self, X, sample_weight, *, reset):
        sequences = self._parse(X, reset=reset)
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

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit to ``X``, then return :meth:`transform` of ``X``.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        y : None
            Ignored.

        sample_weight : array-like of shape (n_sequences,), default=None
            As in :meth:`fit`.

        Returns
        -------
        X_scaled : ndarray, DataFrame or list of ndarray
            As :meth:`transform` returns it.
        """
        # Not TransformerMixin's, which scikit-learn wraps for set_output
        # whatever the shape: transform wraps 2-D outputs only.
        return self.fit(X, y, sample_weight=sample_weight).transform(X)

    def transform(self, X):
        """Standardise sequences.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        Returns
        -------
        X_scaled : ndarray, DataFrame or list of ndarray
            The scaled sequences in the form of ``X``; padding stays NaN.
            ``set_output(transform="pandas")`` makes a 2-D output (a table of
            sequences of one feature) a DataFrame and leaves 3-D arrays and
            lists as they are.
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
        sequences = self._parse(X, reset=False)
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
            values[~real_steps(lengths, values.shape[1])] = np.nan
        output = _in_form_of(X, values, sequences.layout)
        if not inverse and isinstance(output, np.ndarray) and output.ndim == 2:
            return wrap_transform_output(output, X, self)
        return output

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


def _windows_ending_at(table, ends, n_lags):
    """Windows of ``n_lags`` rows of ``table`` ending at rows ``ends``.

    Rows are in time order, oldest first. A window that would begin before the
    first row holds the rows there are, followed by all-NaN steps (padding).
    Returns ``(len(ends), n_lags, n_features)``.
    """
    starts = np.maximum(ends - n_lags + 1, 0)
    windows = np.full((len(ends), n_lags, table.shape[1]), np.nan, dtype=table.dtype)
    for step in range(n_lags):
        rows = starts + step
        real = rows <= ends
        windows[real, step] = table[rows[real]]
    return windows


def _target_column(target, columns, n_features):
    """Position of the ``target`` column among ``n_features``."""
    if isinstance(target, str):
        if columns is None or target not in columns:
            raise ValueError(
                f"target={target!r} names a column, but the series "
                + (
                    "is not a DataFrame. Pass the column's index instead."
                    if columns is None
                    else f"has no such column; its columns are {list(columns)!r}."
                )
            )
        return columns.index(target)
    if not -n_features <= target < n_features:
        raise ValueError(
            f"target={target!r} is not a column index of a series with "
            f"{n_features} feature(s); use an int from 0 to {n_features - 1}."
        )
    return target


@validate_params(
    {
        "series": ["array-like"],
        "n_lags": [Interval(Integral, 1, None, closed="left")],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "target": [Integral, str, None],
    },
    prefer_skip_nested_validation=True,
)
def make_lag_windows(series, n_lags, *, horizon=1, target=None):
    """Cut a time series into windows of past steps and the values that follow.

    Window ``w`` holds steps ``w`` to ``w + n_lags - 1`` of the series, and its
    target is the value ``horizon`` steps after the window's last step, step
    ``w + n_lags - 1 + horizon``. Every window is complete, so a series of
    ``n_steps`` steps gives ``n_steps - n_lags - horizon + 1`` windows: ready
    for ``RNNRegressor().fit(X, y)``.

    Parameters
    ----------
    series : array-like of shape (n_steps,) or (n_steps, n_features)
        A time-ordered series, oldest step first: an array, a pandas Series or
        a DataFrame. NaN and infinite values are refused.

    n_lags : int
        Number of steps in each window.

    horizon : int, default=1
        How many steps after a window's last step its target lies; 1 forecasts
        the next step.

    target : int, str or None, default=None
        The feature to forecast: its column index, or its name when ``series``
        is a DataFrame. ``None`` forecasts every feature.

    Returns
    -------
    X : ndarray of shape (n_windows, n_lags, n_features)
        The windows; ``n_features`` is 1 for a 1-D series.

    y : ndarray of shape (n_windows,) or (n_windows, n_features)
        The value following each window: 1-D for a 1-D series or a ``target``,
        else one column per feature.

    Raises
    ------
    ValueError
        If the series has fewer than ``n_lags + horizon`` steps, which one
        window and its target need.

    See Also
    --------
    LagWindows : Windows as a transformer that keeps one sample per row.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import make_lag_windows
    >>> series = np.arange(6.0)
    >>> X, y = make_lag_windows(series, n_lags=3)
    >>> X[:, :, 0]
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]])
    >>> y
    array([3., 4., 5.])
    >>> X, y = make_lag_windows(series, n_lags=3, horizon=2)
    >>> y
    array([4., 5.])

    Forecasting one column of a multivariate series from all of them:

    >>> table = np.column_stack([series, 10 * series])
    >>> X, y = make_lag_windows(table, n_lags=2, target=1)
    >>> X.shape, y
    ((4, 2, 2), array([20., 30., 40., 50.]))
    """
    columns = list(series.columns) if hasattr(series, "columns") else None
    table = check_array(
        series, ensure_2d=False, dtype=[np.float64, np.float32], input_name="series"
    )
    univariate = table.ndim == 1
    if univariate:
        table = table[:, None]
    n_steps, n_features = table.shape
    if n_steps < n_lags + horizon:
        raise ValueError(
            f"One window of n_lags={n_lags} steps and its target horizon={horizon} "
            f"step(s) later need at least {n_lags + horizon} steps, but the series "
            f"has {n_steps}. Lower n_lags or horizon, or pass a longer series."
        )
    ends = np.arange(n_lags - 1, n_steps - horizon)
    X = _windows_ending_at(table, ends, n_lags)
    following = table[ends + horizon]
    if target is not None:
        return X, following[:, _target_column(target, columns, n_features)]
    return X, following[:, 0] if univariate else following


class LagWindows(TransformerMixin, BaseEstimator):
    """Replace each row of a time-ordered table by the window of rows ending there.

    Row ``i`` becomes the sequence of rows ``max(0, i - n_lags + 1)`` to ``i``,
    oldest first. The first ``n_lags - 1`` rows have fewer rows before them:
    their windows are shorter, written as trailing all-NaN steps, which the
    skrnn estimators read as shorter sequences. The number of samples is kept,
    so that ``LagWindows`` can stand in a :class:`~sklearn.pipeline.Pipeline`
    in front of a recurrent estimator.

    A transformer cannot shift ``y``: the window ending at row ``i`` is paired
    with ``y[i]``. To forecast ``h`` steps ahead, align ``y`` yourself by
    fitting on ``X[:-h]`` and ``y[h:]`` (see the Examples), or build windows
    and targets together with :func:`make_lag_windows`.

    Parameters
    ----------
    n_lags : int
        Number of rows in each window: the row itself and up to
        ``n_lags - 1`` rows before it.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of the table, the features of each step.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    make_lag_windows : Complete windows with their shifted targets.
    SequenceScaler : Standardise the windows' step features.

    Notes
    -----
    ``fit`` only learns the number of columns (and their names), which
    ``transform`` then checks. ``transform`` builds windows within the table it
    is given: at predict time the first ``n_lags - 1`` rows of a new table see
    only that table's rows, not the end of the training table. To predict the
    rows that follow the training data with full windows, pass the last
    ``n_lags - 1`` training rows followed by the new ones, and drop the first
    ``n_lags - 1`` predictions.

    Rows must be in time order and finite: a row of NaN would read as padding,
    so NaN and infinite values are refused.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import LagWindows
    >>> table = np.arange(8.0).reshape(4, 2)
    >>> windows = LagWindows(n_lags=3).fit_transform(table)
    >>> windows.shape
    (4, 3, 2)
    >>> windows[1]
    array([[ 0.,  1.],
           [ 2.,  3.],
           [nan, nan]])
    >>> windows[3]
    array([[2., 3.],
           [4., 5.],
           [6., 7.]])

    Forecasting the next value of a series: the window ending at row ``i`` is
    fitted to the value of row ``i + 1``.

    >>> from sklearn.pipeline import make_pipeline
    >>> from skrnn import RNNRegressor
    >>> series = np.sin(np.arange(60) / 4).reshape(-1, 1)
    >>> model = make_pipeline(
    ...     LagWindows(n_lags=8), RNNRegressor(max_epochs=3, random_state=0)
    ... )
    >>> model.fit(series[:-1], series[1:, 0]).predict(series[-5:]).shape
    (5,)
    """

    _parameter_constraints = {
        "n_lags": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, n_lags):
        self.n_lags = n_lags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the number of columns (and their names) of the table.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
            A time-ordered table, oldest row first.

        y : None
            Ignored.

        Returns
        -------
        self : LagWindows
            The fitted transformer.
        """
        validate_data(self, X, dtype=[np.float64, np.float32])
        return self

    def transform(self, X):
        """Replace each row by the window of rows ending at it.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
            A time-ordered table, oldest row first.

        Returns
        -------
        windows : ndarray of shape (n_rows, n_lags, n_features)
            Window ``i`` holds rows ``max(0, i - n_lags + 1)`` to ``i``, then
            all-NaN padding steps when there are fewer than ``n_lags`` of them.
        """
        check_is_fitted(self)
        table = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return _windows_ending_at(table, np.arange(len(table)), self.n_lags)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
