"""The one module that knows skorch: the network, its callbacks, training, inference.

The estimators describe what to build with plain values (sizes, names, numbers);
this module turns them into a skorch :class:`~skorch.NeuralNet` and runs it. The
estimators use the result only through the functions here (and expose it as
``net_`` for power users); the skorch callbacks it installs live in
``_callbacks.py``.
"""

import contextlib
import copy

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, ProgressBar
from skorch.utils import TeeGenerator

from ._batching import BatchIterator
from ._callbacks import (
    CosineSchedule,
    FiniteLossGuard,
    GradientClipping,
    LearningRateLog,
    PlainPrintLog,
    PlateauSchedule,
    ThreadControl,
    TrainingMonitor,
    ValidationScore,
    check_finite_state,
)
from ._device import cuda_indices
from ._modules import CRFLoss, SequenceLoss, SequenceNetwork, step_mask
from ._seq2seq import TranslationNetwork
from ._threads import ThreadGovernor, thread_scope

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
_OPTIMIZER_TYPES = tuple(OPTIMIZERS.values())

#: The torch modules an estimator can train, by the name it gives.
MODULES = {"sequence": SequenceNetwork, "translation": TranslationNetwork}


def is_callback(obj):
    """Whether ``obj`` is a skorch callback (what ``callbacks=`` may hold)."""
    return isinstance(obj, Callback)


class _SequenceNet(NeuralNet):
    """skorch network whose targets are dicts of criterion arguments."""

    def get_default_callbacks(self):
        # skorch's, with a progress table that is plain text off a terminal,
        # and none at all when nothing is printed (it tabulates every epoch).
        return [
            (name, PlainPrintLog() if name == "print_log" else callback)
            for name, callback in super().get_default_callbacks()
            if name != "print_log" or self.verbose
        ]

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        # skorch's loop costs about 0.2 ms per batch (10 % of a small batch):
        # every hook goes to every callback, the batch size is found by walking
        # the batch, and each step builds a closure for the optimizer. This loop
        # does the same work, records the same history and calls the same hooks
        # of the callbacks that define them, but none of that; it falls back to
        # skorch's for validation, fit parameters and optimizers that need a
        # closure (torch.optim.LBFGS).
        if not training or fit_params or not _steps_without_closure(self):
            return super().run_single_epoch(
                iterator, training, prefix, step_fn, **fit_params
            )
        begin = _hooked(self.callbacks_, "on_batch_begin")
        end = _hooked(self.callbacks_, "on_batch_end")
        grad = _hooked(self.callbacks_, "on_grad_computed")
        history = self.history
        batch_count = 0
        for batch in iterator:
            history.new_batch()  # NeuralNet.on_batch_begin
            for callback in begin:
                callback.on_batch_begin(self, batch=batch, training=True)
            step = self._train_step_without_closure(batch, grad)
            history.record_batch(prefix + "_loss", step["loss"].item())
            history.record_batch(prefix + "_batch_size", len(batch[0]["lengths"]))
            for callback in end:
                callback.on_batch_end(self, batch=batch, training=True, **step)
            batch_count += 1
        history.record(prefix + "_batch_count", batch_count)

    def _train_step_without_closure(self, batch, grad_callbacks):
        """skorch's ``train_step`` for optimizers that take no closure."""
        self.optimizer_.zero_grad()
        step = self.train_step_single(batch)
        if grad_callbacks:
            parameters = TeeGenerator(self.get_all_learnable_params())
            for callback in grad_callbacks:
                callback.on_grad_computed(
                    self, named_parameters=parameters, batch=batch, training=True
                )
        self.optimizer_.step()
        return step

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if self.device != "cpu":
            y_true = {k: v.to(self.device) for k, v in y_true.items()}
        return self.criterion_(y_pred, **y_true)

    def infer(self, x, **fit_params):
        # Batches are dicts of tensors: skip skorch's recursive to_tensor (and
        # on the CPU, where batches are built, any per-tensor call).
        if fit_params:
            return super().infer(x, **fit_params)
        if self.device != "cpu":
            x = {k: v.to(self.device) for k, v in x.items()}
        return self.module_(**x)

    def _set_training(self, training=True):
        # skorch's private hook, called for every batch; Module.train walks the
        # whole module tree, so skip it when the mode does not change.
        if self.module_.training != training or self.criterion_.training != training:
            super()._set_training(training)


def _steps_without_closure(net):
    """Whether ``net`` trains with one of :data:`OPTIMIZERS` (none needs the
    closure skorch builds for every step) and nothing else."""
    return type(net.optimizer_) in _OPTIMIZER_TYPES and not getattr(
        net, "accelerator", None
    )


