"""RNNForecaster: multi-step forecasts of one or many series, with quantiles.

The forecaster cuts the series into windows of ``window`` past steps, each
standardised by its own mean and spread (so series of different levels share
one model), and trains the shared recurrent network of the other estimators on
them through :meth:`BaseSequenceEstimator._fit`: the windows are its sequences,
the following ``horizon`` steps its targets. Parsing of the series lives in
:mod:`skrnn._data.series`; the quantile loss in :mod:`skrnn._modules`.
"""

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from . import _conformal
from ._base import BaseSequenceEstimator
from ._batching import make_dataset
from ._compat import Interval, StrOptions, _fit_context
from ._data.series import (
    SeriesSet,
    check_no_nan,
    index_from_tail,
    index_tail,
    parse_series,
    seasonal_period,
    steps_ahead,
)
from ._docstrings import estimator_doc
from ._scaling import standardized

DEFAULT_QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)

# A window whose spread is below this share of its level (or absolute, near
# zero) is constant: it is forecast as that constant.
_CONSTANT = 1e-10


@estimator_doc(
    max_epochs=1000,
    n_iter_no_change=50,
    early_stopping="'auto'",
    batch_size=128,
    batch_size_why=(
        "Number of windows per gradient step. A series of a few hundred steps\n"
        "        fits in one batch, which forecast airline best and fastest (see\n"
        "        :doc:`/benchmarks`)."
    ),
    lr="1e-2",
    early_stopping_doc=(
        "How many epochs to train, decided on steps the network has not seen.\n"
        "        ``'auto'`` and ``True``: a second network (the one that calibrates\n"
        "        the quantiles, see ``calibration``) is fitted on the series\n"
        "        without their last ``horizon + n - 1`` steps and stops when the\n"
        "        loss of the windows whose targets lie in those steps has not\n"
        "        improved by ``tol`` for ``n_iter_no_change`` epochs; the\n"
        "        forecaster then trains on the whole series for that network's\n"
        "        best number of epochs (``max_epochs`` is only a cap). A random\n"
        "        validation split would not do: neighbouring windows overlap, so\n"
        "        the held-out ones would be copies of training ones. On airline\n"
        "        this picks about the number of epochs a fixed budget had been\n"
        "        tuned to, and on the short Nile series far fewer, which\n"
        "        forecasts it better (see :doc:`/benchmarks`). Series too short\n"
        "        to hold out (see ``calibration``) train on the training loss with\n"
        "        ``'auto'`` and raise a ValueError with ``True``. ``False``: stop\n"
        "        on the training loss (``tol``, ``n_iter_no_change``), up to\n"
        "        ``max_epochs``. ``validation_fraction`` is not used. A warm start\n"
        "        continues on the training loss."
    ),
)
class RNNForecaster(BaseSequenceEstimator):
    """Recurrent neural network forecaster of one or many time series.

    Learns to map the last ``window`` steps of a series to its next
    ``horizon`` steps (and quantiles of them) with one network, trained on
    every window of every training series, each standardised by its own
    history. The interface follows sktime's forecasters: ``fit(y, X)``,
    ``predict(fh, X)``, ``predict_quantiles``, ``predict_interval``.

    Parameters
    ----------
    horizon : int, default=1
        Number of steps forecast at once. With ``strategy='direct'`` the
        network emits all of them and ``fh`` may not go further.

    window : int or 'auto', default='auto'
        Number of past steps the network reads. ``'auto'`` uses the seasonal
        period found in the autocorrelation of the training series (one
        season of history forecast best on the airline data, see
        :doc:`/benchmarks`), or ``max(horizon, 4)`` when there is none,
        shortened when the series are too short for it.

    strategy : {'direct', 'recursive'}, default='direct'
        ``'direct'`` (MIMO): one network emits the whole horizon, so errors do
        not compound. ``'recursive'``: the network forecasts one step, which
        is fed back as history; forecasts can go beyond ``horizon``, and their
        quantiles are those of each step given the earlier forecast steps
        (narrower than the true uncertainty).

    quantiles : array-like of float in (0, 1) or None, \
default=(0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
        Quantile levels the network learns beside the point forecast, by the
        pinball (quantile) loss; the point forecast is a separate output, the
        mean, trained by the squared error (on the airline data the median
        of the pinball loss forecast twice as badly, see :doc:`/benchmarks`).
        The default gives the 50 %, 80 % and 90 % intervals. ``None`` learns
        the point forecast only, and has no intervals.

    calibration : {'conformal'} or None, default='conformal'
        How the learnt quantiles are calibrated. ``'conformal'``
        (conformalized quantile regression, split by time): a second network
        is fitted on the series without their last ``horizon + n - 1`` steps
        (``n`` origins: ``max(20, horizon)``, fewer for short series), it
        forecasts the ``n`` windows whose targets lie in those steps, and each
        quantile level of each horizon step is moved by the conformal quantile
        of its errors there (see :mod:`skrnn._conformal`). That held-out fit
        about doubles the fit time (it also sets the number of epochs, see
        ``early_stopping``); it is the default because the network's own
        quantiles fit its training windows and cover far less than they
        claim (see :doc:`/benchmarks`). Series too short to hold out
        ``horizon`` steps and one origin while keeping 8 training windows
        are not calibrated (``n_calibration_windows_ == 0``). ``None``: the
        network's quantiles as learnt. With ``strategy='recursive'`` steps
        beyond ``horizon`` reuse the offsets of step ``horizon`` (too narrow
        there).

    {core_params}

    {training_params}

    Attributes
    ----------
    window_ : int
        Number of past steps the network reads.

    season_ : int
        Seasonal period found in the training series (1: none).

    n_targets_ : int
        Number of columns of each series.

    n_covariates_ : int
        Number of columns of ``X`` in fit (0 without covariates).

    quantiles_ : list of float
        Quantile levels learnt, sorted (empty with ``quantiles=None``).

    n_calibration_windows_ : int
        Number of held-out windows (over all series) whose errors calibrated
        the quantiles; 0 when they are not calibrated.

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Mean training loss of each epoch.

    net_ : skorch.NeuralNet
        The fitted skorch network, for power users.

    Notes
    -----
    ``y`` is one series (a 1-D array or pandas Series), a table of series
    forecast together (a 2-D array ``(n_steps, n_columns)`` or a DataFrame),
    or a list of such series of different lengths: one global model learnt
    across them. ``X`` holds covariates known in the future too (calendar,
    prices): in fit aligned with ``y`` (one per series for a list), at
    predict covering the forecast steps (with a new history ``y``, its steps
    and then the forecast steps).

    The network reads each window standardised by its own mean and standard
    deviation and forecasts in those units, so a level it never saw in fit
    is no extrapolation; its covariates (past and future rows) are
    standardised by the mean and standard deviation of their past rows in the
    window, for the same reason. A window whose history is constant is
    forecast as that constant. The windows are float32.

    Forecasts come back in the form of ``y``: a pandas Series or DataFrame
    with its index continued past the end of the history (a DatetimeIndex or
    PeriodIndex with its frequency, a RangeIndex with its step), an array as
    an array, a list as a list. For backtesting and grid search use sktime's
    ``evaluate`` and ``ForecastingGridSearchCV``.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RNNForecaster
    >>> t = np.arange(120)
    >>> y = 10 + np.sin(2 * np.pi * t / 12) + 0.01 * t
    >>> forecaster = RNNForecaster(horizon=6, max_epochs=20, random_state=0)
    >>> forecaster.fit(y).predict().shape
    (6,)
    >>> forecaster.window_
    12
    >>> forecaster.predict_interval(coverage=0.8).shape
    (6, 2)
    """

    _parameter_constraints = {
        **BaseSequenceEstimator._parameter_constraints,
        # A cap: the held-out fit chooses the number of epochs.
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "strategy": [StrOptions({"direct", "recursive"})],
        "quantiles": ["array-like", None],
        "calibration": [StrOptions({"conformal"}), None],
    }

    #: A forecaster fits series, not sequences: nothing for transform to read.
    _has_transform = False

    _fitted_attributes = {
        **BaseSequenceEstimator._fitted_attributes,
        "window_": "int",
        "season_": "int",
        "n_targets_": "int",
        "n_covariates_": "int",
        "quantiles_": "floats",
        "n_calibration_windows_": "int",
        "_quantile_offsets": "tensor",
        "_net_horizon": "int",
        "_history": "tensor",
        "_history_covariates": "tensor",
        "_form": "json",
    }
    _required_attributes = (
        *BaseSequenceEstimator._required_attributes,
        "window_",
        "n_targets_",
        "quantiles_",
        "_history",
        "_form",
    )

    def __init__(
        self,
        horizon=1,
        window="auto",
        strategy="direct",
        *,
        quantiles=DEFAULT_QUANTILES,
        calibration="conformal",
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        max_epochs=1000,
        batch_size=128,
        length_buckets=True,
        lr=1e-2,
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        tol=1e-4,
        n_iter_no_change=50,
        early_stopping="auto",
        validation_fraction=0.1,
        lr_schedule=None,
        callbacks=None,
        warm_start=False,
        standardize=True,
        random_state=None,
        device="cpu",
        n_threads="auto",
        verbose=0,
    ):
        self.horizon = horizon
        self.window = window
        self.strategy = strategy
        self.quantiles = quantiles
        self.calibration = calibration
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.nonlinearity = nonlinearity
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.length_buckets = length_buckets
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.clip_grad_norm = clip_grad_norm
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.lr_schedule = lr_schedule
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.standardize = standardize
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose

    # -- hooks of the base ------------------------------------------------------

    def _n_outputs(self):
        return self._net_horizon * self.n_targets_ * (1 + len(self.quantiles_))

    def _criterion(self, n_outputs):
        if not self.quantiles_:
            return "mse"
        # One level per output column: the outputs are (step, column, level),
        # level NaN the mean (squared error), then the quantiles.
        n_repeats = self._net_horizon * self.n_targets_
        return ("pinball", [float("nan"), *self.quantiles_] * n_repeats)

    def _encode_targets(self, y, sequences, sample_weight, *, reset, classes=None):
        # ``y`` holds the window-scaled targets built by fit, one level per
        # output column repeated so that the loss compares like with like.
        return y, y.shape[1]

    def _scale_targets(self, targets, sequences, weight, *, reset):
        # The windows are standardised by their own history already.
        return targets.astype(sequences.values.dtype)

    def _network_kwargs(self):
        return {"readout": "last", "per_step": False}

    # -- checks -------------------------------------------------------------------

    def _check_quantiles(self):
        if self.quantiles is None:
            return []
        levels = np.asarray(self.quantiles, dtype=np.float64).ravel()
        if levels.size == 0 or not ((levels > 0) & (levels < 1)).all():
            raise ValueError(
                f"quantiles must be levels strictly between 0 and 1, such as "
                f"(0.1, 0.5, 0.9), or None; got quantiles={self.quantiles!r}."
            )
        return sorted(set(levels.tolist()))

    def _resolve_window(self, series):
        shortest = int(series.lengths.min())
        net_horizon = self.horizon if self.strategy == "direct" else 1
        season = seasonal_period([v for v in series.values])
        if self.window == "auto":
            window = season if season > 1 else max(self.horizon, 4)
            window = min(window, shortest - net_horizon)
        else:
            window = self.window
        if window < 1 or shortest < window + net_horizon:
            needed = (window if self.window != "auto" else 1) + net_horizon
            raise ValueError(
                f"The shortest series of y has {shortest} steps, but one training "
                f"window of window={window if self.window != 'auto' else 1} past "
                f"steps and its {net_horizon} following step(s) (horizon="
                f"{self.horizon}, strategy={self.strategy!r}) need {needed}. Pass "
                "a longer series, or lower window or horizon."
            )
        return window, season, net_horizon

    # -- fitting --------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y, X=None):
        """Fit the forecaster to the series ``y`` (and covariates ``X``).

        Parameters
        ----------
        y : array-like, pandas Series or DataFrame, or list of them
            Training series; see the class Notes.

        X : array-like, DataFrame, list of them, or None, default=None
            Covariates known in the future too, aligned with ``y`` (one per
            series when ``y`` is a list).

        Returns
        -------
        self : RNNForecaster
            The fitted forecaster.
        """
        warm = hasattr(self, "net_") and self.warm_start
        series = parse_series(y, name="y")
        check_no_nan(series, "y")
        covariates = self._parse_covariates(X, series, fitting=True, warm=warm)
        quantiles = self._check_quantiles()
        window, season, net_horizon = self._resolve_window(series)
        if warm and (window, net_horizon, series.n_columns, quantiles) != (
            self.window_,
            self._net_horizon,
            self.n_targets_,
            self.quantiles_,
        ):
            raise ValueError(
                "warm_start=True continues the previous fit's network, so window, "
                "horizon, strategy, quantiles and the number of columns of y "
                "cannot change between fits. Set warm_start=False to start afresh."
            )
        state = {
            "window_": window,
            "season_": season,
            "n_targets_": series.n_columns,
            "n_covariates_": 0 if covariates is None else covariates[0].shape[1],
            "quantiles_": quantiles,
            "_net_horizon": net_horizon,
        }
        previous = {k: getattr(self, k) for k in state if hasattr(self, k)}
        vars(self).update(state)
        net_before = vars(self).get("net_")
        try:
            held_out = self._held_out_fit(series, covariates, warm=warm)
            if held_out is not None and held_out["validated"]:
                # The held-out fit's best epoch is how long this one trains.
                losses = held_out["helper"]._training_curves()["valid_loss"]
                self._planned_epochs = int(np.nanargmin(losses)) + 1
            inputs, targets = self._training_windows(series, covariates)
            self._fit_with_rollback(inputs, targets, None, incremental=False)
            if vars(self).get("net_") is not net_before:
                offsets, n_windows = self._calibrate(held_out)
        except BaseException:
            self._restore(state, previous)
            raise
        finally:
            vars(self).pop("_planned_epochs", None)
        if vars(self).get("net_") is net_before:
            # Interrupted before the first epoch: left as it was (it warned).
            self._restore(state, previous)
            return self
        self._quantile_offsets = offsets
        self.n_calibration_windows_ = n_windows
        self._history = np.stack([v[-window:] for v in series.values])
        self._history_covariates = (
            np.zeros((len(series.values), window, 0))
            if covariates is None
            else np.stack([c[-window:] for c in covariates])
        )
        self._form = _form_of(series)
        return self

    def _max_epochs(self, n_batches=None):
        # The held-out fit's best epoch, once it has chosen one.
        planned = getattr(self, "_planned_epochs", None)
        return planned or super()._max_epochs(n_batches)

    def _planned_end(self, n_epochs):
        # Epochs chosen by the held-out fit end as planned below the cap.
        return super()._planned_end(n_epochs) or n_epochs < self.max_epochs

    def _uses_early_stopping(self, n_sequences):
        # Only the held-out fit validates, on the windows it held out by time.
        return getattr(self, "_validation_windows", None) is not None

    def _monitor_settings(self, early_stopping, incremental, n_batches=None):
        settings = super()._monitor_settings(early_stopping, incremental, n_batches)
        if early_stopping:
            # The loss of the held-out windows: R^2 per output column over a
            # few dozen windows is noise.
            settings.update(monitor="valid_loss", lower_is_better=True)
        return settings

    def _split(self, sequences, targets, weight, random_state, early_stopping):
        train = make_dataset(sequences, targets, weight)
        if not early_stopping:
            return train, None
        inputs, valid_targets = self._validation_windows
        valid = self._validate_X(inputs, reset=False)
        if self.standardize:
            valid = standardized(valid, self.input_mean_, self.input_scale_)
        valid_targets = valid_targets.astype(sequences.values.dtype)
        return train, make_dataset(valid, valid_targets)

    def _held_out_fit(self, series, covariates, *, warm):
        """A second network fitted on the series without their last steps,
        when the stopping rule or the calibration needs it (see the
        ``early_stopping`` and ``calibration`` parameters); else None.

        Returns a dict: the fitted ``helper``, the ``cuts`` (the length of
        each series it was fitted on) and ``n_origins`` (held-out forecast
        origins per series, from each cut on).
        """
        calibrating = bool(self.quantiles_) and self.calibration is not None
        stopping = self.early_stopping in ("auto", True) and not warm
        if not (calibrating or stopping):
            return None
        horizon, window = self.horizon, self.window_
        n_origins = _conformal.n_origins(
            int(series.lengths.min()), horizon, window, self._net_horizon
        )
        if n_origins == 0:
            if self.early_stopping is True:
                raise ValueError(
                    f"early_stopping=True holds the last horizon + "
                    f"{_conformal.MIN_ORIGINS - 1} steps of each series out, "
                    f"but the shortest series of y ({int(series.lengths.min())} "
                    "steps) is too short to train on the rest. Pass longer "
                    "series, or early_stopping='auto' (which then trains on "
                    "the training loss alone)."
                )
            return None
        cuts = [len(v) - horizon - n_origins + 1 for v in series.values]
        helper = clone(self).set_params(
            calibration=None, window=window, warm_start=False, early_stopping=False
        )
        vars(helper).update(
            {
                k: getattr(self, k)
                for k in (
                    "window_",
                    "season_",
                    "n_targets_",
                    "n_covariates_",
                    "quantiles_",
                    "_net_horizon",
                )
            }
        )
        short = SeriesSet(
            values=[v[:cut] for v, cut in zip(series.values, cuts, strict=True)],
            kind="array",
            is_list=True,
            one_column=False,
            columns=None,
            indexes=[None] * len(cuts),
        )
        short_covariates = (
            None
            if covariates is None
            else [c[:cut] for c, cut in zip(covariates, cuts, strict=True)]
        )
        inputs, targets = helper._training_windows(short, short_covariates)
        if stopping:
            helper._validation_windows = self._training_windows(
                series, covariates, from_origins=cuts
            )
        try:
            with warnings.catch_warnings():
                # An internal step: its stopping is reported by this fit.
                warnings.simplefilter("ignore", ConvergenceWarning)
                helper._fit_with_rollback(inputs, targets, None, incremental=False)
        finally:
            vars(helper).pop("_validation_windows", None)
        if not hasattr(helper, "net_"):
            return None  # interrupted: it warned
        return {
            "validated": stopping,
            "helper": helper,
            "series": series,
            "covariates": covariates,
            "cuts": cuts,
            "n_origins": n_origins,
        }

    def _calibrate(self, held_out):
        """Conformal offsets of the quantiles ``(horizon, n_targets,
        n_quantiles)`` from the held-out fit's forecasts of the windows it did
        not see, and how many windows they came from (see
        :mod:`skrnn._conformal`)."""
        offsets = np.zeros((self.horizon, self.n_targets_, len(self.quantiles_)))
        if held_out is None or not self.quantiles_ or self.calibration is None:
            return offsets, 0
        horizon, window = self.horizon, self.window_
        values, covariates = held_out["series"].values, held_out["covariates"]
        cuts, n_origins = held_out["cuts"], held_out["n_origins"]
        history = np.concatenate(
            [
                _sliding(v[cut - window : cut + n_origins - 1], window)
                for v, cut in zip(values, cuts, strict=True)
            ]
        )
        truth = np.concatenate(
            [
                _sliding(v[cut : cut + n_origins + horizon - 1], horizon)
                for v, cut in zip(values, cuts, strict=True)
            ]
        )
        cov_past = cov_future = None
        if covariates is not None:
            covered = self._net_horizon if self.strategy == "direct" else horizon
            cov_past = np.concatenate(
                [
                    _sliding(c[cut - window : cut + n_origins - 1], window)
                    for c, cut in zip(covariates, cuts, strict=True)
                ]
            )
            cov_future = np.concatenate(
                [
                    _sliding(c[cut : cut + n_origins + covered - 1], covered)
                    for c, cut in zip(covariates, cuts, strict=True)
                ]
            )
        paths = held_out["helper"]._raw_paths(history, cov_past, cov_future, horizon)
        _, scale, constant = _window_moments(history)
        varying = ~constant.any(axis=1)
        if not varying.any():
            return offsets, 0
        offsets = _conformal.quantile_offsets(
            paths[varying, ..., 1:], truth[varying], scale[varying], self.quantiles_
        )
        return offsets, int(varying.sum())

    def _restore(self, state, previous):
        for key in state:
            vars(self).pop(key, None)
        vars(self).update(previous)

    def _parse_covariates(self, X, series, *, fitting, warm=False, future=0):
        """``X`` as one ``(n_steps_i, n_covariates)`` array per series, or None.

        In fit each covers its series; at predict, ``future`` steps after the
        history (and the history itself when ``series`` is a new ``y``).
        """
        fitted_with = None if fitting and not warm else self.n_covariates_
        if X is None:
            if fitted_with:
                raise ValueError(
                    f"{type(self).__name__} was fitted with {fitted_with} "
                    "covariate(s) X, so X is needed here too: pass X covering "
                    "the forecast steps."
                )
            return None
        if fitted_with == 0:
            raise ValueError(
                f"X was passed, but {type(self).__name__} was fitted without "
                "covariates, so it cannot use them. Fit with X to use covariates."
            )
        parsed = parse_series(X, name="X")
        check_no_nan(parsed, "X")
        if series is not None and len(parsed.values) != len(series.values):
            raise ValueError(
                f"X holds {len(parsed.values)} series of covariates but y holds "
                f"{len(series.values)}; pass one X per series of y."
            )
        if fitted_with and parsed.n_columns != fitted_with:
            raise ValueError(
                f"X has {parsed.n_columns} column(s) but {type(self).__name__} "
                f"was fitted with {fitted_with}."
            )
        for i, values in enumerate(parsed.values):
            have = len(values)
            history = 0 if series is None else len(series.values[i])
            need = history + future
            if (fitting and have != need) or have < need:
                where = f"X[{i}]" if parsed.is_list else "X"
                if fitting:
                    what = f"must have one row per step of y ({need})"
                elif series is None:
                    what = (
                        f"must cover the {future} forecast step(s) after the "
                        f"end of the training series (at least {need} rows)"
                    )
                else:
                    what = (
                        f"must cover the {history} steps of y and then the "
                        f"{future} forecast step(s) (at least {need} rows)"
                    )
                raise ValueError(f"{where} has {have} rows but {what}.")
        return parsed.values

    def _training_windows(self, series, covariates, from_origins=None):
        """The window inputs ``(n_windows, n_steps, n_features)`` (float32) and
        their window-scaled targets ``(n_windows, n_outputs)``; with
        ``from_origins``, only the windows of series ``i`` whose forecast
        starts at step ``from_origins[i]`` or later."""
        window, ahead = self.window_, self._net_horizon
        inputs, targets = [], []
        for i, values in enumerate(series.values):
            first = 0 if from_origins is None else from_origins[i] - window
            past = _sliding(values[first:-ahead], window)
            future = _sliding(values[first + window :], ahead)
            cov_past = cov_future = None
            if covariates is not None:
                cov = covariates[i]
                cov_past = _sliding(cov[first:-ahead], window)
                cov_future = _sliding(cov[first + window :], ahead)
            mean, scale, _ = _window_moments(past)
            inputs.append(_features(past, mean, scale, cov_past, cov_future))
            scaled = (future - mean[:, None, :]) / scale[:, None, :]
            targets.append(scaled.reshape(len(future), -1))
        inputs = np.concatenate(inputs).astype(np.float32)
        targets = np.concatenate(targets)
        if self.quantiles_:
            targets = np.repeat(targets, 1 + len(self.quantiles_), axis=1)
        return inputs, targets

    # -- prediction -------------------------------------------------------------------

    def _check_fh(self, fh):
        if fh is None:
            return np.arange(1, self.horizon + 1)
        if hasattr(fh, "to_numpy") and not isinstance(fh, (pd.Index, pd.Series)):
            # sktime's ForecastingHorizon, relative.
            fh = fh.to_numpy()
        steps = np.atleast_1d(np.asarray(fh))
        if (
            steps.ndim != 1
            or steps.size == 0
            or steps.dtype.kind not in "iu"
            or (steps < 1).any()
        ):
            raise ValueError(
                "fh must be the steps ahead to forecast: an int >= 1 or a list of "
                f"them, such as [1, 2, 3]; got fh={fh!r}."
            )
        if self.strategy == "direct" and steps.max() > self.horizon:
            raise ValueError(
                f"fh reaches {int(steps.max())} steps ahead, beyond horizon="
                f"{self.horizon} of the direct strategy, whose network emits "
                f"{self.horizon} steps. Fit with horizon={int(steps.max())} or "
                "strategy='recursive'."
            )
        return steps.astype(np.int64)

    def _histories(self, y):
        """The histories forecast from: the training tails, or a new ``y``."""
        if y is None:
            return None, self._history, None
        series = parse_series(y, name="y")
        check_no_nan(series, "y")
        if series.n_columns != self.n_targets_:
            raise ValueError(
                f"y has {series.n_columns} column(s) but {type(self).__name__} was "
                f"fitted on series of {self.n_targets_}."
            )
        short = series.lengths.min()
        if short < self.window_:
            raise ValueError(
                f"The shortest series of y has {short} steps, but the forecaster "
                f"reads window_={self.window_} past steps; pass a longer history."
            )
        return series, np.stack([v[-self.window_ :] for v in series.values]), series

    def _quantile_paths(self, fh, X, y):
        """Forecasts ``(n_series, n_steps, n_targets, 1 + n_quantiles)`` (the
        mean, then the quantiles) of the steps ``1..max(fh)`` in original
        units, and the parsed ``y`` (or None)."""
        check_is_fitted(self)
        series, history, _ = self._histories(y)
        last = int(fh.max())
        covered = self._net_horizon if self.strategy == "direct" else last
        covariates = self._parse_covariates(X, series, fitting=False, future=covered)
        if covariates is None:
            cov_past = cov_all_future = None
        elif series is None:
            cov_past = self._history_covariates
            cov_all_future = [c[:covered] for c in covariates]
        else:
            lengths = series.lengths
            cov_past = np.stack(
                [
                    c[n - self.window_ : n]
                    for c, n in zip(covariates, lengths, strict=True)
                ]
            )
            cov_all_future = [
                c[n : n + covered] for c, n in zip(covariates, lengths, strict=True)
            ]
        if cov_all_future is not None:
            cov_all_future = np.stack(cov_all_future)
        paths = self._raw_paths(history, cov_past, cov_all_future, last)
        return self._calibrated(paths, history), series

    def _raw_paths(self, history, cov_past, cov_future, last):
        """Forecasts ``(n_windows, n_steps, n_targets, 1 + n_quantiles)`` of
        the windows ``history`` ``(n_windows, window, n_targets)``, steps
        ``1..last`` (the network's horizon with the direct strategy), before
        calibration."""
        if self.strategy == "direct":
            return self._forecast_block(history, cov_past, cov_future)
        steps = []
        for step in range(last):
            future = None if cov_future is None else cov_future[:, step : step + 1]
            out = self._forecast_block(history, cov_past, future)
            steps.append(out[:, 0])
            point = out[:, 0, :, 0]
            history = np.concatenate([history[:, 1:], point[:, None]], axis=1)
            if cov_past is not None:
                cov_past = np.concatenate([cov_past[:, 1:], future], axis=1)
        return np.stack(steps, axis=1)

    def _calibrated(self, paths, history):
        """``paths`` with the conformal offsets added to the quantiles (scaled
        by each history's spread; steps beyond ``horizon`` take the last
        step's), sorted so that they never cross."""
        if not self.quantiles_:
            return paths
        mean, scale, constant = _window_moments(history)
        offsets = self._quantile_offsets
        if offsets is None or not len(offsets):
            offsets = np.zeros((1, *paths.shape[2:3], paths.shape[-1] - 1))
        steps = np.minimum(np.arange(paths.shape[1]), len(offsets) - 1)
        quantiles = paths[..., 1:] + offsets[steps][None] * scale[:, None, :, None]
        # Sorting the quantiles never crosses them and is closer to the truth
        # than crossed quantiles (Chernozhukov et al., 2010).
        paths[..., 1:] = np.sort(quantiles, axis=-1)
        # A constant history is forecast as the constant, exactly.
        return np.where(constant[:, None, :, None], mean[:, None, :, None], paths)

    def _forecast_block(self, history, cov_past, cov_future):
        """One network pass: ``(n_series, net_horizon, n_targets, 1 +
        n_quantiles)``."""
        mean, scale, constant = _window_moments(history)
        inputs = _features(history, mean, scale, cov_past, cov_future)
        raw = self._forward(inputs.astype(np.float32))[1]
        n_levels = 1 + len(self.quantiles_)
        raw = raw.reshape(len(history), self._net_horizon, self.n_targets_, n_levels)
        raw[..., 1:] = np.sort(raw[..., 1:], axis=-1)
        out = raw * scale[:, None, :, None] + mean[:, None, :, None]
        # A constant history is forecast as the constant, exactly.
        out = np.where(constant[:, None, :, None], mean[:, None, :, None], out)
        return out

    def predict(self, fh=None, X=None, y=None):
        """Forecast the steps ``fh`` after the end of the history.

        Parameters
        ----------
        fh : int, list of int or None, default=None
            Steps ahead (1 is the next step). An int is one step, as in
            sktime; None forecasts ``1..horizon``.

        X : array-like, DataFrame, list of them, or None, default=None
            Covariates of the forecast steps, when fitted with covariates
            (see the class Notes).

        y : array-like, pandas Series or DataFrame, list of them, or None, \
default=None
            A new history to forecast from (series never seen in fit, with
            the global model); None forecasts the training series.

        Returns
        -------
        y_pred : ndarray, pandas Series or DataFrame, or list of them
            One row per step of ``fh``, in the form of ``y`` (see the class
            Notes).
        """
        fh = self._check_fh(fh)
        paths, series = self._quantile_paths(fh, X, y)
        points = paths[..., 0][:, fh - 1]
        return self._to_output(points, fh, series, columns=None)

    def predict_quantiles(self, fh=None, X=None, y=None, alpha=(0.1, 0.5, 0.9)):
        """Forecast quantiles of the steps ``fh``.

        Quantiles between the fitted ``quantiles_`` are interpolated linearly
        in the level; they never cross.

        Parameters
        ----------
        fh : int, list of int or None, default=None
            Steps ahead, as in :meth:`predict`.

        X : array-like, DataFrame, list of them, or None, default=None
            Covariates of the forecast steps, as in :meth:`predict`.

        y : array-like, pandas Series or DataFrame, list of them, or None, \
default=None
            A new history to forecast from, as in :meth:`predict`.

        alpha : float or list of float, default=(0.1, 0.5, 0.9)
            Quantile levels, within the range of ``quantiles_``.

        Returns
        -------
        quantiles : ndarray, DataFrame, or list of them
            For one series of an array: ``(len(fh), len(alpha))``, or
            ``(len(fh), n_columns, len(alpha))`` for several columns. For
            pandas input, a DataFrame with sktime's columns ``(variable,
            alpha)``.
        """
        fh = self._check_fh(fh)
        levels = self._check_levels(np.atleast_1d(np.asarray(alpha, dtype=float)))
        paths, series = self._quantile_paths(fh, X, y)
        values = _interpolate(paths[..., 1:], self.quantiles_, levels)[:, fh - 1]
        return self._to_output(values, fh, series, columns=list(levels))

    def predict_interval(self, fh=None, X=None, y=None, coverage=0.9):
        """Forecast intervals of the steps ``fh``, between quantiles.

        The interval of coverage ``c`` runs from the ``(1 - c) / 2`` to the
        ``(1 + c) / 2`` quantile.

        Parameters
        ----------
        fh : int, list of int or None, default=None
            Steps ahead, as in :meth:`predict`.

        X : array-like, DataFrame, list of them, or None, default=None
            Covariates of the forecast steps, as in :meth:`predict`.

        y : array-like, pandas Series or DataFrame, list of them, or None, \
default=None
            A new history to forecast from, as in :meth:`predict`.

        coverage : float or list of float, default=0.9
            Nominal coverage of each interval.

        Returns
        -------
        intervals : ndarray, DataFrame, or list of them
            For one series of an array and one coverage: ``(len(fh), 2)``,
            lower and upper bounds; several coverages or columns add axes
            before the last: ``(len(fh), [n_columns,] [n_coverages,] 2)``. For
            pandas input, a DataFrame with sktime's columns ``(variable,
            coverage, 'lower'/'upper')``.
        """
        fh = self._check_fh(fh)
        coverages = np.atleast_1d(np.asarray(coverage, dtype=float))
        if not ((coverages > 0) & (coverages < 1)).all():
            raise ValueError(
                f"coverage must be between 0 and 1 (exclusive); got {coverage!r}."
            )
        bounds = np.stack([(1 - coverages) / 2, (1 + coverages) / 2], axis=1)
        levels = self._check_levels(bounds.ravel())
        paths, series = self._quantile_paths(fh, X, y)
        values = _interpolate(paths[..., 1:], self.quantiles_, levels)[:, fh - 1]
        values = values.reshape(*values.shape[:-1], len(coverages), 2)
        if not np.ndim(coverage):
            values = values[..., 0, :]
        columns = [(c, side) for c in coverages.tolist() for side in ("lower", "upper")]
        return self._to_output(values, fh, series, columns=columns)

    def _check_levels(self, levels):
        check_is_fitted(self)
        if not self.quantiles_:
            raise ValueError(
                f"{type(self).__name__} was fitted with quantiles=None, so it has "
                "no intervals or quantiles; fit with quantiles, such as the "
                "default (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)."
            )
        if np.isnan(levels).any():
            raise ValueError(
                f"Quantile levels must be numbers between 0 and 1; got "
                f"{levels.tolist()!r}."
            )
        low, high = self.quantiles_[0], self.quantiles_[-1]
        outside = levels[(levels < low - 1e-12) | (levels > high + 1e-12)]
        if outside.size:
            raise ValueError(
                f"The quantile level(s) {outside.tolist()!r} lie outside the fitted "
                f"quantiles_ from {low} to {high}; fit with quantiles that include "
                "them."
            )
        return levels

    def _to_output(self, values, fh, series, *, columns):
        """Forecast arrays ``(n_series, len(fh), n_targets, ...)`` in the form
        of ``y``: the new history's, else the training series'."""
        form = self._form if series is None else _form_of(series)
        if series is None:
            indexes = [
                None if tail is None else index_from_tail(tail)
                for tail in form["tails"]
            ]
        else:
            indexes = series.indexes
        outputs = []
        for i, block in enumerate(values):
            if form["kind"] == "array":
                if form["one_column"]:
                    block = block[:, 0]
                outputs.append(block)
            else:
                outputs.append(_pandas_output(block, fh, indexes[i], form, columns))
        return outputs if form["is_list"] else outputs[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


# -- window arithmetic ---------------------------------------------------------------


def _sliding(values, width):
    """Every run of ``width`` consecutive rows: ``(n_runs, width, n_columns)``."""
    runs = np.lib.stride_tricks.sliding_window_view(values, width, axis=0)
    return np.moveaxis(runs, -1, 1)


def _window_moments(past):
    """Per-window, per-column mean and scale of ``past`` ``(n, window, k)``, and
    which windows are constant (their scale is set to 1)."""
    mean = past.mean(axis=1)
    spread = past.std(axis=1)
    constant = spread <= _CONSTANT * np.maximum(1.0, np.abs(mean))
    return mean, np.where(constant, 1.0, spread), constant


def _features(past, mean, scale, cov_past, cov_future):
    """Network input of each window: its scaled history, and with covariates,
    the covariates of the history and then of the future steps (whose target
    features are zero and flagged as unobserved), standardised by the
    window's own covariates (a trending covariate, such as real consumption,
    otherwise reaches levels never seen in fit, see :doc:`/benchmarks`)."""
    scaled = (past - mean[:, None, :]) / scale[:, None, :]
    if cov_past is None:
        return scaled
    n, ahead = len(past), cov_future.shape[1]
    cov_mean, cov_scale, _ = _window_moments(cov_past)
    cov_past = (cov_past - cov_mean[:, None, :]) / cov_scale[:, None, :]
    cov_future = (cov_future - cov_mean[:, None, :]) / cov_scale[:, None, :]
    observed = np.concatenate(
        [
            np.concatenate([scaled, cov_past, np.ones((n, past.shape[1], 1))], axis=2),
            np.concatenate(
                [
                    np.zeros((n, ahead, past.shape[2])),
                    cov_future,
                    np.zeros((n, ahead, 1)),
                ],
                axis=2,
            ),
        ],
        axis=1,
    )
    return observed


def _interpolate(paths, quantiles, levels):
    """Quantiles at ``levels`` interpolated between the fitted ``quantiles``."""
    fitted = np.asarray(quantiles)
    if len(fitted) == 1:
        return np.repeat(paths, len(levels), axis=-1)
    levels = np.clip(levels, fitted[0], fitted[-1])
    upper = np.clip(np.searchsorted(fitted, levels, side="left"), 1, len(fitted) - 1)
    lower = upper - 1
    share = (levels - fitted[lower]) / (fitted[upper] - fitted[lower])
    return paths[..., lower] * (1 - share) + paths[..., upper] * share


# -- output form -----------------------------------------------------------------------


def _form_of(series):
    return {
        "kind": series.kind,
        "is_list": series.is_list,
        "one_column": series.one_column,
        "columns": None if series.columns is None else _json_names(series.columns),
        "tails": [
            None if index is None else index_tail(index) for index in series.indexes
        ],
    }


def _json_names(columns):
    return [c if isinstance(c, (int, str)) or c is None else str(c) for c in columns]


def _pandas_output(block, fh, index, form, columns):
    new_index = steps_ahead(index, fh)
    names = form["columns"]
    if columns is None:
        if form["kind"] == "series":
            return pd.Series(block[:, 0], index=new_index, name=names[0])
        return pd.DataFrame(block, index=new_index, columns=names)
    variables = [0 if n is None else n for n in names]
    flat = block.reshape(len(block), -1)
    if isinstance(columns[0], tuple):
        keys = [(v, *c) for v in variables for c in columns]
    else:
        keys = [(v, c) for v in variables for c in columns]
    return pd.DataFrame(flat, index=new_index, columns=pd.MultiIndex.from_tuples(keys))
