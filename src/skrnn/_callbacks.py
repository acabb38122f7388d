"""skorch callbacks owned by the base estimator.

Installed by ``_net.py``; only these two modules know skorch.
"""

import math
import sys

import torch
from skorch.callbacks import Callback, LRScheduler, PrintLog


class TrainingMonitor(Callback):
    """Stop when a monitored quantity stops improving (MLPClassifier's rule).

    Without early stopping it watches ``train_loss`` (lower is better); with it,
    ``valid_score`` (higher is better), and it keeps a copy of the best epoch's
    weights to restore when training ends. With ``min_lr`` it also ends
    training, converged, once a schedule has brought the optimizer's rate down
    to ``min_lr``: a plateau schedule cuts the rate when the loss stalls, and
    at a small enough rate the epochs left change the model little while the
    loss's noise between batches keeps resetting the patience count.
    """

    def __init__(
        self, monitor, lower_is_better, tol, n_iter_no_change, restore_best, min_lr=None
    ):
        self.monitor = monitor
        self.lower_is_better = lower_is_better
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.restore_best = restore_best
        self.min_lr = min_lr

    def initialize(self):
        self.in_epoch_ = False
        self.last_state_ = None
        self.best_ = math.inf if self.lower_is_better else -math.inf
        self.best_epoch_ = None
        self.best_state_ = None
        self.no_improvement_count_ = 0
        self.converged_ = False
        return self

    def on_train_begin(self, net, **kwargs):
        self.last_state_ = _copy_state(net.module_)

    def on_epoch_begin(self, net, **kwargs):
        self.in_epoch_ = True

    def on_epoch_end(self, net, **kwargs):
        self.in_epoch_ = False
        # Kept so that an interrupted epoch can be rolled back to this one.
        self.last_state_ = _copy_state(net.module_)
        value = net.history[-1, self.monitor]
        if self.lower_is_better:
            improved, better = value < self.best_ - self.tol, value < self.best_
        else:
            improved, better = value > self.best_ + self.tol, value > self.best_
        self.no_improvement_count_ = 0 if improved else self.no_improvement_count_ + 1
        if better:
            self.best_ = value
            self.best_epoch_ = len(net.history)
            if self.restore_best:
                self.best_state_ = self.last_state_
        if self.restore_best:
            # skorch's ``<name>_best`` flag: the last flagged epoch of a fit is
            # the one whose weights are restored, readable from a saved history.
            net.history.record(f"{self.monitor}_best", bool(better))
        if self.no_improvement_count_ > self.n_iter_no_change or self._at_min_lr(net):
            self.converged_ = True
            # skorch's way to end training early; caught by NeuralNet.partial_fit.
            raise KeyboardInterrupt

    def _at_min_lr(self, net):
        if self.min_lr is None:
            return False
        # The rate the next epoch would train with (the schedule steps first).
        lr = net.optimizer_.param_groups[0]["lr"]
        return lr <= self.min_lr * (1 + 1e-9)

    def on_train_end(self, net, **kwargs):
        if self.restore_best and self.best_state_ is not None:
            net.module_.load_state_dict(self.best_state_)
        elif self.in_epoch_ and self.last_state_ is not None:
            # Interrupted (Ctrl-C) in the middle of an epoch: go back to the
            # last completed one rather than keep half an epoch's updates.
            net.module_.load_state_dict(self.last_state_)
        self.last_state_ = self.best_state_ = None