def _hooked(callbacks, hook):
    """The callbacks of ``callbacks`` (skorch's ``(name, callback)`` pairs) that
    define ``hook`` themselves; skorch's base ``Callback`` hooks do nothing."""
    default = getattr(Callback, hook)
    return [
        cb for _, cb in callbacks if getattr(type(cb), hook, default) is not default
    ]


def _python_scalar(value):
    """``value`` as Python's own number if it is a numpy scalar: torch's layers
    refuse ``numpy.int64`` sizes, which a search over ``np.arange`` passes."""
    return value.item() if isinstance(value, np.generic) else value


class _FixedSplit:
    """skorch ``train_split`` returning a validation set chosen beforehand."""

    def __init__(self, valid):
        self.valid = valid

    def __call__(self, dataset, y=None, **fit_params):
        return dataset, self.valid


def build_net(
    *,
    module="sequence",
    module_kwargs,
    criterion,
    optimizer,
    weight_decay,
    lr,
    max_epochs,
    batch_size,
    bucket_batches,
    random_state,
    device,
    valid_score,
    clip_grad_norm,
    lr_schedule,
    monitor,
    user_callbacks,
    verbose,
):
    """An initialised skorch network for :class:`~skrnn._modules.SequenceNetwork`.

    ``module`` names the torch module (:data:`MODULES`), ``module_kwargs``
    are its arguments and ``criterion`` names the
    loss (``'cross_entropy'``, ``'mse'``, ``('crf', n_tags)`` or
    ``('pinball', levels)``, one quantile level per output); ``optimizer`` is
    a name of :data:`OPTIMIZERS` or a torch optimizer class. ``lr_schedule`` is
    ``None`` or a dict of :func:`lr_scheduler` arguments, ``monitor`` the
    arguments of :class:`~skrnn._callbacks.TrainingMonitor` and ``valid_score``
    the score of :class:`~skrnn._callbacks.ValidationScore`. The weights are drawn
    from ``random_state`` inside a forked torch random stream.
    """
    if isinstance(optimizer, str):
        optimizer = OPTIMIZERS[optimizer.lower()]
    callbacks = [
        ("finite_loss", FiniteLossGuard()),
        ("valid_score", ValidationScore(valid_score)),
        ("lr_log", LearningRateLog()),
    ]
    if clip_grad_norm is not None:
        callbacks.append(("clip", GradientClipping(clip_grad_norm)))
    if lr_schedule is not None:
        callbacks.append(("lr_schedule", lr_scheduler(**lr_schedule)))
    if verbose >= 2:
        callbacks.append(("progress", ProgressBar()))
    for i, callback in enumerate(user_callbacks or []):
        if isinstance(callback, tuple):
            callbacks.append(callback)
        else:
            callbacks.append((f"{type(callback).__name__}_{i}", callback))
    # The monitor goes last so that it sees this epoch's scores.
    callbacks.append(("monitor", TrainingMonitor(**monitor)))
    net = _SequenceNet(
        module=MODULES[module],
        **{f"module__{k}": _python_scalar(v) for k, v in module_kwargs.items()},
        **_criterion_kwargs(criterion, module_kwargs["dtype"]),
        optimizer=optimizer,
        optimizer__weight_decay=weight_decay,
        lr=lr,
        max_epochs=max_epochs,
        batch_size=batch_size,
        iterator_train=BatchIterator,
        iterator_train__shuffle=True,
        iterator_train__random_state=random_state,
        iterator_train__bucket_batches=bucket_batches,
        iterator_valid=BatchIterator,
        train_split=None,
        callbacks=callbacks,
        predict_nonlinearity=None,
        device=device,
        verbose=int(verbose >= 1),
    )
    with torch.random.fork_rng(devices=cuda_indices(device)):
        torch.manual_seed(int(random_state.randint(np.iinfo(np.int32).max)))
        net.initialize()
    return net


def _criterion_kwargs(criterion, dtype):
    if isinstance(criterion, tuple) and criterion[0] == "pinball":
        _, levels = criterion
        return {
            "criterion": SequenceLoss,
            "criterion__kind": "pinball",
            "criterion__quantiles": list(levels),
        }
    if isinstance(criterion, tuple):
        _, n_tags = criterion
        return {
            "criterion": CRFLoss,
            "criterion__num_tags": n_tags,
            "criterion__dtype": dtype,
        }
    return {"criterion": SequenceLoss, "criterion__kind": criterion}


#: ``lr_schedule='plateau'`` multiplies the rate by this when the loss stalls,
PLATEAU_FACTOR = 0.2
#: and its cut number PLATEAU_CUTS (to lr / 125) ends training.
PLATEAU_CUTS = 3


def plateau_min_lr(lr):
    """The rate at which a plateau schedule's training ends (see
    :class:`~skrnn._callbacks.TrainingMonitor`): ``lr`` after
    ``PLATEAU_CUTS`` cuts."""
    return lr * PLATEAU_FACTOR**PLATEAU_CUTS


