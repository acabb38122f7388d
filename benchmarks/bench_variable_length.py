"""Variable-length sequences: skrnn against two hand-written PyTorch loops.

Data: ``--n-sequences`` sequences (2,048 by default) of 8 float32 features
whose lengths are drawn uniformly from 10 to ``--max-length`` (200), 4 classes
(the quartile of the mean of the first feature over the sequence's own steps,
so the whole sequence matters). Network on every side: ``nn.LSTM(8, 64)`` ->
final state at each sequence's own end -> ``nn.Linear(64, 4)``, Adam (lr 1e-3),
cross-entropy, gradient norm clipped at 1.0, batch 64.

* ``skrnn``: ``RNNClassifier(hidden_size=64, batch_size=64)`` through the public
  API on a list of arrays. Batches come from length buckets (shuffled between
  and within buckets) and run on the fused kernels with padding kept after each
  sequence's real steps (``src/skrnn/_batching.py``, ``src/skrnn/_modules.py``).
* ``padded``: the loop that pads every sequence to the longest in the data
  once, draws random batches and reads each sequence's output at its own last
  step. Its cost grows with the number of sequences times the longest length.
* ``packed``: the textbook loop: random batches padded to their own longest
  sequence and packed with ``pack_padded_sequence(enforce_sorted=False)``.

The ideal speed-up of a length-aware loop over ``padded`` is the longest length
over the mean length (about 1.9 here): compute that grows with the sum of the
lengths. Targets (issue 5): skrnn's speed-up over ``padded`` at least 0.9 of the
ideal, and skrnn no slower than ``packed``. Timings are one training epoch and
one prediction pass over the training set per side, interleaved (rotating
which side goes first), medians of per-repeat ratios.

``--accuracy`` also trains each side for ``--epochs`` epochs on a training set
and scores a held-out test set (same data and seeds), to show that bucketed
batches train as well as random ones. ``--plot`` times one epoch of each side
at several maximum lengths and saves the plot of time against the total length
of the sequences (``docs/_static/variable_length.png``).

Run from the repository root::

    python benchmarks/bench_variable_length.py
    python benchmarks/bench_variable_length.py --accuracy --plot
"""

import argparse
import math
import statistics
import time

import _harness
import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

import skrnn
from skrnn import RNNClassifier

N_FEATURES, N_CLASSES, MIN_LENGTH = 8, 4, 10
HIDDEN_SIZE, BATCH_SIZE, LR, CLIP = 64, 64, 1e-3, 1.0
PLOT_PATH = _harness.ROOT / "docs" / "_static"


def make_data(n_sequences, max_length, seed=0):
    rng = np.random.RandomState(seed)
    lengths = rng.randint(MIN_LENGTH, max_length + 1, size=n_sequences)
    X = [rng.randn(n, N_FEATURES).astype(np.float32) for n in lengths]
    score = np.array([x[:, 0].mean() * math.sqrt(len(x)) for x in X])
    y = np.searchsorted(np.quantile(score, [0.25, 0.5, 0.75]), score)
    return X, y.astype(np.int64)


def padded_tensors(X):
    lengths = torch.tensor([len(x) for x in X])
    values = torch.zeros(len(X), int(lengths.max()), N_FEATURES)
    for i, x in enumerate(X):
        values[i, : len(x)] = torch.from_numpy(x)
    return values, lengths


# -- hand-written sides -----------------------------------------------------------


class HandLSTM(nn.Module):
    def __init__(self, packed):
        super().__init__()
        self.packed = packed
        self.rnn = nn.LSTM(N_FEATURES, HIDDEN_SIZE, batch_first=True)
        self.head = nn.Linear(HIDDEN_SIZE, N_CLASSES)

    def forward(self, values, lengths):
        if self.packed:
            # Each batch trimmed to its own longest sequence, then packed.
            values = values[:, : int(lengths.max())]
            packed = pack_padded_sequence(
                values, lengths, batch_first=True, enforce_sorted=False
            )
            _, (hidden, _) = self.rnn(packed)
            return self.head(hidden[-1])
        outputs, _ = self.rnn(values)
        last = outputs[torch.arange(len(lengths)), lengths - 1]
        return self.head(last)


