"""Fit skrnn estimators on real time-series data sets and report test scores.

For each data set the estimator is fitted on the TRAIN file and scored on the
TEST file, once per seed (``random_state``): accuracy for classification,
RMSE and R^2 for regression, plus fit time and ``n_iter_``. Mean and minimum
over the seeds are printed and written as JSON to ``benchmarks/results/``.

The data live outside the repository, in ``../shared/data`` relative to the
project root (or ``--data-dir``); a data set that is absent is skipped with a
message.

Examples
--------
Current defaults on the three small data sets::

    python benchmarks/real_data.py

One variant, two data sets, named output::

    python benchmarks/real_data.py -d BasicMotions ArrowHead -p lr=3e-3 --tag lr3e-3

PLAID with a cap on epochs::

    python benchmarks/real_data.py -d PLAID -p max_epochs=50
"""

import argparse
import ast
import time
import warnings
from pathlib import Path

import _harness
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, mean_squared_error, r2_score

from skrnn import RNNClassifier, RNNRegressor
from skrnn.datasets import read_ts

DEFAULT_DATA_DIR = _harness.SHARED_DATA_DIR

# name -> task; the published figures are those of the data README (same splits).
DATASETS = {
    "BasicMotions": ("classification", "ResNet/InceptionTime/HIVE-COTE 2/ROCKET 1.000"),
    "ArrowHead": ("classification", "ResNet 0.811, FCN 0.851, HIVE-COTE 2 0.869"),
    "PLAID": ("classification", "ResNet 0.948, FCN 0.912"),
    "Tecator": ("regression", None),
}
SMALL = ["BasicMotions", "ArrowHead", "Tecator"]


def parse_params(items):
    """``key=value`` strings to a dict; values as Python literals when possible."""
    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--param expects key=value, got {item!r}")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value  # a plain string such as gru or mean
    return params


def params_tag(params):
    """The results file's name for ``params``: ``defaults``, or ``key-value_...``."""
    if not params:
        return "defaults"
    return "_".join(f"{k}-{v}" for k, v in sorted(params.items()))


def load(data_dir, name, dtype):
    folder = data_dir / name
    train, test = folder / f"{name}_TRAIN.ts", folder / f"{name}_TEST.ts"
    if not (train.is_file() and test.is_file()):
        return None
    # Equal-length data as a 3-D array, variable-length as a list of arrays.
    X_train, y_train = read_ts(train, dtype=dtype)
    X_test, y_test = read_ts(test, dtype=dtype)
    return X_train, y_train, X_test, y_test


def reference_score(task, X_train, y_train, X_test, y_test):
    """A cheap classical reference: 1-NN Euclidean, or ridge on the raw values."""
    if isinstance(X_train, list) or isinstance(X_test, list):
        return None
    from sklearn.linear_model import RidgeCV
    from sklearn.neighbors import KNeighborsClassifier

    A = X_train.reshape(len(X_train), -1)
    B = X_test.reshape(len(X_test), -1)
    if task == "classification":
        model = KNeighborsClassifier(n_neighbors=1).fit(A, y_train)
        return {
            "model": "1-NN Euclidean",
            "accuracy": accuracy_score(y_test, model.predict(B)),
        }
    model = RidgeCV(alphas=np.logspace(-6, 3, 19)).fit(A, y_train)
    pred = model.predict(B)
    return {
        "model": "RidgeCV on raw spectra",
        "rmse": float(np.sqrt(mean_squared_error(y_test, pred))),
        "r2": float(r2_score(y_test, pred)),
    }


