"""sktime adapter of :class:`skrnn.RNNForecaster` (importable when sktime is).

sktime owns backtesting (``evaluate``), forecasting grid search
(``ForecastingGridSearchCV``), pipelines and the conformance suite of
forecasters (``check_estimator``); this module makes the forecaster one of
its ``BaseForecaster`` objects. sktime handles the index: the adapter gives
the skrnn forecaster plain arrays and puts sktime's absolute index on the
result.
"""

try:
    from sktime.forecasting.base import BaseForecaster
except ImportError as exc:  # pragma: no cover - exercised without sktime
    raise ImportError(
        "skrnn.sktime needs sktime: pip install sktime. skrnn.RNNForecaster "
        "itself works without it."
    ) from exc

import numpy as np
import pandas as pd

from ._forecaster import DEFAULT_QUANTILES
from ._forecaster import RNNForecaster as _RNNForecaster

__all__ = ["RNNForecaster"]


class RNNForecaster(BaseForecaster):
    """:class:`skrnn.RNNForecaster` as an sktime forecaster.

    The parameters are those of :class:`skrnn.RNNForecaster` most worth
    tuning; ``horizon=None`` (the default) takes the furthest step of the
    ``fh`` given to ``fit``.

    Parameters
    ----------
    horizon : int or None, default=None
        Steps the network emits; None: the furthest step of ``fh`` in fit.

    window : int or 'auto', default='auto'
        Past steps read (see :class:`skrnn.RNNForecaster`).

    strategy : {'direct', 'recursive'}, default='direct'
        Multi-step strategy.

    quantiles : tuple of float or None, \
default=(0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
        Quantile levels learnt for intervals.

    cell : {'lstm', 'gru', 'rnn'}, default='lstm'
        Recurrent cell.

    hidden_size : int, default=64
        Width of the recurrent layer.

    max_epochs : int, default=1000
        Cap on the number of epochs (the held-out fit decides how many, see
        ``early_stopping`` of :class:`skrnn.RNNForecaster`).

    lr : float, default=1e-2
        Learning rate.

    random_state : int or None, default=None
        Seed of weights and shuffling.

    Examples
    --------
    >>> from sktime.datasets import load_airline  # doctest: +SKIP
    >>> from skrnn.sktime import RNNForecaster  # doctest: +SKIP
    >>> y = load_airline()  # doctest: +SKIP
    >>> RNNForecaster().fit(y, fh=[1, 2, 3]).predict()  # doctest: +SKIP
    """

    _tags = {
        "authors": "skrnn developers",
        "maintainers": "skrnn developers",
        "python_dependencies": ["skrnn", "torch"],
        "y_inner_mtype": ["pd.Series", "pd.DataFrame"],
        "X_inner_mtype": "pd.DataFrame",
        "capability:multivariate": True,
        "capability:exogenous": True,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:missing_values": False,
        "capability:non_contiguous_X": False,
        "requires-fh-in-fit": True,
        "X-y-must-have-same-index": True,
        "capability:random_state": True,
    }

    def __init__(
        self,
        horizon=None,
        window="auto",
        strategy="direct",
        quantiles=DEFAULT_QUANTILES,
        cell="lstm",
        hidden_size=64,
        max_epochs=1000,
        lr=1e-2,
        random_state=None,
    ):
        self.horizon = horizon
        self.window = window
        self.strategy = strategy
        self.quantiles = quantiles
        self.cell = cell
        self.hidden_size = hidden_size
        self.max_epochs = max_epochs
        self.lr = lr
        self.random_state = random_state
        super().__init__()

    def _fit(self, y, X=None, fh=None):
        steps = fh.to_relative(self.cutoff).to_numpy()
        horizon = self.horizon if self.horizon is not None else int(steps.max())
        self.forecaster_ = _RNNForecaster(
            horizon=horizon,
            window=self.window,
            strategy=self.strategy,
            quantiles=self.quantiles,
            cell=self.cell,
            hidden_size=self.hidden_size,
            max_epochs=self.max_epochs,
            lr=self.lr,
            random_state=self.random_state,
        )
        self._columns = list(y.columns) if isinstance(y, pd.DataFrame) else None
        self._name = y.name if isinstance(y, pd.Series) else None
        self.forecaster_.fit(
            y.to_numpy(dtype=np.float64),
            X=None if X is None else X.to_numpy(dtype=np.float64),
        )
        return self

    def _inputs(self, steps, X):
        """``(y, X)`` for the skrnn forecaster: the whole history sktime holds
        (so that forecasts start at the current cutoff, after ``update`` too),
        and the covariates of the history and then of the forecast steps."""
        history = self._y.to_numpy(dtype=np.float64)
        if X is None or self._X is None:
            return history, None
        needed = (
            self.forecaster_.horizon
            if self.forecaster_.strategy == "direct"
            else int(steps.max())
        )
        future = X.loc[X.index > self._cutoff_value()]
        values = future.to_numpy(dtype=np.float64)[:needed]
        if 0 < len(values) < needed:
            # sktime gives X up to the furthest step of fh; the direct network
            # reads its whole horizon, so the last known row stands in.
            pad = np.repeat(values[-1:], needed - len(values), axis=0)
            values = np.concatenate([values, pad])
        past = self._X.loc[self._y.index].to_numpy(dtype=np.float64)
        return history, np.concatenate([past, values])

    def _cutoff_value(self):
        cutoff = self.cutoff
        return cutoff[0] if isinstance(cutoff, pd.Index) else cutoff

    def _steps_of(self, fh):
        steps = fh.to_relative(self.cutoff).to_numpy().astype(np.int64)
        if (steps < 1).any():
            raise NotImplementedError(
                "RNNForecaster forecasts after the end of the training series; "
                "in-sample steps (fh <= 0) are not supported."
            )
        return steps

    def _predict(self, fh, X=None):
        steps = self._steps_of(fh)
        history, covariates = self._inputs(steps, X)
        values = self.forecaster_.predict(fh=steps, X=covariates, y=history)
        index = fh.to_absolute_index(self.cutoff)
        if self._columns is not None:
            return pd.DataFrame(values, index=index, columns=self._columns)
        return pd.Series(values, index=index, name=self._name)

    def _predict_quantiles(self, fh, X=None, alpha=None):
        steps = self._steps_of(fh)
        alpha = list(alpha)
        history, covariates = self._inputs(steps, X)
        values = self.forecaster_.predict_quantiles(
            fh=steps, X=covariates, y=history, alpha=alpha
        )
        values = np.asarray(values).reshape(len(steps), -1)
        index = fh.to_absolute_index(self.cutoff)
        names = self._variable_names()
        columns = pd.MultiIndex.from_product([names, alpha])
        return pd.DataFrame(values, index=index, columns=columns)

    def _variable_names(self):
        if self._columns is not None:
            return self._columns
        return [self._name if self._name is not None else 0]

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Small, fast settings for sktime's ``check_estimator``.

        Parameters
        ----------
        parameter_set : str, default='default'
            Name of the set of test parameters; there is one.

        Returns
        -------
        params : list of dict
            Parameters of the instances the checks build.
        """
        return [
            {"hidden_size": 4, "max_epochs": 2, "random_state": 0},
            {
                "hidden_size": 4,
                "max_epochs": 2,
                "strategy": "recursive",
                "horizon": 1,
                "random_state": 0,
            },
        ]
