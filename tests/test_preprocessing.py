"""SequenceScaler, make_lag_windows and LagWindows."""

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline

from skrnn import RNNRegressor
from skrnn.preprocessing import (
    LagWindows,
    SequenceScaler,
    from_long_format,
    make_lag_windows,
    to_long_format,
)

TINY = dict(hidden_size=4, max_epochs=2, random_state=0)

# -- SequenceScaler ---------------------------------------------------------------


def _ragged(rng, lengths=(3, 1, 5, 2), n_features=2):
    # An offset far from zero: zeros on padding would move the mean.
    return [5.0 + rng.randn(n, n_features) for n in lengths]


def _nan_padded(sequences):
    n_steps = max(len(s) for s in sequences)
    padded = np.full((len(sequences), n_steps, sequences[0].shape[1]), np.nan)
    for i, seq in enumerate(sequences):
        padded[i, : len(seq)] = seq
    return padded


FORMS = {
    "list": lambda seqs: seqs,
    "list-1d": lambda seqs: [s[:, 0] for s in seqs],
    "object-array": lambda seqs: np.array(seqs, dtype=object),
    "nan-padded-3d": _nan_padded,
    "nan-padded-2d": lambda seqs: _nan_padded(seqs)[:, :, 0],
    "frame": lambda seqs: pd.DataFrame(_nan_padded(seqs)[:, :, 0]),
}


def _real_steps(sequences, form):
    """The real steps of all sequences stacked, as numpy sees them."""
    steps = np.concatenate(sequences)
    return steps[:, :1] if form in ("list-1d", "nan-padded-2d", "frame") else steps


@pytest.mark.parametrize("form", FORMS)
def test_scaler_statistics_are_over_real_steps_only(form, rng):
    sequences = _ragged(rng)
    scaler = SequenceScaler().fit(FORMS[form](sequences))
    steps = _real_steps(sequences, form)
    np.testing.assert_allclose(scaler.mean_, steps.mean(axis=0))
    np.testing.assert_allclose(scaler.var_, steps.var(axis=0))
    np.testing.assert_allclose(scaler.scale_, steps.std(axis=0))
    assert scaler.n_samples_seen_ == len(steps)


def test_scaler_n_features_in_follows_the_input_contract(rng):
    sequences = _ragged(rng)
    assert SequenceScaler().fit(sequences).n_features_in_ == 2
    table = _nan_padded(sequences)[:, :, 0]
    scaler = SequenceScaler().fit(pd.DataFrame(table, columns=list("abcde")))
    assert scaler.n_features_in_ == 5  # columns of a 2-D X are its steps
    assert list(scaler.feature_names_in_) == list("abcde")
    assert scaler.mean_.shape == (1,)


def _assert_same_form(output, given):
    if isinstance(given, list) or np.asarray(given).dtype == object:
        assert isinstance(output, list)
        assert [o.shape for o in output] == [np.shape(g) for g in given]
    else:
        assert isinstance(output, np.ndarray)
        assert output.shape == np.shape(given)
        np.testing.assert_array_equal(np.isnan(output), np.isnan(np.asarray(given)))


@pytest.mark.parametrize("form", FORMS)
def test_scaler_transform_keeps_the_form_and_inverts(form, rng):
    sequences = _ragged(rng)
    X = FORMS[form](sequences)
    scaler = SequenceScaler().fit(X)
    scaled = scaler.transform(X)
    _assert_same_form(scaled, X)
    steps = _real_steps(sequences, form)
    expected = (steps - steps.mean(axis=0)) / steps.std(axis=0)
    if isinstance(scaled, list):
        got = np.concatenate([s.reshape(len(s), -1) for s in scaled])
    else:
        got = scaled.reshape(len(scaled), scaled.shape[1], -1)
        got = got[~np.isnan(got).all(axis=2)]
    np.testing.assert_allclose(got, expected)
    restored = scaler.inverse_transform(scaled)
    _assert_same_form(restored, X)
    if isinstance(restored, list):
        for back, original in zip(restored, X, strict=True):
            np.testing.assert_allclose(back, original)
    else:
        np.testing.assert_allclose(restored, np.asarray(X, dtype=float))


def test_scaler_list_of_equal_rows_is_a_table(rng):
    rows = rng.randn(4, 3).tolist()
    scaled = SequenceScaler().fit_transform(rows)
    assert isinstance(scaled, np.ndarray) and scaled.shape == (4, 3)
    np.testing.assert_allclose(scaled, (rows - np.mean(rows)) / np.std(rows))


