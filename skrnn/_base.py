"""The shared base of every skrnn estimator.

It owns the hyperparameters common to all estimators, input scaling, seeding, the
skorch network and the training loop (one ``_fit`` serves ``fit`` and later
incremental fitting). Subclasses say how targets are encoded, which loss trains
them and how raw network outputs become predictions.
"""

import math
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import Callback, GradientNormClipping
from skorch.utils import to_tensor

from ._batching import BatchIterator, SequenceDataset
from ._data import check_sequences
from ._modules import SequenceLoss, SequenceNetwork

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
max_epochs : int, default=200
        Maximum number of passes over the training data. Training stops earlier
        once the training loss has not improved by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs (the rule of
        :class:`~sklearn.neural_network.MLPClassifier`); a
        :class:`~sklearn.exceptions.ConvergenceWarning` says when it did not.

    batch_size : int, default=32
        Number of sequences per gradient step (Keras's default; small batches
        make many updates per epoch, which small sequence data sets need).

    lr : float, default=1e-3
        Learning rate of the optimizer.

    optimizer : {'adam', 'adamw', 'sgd', 'rmsprop'} or torch optimizer class, \
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

    n_iter_no_change : int, default=10
        Number of epochs without improvement after which training stops.

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

    verbose : int, default=0
        0 is silent; 1 prints one line per epoch."""

_DTYPE_NOTE = """\
    Training runs in the floating-point precision of ``X``, as in scikit-learn's
    :class:`~sklearn.neural_network.MLPClassifier`: float32 input trains in
    float32, anything else in float64. On CPUs float32 is several times faster,
    so pass ``X.astype(np.float32)`` when speed matters."""


def fill_doc(cls):
    """Insert the shared parameter text into a class docstring."""
    cls.__doc__ = cls.__doc__.format(
        core_params=_CORE_PARAMS_DOC,
        training_params=_TRAINING_PARAMS_DOC,
        dtype_note=_DTYPE_NOTE,
    )
    return cls


class _ConvergenceMonitor(Callback):
    """Stop when the training loss stops improving (MLPClassifier's rule)."""

    def __init__(self, tol, n_iter_no_change):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change

    def initialize(self):
        self.best_loss_ = math.inf
        self.no_improvement_count_ = 0
        self.converged_ = False
        return self

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, "train_loss"]
        if loss > self.best_loss_ - self.tol:
            self.no_improvement_count_ += 1
        else:
            self.no_improvement_count_ = 0
        self.best_loss_ = min(self.best_loss_, loss)
        if self.no_improvement_count_ > self.n_iter_no_change:
            self.converged_ = True
            # skorch's way to end training early; caught by NeuralNet.partial_fit.
            raise KeyboardInterrupt


class _FiniteLossGuard(Callback):
    """Stop with a clear error as soon as the training loss is not finite."""

    def on_batch_end(self, net, batch=None, training=None, loss=None, **kwargs):
        if training and not math.isfinite(loss.item()):
            raise FloatingPointError(
                f"The training loss became {loss.item()} in epoch "
                f"{len(net.history)}. The model diverged: lower the learning rate "
                f"(lr={net.lr}), keep gradient clipping on (clip_grad_norm), keep "
                "standardize=True, or check the data for extreme values."
            )


