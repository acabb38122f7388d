"""skrnn estimators inside scikit-learn's tools, and their reproducibility."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skrnn import RNNClassifier, RNNRegressor

TINY = dict(hidden_size=8, max_epochs=4, random_state=0)


def data(rng, n=40):
    X = rng.randn(n, 6, 2).astype(np.float32)
    y = np.where(X[:, :, 0].sum(axis=1) > 0, "pos", "neg")
    return X, y


def test_pipeline(rng):
    X, y = data(rng)
    pipe = make_pipeline(FunctionTransformer(lambda Z: Z * 2.0), RNNClassifier(**TINY))
    pipe.fit(X, y)
    assert set(pipe.predict(X)) <= {"pos", "neg"}
    assert 0.0 <= pipe.score(X, y) <= 1.0


def test_grid_search_over_cell_and_hidden_size(rng):
    X, y = data(rng)
    search = GridSearchCV(
        RNNClassifier(max_epochs=3, random_state=0),
        {"cell": ["lstm", "gru"], "hidden_size": [4, 8]},
        cv=2,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.cell in {"lstm", "gru"}
    assert search.best_estimator_.net_.module_.encoder.rnn.hidden_size in {4, 8}


def test_cross_val_score_regressor(rng):
    X = [rng.randn(n, 1) for n in rng.randint(2, 9, size=30)]
    y = np.array([x.sum() for x in X])
    scores = cross_val_score(RNNRegressor(**TINY), X, y, cv=3)
    assert scores.shape == (3,)
    assert np.isfinite(scores).all()


def test_clone_keeps_parameters_not_fitted_state(rng):
    X, y = data(rng)
    clf = RNNClassifier(cell="gru", bidirectional=True, **TINY).fit(X, y)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "net_")


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_pickle_round_trip_predicts_identically(Estimator, rng):
    X, y = data(rng)
    if Estimator is RNNRegressor:
        y = X[:, :, 1].sum(axis=1)
    est = Estimator(**TINY).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_same_random_state_same_predictions(Estimator, rng):
    X, y = data(rng)
    if Estimator is RNNRegressor:
        y = X[:, :, 1].sum(axis=1)
    params = dict(TINY, dropout=0.3, num_layers=2)
    first = Estimator(**params).fit(X, y).predict(X)
    second = Estimator(**params).fit(X, y).predict(X)
    np.testing.assert_array_equal(first, second)
    other = Estimator(**dict(params, random_state=1)).fit(X, y)
    if Estimator is RNNRegressor:
        assert not np.allclose(other.predict(X), first)


def test_fit_leaves_the_global_torch_random_state_alone(rng):
    X, y = data(rng)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    RNNClassifier(dropout=0.2, **TINY).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3), expected)


def test_fitted_net_is_available_to_power_users(rng):
    X, y = data(rng)
    clf = RNNClassifier(**TINY).fit(X, y)
    assert len(clf.net_.history) == clf.n_iter_ == len(clf.loss_curve_)
    assert isinstance(clf.net_.module_, torch.nn.Module)
