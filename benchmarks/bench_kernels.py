"""Is there a faster recurrent kernel than eager ``nn.LSTM`` / ``nn.GRU`` on this CPU?

The workload is that of ``bench_core_speed.py``: 4,096 sequences x 100 steps x
8 features (float32), 4 classes; a one-layer recurrent network of hidden size
64 whose last hidden state feeds ``nn.Linear(64, 4)``. One training epoch is
Adam (lr 1e-3), cross-entropy, gradient norm clipped at 1.0, batch 64 over a
fresh random permutation, reading each batch loss with ``.item()``; one
prediction pass is batch 64 in order under ``torch.inference_mode()`` with a
softmax. For the LSTM and the GRU, each variant below runs that loop on its own
copy of one set of initial weights:

* ``eager``: ``nn.LSTM`` / ``nn.GRU`` called eagerly: the fused ATen kernels
  (oneDNN for the LSTM), what skrnn uses. The baseline of every ratio.
* ``eager_no_onednn`` (LSTM only): the same under
  ``torch.backends.mkldnn.flags(enabled=False)``, ATen's own LSTM kernel (the
  GRU has no oneDNN path: its eager kernel is ATen's already).
* ``compile``: ``torch.compile(model)`` with the default mode, and
  ``compile_max_autotune``: ``mode="max-autotune-no-cudagraphs"``. Dynamo's
  default is ``allow_rnn=False``: it refuses to trace ``nn.LSTM`` / ``nn.GRU``
  and runs the frame eagerly, so these measure what a user who just wraps the
  model gets. The graphs Dynamo compiled and its graph breaks are counted
  and reported (Dynamo is reset before each compiled variant, so that each
  tries for itself).
* ``compile_unrolled`` (opt-in, ``--variants``): ``torch.compile`` with
  ``torch._dynamo.config.allow_rnn=True``, which traces the recurrence as 100
  unrolled steps for Inductor; oneDNN is switched off around its calls because
  Inductor cannot trace ``aten.mkldnn_rnn_layer``. Compiling takes minutes
  (training and inference graphs separately), hence not in the default run;
  a second run is faster when Inductor's on-disk cache holds the graphs
  (``--no-compile-cache`` measures a cold compile).
* ``jit_script_nn``: ``torch.jit.script`` of the same ``nn.LSTM`` / ``nn.GRU``
  model.
* ``jit_script_cells``: the classic scripted "custom LSTM" (PyTorch's
  ``benchmarks/fastrnns/custom_lstms.py``): the cell's equations written out in
  a ``torch.jit.script``-ed loop over the steps, with the input projection of
  all steps hoisted into one matrix product before the loop (the usual
  optimisation); the GRU likewise.
* ``python_cells``: a plain Python loop over ``nn.LSTMCell`` / ``nn.GRUCell``.

Each variant is checked to compute the same function as ``eager`` (largest
absolute difference of the logits on one batch before training). Compile and
scripting costs are reported separately: the first (untimed) training epoch
and prediction pass of each variant minus its steady-state time. Then the
variants run interleaved, rotating which goes first, and the report gives the
median steady-state times and the medians of per-repeat ratios variant /
eager (below 1: faster than eager).

Run from the repository root::

    python benchmarks/bench_kernels.py                       # ~2 minutes
    python benchmarks/bench_kernels.py --repeats 11 --budget 900
    python benchmarks/bench_kernels.py --cells lstm --variants eager \\
        compile_unrolled --budget 900                         # compiles ~5 min

Results are printed and written as JSON to ``benchmarks/results/`` with the
versions, the machine and the load average.
"""

import argparse
import contextlib
import functools
import importlib
import os
import shutil
import statistics
import sys
import time
import traceback
import warnings

# The benchmarks folder is on sys.path when a script runs from the repository
# root: the shared harness, and the workload of bench_core_speed.py taken from
# there.
import _harness
import bench_core_speed
import numpy as np
import torch
import torch._dynamo
from bench_core_speed import (
    BATCH_SIZE,
    CLIP,
    HIDDEN_SIZE,
    LR,
    N_CLASSES,
    N_FEATURES,
    N_SEQUENCES,
)
from torch import nn