def hand_fit(data, y, *, packed, epochs=1, seed=0):
    values, lengths = data
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    y_t = torch.from_numpy(y)
    model = HandLSTM(packed)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(len(y_t)))
        for start in range(0, len(order), BATCH_SIZE):
            idx = order[start : start + BATCH_SIZE]
            optimizer.zero_grad()
            loss = loss_fn(model(values[idx], lengths[idx]), y_t[idx])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            optimizer.step()
            loss.item()
    return model


def hand_predict_proba(model, data):
    values, lengths = data
    model.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(lengths), BATCH_SIZE):
            part = slice(start, start + BATCH_SIZE)
            out.append(torch.softmax(model(values[part], lengths[part]), dim=1))
    return torch.cat(out).numpy()


def skrnn_fit(X, y, *, epochs=1, seed=0):
    clf = RNNClassifier(
        hidden_size=HIDDEN_SIZE,
        batch_size=BATCH_SIZE,
        lr=LR,
        max_epochs=epochs,
        n_iter_no_change=epochs + 1,
        random_state=seed,
    )
    return _harness.fit_quietly(clf, X, y)


def make_sides(X, y):
    """Each side's (fit, predict) on its own input form, built outside timing."""
    padded = padded_tensors(X)
    return {
        "skrnn": (lambda: skrnn_fit(X, y), lambda m: m.predict_proba(X)),
        "padded": (
            lambda: hand_fit(padded, y, packed=False),
            lambda m: hand_predict_proba(m, padded),
        ),
        "packed": (
            lambda: hand_fit(padded, y, packed=True),
            lambda m: hand_predict_proba(m, padded),
        ),
    }


# -- timing -----------------------------------------------------------------------


def time_sides(sides, repeats, budget_s):
    start = time.perf_counter()
    _harness.warm_up(sides)

    def check(name, model, proba):
        assert proba.shape[1] == N_CLASSES

    return _harness.time_sides(
        sides, repeats, budget_s=budget_s, min_repeats=3, start=start, check=check
    )


def ratios(times, num, den, step):
    return _harness.median_ratio(times[num][step], times[den][step])


def accuracy_runs(n_sequences, max_length, epochs, seeds):
    rows = []
    for seed in seeds:
        X, y = make_data(2 * n_sequences, max_length, seed=100 + seed)
        X_train, y_train = X[:n_sequences], y[:n_sequences]
        X_test, y_test = X[n_sequences:], y[n_sequences:]
        padded_train, padded_test = padded_tensors(X_train), padded_tensors(X_test)
        row = {"seed": seed}
        clf = skrnn_fit(X_train, y_train, epochs=epochs, seed=seed)
        row["skrnn"] = float(np.mean(clf.predict(X_test) == y_test))
        for name, packed in (("padded", False), ("packed", True)):
            model = hand_fit(
                padded_train, y_train, packed=packed, epochs=epochs, seed=seed
            )
            pred = hand_predict_proba(model, padded_test).argmax(axis=1)
            row[name] = float(np.mean(pred == y_test))
        print(
            f"  seed {seed}: test accuracy skrnn {row['skrnn']:.3f}, "
            f"padded {row['padded']:.3f}, packed {row['packed']:.3f}"
        )
        rows.append(row)
    return rows


def plot_runs(n_sequences, max_lengths, repeats):
    points = []
    for max_length in max_lengths:
        X, y = make_data(n_sequences, max_length)
        times = time_sides(make_sides(X, y), repeats, math.inf)
        total = int(sum(len(x) for x in X))
        med = {name: statistics.median(t["fit"]) for name, t in times.items()}
        print(
            f"  max length {max_length:4d}, total length {total:7d}: "
            + ", ".join(f"{k} {v:.2f}s" for k, v in med.items())
        )
        points.append({"max_length": max_length, "total_length": total, "fit_s": med})
    return points


