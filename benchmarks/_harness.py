"""What the benchmark scripts share: timing, interleaved repeats, medians, the
environment stamp and the JSON file of results.

The machine these scripts run on is usually shared, so absolute times drift
with the load. The scripts therefore run their sides interleaved (rotating
which side goes first from one repeat to the next), report medians of the
times and of the per-repeat ratios, and stamp every result with the load
average, the thread settings, the versions and the git commit.

Importing this module puts the repository's ``src`` folder on ``sys.path``, so that a
script imports the skrnn of the checkout it belongs to, not whichever skrnn is
installed (an editable install of another checkout, say); the scripts import
it before skrnn (first-party imports come last). Importing it is otherwise
cheap: torch, skorch, scikit-learn and skrnn are imported only by the
functions that need them, so that scripts whose child processes must stay
light (``bench_inference_memory.py``, ``bench_threads.py``) can import it at
the top.
"""

import argparse
import contextlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS_DIR = HERE / "results"
# The real data sets live next to the repository, never in it.
SHARED_DATA_DIR = ROOT.parent / "shared" / "data"

SRC = ROOT / "src"
if str(SRC) not in sys.path:
    # After the script's own folder, so that the scripts import each other.
    sys.path.insert(1, str(SRC))


# -- timing -----------------------------------------------------------------------


def timed(fn, *args):
    """Seconds ``fn(*args)`` took, and its result."""
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def rotations(names, repeats, *, budget_s=math.inf, min_repeats=0, start=None):
    """The sides' order in each repeat, rotated by one from one repeat to the next.

    Yields ``repeats`` orderings of ``names`` (A B C, B C A, C A B, ... ; for
    two sides A B, B A, ...), or fewer once ``budget_s`` seconds have passed
    since ``start`` (``time.perf_counter()`` now by default), but never fewer
    than ``min_repeats``.
    """
    names = list(names)
    start = time.perf_counter() if start is None else start
    for r in range(repeats):
        if r >= min_repeats and time.perf_counter() - start > budget_s:
            return
        shift = r % len(names)
        yield names[shift:] + names[:shift]


def warm_up(sides):
    """One untimed fit and predict of each side: first calls pay one-off
    allocations, lazy imports and kernel set-up."""
    for fit, predict in sides.values():
        predict(fit())


def time_sides(
    sides, repeats, *, budget_s=math.inf, min_repeats=0, start=None, check=None
):
    """Interleaved fit and predict timings of every side.

    Parameters
    ----------
    sides : dict
        Name -> ``(fit, predict)``: ``fit()`` returns a model, ``predict(model)``
        its predictions; each side is timed fit then predict, in the order
        :func:`rotations` gives.
    repeats, budget_s, min_repeats, start
        As in :func:`rotations`.
    check : callable, optional
        ``check(name, model, predictions)``, called untimed after each side's
        predict (to check shapes, score, record what the model learnt).

    Returns
    -------
    times : dict
        Name -> ``{"fit": [seconds, ...], "predict": [seconds, ...]}``, one
        entry per repeat.
    """
    times = {name: {"fit": [], "predict": []} for name in sides}
    rounds = rotations(
        sides, repeats, budget_s=budget_s, min_repeats=min_repeats, start=start
    )
    for order in rounds:
        for name in order:
            fit, predict = sides[name]
            t_fit, model = timed(fit)
            t_predict, predictions = timed(predict, model)
            times[name]["fit"].append(t_fit)
            times[name]["predict"].append(t_predict)
            if check is not None:
                check(name, model, predictions)
    return times