def _copy_state(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


class FiniteLossGuard(Callback):
    """Stop with a clear error as soon as the training loss is not finite."""

    def on_batch_end(self, net, batch=None, training=None, loss=None, **kwargs):
        if training and not math.isfinite(loss.item()):
            raise _diverged(net, f"The training loss became {loss.item()}")


def check_finite_state(net):
    """Raise :class:`FloatingPointError` if the weights or statistics a
    training run ended with are not finite: the last step can take them
    there after a finite loss, which :class:`FiniteLossGuard` cannot see."""
    for name, tensor in net.module_.state_dict().items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise _diverged(net, f"The network's {name} became not finite")


def _diverged(net, what):
    return FloatingPointError(
        f"{what} in epoch {len(net.history)}. The model diverged: lower the "
        f"learning rate (lr={net.lr}), keep gradient clipping on "
        "(clip_grad_norm), keep standardize=True, or check the data for "
        "extreme values."
    )


class ValidationScore(Callback):
    """Record ``valid_score`` from the predictions of the validation pass.

    It reuses the outputs skorch computes for ``valid_loss`` instead of running
    the network a second time; a criterion with a ``decode`` method (the CRF)
    turns them into the predicted labels first. ``score`` maps ``(y_pred,
    target, lengths, weight)`` (concatenated over batches; per-step outputs
    padded) to a float.
    """

    def __init__(self, score):
        self.score = score

    def on_epoch_begin(self, net, **kwargs):
        self.batches_ = []

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if not training:
            self.batches_.append((y_pred.detach(), batch[1]))

    def on_epoch_end(self, net, **kwargs):
        if not self.batches_:
            return
        device = self.batches_[0][0].device
        per_step = self.batches_[0][0].ndim == 3
        max_length = max(int(y["lengths"].max()) for _, y in self.batches_)

        def cat(tensors):
            tensors = [t.to(device) for t in tensors]
            if per_step:
                # Batches are trimmed to their own longest sequence: pad the step
                # axis (dim 1) back to a common length.
                tensors = [
                    torch.nn.functional.pad(
                        t, (0, 0) * (t.ndim - 2) + (0, max_length - t.shape[1])
                    )
                    for t in tensors
                ]
            return torch.cat(tensors)

        y_pred = cat([p for p, _ in self.batches_])
        target = cat([y["target"] for _, y in self.batches_])
        lengths = torch.cat([y["lengths"] for _, y in self.batches_]).to(device)
        weight = None
        if "weight" in self.batches_[0][1]:
            weight = torch.cat([y["weight"] for _, y in self.batches_]).to(device)
        decode = getattr(net.criterion_, "decode", None)
        if decode is not None:
            # A CRF predicts its Viterbi tags, not each step's best emission:
            # score those (one-hot, as the score reads outputs).
            tags = decode(y_pred, lengths).clamp_min(0)  # padding -1: not counted
            y_pred = torch.nn.functional.one_hot(tags, y_pred.shape[-1])
        net.history.record("valid_score", self.score(y_pred, target, lengths, weight))
        self.batches_ = []


def score_outputs(kind, y_pred, target, lengths, weight=None):
    """Accuracy (``kind='cross_entropy'``) or R^2 (``'mse'``) of raw outputs.

    Per-step outputs count real steps only. R^2 is averaged over outputs, as
    scikit-learn's ``r2_score`` does; it is unchanged by the standardisation of
    targets.
    """
    with torch.no_grad():
        per_step = y_pred.ndim == 3
        if per_step:
            steps = torch.arange(y_pred.shape[1], device=y_pred.device)
            w = (steps[None, :] < lengths[:, None]).to(torch.float64)
            if weight is not None:
                weight = weight.to(torch.float64)
                w = w * (weight if weight.ndim == 2 else weight[:, None])
        else:
            w = torch.ones(len(y_pred), dtype=torch.float64, device=y_pred.device)
            if weight is not None:
                w = weight.to(torch.float64)
        if kind == "cross_entropy":
            correct = (y_pred.argmax(dim=-1) == target).to(torch.float64)
            return float((correct * w).sum() / w.sum())
        pred = y_pred.to(torch.float64)
        true = target.to(torch.float64)
        w = w[..., None]
        dims = tuple(range(true.ndim - 1))
        mean = (true * w).sum(dims) / w.sum(dims)
        sst = ((true - mean).square() * w).sum(dims)
        sse = ((true - pred).square() * w).sum(dims)
        ones = torch.ones_like(sst)
        r2 = torch.where(
            sst > 0,
            1 - sse / sst.clamp_min(1e-300),
            torch.where(sse > 0, 0 * ones, ones),
        )
        return float(r2.mean())


class ThreadControl(Callback):
    """Lets a :class:`~skrnn._threads.ThreadGovernor` act between batches."""

    def __init__(self, governor):
        self.governor = governor

    def on_batch_end(self, net, **kwargs):
        self.governor.step()


class GradientClipping(Callback):
    """Clip the gradient norm of all trained parameters (module and criterion).

    skorch's ``GradientNormClipping`` walks the modules for their parameters at
    every batch; the list is fixed during training, so it is taken once.
    """

    def __init__(self, max_norm):
        self.max_norm = max_norm

    def on_train_begin(self, net, **kwargs):
        self.parameters_ = [
            p
            for module in (net.module_, net.criterion_)
            for p in module.parameters()
            if p.requires_grad
        ]

    def on_grad_computed(self, net, named_parameters, **kwargs):
        torch.nn.utils.clip_grad_norm_(self.parameters_, self.max_norm)


class CosineSchedule(LRScheduler):
    """skorch's cosine annealing, counted from the epoch the network's optimizer
    started: a warm start (new optimizer, earlier history kept) anneals afresh
    over its own ``T_max`` epochs, ``partial_fit`` (the same optimizer) carries
    on. skorch alone counts every epoch of the history, and torch then refuses
    the fresh optimizer."""

    def _get_scheduler(self, net, policy, **scheduler_kwargs):
        fresh = any("initial_lr" not in g for g in net.optimizer_.param_groups)
        if fresh:
            self.first_epoch_ = len(net.history)
        first = getattr(self, "first_epoch_", 0)  # 0: a loaded network
        scheduler_kwargs["last_epoch"] = len(net.history) - first - 1
        return policy(net.optimizer_, **scheduler_kwargs)


class PlateauSchedule(LRScheduler):
    """skorch's ReduceLROnPlateau, kept across the training calls of one
    network: ``partial_fit`` carries on with its count of epochs without
    improvement and its best loss, so that one-epoch calls are cut as one fit
    of as many epochs would be. skorch alone builds a new one, counting from
    zero, at every call. A warm start or a loaded network (new callbacks)
    starts afresh, and so does a call that watches another loss (the
    training loss of ``partial_fit`` after a fit that validated). The kept one
    is bound to the network's optimizer: a copy of a skorch network
    (``partial_fit`` trains one) copies its optimizer apart from its
    callbacks."""

    def _get_scheduler(self, net, policy, **scheduler_kwargs):
        previous = getattr(self, "lr_scheduler_", None)
        if previous is None or getattr(self, "watched_", None) != self.monitor:
            self.watched_ = self.monitor
            return super()._get_scheduler(net, policy, **scheduler_kwargs)
        previous.optimizer = net.optimizer_
        return previous


class LearningRateLog(Callback):
    """Record the learning rate of each epoch as ``event_lr``, skorch's name.

    skorch's ``LRScheduler`` records it only where a schedule runs (and only in
    some versions); this makes every history say which rate each epoch trained
    with. A schedule's own record, made later in the same epoch, has the last
    word.
    """

    def on_epoch_begin(self, net, **kwargs):
        net.history.record("event_lr", float(net.optimizer_.param_groups[0]["lr"]))


class PlainPrintLog(PrintLog):
    """skorch's per-epoch table, without ANSI colour codes when standard output
    is not a terminal (log files, CI, notebooks' captured output)."""

    def format_row(self, row, key, color):
        if not _is_terminal(sys.stdout):
            # skorch colours a value when its ``<key>_best`` flag is set.
            row = {**row, f"{key}_best": False}
        return super().format_row(row, key, color)


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