def save_plot(points, path, n_sequences):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    totals = [p["total_length"] for p in points]
    labels = {
        "skrnn": "skrnn (length buckets, fused kernels)",
        "packed": "hand-written, packed random batches",
        "padded": "hand-written, padded to the longest",
    }
    for name, label in labels.items():
        ax.plot(totals, [p["fit_s"][name] for p in points], "o-", label=label)
    ax.set_xlabel(f"total length of the {n_sequences} sequences (steps)")
    ax.set_ylabel("one training epoch (s)")
    ax.set_title("LSTM 64, batch 64, lengths uniform in [10, max]")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sequences", type=int, default=2048)
    parser.add_argument("--max-length", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--budget", type=float, default=240.0)
    parser.add_argument("--accuracy", action="store_true")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--plot", action="store_true")
    _harness.add_output_argument(parser)
    args = parser.parse_args(argv)

    environment = _harness.environment("bench_variable_length")
    with _harness.torch_threads(args.threads):
        payload = {**environment, **run(args)}
    _harness.save(payload, args.output)


def run(args):
    load_before = _harness.load_1min()
    X, y = make_data(args.n_sequences, args.max_length)
    lengths = np.array([len(x) for x in X])
    ideal = lengths.max() / lengths.mean()
    print(
        f"skrnn {skrnn.__version__}, torch {torch.__version__}, "
        f"{args.threads} torch thread(s), load average {load_before:.2f}"
    )
    print(
        f"{len(X)} sequences, lengths {lengths.min()}-{lengths.max()} "
        f"(mean {lengths.mean():.1f}): ideal speed-up over padding {ideal:.2f}"
    )
    times = time_sides(make_sides(X, y), args.repeats, args.budget)
    n_repeats = len(times["skrnn"]["fit"])
    med = _harness.medians(times)
    speedup_fit = ratios(times, "padded", "skrnn", "fit")
    speedup_predict = ratios(times, "padded", "skrnn", "predict")
    vs_packed_fit = ratios(times, "skrnn", "packed", "fit")
    vs_packed_predict = ratios(times, "skrnn", "packed", "predict")
    print(f"\nmedians of {n_repeats} interleaved repeats (one epoch, one predict):")
    for name in med:
        print(
            f"  {name:7s} fit {med[name]['fit']:6.2f}s   "
            f"predict {med[name]['predict']:6.3f}s"
        )
    print(
        f"speed-up of skrnn over padded: fit {speedup_fit:.2f} "
        f"({speedup_fit / ideal:.2f} of ideal {ideal:.2f}, target >= 0.90), "
        f"predict {speedup_predict:.2f} ({speedup_predict / ideal:.2f} of ideal)"
    )
    print(
        f"skrnn time / packed time: fit {vs_packed_fit:.2f}, "
        f"predict {vs_packed_predict:.2f} (target <= 1.00)"
    )
    payload = {
        "threads": args.threads,
        "data": {
            "n_sequences": len(X),
            "min_length": int(lengths.min()),
            "max_length": int(lengths.max()),
            "mean_length": float(lengths.mean()),
        },
        "ideal_speedup": float(ideal),
        "times_s": times,
        "median_s": med,
        "speedup_over_padded": {"fit": speedup_fit, "predict": speedup_predict},
        "fraction_of_ideal": {
            "fit": speedup_fit / ideal,
            "predict": speedup_predict / ideal,
        },
        "skrnn_over_packed": {"fit": vs_packed_fit, "predict": vs_packed_predict},
    }
    if args.accuracy:
        print(f"\naccuracy after {args.epochs} epochs (train {len(X)}, test {len(X)}):")
        rows = accuracy_runs(
            args.n_sequences, args.max_length, args.epochs, range(args.seeds)
        )
        means = {
            k: float(np.mean([r[k] for r in rows]))
            for k in ("skrnn", "padded", "packed")
        }
        print("  mean: " + ", ".join(f"{k} {v:.3f}" for k, v in means.items()))
        payload["accuracy"] = {"epochs": args.epochs, "runs": rows, "mean": means}
    if args.plot:
        print("\none training epoch against the total length:")
        points = plot_runs(1024, [50, 100, 200, 400], repeats=3)
        save_plot(points, PLOT_PATH / "variable_length.png", 1024)
        payload["plot"] = points
    payload["load_average_1min"] = [load_before, _harness.load_1min()]
    return payload


if __name__ == "__main__":
    main()
