"""Time ``skrnn.inspection.step_importance`` on 1,000 sequences of 100 steps.

A classifier (LSTM, ``--hidden-sizes``, 3 features, 2 classes) is fitted for one
epoch (its weights do not change the cost of an attribution); then each method
of ``--methods`` explains ``--n-sequences`` sequences of ``--n-steps`` steps,
integrated gradients with ``--ig-steps`` path points, at ``--threads`` torch
threads. The target of issue 16 is under 30 s for integrated gradients with 50
points on a 2-core CPU. The peak resident memory of the process is reported
too (``ru_maxrss``, so it only grows over the run: methods and sizes run in the
order given).

The load average goes into the results: on a shared machine the times scale
with it. So integrated gradients are also timed against a floor measured in
the same run (``--reference``, on by default): a plain ``torch.nn.LSTM`` and
linear layer of the same size running the same number of sequence copies
(``n_sequences x ig_steps``) forward and backward to the input, in passes of
the same size, with no attribution bookkeeping. The ratio is what the
attribution code adds to the network's own cost.

Run from the repository root::

    python benchmarks/bench_step_importance.py
    python benchmarks/bench_step_importance.py --hidden-sizes 64 32 \\
        --methods integrated_gradients occlusion permutation
"""

import argparse
import resource
import statistics
import warnings

import _harness
import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sequences", type=int, default=1000)
    parser.add_argument("--n-steps", type=int, default=100)
    parser.add_argument("--ig-steps", type=int, default=50)
    parser.add_argument("--hidden-sizes", type=int, nargs="+", default=[64])
    parser.add_argument(
        "--methods",
        nargs="+",
        default=["integrated_gradients"],
        choices=["integrated_gradients", "occlusion", "permutation"],
    )
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--no-reference",
        dest="reference",
        action="store_false",
        help="skip the plain-torch floor of integrated gradients",
    )
    _harness.add_output_argument(parser)
    args = parser.parse_args(argv)

    from skrnn import RNNClassifier
    from skrnn.inspection import step_importance

    payload = _harness.environment("bench_step_importance")
    payload["settings"] = vars(args) | {"output": str(args.output)}
    rng = np.random.RandomState(0)
    X = rng.randn(args.n_sequences, args.n_steps, 3).astype(np.float32)
    y = (X[:, args.n_steps // 2, 0] > 0).astype(int)
    results = []
    with _harness.torch_threads(args.threads):
        for hidden_size in args.hidden_sizes:
            clf = RNNClassifier(
                hidden_size=hidden_size, max_epochs=1, random_state=0, n_threads=None
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf.fit(X[:200], y[:200])
            for method in args.methods:
                times = []
                for _ in range(args.repeats):
                    load = _harness.load_1min()
                    seconds, _ = _harness.timed(
                        lambda m=method, c=clf: step_importance(
                            c,
                            X,
                            method=m,
                            n_steps=args.ig_steps,
                            batch_size=args.batch_size,
                            random_state=0,
                        )
                    )
                    times.append(seconds)
                row = {
                    "hidden_size": hidden_size,
                    "method": method,
                    "seconds": statistics.median(times),
                    "all_seconds": times,
                    "load_1min_before": load,
                    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                    / 1024,
                }
                if args.reference and method == "integrated_gradients":
                    rows = args.batch_size or max(1, 100_000 // args.n_steps)
                    floor, _ = _harness.timed(
                        torch_floor, X, hidden_size, args.ig_steps, rows
                    )
                    row["torch_floor_seconds"] = floor
                    row["ratio_to_floor"] = row["seconds"] / floor
                    print(
                        f"hidden {hidden_size:4d}  plain torch floor       "
                        f"{floor:8.1f} s  (ratio {row['ratio_to_floor']:.2f})"
                    )
                results.append(row)
                print(
                    f"hidden {hidden_size:4d}  {method:22s} "
                    f"{row['seconds']:8.1f} s  (load {load:.1f}, "
                    f"peak RSS {row['peak_rss_mb']:.0f} MB)",
                    flush=True,
                )
    payload["results"] = results
    _harness.save(payload, args.output)


def torch_floor(X, hidden_size, copies, rows):
    """A plain LSTM's forward and backward to the input over ``copies`` copies
    of every sequence of ``X``, ``rows`` copies per pass."""
    import torch

    lstm = torch.nn.LSTM(X.shape[2], hidden_size, batch_first=True)
    head = torch.nn.Linear(hidden_size, 2)
    values = torch.as_tensor(X)
    per_pass = max(1, rows // copies)
    for start in range(0, len(values), per_pass):
        batch = values[start : start + per_pass]
        path = batch.repeat(copies, 1, 1).requires_grad_(True)
        output = torch.softmax(head(lstm(path)[0][:, -1]), dim=-1)[:, 1]
        torch.autograd.grad(output.sum(), path)


if __name__ == "__main__":
    main()
