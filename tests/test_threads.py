"""predict from several threads at once on one fitted estimator."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from skrnn import RNNClassifier, RNNRegressor, SequenceTagger

TINY = dict(hidden_size=6, max_epochs=1, batch_size=4, random_state=0)


def _ragged(rng, n):
    return [rng.randn(k, 2) for k in rng.randint(1, 9, size=n)]


def _fitted(name, rng):
    X = _ragged(rng, 24)
    if name == "classifier":
        return RNNClassifier(bidirectional=True, **TINY).fit(X, rng.randint(0, 3, 24))
    if name == "regressor":
        return RNNRegressor(return_sequences=True, **TINY).fit(
            X, [x[:, 0].cumsum() for x in X]
        )
    words = ["a", "b", "c", "d"]
    tokens = [list(rng.choice(words, size=len(x))) for x in X]
    tags = [[w.upper() for w in s] for s in tokens]
    return SequenceTagger(crf=True, embedding_dim=4, char_features=3, **TINY).fit(
        tokens, tags
    )


def _same(a, b):
    if isinstance(a, list):
        return len(a) == len(b) and all(
            np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
            for x, y in zip(a, b, strict=True)
        )
    return np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


@pytest.mark.parametrize("name", ["classifier", "regressor", "tagger"])
def test_concurrent_predict_equals_sequential(name, rng):
    est = _fitted(name, rng)
    # Inputs of different sizes and lengths, so that threads interleave batches
    # of different shapes through the same network.
    inputs = [_ragged(rng, n) for n in (1, 3, 7, 12, 5, 9, 2, 11)]
    if name == "tagger":
        inputs = [
            [list(rng.choice(["a", "b", "z"], size=len(x))) for x in X] for X in inputs
        ]
    methods = ["predict"] + (["predict_proba"] if hasattr(est, "predict_proba") else [])
    jobs = [(m, X) for m in methods for X in inputs] * 4
    expected = [getattr(est, m)(X) for m, X in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: getattr(est, job[0])(job[1]), jobs))
    assert all(_same(r, e) for r, e in zip(results, expected, strict=True))
