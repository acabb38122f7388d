"""A small reader for the sktime/aeon ``.ts`` time-series format.

Only what the benchmarks need: header lines start with ``@`` (comments with
``#``), then one case per line, channels separated by ``:``, values by ``,``,
and the class label or regression target after the last ``:``. Series may have
different lengths; missing values may be written ``?`` or ``NaN``. Timestamped
series (``@timeStamps true``) are not supported.
"""

import numpy as np


def _parse_value(token):
    token = token.strip()
    if token in ("?", "") or token.lower() == "nan":
        return np.nan
    return float(token)


def read_ts(path, *, dtype=np.float32):
    """Read a ``.ts`` file.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    dtype : numpy dtype, default=np.float32
        Dtype of the returned series.

    Returns
    -------
    X : list of ndarray of shape (n_steps_i, n_channels)
        One array per case. Trailing missing steps (present in every channel) are
        dropped, so padded equal-length files give the real length back; a
        missing value inside a series stays NaN.
    y : ndarray of shape (n_cases,)
        Class labels (str) when the header says ``@classLabel true``, targets
        (float64) when it says ``@targetLabel true``, else ``None``.
    header : dict
        The ``@`` header entries, lower-cased keys, raw string values.
    """
    header = {}
    X, y = [], []
    in_data = False
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if not in_data:
                if not line.startswith("@"):
                    raise ValueError(f"{path}:{lineno}: expected a header line")
                key, _, value = line[1:].partition(" ")
                key = key.lower()
                if key == "data":
                    in_data = True
                    continue
                header[key] = value.strip()
                continue
            if header.get("timestamps", "false").lower() == "true":
                raise ValueError(f"{path}: timestamped .ts files are not supported")
            has_label = (
                header.get("classlabel", "false").split()[0].lower() == "true"
                or header.get("targetlabel", "false").split()[0].lower() == "true"
            )
            parts = line.split(":")
            if has_label:
                *channels, label = parts
                y.append(label.strip())
            else:
                channels = parts
            series = [[_parse_value(v) for v in ch.split(",")] for ch in channels]
            n_steps = max(len(s) for s in series)
            arr = np.full((n_steps, len(series)), np.nan, dtype=np.float64)
            for j, s in enumerate(series):
                arr[: len(s), j] = s
            # Drop trailing all-missing steps (padding), keep at least one step.
            observed = ~np.isnan(arr).all(axis=1)
            if observed.any():
                arr = arr[: np.flatnonzero(observed)[-1] + 1]
            X.append(arr.astype(dtype))
    if not in_data:
        raise ValueError(f"{path}: no @data section")
    if header.get("targetlabel", "false").split()[0].lower() == "true":
        y = np.asarray(y, dtype=np.float64)
    elif header.get("classlabel", "false").split()[0].lower() == "true":
        y = np.asarray(y)
    else:
        y = None
    return X, y, header


def stack_equal_length(X):
    """Stack a list of equal-length series into a 3-D array, else return ``X``."""
    if len({x.shape for x in X}) == 1:
        return np.stack(X)
    return X
