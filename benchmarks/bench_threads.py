"""Torch threads, batch sizes and ``GridSearchCV(n_jobs=2)`` on this machine.

Part 1, threads x batch size: one training epoch and one ``predict_proba`` pass
of ``RNNClassifier(hidden_size=64)`` on 1,024 sequences x 100 steps x 8 float32
features, at 1 and 2 torch threads (``n_threads=None``: exactly torch's
setting) and with ``n_threads='auto'`` (up to 2), batch sizes 16, 64 and 256,
interleaved, medians. It runs twice: on the machine as it is, and with one
other busy process (a pure-Python spin loop on one core), the common case on a
shared 2-core machine. The ratios reported are time / time at 1 thread (below
1: faster than one thread).

Part 2, ``GridSearchCV``: a grid of four candidates x 2-fold CV = eight fits,
each about one second (the number of epochs is calibrated so that one fit at
torch's default thread count takes about a second), run with ``n_jobs=1`` and
``n_jobs=2``. Every run starts in a fresh Python process, so ``n_jobs=2`` pays
for starting its worker processes ("cold"); the same process then runs the
search again with the workers already up ("warm"). Runs alternate between the
two settings; the report gives medians of the search times (imports excluded,
worker start-up included) and the speed-up n_jobs=1 time / n_jobs=2 time.
joblib starts its workers with one thread each (``OMP_NUM_THREADS=1``), so
``n_jobs=2`` on two cores runs two single-threaded fits side by side, while
``n_jobs=1`` runs one fit at torch's default of two threads.

Run from the repository root::

    python benchmarks/bench_threads.py
    python benchmarks/bench_threads.py --part search --repeats 5
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import _harness
import numpy as np

BATCH_SIZES = (16, 64, 256)


def make_data(n, n_steps, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, n_steps, 8).astype(np.float32)
    score = X[:, :, 0].mean(axis=1)
    y = np.searchsorted(np.quantile(score, [0.25, 0.5, 0.75]), score)
    return X, y


def _classifier(**params):
    from skrnn import RNNClassifier

    return RNNClassifier(random_state=0, **params)


# -- part 1 -----------------------------------------------------------------------


SETTINGS = ("1", "2", "auto")  # torch threads (n_threads=None) or n_threads='auto'


def _run_setting(setting, batch_size, X, y):
    import torch

    if setting == "auto":
        torch.set_num_threads(2)  # 'auto' uses up to the caller's count
        params = {"n_threads": "auto"}
    else:
        torch.set_num_threads(int(setting))
        params = {"n_threads": None}  # exactly torch's setting
    est = _classifier(hidden_size=64, batch_size=batch_size, max_epochs=1, **params)
    t0 = time.perf_counter()
    _harness.fit_quietly(est, X, y)
    t1 = time.perf_counter()
    est.predict_proba(X)
    return t1 - t0, time.perf_counter() - t1


def threads_by_batch(repeats):
    X, y = make_data(1024, 100)
    times = {}
    with _harness.torch_threads():  # each setting sets its own count
        for batch_size in BATCH_SIZES:
            for setting in SETTINGS:  # warm-up
                _run_setting(setting, batch_size, X, y)
            for order in _harness.rotations(SETTINGS, repeats):
                for setting in order:
                    fit, predict = _run_setting(setting, batch_size, X, y)
                    entry = times.setdefault(
                        (batch_size, setting), {"fit": [], "predict": []}
                    )
                    entry["fit"].append(fit)
                    entry["predict"].append(predict)
    rows = []
    for batch_size in BATCH_SIZES:
        row = {"batch_size": batch_size}
        one = times[(batch_size, "1")]
        for step in ("fit", "predict"):
            row[step] = {
                f"{setting}_s": statistics.median(times[(batch_size, setting)][step])
                for setting in SETTINGS
            }
            for setting in ("2", "auto"):
                row[step][f"ratio_{setting}_over_1"] = _harness.median_ratio(
                    times[(batch_size, setting)][step], one[step]
                )
        rows.append(row)
    return rows


def spin():
    while True:
        pass


def print_threads(rows, title):
    print(title + " (time / time at 1 thread)")
    print(
        f"  {'batch':>5s}  {'fit 1 thr':>9s} {'2 thr':>6s} {'auto':>6s}   "
        f"{'predict 1 thr':>13s} {'2 thr':>6s} {'auto':>6s}"
    )
    for row in rows:
        f, p = row["fit"], row["predict"]
        print(
            f"  {row['batch_size']:>5d}  {f['1_s']:>8.2f}s "
            f"{f['ratio_2_over_1']:>6.2f} {f['ratio_auto_over_1']:>6.2f}   "
            f"{p['1_s']:>12.3f}s {p['ratio_2_over_1']:>6.2f} "
            f"{p['ratio_auto_over_1']:>6.2f}"
        )


# -- part 2 -----------------------------------------------------------------------

GRID = {"hidden_size": [32, 48], "lr": [1e-3, 3e-3]}


def search_child(n_jobs, epochs):
    """In a fresh process: time the search twice (cold, then warm workers)."""
    from sklearn.model_selection import GridSearchCV, KFold

    X, y = make_data(1024, 50)
    out = {}
    for label in ("cold", "warm"):
        search = GridSearchCV(
            _classifier(max_epochs=epochs, n_iter_no_change=epochs + 1),
            GRID,
            cv=KFold(2),
            n_jobs=n_jobs,
        )
        t0 = time.perf_counter()
        _harness.fit_quietly(search, X, y)
        out[label] = time.perf_counter() - t0
    return out


def calibrate_epochs():
    import torch

    X, y = make_data(512, 50)  # one CV training fold of the search
    est = _classifier(hidden_size=48, max_epochs=2, n_iter_no_change=3)
    _harness.fit_quietly(est, X, y)
    t0 = time.perf_counter()
    _harness.fit_quietly(est, X, y)
    per_epoch = (time.perf_counter() - t0) / 2
    return max(1, round(1.0 / per_epoch)), per_epoch, torch.get_num_threads()


def grid_search(repeats):
    epochs, per_epoch, threads = calibrate_epochs()
    print(
        f"search: 8 fits of {epochs} epochs ({per_epoch * epochs:.2f} s each at "
        f"{threads} torch threads, measured)"
    )
    times = {1: {"cold": [], "warm": []}, 2: {"cold": [], "warm": []}}
    for r, order in enumerate(_harness.rotations((1, 2), repeats)):
        for n_jobs in order:
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(n_jobs), str(epochs)],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            for label, seconds in result.items():
                times[n_jobs][label].append(seconds)
            print(
                f"  repeat {r}: n_jobs={n_jobs} cold {result['cold']:.2f}s, "
                f"warm {result['warm']:.2f}s"
            )
    summary = {"epochs": epochs, "fit_s": per_epoch * epochs, "times_s": times}
    for label in ("cold", "warm"):
        one = statistics.median(times[1][label])
        two = statistics.median(times[2][label])
        summary[label] = {"n_jobs_1_s": one, "n_jobs_2_s": two, "speedup": one / two}
        print(
            f"  {label}: n_jobs=1 {one:.2f}s, n_jobs=2 {two:.2f}s, speed-up "
            f"{one / two:.2f} (target >= 1.3)"
        )
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["threads", "search", "all"], default="all")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    _harness.add_output_argument(parser)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(search_child(int(args.child[0]), int(args.child[1]))))
        return

    import multiprocessing

    import torch

    payload = {
        **_harness.environment("bench_threads"),
        "default_torch_threads": torch.get_num_threads(),
        "load_average_1min_start": _harness.load_1min(),
    }
    print(
        f"{os.cpu_count()} CPUs, torch {torch.__version__} defaults to "
        f"{torch.get_num_threads()} threads, load average {_harness.load_1min():.2f}"
    )
    if args.part in ("threads", "all"):
        rows = threads_by_batch(args.repeats)
        print_threads(rows, "one epoch / one predict, machine as it is:")
        payload["threads_quiet"] = rows
        spinner = multiprocessing.Process(target=spin, daemon=True)
        spinner.start()
        try:
            rows = threads_by_batch(max(3, args.repeats // 2))
        finally:
            spinner.terminate()
            spinner.join()
        print_threads(rows, "with one other busy process:")
        payload["threads_busy"] = rows
    if args.part in ("search", "all"):
        payload["search"] = grid_search(args.repeats)
    payload["load_average_1min_end"] = _harness.load_1min()
    _harness.save(payload, args.output)


if __name__ == "__main__":
    main()
