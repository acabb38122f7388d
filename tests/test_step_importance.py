"""skrnn.inspection.step_importance: attributions of predictions to steps."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skrnn import RNNClassifier, RNNRegressor, SequenceTagger
from skrnn.inspection import step_importance

METHODS = ["integrated_gradients", "occlusion", "permutation"]


def _ragged(rng, n=16, n_features=2):
    return [rng.randn(rng.randint(2, 9), n_features) for _ in range(n)]


@pytest.fixture(scope="module")
def planted():
    # Only steps 2 and 6 carry the label; the other steps are noise.
    rng = np.random.RandomState(0)
    X = rng.randn(600, 10, 1).astype(np.float32)
    y = (X[:, 2, 0] + X[:, 6, 0] > 0).astype(int)
    # The steps straight into the recurrence (no convolutions to blur them).
    clf = RNNClassifier(front_end=None, random_state=0)
    return clf.fit(X[:450], y[:450]), X[450:], y[450:]


@pytest.mark.parametrize("method", METHODS)
def test_planted_signal_steps_rank_first(planted, method):
    clf, X, y = planted
    assert clf.score(X, y) > 0.9
    attributions = step_importance(clf, X, method=method, random_state=0)
    importance = np.mean([np.abs(a[:, 0]) for a in attributions], axis=0)
    assert set(np.argsort(-importance)[:2]) == {2, 6}


@pytest.mark.parametrize(
    "estimator",
    [
        RNNRegressor(hidden_size=8, max_epochs=5, front_end=None, random_state=0),
        RNNClassifier(hidden_size=8, max_epochs=5, front_end=None, random_state=0),
        RNNClassifier(
            cell="gru",
            bidirectional=True,
            readout="mean",
            front_end=None,
            hidden_size=8,
            max_epochs=5,
            random_state=0,
        ),
    ],
    ids=["regressor", "classifier", "bidirectional-gru-mean"],
)
def test_integrated_gradients_are_complete(rng, estimator):
    # Smooth networks (no ReLU front end): 50 points reach 1e-4.
    # The attributions of a sequence sum to the explained output at X minus at
    # the baseline (the fitted mean at every step).
    X = _ragged(rng)
    y = np.array([x[:, 0].sum() for x in X])
    if isinstance(estimator, RNNClassifier):
        y = (y > 0).astype(int)
    estimator.fit(X, y)
    attributions = step_importance(estimator, X, n_steps=50)
    baselines = [np.broadcast_to(estimator.input_mean_, x.shape) for x in X]
    if isinstance(estimator, RNNClassifier):
        proba = estimator.predict_proba(X)
        explained = proba.argmax(axis=1)
        rows = np.arange(len(X))
        expected = (
            proba[rows, explained] - estimator.predict_proba(baselines)[rows, explained]
        )
    else:
        expected = estimator.predict(X) - estimator.predict(baselines)
    totals = np.array([a.sum() for a in attributions])
    np.testing.assert_allclose(totals, expected, atol=1e-4)
    assert [a.shape for a in attributions] == [x.shape for x in X]


def test_completeness_with_a_target_class_and_a_baseline(rng):
    X = rng.randn(30, 6, 2)
    y = np.array(["a", "b", "c"])[np.arange(30) % 3]
    clf = RNNClassifier(hidden_size=8, max_epochs=5, front_end=None, random_state=0)
    clf.fit(X, y)
    attributions = step_importance(clf, X, target="c", baseline=[0.5, -1.0])
    baseline = np.broadcast_to([0.5, -1.0], X.shape)
    expected = clf.predict_proba(X)[:, 2] - clf.predict_proba(baseline)[:, 2]
    np.testing.assert_allclose([a.sum() for a in attributions], expected, atol=1e-4)


def test_integrated_gradients_converge_with_the_relu_front_end(rng):
    # The default convolutional front end is piecewise linear: the path
    # integral needs more points (documented under n_steps).
    X = _ragged(rng)
    reg = RNNRegressor(hidden_size=8, max_epochs=5, random_state=0)
    reg.fit(X, [x[:, 0].sum() for x in X])
    baselines = [np.broadcast_to(reg.input_mean_, x.shape) for x in X]
    expected = reg.predict(X) - reg.predict(baselines)
    errors = [
        np.abs([a.sum() for a in step_importance(reg, X, n_steps=n)] - expected).max()
        for n in (50, 1000)
    ]
    assert errors[1] < 2e-3 and errors[1] < errors[0]


@pytest.mark.parametrize("method", METHODS[:2])
def test_a_sequence_does_not_depend_on_its_batch(rng, method):
    X = _ragged(rng)
    y = np.arange(len(X)) % 2
    clf = RNNClassifier(hidden_size=8, max_epochs=5, random_state=0).fit(X, y)
    together = step_importance(clf, X, method=method)
    small_batches = step_importance(clf, X, method=method, batch_size=3)
    for i in (0, 7):
        alone = step_importance(clf, [X[i]], method=method)[0]
        np.testing.assert_allclose(alone, together[i], rtol=1e-4, atol=1e-7)
    for a, b in zip(together, small_batches, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-7)


def test_padding_gets_no_attribution(rng):
    X = _ragged(rng)
    reg = RNNRegressor(hidden_size=8, max_epochs=5, random_state=0)
    reg.fit(X, [x.sum() for x in X])
    padded = np.full((len(X), 8, 2), np.nan)
    for i, x in enumerate(X):
        padded[i, : len(x)] = x
    for method in METHODS[:2]:
        from_list = step_importance(reg, X, method=method)
        from_padded = step_importance(reg, padded, method=method)
        for a, b, x in zip(from_list, from_padded, X, strict=True):
            assert a.shape == b.shape == x.shape
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-8)


def test_occlusion_of_a_step_is_the_drop_of_the_prediction(rng):
    X = rng.randn(8, 5, 2)
    reg = RNNRegressor(hidden_size=8, max_epochs=5, random_state=0)
    reg.fit(X, X.sum(axis=(1, 2)))
    attributions = step_importance(reg, X, method="occlusion", baseline=0.0)
    occluded = X.copy()
    occluded[:, 3] = 0.0
    expected = reg.predict(X) - reg.predict(occluded)
    np.testing.assert_allclose([a[3, 0] for a in attributions], expected, atol=1e-5)
    # The step's effect goes to each of its features, as captum's Occlusion does.
    np.testing.assert_allclose([a[3, 1] for a in attributions], expected, atol=1e-5)


def test_permutation_follows_random_state(rng):
    X = rng.randn(20, 6, 1)
    reg = RNNRegressor(hidden_size=8, max_epochs=5, random_state=0)
    reg.fit(X, X[:, 2, 0])
    first = step_importance(reg, X, method="permutation", random_state=1)
    again = step_importance(reg, X, method="permutation", random_state=1)
    other = step_importance(reg, X, method="permutation", random_state=2)
    np.testing.assert_array_equal(np.stack(first), np.stack(again))
    assert not np.allclose(np.stack(first), np.stack(other))


def test_tokens_are_attributed_at_the_embedding():
    X = [["the", "dog", "runs"], ["a", "cat"], ["the", "cat", "runs", "home"]]
    y = [["D", "N", "V"], ["D", "N"], ["D", "N", "V", "N"]]
    tagger = SequenceTagger(hidden_size=4, max_epochs=3, min_frequency=1)
    tagger.fit(X, y)
    attributions = step_importance(tagger, X)
    assert [a.shape for a in attributions] == [(3,), (2,), (4,)]
    # A one-token sequence: integrated gradients (complete) and occlusion both
    # give the whole difference from the zero embedding.
    single = [["dog"], ["home"]]
    np.testing.assert_allclose(
        np.concatenate(step_importance(tagger, single, n_steps=200)),
        np.concatenate(step_importance(tagger, single, method="occlusion")),
        rtol=1e-3,
    )
    with pytest.raises(ValueError, match="token input"):
        step_importance(tagger, X, method="permutation")
    with pytest.raises(ValueError, match="zero embedding"):
        step_importance(tagger, X, baseline=0.5)


def test_per_step_regression_and_tagger_targets(rng):
    X = _ragged(rng)
    reg = RNNRegressor(return_sequences=True, hidden_size=8, max_epochs=3)
    reg.fit(X, [np.cumsum(x[:, 0]) for x in X])
    attributions = step_importance(reg, X)
    baselines = [np.broadcast_to(reg.input_mean_, x.shape) for x in X]
    expected = [
        (p - b).sum()
        for p, b in zip(reg.predict(X), reg.predict(baselines), strict=True)
    ]
    np.testing.assert_allclose([a.sum() for a in attributions], expected, atol=1e-4)


def test_bad_input_is_refused_clearly(rng):
    X = rng.randn(20, 5, 2)
    y = np.arange(20) % 2
    with pytest.raises(NotFittedError):
        step_importance(RNNClassifier(), X)
    clf = RNNClassifier(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"target=7 is not one of the classes"):
        step_importance(clf, X, target=7)
    with pytest.raises(ValueError, match=r"shape \(2,\); got an array of shape"):
        step_importance(clf, X, baseline=[0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="baseline must be finite"):
        step_importance(clf, X, baseline=[0.0, np.nan])
    bad = X.copy()
    bad[0, 1, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        step_importance(clf, bad)
    with pytest.raises(ValueError, match="method"):
        step_importance(clf, X, method="saliency")
    with pytest.raises(ValueError, match="2 features"):
        step_importance(clf, rng.randn(3, 5, 3))
    two = RNNRegressor(hidden_size=4, max_epochs=2).fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="pass target=k"):
        step_importance(two, X)
    with pytest.raises(ValueError, match=r"target must be in \[0, 2\)"):
        step_importance(two, X, target=2)


def test_integrated_gradients_match_captum(rng):
    # captum is the field's library (an optional dependency): on sequences of
    # one length, where padding plays no part, its integrated gradients of the
    # same probability with the same rule and baseline are ours. Under 18
    # points the rule is captum's own (no pieces of the path, see n_steps).
    captum_attr = pytest.importorskip("captum.attr")
    import torch

    X = rng.randn(12, 7, 2).astype(np.float32)
    y = np.arange(12) % 3
    clf = RNNClassifier(hidden_size=8, max_epochs=5, random_state=0).fit(X, y)
    ours = np.stack(step_importance(clf, X, n_steps=15))
    module = clf.net_.module_.eval()
    lengths = torch.full((len(X),), X.shape[1])
    explained = torch.as_tensor(clf.predict_proba(X).argmax(axis=1))

    def probability(values):
        logits = module(lengths=lengths[: len(values)], values=values)
        return torch.softmax(logits, dim=-1)

    baseline = torch.as_tensor(np.broadcast_to(clf.input_mean_, X.shape).copy())
    theirs = captum_attr.IntegratedGradients(probability).attribute(
        torch.as_tensor(X),
        baselines=baseline.float(),
        target=explained,
        n_steps=15,
        method="gausslegendre",
        internal_batch_size=len(X),
    )
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-4, atol=1e-6)


def test_estimators_without_step_outputs_are_named_in_the_error(rng):
    from skrnn import RNNAnomalyDetector

    X = rng.randn(8, 5, 1)
    detector = RNNAnomalyDetector(hidden_size=4, max_epochs=1).fit(X)
    with pytest.raises(TypeError, match="got RNNAnomalyDetector, whose outputs"):
        step_importance(detector, X)
