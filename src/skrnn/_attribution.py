"""Attributions of a network's output to the steps of its input, in torch.

:func:`skrnn.inspection.step_importance` parses the input, chooses what is
explained and gathers the results; this module computes, for one batch of
padded sequences, integrated gradients (:func:`integrated_gradients`) and the
effect of replacing steps (:func:`replacement_effects`: occlusion by a baseline,
or permutation with other sequences' steps).

The methods are written here rather than taken from captum (installable as
``captum``, the field's library) because these few lines do what captum's would
not without wrapping: every sequence of a batch and every point of its
integration path go through one forward and one backward pass, padding steps
are never perturbed (so never attributed), token input is attributed at the
embedding through a forward hook on the embedder, and cuDNN, whose recurrent
backward refuses evaluation mode, is switched off for the backward pass while
the network stays in evaluation mode (no dropout).

Every function takes ``output(inputs, batch, targets)``, an
:class:`ExplainedOutput`: the one number per sequence that is explained, from
``inputs`` of shape ``(n, max_length, n_inputs)`` (numeric values, or token
embeddings), ``batch`` (the module's other arguments) and ``targets``.
"""

import contextlib

import numpy as np
import torch


class ExplainedOutput:
    """The number per sequence that attributions explain.

    ``kind='probability'``: the softmax probability of the target class (one
    class index per sequence, or per step). ``kind='value'``: output number
    ``targets`` (one index per sequence) times ``scale`` (the target scale, so
    the number is in the units of ``y``). With per-step outputs the number is
    the sum over each sequence's real steps.
    """

    def __init__(self, module, *, kind, per_step, scale=None):
        self.module = module
        self.kind = kind
        self.per_step = per_step
        self.scale = scale
        self.tokens = module.embedder is not None

    def raw(self, inputs, batch):
        """The network's raw output for ``inputs`` (values or embeddings)."""
        if not self.tokens:
            return self.module(lengths=batch["lengths"], values=inputs)
        handle = self.module.embedder.register_forward_hook(
            lambda module, args, output: inputs
        )
        try:
            return self.module(**batch)
        finally:
            handle.remove()

    def embed(self, batch):
        """The embeddings of a token batch: the inputs that are attributed."""
        return self.module.embedder(batch["ids"], batch["word_types"], batch["chars"])

    def select(self, raw, lengths, targets):
        """The explained number of each sequence from the raw output."""
        if self.kind == "probability":
            proba = torch.softmax(raw, dim=-1)
            chosen = proba.gather(-1, targets[..., None])[..., 0]
        else:
            index = targets.view(-1, *([1] * (raw.ndim - 1)))
            index = index.expand(*raw.shape[:-1], 1)
            chosen = raw.gather(-1, index)[..., 0] * self.scale[targets].view(
                -1, *([1] * (raw.ndim - 2))
            )
        if not self.per_step:
            return chosen
        steps = torch.arange(chosen.shape[1], device=chosen.device)
        real = steps[None, :] < lengths[:, None]
        return torch.where(real, chosen, 0.0).sum(dim=1)

    def default_targets(self, raw):
        """The predicted class of each sequence (or step)."""
        return raw.argmax(dim=-1)

    def __call__(self, inputs, batch, targets):
        return self.select(self.raw(inputs, batch), batch["lengths"], targets)


def repeat_batch(batch, times):
    """``batch`` with each sequence repeated ``times`` times, copy-major
    (row ``c * n + i`` is copy ``c`` of sequence ``i``)."""
    repeated = {}
    for name, value in batch.items():
        if name == "chars":
            # The batch's table of word characters is shared by every copy.
            repeated[name] = value
        else:
            repeated[name] = value.repeat(times, *([1] * (value.ndim - 1)))
    return repeated


# Edges of the path's pieces: [0, 1e-8], [1e-8, 1e-7], ..., [0.1, 1].
PATH_EDGES = np.array([0.0, *np.logspace(-8, 0, 9)])