def test_scaler_with_mean_and_with_std_switch_each_part(rng):
    sequences = _ragged(rng)
    steps = np.concatenate(sequences)
    only_std = SequenceScaler(with_mean=False).fit(sequences)
    np.testing.assert_allclose(
        np.concatenate(only_std.transform(sequences)), steps / steps.std(axis=0)
    )
    only_mean = SequenceScaler(with_std=False).fit(sequences)
    assert only_mean.scale_ is None
    np.testing.assert_allclose(
        np.concatenate(only_mean.transform(sequences)), steps - steps.mean(axis=0)
    )
    np.testing.assert_allclose(
        np.concatenate(only_mean.inverse_transform(only_mean.transform(sequences))),
        steps,
    )


def test_scaler_copy_false_scales_an_array_in_place(rng):
    X = rng.randn(3, 4, 2)
    original = X.copy()
    SequenceScaler().fit(X).transform(X)
    np.testing.assert_array_equal(X, original)
    scaled = SequenceScaler(copy=False).fit(X).transform(X)
    assert scaled is X
    np.testing.assert_allclose(X.mean(axis=(0, 1)), 0, atol=1e-12)


def test_scaler_sample_weight_counts_each_step_of_a_sequence(rng):
    sequences = _ragged(rng)
    weighted = SequenceScaler().fit(sequences, sample_weight=[2, 0, 1, 1])
    repeated = [sequences[0], sequences[0], sequences[2], sequences[3]]
    expected = SequenceScaler().fit(repeated)
    np.testing.assert_allclose(weighted.mean_, expected.mean_)
    np.testing.assert_allclose(weighted.var_, expected.var_)
    assert weighted.n_samples_seen_ == expected.n_samples_seen_ == 13


def test_scaler_partial_fit_equals_one_fit(rng):
    sequences = _ragged(rng, lengths=(3, 1, 5, 2, 7, 4))
    weights = np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.0])
    whole = SequenceScaler().fit(sequences, sample_weight=weights)
    chunked = SequenceScaler()
    for start in (0, 2, 3):
        stop = {0: 2, 2: 3, 3: 6}[start]
        chunked.partial_fit(sequences[start:stop], sample_weight=weights[start:stop])
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        np.testing.assert_allclose(getattr(chunked, name), getattr(whole, name))


def test_constant_feature_has_scale_one_in_scaler_and_estimators(rng):
    # 123456.789 averages to a variance of about 2e-22, not 0, in floating point.
    X = np.full((6, 5, 2), 123456.789)
    X[:, :, 1] = rng.randn(6, 5)
    scaler = SequenceScaler().fit(X)
    assert scaler.scale_[0] == 1.0
    np.testing.assert_allclose(scaler.transform(X)[:, :, 0], 0.0, atol=1e-9)
    reg = RNNRegressor(**TINY).fit(X, np.arange(6.0))
    assert reg.input_scale_[0] == 1.0
    # The estimator sums its (sorted) training sequences in another order.
    np.testing.assert_allclose(reg.input_scale_, scaler.scale_, rtol=1e-12)


def test_scaler_refuses_other_step_features_and_bad_parameters(rng):
    scaler = SequenceScaler().fit(rng.randn(3, 4, 2))
    with pytest.raises(ValueError, match="X has 3 features per step.*expecting 2"):
        scaler.transform(rng.randn(3, 4, 3))
    with pytest.raises(ValueError, match="'with_mean' parameter of SequenceScaler"):
        SequenceScaler(with_mean="yes").fit(rng.randn(3, 4, 2))
    with pytest.raises(ValueError, match="NaN inside sequence 0 at step 1"):
        scaler.transform(np.array([[[1.0, 2.0], [np.nan, 1.0], [3.0, 4.0]]]))


def test_pipeline_scales_ragged_sequences_for_a_regressor(rng):
    sequences = _ragged(rng, lengths=(3, 1, 5, 2, 6, 4))
    y = np.array([s.sum() for s in sequences])
    model = make_pipeline(SequenceScaler(), RNNRegressor(**TINY)).fit(sequences, y)
    pred = model.predict(sequences)
    assert pred.shape == (6,) and np.isfinite(pred).all()


# -- make_lag_windows -------------------------------------------------------------


def _loop_windows(series, n_lags, horizon):
    table = series.reshape(len(series), -1)
    X, y = [], []
    for start in range(len(table) - n_lags - horizon + 1):
        X.append(table[start : start + n_lags])
        y.append(table[start + n_lags - 1 + horizon])
    return np.array(X), np.array(y)


@pytest.mark.parametrize("n_lags, horizon", [(1, 1), (3, 1), (2, 4), (5, 3)])
@pytest.mark.parametrize("n_features", [None, 1, 3])
def test_make_lag_windows_matches_a_loop(n_lags, horizon, n_features, rng):
    shape = (12,) if n_features is None else (12, n_features)
    series = rng.randn(*shape)
    X, y = make_lag_windows(series, n_lags, horizon=horizon)
    X_loop, y_loop = _loop_windows(series, n_lags, horizon)
    np.testing.assert_array_equal(X, X_loop)
    np.testing.assert_array_equal(y, y_loop[:, 0] if n_features is None else y_loop)


