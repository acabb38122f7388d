"""Time series input of the forecaster: one series, several, or a list of them.

Parses ``y`` (and the covariates ``X`` aligned with it) into float64 arrays of
shape ``(n_steps, n_columns)``, checks what a forecaster cannot work with (NaN,
an index out of order, mixed frequencies) and remembers the input's form, so
that forecasts come back in it: a pandas index extended past the end of the
history, numpy as numpy, a list as a list. Returns data; sets no state.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class SeriesSet:
    """Parsed series and the form they came in.

    ``values`` holds one ``(n_steps_i, n_columns)`` float64 array per series;
    ``kind`` is ``'array'``, ``'series'`` or ``'frame'`` (the form of each
    series), ``is_list`` whether they came as a list, ``one_column`` whether a
    series was 1-D (an array of one dimension or a pandas Series), ``columns``
    the column names (``None`` for arrays), ``indexes`` each series' pandas
    index (``None`` for arrays).
    """

    values: list
    kind: str
    is_list: bool
    one_column: bool
    columns: list
    indexes: list

    @property
    def lengths(self):
        return np.array([len(v) for v in self.values], dtype=np.int64)

    @property
    def n_columns(self):
        return self.values[0].shape[1]


def parse_series(data, *, name="y"):
    """``data`` (one series, a 2-D table, or a list of them) as a SeriesSet."""
    if isinstance(data, (list, tuple)) and len(data) and _is_series_like(data[0]):
        items, is_list = list(data), True
    else:
        items, is_list = [data], False
    if is_list and not items:
        raise ValueError(f"{name} is an empty list; pass at least one series.")
    parsed = [
        _parse_one(item, name, i if is_list else None) for i, item in enumerate(items)
    ]
    kinds = {p[1] for p in parsed}
    if len(kinds) > 1:
        raise ValueError(
            f"The series of {name} come in different forms ({sorted(kinds)}); pass "
            "them all as numpy arrays, all as pandas Series or all as DataFrames."
        )
    widths = {p[0].shape[1] for p in parsed}
    if len(widths) > 1:
        raise ValueError(
            f"The series of {name} have different numbers of columns "
            f"({sorted(widths)}); every series must have the same columns."
        )
    indexes = [p[3] for p in parsed]
    if indexes[0] is not None:
        freqs = {_freq_name(index) for index in indexes}
        if len(freqs) > 1:
            raise ValueError(
                f"The series of {name} have mixed frequencies "
                f"{sorted(map(str, freqs))}; "
                "resample them to one frequency (for example with "
                "series.resample(...).mean()) before forecasting them together."
            )
    return SeriesSet(
        values=[p[0] for p in parsed],
        kind=parsed[0][1],
        is_list=is_list,
        one_column=parsed[0][2],
        columns=parsed[0][4],
        indexes=indexes,
    )


def _is_series_like(item):
    return isinstance(item, (np.ndarray, pd.Series, pd.DataFrame, list, tuple))


def _parse_one(item, name, position):
    where = f"{name}[{position}]" if position is not None else name
    index = columns = None
    if isinstance(item, pd.Series):
        kind, one_column, index = "series", True, item.index
        columns = [item.name]
        raw = item.to_numpy()
    elif isinstance(item, pd.DataFrame):
        kind, one_column, index = "frame", False, item.index
        columns = list(item.columns)
        raw = item.to_numpy()
    else:
        kind = "array"
        raw = np.asarray(item)
        one_column = raw.ndim == 1
    try:
        values = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{where} must hold numbers; got values of dtype {np.asarray(raw).dtype}."
        ) from exc
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(
            f"{where} must be one series: a 1-D array or pandas Series of "
            "steps, or a 2-D array or DataFrame of shape (n_steps, n_columns); "
            f"got shape {np.shape(raw)}."
        )
    if np.isinf(values).any():
        raise ValueError(f"{where} holds infinite values; forecasts need finite ones.")
    largest = np.nanmax(np.abs(values), initial=0.0)
    if largest > _LARGEST_VALUE:
        raise ValueError(
            f"{where} holds values up to {largest:.3g} in magnitude; the windows' "
            f"spreads square them, which overflows beyond {_LARGEST_VALUE:.0e}. "
            "Rescale the series (divide it by a power of ten) first."
        )
    if index is not None:
        _check_index(index, where)
    return values, kind, one_column, index, columns


#: The largest magnitude of a series' values: squared (the window moments),
#: it stays finite in float64.
_LARGEST_VALUE = 1e150


def _check_index(index, where):
    if index.has_duplicates:
        duplicated = index[index.duplicated()][:3].tolist()
        raise ValueError(
            f"The index of {where} has duplicated time points {duplicated!r}; each "
            "step must have its own time (aggregate duplicates, e.g. with "
            "groupby(level=0).mean())."
        )
    if not index.is_monotonic_increasing:
        raise ValueError(
            f"The index of {where} is not in increasing time order; sort it first "
            "(series.sort_index())."
        )


def _freq_name(index):
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        freq = index.freq if index.freq is not None else pd.infer_freq(index)
        return None if freq is None else str(getattr(freq, "freqstr", freq))
    return type(index).__name__


def check_no_nan(series, name="y"):
    """Refuse NaN in the history, saying where the first one is."""
    for i, values in enumerate(series.values):
        missing = np.isnan(values).any(axis=1)
        if missing.any():
            step = int(np.argmax(missing))
            where = f"{name}[{i}]" if series.is_list else name
            at = (
                f"index {series.indexes[i][step]!r} (step {step})"
                if series.indexes[i] is not None
                else f"step {step}"
            )
            raise ValueError(
                f"{where} has {int(missing.sum())} missing (NaN) step(s), the "
                f"first at {at}. Forecasts need a complete history: fill the gaps "
                "first, for example with pandas' series.interpolate() or "
                "series.ffill(), or cut the series after the last gap."
            )


def steps_ahead(index, fh):
    """The pandas index of the steps ``fh`` (ints >= 1) after ``index``'s end.

    A DatetimeIndex or PeriodIndex continues with its frequency, a RangeIndex
    or an integer index with its step; other indexes give a RangeIndex.
    """
    fh = np.asarray(fh)
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        freq = index.freq
        if freq is None and len(index) >= 3:  # pandas infers from 3 dates on
            freq = pd.infer_freq(index)
        if freq is None:
            raise ValueError(
                "The time index of y has no frequency (and none can be inferred), "
                "so the forecast steps cannot be dated; give it one, e.g. "
                "y.asfreq('MS'), or pass y with a RangeIndex."
            )
        if isinstance(index, pd.PeriodIndex):
            return pd.PeriodIndex([index[-1] + int(h) for h in fh], freq=index.freq)
        offset = pd.tseries.frequencies.to_offset(freq)
        return pd.DatetimeIndex([index[-1] + int(h) * offset for h in fh], freq=None)
    if isinstance(index, pd.RangeIndex):
        return pd.Index(index.start + (len(index) - 1 + fh) * index.step)
    if pd.api.types.is_integer_dtype(index.dtype) and len(index) > 1:
        step = int(index[-1] - index[-2])
        return pd.Index(index[-1] + fh * step)
    return pd.Index(len(index) - 1 + fh)


def seasonal_period(values_list, max_period=52):
    """The seasonal period of the series, read from their autocorrelation.

    The lag (2 to ``max_period``, at most a third of the shortest series) at
    which the autocorrelation of the first differences, pooled over the series
    and columns, has its highest local peak, if that peak is above 0.3 and
    ``3 / sqrt(n)`` (over tens of lags, the usual band ``2 / sqrt(n)`` finds
    seasons in white noise); else 1 (no season).
    """
    diffs = [np.diff(v, axis=0) for v in values_list]
    shortest = min(len(d) for d in diffs)
    top = min(max_period, shortest // 3)
    if top < 2:
        return 1
    acf = np.zeros(top + 1)
    weight = 0
    for d in diffs:
        centred = d - d.mean(axis=0)
        denominator = (centred**2).sum(axis=0)
        ok = denominator > 0
        if not ok.any():
            continue
        for lag in range(1, top + 1):
            numerator = (centred[lag:] * centred[:-lag]).sum(axis=0)
            acf[lag] += (numerator[ok] / denominator[ok]).sum() * len(d)
        weight += ok.sum() * len(d)
    if weight == 0:
        return 1
    acf /= weight
    band = max(0.3, 3 / np.sqrt(shortest))
    peaks = [
        lag
        for lag in range(2, top + 1)
        if acf[lag] > band
        and acf[lag] >= acf[lag - 1]
        and (lag == top or acf[lag] >= acf[lag + 1])
    ]
    if not peaks:
        return 1
    return int(max(peaks, key=lambda lag: acf[lag]))


def index_tail(index):
    """The end of a pandas ``index`` as JSON (what :func:`steps_ahead` needs)."""
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        freq = index.freqstr if index.freq is not None else pd.infer_freq(index)
        kind = "period" if isinstance(index, pd.PeriodIndex) else "datetime"
        return {"type": kind, "end": str(index[-1]), "freq": freq}
    if isinstance(index, pd.RangeIndex):
        end = int(index.start + (len(index) - 1) * index.step)
        return {"type": "range", "end": end, "step": int(index.step)}
    if pd.api.types.is_integer_dtype(index.dtype) and len(index) > 1:
        return {
            "type": "int",
            "end": int(index[-1]),
            "step": int(index[-1] - index[-2]),
        }
    return {"type": "other", "length": len(index)}


def index_from_tail(tail):
    """A short pandas index ending as the one :func:`index_tail` described."""
    kind = tail["type"]
    if kind == "datetime":
        if tail["freq"] is None:
            return pd.DatetimeIndex([tail["end"]])
        return pd.date_range(end=tail["end"], periods=1, freq=tail["freq"])
    if kind == "period":
        return pd.period_range(end=tail["end"], periods=1, freq=tail["freq"])
    if kind == "range":
        return pd.RangeIndex(tail["end"], tail["end"] + tail["step"], tail["step"])
    if kind == "int":
        return pd.Index([tail["end"] - tail["step"], tail["end"]])
    return pd.RangeIndex(tail["length"])
