"""Every input format, and the guarantee that padding never reaches the network."""

import warnings

import numpy as np
import pandas as pd
import pytest

from skrnn import RNNClassifier, RNNRegressor, SequenceTagger
from skrnn.exceptions import ZeroPaddingWarning
from skrnn.preprocessing import SequenceScaler

TINY = dict(hidden_size=8, max_epochs=3, random_state=0)


def ragged(rng, n=24, n_features=2, low=2, high=9):
    return [rng.randn(rng.randint(low, high), n_features) for _ in range(n)]


def labels(X):
    return np.array([int(np.asarray(x)[:, 0].sum() > 0) for x in X])


def nan_padded(sequences):
    n_steps = max(len(s) for s in sequences)
    padded = np.full((len(sequences), n_steps, sequences[0].shape[1]), np.nan)
    for i, seq in enumerate(sequences):
        padded[i, : len(seq)] = seq
    return padded


@pytest.mark.parametrize(
    "make_X",
    [
        lambda rng: rng.randn(20, 6, 3),
        lambda rng: rng.randn(20, 6),
        lambda rng: ragged(rng, n=20),
        lambda rng: [rng.randn(n) for n in rng.randint(1, 7, size=20)],
        lambda rng: np.array(ragged(rng, n=20), dtype=object),
        lambda rng: nan_padded(ragged(rng, n=20)),
        lambda rng: pd.DataFrame(rng.randn(20, 5)),
    ],
    ids=["3d", "2d", "list-2d", "list-1d", "object-array", "nan-padded", "frame"],
)
@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_every_input_format_fits_and_predicts(Estimator, make_X, rng):
    X = make_X(rng)
    y = np.arange(len(X)) % 2
    est = Estimator(**TINY).fit(X, y)
    pred = est.predict(X)
    assert pred.shape == (len(X),)
    if Estimator is RNNRegressor:
        assert np.isfinite(pred).all()


