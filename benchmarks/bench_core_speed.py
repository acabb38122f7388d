"""Speed of skrnn's ``RNNClassifier`` against a hand-written PyTorch loop.

Both sides train the same network on the same data for one epoch and then
predict class probabilities for the whole training set:

* data: 4,096 sequences x 100 steps x 8 features (float32), 4 classes;
* network: ``nn.LSTM(8, 64, batch_first=True)`` (or ``nn.GRU``, ``--cells``) ->
  last hidden state -> ``nn.Linear(64, 4)``;
* training: Adam (lr 1e-3), cross-entropy, gradient norm clipped at 1.0, batch 64,
  a fresh random permutation each epoch, batches taken by fancy-indexing tensors;
* prediction: batch 64 without autograd, softmax.

The skrnn side is the public API,
``RNNClassifier(cell=..., hidden_size=64, batch_size=64, max_epochs=1)``
``.fit(X, y)`` and ``.predict_proba(X)``, so its times include everything a user
pays: input validation, standardisation, building the skorch net and its
callbacks. The hand-written side converts the arrays with ``torch.from_numpy``,
builds the layers and runs the bare loop (it reads each batch loss with
``.item()`` to report the epoch loss, as any real loop does). It does not
standardise the inputs, which are standard normal already: that pass is part of
what skrnn's interface costs.

The two sides run interleaved after one untimed warm-up each, alternating which
side goes first (A B, B A, A B, ...), and the report gives medians of the times
and of the per-repeat ratios at each torch thread count (skrnn leaves torch's
thread setting alone, so both sides run at the count set). Targets (issue 5):
fit time skrnn / hand-written <= 1.05; predict throughput of skrnn relative to
the hand-written loop (hand-written time / skrnn time) >= 0.95. The summary
also compares each side at its best thread count, since the faster hand-written
setting is the best a user could do by hand.

Run from the repository root::

    python benchmarks/bench_core_speed.py                 # LSTM, 1 and 2 threads
    python benchmarks/bench_core_speed.py --cells lstm gru
    python benchmarks/bench_core_speed.py --threads 1 --repeats 21 --budget 600

Results are printed and written as JSON to ``benchmarks/results/`` (with the
load average, since other processes on the machine skew timings). A default run
takes about a minute on an idle 2-core machine. On a busy machine two torch
threads can become many times slower than one for both sides alike (the threads
of each parallel region wait on each other); the ratios stay comparable but the
run would take longer, so ``--budget`` (150 s by default) cuts the number of
repeats (never below 5) and ``--threads 1`` is the setting to compare there.
"""

import argparse
import math
import os
import time

import _harness
import numpy as np
import skorch
import torch
from torch import nn

import skrnn
from skrnn import RNNClassifier

N_SEQUENCES, N_STEPS, N_FEATURES, N_CLASSES = 4096, 100, 8, 4
HIDDEN_SIZE, BATCH_SIZE, LR, CLIP = 64, 64, 1e-3, 1.0
FIT_TARGET, PREDICT_TARGET = 1.05, 0.95
MIN_REPEATS = 5


def make_data(seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(N_SEQUENCES, N_STEPS, N_FEATURES).astype(np.float32)
    # A learnable label: which quarter the mean of the first feature falls in.
    score = X[:, :, 0].mean(axis=1)
    y = np.searchsorted(np.quantile(score, [0.25, 0.5, 0.75]), score)
    return X, y.astype(np.int64)


def workload():
    """The data and model sizes, as the results file records them."""
    return {
        "data": {
            "n_sequences": N_SEQUENCES,
            "n_steps": N_STEPS,
            "n_features": N_FEATURES,
            "n_classes": N_CLASSES,
            "dtype": "float32",
        },
        "model": {"hidden_size": HIDDEN_SIZE, "batch_size": BATCH_SIZE},
    }


# -- hand-written side ------------------------------------------------------------


class HandClassifier(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](
            N_FEATURES, HIDDEN_SIZE, batch_first=True
        )
        self.head = nn.Linear(HIDDEN_SIZE, N_CLASSES)

    def forward(self, x):
        _, hidden = self.rnn(x)
        if isinstance(hidden, tuple):  # LSTM: (h, c)
            hidden = hidden[0]
        return self.head(hidden[-1])


def hand_fit(X, y, cell, seed=0):
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    model = HandClassifier(cell)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    total = 0.0
    order = torch.from_numpy(rng.permutation(len(X_t)))  # once per epoch
    for start in range(0, len(order), BATCH_SIZE):
        idx = order[start : start + BATCH_SIZE]
        xb, yb = X_t[idx], y_t[idx]
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        total += loss.item() * len(idx)
    model.epoch_loss_ = total / len(X_t)
    return model


def hand_predict_proba(model, X):
    X_t = torch.from_numpy(X)
    model.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(X_t), BATCH_SIZE):
            out.append(torch.softmax(model(X_t[start : start + BATCH_SIZE]), dim=1))
    return torch.cat(out).numpy()


# -- skrnn side -------------------------------------------------------------------


def skrnn_fit(X, y, cell, seed=0):
    clf = RNNClassifier(
        cell=cell,
        hidden_size=HIDDEN_SIZE,
        batch_size=BATCH_SIZE,
        max_epochs=1,
        random_state=seed,
    )
    return _harness.fit_quietly(clf, X, y)


def skrnn_predict_proba(clf, X):
    return clf.predict_proba(X)


# -- timing -----------------------------------------------------------------------