def lr_scheduler(kind, *, monitor, patience, max_epochs, tol):
    """skorch's LRScheduler for ``lr_schedule='plateau'`` or ``'cosine'``.

    A plateau is judged as the training monitor judges one: no improvement by
    the absolute ``tol`` (of the loss the schedule watches). torch's default,
    a relative 1e-4, counts ever smaller gains as progress once the loss is
    small, so a stalled fit could go without a cut until the monitor ended
    it."""
    if kind == "plateau":
        return PlateauSchedule(
            policy="ReduceLROnPlateau",
            monitor=monitor,
            factor=PLATEAU_FACTOR,
            patience=patience,
            threshold=tol,
            threshold_mode="abs",
        )
    return CosineSchedule(policy="CosineAnnealingLR", T_max=max_epochs)


def reset_monitor(net, **settings):
    """Give ``net``'s training monitor new ``settings`` for the next training
    call (a ``partial_fit`` continuing a network built by an earlier call)."""
    callbacks = dict(net.callbacks_)
    monitor = callbacks["monitor"]
    for name, value in settings.items():
        setattr(monitor, name, value)
    monitor.initialize()
    schedule = callbacks.get("lr_schedule")
    if isinstance(getattr(schedule, "monitor", None), str):
        # A plateau schedule watches the loss the monitor's score goes with:
        # partial_fit has no validation split.
        validating = monitor.monitor == "valid_score"
        schedule.monitor = "valid_loss" if validating else "train_loss"


def train(net, train_data, valid_data, *, max_epochs, n_threads, seed, device):
    """Train ``net`` on ``train_data`` for up to ``max_epochs`` more epochs.

    The torch random stream is forked (the caller's stays as it was) and seeded
    with ``seed``; ``n_threads`` is the estimator's parameter, applied between
    batches. Returns ``(ending, n_epochs)``: how training ended, ``'converged'``
    (the monitor's stopping rule), ``'max_epochs'`` or ``'interrupted'`` (a
    KeyboardInterrupt, which skorch catches, before either), and the number of
    epochs it completed.
    """
    epochs_before = len(epoch_rows(net))
    net.train_split = _FixedSplit(valid_data)
    net.max_epochs = max_epochs
    with thread_scope() as caller_threads:
        governor = ThreadGovernor(n_threads, caller_threads)
        net.callbacks_.append(("threads", ThreadControl(governor)))
        net.module_.fold_input_scaling = False  # the data are scaled already
        try:
            with torch.random.fork_rng(devices=cuda_indices(device)):
                torch.manual_seed(seed)
                net.partial_fit(train_data, y=None)
            check_finite_state(net)
        finally:
            net.module_.fold_input_scaling = True
            net.callbacks_.pop()
            # Do not keep the validation data alive inside the fitted network.
            net.train_split = None
    net.module_.eval()
    completed = len(epoch_rows(net)) - epochs_before
    if dict(net.callbacks_)["monitor"].converged_:
        return "converged", completed
    if completed < max_epochs:
        return "interrupted", completed
    return "max_epochs", completed


def start_score(net, validated):
    """How good a trained ``net`` is among restarts, lower is better: its last
    epoch's training loss, or minus its best validation score when
    ``validated`` (early stopping restored that epoch's weights)."""
    rows = epoch_rows(net)
    if not rows:
        return np.inf
    if validated:
        return -max(row.get("valid_score", -np.inf) for row in rows)
    return float(rows[-1]["train_loss"])


def load_weights(net, previous):
    """Copy the weights of the network ``previous`` into ``net`` (same shapes).

    Raises torch's RuntimeError when the shapes differ.
    """
    net.module_.load_state_dict(previous.module_.state_dict())
    # The criterion may hold parameters too (the tagger's CRF).
    net.criterion_.load_state_dict(previous.criterion_.state_dict())


def epoch_rows(net):
    """The history rows (dicts) of the completed epochs of ``net``.

    An interrupted epoch leaves a row without a training loss; it is left out.
    """
    return [row for row in net.history if "train_loss" in row]


def copy_history(net, previous):
    """Continue ``previous``'s history in ``net`` (a warm start)."""
    net.history = copy.deepcopy(previous.history)


