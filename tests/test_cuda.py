"""The CUDA path. Skipped without a CUDA device."""

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from skrnn import RNNClassifier, RNNRegressor

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs a CUDA device"
)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_cuda_fit_matches_cpu_fit(rng, bidirectional):
    X = [rng.randn(n, 2) for n in rng.randint(1, 12, size=40)]
    y = np.array([x[:, 0].sum() for x in X])
    params = dict(
        hidden_size=8, max_epochs=3, random_state=0, bidirectional=bidirectional
    )
    on_gpu = RNNRegressor(device="cuda", **params).fit(X, y)
    on_cpu = RNNRegressor(device="cpu", **params).fit(X, y)
    assert next(on_gpu.net_.module_.parameters()).device.type == "cuda"
    # Same seed, same data, float64: the two devices agree to rounding.
    np.testing.assert_allclose(on_gpu.predict(X), on_cpu.predict(X), rtol=1e-6)


def test_auto_device_takes_the_gpu(rng):
    clf = RNNClassifier(device="auto", hidden_size=4, max_epochs=1).fit(
        rng.randn(8, 3, 1).astype(np.float32), [0, 1] * 4
    )
    assert next(clf.net_.module_.parameters()).device.type == "cuda"


def test_cuda_model_unpickles_and_predicts_without_cuda(rng, tmp_path):
    X = rng.randn(20, 5, 2).astype(np.float32)
    y = np.where(X[:, :, 0].sum(axis=1) > 0, "pos", "neg")
    clf = RNNClassifier(device="cuda", hidden_size=8, max_epochs=2, random_state=0).fit(
        X, y
    )
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(clf))
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "expected.npy", clf.predict_proba(X))
    script = textwrap.dedent(
        f"""
        import pickle, warnings, numpy as np, torch
        assert not torch.cuda.is_available()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf = pickle.loads(open({str(path)!r}, "rb").read())
        proba = clf.predict_proba(np.load({str(tmp_path / "X.npy")!r}))
        # float32 cuDNN and CPU kernels round differently (seen: 3e-5).
        np.testing.assert_allclose(
            proba, np.load({str(tmp_path / "expected.npy")!r}), rtol=1e-4)
        print("ok")
        """
    )
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


@pytest.mark.parametrize("crf", [False, True])
def test_cuda_tagger_matches_cpu(rng, crf):
    words = ["the", "a", "dog", "cat", "runs", "sleeps"]
    X = [list(rng.choice(words, size=n)) for n in rng.randint(1, 9, size=30)]
    y = [["A" if w in ("the", "a") else "B" for w in s] for s in X]
    params = dict(
        hidden_size=8,
        embedding_dim=8,
        char_features=4,
        max_epochs=2,
        random_state=0,
        crf=crf,
        word_dropout=0.0,
    )
    from skrnn import SequenceTagger

    on_gpu = SequenceTagger(device="cuda", **params).fit(X, y)
    on_cpu = SequenceTagger(device="cpu", **params).fit(X, y)
    for a, b in zip(on_gpu.predict_proba(X), on_cpu.predict_proba(X), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("method", ["integrated_gradients", "occlusion", "permutation"])
def test_step_importance_on_cuda_matches_cpu(rng, method):
    # cuDNN's recurrent backward refuses evaluation mode: step_importance turns
    # cuDNN off for its backward pass instead of switching on dropout.
    from skrnn.inspection import step_importance

    X = [rng.randn(n, 2) for n in rng.randint(2, 12, size=30)]
    y = np.array([x[:, 0].sum() for x in X])
    params = dict(hidden_size=8, max_epochs=3, random_state=0, bidirectional=True)
    on_gpu = RNNRegressor(device="cuda", **params).fit(X, y)
    on_cpu = RNNRegressor(device="cpu", **params).fit(X, y)
    gpu = step_importance(on_gpu, X, method=method, random_state=0)
    cpu = step_importance(on_cpu, X, method=method, random_state=0)
    for a, b in zip(gpu, cpu, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-8)
