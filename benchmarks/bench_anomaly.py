"""One-class-vs-rest anomaly detection on the shared UCR/UEA data sets.

For each class of a data set, a detector is fitted on that class's training
sequences alone (the normal ones) and scores every test sequence; the other
classes' test sequences are the anomalies, and the ROC AUC of the scores is
reported per class. Detectors:

- ``RNNAnomalyDetector`` with ``method='prediction'`` and
  ``'reconstruction'`` (its other parameters at their defaults, or ``-p``),
  over ``--seeds`` (median and worst AUC);
- scikit-learn's ``IsolationForest`` on the flattened sequences (resampled to
  the median length when they differ), over the same seeds;
- PyOD's ``LSTMAD`` (prediction error with a Mahalanobis score, on windows of
  ``--pyod-window`` steps, ``--pyod-epochs`` epochs), when ``pyod`` is
  importable; it fits one series, so it gets the normal training sequences
  end to end, and a test sequence's score is the mean of its steps' scores.
  Skipped cleanly without pyod.

A data set absent from ``--data-dir`` (default ``../shared/data``) is skipped.
Torch runs on ``--threads`` threads (default 1: the machine is shared). Run
from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/bench_anomaly.py
    python benchmarks/bench_anomaly.py -d ArrowHead -s 0 1 --no-pyod
"""

import argparse
import statistics
import time
import warnings
from pathlib import Path

import _harness
import numpy as np
from real_data import as_table, load, parse_params
from sklearn.ensemble import IsolationForest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score

from skrnn import RNNAnomalyDetector

DATASETS = ["ArrowHead", "BasicMotions", "PLAID"]
DEFAULT = ["ArrowHead", "BasicMotions"]
METHODS = ["prediction", "reconstruction"]


def subset(X, mask):
    if isinstance(X, list):
        return [x for x, keep in zip(X, mask, strict=True) if keep]
    return X[mask]


def auc(is_anomaly, normality):
    return float(roc_auc_score(is_anomaly, -np.asarray(normality)))