def run_one_setting(X, y, cell, n_threads, repeats, budget_s=math.inf):
    """Interleaved timings of both sides at one torch thread count.

    Runs ``repeats`` rounds, or fewer (never under ``MIN_REPEATS``) once
    ``budget_s`` seconds have passed.
    """
    start = time.perf_counter()
    sides = {
        "skrnn": (
            lambda: skrnn_fit(X, y, cell),
            lambda model: skrnn_predict_proba(model, X),
        ),
        "hand": (
            lambda: hand_fit(X, y, cell),
            lambda model: hand_predict_proba(model, X),
        ),
    }

    def check(name, model, proba):
        assert proba.shape == (N_SEQUENCES, N_CLASSES)

    with _harness.torch_threads(n_threads):
        _harness.warm_up(sides)
        times = _harness.time_sides(
            sides,
            repeats,
            budget_s=budget_s,
            min_repeats=MIN_REPEATS,
            start=start,
            check=check,
        )
    fit_ratio = _harness.median_ratio(times["skrnn"]["fit"], times["hand"]["fit"])
    # Throughput is sequences per second, 1 / time: skrnn's throughput relative
    # to the hand-written loop is hand time / skrnn time (1.0 = as fast).
    predict_ratio = _harness.median_ratio(
        times["hand"]["predict"], times["skrnn"]["predict"]
    )
    return {
        "cell": cell,
        "threads": n_threads,
        "repeats": len(times["skrnn"]["fit"]),
        "times_s": times,
        "median_s": _harness.medians(times),
        "fit_ratio_skrnn_over_hand": fit_ratio,
        "predict_throughput_ratio_skrnn_over_hand": predict_ratio,
        "fit_ok": fit_ratio <= FIT_TARGET,
        "predict_ok": predict_ratio >= PREDICT_TARGET,
    }


def report(result):
    m = result["median_s"]
    fit_r = result["fit_ratio_skrnn_over_hand"]
    pred_r = result["predict_throughput_ratio_skrnn_over_hand"]
    print(
        f"{result['cell'].upper()}, torch threads = {result['threads']}, "
        f"{result['repeats']} repeats per side"
    )
    print(f"  {'':8s}{'skrnn':>10s}{'hand':>10s}")
    for step in ("fit", "predict"):
        print(f"  {step:8s}{m['skrnn'][step]:>9.3f}s{m['hand'][step]:>9.3f}s")
    print(
        f"  fit time ratio skrnn / hand-written (median): {fit_r:.3f} "
        f"(target <= {FIT_TARGET:.2f}: {'ok' if result['fit_ok'] else 'MISSED'})"
    )
    print(
        f"  predict throughput ratio skrnn / hand-written (median): {pred_r:.3f} "
        f"(target >= {PREDICT_TARGET:.2f}: "
        f"{'ok' if result['predict_ok'] else 'MISSED'})"
    )


def summarise_best(results, cell):
    """Each side at its own fastest thread count (medians of times)."""
    rows = [r for r in results if r["cell"] == cell]

    def best(side, step):
        return min(rows, key=lambda r: r["median_s"][side][step])

    summary = {"cell": cell}
    for step in ("fit", "predict"):
        hand, ours = best("hand", step), best("skrnn", step)
        t_hand, t_ours = hand["median_s"]["hand"][step], ours["median_s"]["skrnn"][step]
        summary[step] = {
            "hand_threads": hand["threads"],
            "skrnn_threads": ours["threads"],
            "ratio": t_ours / t_hand if step == "fit" else t_hand / t_ours,
        }
    print(
        f"{cell.upper()} at each side's best thread count: fit time ratio "
        f"{summary['fit']['ratio']:.3f} (hand {summary['fit']['hand_threads']}, "
        f"skrnn {summary['fit']['skrnn_threads']} threads), predict throughput "
        f"ratio {summary['predict']['ratio']:.3f}"
    )
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[1, 2],
        help="torch thread counts to test, each for both sides (default: 1 2)",
    )
    parser.add_argument(
        "--cells",
        nargs="+",
        choices=["lstm", "gru"],
        default=["lstm"],
        help="recurrent cells to test (default: lstm)",
    )
    _harness.add_repeat_arguments(
        parser,
        repeats=11,
        min_repeats=MIN_REPEATS,
        budget_s=150.0,
        per="runs per side and thread count",
        shared_by="thread counts",
    )
    _harness.add_output_argument(parser)
    args = parser.parse_args(argv)

    X, y = make_data()
    print(
        f"skrnn {getattr(skrnn, '__version__', '?')}, "
        f"torch {torch.__version__}, skorch {skorch.__version__}, "
        f"{torch.get_num_threads()} default torch threads"
    )
    print(f"data {X.shape} float32, {N_CLASSES} classes, batch {BATCH_SIZE}\n")
    results = []
    settings = [(cell, n) for cell in args.cells for n in args.threads]
    for cell, n_threads in settings:
        load_before = _harness.load_1min()
        if n_threads > 1 and load_before + n_threads > (os.cpu_count() or 1) + 1.5:
            print(
                f"warning: load average {load_before:.1f} on {os.cpu_count()} "
                f"CPUs: {n_threads} torch threads will wait on other processes; "
                "timings can be many times slower than usual and the run long."
            )
        result = run_one_setting(
            X, y, cell, n_threads, args.repeats, args.budget / len(settings)
        )
        result["load_average_1min"] = [load_before, _harness.load_1min()]
        report(result)
        results.append(result)
    best = [summarise_best(results, cell) for cell in args.cells]

    payload = {
        **_harness.environment("bench_core_speed"),
        **workload(),
        "targets": {
            "fit_ratio_max": FIT_TARGET,
            "predict_throughput_ratio_min": PREDICT_TARGET,
        },
        "results": results,
        "best_thread_count": best,
    }
    print()
    _harness.save(payload, args.output)


if __name__ == "__main__":
    main()
