"""The sktime adapter passes sktime's own conformance suite for forecasters."""

import warnings

import numpy as np
import pytest

sktime = pytest.importorskip("sktime")

from sktime.utils.estimator_checks import check_estimator  # noqa: E402

from skrnn.sktime import RNNForecaster  # noqa: E402


def test_adapter_passes_sktimes_check_estimator():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(RNNForecaster, raise_exceptions=False)
    failed = {name: result for name, result in results.items() if result != "PASSED"}
    assert not failed


def test_adapter_forecasts_with_sktimes_index():
    pd = pytest.importorskip("pandas")
    index = pd.period_range("2000-01", periods=48, freq="M")
    y = pd.Series(10 + np.sin(np.arange(48) * np.pi / 3), index=index)
    forecaster = RNNForecaster(hidden_size=4, max_epochs=2, random_state=0)
    y_pred = forecaster.fit(y, fh=[1, 2, 3]).predict()
    assert str(y_pred.index[0]) == "2004-01" and len(y_pred) == 3
    intervals = forecaster.predict_interval(coverage=0.9)
    assert intervals.shape == (3, 2)