MIN_REPEATS = 3
DEFAULT_VARIANTS = [
    "eager",
    "eager_no_onednn",
    "compile",
    "compile_max_autotune",
    "jit_script_nn",
    "jit_script_cells",
    "python_cells",
]
ALL_VARIANTS = [*DEFAULT_VARIANTS, "compile_unrolled"]


def make_data(seed=0):
    X, y = bench_core_speed.make_data(seed)
    return torch.from_numpy(X), torch.from_numpy(y)


# -- models -----------------------------------------------------------------------


class TorchRNNClassifier(nn.Module):
    """``nn.LSTM`` / ``nn.GRU`` -> last hidden state -> linear."""

    def __init__(self, cell):
        super().__init__()
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(N_FEATURES, HIDDEN_SIZE, batch_first=True)
        self.head = nn.Linear(HIDDEN_SIZE, N_CLASSES)

    def forward(self, x):
        _, state = self.rnn(x)
        hidden = state[0] if isinstance(state, tuple) else state
        return self.head(hidden[-1])


class UnrolledRNNClassifier(TorchRNNClassifier):
    """The same model; its own ``forward`` code object, so that Dynamo's cache
    entries for it (traced with ``allow_rnn=True``) stay apart from those of
    the other compiled variants."""

    def forward(self, x):
        _, state = self.rnn(x)
        hidden = state[0] if isinstance(state, tuple) else state
        return self.head(hidden[-1])


class ScriptedLSTM(nn.Module):
    """The LSTM's equations in a loop over steps (scriptable)."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(4 * hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(4 * hidden_size))

    def forward(self, x):
        # x: (batch, steps, features); one matrix product for every step's input.
        projected = torch.matmul(x, self.weight_ih.t()) + self.bias_ih
        h = x.new_zeros(x.shape[0], self.hidden_size)
        c = x.new_zeros(x.shape[0], self.hidden_size)
        for gates_x in projected.unbind(1):
            gates = gates_x + torch.mm(h, self.weight_hh.t()) + self.bias_hh
            i, f, g, o = gates.chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        return h


class ScriptedGRU(nn.Module):
    """The GRU's equations (as ``nn.GRU`` computes them) in a loop over steps."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.weight_ih = nn.Parameter(torch.empty(3 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(3 * hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(3 * hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(3 * hidden_size))

    def forward(self, x):
        projected = torch.matmul(x, self.weight_ih.t()) + self.bias_ih
        h = x.new_zeros(x.shape[0], self.hidden_size)
        for gates_x in projected.unbind(1):
            gates_h = torch.mm(h, self.weight_hh.t()) + self.bias_hh
            x_r, x_z, x_n = gates_x.chunk(3, 1)
            h_r, h_z, h_n = gates_h.chunk(3, 1)
            r = torch.sigmoid(x_r + h_r)
            z = torch.sigmoid(x_z + h_z)
            n = torch.tanh(x_n + r * h_n)
            h = (1 - z) * n + z * h
        return h


class LoopClassifier(nn.Module):
    """A step-loop recurrence -> its final hidden state -> linear."""

    def __init__(self, cell):
        super().__init__()
        recurrence = ScriptedLSTM if cell == "lstm" else ScriptedGRU
        self.rnn = recurrence(N_FEATURES, HIDDEN_SIZE)
        self.head = nn.Linear(HIDDEN_SIZE, N_CLASSES)

    def forward(self, x):
        return self.head(self.rnn(x))


class CellClassifier(nn.Module):
    """A plain Python loop over ``nn.LSTMCell`` / ``nn.GRUCell``."""

    def __init__(self, cell):
        super().__init__()
        self.is_lstm = cell == "lstm"
        cell_class = nn.LSTMCell if self.is_lstm else nn.GRUCell
        self.cell = cell_class(N_FEATURES, HIDDEN_SIZE)
        self.head = nn.Linear(HIDDEN_SIZE, N_CLASSES)

    def forward(self, x):
        h = x.new_zeros(x.shape[0], HIDDEN_SIZE)
        c = x.new_zeros(x.shape[0], HIDDEN_SIZE)
        for step in x.unbind(1):
            if self.is_lstm:
                h, c = self.cell(step, (h, c))
            else:
                h = self.cell(step, h)
        return self.head(h)


