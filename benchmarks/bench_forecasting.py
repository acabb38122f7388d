"""RNNForecaster at its defaults (and ``horizon``) beside classical baselines.

On each data set the last ``horizon`` steps are held out and forecast in one
call after fitting on the rest, once per seed (0-4 by default). Reported per
model: MASE (mean absolute error scaled by the in-sample seasonal naive
forecast, naive for annual data), median and worst over the seeds; fit and
predict time; and for RNNForecaster the empirical coverage of its 90 %
interval over rolling origins (the model refitted at ``--origins`` origins,
``horizon // 2`` steps apart, ending with the evaluation one), pooled over
steps, origins and seeds.

Baselines, measured in the same run: seasonal naive (or naive), and
statsmodels' ExponentialSmoothing (additive damped trend; multiplicative
season for airline), skipped with a message when statsmodels is not
installed (``pip install skrnn[benchmarks]``).

Data sets (from ``../shared/data`` or ``--data-dir``; an absent one is
skipped): ``airline`` (monthly passengers, 144 months, horizon 24),
``nile`` (annual flow, 100 years, horizon 10), ``macrodata`` (quarterly US
real GDP, 203 quarters, horizon 12) and ``macrodata_cov`` (the same with
real consumption and investment as covariates known in the future).

Examples
--------
Defaults, every data set::

    OMP_NUM_THREADS=1 python benchmarks/bench_forecasting.py

A variant on one data set::

    python benchmarks/bench_forecasting.py -d airline -p window=24 --tag w24
"""

import argparse
import ast
import statistics
import time
import warnings

import _harness
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from skrnn import RNNForecaster

DEFAULT_DATA_DIR = _harness.SHARED_DATA_DIR


def load(data_dir, name):
    """``(y, X or None, horizon, season)`` of a data set, or None if absent."""
    if name == "airline":
        path = data_dir / "airline" / "Airline.csv"
        if not path.is_file():
            return None
        table = pd.read_csv(path)
        index = pd.PeriodIndex(table["Date"], freq="M")
        return pd.Series(table["Passengers"].to_numpy(float), index=index), None, 24, 12
    if name == "nile":
        path = data_dir / "statsmodels" / "nile.csv"
        if not path.is_file():
            return None
        table = pd.read_csv(path)
        index = pd.PeriodIndex(table["year"].astype(str), freq="Y")
        return pd.Series(table["volume"].to_numpy(float), index=index), None, 10, 1
    if name.startswith("macrodata"):
        path = data_dir / "statsmodels" / "macrodata.csv"
        if not path.is_file():
            return None
        table = pd.read_csv(path)
        index = pd.PeriodIndex(
            [
                f"{int(y)}Q{int(q)}"
                for y, q in zip(table.year, table.quarter, strict=True)
            ],
            freq="Q",
        )
        y = pd.Series(table["realgdp"].to_numpy(float), index=index, name="realgdp")
        X = None
        if name == "macrodata_cov":
            X = table[["realcons", "realinv"]].set_axis(index)
        return y, X, 12, 4
    raise ValueError(name)


DATASETS = ["airline", "nile", "macrodata", "macrodata_cov"]


def mase(y_true, y_pred, y_train, season):
    scale = np.mean(np.abs(y_train[season:] - y_train[:-season]))
    return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))) / scale)


def seasonal_naive(y_train, horizon, season):
    last = y_train[-season:]
    return np.resize(last, horizon)


