"""Split-conformal calibration of the forecaster's quantiles.

The quantiles a network learns by the pinball loss on its training windows
are too narrow: after a few hundred epochs it fits those windows closely, so
the spread it learns is the spread of its in-sample errors. Conformalized
quantile regression (Romano, Patterson and Candes, 2019) repairs that with
errors the network never trained on: a second network is fitted on the
series without their last steps, it forecasts the windows whose targets lie
in those held-out steps, and each quantile level is moved, per horizon step
and column, by the conformal quantile of how far the truth fell from it
(in units of each window's own spread, so that series of different levels
pool). Moving each level on its own is one-sided calibration of that level;
the levels are sorted afterwards, so they never cross.

The functions here are numpy only; :class:`skrnn.RNNForecaster` runs the
second fit and the forecasts of the held-out windows.
"""

import math

import numpy as np

#: The network fitted for calibration keeps at least this many training
#: windows per series; fewer and the calibration is skipped.
MIN_TRAINING_WINDOWS = 8

#: Held-out forecast origins per series: at least this many (the horizon when
#: it is longer), so that one series gives enough errors per horizon step for
#: the 5 % and 95 % levels (their conformal ranks are the extremes of ~20).
MIN_ORIGINS = 20


def n_origins(shortest, horizon, window, net_horizon):
    """Held-out forecast origins per series (0: too short to calibrate).

    The calibration network trains on each series but its last ``horizon +
    n_origins - 1`` steps and must keep ``MIN_TRAINING_WINDOWS`` windows.
    """
    room = shortest - horizon - (window + net_horizon + MIN_TRAINING_WINDOWS - 1)
    return max(0, min(max(MIN_ORIGINS, horizon), room + 1))


def quantile_offsets(quantiles, truth, scale, levels):
    """Conformal offsets of each quantile level, in units of window spread.

    Parameters
    ----------
    quantiles : ndarray of shape (n_windows, n_steps, n_columns, n_levels)
        Forecast quantiles of the held-out windows, in original units.
    truth : ndarray of shape (n_windows, n_steps, n_columns)
        What the series did.
    scale : ndarray of shape (n_windows, n_columns)
        Spread of each window's history.
    levels : sequence of float
        The quantile levels, in the order of the last axis.

    Returns
    -------
    offsets : ndarray of shape (n_steps, n_columns, n_levels)
        Add ``offsets * scale`` to the quantiles of a new window. A level
        ``tau >= 0.5`` moves to the ``ceil((n + 1) tau)``-th smallest error
        (a quantile at least ``tau`` of new errors fall below, for
        exchangeable windows); a level below, to the ``floor((n + 1) tau)``-th.
    """
    errors = (truth[..., None] - quantiles) / scale[:, None, :, None]
    errors = np.sort(errors, axis=0)
    n = len(errors)
    offsets = np.empty(errors.shape[1:])
    for j, tau in enumerate(levels):
        if tau >= 0.5:
            rank = min(n, math.ceil((n + 1) * tau))
        else:
            rank = max(1, math.floor((n + 1) * tau))
        offsets[..., j] = errors[rank - 1, ..., j]
    return offsets
