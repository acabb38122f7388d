"""Long-format tables (one row per step) to lists of sequences, and back.

tsfresh, sktime and most databases keep sequence data in long format: one row
per step with an id column naming the sequence, often a time column, and the
step features. skrnn's estimators take a list of per-sequence arrays instead;
these two functions convert between the two. Published in
:mod:`skrnn.preprocessing`.
"""

import numpy as np


def from_long_format(frame, id_column, time_column=None, feature_columns=None):
    """Turn a long-format table into a list of sequences.

    Each distinct value of ``id_column`` is one sequence; its rows, ordered by
    ``time_column``, are its steps. This is the layout of tsfresh and sktime's
    long format, and of most tables exported from a database.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per step.

    id_column : str
        The column naming the sequence of each row.

    time_column : str, default=None
        The column ordering the steps of a sequence (stable for ties). ``None``
        keeps the order of the rows.

    feature_columns : list of str, default=None
        The step features, in this order. ``None`` takes every column except
        ``id_column`` and ``time_column``.

    Returns
    -------
    sequences : list of ndarray of shape (n_steps_i, n_features)
        One array per sequence, in order of first appearance of its id: what
        ``fit`` and ``predict`` take.

    ids : ndarray of shape (n_sequences,)
        The id of each sequence, to align targets (``y.loc[ids]``) or to go back
        with :func:`to_long_format`.

    See Also
    --------
    to_long_format : Per-step outputs back into a long-format table.

    Examples
    --------
    >>> import pandas as pd
    >>> from skrnn.preprocessing import from_long_format
    >>> frame = pd.DataFrame({
    ...     "id": ["b", "b", "a", "b"],
    ...     "time": [1, 0, 0, 2],
    ...     "value": [2.0, 1.0, 5.0, 3.0],
    ... })
    >>> sequences, ids = from_long_format(frame, "id", time_column="time")
    >>> ids
    array(['b', 'a'], dtype=object)
    >>> [seq[:, 0].tolist() for seq in sequences]
    [[1.0, 2.0, 3.0], [5.0]]
    """
    if not hasattr(frame, "columns") or not hasattr(frame, "groupby"):
        raise TypeError(
            f"from_long_format takes a pandas DataFrame, got "
            f"{type(frame).__name__}. Build one with pandas.DataFrame(data, "
            "columns=[...]) first."
        )
    columns = list(frame.columns)
    if id_column == time_column:
        raise ValueError(
            f"id_column and time_column are both {id_column!r}; they must name "
            "two columns (or pass time_column=None to keep the rows' order)."
        )
    for name, column in (("id_column", id_column), ("time_column", time_column)):
        if column is not None and column not in columns:
            raise ValueError(
                f"{name}={column!r} is not a column of the frame; its columns are "
                f"{columns!r}."
            )
    if feature_columns is None:
        feature_columns = [c for c in columns if c not in (id_column, time_column)]
    else:
        feature_columns = list(feature_columns)
        unknown = [c for c in feature_columns if c not in columns]
        if unknown:
            raise ValueError(
                f"feature_columns names {unknown!r}, which are not columns of the "
                f"frame; its columns are {columns!r}."
            )
    if not feature_columns:
        raise ValueError(
            "The frame has no feature column: every step needs at least one "
            "feature besides id_column and time_column."
        )
    if frame[id_column].isna().any():
        raise ValueError(
            f"id_column={id_column!r} has missing values; every row needs the id "
            "of its sequence."
        )
    ids = np.asarray(frame[id_column].unique())  # in order of first appearance
    if time_column is not None:
        repeated = frame.duplicated([id_column, time_column])
        if repeated.any():
            id_ = _hashable(frame[id_column][repeated].iloc[0])
            time = _hashable(frame[time_column][repeated].iloc[0])
            raise ValueError(
                f"Sequence {id_!r} has two rows at {time_column}={time!r}: each "
                "sequence needs one row per time. Drop or aggregate the repeated "
                "rows first (for example frame.groupby([id, time]).mean())."
            )
        frame = frame.sort_values(time_column, kind="stable")
    groups = {
        id_: group.to_numpy()
        for id_, group in frame.groupby(id_column, sort=False)[feature_columns]
    }
    return [groups[id_] for id_ in ids], ids