def test_list_and_nan_padded_array_give_the_same_model(rng):
    X = ragged(rng)
    y = labels(X)
    from_list = RNNClassifier(**TINY).fit(X, y)
    from_array = RNNClassifier(**TINY).fit(nan_padded(X), y)
    np.testing.assert_allclose(
        from_list.predict_proba(X), from_array.predict_proba(nan_padded(X)), rtol=1e-6
    )


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize(
    "readout, front_end",
    [
        ("last", "auto"),
        ("mean", "auto"),
        ("max", "auto"),
        ("attention", "auto"),
        ("concat", "auto"),
        ("last", None),
        ("attention", None),
        ("concat", None),
    ],
)
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_prediction_does_not_depend_on_batch_or_padding(
    cell, readout, front_end, bidirectional, rng
):
    X = ragged(rng, n=30, low=1, high=15)
    y = labels(X)
    clf = RNNClassifier(
        cell=cell,
        readout=readout,
        front_end=front_end,
        bidirectional=bidirectional,
        batch_size=7,
        **TINY,
    ).fit(X, y)
    alone = np.vstack([clf.predict_proba([x]) for x in X])
    together = clf.predict_proba(X)
    # Much longer neighbours and extra NaN padding around every sequence.
    long_padded = nan_padded(X + [rng.randn(40, 2)])[:-1]
    padded = clf.predict_proba(long_padded)
    np.testing.assert_allclose(together, alone, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(padded, alone, rtol=1e-9, atol=1e-12)


def test_per_step_predictions_do_not_depend_on_padding(rng):
    X = ragged(rng, n=20, low=1, high=12)
    y = [np.cumsum(x[:, 0]) for x in X]
    # batch_size < n: prediction batches follow length order, not input order.
    reg = RNNRegressor(
        return_sequences=True, bidirectional=True, batch_size=6, **TINY
    ).fit(X, y)
    alone = [reg.predict([x])[0] for x in X]
    together = reg.predict(X)
    assert isinstance(together, list)
    for a, b, x in zip(alone, together, X, strict=True):
        assert a.shape == b.shape == (len(x),)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    padded = reg.predict(nan_padded(X))
    assert padded.shape == (len(X), max(len(x) for x in X))
    for i, x in enumerate(X):
        np.testing.assert_allclose(padded[i, : len(x)], alone[i], rtol=1e-9)
        assert np.isnan(padded[i, len(x) :]).all()


def test_2d_input_follows_the_feature_count_contract(rng):
    X = rng.randn(20, 6)
    clf = RNNClassifier(**TINY).fit(X, labels(X[:, :, None]))
    assert clf.n_features_in_ == 6
    assert clf.n_step_features_ == 1
    with pytest.raises(ValueError, match="X has 7 features, but RNNClassifier"):
        clf.predict(rng.randn(3, 7))
    # Other lengths go through a list or a 3-D array.
    assert clf.predict([rng.randn(9), rng.randn(2)]).shape == (2,)
    assert clf.predict(rng.randn(4, 11, 1)).shape == (4,)


def test_3d_input_sets_features_per_step(rng):
    X = rng.randn(20, 6, 3)
    clf = RNNClassifier(**TINY).fit(X, labels(X))
    assert clf.n_features_in_ == clf.n_step_features_ == 3
    assert clf.predict(rng.randn(2, 15, 3)).shape == (2,)
    with pytest.raises(ValueError, match="X has 2 features per step"):
        clf.predict(rng.randn(2, 6, 2))


def test_dataframe_records_feature_names(rng):
    frame = pd.DataFrame(rng.randn(20, 4), columns=["t0", "t1", "t2", "t3"])
    reg = RNNRegressor(**TINY).fit(frame, rng.randn(20))
    np.testing.assert_array_equal(reg.feature_names_in_, ["t0", "t1", "t2", "t3"])
    with pytest.raises(ValueError, match="feature names"):
        reg.predict(frame[["t1", "t0", "t2", "t3"]])


def test_float32_input_trains_in_float32_and_float64_in_float64(rng):
    X = rng.randn(16, 5, 2)
    y = labels(X)
    clf32 = RNNClassifier(**TINY).fit(X.astype(np.float32), y)
    clf64 = RNNClassifier(**TINY).fit(X, y)
    assert next(clf32.net_.module_.parameters()).dtype.is_floating_point
    assert str(next(clf32.net_.module_.parameters()).dtype) == "torch.float32"
    assert str(next(clf64.net_.module_.parameters()).dtype) == "torch.float64"
    # Prediction converts input to the training precision.
    assert clf32.predict_proba(X).dtype == np.float64


@pytest.mark.parametrize("bidirectional", [False, True])
def test_folded_standardisation_equals_scaling_the_data(bidirectional, rng):
    # Training reads a standardised copy; prediction folds (x - mean) / scale
    # into the first layer. Both must give the same network outputs.
    X = [3 + 50 * rng.randn(n, 2) for n in rng.randint(1, 9, size=20)]
    y = labels(X)
    clf = RNNClassifier(
        bidirectional=bidirectional, num_layers=2, batch_size=6, **TINY
    ).fit(X, y)
    assert not np.allclose(clf.input_scale_, 1.0)
    folded = clf.predict_proba(X)
    scaled = [(x - clf.input_mean_) / clf.input_scale_ for x in X]
    clf.net_.module_.fold_input_scaling = False
    try:
        unfolded = clf.predict_proba(scaled)
    finally:
        clf.net_.module_.fold_input_scaling = True
    np.testing.assert_allclose(folded, unfolded, rtol=1e-9, atol=1e-12)


def zero_padded(sequences, *, pre=False):
    """Keras's pad_sequences: zeros after (or, its default, before) each one."""
    n_steps = max(len(s) for s in sequences)
    padded = np.zeros((len(sequences), n_steps, sequences[0].shape[1]))
    for i, seq in enumerate(sequences):
        if pre:
            padded[i, n_steps - len(seq) :] = seq
        else:
            padded[i, : len(seq)] = seq
    return padded


@pytest.mark.parametrize("pre", [False, True], ids=["post", "pre"])
@pytest.mark.parametrize(
    "make_estimator",
    [
        lambda: RNNClassifier(**TINY),
        lambda: RNNRegressor(**TINY),
        lambda: SequenceTagger(**TINY),
        SequenceScaler,
    ],
    ids=["classifier", "regressor", "tagger", "scaler"],
)
def test_zero_padding_warns_once_in_fit(make_estimator, pre, rng):
    X = zero_padded(ragged(rng), pre=pre)
    y = labels(ragged(rng))
    if isinstance(make_estimator(), SequenceTagger):
        y = [np.arange(X.shape[1]) % 2] * len(X)
    with pytest.warns(ZeroPaddingWarning, match="zero padding.*NaN.*list") as record:
        est = make_estimator().fit(X, y)
    [warning] = [w for w in record if w.category is ZeroPaddingWarning]
    assert warning.filename == __file__  # points at the user's call
    with warnings.catch_warnings():
        warnings.simplefilter("error", ZeroPaddingWarning)
        (est.transform if hasattr(est, "transform") else est.predict)(X)


@pytest.mark.parametrize(
    "make_X",
    [
        lambda rng: rng.randn(24, 8, 2),
        lambda rng: ragged(rng),
        lambda rng: nan_padded(ragged(rng)),
        # Counts: all-zero steps everywhere, so trailing zeros are not padding.
        lambda rng: rng.poisson(0.7, size=(24, 8, 1)).astype(float),
        lambda rng: rng.binomial(1, 0.3, size=(24, 8, 2)).astype(float),
        lambda rng: rng.poisson(0.7, size=(24, 8)).astype(float),
        # Every sequence ends in the same zero step: a feature of the data.
        lambda rng: np.concatenate([rng.randn(24, 7, 2), np.zeros((24, 1, 2))], 1),
        # Sequences that are all zeros, and one zero-padded sequence alone.
        lambda rng: np.zeros((24, 8, 2)),
        lambda rng: np.concatenate(
            [zero_padded([rng.randn(3, 2), rng.randn(8, 2)])[:1], rng.randn(23, 8, 2)]
        ),
    ],
    ids=[
        "gaussian",
        "list",
        "nan-padded",
        "counts",
        "binary",
        "counts-2d",
        "constant-zero-end",
        "all-zero",
        "one-padded",
    ],
)
def test_ordinary_data_does_not_warn_of_zero_padding(make_X, rng):
    X = make_X(rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ZeroPaddingWarning)
        RNNClassifier(**TINY).fit(X, np.arange(len(X)) % 2)


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_a_series_of_arrays_is_a_list_of_sequences(Estimator, rng):
    X = ragged(rng, n=20)
    y = labels(X)
    series = pd.Series(X, index=np.arange(100, 120))
    from_series = Estimator(**TINY).fit(series, y)
    from_list = Estimator(**TINY).fit(np.array(X, dtype=object), y)
    np.testing.assert_allclose(from_series.predict(series), from_list.predict(X))


def test_a_series_of_arrays_holds_per_step_targets(rng):
    X = pd.Series(ragged(rng, n=12))
    y = pd.Series([np.cumsum(x[:, 0]) for x in X])
    reg = RNNRegressor(return_sequences=True, **TINY).fit(X, y)
    assert [len(p) for p in reg.predict(X)] == [len(x) for x in X]
    assert np.isfinite(reg.score(X, y))


@pytest.mark.parametrize("X", ["ab", [None], [[]]])
def test_a_token_model_names_input_that_is_not_numbers_as_fit_does(X):
    # It said "X holds numbers" for anything that was not tokens.
    tokens, tags = [["a", "b"]] * 4, [["D", "N"]] * 4
    params = dict(hidden_size=4, max_epochs=1, embedding_dim=4, char_features=0)
    tagger = SequenceTagger(**params).fit(tokens, tags)
    with pytest.raises((ValueError, TypeError)) as at_fit:
        SequenceTagger(**params).fit(X, [["D"]])
    with pytest.raises(type(at_fit.value)) as at_predict:
        tagger.predict(X)
    assert str(at_predict.value) == str(at_fit.value)
    assert "holds numbers" not in str(at_predict.value)


def test_a_refused_table_leaves_a_document_model_unchanged():
    # Telling numbers from other input must not mark the fitted model.
    model = RNNClassifier(hidden_size=4, max_epochs=1).fit(
        ["good", "bad"] * 3, [1, 0] * 3
    )
    table = pd.DataFrame(np.zeros((4, 3)), columns=list("abc"))
    with pytest.raises(ValueError, match="X holds numbers"):
        model.predict(table)
    assert not hasattr(model, "feature_names_in_")
    assert not hasattr(model, "n_features_in_")
