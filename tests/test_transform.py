"""transform: the learnt sequence representation, as features."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skrnn import RNNClassifier, RNNRegressor, SequenceTagger

TINY = dict(hidden_size=6, max_epochs=3, random_state=0)


def _ragged(rng, n=12, n_features=2):
    return [rng.randn(rng.randint(2, 9), n_features) for _ in range(n)]


@pytest.mark.parametrize(
    "estimator",
    [
        RNNClassifier(**TINY),
        RNNClassifier(bidirectional=True, readout="mean", cell="gru", **TINY),
        RNNRegressor(readout="max", **TINY),
    ],
    ids=["last", "bidirectional-mean", "max"],
)
def test_one_row_per_sequence_independent_of_the_batch(rng, estimator):
    X = _ragged(rng)
    y = np.arange(len(X)) % 2
    estimator = clone(estimator).set_params(batch_size=4).fit(X, y)
    features = estimator.transform(X)
    # The readout's vector, then the convolutional front end's pooled features
    # and each input feature's level and log-scale.
    width = 6 * (2 if estimator.bidirectional else 1)
    front_end = estimator.net_.module_.front_end
    width += front_end.output_size + front_end.summary_size
    assert features.shape == (len(X), width)
    assert features.dtype == np.float64
    # Each sequence alone, then in another order: the same rows.
    alone = np.vstack([estimator.transform([x]) for x in X])
    np.testing.assert_allclose(alone, features, rtol=1e-5, atol=1e-6)
    order = rng.permutation(len(X))
    reordered = estimator.transform([X[i] for i in order])
    np.testing.assert_allclose(reordered, features[order], rtol=1e-5, atol=1e-6)


def test_last_readout_is_the_top_layer_output_at_each_end(rng):
    # The documented state: the top layer's output (h) at the sequence's end.
    X = rng.randn(10, 5, 2).astype(np.float32)
    y = np.arange(10) % 2
    clf = RNNClassifier(
        **TINY, num_layers=2, readout="last", front_end=None, standardize=False
    ).fit(X, y)
    with torch.no_grad():
        outputs, _ = clf.net_.module_.encoder.rnn(torch.as_tensor(X))
    np.testing.assert_allclose(clf.transform(X), outputs[:, -1].numpy(), rtol=1e-5)


def test_head_of_transform_gives_the_predictions(rng):
    # transform is exactly what the linear head reads.
    X = rng.randn(15, 6, 2)
    y = np.arange(15) % 3
    clf = RNNClassifier(**TINY).fit(X, y)
    head = clf.net_.module_.head
    logits = clf.transform(X) @ head.weight.detach().numpy().T
    logits += head.bias.detach().numpy()
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=1e-4, atol=1e-6)


def test_per_step_representations_are_ragged(rng):
    X = _ragged(rng)
    y = [np.cumsum(x[:, 0]) for x in X]
    reg = RNNRegressor(return_sequences=True, **TINY).fit(X, y)
    steps = reg.transform(X)
    assert isinstance(steps, list)
    assert [s.shape for s in steps] == [(len(x), 6) for x in X]
    alone = reg.transform([X[3]])[0]
    np.testing.assert_allclose(alone, steps[3], rtol=1e-5, atol=1e-6)
    # set_output leaves per-step lists as they are.
    reg.set_output(transform="pandas")
    assert isinstance(reg.transform(X), list)


def test_tagger_tokens_and_tables():
    X = [["the", "dog", "runs"], ["a", "cat"], ["the", "cat", "runs", "home"]]
    y = [["D", "N", "V"], ["D", "N"], ["D", "N", "V", "N"]]
    tagger = SequenceTagger(hidden_size=4, max_epochs=2, min_frequency=1)
    steps = tagger.fit(X, y).transform(X)
    assert [s.shape for s in steps] == [(3, 8), (2, 8), (4, 8)]
    np.testing.assert_allclose(
        tagger.transform([X[1]])[0], steps[1], rtol=1e-5, atol=1e-6
    )
    # A 2-D table of steps split by lengths gives one row per step.
    table = np.arange(14.0).reshape(7, 2)
    numeric = SequenceTagger(hidden_size=4, max_epochs=2)
    rows = numeric.fit_transform(table, list("abababa"), lengths=[3, 4])
    assert rows.shape == (7, 8)
    np.testing.assert_allclose(rows, numeric.transform(table, lengths=[3, 4]))


def test_feature_names_and_pandas_output(rng):
    X = pd.DataFrame(rng.randn(20, 6), columns=[f"t{i}" for i in range(6)])
    y = np.arange(20) % 2
    clf = RNNClassifier(**TINY, front_end=None).fit(X, y)
    names = clf.get_feature_names_out()
    assert names.tolist() == [f"rnnclassifier{i}" for i in range(6)]
    clf.set_output(transform="pandas")
    frame = clf.transform(X.iloc[5:])
    assert isinstance(frame, pd.DataFrame)
    assert frame.columns.tolist() == names.tolist()
    assert frame.index.tolist() == list(range(5, 20))


def test_pipeline_features_into_scikit_learn(rng):
    X = rng.randn(80, 8, 1)
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    rnn = RNNClassifier(hidden_size=8, lr=1e-2, max_epochs=20, random_state=0)
    pipe = make_pipeline(rnn, LogisticRegression()).fit(X, y)
    assert pipe.score(X, y) > 0.8
    clusters = make_pipeline(clone(rnn), KMeans(2, n_init=3, random_state=0))
    labels = clusters.fit(X, y).predict(X)
    assert set(labels) == {0, 1}
    # 8 recurrent features, the front end's 64 pooled ones and the input's
    # level and log-scale.
    assert pipe[:-1].get_feature_names_out().shape == (8 + 64 + 2,)


def test_transform_before_fit_raises():
    with pytest.raises(NotFittedError):
        RNNClassifier().transform(np.zeros((2, 3, 1)))
    with pytest.raises(NotFittedError):
        RNNClassifier().get_feature_names_out()


@pytest.mark.parametrize("name", ["RNNForecaster", "SequenceTranslator"])
def test_estimators_without_transform_name_no_features_out(name):
    import skrnn

    estimator = getattr(skrnn, name)()
    assert not hasattr(estimator, "transform")
    assert not hasattr(estimator, "get_feature_names_out")