def fit_quietly(estimator, X, y):
    """``estimator.fit(X, y)`` without the ConvergenceWarning: benchmarks train
    for a fixed, small number of epochs, which never converge."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def median_ratio(numerators, denominators):
    """Median of the per-repeat ratios ``numerators[i] / denominators[i]``.

    Interleaved repeats share the machine's load of the moment, so their ratio
    is steadier than the ratio of the medians.
    """
    return statistics.median(
        n / d for n, d in zip(numerators, denominators, strict=True)
    )


def medians(times):
    """``{side: {step: [seconds, ...]}}`` -> ``{side: {step: median}}``."""
    return {
        name: {step: statistics.median(values) for step, values in steps.items()}
        for name, steps in times.items()
    }


@contextlib.contextmanager
def torch_threads(n_threads=None):
    """Run the block at ``n_threads`` torch threads and put the count back after.

    ``None`` leaves the count as it is and only puts it back on exit (for
    blocks that change it themselves).
    """
    import torch

    previous = torch.get_num_threads()
    if n_threads is not None:
        torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def load_1min():
    """The one-minute load average: other processes skew timings."""
    return os.getloadavg()[0]


# -- the environment stamp and the results file -----------------------------------


def utc_stamp():
    """Now, as ``20250101T120000Z``: the results files' timestamp."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def git_commit():
    """The repository's commit (``+dirty`` with uncommitted changes to tracked
    files), or None outside a git checkout."""
    try:
        commit = _git("rev-parse", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+dirty" if dirty else "")


def _git(*args):
    done = subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def environment(benchmark, stamp=None):
    """What a result depends on besides the code it times.

    The benchmark's name and timestamp, the versions of Python and the
    libraries, where skrnn was imported from and the git commit, the machine,
    its CPUs and load average, and the thread settings. Call it outside
    :func:`torch_threads`, so that ``torch_threads_default`` is torch's default.
    """
    import numpy as np
    import sklearn
    import skorch
    import torch

    import skrnn

    return {
        "benchmark": benchmark,
        "timestamp_utc": stamp or utc_stamp(),
        "versions": {
            "skrnn": getattr(skrnn, "__version__", None),
            "torch": torch.__version__,
            "skorch": skorch.__version__,
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "skrnn_path": str(Path(skrnn.__file__).parent),
        "git_commit": git_commit(),
        "machine": platform.platform(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "load_average": list(os.getloadavg()),
        "torch_threads_default": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "thread_variables": {
            name: os.environ.get(name)
            for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
        },
    }


def add_repeat_arguments(
    parser, *, repeats, min_repeats, budget_s, per, shared_by, budget_note=""
):
    """The ``--repeats`` and ``--budget`` options of the interleaved timings.

    ``--repeats`` below ``min_repeats`` is an error; ``--budget`` seconds are
    shared by the settings the run goes through (``shared_by``), each stopping
    before ``--repeats`` (never under ``min_repeats``) when its share is spent
    (see :func:`rotations`).
    """

    def count(text):
        value = int(text)
        if value < min_repeats:
            raise argparse.ArgumentTypeError(
                f"must be at least {min_repeats}, got {value}"
            )
        return value

    count.__name__ = "int"  # argparse names the type in its error for "x"
    parser.add_argument(
        "--repeats",
        type=count,
        default=repeats,
        help=f"timed {per} (default: {repeats}, minimum {min_repeats})",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=budget_s,
        help=f"seconds for the whole run, shared by the {shared_by}: each stops "
        f"before --repeats (never under {min_repeats}) when its share is spent"
        f"{budget_note} (default: {budget_s:g})",
    )


def add_output_argument(parser):
    """The ``--output`` option of the scripts that write timestamped results."""
    parser.add_argument(
        "--output", type=Path, default=None, help="JSON file (default: timestamped)"
    )


def save(payload, output=None, *, indent=2):
    """Write ``payload`` (which starts with :func:`environment`) and say where.

    ``output`` defaults to ``benchmarks/results/<benchmark>_<timestamp>.json``.
    """
    if output is None:
        name = f"{payload['benchmark']}_{payload['timestamp_utc']}.json"
        output = RESULTS_DIR / name
    path = write_json(payload, output, indent=indent)
    print(f"wrote {path}")
    return path


def write_json(payload, path, *, indent=2):
    """Write ``payload`` as JSON to ``path`` (making its folder) and return the path.

    NumPy scalars and arrays are written as numbers and lists, other values
    JSON does not know (paths, for one) as strings.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=indent, default=_jsonable))
    return path


def _jsonable(value):
    tolist = getattr(value, "tolist", None)
    return tolist() if callable(tolist) else str(value)
