"""Fit skrnn estimators on real time-series data sets and report test scores.

For each data set the estimator is fitted on the TRAIN file and scored on the
TEST file, once per seed (``random_state``, 0-4 by default): accuracy for
classification, RMSE and R^2 for regression, plus fit time and ``n_iter_``.
Beside them, in the same run, the baselines a user would try first: 1-NN
(Euclidean) and RidgeClassifierCV, or RidgeCV, on the flattened series (a
variable-length set is resampled to its median length first). Median and worst
seed are printed, written as JSON to ``benchmarks/results/`` and as the table
of the benchmarks page (``benchmarks/results/<tag>.rst``).

The data live outside the repository, in ``../shared/data`` relative to the
project root (or ``--data-dir``); a data set that is absent is skipped with a
message.

Examples
--------
Current defaults on every shared data set, seeds 0-4, with the baselines::

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
    "ArrowHead": (
        "classification",
        "ResNet 0.811, FCN 0.851, HIVE-COTE 2 0.869, LSTM-FCN 0.885",
    ),
    "PLAID": ("classification", "ResNet 0.948, FCN 0.912"),
    "Tecator": ("regression", None),
}
SMALL = ["BasicMotions", "ArrowHead", "Tecator"]
ALL = [*SMALL, "PLAID"]


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


def as_table(X, n_steps=None):
    """Sequences as one row each: flattened when they share a length, else each
    channel resampled (linear interpolation) to ``n_steps`` (default: the
    median length) and flattened, as the classical baselines need."""
    if not isinstance(X, list):
        return X.reshape(len(X), -1)
    if n_steps is None:
        n_steps = int(np.median([len(x) for x in X]))
    grid = np.linspace(0.0, 1.0, n_steps)
    rows = []
    for x in X:
        x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
        steps = np.linspace(0.0, 1.0, len(x))
        rows.append(
            np.stack([np.interp(grid, steps, x[:, j]) for j in range(x.shape[1])], 1)
        )
    return np.stack(rows).reshape(len(X), -1)


def reference_scores(task, X_train, y_train, X_test, y_test):
    """What a user would try first, on the flattened (or resampled) series:
    1-NN Euclidean and RidgeClassifierCV for classification, RidgeCV for
    regression. Returns ``{model name: {metric: value, "fit_time": s}}``."""
    from sklearn.linear_model import RidgeClassifierCV, RidgeCV
    from sklearn.neighbors import KNeighborsClassifier

    resampled = isinstance(X_train, list) or isinstance(X_test, list)
    n_steps = int(np.median([len(x) for x in X_train])) if resampled else None
    A, B = as_table(X_train, n_steps), as_table(X_test, n_steps)
    suffix = f" (resampled to {n_steps} steps)" if resampled else ""
    alphas = np.logspace(-6, 3, 19)
    if task == "classification":
        models = {
            "1-NN Euclidean": KNeighborsClassifier(n_neighbors=1),
            "RidgeClassifierCV": RidgeClassifierCV(alphas=alphas),
        }
    else:
        models = {"RidgeCV": RidgeCV(alphas=alphas)}
    scores = {}
    for name, model in models.items():
        fit_time, _ = _harness.timed(model.fit, A, y_train)
        pred = model.predict(B)
        if task == "classification":
            score = {"accuracy": float(accuracy_score(y_test, pred))}
        else:
            score = {
                "rmse": float(np.sqrt(mean_squared_error(y_test, pred))),
                "r2": float(r2_score(y_test, pred)),
            }
        scores[name + suffix] = {**score, "fit_time": fit_time}
    return scores


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
            "median": float(np.median(values)),
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
        default=ALL,
        help=f"data sets to run (of {list(DATASETS)}; default all)",
    )
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        metavar="KEY=VALUE",
        help="estimator parameter, e.g. -p lr=3e-3 -p cell=gru (repeatable)",
    )
    parser.add_argument("-s", "--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
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
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also score 1-NN and RidgeClassifierCV (classification) / RidgeCV "
        "(regression) on the flattened or resampled series (default: on)",
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
                entry["reference"] = reference_scores(task, *data)
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
                f"acc median={s['accuracy']['median']:.3f} "
                f"min={s['accuracy']['min']:.3f}"
                if task == "classification"
                else f"rmse median={s['rmse']['median']:.3f} "
                f"max={s['rmse']['max']:.3f} r2 median={s['r2']['median']:.3f} "
                f"min={s['r2']['min']:.3f}"
            )
            print(
                f"[{tag}] {name}: {head} | fit median={s['fit_time']['median']:.1f}s "
                f"| n_iter mean={s['n_iter']['mean']:.0f}"
                + (f" | published: {published}" if published else ""),
                flush=True,
            )
            for model, score in (entry.get("reference") or {}).items():
                print(f"    {model}: {score_text(task, score)}")
            results["datasets"][name] = entry

    out = _harness.write_json(results, _harness.RESULTS_DIR / f"{tag}.json")
    print(f"wrote {out.relative_to(_harness.ROOT)}")
    table = rst_table(results)
    if table:
        path = _harness.RESULTS_DIR / f"{tag}.rst"
        path.write_text(table)
        print(f"\n{table}\nwrote {path.relative_to(_harness.ROOT)}")
    return results


def score_text(task, score):
    if task == "classification":
        return f"{score['accuracy']:.3f}"
    return f"R^2 {score['r2']:.3f}"


def rst_table(results):
    """The benchmarks page's table: per data set the median / worst test score
    over the seeds, the median fit time, the baselines of the same run and the
    published figures."""
    rows = []
    for name, entry in results["datasets"].items():
        if "summary" not in entry:
            continue
        task, s = entry["task"], entry["summary"]
        key = "accuracy" if task == "classification" else "r2"
        prefix = "" if task == "classification" else "R^2 "
        reference = "; ".join(
            f"{model} {score_text(task, score)}"
            for model, score in (entry.get("reference") or {}).items()
        )
        rows.append(
            [
                name,
                f"{prefix}{s[key]['median']:.3f} / {s[key]['min']:.3f}",
                f"{s['fit_time']['median']:.1f} s",
                reference or "-",
                entry.get("published") or "-",
            ]
        )
    if not rows:
        return ""
    header = [
        "data set",
        f"skrnn median / worst (seeds {min(results['seeds'])}-{max(results['seeds'])})",
        "fit time",
        "baselines, same run",
        "published",
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    rule = "  ".join("=" * w for w in widths)
    lines = [
        rule,
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
        rule,
    ]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]
    return "\n".join([*lines, rule]) + "\n"


if __name__ == "__main__":
    main()