def infer(
    net,
    dataset,
    *,
    batch_size,
    order,
    n_threads,
    per_step,
    transform=None,
    representation=False,
):
    """Network outputs of ``dataset``, batch by batch, as numpy arrays.

    Batches hold the rows ``order[start:start + batch_size]`` (consecutive rows
    when ``order`` is None). ``transform(y_pred, lengths)`` turns each batch's raw
    output into what the caller needs while it is still on the device. Yields
    ``(rows, output)`` pairs, ``rows`` an index array or slice into the dataset,
    floating outputs as float64. ``representation=True`` yields what the head
    reads instead of the head's output (see
    :meth:`~skrnn._modules.SequenceNetwork.forward`). Outputs that are not
    finite on real steps (``per_step``: outputs per step) are an error, not a
    prediction.
    """
    net.module_.eval()
    with thread_scope() as caller_threads, torch.inference_mode():
        governor = ThreadGovernor(n_threads, caller_threads)
        for start in range(0, len(dataset), batch_size):
            governor.step()
            if order is None:
                rows = slice(start, start + batch_size)
                X_batch = dataset.batch(rows)[0]
            else:
                rows = order[start : start + batch_size]
                X_batch = dataset.batch(torch.from_numpy(rows))[0]
            if representation:
                y_pred = net.infer(X_batch, representation=True)
            else:
                y_pred = net.infer(X_batch)
            _check_finite_outputs(y_pred, X_batch["lengths"], per_step)
            if transform is not None:
                y_pred = transform(y_pred, X_batch["lengths"])
            out = y_pred.cpu().numpy()
            if out.dtype.kind == "f":
                out = out.astype(np.float64, copy=False)
            yield rows, out


def _check_finite_outputs(y_pred, lengths, per_step):
    """Raise :class:`FloatingPointError` if a batch's outputs are not finite
    (on real steps only, ``per_step``: padding steps hold anything)."""
    if not y_pred.is_floating_point():
        return
    finite = torch.isfinite(y_pred).reshape(*y_pred.shape[: 2 if per_step else 1], -1)
    finite = finite.all(dim=-1)
    if per_step:
        finite |= ~step_mask(lengths.to(finite.device), finite.shape[1])
        finite = finite.all(dim=1)
    if not finite.all():
        raise FloatingPointError(
            f"The network's outputs are not finite for {int((~finite).sum())} of "
            f"{len(finite)} sequences of a batch: either its weights diverged in "
            "training (refit with a lower lr and clip_grad_norm on), or X holds "
            "values far outside the range of the training data."
        )


def generate(net, dataset, *, batch_size, order, n_threads, method, **options):
    """Decode ``dataset`` with the module's ``method`` (``'greedy'`` or
    ``'beam_search'`` of :class:`~skrnn._seq2seq.TranslationNetwork`), batch
    by batch, as :func:`infer` does; yields ``(rows, outputs)``, ``outputs``
    the method's tensors as numpy arrays."""
    net.module_.eval()
    decode = getattr(net.module_, method)
    with thread_scope() as caller_threads, torch.inference_mode():
        governor = ThreadGovernor(n_threads, caller_threads)
        for start in range(0, len(dataset), batch_size):
            governor.step()
            rows = order[start : start + batch_size]
            X_batch = dataset.batch(torch.from_numpy(rows))[0]
            if net.device != "cpu":
                X_batch = {k: v.to(net.device) for k, v in X_batch.items()}
            outputs = decode(**options, **X_batch)
            yield rows, [tensor.cpu().numpy() for tensor in outputs]


@contextlib.contextmanager
def explained_module(net, n_threads):
    """``(module, device, step)`` for attributions: the torch module of ``net``
    in evaluation mode, its device, and ``step()`` to call between batches
    (it applies the estimator's ``n_threads``, as prediction does)."""
    net.module_.eval()
    with thread_scope() as caller_threads:
        governor = ThreadGovernor(n_threads, caller_threads)
        yield net.module_, net.device, governor.step


def representation_size(net):
    """Width of the vectors the head of ``net`` reads (its ``in_features``)."""
    return net.module_.head.in_features


def reads_characters(net):
    """Whether the network of ``net`` has a character encoder to feed."""
    embedder = getattr(net.module_, "embedder", None)
    return embedder is not None and embedder.chars is not None


def training_curves(net):
    """The per-epoch training record of ``net``, read from the skorch history.

    Returns a dict: ``train_loss``, ``valid_loss`` and ``valid_score`` as float
    arrays over the completed epochs (``None`` when no epoch has the value; NaN
    on epochs without it, as after ``partial_fit`` or a warm start that changed
    ``early_stopping``) and ``best_epoch`` (the 1-based epoch whose weights
    early stopping restored; ``None`` when the network holds its last epoch's
    weights).
    """
    rows = epoch_rows(net)

    def column(key):
        if not any(key in row for row in rows):
            return None
        return np.array([row.get(key, np.nan) for row in rows], dtype=np.float64)

    best_epoch = None
    if rows and "valid_score" in rows[-1]:
        # The last fit validated: its last flagged epoch is the restored one.
        flagged = [
            epoch
            for epoch, row in enumerate(rows, start=1)
            if row.get("valid_score_best")
        ]
        best_epoch = flagged[-1] if flagged else None
    return {
        "train_loss": column("train_loss"),
        "valid_loss": column("valid_loss"),
        "valid_score": column("valid_score"),
        "best_epoch": best_epoch,
    }
