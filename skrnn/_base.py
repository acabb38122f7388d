"""The shared base of every skrnn estimator.

It owns the hyperparameters common to all estimators, input scaling, seeding, the
skorch network and the training loop (one ``_fit`` serves ``fit`` and later
incremental fitting). Subclasses say how targets are encoded, which loss trains
them and how raw network outputs become predictions.
"""

import copy
import math
import warnings
from functools import partial
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import (
    Callback,
    LRScheduler,
    ProgressBar,
)

from ._batching import BatchIterator, make_dataset
from ._callbacks import (
    FiniteLossGuard,
    GradientClipping,
    ThreadControl,
    TrainingMonitor,
    ValidationScore,
    score_outputs,
)
from ._data import Sequences, check_sequences
from ._full_batch import canonical_full_batch
from ._modules import SequenceLoss, SequenceNetwork
from ._stats import real_steps, step_moments, step_weights
from ._threads import ThreadGovernor, thread_scope

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

# Parameter documentation shared by every estimator, written once.
_CORE_PARAMS_DOC = """\
cell : {'lstm', 'gru', 'rnn'}, default='lstm'
        Recurrent cell: :class:`torch.nn.LSTM`, :class:`torch.nn.GRU` or the
        vanilla :class:`torch.nn.RNN`. LSTM is the default because it trains
        reliably on long sequences and, on CPUs, runs faster than GRU of the
        same size.

    hidden_size : int, default=64
        Number of features in the hidden state of each layer (per direction).

    num_layers : int, default=1
        Number of stacked recurrent layers.

    bidirectional : bool, default=False
        Whether each layer also reads the sequence backwards. The readout then
        concatenates both directions.

    dropout : float, default=0.0
        Dropout probability between stacked layers and before the output layer.

    nonlinearity : {'tanh', 'relu'}, default='tanh'
        Activation of the vanilla RNN cell; only used with ``cell='rnn'``."""

_TRAINING_PARAMS_DOC = """\
max_epochs : int, default={max_epochs}
        Maximum number of passes over the training data. Training stops earlier
        once the training loss has not improved by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs (the rule of
        :class:`~sklearn.neural_network.MLPClassifier`); a
        :class:`~sklearn.exceptions.ConvergenceWarning` says when it did not.

    batch_size : int, default=32
        Number of sequences per gradient step (Keras's default; small batches
        make many updates per epoch, which small sequence data sets need).

    length_buckets : bool, default=True
        Draw training batches of sequences of similar lengths: a shuffled
        epoch is cut into buckets of 50 batches, each sorted by (randomly
        jittered) length, and the batches are shuffled. An epoch then costs
        about the total length of the data instead of the number of sequences
        times the longest one (2x faster for lengths uniform in 10-200), but
        each gradient step sees one range of lengths; on a task whose label
        depends on the length this cost 3 points of accuracy after 25 epochs
        and 1 point, within the spread between seeds, after 80
        (``docs/benchmarks.rst``). False draws batches at random.

    lr : float, default=1e-3
        Learning rate of the optimizer.

    optimizer : {{'adam', 'adamw', 'sgd', 'rmsprop'}} or torch optimizer class, \
default='adam'
        Optimizer. Adam needs no tuning of the learning rate to train recurrent
        networks well.

    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.

    clip_grad_norm : float or None, default=1.0
        Maximum norm of the gradient, which is rescaled when it is larger.
        Exploding gradients are the classic failure of recurrent networks; clipping
        prevents them at almost no cost. ``None`` disables clipping.

    tol : float, default=1e-4
        Minimum decrease of the training loss that counts as an improvement.

    n_iter_no_change : int, default={n_iter_no_change}
        Number of epochs without improvement after which training stops.
        {n_iter_no_change_why}

    early_stopping : bool, default=False
        Set aside ``validation_fraction`` of the training sequences (stratified
        for classification), stop when the validation score (accuracy or R^2)
        has not improved by ``tol`` for ``n_iter_no_change`` epochs, and restore
        the weights of the best epoch. Off by default: on small real data sets a
        validation split costs more training data than it saves (with 67
        training sequences, a 10 % split collapsed accuracy on 2 of 5 seeds,
        while the training-loss rule did not). Turn it on for large data sets.

    validation_fraction : float, default=0.1
        Share of the training sequences set aside when ``early_stopping=True``.

    lr_schedule : {{'plateau', 'cosine'}} or None, default=None
        Learning-rate schedule: ``'plateau'`` divides the rate by 5 when the
        monitored loss (validation loss with early stopping, else training
        loss) stalls for ``n_iter_no_change // 2`` epochs; ``'cosine'`` anneals
        it to zero over ``max_epochs``. Other schedules can be passed as skorch
        ``LRScheduler`` callbacks.

    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks run during training, after the built-in ones.

    warm_start : bool, default=False
        When true, ``fit`` continues from the previous fit's weights (and keeps
        its classes, input and target scaling) instead of starting afresh.

    standardize : bool, default=True
        Standardize each input feature (and, for regression, each target) with
        its mean and standard deviation over the real steps of the training
        sequences, weighted by ``sample_weight``. Recurrent networks do not train
        on unscaled data such as values in the hundreds; predictions are returned
        in the original units.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout and the shuffling of batches. Pass
        an int for reproducible results. The caller's global torch random state
        is left untouched.

    device : str, default='cpu'
        Torch device to train and predict on: ``'cpu'``, ``'cuda'``,
        ``'cuda:N'``, or ``'auto'`` (CUDA when available, else CPU).

    n_threads : int, 'auto' or None, default='auto'
        torch intra-op threads used on the CPU during ``fit`` and ``predict``;
        torch's setting is restored when the call returns. ``'auto'`` uses up
        to torch's current count (``torch.get_num_threads()``, by default one
        per core) but fewer while other processes keep the CPUs busy, measured
        from ``/proc/stat`` every 0.1 s of work (Linux; elsewhere it leaves the
        count alone): small recurrent layers run 3x to 50x slower when their
        threads compete with other work on the same cores
        (``benchmarks/bench_threads.py``). An int sets the count; None leaves
        it alone.

    verbose : int, default=0
        0 is silent; 1 prints one line per epoch (training loss, validation
        loss and score when early stopping, duration); 2 adds a progress bar
        over the batches of each epoch."""