def test_make_lag_windows_target_by_index_or_name(rng):
    frame = pd.DataFrame(rng.randn(10, 3), columns=["a", "b", "c"])
    X, y = make_lag_windows(frame, 4, horizon=2, target="b")
    X_loop, y_loop = _loop_windows(frame.to_numpy(), 4, 2)
    np.testing.assert_array_equal(X, X_loop)
    np.testing.assert_array_equal(y, y_loop[:, 1])
    _, y_last = make_lag_windows(frame, 4, target=-1)
    np.testing.assert_array_equal(y_last, frame["c"].to_numpy()[4:])


def test_make_lag_windows_feed_a_regressor(rng):
    X, y = make_lag_windows(np.sin(np.arange(40) / 3), n_lags=6)
    pred = RNNRegressor(**TINY).fit(X, y).predict(X)
    assert pred.shape == y.shape == (34,)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_lags=5), r"n_lags=5 .*horizon=1 .*at least 6 steps.*has 4"),
        (dict(n_lags=2, horizon=3), r"horizon=3 .*at least 5 steps.*has 4"),
        (dict(n_lags=0), r"'n_lags' parameter of make_lag_windows must be an int"),
        (dict(n_lags=2, horizon=0), r"'horizon' parameter"),
        (dict(n_lags=2, target=2), r"target=2 is not a column index .* 1 feature"),
        (dict(n_lags=2, target="b"), r"target='b' names a column.*not a DataFrame"),
    ],
)
def test_make_lag_windows_explains_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_lag_windows(np.arange(4.0), **kwargs)


def test_make_lag_windows_refuses_nan_and_unknown_columns():
    with pytest.raises(ValueError, match="Input series contains NaN"):
        make_lag_windows(np.array([1.0, np.nan, 3.0, 4.0]), 2)
    frame = pd.DataFrame({"a": np.arange(5.0)})
    with pytest.raises(ValueError, match=r"no such column; its columns are \['a'\]"):
        make_lag_windows(frame, 2, target="b")


# -- LagWindows -------------------------------------------------------------------


def _loop_row_windows(table, n_lags):
    windows = np.full((len(table), n_lags, table.shape[1]), np.nan)
    for row in range(len(table)):
        past = table[max(0, row - n_lags + 1) : row + 1]
        windows[row, : len(past)] = past
    return windows


@pytest.mark.parametrize("n_lags", [1, 3, 7])
def test_lag_windows_match_a_loop(n_lags, rng):
    table = rng.randn(5, 2)
    windows = LagWindows(n_lags).fit_transform(table)
    np.testing.assert_array_equal(windows, _loop_row_windows(table, n_lags))
    if n_lags <= len(table) - 1:  # the complete windows are make_lag_windows'
        X, _ = make_lag_windows(table, n_lags)
        np.testing.assert_array_equal(windows[n_lags - 1 : -1], X)


def test_lag_windows_on_a_new_table_see_only_its_rows(rng):
    train, new = rng.randn(6, 2), rng.randn(4, 2)
    windows = LagWindows(3).fit(train).transform(new)
    np.testing.assert_array_equal(windows, _loop_row_windows(new, 3))


def test_lag_windows_learn_and_check_the_columns(rng):
    frame = pd.DataFrame(rng.randn(6, 2), columns=["price", "volume"])
    lags = LagWindows(2).fit(frame)
    assert lags.n_features_in_ == 2
    assert list(lags.feature_names_in_) == ["price", "volume"]
    with (
        pytest.warns(UserWarning, match="does not have valid feature names"),
        pytest.raises(ValueError, match="X has 3 features, but LagWindows"),
    ):
        lags.transform(rng.randn(4, 3))
    with pytest.raises(ValueError, match="feature names should match"):
        lags.transform(frame.rename(columns={"volume": "size"}))


def test_lag_windows_explain_bad_input(rng):
    with pytest.raises(ValueError, match="'n_lags' parameter of LagWindows"):
        LagWindows(0).fit(rng.randn(4, 2))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        LagWindows(2).fit(np.array([[1.0], [np.nan], [2.0]]))


def test_pipeline_of_lag_windows_and_regressor_forecasts_a_table(rng):
    series = np.sin(np.arange(30) / 3)[:, None] + 0.1 * rng.randn(30, 2)
    model = make_pipeline(LagWindows(4), RNNRegressor(**TINY))
    model.fit(series[:-1], series[1:, 0])  # row i's window -> the next value
    pred = model.predict(series)
    assert pred.shape == (30,)
    # The first rows' windows are read as the shorter sequences they are.
    regressor = model[-1]
    for row in (0, 2, 3, 17):
        window = series[max(0, row - 3) : row + 1]
        np.testing.assert_allclose(pred[row], regressor.predict([window])[0], rtol=1e-6)


