"""Peak memory of ``predict_proba`` on up to a million short sequences.

A classifier (LSTM 32, 4 features, 4 classes) is fitted on 2,000 sequences;
then, in a fresh process per size, ``predict_proba`` runs on ``N`` sequences of
20 steps x 4 float32 features (``N`` = 100,000, 300,000 and 1,000,000 by
default: 320 MB of input at a million). A thread samples the process's resident
memory every 2 ms; the figure reported is the peak during the call minus the
resident memory just before it, next to the size of the input and of the
returned array (``N`` x 4 float64). Streaming through batches means the extra
memory stays a small multiple of the output and never grows with a copy of the
input.

The model is the fitted estimator pickled to a temporary file, so every size
runs the same weights. Each size runs in its own process so that one
measurement's freed memory (which the allocator may keep) cannot hide
another's peak. The input is filled in place chunk by chunk, so its creation
leaves no larger transient behind.

Run from the repository root::

    python benchmarks/bench_inference_memory.py
    python benchmarks/bench_inference_memory.py --sizes 1000000 --batch-size 256
"""

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time

import _harness
import numpy as np

N_STEPS, N_FEATURES, N_CLASSES = 20, 4, 4
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class PeakSampler(threading.Thread):
    def __init__(self, interval=0.002):
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = rss_bytes()
        self._done = threading.Event()

    def run(self):
        while not self._done.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval)

    def stop(self):
        self._done.set()
        self.join()
        self.peak = max(self.peak, rss_bytes())


def make_X(n, seed=0):
    rng = np.random.default_rng(seed)
    X = np.empty((n, N_STEPS, N_FEATURES), dtype=np.float32)
    for start in range(0, n, 65536):
        rng.standard_normal(out=X[start : start + 65536], dtype=np.float32)
    return X


def fit_model(path, batch_size):
    from skrnn import RNNClassifier

    X = make_X(2000, seed=1)
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int) + 2 * (X[:, -1, 1] > 0)
    clf = RNNClassifier(
        hidden_size=32, batch_size=batch_size, max_epochs=2, random_state=0
    )
    _harness.fit_quietly(clf, X, y)
    with open(path, "wb") as f:
        pickle.dump(clf, f)


def measure(model_path, n):
    """Run in a child process: one predict_proba on n sequences."""
    import torch

    torch.set_num_threads(1)
    with open(model_path, "rb") as f:
        clf = pickle.load(f)
    clf.predict_proba(make_X(10))  # warm-up: one-off allocations
    X = make_X(n)
    before = rss_bytes()
    sampler = PeakSampler()
    sampler.start()
    start = time.perf_counter()
    proba = clf.predict_proba(X)
    seconds = time.perf_counter() - start
    sampler.stop()
    return {
        "n_sequences": n,
        "input_mb": X.nbytes / 2**20,
        "output_mb": proba.nbytes / 2**20,
        "rss_before_mb": before / 2**20,
        "peak_extra_mb": (sampler.peak - before) / 2**20,
        "seconds": seconds,
        "sequences_per_s": n / seconds,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000]
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    _harness.add_output_argument(parser)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
        return

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        model_path = os.path.join(tmp, "model.pkl")
        fit_model(model_path, args.batch_size)
        print(
            f"predict_proba, LSTM 32, batch {args.batch_size}, "
            f"{N_STEPS} steps x {N_FEATURES} features, 1 torch thread"
        )
        print(
            f"{'sequences':>10s} {'input MB':>9s} {'output MB':>10s} "
            f"{'peak extra MB':>14s} {'extra/output':>13s} {'seq/s':>9s}"
        )
        for n in args.sizes:
            done = subprocess.run(
                [sys.executable, __file__, "--child", model_path, str(n)],
                check=True,
                capture_output=True,
                text=True,
            )
            row = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(
                f"{n:>10d} {row['input_mb']:>9.1f} {row['output_mb']:>10.1f} "
                f"{row['peak_extra_mb']:>14.1f} "
                f"{row['peak_extra_mb'] / row['output_mb']:>13.2f} "
                f"{row['sequences_per_s']:>9.0f}"
            )
    payload = {
        **_harness.environment("bench_inference_memory"),
        "batch_size": args.batch_size,
        "rows": rows,
    }
    _harness.save(payload, args.output)


if __name__ == "__main__":
    main()