def ets_forecast(y_train, horizon, season, name):
    """statsmodels ExponentialSmoothing, or None when it is not installed."""
    try:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
    except ImportError:
        return None
    seasonal = "mul" if name == "airline" else None
    model = ExponentialSmoothing(
        np.asarray(y_train),
        trend="add",
        damped_trend=True,
        seasonal=seasonal,
        seasonal_periods=season if seasonal else None,
        initialization_method="estimated",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        fitted = model.fit()
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        forecast = fitted.forecast(horizon)
        predict_s = time.perf_counter() - start
    return forecast, fit_s, predict_s


def run_forecaster(y, X, horizon, origin, seed, params):
    """Fit on ``y[:origin]`` and forecast ``horizon`` steps (fewer at the end)."""
    forecaster = RNNForecaster(horizon=horizon, random_state=seed, **params)
    X_fit = None if X is None else X.iloc[:origin]
    steps = min(horizon, len(y) - origin)
    X_future = None if X is None else X.iloc[origin : origin + horizon]
    if X is not None and len(X_future) < horizon:
        return None  # the covariates do not cover the direct horizon
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        forecaster.fit(y.iloc[:origin], X=X_fit)
        fit_s = time.perf_counter() - start
    fh = np.arange(1, steps + 1)
    start = time.perf_counter()
    y_pred = forecaster.predict(fh=fh, X=X_future)
    predict_s = time.perf_counter() - start
    intervals = forecaster.predict_interval(fh=fh, X=X_future, coverage=0.9)
    return forecaster, y_pred, intervals, fit_s, predict_s


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=_harness.Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("-d", "--datasets", nargs="+", default=DATASETS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--origins", type=int, default=3)
    parser.add_argument("-p", "--param", action="append", default=[])
    parser.add_argument("--tag", default=None)
    _harness.add_output_argument(parser)
    args = parser.parse_args()
    params = {}
    for item in args.param:
        key, _, value = item.partition("=")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value

    payload = _harness.environment("bench_forecasting")
    payload.update(params=params, seeds=args.seeds, results={})
    rows = []
    for name in args.datasets:
        loaded = load(args.data_dir, name)
        if loaded is None:
            print(f"{name}: not found under {args.data_dir}, skipped")
            continue
        y, X, horizon, season = loaded
        origin = len(y) - horizon
        y_train, y_test = y.to_numpy()[:origin], y.to_numpy()[origin:]
        scores, fits, predicts = [], [], []
        covered = total = 0
        # The evaluation origin last; the earlier ones only for coverage.
        origins = [origin - k * (horizon // 2) for k in range(args.origins)][::-1]
        for start in origins:
            for seed in args.seeds:
                result = run_forecaster(y, X, horizon, start, seed, params)
                if result is None:
                    continue
                _, y_pred, intervals, fit_s, predict_s = result
                truth = y.to_numpy()[start : start + len(y_pred)]
                lower, upper = np.asarray(intervals).T
                covered += int(((truth >= lower) & (truth <= upper)).sum())
                total += len(truth)
                if start == origin:
                    scores.append(mase(y_test, y_pred, y_train, season))
                    fits.append(fit_s)
                    predicts.append(predict_s)
        coverage = covered / total if total else float("nan")
        entry = {
            "RNNForecaster": {
                "mase": scores,
                "mase_median": statistics.median(scores),
                "mase_worst": max(scores),
                "fit_s": statistics.median(fits),
                "predict_s": statistics.median(predicts),
                "coverage_90": coverage,
            }
        }
        rows.append(
            (
                name,
                "RNNForecaster",
                entry["RNNForecaster"]["mase_median"],
                max(scores),
                statistics.median(fits),
                statistics.median(predicts),
                coverage,
            )
        )
        label = "seasonal naive" if season > 1 else "naive"
        naive = mase(y_test, seasonal_naive(y_train, horizon, season), y_train, season)
        entry[label] = {"mase_median": naive}
        rows.append((name, label, naive, naive, None, None, None))
        ets = ets_forecast(y_train, horizon, season, name)
        if ets is None:
            print("statsmodels is not installed: ExponentialSmoothing skipped")
        else:
            forecast, fit_s, predict_s = ets
            score = mase(y_test, forecast, y_train, season)
            entry["ExponentialSmoothing"] = {
                "mase_median": score,
                "fit_s": fit_s,
                "predict_s": predict_s,
            }
            rows.append(
                (name, "ExponentialSmoothing", score, score, fit_s, predict_s, None)
            )
        payload["results"][name] = entry

    print(f"\nload average {payload['load_average'][0]:.1f}; seeds {args.seeds}")
    print(
        f"{'data':<14} {'model':<22} {'MASE med':>8} {'worst':>7} {'fit':>7} "
        f"{'predict':>8} {'cov90':>6}"
    )
    for name, model, med, worst, fit_s, predict_s, coverage in rows:
        fit_txt = "-" if fit_s is None else f"{fit_s:.2f}s"
        pred_txt = "-" if predict_s is None else f"{1e3 * predict_s:.1f}ms"
        cov_txt = "-" if coverage is None else f"{coverage:.2f}"
        print(
            f"{name:<14} {model:<22} {med:8.3f} {worst:7.3f} {fit_txt:>7} "
            f"{pred_txt:>8} {cov_txt:>6}"
        )
    if args.tag:
        payload["benchmark"] = f"bench_forecasting_{args.tag}"
    _harness.save(payload, args.output)


if __name__ == "__main__":
    main()
