"""Test score against epochs, with the convergence rule switched off.

A diagnostic for choosing ``max_epochs`` and the stopping rule: each estimator
is fitted once for ``--epochs`` epochs with the stopping rule disabled
(``n_iter_no_change`` huge); a skorch callback (the estimators' ``callbacks``
parameter) snapshots the network's weights every ``--chunk`` epochs, and each
snapshot is then loaded into ``net_.module_`` and scored on TRAIN and TEST.

    python benchmarks/epoch_curve.py -d ArrowHead -p readout=mean --epochs 400
"""

import argparse
import copy
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, r2_score
from skorch.callbacks import Callback

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _harness  # noqa: E402
from real_data import (  # noqa: E402
    DATASETS,
    DEFAULT_DATA_DIR,
    load,
    params_tag,
    parse_params,
)

from skrnn import RNNClassifier, RNNRegressor  # noqa: E402


class _Snapshots(Callback):
    """Keep a copy of the module's weights every ``every`` epochs."""

    def __init__(self, every):
        self.every = every

    def initialize(self):
        self.snapshots_ = {}
        self.t0_ = time.perf_counter()
        return self

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if epoch % self.every == 0:
            self.snapshots_[epoch] = (
                copy.deepcopy(net.module_.state_dict()),
                time.perf_counter() - self.t0_,
            )


def score(est, X, y):
    pred = est.predict(X)
    if isinstance(est, RNNClassifier):
        return accuracy_score(y, pred)
    return r2_score(y, pred)


def curve(task, params, seed, epochs, chunk, X_train, y_train, X_test, y_test):
    Estimator = RNNClassifier if task == "classification" else RNNRegressor
    snapshots = _Snapshots(chunk)
    est = Estimator(
        **{**params, "max_epochs": epochs, "n_iter_no_change": 10**9},
        callbacks=[("snapshots", snapshots)],
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X_train, y_train)
    # The fitted net holds its own (initialised) copy of the callback.
    snaps = dict(est.net_.callbacks_)["snapshots"].snapshots_
    points = []
    for epoch, (state, elapsed) in sorted(snaps.items()):
        est.net_.module_.load_state_dict(state)
        est.net_.module_.eval()
        points.append(
            {
                "epoch": epoch,
                "train_loss": float(est.loss_curve_[epoch - 1]),
                "train": float(score(est, X_train, y_train)),
                "test": float(score(est, X_test, y_test)),
                "time": elapsed,
            }
        )
    return points


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-d", "--datasets", nargs="+", default=["BasicMotions", "ArrowHead", "Tecator"]
    )
    parser.add_argument("-p", "--param", action="append", metavar="KEY=VALUE")
    parser.add_argument("-s", "--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--chunk", type=int, default=25)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--tag", default=None)
    args = parser.parse_args(argv)
    params = parse_params(args.param)
    tag = args.tag or "curve_" + params_tag(params)
    results = {
        **_harness.environment("epoch_curve"),
        "tag": tag,
        "params": params,
        "datasets": {},
    }
    with _harness.torch_threads(1):
        for name in args.datasets:
            task, _ = DATASETS[name]
            data = load(args.data_dir, name, np.float32)
            if data is None:
                print(f"[skip] {name}: data not found under {args.data_dir}")
                continue
            runs = {}
            for seed in args.seeds:
                runs[seed] = curve(task, params, seed, args.epochs, args.chunk, *data)
            results["datasets"][name] = runs
            metric = "acc" if task == "classification" else "r2"
            print(
                f"[{tag}] {name} test {metric} (mean over seeds {args.seeds}) by epoch:"
            )
            for i, p in enumerate(runs[args.seeds[0]]):
                test = np.mean([runs[s][i]["test"] for s in args.seeds])
                train = np.mean([runs[s][i]["train"] for s in args.seeds])
                loss = np.mean([runs[s][i]["train_loss"] for s in args.seeds])
                t = np.mean([runs[s][i]["time"] for s in args.seeds])
                print(
                    f"  ep {p['epoch']:4d} loss {loss:.4f} train {train:.3f} "
                    f"test {test:.3f}  t={t:.0f}s",
                    flush=True,
                )
    _harness.save(results, _harness.RESULTS_DIR / f"{tag}.json", indent=1)


if __name__ == "__main__":
    main()