def skrnn_auc(method, params, seed, X_normal, X_test, is_anomaly):
    detector = RNNAnomalyDetector(method=method, random_state=seed, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        detector.fit(X_normal)
        fit_s = time.perf_counter() - start
    return auc(is_anomaly, detector.score_samples(X_test)), fit_s, detector.n_iter_


def forest_auc(seed, X_normal, X_test, is_anomaly, n_steps):
    forest = IsolationForest(random_state=seed)
    forest.fit(as_table(X_normal, n_steps))
    return auc(is_anomaly, forest.score_samples(as_table(X_test, n_steps)))


def lstmad_auc(seed, window, epochs, X_normal, X_test, is_anomaly):
    import torch
    from pyod.models.ts_lstm import LSTMAD

    def steps(x):
        return np.asarray(x, dtype=np.float64).reshape(len(x), -1)

    with torch.random.fork_rng():
        torch.manual_seed(seed)
        detector = LSTMAD(window_size=window, epochs=epochs)
        detector.fit(np.concatenate([steps(x) for x in X_normal]))
    # decision_function: higher is more abnormal; the first `window` steps of
    # a series have no score of their own (PyOD fills them with the threshold).
    scores = [detector.decision_function(steps(x))[window:].mean() for x in X_test]
    return auc(is_anomaly, -np.asarray(scores))


def pyod_available():
    try:
        import pyod.models.ts_lstm  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--datasets", nargs="+", default=DEFAULT)
    parser.add_argument("-m", "--methods", nargs="+", default=METHODS)
    parser.add_argument("-p", "--param", action="append", metavar="KEY=VALUE")
    parser.add_argument("-s", "--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--data-dir", type=Path, default=_harness.SHARED_DATA_DIR)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--pyod", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--pyod-window", type=int, default=50)
    parser.add_argument(
        "--pyod-epochs",
        type=int,
        default=10,
        help="LSTMAD's epochs (its default, 50, costs five times all skrnn fits)",
    )
    parser.add_argument(
        "--classes", nargs="+", default=None, help="only these normal classes"
    )
    parser.add_argument(
        "--pyod-seeds", nargs="+", type=int, default=[0], help="LSTMAD's seeds"
    )
    _harness.add_output_argument(parser)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.datasets) - set(DATASETS))
    if unknown:
        raise SystemExit(f"unknown data set(s) {unknown}; choose from {DATASETS}")
    params = parse_params(args.param)
    use_pyod = args.pyod and pyod_available()
    if args.pyod and not use_pyod:
        print("[skip] PyOD's LSTMAD: pyod is not importable")

    results = {
        **_harness.environment("anomaly"),
        "params": params,
        "seeds": args.seeds,
        "torch_threads": args.threads,
        "pyod": {"window": args.pyod_window, "epochs": args.pyod_epochs}
        if use_pyod
        else None,
        "datasets": {},
    }
    rows = []
    with _harness.torch_threads(args.threads):
        for name in args.datasets:
            data = load(args.data_dir, name, np.float32)
            if data is None:
                print(f"[skip] {name}: not found under {args.data_dir / name}")
                results["datasets"][name] = {"skipped": "data not found"}
                continue
            X_train, y_train, X_test, y_test = data
            lengths = [len(x) for x in X_train] if isinstance(X_train, list) else None
            n_steps = None if lengths is None else int(np.median(lengths))
            entry = results["datasets"][name] = {}
            labels = np.unique(y_train)
            if args.classes is not None:
                labels = [c for c in labels if str(c) in args.classes]
            for label in labels:
                X_normal = subset(X_train, y_train == label)
                is_anomaly = (y_test != label).astype(int)
                row = {"dataset": name, "normal": str(label), "n_train": len(X_normal)}
                row["iforest"] = [
                    forest_auc(seed, X_normal, X_test, is_anomaly, n_steps)
                    for seed in args.seeds
                ]
                if use_pyod:
                    row["lstmad"] = [
                        lstmad_auc(
                            seed,
                            args.pyod_window,
                            args.pyod_epochs,
                            X_normal,
                            X_test,
                            is_anomaly,
                        )
                        for seed in args.pyod_seeds
                    ]
                for method in args.methods:
                    runs = [
                        skrnn_auc(method, params, seed, X_normal, X_test, is_anomaly)
                        for seed in args.seeds
                    ]
                    row[method] = [r[0] for r in runs]
                    row[f"{method}_fit_s"] = [r[1] for r in runs]
                    row[f"{method}_epochs"] = [r[2] for r in runs]
                entry[str(label)] = row
                rows.append(row)
                print(one_line(row, args.methods, use_pyod), flush=True)
    print()
    print(rst_table(rows, args.methods, use_pyod))
    _harness.save(results, args.output)


def median_worst(values):
    return f"{statistics.median(values):.3f} [{min(values):.3f}]"


def one_line(row, methods, use_pyod):
    parts = [f"{row['dataset']} class {row['normal']} (n={row['n_train']}):"]
    parts.append(f"IsolationForest {median_worst(row['iforest'])}")
    if use_pyod:
        parts.append(f"LSTMAD {median_worst(row['lstmad'])}")
    for method in methods:
        fit_s = statistics.median(row[f"{method}_fit_s"])
        parts.append(f"{method} {median_worst(row[method])} ({fit_s:.1f} s/fit)")
    return " ".join(parts)


def rst_table(rows, methods, use_pyod):
    """The AUC table as reStructuredText (median over seeds, worst in brackets),
    with each data set's mean over its classes."""
    header = ["data set", "normal class", "IsolationForest"]
    header += ["LSTMAD (PyOD)"] * use_pyod
    header += [f"skrnn {m}" for m in methods]
    body = []
    for name in dict.fromkeys(r["dataset"] for r in rows):
        group = [r for r in rows if r["dataset"] == name]
        for r in group:
            line = [name, r["normal"], median_worst(r["iforest"])]
            if use_pyod:  # (a list times False would still read r["lstmad"])
                line.append(median_worst(r["lstmad"]))
            line += [median_worst(r[m]) for m in methods]
            body.append(line)
        keys = ["iforest", *(["lstmad"] * use_pyod), *methods]
        mean = [
            f"{np.mean([statistics.median(r[k]) for r in group]):.3f}" for k in keys
        ]
        body.append([name, "mean", *mean])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body, strict=True)]
    rule = "  ".join("=" * w for w in widths)
    lines = [rule, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append(rule)
    lines += [
        "  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip()
        for line in body
    ]
    lines.append(rule)
    return "\n".join(line.rstrip() for line in lines)


if __name__ == "__main__":
    main()