_DTYPE_NOTE = """\
Training runs in the floating-point precision of ``X``, as in scikit-learn's
    :class:`~sklearn.neural_network.MLPClassifier`: float32 input trains in
    float32, anything else in float64. On CPUs float32 is several times faster,
    so pass ``X.astype(np.float32)`` when speed matters."""


_SMALL_DATA_STOPPING = (
    "Recurrent networks often sit on a plateau of the loss for tens of epochs\n"
    "        before they learn, most of all on small data sets with few batches per\n"
    "        epoch: with a patience of 10, training stopped on that plateau (test\n"
    "        accuracy 0.58 on BasicMotions, R^2 0.55 on Tecator); with 50 it reached\n"
    "        0.97 and 0.93 (``benchmarks/real_data.py``)."
)


def fill_doc(
    cls,
    *,
    max_epochs=500,
    n_iter_no_change=50,
    n_iter_no_change_why=_SMALL_DATA_STOPPING,
):
    """Insert the shared parameter text, with this class's defaults, into its
    docstring."""
    training = _TRAINING_PARAMS_DOC.format(
        max_epochs=max_epochs,
        n_iter_no_change=n_iter_no_change,
        n_iter_no_change_why=n_iter_no_change_why,
    )
    cls.__doc__ = cls.__doc__.format(
        core_params=_CORE_PARAMS_DOC,
        training_params=training,
        dtype_note=_DTYPE_NOTE,
    )
    return cls


class _SequenceNet(NeuralNet):
    """skorch network whose targets are dicts of criterion arguments."""

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
        # skorch calls this for every batch; Module.train walks the whole tree.
        if self.module_.training != training or self.criterion_.training != training:
            super()._set_training(training)


class _FixedSplit:
    """skorch ``train_split`` returning a validation set chosen beforehand."""

    def __init__(self, valid):
        self.valid = valid

    def __call__(self, dataset, y=None, **fit_params):
        return dataset, self.valid


def _resolve_device(device):
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device. Use 'cpu', 'cuda', "
            "'cuda:N' or 'auto'."
        ) from exc
    if parsed.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} asks for CUDA, but torch finds no CUDA device "
                f"(torch {torch.__version__}). Use device='cpu', or 'auto' to take "
                "a GPU only when there is one."
            )
        if parsed.index is not None and parsed.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} names a GPU that does not exist: torch sees "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    return device