def _long_frame(rng):
    # Three sequences of 3, 1 and 4 steps; rows shuffled, ids not sorted.
    ids = np.repeat(["b", "a", "c"], [3, 1, 4])
    times = np.r_[0:3, 0:1, 0:4] * 10
    frame = pd.DataFrame(
        {"id": ids, "time": times, "x1": rng.randn(8), "x2": rng.randn(8)}
    )
    return frame.iloc[rng.permutation(8)].reset_index(drop=True), frame


def test_from_long_format_orders_sequences_and_steps(rng):
    shuffled, frame = _long_frame(rng)
    sequences, ids = from_long_format(shuffled, "id", time_column="time")
    assert sorted(ids) == ["a", "b", "c"]
    for seq, id_ in zip(sequences, ids, strict=True):
        rows = frame[frame["id"] == id_]
        np.testing.assert_array_equal(seq, rows[["x1", "x2"]].to_numpy())
    one, _ = from_long_format(frame, "id", feature_columns=["x2"])
    assert [s.shape for s in one] == [(3, 1), (1, 1), (4, 1)]


def test_long_format_round_trip_of_per_step_predictions(rng):
    _, frame = _long_frame(rng)
    X, ids = from_long_format(frame, "id", time_column="time")
    reg = RNNRegressor(return_sequences=True, hidden_size=4, max_epochs=2)
    pred = reg.fit(X, [x[:, 0] for x in X]).predict(X)
    long = to_long_format(pred, ids, id_column="id")
    assert list(long.columns) == ["id", "step", "value"]
    assert list(long["id"]) == list(frame["id"])
    np.testing.assert_array_equal(long["step"], np.r_[0:3, 0:1, 0:4])
    np.testing.assert_allclose(long["value"], np.concatenate(pred))
    wide = to_long_format([np.ones((2, 2))], ["s"], value_columns=["p", "q"])
    assert list(wide.columns) == ["id", "step", "p", "q"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(id_column="name"), "id_column='name' is not a column"),
        (dict(id_column="id", time_column="t"), "time_column='t' is not a column"),
        (dict(id_column="id", feature_columns=["z"]), r"feature_columns.*\['z'\]"),
        (dict(id_column="id", feature_columns=[]), "at least one feature"),
    ],
)
def test_from_long_format_explains_bad_arguments(kwargs, match, rng):
    _, frame = _long_frame(rng)
    with pytest.raises(ValueError, match=match):
        from_long_format(frame, **kwargs)


def test_from_long_format_needs_a_dataframe():
    with pytest.raises(TypeError, match="pandas DataFrame"):
        from_long_format(np.ones((3, 3)), "id")


def test_to_long_format_checks_ids_and_names():
    with pytest.raises(ValueError, match="2 ids for 1 sequences"):
        to_long_format([np.ones(3)], ["a", "b"])
    with pytest.raises(ValueError, match="value_columns has 1 names.*2 values"):
        to_long_format([np.ones((3, 2))], ["a"], value_columns=["p"])


@pytest.mark.parametrize("ragged", [False, True])
def test_scaler_under_pandas_output_keeps_3d_and_list_output(ragged, rng):
    X = rng.normal(size=(6, 5, 2))
    X = [x[: 3 + i % 3] for i, x in enumerate(X)] if ragged else X
    expected = SequenceScaler().fit_transform(X)
    scaler = SequenceScaler().set_output(transform="pandas")
    scaled = scaler.fit_transform(X)
    assert type(scaled) is type(expected)
    for got, want in zip(scaled, expected, strict=True):
        np.testing.assert_array_equal(got, want)
    table = scaler.fit_transform(rng.normal(size=(6, 5)))  # 2-D: a table
    assert list(table.columns) == list(scaler.get_feature_names_out())


@pytest.mark.parametrize(
    "params, match",
    [
        ({"value_columns": ["id", "b"]}, "must name distinct columns"),
        ({"id_column": "x", "time_column": "x"}, "must name distinct columns"),
        ({"ids": [0, 0]}, "ids must be distinct"),
    ],
)
def test_to_long_format_refuses_columns_or_ids_it_would_merge(params, match):
    sequences = [np.arange(6.0).reshape(3, 2)] * 2
    params = {"ids": [0, 1], **params}
    with pytest.raises(ValueError, match=match):
        to_long_format(sequences, **params)


def test_from_long_format_refuses_two_rows_at_one_time():
    frame = pd.DataFrame({"id": [0, 0, 1], "t": [0, 0, 0], "v": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="Sequence 0 has two rows at t=0"):
        from_long_format(frame, "id", "t")
    with pytest.raises(ValueError, match="id_column and time_column are both"):
        from_long_format(frame, "id", "id")
