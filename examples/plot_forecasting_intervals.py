"""
Forecasting with RNNForecaster: airline passengers and quantiles
================================================================

:class:`~skrnn.RNNForecaster` does what
:ref:`the lag-window example <sphx_glr_auto_examples_plot_forecasting_lag_windows.py>`
does by hand: it cuts the series into windows, standardises each by its own
history, trains one network to emit the whole horizon, and forecasts with
quantiles. We fit it on the airline series up to 1958 with nothing but
``horizon=24`` and forecast 1959 and 1960.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from skrnn import RNNForecaster
from skrnn.datasets import fetch_airline

airline = fetch_airline()
months = pd.PeriodIndex(airline.dates, freq="M")
passengers = pd.Series(airline.data, index=months, name="passengers")
horizon = 24
history, future = passengers[:-horizon], passengers[-horizon:]

# %%
# Fit and forecast
# ----------------
#
# The window is the seasonal period found in the series (12 months). The
# forecast is a pandas Series whose PeriodIndex continues the history's.

forecaster = RNNForecaster(horizon=horizon, random_state=0).fit(history)
forecast = forecaster.predict()
intervals = forecaster.predict_interval(coverage=[0.5, 0.9])
print(f"window: {forecaster.window_} months, {forecaster.n_iter_} epochs")
print(f"calibrated on {forecaster.n_calibration_windows_} held-out windows")
print(forecast.head(3))

# MASE: the mean absolute error over that of the in-sample seasonal naive.
values = history.to_numpy()
scale = np.mean(np.abs(values[12:] - values[:-12]))
print(f"MASE: {np.mean(np.abs(future - forecast)) / scale:.2f}")
seasonal_naive = np.resize(values[-12:], horizon)
print(f"seasonal naive MASE: {np.mean(np.abs(future - seasonal_naive)) / scale:.2f}")

# %%
# Plot
# ----
#
# The quantiles are learnt beside the forecast and calibrated on the last
# months of the history, forecast by a network that did not see them (split
# conformal): the 90 % band is as wide as the errors on those held-out months
# ask (the benchmarks page has the coverage measured over rolling origins).

fig, ax = plt.subplots(figsize=(8, 4))
x_hist = history.index.to_timestamp()
x_future = forecast.index.to_timestamp()
ax.plot(x_hist, history, color="0.3", label="history")
ax.plot(x_future, future, color="0.3", linestyle=":", label="held out")
ax.plot(x_future, forecast, color="C0", label="forecast")
for coverage, alpha in [(0.9, 0.15), (0.5, 0.3)]:
    lower = intervals[("passengers", coverage, "lower")]
    upper = intervals[("passengers", coverage, "upper")]
    ax.fill_between(
        x_future,
        lower,
        upper,
        color="C0",
        alpha=alpha,
        lw=0,
        label=f"{coverage:.0%} interval",
    )
ax.set_ylabel("passengers (thousands)")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()