class BaseSequenceEstimator(BaseEstimator):
    """Base class of the recurrent estimators. Not for direct use."""

    _parameter_constraints = {
        "cell": [StrOptions({"lstm", "gru", "rnn"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "nonlinearity": [StrOptions({"tanh", "relu"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "length_buckets": ["boolean"],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "lr_schedule": [StrOptions({"plateau", "cosine"}), None],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
        "device": [str],
        "n_threads": [
            None,
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "verbose": [Interval(Integral, 0, 2, closed="both"), "boolean"],
    }

    # -- hooks for subclasses -------------------------------------------------

    #: Name of the SequenceLoss kind that trains this estimator.
    _loss_kind = "mse"

    def _encode_targets(self, y, sequences, sample_weight, *, reset, classes=None):
        """Return ``(targets, n_outputs)``; targets aligned with ``sequences``.

        With ``reset=True`` the encoding (classes) is learnt and stored;
        otherwise the fitted one is applied. Target scaling is learnt later, in
        ``_scale_targets``.
        """
        raise NotImplementedError

    def _encode_classes(self, labels, present, *, reset, classes):
        """Learn (``reset``) or check ``classes_``; return ``labels`` as codes.

        Shared by the classifier (one label per sequence) and the tagger (one
        per step). ``present`` marks the labels with a positive weight (``None``:
        all), which alone define the classes unless ``classes`` is given.
        """
        if reset:
            if classes is not None:
                known = np.unique(classes)
            else:
                known = np.unique(labels if present is None else labels[present])
            if len(known) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes (distinct "
                    f"labels) in y, but y holds only one class: {known[0]!r}."
                )
            self.classes_ = known
        elif classes is not None and not np.array_equal(
            np.unique(classes), self.classes_
        ):
            raise ValueError(
                f"`classes={np.unique(classes)!r}` is not the same as on last call "
                f"to partial_fit, was: {self.classes_!r}"
            )
        unseen = np.setdiff1d(labels, self.classes_)
        if unseen.size:
            raise ValueError(
                f"y has classes not in `self.classes_` {self.classes_!r}: "
                f"{unseen!r}. Pass every class with `classes=` on the first call "
                "to partial_fit."
            )
        return np.searchsorted(self.classes_, labels).astype(np.int64)

    def _target_weights(self, targets, sample_weight, sequences):
        """Weight of each sequence (or step) in the loss; ``None``: all equal."""
        return sample_weight

    def _scale_targets(self, targets, sequences, weight, *, reset):
        """Targets as the network trains on them; ``reset`` learns their scaling.

        Called once zero weights are removed and a one-batch training set is
        merged, so that any scaling is learnt from the set actually trained on.
        """
        return targets

    def _check_weights(self, sample_weight, sequences):
        """``sample_weight`` as an array: one weight per sequence."""
        return _check_sample_weight(
            sample_weight, sequences.lengths, ensure_non_negative=True
        )

    def _prepare_net(self, net, targets, sequences):
        """Adjust a freshly built network to the training data."""

    def _network_kwargs(self):
        """Keyword arguments of :class:`SequenceNetwork` beyond the core ones."""
        return {}

    # -- checks -----------------------------------------------------------------

    def _check_params_consistency(self):
        """Rules that link two parameters, checked at the start of fit."""
        if self.nonlinearity != "tanh" and self.cell != "rnn":
            raise ValueError(
                f"nonlinearity={self.nonlinearity!r} applies only to cell='rnn'; "
                f"got cell={self.cell!r}. Use cell='rnn' or leave nonlinearity at "
                "'tanh'."
            )
        for callback in self.callbacks or []:
            named = (
                isinstance(callback, tuple)
                and len(callback) == 2
                and isinstance(callback[0], str)
            )
            if not isinstance(callback[1] if named else callback, Callback):
                raise TypeError(
                    f"callbacks must hold skorch callbacks (skorch.callbacks."
                    f"Callback instances) or (name, callback) tuples; got "
                    f"{callback!r}."
                )
        if isinstance(self.optimizer, type) and not issubclass(
            self.optimizer, torch.optim.Optimizer
        ):
            raise TypeError(
                f"optimizer={self.optimizer!r} is neither one of "
                f"{sorted(OPTIMIZERS)} nor a torch.optim.Optimizer subclass."
            )

    # -- fitting ----------------------------------------------------------------

    def _fit_with_rollback(
        self, X, y, sample_weight, *, incremental, classes=None, **inputs
    ):
        """Run ``_fit``; on any failure put the estimator back as it was.

        Training works on a copy of a previously fitted network, so a failed or
        rejected call never leaves a half-updated model behind.
        """
        state = self.__dict__.copy()
        try:
            return self._fit(
                X, y, sample_weight, incremental=incremental, classes=classes, **inputs
            )
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    def _fit(
        self, X, y, sample_weight=None, *, incremental=False, classes=None, **inputs
    ):
        """Shared by ``fit``, ``warm_start`` and ``partial_fit``.

        ``incremental=True`` (``partial_fit``) trains one epoch and keeps a
        fitted estimator's network, encodings and scaling; ``fit`` with
        ``warm_start=True`` keeps them too and trains up to ``max_epochs``.
        """
        warm = hasattr(self, "net_") and (incremental or self.warm_start)
        if not warm:
            self._check_params_consistency()
        device = _resolve_device(self.device)
        sequences = self._validate_X(X, reset=not warm, **inputs)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        if sample_weight is not None:
            sample_weight = self._check_weights(sample_weight, sequences)
        targets, n_outputs = self._encode_targets(
            y, sequences, sample_weight, reset=not warm, classes=classes
        )
        weight = self._target_weights(targets, sample_weight, sequences)
        if weight is not None:
            # A zero weight means the sequence is absent, as in scikit-learn.
            keep = weight > 0 if weight.ndim == 1 else (weight > 0).any(axis=1)
            if not keep.any():
                raise ValueError(
                    "All sample weights are zero: there is nothing to train on. "
                    "Give at least one sequence a positive weight."
                )
            sequences = sequences.subset(keep)
            targets, weight = targets[keep], weight[keep].astype(self._dtype)
        if len(sequences) <= self.batch_size:
            # One batch holds it all: train on the weighted set alone, whatever
            # its order or repetitions (see _full_batch.py).
            sequences, targets, weight = canonical_full_batch(
                sequences, targets, weight, self._dtype
            )
        targets = self._scale_targets(targets, sequences, weight, reset=not warm)
        if not warm:
            self._fit_input_scaling(sequences, weight)
        # Training reads a standardised copy (one pass per fit); prediction
        # folds the standardisation into the first layer instead (no copy).
        sequences = self._standardized(sequences)

        if incremental and warm:
            # partial_fit continues the random stream of the first call, so
            # successive epochs shuffle differently even with an int seed. A
            # copy: a failed call must not advance the estimator's stream.
            random_state = copy.deepcopy(self._random_stream)
        else:
            random_state = check_random_state(self.random_state)
        torch_seed = int(random_state.randint(np.iinfo(np.int32).max))
        early_stopping = self.early_stopping and not incremental
        train, valid = self._split(
            sequences, targets, weight, random_state, early_stopping
        )
        if incremental and warm:
            # partial_fit: carry on with the same optimizer state.
            net = copy.deepcopy(self.net_)
            # skorch reads iterator settings from attributes at each epoch.
            net.iterator_train__random_state = random_state
        else:
            net = self._build_net(sequences, n_outputs, device, random_state)
            if not warm:
                self._prepare_net(net, targets, sequences)
            if warm:
                # warm_start: today's hyperparameters, yesterday's weights.
                self._load_weights(net, self.net_)
        monitor = TrainingMonitor(
            monitor="valid_score" if early_stopping else "train_loss",
            lower_is_better=not early_stopping,
            tol=self.tol,
            n_iter_no_change=math.inf if incremental else self.n_iter_no_change,
            restore_best=early_stopping,
        )
        net.callbacks_ = [
            (name, monitor if name == "monitor" else cb) for name, cb in net.callbacks_
        ]
        monitor.initialize()
        net.train_split = _FixedSplit(valid)
        net.max_epochs = 1 if incremental else self.max_epochs
        n_epochs_before = _completed_epochs(net.history)
        with thread_scope() as caller_threads:
            governor = ThreadGovernor(self.n_threads, caller_threads)
            net.callbacks_.append(("threads", ThreadControl(governor)))
            net.module_.fold_input_scaling = False  # the data are scaled already
            try:
                with torch.random.fork_rng(devices=_cuda_indices(device)):
                    torch.manual_seed(torch_seed)
                    net.partial_fit(train, y=None)
            finally:
                net.module_.fold_input_scaling = True
                net.callbacks_.pop()
        # Do not keep the validation data alive inside the fitted estimator.
        net.train_split = None
        net.module_.eval()
        self._random_stream = random_state
        self.net_ = net
        self._record_history(net, monitor, early_stopping)
        n_new = self.n_iter_ - n_epochs_before
        if not monitor.converged_ and not incremental:
            if n_new < self.max_epochs:
                warnings.warn(
                    f"Training of {type(self).__name__} was interrupted after "
                    f"{n_new} of {self.max_epochs} epochs; the estimator keeps "
                    "the weights of the last completed epoch.",
                    UserWarning,
                    stacklevel=5,
                )
            else:
                warnings.warn(
                    f"{type(self).__name__} reached max_epochs={self.max_epochs} "
                    "before the training loss converged. Increase max_epochs or "
                    "tol.",
                    ConvergenceWarning,
                    stacklevel=5,
                )
        return self

    def _load_weights(self, net, previous):
        try:
            net.module_.load_state_dict(previous.module_.state_dict())
            # The criterion may hold parameters too (the tagger's CRF).
            net.criterion_.load_state_dict(previous.criterion_.state_dict())
        except RuntimeError as exc:
            raise ValueError(
                "warm_start=True continues from the previous fit's weights, so the "
                "network must keep its shape: cell, hidden_size, num_layers, "
                "bidirectional, readout and the number of features and outputs "
                "cannot change between fits. Set warm_start=False to start afresh."
            ) from exc
        net.history = copy.deepcopy(previous.history)

    def _split(self, sequences, targets, weight, random_state, early_stopping):
        """Training and validation datasets (no validation without early stopping)."""
        per_step = self._per_step_targets()
        if not early_stopping:
            return make_dataset(sequences, targets, weight, per_step=per_step), None
        indices = np.arange(len(sequences))
        stratify = (
            targets
            if (self._loss_kind == "cross_entropy" and targets.ndim == 1)
            else None
        )
        if stratify is not None and np.bincount(stratify).min() < 2:
            stratify = None  # a class with one member cannot be stratified
        try:
            train_idx, valid_idx = train_test_split(
                indices,
                test_size=self.validation_fraction,
                random_state=random_state,
                stratify=stratify,
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping=True could not set aside a validation set of "
                f"validation_fraction={self.validation_fraction} from "
                f"{len(indices)} sequences: {exc} Use more data, a larger "
                "validation_fraction, or early_stopping=False."
            ) from exc

        def subset(idx):
            return make_dataset(
                sequences.subset(idx),
                targets[idx],
                None if weight is None else weight[idx],
                per_step=per_step,
            )

        return subset(train_idx), subset(valid_idx)

    def _build_net(self, sequences, n_outputs, device, random_state):
        torch_dtype = torch.float32 if self._dtype == np.float32 else torch.float64
        optimizer = (
            OPTIMIZERS[self.optimizer]
            if isinstance(self.optimizer, str)
            else self.optimizer
        )
        callbacks = [
            ("finite_loss", FiniteLossGuard()),
            ("valid_score", ValidationScore(partial(score_outputs, self._loss_kind))),
        ]
        if self.clip_grad_norm is not None:
            callbacks.append(("clip", GradientClipping(self.clip_grad_norm)))
        if self.lr_schedule is not None:
            callbacks.append(("lr_schedule", self._lr_scheduler()))
        if self.verbose >= 2:
            callbacks.append(("progress", ProgressBar()))
        for i, callback in enumerate(self.callbacks or []):
            if isinstance(callback, tuple):
                callbacks.append(callback)
            else:
                callbacks.append((f"{type(callback).__name__}_{i}", callback))
        # The monitor goes last so that it sees this epoch's scores.
        callbacks.append(("monitor", TrainingMonitor("train_loss", True, 0, 1, False)))
        # At predict time standardisation is folded into the network's first
        # layer, so the input is never copied to scale it: memory grows with
        # the batch, not with X.
        input_scaling = self.standardize and hasattr(sequences, "values")
        net = _SequenceNet(
            module=SequenceNetwork,
            module__input_size=getattr(sequences, "values", np.empty((0, 0, 0))).shape[
                2
            ],
            module__output_size=n_outputs,
            module__cell=self.cell,
            module__hidden_size=self.hidden_size,
            module__num_layers=self.num_layers,
            module__bidirectional=self.bidirectional,
            module__dropout=self.dropout,
            module__nonlinearity=self.nonlinearity,
            module__dtype=torch_dtype,
            module__input_scaling=input_scaling,
            **{f"module__{k}": v for k, v in self._network_kwargs().items()},
            **self._criterion(n_outputs, torch_dtype),
            optimizer=optimizer,
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__random_state=random_state,
            iterator_train__bucket_batches=50 if self.length_buckets else 1,
            iterator_valid=BatchIterator,
            train_split=None,
            callbacks=callbacks,
            predict_nonlinearity=None,
            device=device,
            verbose=int(self.verbose >= 1),
        )
        with torch.random.fork_rng(devices=_cuda_indices(device)):
            torch.manual_seed(int(random_state.randint(np.iinfo(np.int32).max)))
            net.initialize()
        if input_scaling:
            net.module_.set_input_scaling(self.input_mean_, self.input_scale_)
        return net

    def _lr_scheduler(self):
        monitor = "valid_loss" if self.early_stopping else "train_loss"
        if self.lr_schedule == "plateau":
            return LRScheduler(
                policy="ReduceLROnPlateau",
                monitor=monitor,
                factor=0.2,
                patience=max(1, self.n_iter_no_change // 2),
            )
        return LRScheduler(policy="CosineAnnealingLR", T_max=self.max_epochs)

    def _record_history(self, net, monitor, early_stopping):
        # An interrupted epoch leaves a history row without a training loss.
        history = [row for row in net.history if "train_loss" in row]
        self.n_iter_ = len(history)
        self.loss_curve_ = [row["train_loss"] for row in history]
        if early_stopping or (
            self.early_stopping and getattr(self, "validation_scores_", None)
        ):
            self.validation_scores_ = [
                row.get("valid_score") for row in history if "valid_score" in row
            ]
            self.best_validation_score_ = max(self.validation_scores_)
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_)

    def _training_curves(self):
        """The per-epoch training record, read from the skorch history.

        Used by :class:`skrnn.inspection.TrainingCurveDisplay`, so that only this
        module knows how skorch stores it. Returns a dict: ``train_loss``,
        ``valid_loss`` and ``valid_score`` as float arrays over the completed
        epochs (``None`` when no epoch has the value; NaN on epochs without it,
        as after ``partial_fit`` or a warm start that changed
        ``early_stopping``), ``best_epoch`` (the 1-based epoch whose weights
        early stopping restored; ``None`` when the estimator holds its last
        epoch's weights) and ``score_name``.
        """
        check_is_fitted(self)
        # An interrupted epoch leaves a history row without a training loss.
        rows = [row for row in self.net_.history if "train_loss" in row]

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
            "score_name": "accuracy" if self._loss_kind == "cross_entropy" else "R^2",
        }

    # -- input scaling ------------------------------------------------------------

    def _fit_input_scaling(self, sequences, weight):
        if not hasattr(sequences, "values"):
            return  # tokens: nothing to scale
        values, lengths = sequences.values, sequences.lengths
        n_features = values.shape[2]
        if not self.standardize:
            self.input_mean_ = np.zeros(n_features)
            self.input_scale_ = np.ones(n_features)
            return
        self.input_mean_, self.input_scale_ = step_moments(
            values, step_weights(lengths, values.shape[1], weight)
        )

    def _standardized(self, sequences):
        """A standardised copy of numeric sequences (zero on padding)."""
        if not hasattr(sequences, "values") or not self.standardize:
            return sequences
        values, lengths = sequences.values, sequences.lengths
        scaled = values - self.input_mean_.astype(values.dtype)
        scaled /= self.input_scale_.astype(values.dtype)
        if lengths.min() < values.shape[1]:
            scaled[~real_steps(lengths, values.shape[1])] = 0.0
        return Sequences(scaled, lengths, sequences.layout)

    # -- prediction -------------------------------------------------------------

    def _forward(self, X, transform=None, **inputs):
        """Network outputs for ``X``, batch by batch.

        ``transform(y_pred, lengths)`` turns each batch's raw output into what
        the caller needs while it is still on the device (for example Viterbi
        decoding). Returns ``(sequences, outputs)`` where ``outputs`` is a list
        of arrays (float64 for floating outputs) whose rows, concatenated, are
        in the order of ``X``: one array of all sequences when there is one
        output per sequence; for per-step outputs one array per batch, or one
        ``(1, n_steps, ...)`` array per sequence when the batches were taken in
        order of length.
        """
        check_is_fitted(self)
        sequences = self._validate_X(X, reset=False, **inputs)
        net = self.net_
        dataset = make_dataset(sequences)
        lengths = dataset.lengths.numpy()
        size = self.batch_size
        order = None
        if len(lengths) > size and lengths.min() != lengths.max():
            # Batches of similar lengths: each is cut to its longest sequence,
            # so the work follows the total length, not n * the longest.
            order = np.argsort(lengths, kind="stable")
        per_step = self._per_step_targets()
        # One output per sequence goes straight into one array: the extra
        # memory of a prediction is that array and one batch.
        outputs, result = [], None
        net.module_.eval()
        with thread_scope() as caller_threads, torch.inference_mode():
            governor = ThreadGovernor(self.n_threads, caller_threads)
            for start in range(0, len(lengths), size):
                governor.step()
                rows = (
                    slice(start, start + size)
                    if order is None
                    else torch.from_numpy(order[start : start + size])
                )
                X_batch = dataset.batch(rows)[0]
                y_pred = net.infer(X_batch)
                if transform is not None:
                    y_pred = transform(y_pred, X_batch["lengths"])
                out = y_pred.cpu().numpy()
                if out.dtype.kind == "f":
                    out = out.astype(np.float64, copy=False)
                if per_step:
                    outputs.append(out)
                    continue
                if result is None:
                    result = np.empty((len(lengths), *out.shape[1:]), out.dtype)
                result[rows if order is None else rows.numpy()] = out
        if not per_step:
            return sequences, [result]
        if order is not None:
            outputs = _in_input_order(outputs, order)
        return sequences, outputs

    # -- hooks with defaults -------------------------------------------------------

    def _validate_X(self, X, *, reset):
        return check_sequences(self, X, reset=reset)

    def _per_step_targets(self):
        return False

    def _criterion(self, n_outputs, torch_dtype):
        return {"criterion": SequenceLoss, "criterion__kind": self._loss_kind}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


def class_weight_vector(class_weight, classes, codes):
    """Weight of each class (in the order of ``classes``) from ``class_weight``.

    ``codes`` are the training targets as indices into ``classes``.
    """
    if class_weight == "balanced":
        return (
            compute_class_weight("balanced", classes=np.arange(len(classes)), y=codes)
            if len(np.unique(codes)) == len(classes)
            else _balanced_with_absent(classes, codes)
        )
    unknown = set(class_weight) - set(classes.tolist())
    if unknown:
        raise ValueError(
            f"class_weight names labels {sorted(unknown, key=str)!r} that are not "
            f"among the classes {classes.tolist()!r}."
        )
    return np.array([class_weight.get(c, 1.0) for c in classes], dtype=np.float64)


def _balanced_with_absent(classes, codes):
    # compute_class_weight refuses classes absent from y; they get weight 1.
    counts = np.bincount(codes, minlength=len(classes)).astype(np.float64)
    present = counts > 0
    weights = np.ones(len(classes))
    weights[present] = len(codes) / (present.sum() * counts[present])
    return weights


def _completed_epochs(history):
    return sum("train_loss" in row for row in history)


def _cuda_indices(device):
    if torch.device(device).type != "cuda":
        return []
    return list(range(torch.cuda.device_count()))


def _in_input_order(outputs, order):
    """Per-step outputs of batches taken in ``order``, in the input's order.

    Their widths differ between batches, so each sequence gets its own array.
    """
    sorted_rows = [out[j : j + 1] for out in outputs for j in range(out.shape[0])]
    rows = [None] * len(order)
    for position, index in enumerate(order):
        rows[index] = sorted_rows[position]
    return rows


def stack_step_outputs(sequences, outputs):
    """Per-step outputs of all batches as a list of ``(n_steps_i, k)`` arrays."""
    rows = []
    start = 0
    for out in outputs:
        for j in range(out.shape[0]):
            rows.append(out[j, : sequences.lengths[start + j]])
        start += out.shape[0]
    return rows


def pad_step_outputs(sequences, rows, fill=np.nan):
    """Per-step outputs padded to the input's length (``fill`` on padding)."""
    n_steps = sequences.values.shape[1]
    width = rows[0].shape[1:]
    padded = np.full((len(rows), n_steps, *width), fill, dtype=rows[0].dtype)
    for i, row in enumerate(rows):
        padded[i, : row.shape[0]] = row
    return padded
