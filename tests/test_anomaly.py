"""RNNAnomalyDetector: detection, per-step errors, thresholds and input forms."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.utils._param_validation import InvalidParameterError

import skrnn
from skrnn import RNNAnomalyDetector
from skrnn.preprocessing import from_long_format, to_long_format

TINY = dict(hidden_size=16, max_epochs=60, random_state=0)
SPIKE = 25


def sines(n, n_steps=40, seed=0, n_features=1):
    """Noisy sine waves of random phase (and a cosine for a second feature)."""
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 4 * np.pi, n_steps)
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    waves = [np.sin(t + phase), np.cos(t + phase)][:n_features]
    X = np.stack(waves, axis=2) + 0.05 * rng.randn(n, n_steps, n_features)
    return X.astype(np.float32)


def spiked(X, step=SPIKE, size=3.0):
    X = X.copy()
    X[:, step] += size
    return X


@pytest.fixture(scope="module", params=["prediction", "reconstruction"])
def fitted(request):
    detector = RNNAnomalyDetector(method=request.param, **TINY)
    with pytest.warns(Warning, match="max_epochs"):
        return detector.fit(sines(60))


def test_planted_spikes_are_found_and_located(fitted):
    normal, anomalous = sines(20, seed=1), spiked(sines(20, seed=2))
    scores = fitted.score_samples(np.concatenate([normal, anomalous]))
    is_anomaly = np.r_[np.zeros(20), np.ones(20)]
    assert roc_auc_score(is_anomaly, -scores) > 0.95
    peaks = [int(errors.argmax()) for errors in fitted.step_errors(anomalous)]
    assert np.mean(np.array(peaks) == SPIKE) >= 0.9
    # Far from the spike the steps look normal.
    errors = np.stack(fitted.step_errors(anomalous))
    assert np.median(errors[:, SPIKE]) > 10 * np.median(errors[:, :10])


def test_thresholds_follow_scikit_learns_contract(fitted):
    X = sines(30, seed=3)
    scores = fitted.score_samples(X)
    decision = fitted.decision_function(X)
    np.testing.assert_allclose(decision, scores - fitted.offset_)
    np.testing.assert_array_equal(fitted.predict(X), np.where(decision >= 0, 1, -1))
    assert fitted.predict(X).dtype.kind == "i"
    # Higher is more normal, and a sequence's score is minus its mean error.
    means = [errors.mean() for errors in fitted.step_errors(X)]
    np.testing.assert_allclose(scores, -np.array(means))


def test_contamination_flags_that_share_of_the_training_set():
    X = sines(60)
    detector = RNNAnomalyDetector(contamination=0.1, **TINY)
    with pytest.warns(Warning, match="max_epochs"):
        labels = detector.fit_predict(X)
    assert (labels == -1).sum() == 6
    np.testing.assert_array_equal(labels, detector.predict(X))


def test_auto_contamination_is_the_lower_tukey_fence(fitted):
    scores = fitted.score_samples(sines(60))
    low, high = np.percentile(scores, [25, 75])
    assert fitted.offset_ == pytest.approx(low - 1.5 * (high - low))


def test_scores_do_not_depend_on_the_other_sequences_in_the_batch(fitted):
    rng = np.random.RandomState(4)
    X = [x[: rng.randint(10, 41)] for x in sines(12, seed=4)]
    together = fitted.score_samples(X)
    alone = np.array([fitted.score_samples([x])[0] for x in X])
    np.testing.assert_allclose(together, alone, rtol=1e-5)
    for x, errors in zip(X, fitted.step_errors(X), strict=True):
        assert errors.shape == (len(x),)


def test_prediction_scores_each_step_from_the_steps_before_it():
    detector = RNNAnomalyDetector(**TINY)
    with pytest.warns(Warning, match="max_epochs"):
        detector.fit(sines(30))
    X = sines(3, seed=5)
    later = spiked(X, step=30)
    before = np.stack(detector.step_errors(X))
    after = np.stack(detector.step_errors(later))
    # Changing step 30 changes no error before it.
    np.testing.assert_allclose(after[:, :30], before[:, :30], rtol=1e-5)
    assert (after[:, 30] > before[:, 30]).all()


def test_multivariate_ragged_and_table_input():
    X = sines(40, n_features=2)
    detector = RNNAnomalyDetector(**{**TINY, "max_epochs": 5})
    with pytest.warns(Warning, match="max_epochs"):
        detector.fit([x[: 20 + i % 20] for i, x in enumerate(X)])
    assert detector.n_step_features_ == 2
    long = to_long_format(list(X[:5]), ids=list("abcde"))
    shuffled = long.sample(frac=1, random_state=0)
    sequences, ids = from_long_format(shuffled, "id", time_column="step")
    order = ["abcde".index(i) for i in ids]
    np.testing.assert_allclose(
        detector.score_samples(sequences), detector.score_samples(X[order]), rtol=1e-6
    )
    # A DataFrame of univariate sequences, one per row.
    frame = pd.DataFrame(sines(30)[:, :, 0], columns=[f"t{i}" for i in range(40)])
    univariate = RNNAnomalyDetector(**{**TINY, "max_epochs": 5})
    with pytest.warns(Warning, match="max_epochs"):
        univariate.fit(frame)
    assert univariate.score_samples(frame).shape == (30,)
    assert list(univariate.feature_names_in_) == list(frame.columns)


def test_transform_is_the_code_of_each_sequence(fitted):
    codes = fitted.transform(sines(7))
    assert codes.shape == (7, 16)
    assert fitted.get_feature_names_out().shape == (16,)


def test_save_and_load_give_the_same_scores(fitted, tmp_path):
    path = tmp_path / "detector.safetensors"
    skrnn.save(fitted, path)
    loaded = skrnn.load(path)
    X = spiked(sines(10, seed=6))
    assert loaded.offset_ == fitted.offset_
    assert loaded.method == fitted.method
    np.testing.assert_array_equal(loaded.score_samples(X), fitted.score_samples(X))
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))


def test_unfitted_detector_says_so():
    with pytest.raises(NotFittedError):
        RNNAnomalyDetector().score_samples(sines(2))
    with pytest.raises(NotFittedError):
        RNNAnomalyDetector().step_errors(sines(2))


@pytest.mark.parametrize("contamination", [0.0, 0.6, -0.1, "high"])
def test_bad_contamination_is_rejected(contamination):
    with pytest.raises(InvalidParameterError, match="'contamination' parameter"):
        RNNAnomalyDetector(contamination=contamination).fit(sines(4))


def test_prediction_cannot_read_backwards():
    with pytest.raises(ValueError, match="bidirectional=True"):
        RNNAnomalyDetector(bidirectional=True).fit(sines(4))


def test_bad_input_is_rejected_with_the_fix(fitted):
    with pytest.raises(ValueError, match="features"):
        fitted.score_samples(sines(3, n_features=2))
    X = sines(3)
    X[1, 5, 0] = np.nan
    with pytest.raises(ValueError, match="NaN inside sequence 1 at step 5"):
        fitted.score_samples(X)
    with pytest.raises(ValueError, match="NaN inside sequence 1 at step 5"):
        RNNAnomalyDetector(**TINY).fit(X)