def to_long_format(
    sequences, ids, *, id_column="id", time_column="step", value_columns=None
):
    """Turn per-step values (predictions) into a long-format table.

    The inverse of :func:`from_long_format` for per-step outputs, such as
    ``RNNRegressor(return_sequences=True).predict`` or
    ``SequenceTagger.predict`` on a list of sequences.

    Parameters
    ----------
    sequences : list of array-like of shape (n_steps_i,) or (n_steps_i, n_values)
        The values of each sequence, one row per step.

    ids : array-like of shape (n_sequences,)
        The id of each sequence, as :func:`from_long_format` returns them.

    id_column : str, default='id'
        Name of the id column.

    time_column : str, default='step'
        Name of the column holding each row's position in its sequence (0, 1,
        ...): the k-th step is the k-th time of that id in
        :func:`from_long_format`'s order.

    value_columns : list of str, default=None
        Names of the value columns; ``None`` gives ``'value'`` for one value
        per step, else ``'value_0'``, ``'value_1'``, ...

    Returns
    -------
    frame : pandas.DataFrame
        One row per step: the id, the step and the values.

    See Also
    --------
    from_long_format : A long-format table into a list of sequences.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import to_long_format
    >>> to_long_format([np.array([0.5, 0.7]), np.array([0.1])], ids=["b", "a"])
      id  step  value
    0  b     0    0.5
    1  b     1    0.7
    2  a     0    0.1
    """
    import pandas as pd

    rows = [np.asarray(seq) for seq in sequences]
    ids = list(ids)
    if len(ids) != len(rows):
        raise ValueError(
            f"Got {len(ids)} ids for {len(rows)} sequences; pass one id per "
            "sequence, as from_long_format returns them."
        )
    if not rows:
        raise ValueError("sequences is empty: pass at least one sequence.")
    rows = [row[:, None] if row.ndim == 1 else row for row in rows]
    widths = {row.shape[1] for row in rows if row.ndim == 2}
    if any(row.ndim != 2 for row in rows) or len(widths) != 1:
        raise ValueError(
            "Each sequence must be a 1-D (n_steps,) or 2-D (n_steps, n_values) "
            "array, all with the same number of values per step."
        )
    (width,) = widths
    if value_columns is None:
        single = all(np.ndim(seq) == 1 for seq in sequences)
        value_columns = ["value"] if single else [f"value_{k}" for k in range(width)]
    value_columns = list(value_columns)
    if len(value_columns) != width:
        raise ValueError(
            f"value_columns has {len(value_columns)} names but the sequences "
            f"have {width} values per step."
        )
    names = [id_column, time_column, *value_columns]
    if len(set(names)) != len(names):
        raise ValueError(
            f"id_column, time_column and value_columns must name distinct "
            f"columns; got {names!r}."
        )
    repeated = pd.Series(ids, dtype=object).duplicated()
    if repeated.any():
        raise ValueError(
            f"ids must be distinct, but {ids[int(np.argmax(repeated))]!r} is "
            "repeated: from_long_format would read two sequences of one id as "
            "one. Give each sequence its own id."
        )
    lengths = [len(row) for row in rows]
    frame = pd.DataFrame(
        {
            id_column: np.repeat(np.asarray(ids, dtype=object), lengths),
            time_column: np.concatenate([np.arange(n) for n in lengths]),
        }
    )
    values = np.concatenate(rows)
    for k, name in enumerate(value_columns):
        frame[name] = values[:, k]
    return frame


def _hashable(value):
    """``value`` as a set member (numpy scalars as their Python value)."""
    return value.item() if isinstance(value, np.generic) else value