def _copy_weights(reference, model):
    """Copy the reference ``nn.LSTM``/``nn.GRU`` classifier's weights."""
    rnn = reference.rnn
    target = model.cell if isinstance(model, CellClassifier) else model.rnn
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(target, name).copy_(getattr(rnn, name + "_l0"))
        model.head.load_state_dict(reference.head.state_dict())
    return model


class Variant:
    """A model, how to call it, and what building it cost."""

    def __init__(self, model, build_s, context=None):
        self.model = model
        self.build_s = build_s
        # Some variants must run under other settings (see _unrolled_rnn).
        self.context = context

    def __call__(self, x):
        if self.context is None:
            return self.model(x)
        with self.context():
            return self.model(x)


def _no_onednn():
    return torch.backends.mkldnn.flags(enabled=False)


@contextlib.contextmanager
def _unrolled_rnn():
    # Dynamo traces nn.LSTM / nn.GRU only with allow_rnn; Inductor cannot trace
    # the oneDNN LSTM kernel (aten.mkldnn_rnn_layer), so oneDNN is off.
    with (
        torch._dynamo.config.patch(allow_rnn=True),
        torch.backends.mkldnn.flags(enabled=False),
    ):
        yield


def build_variant(name, cell, reference):
    """The model of variant ``name`` with the reference's initial weights."""
    if name.startswith("compile"):
        # Forget earlier variants' cache entries and skipped frames: each
        # compiled variant tries for itself.
        torch._dynamo.reset()
    tic = time.perf_counter()
    context = None
    if name in ("eager", "eager_no_onednn", "compile", "compile_max_autotune"):
        model = TorchRNNClassifier(cell)
        model.load_state_dict(reference.state_dict())
        if name == "eager_no_onednn":
            context = _no_onednn
        if name == "compile":
            model = torch.compile(model)
        elif name == "compile_max_autotune":
            model = torch.compile(model, mode="max-autotune-no-cudagraphs")
    elif name == "compile_unrolled":
        model = UnrolledRNNClassifier(cell)
        model.load_state_dict(reference.state_dict())
        model = torch.compile(model)
        context = _unrolled_rnn
    elif name == "jit_script_nn":
        model = TorchRNNClassifier(cell)
        model.load_state_dict(reference.state_dict())
        model = torch.jit.script(model)
    elif name == "jit_script_cells":
        model = torch.jit.script(_copy_weights(reference, LoopClassifier(cell)))
    elif name == "python_cells":
        model = _copy_weights(reference, CellClassifier(cell))
    else:
        raise ValueError(name)
    return Variant(model, time.perf_counter() - tic, context)


# -- the timed loops --------------------------------------------------------------


def train_epoch(variant, optimizer, X, y, rng):
    variant.model.train()
    loss_fn = nn.CrossEntropyLoss()
    params = list(variant.model.parameters())
    order = torch.from_numpy(rng.permutation(len(X)))
    total = 0.0
    for start in range(0, len(order), BATCH_SIZE):
        index = order[start : start + BATCH_SIZE]
        optimizer.zero_grad()
        loss = loss_fn(variant(X[index]), y[index])
        loss.backward()
        nn.utils.clip_grad_norm_(params, CLIP)
        optimizer.step()
        total += loss.item() * len(index)
    return total / len(X)


def predict_proba(variant, X):
    variant.model.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(X), BATCH_SIZE):
            out.append(torch.softmax(variant(X[start : start + BATCH_SIZE]), dim=1))
    return torch.cat(out)


def _predict_after_epoch(variant, X, _epoch_loss):
    return predict_proba(variant, X)


def _dynamo_counts():
    """Graphs Dynamo compiled, and graph breaks (frames it gave up on included)."""
    counters = torch._dynamo.utils.counters
    breaks = sum(counters["graph_break"].values())
    return counters["stats"]["unique_graphs"], breaks + sum(
        counters["unimplemented"].values()
    )