def gauss_legendre(n_steps):
    """Nodes and weights of ``n_steps`` Gauss-Legendre points on [0, 1]
    (captum's default rule for integrated gradients), spread over pieces of
    the path that shrink tenfold towards the baseline when there are points
    enough (two a piece). A network that normalises each sequence by its own
    scale changes fastest just after a constant baseline, within a stretch
    about ``eps / scale`` long, which points spread evenly miss."""
    pieces = len(PATH_EDGES) - 1
    if n_steps < 2 * pieces:
        nodes, weights = np.polynomial.legendre.leggauss(n_steps)
        return (nodes + 1) / 2, weights / 2
    # The remainder goes to the longest pieces.
    counts = n_steps // pieces + (np.arange(pieces) >= pieces - n_steps % pieces)
    all_nodes, all_weights = [], []
    for (low, high), count in zip(
        zip(PATH_EDGES[:-1], PATH_EDGES[1:], strict=True), counts, strict=True
    ):
        nodes, weights = np.polynomial.legendre.leggauss(int(count))
        all_nodes.append(low + (nodes + 1) / 2 * (high - low))
        all_weights.append(weights / 2 * (high - low))
    return np.concatenate(all_nodes), np.concatenate(all_weights)


@contextlib.contextmanager
def gradients_in_eval_mode(device):
    """Gradients of a network in evaluation mode: cuDNN's recurrent backward
    works in training mode only, so cuDNN is off (torch's own kernels run)."""
    with torch.enable_grad():
        if torch.device(device).type == "cuda":
            with torch.backends.cudnn.flags(enabled=False):
                yield
        else:
            yield


def integrated_gradients(output, inputs, baselines, batch, targets, *, n_steps, rows):
    """Integrated gradients of ``output`` from ``baselines`` to ``inputs``.

    ``inputs`` and ``baselines`` are ``(n, max_length, n_inputs)`` tensors, equal
    on padding steps, which therefore get zero. The path integral uses
    ``n_steps`` Gauss-Legendre points; at most ``rows`` sequence copies go
    through one forward and backward pass. Returns a tensor shaped like
    ``inputs`` whose sum per sequence approximates ``output(inputs) -
    output(baselines)`` (completeness).
    """
    nodes, weights = gauss_legendre(n_steps)
    n_sequences = inputs.shape[0]
    delta = inputs - baselines
    total = torch.zeros_like(inputs)
    per_pass = max(1, rows // n_sequences)
    with gradients_in_eval_mode(inputs.device):
        for start in range(0, n_steps, per_pass):
            alphas = torch.as_tensor(
                nodes[start : start + per_pass], dtype=inputs.dtype
            ).to(inputs.device)
            weight = torch.as_tensor(
                weights[start : start + per_pass], dtype=inputs.dtype
            ).to(inputs.device)
            copies = len(alphas)
            path = baselines[None] + alphas[:, None, None, None] * delta[None]
            path = path.reshape(copies * n_sequences, *inputs.shape[1:])
            path.requires_grad_(True)
            explained = output(
                path,
                repeat_batch(batch, copies),
                targets.repeat(copies, *([1] * (targets.ndim - 1))),
            )
            (gradient,) = torch.autograd.grad(explained.sum(), path)
            gradient = gradient.view(copies, *inputs.shape)
            total += (gradient * weight[:, None, None, None]).sum(dim=0)
    return delta * total


def replacement_effects(output, inputs, replacements, batch, targets, *, rows):
    """How much ``output`` drops when one step at a time is replaced.

    ``replacements`` is ``(n_repeats, n, max_length, n_inputs)``: the values a
    step takes instead of its own (a baseline for occlusion, other sequences'
    steps for permutation). Returns ``(n, max_length)``: for each step,
    ``output(inputs)`` minus the mean over repeats of ``output`` with that
    step replaced. Padding steps get zero.
    """
    n_repeats, n_sequences, max_length, _ = replacements.shape
    lengths = batch["lengths"]
    device = inputs.device
    original = output(inputs, batch, targets)
    effects = torch.zeros(n_sequences, max_length, dtype=inputs.dtype, device=device)
    per_pass = max(1, rows // n_sequences)
    for repeat in range(n_repeats):
        for start in range(0, max_length, per_pass):
            steps = torch.arange(
                start, min(max_length, start + per_pass), device=device
            )
            copies = len(steps)
            changed = inputs[None].repeat(copies, 1, 1, 1)
            changed[torch.arange(copies, device=device), :, steps] = replacements[
                repeat, :, steps
            ].transpose(0, 1)
            explained = output(
                changed.view(copies * n_sequences, *inputs.shape[1:]),
                repeat_batch(batch, copies),
                targets.repeat(copies, *([1] * (targets.ndim - 1))),
            )
            drop = original[None, :] - explained.view(copies, n_sequences)
            effects[:, steps] += drop.T / n_repeats
    real = torch.arange(max_length, device=device)[None, :] < lengths[:, None]
    return torch.where(real, effects, 0.0)