class _SequenceNet(NeuralNet):
    """skorch network whose targets are dicts of criterion arguments."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        return self.criterion_(y_pred, **y_true)


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


def _weighted_moments(values, weights, axis):
    """Weighted mean and standard deviation (scale 1 where it is 0)."""
    total = weights.sum()
    mean = (values * weights).sum(axis=axis) / total
    var = (np.square(values - mean) * weights).sum(axis=axis) / total
    scale = np.sqrt(var)
    scale[scale < 10 * np.finfo(values.dtype).eps] = 1.0
    return mean, scale


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
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
        "device": [str],
        "verbose": ["verbose"],
    }

    # -- hooks for subclasses -------------------------------------------------

    #: Name of the SequenceLoss kind that trains this estimator.
    _loss_kind = "mse"

    def _encode_targets(self, y, sequences, sample_weight, *, reset):
        """Return ``(targets, n_outputs)``; targets aligned with ``sequences``."""
        raise NotImplementedError

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
        if isinstance(self.optimizer, type) and not issubclass(
            self.optimizer, torch.optim.Optimizer
        ):
            raise TypeError(
                f"optimizer={self.optimizer!r} is neither one of "
                f"{sorted(OPTIMIZERS)} nor a torch.optim.Optimizer subclass."
            )

    # -- fitting ----------------------------------------------------------------

    def _fit_with_rollback(self, X, y, sample_weight, *, incremental):
        """Run ``_fit``; on any failure put the estimator back as it was."""
        state = self.__dict__.copy()
        try:
            return self._fit(X, y, sample_weight, incremental=incremental)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    def _fit(self, X, y, sample_weight=None, *, incremental=False):
        self._check_params_consistency()
        device = _resolve_device(self.device)
        sequences = check_sequences(self, X, reset=True)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, sequences.lengths, ensure_non_negative=True
            )
        targets, n_outputs = self._encode_targets(
            y, sequences, sample_weight, reset=True
        )
        values = sequences.values
        lengths = sequences.lengths
        if sample_weight is not None:
            # A zero weight means the sequence is absent, as in scikit-learn.
            keep = sample_weight > 0
            if not keep.any():
                raise ValueError(
                    "All sample weights are zero: there is nothing to train on. "
                    "Give at least one sequence a positive weight."
                )
            values, lengths = values[keep], lengths[keep]
            targets, sample_weight = targets[keep], sample_weight[keep]
        self._fit_input_scaling(values, lengths, sample_weight)
        values = self._scale_inputs(values, lengths)

        random_state = check_random_state(self.random_state)
        torch_seed = int(random_state.randint(np.iinfo(np.int32).max))
        weight = None if sample_weight is None else sample_weight.astype(values.dtype)
        dataset = SequenceDataset(values, lengths, targets, weight)
        monitor = _ConvergenceMonitor(self.tol, self.n_iter_no_change)
        callbacks = [("finite_loss", _FiniteLossGuard()), ("convergence", monitor)]
        if self.clip_grad_norm is not None:
            callbacks.append(
                ("clip", GradientNormClipping(gradient_clip_value=self.clip_grad_norm))
            )
        torch_dtype = torch.float32 if values.dtype == np.float32 else torch.float64
        optimizer = (
            OPTIMIZERS[self.optimizer]
            if isinstance(self.optimizer, str)
            else self.optimizer
        )
        net = _SequenceNet(
            module=SequenceNetwork,
            module__input_size=values.shape[2],
            module__output_size=n_outputs,
            module__cell=self.cell,
            module__hidden_size=self.hidden_size,
            module__num_layers=self.num_layers,
            module__bidirectional=self.bidirectional,
            module__dropout=self.dropout,
            module__nonlinearity=self.nonlinearity,
            module__dtype=torch_dtype,
            **{f"module__{k}": v for k, v in self._network_kwargs().items()},
            criterion=SequenceLoss,
            criterion__kind=self._loss_kind,
            optimizer=optimizer,
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__random_state=random_state,
            iterator_valid=BatchIterator,
            train_split=None,
            callbacks=callbacks,
            predict_nonlinearity=None,
            device=device,
            verbose=self.verbose,
        )
        with torch.random.fork_rng(devices=_cuda_indices(device)):
            torch.manual_seed(torch_seed)
            net.partial_fit(dataset, y=None)
        net.module_.eval()
        self.net_ = net
        self.n_iter_ = len(net.history)
        self.loss_curve_ = list(net.history[:, "train_loss"])
        if not monitor.converged_:
            if self.n_iter_ < self.max_epochs:
                warnings.warn(
                    f"Training of {type(self).__name__} was interrupted after "
                    f"{self.n_iter_} of {self.max_epochs} epochs; the estimator "
                    "keeps the weights reached so far.",
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

    # -- input scaling ------------------------------------------------------------

    def _fit_input_scaling(self, values, lengths, sample_weight):
        n_features = values.shape[2]
        if not self.standardize:
            self.input_mean_ = np.zeros(n_features)
            self.input_scale_ = np.ones(n_features)
            return
        inside = np.arange(values.shape[1])[None, :] < lengths[:, None]
        steps = values[inside].astype(np.float64)
        weights = np.ones(len(lengths)) if sample_weight is None else sample_weight
        step_weights = np.broadcast_to(weights[:, None], inside.shape)[inside]
        self.input_mean_, self.input_scale_ = _weighted_moments(
            steps, step_weights[:, None], axis=0
        )

    def _scale_inputs(self, values, lengths):
        if not self.standardize:
            return values
        mean = self.input_mean_.astype(values.dtype)
        scale = self.input_scale_.astype(values.dtype)
        scaled = (values - mean) / scale
        outside = np.arange(values.shape[1])[None, :] >= lengths[:, None]
        scaled[outside] = 0.0
        return scaled

    # -- prediction -------------------------------------------------------------

    def _forward(self, X):
        """Raw network outputs for ``X``.

        Returns ``(sequences, outputs)`` where ``outputs`` is a list of float64
        arrays, one per batch, in the order of ``X``.
        """
        check_is_fitted(self)
        sequences = check_sequences(self, X, reset=False)
        values = self._scale_inputs(sequences.values, sequences.lengths)
        dataset = SequenceDataset(values, sequences.lengths)
        outputs = [
            out.numpy().astype(np.float64, copy=False)
            for out in self.net_.forward_iter(dataset, training=False)
        ]
        return sequences, outputs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


def _cuda_indices(device):
    if torch.device(device).type != "cuda":
        return []
    return list(range(torch.cuda.device_count()))


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