def run_one(task, params, seed, X_train, y_train, X_test, y_test):
    Estimator = RNNClassifier if task == "classification" else RNNRegressor
    est = Estimator(**params, random_state=seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        est.fit(X_train, y_train)
        fit_time = time.perf_counter() - t0
        t0 = time.perf_counter()
        pred = est.predict(X_test)
        predict_time = time.perf_counter() - t0
    row = {
        "seed": seed,
        "fit_time": fit_time,
        "predict_time": predict_time,
        "n_iter": int(est.n_iter_),
        "final_train_loss": float(est.loss_curve_[-1]),
        "converged": not any(
            issubclass(w.category, ConvergenceWarning) for w in caught
        ),
        "warnings": sorted({f"{w.category.__name__}: {w.message}" for w in caught}),
    }
    if task == "classification":
        row["accuracy"] = float(accuracy_score(y_test, pred))
        row["train_accuracy"] = float(accuracy_score(y_train, est.predict(X_train)))
    else:
        row["rmse"] = float(np.sqrt(mean_squared_error(y_test, pred)))
        row["r2"] = float(r2_score(y_test, pred))
    return row


def summarise(rows, keys):
    out = {}
    for key in keys:
        values = np.array([r[key] for r in rows], dtype=float)
        out[key] = {
            "mean": float(values.mean()),
            "min": float(values.min()),
            "max": float(values.max()),
        }
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-d",
        "--datasets",
        nargs="+",
        default=SMALL,
        help=f"data sets to run (of {list(DATASETS)}; default {SMALL})",
    )
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        metavar="KEY=VALUE",
        help="estimator parameter, e.g. -p lr=3e-3 -p cell=gru (repeatable)",
    )
    parser.add_argument("-s", "--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads during the run (default 1)",
    )
    parser.add_argument(
        "--tag", default=None, help="name of the JSON file in benchmarks/results/"
    )
    parser.add_argument(
        "--reference",
        action="store_true",
        help="also score 1-NN (classification) / RidgeCV (regression)",
    )
    args = parser.parse_args(argv)

    params = parse_params(args.param)
    unknown = [d for d in args.datasets if d not in DATASETS]
    if unknown:
        raise SystemExit(f"unknown data set(s) {unknown}; choose from {list(DATASETS)}")
    tag = args.tag or params_tag(params)
    dtype = np.dtype(args.dtype)

    results = {
        **_harness.environment("real_data"),
        "tag": tag,
        "params": params,
        "seeds": args.seeds,
        "dtype": args.dtype,
        "torch_threads": args.threads,
        "datasets": {},
    }
    with _harness.torch_threads(args.threads):
        for name in args.datasets:
            task, published = DATASETS[name]
            data = load(args.data_dir, name, dtype)
            if data is None:
                print(
                    f"[skip] {name}: no {name}_TRAIN.ts/{name}_TEST.ts under "
                    f"{args.data_dir / name}"
                )
                results["datasets"][name] = {"skipped": "data not found"}
                continue
            X_train, y_train, X_test, y_test = data
            entry = {"task": task, "published": published, "runs": []}
            if args.reference:
                entry["reference"] = reference_score(task, *data)
            for seed in args.seeds:
                row = run_one(task, params, seed, *data)
                entry["runs"].append(row)
                score = (
                    f"acc={row['accuracy']:.3f} (train {row['train_accuracy']:.3f})"
                    if task == "classification"
                    else f"rmse={row['rmse']:.3f} r2={row['r2']:.3f}"
                )
                print(
                    f"  {name} seed={seed}: {score} n_iter={row['n_iter']} "
                    f"fit={row['fit_time']:.1f}s"
                    + ("" if row["converged"] else " [not converged]"),
                    flush=True,
                )
                for w in row["warnings"]:
                    if not w.startswith("ConvergenceWarning"):
                        print(f"    warning: {w}")
            keys = ["accuracy"] if task == "classification" else ["rmse", "r2"]
            entry["summary"] = summarise(entry["runs"], keys + ["fit_time", "n_iter"])
            s = entry["summary"]
            head = (
                f"acc mean={s['accuracy']['mean']:.3f} min={s['accuracy']['min']:.3f}"
                if task == "classification"
                else f"rmse mean={s['rmse']['mean']:.3f} max={s['rmse']['max']:.3f} "
                f"r2 mean={s['r2']['mean']:.3f} min={s['r2']['min']:.3f}"
            )
            print(
                f"[{tag}] {name}: {head} | fit mean={s['fit_time']['mean']:.1f}s "
                f"| n_iter mean={s['n_iter']['mean']:.0f}"
                + (f" | published: {published}" if published else ""),
                flush=True,
            )
            if entry.get("reference"):
                print(f"    reference: {entry['reference']}")
            results["datasets"][name] = entry

    out = _harness.write_json(results, _harness.RESULTS_DIR / f"{tag}.json")
    print(f"wrote {out.relative_to(_harness.ROOT)}")
    return results


if __name__ == "__main__":
    main()