def run_cell(cell, variant_names, X, y, repeats, budget_s):
    """Warm up every variant of one cell, then time them interleaved."""
    start = time.perf_counter()
    torch.manual_seed(0)
    reference = TorchRNNClassifier(cell)
    probe = X[:BATCH_SIZE]
    with torch.no_grad():
        expected = reference(probe)
    variants, optimizers, rngs, info, failed = {}, {}, {}, {}, {}
    for name in variant_names:
        if name == "eager_no_onednn" and cell != "lstm":
            continue  # the GRU's eager kernel does not use oneDNN
        graphs_before, breaks_before = _dynamo_counts()
        try:
            with warnings.catch_warnings():
                # torch.jit.script warns that it is deprecated; measured anyway.
                warnings.simplefilter("ignore", FutureWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                variant = build_variant(name, cell, reference)
                with torch.no_grad():
                    diff = float((variant(probe) - expected).abs().max())
                optimizer = torch.optim.Adam(variant.model.parameters(), lr=LR)
                rng = np.random.RandomState(0)
                # The first epoch and pass pay compilation, scripting, profiling
                # runs and one-off allocations; timed, not counted as steady.
                first_fit, _ = _harness.timed(
                    train_epoch, variant, optimizer, X, y, rng
                )
                first_predict, proba = _harness.timed(predict_proba, variant, X)
                assert proba.shape == (N_SEQUENCES, N_CLASSES)
        except Exception as exc:  # report what failed and carry on
            failed[name] = "".join(
                traceback.format_exception_only(type(exc), exc)
            ).strip()
            print(f"  {cell} {name}: FAILED: {failed[name][:300]}")
            continue
        variants[name], optimizers[name], rngs[name] = variant, optimizer, rng
        graphs, breaks = _dynamo_counts()
        info[name] = {
            "build_s": variant.build_s,
            "first_epoch_s": first_fit,
            "first_predict_s": first_predict,
            "max_abs_diff_vs_eager": diff,
            "dynamo_graphs": graphs - graphs_before,
            "dynamo_graph_breaks": breaks - breaks_before,
        }
        print(
            f"  {cell} {name}: warm-up epoch {first_fit:.1f} s, "
            f"predict {first_predict:.1f} s",
            flush=True,
        )
    if "eager" not in variants:
        raise RuntimeError(f"the eager baseline failed: {failed.get('eager')}")
    # Each side's "fit" is one epoch on its own variant, optimizer and
    # permutations; its "predict" one pass of that variant.
    sides = {
        name: (
            functools.partial(
                train_epoch, variants[name], optimizers[name], X, y, rngs[name]
            ),
            functools.partial(_predict_after_epoch, variants[name], X),
        )
        for name in variants
    }
    times = _harness.time_sides(
        sides, repeats, budget_s=budget_s, min_repeats=MIN_REPEATS, start=start
    )
    med = statistics.median
    summary = {}
    for name in variants:
        steady_fit, steady_pred = med(times[name]["fit"]), med(times[name]["predict"])
        summary[name] = {
            **info[name],
            "median_epoch_s": steady_fit,
            "median_predict_s": steady_pred,
            "epoch_ratio_vs_eager": _harness.median_ratio(
                times[name]["fit"], times["eager"]["fit"]
            ),
            "predict_ratio_vs_eager": _harness.median_ratio(
                times[name]["predict"], times["eager"]["predict"]
            ),
            # What the first epoch and pass cost beyond a steady one: compile,
            # scripting and warm-up.
            "one_off_s": info[name]["build_s"]
            + info[name]["first_epoch_s"]
            - steady_fit
            + info[name]["first_predict_s"]
            - steady_pred,
        }
    return {
        "cell": cell,
        "repeats": len(times["eager"]["fit"]),
        "times_s": times,
        "variants": summary,
        "failed": failed,
    }


def report(result):
    print(
        f"{result['cell'].upper()} hidden {HIDDEN_SIZE}: {result['repeats']} repeats, "
        f"{result['threads']} torch thread(s), load "
        f"{result['load_average_1min'][0]:.2f} -> "
        f"{result['load_average_1min'][1]:.2f}"
    )
    print(
        f"  {'variant':22s}{'epoch s':>9s}{'ratio':>7s}{'predict s':>11s}"
        f"{'ratio':>7s}{'one-off s':>11s}{'max|diff|':>11s}{'graphs':>8s}"
        f"{'breaks':>8s}"
    )
    for name, v in result["variants"].items():
        print(
            f"  {name:22s}{v['median_epoch_s']:>9.3f}{v['epoch_ratio_vs_eager']:>7.2f}"
            f"{v['median_predict_s']:>11.3f}{v['predict_ratio_vs_eager']:>7.2f}"
            f"{v['one_off_s']:>11.1f}{v['max_abs_diff_vs_eager']:>11.1e}"
            f"{v['dynamo_graphs']:>8d}{v['dynamo_graph_breaks']:>8d}"
        )
    for name, error in result["failed"].items():
        print(f"  {name:22s}FAILED: {error.splitlines()[-1][:200]}")
    print(
        "  ratio: variant / eager time, median of per-repeat ratios (< 1 faster);\n"
        "  one-off: build + first epoch + first pass beyond steady state (compile,\n"
        "  scripting; noise for the others); graphs / breaks: Dynamo's counts"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (default: 1)"
    )
    _harness.add_repeat_arguments(
        parser,
        repeats=5,
        min_repeats=MIN_REPEATS,
        budget_s=150.0,
        per="epochs and passes per variant",
        shared_by="cells",
        budget_note="; warm-up and compilation count",
    )
    parser.add_argument(
        "--cells", nargs="+", choices=["lstm", "gru"], default=["lstm", "gru"]
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=ALL_VARIANTS,
        default=DEFAULT_VARIANTS,
        help="variants to time; eager is always included (default: all but "
        "compile_unrolled, which compiles for minutes)",
    )
    parser.add_argument(
        "--no-compile-cache",
        action="store_true",
        help="disable Inductor's caches, so that compile times are those of a "
        "first compilation",
    )
    _harness.add_output_argument(parser)
    args = parser.parse_args(argv)
    if args.no_compile_cache:
        # Not "import torch._inductor.config" here: that would make torch a
        # local name of main, unbound on every other path.
        inductor_config = importlib.import_module("torch._inductor.config")
        inductor_config.force_disable_caches = True
        warnings.filterwarnings("ignore", message="dynamo_pgo force disabled")
    variant_names = ["eager"] + [v for v in args.variants if v != "eager"]
    # Switching oneDNN off says, every time, that TF32 is for Intel GPUs.
    warnings.filterwarnings("ignore", message="TF32 acceleration on top of oneDNN")

    X, y = make_data()
    compiler = shutil.which("c++") or shutil.which("g++") or shutil.which("gcc")
    print(
        f"torch {torch.__version__}, {os.cpu_count()} CPUs, "
        f"CPU capability {torch.backends.cpu.get_cpu_capability()}, "
        f"oneDNN {torch.backends.mkldnn.is_available()}, C++ compiler {compiler}"
    )
    print(f"data {tuple(X.shape)} float32, hidden {HIDDEN_SIZE}, batch {BATCH_SIZE}\n")
    results = []
    with _harness.torch_threads(args.threads):
        for cell in args.cells:
            load_before = _harness.load_1min()
            result = run_cell(
                cell,
                variant_names,
                X,
                y,
                args.repeats,
                args.budget / len(args.cells),
            )
            result["threads"] = args.threads
            result["load_average_1min"] = [load_before, _harness.load_1min()]
            report(result)
            print()
            results.append(result)

    payload = {
        **_harness.environment("bench_kernels"),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "onednn_available": torch.backends.mkldnn.is_available(),
        "cxx_compiler": compiler,
        **bench_core_speed.workload(),
        "threads": args.threads,
        "compile_cache": not args.no_compile_cache,
        "results": results,
    }
    _harness.save(payload, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
