"""Behaviour of the classifier and regressor beyond scikit-learn's checks."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, cross_val_score

from skrnn import RNNClassifier, RNNRegressor


def test_classifier_learns_an_order_dependent_task(rng):
    # The label depends on the order of the steps, not on their values'
    # distribution: only a recurrent model (not a bag of steps) can learn it.
    X = rng.randn(240, 8, 1).astype(np.float32)
    y = (X[:, -1, 0] > X[:, 0, 0]).astype(int)
    clf = RNNClassifier(hidden_size=16, lr=1e-2, max_epochs=30, random_state=0)
    clf.fit(X[:180], y[:180])
    assert clf.score(X[180:], y[180:]) > 0.85


def test_multiclass_string_labels_and_probabilities(rng):
    X = rng.randn(60, 5, 2).astype(np.float32)
    y = np.array(["a", "b", "c"])[np.digitize(X[:, :, 0].sum(axis=1), [-1, 1])]
    clf = RNNClassifier(hidden_size=8, max_epochs=5, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_, ["a", "b", "c"])
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])


def test_regressor_trains_on_unscaled_targets(rng):
    # Targets in the hundreds, inputs far from zero: standardisation inside the
    # estimator is what makes this train with default settings.
    X = 500 + 40 * rng.randn(200, 6, 1).astype(np.float32)
    y = 300 + 2.0 * (X[:, :, 0].mean(axis=1) - 500)
    reg = RNNRegressor(hidden_size=16, lr=1e-2, max_epochs=40, random_state=0)
    reg.fit(X[:150], y[:150])
    assert reg.score(X[150:], y[150:]) > 0.9
    unscaled = RNNRegressor(
        hidden_size=16, lr=1e-2, max_epochs=40, random_state=0, standardize=False
    ).fit(X[:150], y[:150])
    assert unscaled.score(X[150:], y[150:]) < reg.score(X[150:], y[150:])


def test_multi_output_regression(rng):
    X = rng.randn(40, 5, 2)
    y = np.c_[X[:, :, 0].sum(axis=1), X[:, :, 1].sum(axis=1) * 100]
    reg = RNNRegressor(hidden_size=8, max_epochs=5, random_state=0).fit(X, y)
    assert reg.predict(X).shape == (40, 2)
    assert reg.predict(X[:1]).shape == (1, 2)


@pytest.mark.parametrize("with_output_axis", [False, True])
def test_return_sequences_with_arrays(rng, with_output_axis):
    X = rng.randn(30, 7, 1)
    y = np.cumsum(X[:, :, 0], axis=1)
    if with_output_axis:
        y = np.stack([y, -y], axis=2)
    reg = RNNRegressor(
        return_sequences=True, hidden_size=8, max_epochs=5, random_state=0
    ).fit(X, y)
    assert reg.predict(X).shape == y.shape


def test_return_sequences_learns_a_running_sum(rng):
    X = [rng.randn(n, 1).astype(np.float32) for n in rng.randint(3, 12, size=200)]
    y = [np.cumsum(x[:, 0]) for x in X]
    reg = RNNRegressor(
        return_sequences=True, hidden_size=16, lr=1e-2, max_epochs=30, random_state=0
    ).fit(X[:150], y[:150])
    pred = reg.predict(X[150:])
    err = np.concatenate([p - t for p, t in zip(pred, y[150:], strict=True)])
    var = np.var(np.concatenate(y[150:]))
    assert np.mean(err**2) < 0.1 * var


def _nan_padded(sequences):
    padded = np.full((len(sequences), max(map(len, sequences)), 1), np.nan)
    for i, seq in enumerate(sequences):
        padded[i, : len(seq), 0] = np.ravel(seq)
    return padded


def test_per_step_score_pools_the_real_steps_of_every_input_form(rng):
    X = [rng.randn(n, 1) for n in (3, 6, 4, 8, 5, 2)]
    y = [np.cumsum(x[:, 0]) for x in X]
    weight = np.arange(1.0, 7.0)
    reg = RNNRegressor(
        return_sequences=True, hidden_size=8, max_epochs=5, random_state=0
    ).fit(X, y)
    expected = r2_score(
        np.concatenate(y),
        np.concatenate(reg.predict(X)),
        sample_weight=np.repeat(weight, [len(x) for x in X]),
    )
    assert reg.score(X, y, sample_weight=weight) == pytest.approx(expected)
    padded = reg.score(_nan_padded(X), _nan_padded(y)[:, :, 0], sample_weight=weight)
    assert padded == pytest.approx(expected)
    assert reg.score(np.array(X, dtype=object), y) == pytest.approx(reg.score(X, y))


def test_per_step_regression_cross_validates_on_ragged_data(rng):
    X = [rng.randn(n, 1) for n in rng.randint(2, 9, size=30)]
    y = [np.cumsum(x[:, 0]) for x in X]
    reg = RNNRegressor(
        return_sequences=True, hidden_size=8, max_epochs=3, random_state=0
    )
    scores = cross_val_score(reg, X, y, cv=KFold(3), error_score="raise")
    assert np.isfinite(scores).all()


def test_convergence_rule_stops_early_and_warns_otherwise(rng):
    X = rng.randn(30, 4, 1)
    y = rng.randn(30)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        reg = RNNRegressor(
            hidden_size=4, max_epochs=500, tol=10.0, n_iter_no_change=2, random_state=0
        ).fit(X, y)
    # With a huge tol no epoch counts as an improvement after the first.
    assert reg.n_iter_ == 4
    with pytest.warns(ConvergenceWarning, match="max_epochs=2"):
        RNNRegressor(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)


def test_sample_weight_zero_removes_sequences(rng):
    X = rng.randn(20, 4, 1)
    y = X[:, :, 0].sum(axis=1)
    weight = np.r_[np.ones(15), np.zeros(5)]
    params = dict(hidden_size=4, max_epochs=3, batch_size=64, random_state=0)
    weighted = RNNRegressor(**params).fit(X, y, sample_weight=weight)
    removed = RNNRegressor(**params).fit(X[:15], y[:15])
    np.testing.assert_allclose(weighted.predict(X), removed.predict(X), rtol=1e-7)
