"""RNNForecaster: forms of input and output, intervals, covariates, bad input."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

import skrnn
from skrnn import RNNForecaster
from skrnn._data.series import parse_series, seasonal_period, steps_ahead
from skrnn._modules import SequenceLoss

TINY = dict(hidden_size=8, max_epochs=3, random_state=0)


def _seasonal(n=48, period=6, level=10.0, seed=0):
    rng = np.random.RandomState(seed)
    t = np.arange(n)
    return level + np.sin(2 * np.pi * t / period) + 0.02 * t + 0.05 * rng.randn(n)


def _monthly(values, name="passengers"):
    index = pd.period_range("2000-01", periods=len(values), freq="M")
    return pd.Series(values, index=index, name=name)


# -- forms of input and output --


def test_numpy_series_gives_numpy_forecasts_of_the_horizon():
    forecaster = RNNForecaster(horizon=4, **TINY).fit(_seasonal())
    y_pred = forecaster.predict()
    assert isinstance(y_pred, np.ndarray) and y_pred.shape == (4,)
    assert np.isfinite(y_pred).all()
    # An int is one step, as in sktime; a list picks steps.
    assert forecaster.predict(fh=2).shape == (1,)
    np.testing.assert_allclose(forecaster.predict(fh=[1, 3]), y_pred[[0, 2]])


def test_window_auto_is_the_seasonal_period():
    forecaster = RNNForecaster(horizon=2, **TINY).fit(_seasonal(period=6))
    assert forecaster.season_ == 6 and forecaster.window_ == 6
    assert RNNForecaster(horizon=2, window=5, **TINY).fit(_seasonal()).window_ == 5


def test_seasonal_period_of_noise_is_one():
    assert seasonal_period([np.random.RandomState(0).randn(200, 1)]) == 1
    assert seasonal_period([_seasonal(120, period=12)[:, None]]) == 12


@pytest.mark.parametrize(
    "index",
    [
        pd.period_range("2000-01", periods=48, freq="M"),
        pd.date_range("2000-01-01", periods=48, freq="MS"),
        pd.RangeIndex(10, 10 + 2 * 48, 2),
    ],
    ids=["period", "datetime", "range"],
)
def test_pandas_index_is_extended(index):
    y = pd.Series(_seasonal(), index=index, name="sales")
    forecaster = RNNForecaster(horizon=3, **TINY).fit(y)
    y_pred = forecaster.predict()
    expected = steps_ahead(index, np.arange(1, 4))
    assert isinstance(y_pred, pd.Series) and y_pred.name == "sales"
    pd.testing.assert_index_equal(y_pred.index, expected)
    if isinstance(index, pd.RangeIndex):
        assert list(y_pred.index) == [106, 108, 110]
    else:
        assert y_pred.index[0] == index[-1] + index.freq


def test_dataframe_forecasts_every_column():
    y = pd.DataFrame(
        {"a": _seasonal(), "b": 3 * _seasonal(seed=1)},
        index=pd.period_range("2000-01", periods=48, freq="M"),
    )
    y_pred = RNNForecaster(horizon=2, **TINY).fit(y).predict()
    assert isinstance(y_pred, pd.DataFrame) and list(y_pred.columns) == ["a", "b"]
    assert str(y_pred.index[0]) == "2004-01"
    two_d = RNNForecaster(horizon=2, **TINY).fit(y.to_numpy()).predict()
    assert two_d.shape == (2, 2)


def test_list_of_series_is_one_global_model_and_forecasts_new_series():
    series = [_seasonal(40), 100 * _seasonal(55, seed=1)]
    forecaster = RNNForecaster(horizon=3, **TINY).fit(series)
    y_pred = forecaster.predict()
    assert isinstance(y_pred, list) and [p.shape for p in y_pred] == [(3,), (3,)]
    # A new history, never seen in fit.
    new = forecaster.predict(y=_seasonal(30, seed=2))
    assert new.shape == (3,)


def test_windows_are_scaled_by_their_own_history():
    # Every window is standardised by its own mean and spread, so a series at
    # another level is forecast at that level.
    y = _seasonal()
    forecaster = RNNForecaster(horizon=3, **TINY).fit(y)
    np.testing.assert_allclose(
        forecaster.predict(y=1000 * y + 5),
        1000 * forecaster.predict(y=y) + 5,
        rtol=1e-5,
    )


def test_recursive_strategy_forecasts_beyond_horizon():
    forecaster = RNNForecaster(horizon=2, strategy="recursive", **TINY).fit(
        _monthly(_seasonal())
    )
    y_pred = forecaster.predict(fh=[1, 5, 9])
    assert str(y_pred.index[-1]) == "2004-09"
    assert forecaster.predict_interval(fh=[1, 9]).shape == (2, 2)


# -- intervals and quantiles --


def test_intervals_and_quantiles_have_the_documented_shapes_and_never_cross():
    forecaster = RNNForecaster(horizon=4, **TINY).fit(_seasonal())
    intervals = forecaster.predict_interval(coverage=0.8)
    assert intervals.shape == (4, 2)
    assert (intervals[:, 0] <= intervals[:, 1]).all()
    quantiles = forecaster.predict_quantiles(alpha=[0.05, 0.1, 0.3, 0.5, 0.9, 0.95])
    assert quantiles.shape == (4, 6)
    assert (np.diff(quantiles, axis=1) >= 0).all()
    with pytest.raises(ValueError, match=r"numbers between 0 and 1; got \[0.5, nan\]"):
        forecaster.predict_quantiles(alpha=[0.5, np.nan])
    nested = forecaster.predict_interval(coverage=[0.5, 0.9])
    assert nested.shape == (4, 2, 2)
    assert (nested[:, 1, 0] <= nested[:, 0, 0]).all()
    assert (nested[:, 0, 1] <= nested[:, 1, 1]).all()


def test_pandas_intervals_use_sktimes_columns():
    forecaster = RNNForecaster(horizon=2, **TINY).fit(_monthly(_seasonal()))
    intervals = forecaster.predict_interval(coverage=0.9)
    assert list(intervals.columns) == [
        ("passengers", 0.9, "lower"),
        ("passengers", 0.9, "upper"),
    ]
    quantiles = forecaster.predict_quantiles(alpha=[0.1, 0.9])
    assert list(quantiles.columns) == [("passengers", 0.1), ("passengers", 0.9)]
    assert str(quantiles.index[0]) == "2004-01"


def test_quantiles_none_has_no_intervals():
    forecaster = RNNForecaster(horizon=2, quantiles=None, **TINY).fit(_seasonal())
    assert forecaster.predict().shape == (2,)
    with pytest.raises(ValueError, match="quantiles=None"):
        forecaster.predict_interval()


def test_levels_outside_the_fitted_quantiles_are_refused():
    forecaster = RNNForecaster(horizon=2, quantiles=(0.2, 0.5, 0.8), **TINY)
    forecaster.fit(_seasonal())
    with pytest.raises(ValueError, match=r"outside the fitted quantiles_ from 0.2"):
        forecaster.predict_interval(coverage=0.9)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        RNNForecaster(quantiles=(0.5, 1.0), **TINY).fit(_seasonal())


def test_pinball_loss_weighs_means_and_quantiles_alike():
    levels = [float("nan"), 0.1, 0.9]
    loss = SequenceLoss("pinball", quantiles=levels)
    y_pred = torch.zeros(1, 3)
    target = torch.full((1, 3), 2.0)
    # Squared error 4 for the mean; 0.1 * 2 and 0.9 * 2 for the quantiles.
    expected = 4.0 + (0.2 + 1.8) / 2
    assert float(loss(y_pred, target, torch.ones(1))) == pytest.approx(expected)


# -- covariates --


def test_covariates_known_in_the_future():
    y = _seasonal()
    X = np.c_[np.arange(48) % 6, np.cos(np.arange(48))]
    forecaster = RNNForecaster(horizon=3, **TINY).fit(y, X=X)
    assert forecaster.n_covariates_ == 2
    future = np.c_[np.arange(48, 51) % 6, np.cos(np.arange(48, 51))]
    assert forecaster.predict(X=future).shape == (3,)
    # With a new history, X covers it and then the forecast steps.
    assert forecaster.predict(y=y[:30], X=X[:33]).shape == (3,)


def test_covariate_errors():
    y = _seasonal()
    X = np.arange(48.0)[:, None]
    forecaster = RNNForecaster(horizon=3, **TINY).fit(y, X=X)
    with pytest.raises(ValueError, match="fitted with 1 covariate"):
        forecaster.predict()
    with pytest.raises(ValueError, match="X has 2 rows but must cover the 3"):
        forecaster.predict(X=X[:2])
    with pytest.raises(ValueError, match="one row per step of y"):
        RNNForecaster(horizon=3, **TINY).fit(y, X=X[:40])
    plain = RNNForecaster(horizon=3, **TINY).fit(y)
    with pytest.raises(ValueError, match="fitted without covariates"):
        plain.predict(X=X[:3])


# -- bad input --


def test_nan_in_history_says_where_and_how_to_fill():
    y = _monthly(_seasonal())
    y.iloc[7] = np.nan
    with pytest.raises(
        ValueError, match=r"1 missing \(NaN\) step.*2000-08.*interpolate"
    ):
        RNNForecaster(**TINY).fit(y)
    with pytest.raises(ValueError, match=r"y\[1\] has 1 missing .* step 3"):
        RNNForecaster(**TINY).fit([_seasonal(), np.r_[1.0, 2, 3, np.nan, 5, 6, 7, 8]])


def test_series_too_short_for_window_and_horizon():
    with pytest.raises(ValueError, match=r"has 10 steps.*window=8.*need 13"):
        RNNForecaster(horizon=5, window=8, **TINY).fit(np.arange(10.0))
    with pytest.raises(ValueError, match=r"has 3 steps"):
        RNNForecaster(horizon=3, **TINY).fit(np.arange(3.0))


def test_fh_beyond_horizon_with_direct_strategy():
    forecaster = RNNForecaster(horizon=3, **TINY).fit(_seasonal())
    with pytest.raises(ValueError, match="beyond horizon=3.*strategy='recursive'"):
        forecaster.predict(fh=[1, 4])
    with pytest.raises(ValueError, match="fh must be the steps ahead"):
        forecaster.predict(fh=0)


def test_index_out_of_order_or_duplicated():
    y = _monthly(_seasonal())
    with pytest.raises(ValueError, match="not in increasing time order.*sort_index"):
        RNNForecaster(**TINY).fit(y.iloc[::-1])
    duplicated = pd.Series(y.to_numpy(), index=list(range(47)) + [46])
    with pytest.raises(ValueError, match="duplicated time points"):
        RNNForecaster(**TINY).fit(duplicated)


def test_mixed_frequencies_across_a_list():
    monthly = _monthly(_seasonal())
    daily = pd.Series(_seasonal(), index=pd.date_range("2000", periods=48, freq="D"))
    with pytest.raises(ValueError, match="mixed frequencies"):
        parse_series([monthly.to_timestamp(), daily])


def test_constant_series_forecasts_the_constant():
    forecaster = RNNForecaster(horizon=3, **TINY).fit(np.full(30, 7.5))
    np.testing.assert_array_equal(forecaster.predict(), np.full(3, 7.5))
    np.testing.assert_array_equal(forecaster.predict_interval(), np.full((3, 2), 7.5))
    # A constant new history of a model fitted on varying series, too.
    fitted = RNNForecaster(horizon=3, **TINY).fit(_seasonal())
    np.testing.assert_array_equal(fitted.predict(y=np.zeros(20)), np.zeros(3))


# -- the estimator contract --


def test_clone_params_pickle_and_seeds():
    forecaster = RNNForecaster(horizon=3, **TINY)
    assert clone(forecaster).get_params() == forecaster.get_params()
    y = _seasonal()
    first = forecaster.fit(y).predict()
    np.testing.assert_array_equal(clone(forecaster).fit(y).predict(), first)
    restored = pickle.loads(pickle.dumps(forecaster))
    np.testing.assert_array_equal(restored.predict(), first)


def test_save_and_load_keep_forecasts_and_index(tmp_path):
    forecaster = RNNForecaster(horizon=3, **TINY).fit(_monthly(_seasonal()))
    path = tmp_path / "forecaster.skrnn"
    skrnn.save(forecaster, path)
    loaded = skrnn.load(path)
    assert loaded.get_params() == forecaster.get_params()
    pd.testing.assert_series_equal(loaded.predict(), forecaster.predict())
    pd.testing.assert_frame_equal(
        loaded.predict_interval(), forecaster.predict_interval()
    )


def test_warm_start_continues_and_keeps_the_shape():
    forecaster = RNNForecaster(horizon=3, warm_start=True, **TINY).fit(_seasonal())
    forecaster.fit(_seasonal(seed=1))
    assert forecaster.n_iter_ == 2 * TINY["max_epochs"]
    forecaster.set_params(horizon=4)
    with pytest.raises(ValueError, match="warm_start=True"):
        forecaster.fit(_seasonal())
    assert forecaster.window_ == 6


def test_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        RNNForecaster().predict()


# -- calibration and stopping --


def _ar_seasonal(n, seed=0):
    """A season of 12 plus AR(1) noise of unit innovations: forecast errors
    are real, so intervals have something to cover."""
    rng = np.random.RandomState(seed)
    noise = np.zeros(n)
    for t in range(1, n):
        noise[t] = 0.5 * noise[t - 1] + rng.randn()
    return 10 + 3 * np.sin(2 * np.pi * np.arange(n) / 12) + noise


def _coverage_90(forecaster, y, start, horizon):
    # Every origin after the training series, forecast from its history.
    origins = range(start, len(y) - horizon + 1)
    intervals = forecaster.predict_interval(y=[y[:o] for o in origins], coverage=0.9)
    intervals = np.asarray(intervals)
    truth = np.stack([y[o : o + horizon] for o in origins])
    return ((truth >= intervals[..., 0]) & (truth <= intervals[..., 1])).mean()


def test_conformal_intervals_cover_near_their_nominal_level():
    y, n_fit, horizon = _ar_seasonal(320), 120, 3
    settings = dict(horizon=horizon, hidden_size=8, random_state=0)
    calibrated = RNNForecaster(max_epochs=150, n_iter_no_change=20, **settings)
    calibrated.fit(y[:n_fit])
    assert calibrated.n_calibration_windows_ == 20
    assert 0.8 <= _coverage_90(calibrated, y, n_fit, horizon) <= 0.98
    # The network's own quantiles, trained as before (300 epochs on the
    # training loss), fit the training windows and cover far less.
    raw = RNNForecaster(
        max_epochs=300, early_stopping=False, calibration=None, **settings
    )
    with pytest.warns(ConvergenceWarning):
        raw.fit(y[:n_fit])
    assert raw.n_calibration_windows_ == 0
    assert _coverage_90(raw, y, n_fit, horizon) < 0.8
    quantiles = calibrated.predict_quantiles(alpha=[0.05, 0.1, 0.25, 0.5, 0.9, 0.95])
    assert (np.diff(quantiles, axis=1) >= 0).all()


def test_default_fit_of_an_ordinary_series_stops_by_itself():
    # The held-out fit's best epoch sets the number of epochs, well under
    # max_epochs: no ConvergenceWarning at the defaults.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        forecaster = RNNForecaster(horizon=3, hidden_size=8, random_state=0)
        forecaster.fit(_ar_seasonal(100))
    assert forecaster.n_iter_ < forecaster.max_epochs
    assert np.isfinite(forecaster.predict()).all()


def test_short_series_are_not_calibrated_and_early_stopping_true_says_why():
    # 16 steps hold one held-out origin only if the rest (16 - 3) keeps 8
    # training windows of 4 steps and 3 targets: it does not.
    forecaster = RNNForecaster(horizon=3, window=4, **TINY).fit(_seasonal(16))
    assert forecaster.n_calibration_windows_ == 0
    assert forecaster.predict_interval().shape == (3, 2)
    with pytest.raises(ValueError, match="early_stopping=True holds the last"):
        RNNForecaster(horizon=3, window=4, early_stopping=True, **TINY).fit(
            _seasonal(16)
        )


def test_quantile_offsets_are_conformal_ranks_of_the_scaled_errors():
    from skrnn._conformal import quantile_offsets

    # 19 windows whose truth sits 1..19 window-spreads above a zero quantile.
    n = 19
    truth = np.arange(1.0, n + 1)[:, None, None] * 2.0  # spread 2
    quantiles = np.zeros((n, 1, 1, 3))
    offsets = quantile_offsets(quantiles, truth, np.full((n, 1), 2.0), [0.1, 0.5, 0.9])
    # Ranks floor(20 * 0.1) = 2, ceil(20 * 0.5) = 10, ceil(20 * 0.9) = 18.
    np.testing.assert_array_equal(offsets[0, 0], [2.0, 10.0, 18.0])


def test_an_irregular_time_index_is_named_when_forecasts_are_dated():
    y = _seasonal()
    index = pd.date_range("2020-01-01", periods=len(y) + 1, freq="D").delete(5)
    forecaster = RNNForecaster(horizon=2, **TINY).fit(pd.Series(y, index=index))
    with pytest.raises(ValueError, match="time index of y has no frequency"):
        forecaster.predict()


def test_values_whose_squares_overflow_are_refused():
    y = _seasonal() * 1e300
    with pytest.raises(ValueError, match="values up to 1.*e\\+301 in magnitude"):
        RNNForecaster(horizon=2, **TINY).fit(y)
