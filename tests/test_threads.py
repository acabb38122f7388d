"""Threads: concurrent predict calls; torch's thread count in fit and predict."""

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skrnn import RNNClassifier, RNNRegressor, SequenceTagger, _threads

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


# -- torch's thread count during fit and predict ---------------------------------------


@pytest.fixture
def two_torch_threads():
    """torch at 2 threads for the test (the suite runs at 1), restored after."""
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(previous)


class _ThreadsSeen(Callback):
    def initialize(self):
        self.seen = []
        return self

    def on_batch_end(self, net, **kwargs):
        self.seen.append(torch.get_num_threads())


def _record_predict_threads(monkeypatch):
    seen = []
    step = _threads.ThreadGovernor.step

    def recording_step(self):
        step(self)
        seen.append(torch.get_num_threads())

    monkeypatch.setattr(_threads.ThreadGovernor, "step", recording_step)
    return seen


@pytest.mark.parametrize("n_threads", [1, 3])
def test_n_threads_int_is_used_and_restored(
    n_threads, two_torch_threads, rng, monkeypatch
):
    X, y = _ragged(rng, 12), rng.randint(0, 2, 12)
    seen = _ThreadsSeen()
    clf = RNNClassifier(n_threads=n_threads, callbacks=[seen], **TINY).fit(X, y)
    assert seen.seen and set(seen.seen) == {n_threads}
    assert torch.get_num_threads() == 2
    predicted = _record_predict_threads(monkeypatch)
    clf.predict(X)
    assert predicted and set(predicted) == {n_threads}
    assert torch.get_num_threads() == 2


def test_the_callers_thread_count_does_not_change_a_fit(two_torch_threads, rng):
    # n_threads=1 decides the fit, whatever count the caller left torch at:
    # the orthogonal initialisation's QR rounded differently at one and two
    # threads (2e-7 at 64 units), which moved a real data set's fit by 0.1.
    # (The fixture puts the suite's count back.)
    X, y = _ragged(rng, 12), rng.randint(0, 2, 12)
    states = []
    for caller in (1, 2):
        torch.set_num_threads(caller)
        clf = RNNClassifier(
            n_threads=1, hidden_size=64, max_epochs=1, random_state=0
        ).fit(X, y)
        states.append(clf.net_.module_.state_dict())
    assert states[0].keys() == states[1].keys()
    for name, value in states[0].items():
        assert torch.equal(value, states[1][name]), name


def test_n_threads_none_leaves_torch_alone(two_torch_threads, rng):
    seen = _ThreadsSeen()
    RNNRegressor(n_threads=None, callbacks=[seen], **TINY).fit(
        _ragged(rng, 12), rng.randn(12)
    )
    assert set(seen.seen) == {2}


@pytest.mark.parametrize("others, expected", [(0.0, 2), (1.0, 1), (1.9, 1)])
def test_auto_uses_fewer_threads_when_other_processes_are_busy(
    others, expected, two_torch_threads, rng, monkeypatch
):
    monkeypatch.setattr(_threads, "MEASURE_SECONDS", 0.0)
    monkeypatch.setattr(_threads, "_last_choice", None)
    monkeypatch.setattr(_threads, "_cpus", lambda: [0, 1])
    monkeypatch.setattr(_threads, "_read_cpu_times", lambda cpus: (0, 1))
    monkeypatch.setattr(_threads.LoadProbe, "others", lambda self: others)
    X, y = _ragged(rng, 16), rng.randint(0, 2, 16)
    seen = _ThreadsSeen()
    clf = RNNClassifier(callbacks=[seen], **TINY).fit(X, y)
    # The first batch runs at the caller's count, the rest at the chosen one.
    assert seen.seen[0] == 2 and set(seen.seen[1:]) == {expected}
    assert torch.get_num_threads() == 2
    predicted = _record_predict_threads(monkeypatch)
    clf.predict_proba(X)
    assert set(predicted) == {expected}
    assert torch.get_num_threads() == 2


def test_auto_never_exceeds_the_callers_thread_count(rng, monkeypatch):
    # The suite runs torch at 1 thread: 'auto' must not raise it, whatever the load.
    monkeypatch.setattr(_threads, "MEASURE_SECONDS", 0.0)
    monkeypatch.setattr(_threads.LoadProbe, "others", lambda self: 0.0)
    seen = _ThreadsSeen()
    RNNClassifier(callbacks=[seen], **TINY).fit(_ragged(rng, 12), rng.randint(0, 2, 12))
    assert set(seen.seen) == {1}


def test_auto_starts_where_the_last_recent_decision_left(
    two_torch_threads, rng, monkeypatch
):
    # A short call (no measuring interval completes) right after a decision for
    # one thread runs at one thread from its first batch.
    monkeypatch.setattr(_threads, "MEASURE_SECONDS", 1e9)
    monkeypatch.setattr(_threads, "_cpus", lambda: [0, 1])
    monkeypatch.setattr(_threads, "_read_cpu_times", lambda cpus: (0, 1))
    clf = RNNClassifier(**TINY).fit(_ragged(rng, 12), rng.randint(0, 2, 12))
    predicted = _record_predict_threads(monkeypatch)
    monkeypatch.setattr(_threads, "_last_choice", (1, time.monotonic()))
    clf.predict(_ragged(rng, 6))
    assert set(predicted) == {1}
    # An old decision is forgotten: back to the caller's count.
    predicted.clear()
    monkeypatch.setattr(_threads, "_last_choice", (1, time.monotonic() - 3600))
    clf.predict(_ragged(rng, 6))
    assert set(predicted) == {2}
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize(
    "ceiling, n_cpus, others, expected",
    [
        (2, 2, 0.0, 2),
        (2, 2, 0.2, 2),
        (2, 2, 0.3, 1),
        (2, 2, 1.0, 1),
        (2, 2, 5.0, 1),
        (8, 8, 2.0, 6),
        (4, 8, 0.0, 4),
        (1, 2, 0.0, 1),
    ],
)
def test_threads_for_load(ceiling, n_cpus, others, expected):
    assert _threads.threads_for_load(ceiling, n_cpus, others) == expected


def test_thread_count_restored_after_a_failed_fit(two_torch_threads, rng):
    class Fail(Callback):
        def on_batch_end(self, net, **kwargs):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        RNNClassifier(n_threads=1, callbacks=[Fail()], **TINY).fit(
            _ragged(rng, 8), rng.randint(0, 2, 8)
        )
    assert torch.get_num_threads() == 2


def test_concurrent_calls_restore_the_callers_count(two_torch_threads, rng):
    est = RNNClassifier(n_threads=1, **TINY).fit(
        _ragged(rng, 12), rng.randint(0, 2, 12)
    )
    inputs = [_ragged(rng, n) for n in (5, 40, 3, 25, 9, 31)] * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(est.predict_proba, inputs))
    assert torch.get_num_threads() == 2


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="needs Linux /proc/stat")
def test_load_probe_measures_a_busy_cpu():
    # A second process spinning on a CPU we may use shows up as load of others.
    probe = _threads.LoadProbe()
    spinner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nt = time.time()\nwhile time.time() - t < 3: pass",
        ]
    )
    try:
        time.sleep(0.6)
        others = probe.others()
    finally:
        spinner.kill()
        spinner.wait()
    assert others is not None and others > 0.3
