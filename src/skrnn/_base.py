"""The shared base of every skrnn estimator.

It owns the hyperparameters common to all estimators and the training template:
one ``_fit`` serves ``fit``, ``warm_start`` and ``partial_fit``, and one
``_forward`` serves every prediction method. Subclasses say how targets are
encoded, which loss trains them and how raw network outputs become predictions
(the hooks below). The skorch network itself is built and run by ``_net.py``.
"""

import copy
import math
import warnings
from functools import partial
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from . import _net
from ._batching import make_dataset, train_valid_datasets
from ._callbacks import score_outputs
from ._callers import Interrupted, caller_stacklevel, inside_meta_estimator
from ._compat import (
    AnyCaseOptions,
    Interval,
    StrOptions,
    _check_sample_weight,
    wrap_transform_output,
)
from ._data import Sequences, parse_input
from ._device import resolve_device
from ._full_batch import canonical_full_batch
from ._input_state import InputStateMixin
from ._scaling import input_moments, standardized
from ._targets import check_same_classes, encode_labels, fit_classes

#: ``early_stopping='auto'`` sets a validation split aside from this many
#: training sequences on: its 10 % then score within a few points of accuracy.
AUTO_EARLY_STOPPING = 2000

#: ``n_iter_no_change='auto'`` on a validation score (large data sets, whose
#: many batches per epoch move the score every epoch).
AUTO_VALIDATION_PATIENCE = 5

#: ``max_epochs='auto'``: about this many gradient steps, in at least and at
#: most this many epochs (24 epochs of UD English EWT's 353 batches).
AUTO_STEPS = 8000
AUTO_EPOCHS = (24, 300)


#: The hyperparameter (or property of the data) that sets each network
#: argument whose name is not that of a parameter, for the errors of
#: ``_check_same_network``.
_NETWORK_SOURCES = {
    "input_size": "the number of features of X",
    "output_size": "the number of classes or targets of y",
    "dtype": "the dtype of X (float32 or float64)",
    "input_scaling": "standardize",
    "per_step": "return_sequences",
    "front_end": "front_end (or return_sequences, which turns 'auto' off)",
    "objective": "method",
    "target_embedding_dim": "embedding_dim",
    "word_dim": "word_vectors",
    "frozen_words": "freeze_word_vectors",
}


def _float32_safe(weight):
    """``weight`` (float64, positive somewhere) rescaled by a power of two
    when its largest value is far from 1: only the ratios of weights matter
    (the loss is ``sum(w * l) / sum(w)``), and weights of 1e-50 or 1e50 would
    vanish or overflow in float32. Weights in ordinary ranges are kept as
    they are, bit for bit."""
    exponent = np.floor(np.log2(weight.max()))
    if abs(exponent) <= 64:
        return weight
    return np.ldexp(weight, int(-exponent))


def _input_size(sequences):
    """The number of numeric features of ``sequences`` (0: token input)."""
    return sequences.values.shape[2] if isinstance(sequences, Sequences) else 0


def _transforms(estimator):
    """Whether ``transform`` applies: estimators of ``fit(X, y)`` on sequences
    (a forecaster's ``fit(y, X)`` has no sequences to transform)."""
    return estimator._has_transform


class BaseSequenceEstimator(
    InputStateMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    BaseEstimator,
    # transform wraps its own output (only 2-D outputs can become DataFrames).
    auto_wrap_output_keys=None,
):
    """Base class of the recurrent estimators. Not for direct use."""

    #: ``max_epochs='auto'``'s budget: about this many gradient steps, within
    #: these many epochs (an estimator may set its own).
    _auto_steps = AUTO_STEPS
    _auto_epochs = AUTO_EPOCHS

    _parameter_constraints = {
        "cell": [AnyCaseOptions({"lstm", "gru", "rnn"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "nonlinearity": [AnyCaseOptions({"tanh", "relu"})],
        "max_epochs": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "length_buckets": ["boolean"],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [AnyCaseOptions(set(_net.OPTIMIZERS)), type],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
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

    #: Whether the estimator offers ``transform`` (see :func:`_transforms`).
    _has_transform = True

    #: Whether :func:`skrnn.inspection.step_importance` explains its
    #: predictions (one output per sequence or per step, from numbers).
    _explains_steps = False

    #: Name of the SequenceLoss kind that trains this estimator.
    _loss_kind = "mse"

    #: The torch module it trains, as :data:`skrnn._net.MODULES` names it.
    _network_module = "sequence"

    #: Every fitted attribute besides ``net_`` and the partial_fit random
    #: stream, with how :func:`skrnn.save` stores it ('array': a 1-D float64
    #: tensor, 'tensor': one of any shape; the others are JSON). Subclasses
    #: add their own.
    _fitted_attributes = {
        "n_features_in_": "int",
        "feature_names_in_": "names",
        "n_step_features_": "int",
        "input_mean_": "array",
        "input_scale_": "array",
        "_fitted_on_table": "bool",
        "_dtype": "dtype",
        "n_iter_": "int",
        "loss_curve_": "floats",
        "best_loss_": "float_or_none",
        "validation_scores_": "floats_or_none",
        "best_validation_score_": "float_or_none",
    }
    #: Those every fitted estimator has.
    _required_attributes = ("_dtype", "n_iter_", "loss_curve_")

    def _n_outputs(self):
        """Output size of the network's head, read from the fitted attributes."""
        raise NotImplementedError

    def _encode_targets(self, y, sequences, sample_weight, *, reset, classes=None):
        """Return ``(targets, n_outputs)``; targets aligned with ``sequences``.

        With ``reset=True`` the encoding (classes) is learnt and stored;
        otherwise the fitted one is applied. Target scaling is learnt later, in
        ``_scale_targets``.
        """
        raise NotImplementedError

    def _encode_classes(self, labels, present, *, reset, classes):
        """Learn (``reset``) or check ``classes_``; return ``labels`` as codes.

        ``present`` marks the labels with a positive weight (``None``: all),
        which alone define the classes unless ``classes`` is given.
        """
        if reset:
            self.classes_ = fit_classes(
                labels, present, classes, estimator_name=type(self).__name__
            )
        else:
            check_same_classes(classes, self.classes_)
        return encode_labels(labels, self.classes_)

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

    def _continue_net(self, net, targets, sequences):
        """Adjust a network that goes on training (``partial_fit``,
        ``warm_start``) to this call's training data."""

    def _network_kwargs(self):
        """Keyword arguments of :class:`SequenceNetwork` beyond the core ones."""
        return {}

    def _input_options(self):
        """How this estimator reads ``X``: keyword arguments of
        :func:`skrnn._data.parse_input` (token options, what 2-D rows are)."""
        return {}

    def _validate_X(self, X, *, reset, **inputs):
        """Parse ``X``; in fit (``reset``) record what it is, else check it."""
        parsed, spec = parse_input(
            self,
            X,
            fitted=None if reset else self._fitted_input(),
            **self._input_options(),
            **inputs,
        )
        if reset:
            self._record_input(spec)
        return parsed

    def _per_step_targets(self):
        return False

    def _per_step_outputs(self, representation):
        """Whether the network gives one output per step (else one per
        sequence); ``representation``: for what the head reads."""
        return self._per_step_targets()

    def _resolved_front_end(self):
        """``front_end`` as the network takes it: 'auto' is the convolutional
        front end wherever there is one output per sequence of numeric input
        (token input has its embeddings)."""
        if self.front_end == "auto":
            tokens = getattr(self, "_input_kind", "numbers") == "tokens"
            return None if self._per_step_targets() or tokens else "conv"
        return self.front_end

    def _criterion(self, n_outputs):
        """The loss, as :func:`skrnn._net.build_net` names it."""
        return self._loss_kind

    def _validation_score(self):
        """The validation score's name and its function of ``(y_pred, target,
        lengths, weight)``: accuracy or R^2 of the outputs."""
        name = "accuracy" if self._loss_kind == "cross_entropy" else "R^2"
        return name, partial(score_outputs, self._loss_kind)

    # -- checks -----------------------------------------------------------------

    def _check_params_consistency(self):
        """Rules that link two parameters, checked at the start of every fit."""
        if self.nonlinearity.lower() != "tanh" and self.cell.lower() != "rnn":
            raise ValueError(
                f"nonlinearity={self.nonlinearity!r} applies only to cell='rnn'; "
                f"got cell={self.cell!r}. Use cell='rnn' or leave nonlinearity at "
                "'tanh'."
            )
        if getattr(self, "front_end", None) == "conv" and self._per_step_targets():
            raise ValueError(
                "front_end='conv' shortens the sequences, so it gives one output "
                "per sequence only; got it with per-step targets "
                "(return_sequences=True). Use front_end=None or 'auto'."
            )
        for callback in self.callbacks or []:
            named = (
                isinstance(callback, tuple)
                and len(callback) == 2
                and isinstance(callback[0], str)
            )
            if not _net.is_callback(callback[1] if named else callback):
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
                f"{sorted(_net.OPTIMIZERS)} nor a torch.optim.Optimizer subclass."
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
        except BaseException as exc:
            self.__dict__.clear()
            self.__dict__.update(state)
            if isinstance(exc, Interrupted) and not exc.propagate:
                warnings.warn(
                    f"Training of {type(self).__name__} was interrupted before "
                    "its first epoch completed; the estimator is left as it was "
                    "before the call"
                    + (" (not fitted)." if "net_" not in state else "."),
                    UserWarning,
                    stacklevel=caller_stacklevel(),
                )
                return self
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
        self._check_params_consistency()
        device = resolve_device(self.device)
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
            targets, weight = targets[keep], _float32_safe(weight[keep])
            weight = weight.astype(self._dtype)
        numeric = isinstance(sequences, Sequences)
        if numeric and len(sequences) <= self.batch_size:
            # One batch holds it all: train on the weighted set alone, whatever
            # its order or repetitions (see _full_batch.py).
            sequences, targets, weight = canonical_full_batch(
                sequences, targets, weight, self._dtype
            )
        targets = self._scale_targets(targets, sequences, weight, reset=not warm)
        if numeric and not warm:
            self.input_mean_, self.input_scale_ = input_moments(
                sequences, weight, standardize=self.standardize
            )
        if numeric and self.standardize:
            # Training reads a standardised copy (one pass per fit); prediction
            # folds the standardisation into the first layer instead (no copy).
            sequences = standardized(sequences, self.input_mean_, self.input_scale_)

        if incremental and warm:
            # partial_fit continues the random stream of the first call, so
            # successive epochs shuffle differently even with an int seed. A
            # copy: a failed call must not advance the estimator's stream.
            random_state = copy.deepcopy(self._random_stream)
        else:
            random_state = check_random_state(self.random_state)
        torch_seed = int(random_state.randint(np.iinfo(np.int32).max))
        early_stopping = self._uses_early_stopping(len(sequences)) and not incremental
        train, valid = self._split(
            sequences, targets, weight, random_state, early_stopping
        )
        n_batches = math.ceil(len(train) / self.batch_size)
        monitor = self._monitor_settings(early_stopping, incremental, n_batches)
        # The schedule spans the whole budget; partial_fit trains one epoch of it.
        budget = self._max_epochs(n_batches)
        max_epochs = 1 if incremental else budget
        # Restarts (n_init) only for a fresh fit: warm_start and partial_fit
        # continue the one network they have. SequenceTagger has no n_init.
        n_starts = 1 if (warm or incremental) else getattr(self, "n_init", 1)
        best = None
        for start in range(n_starts):
            if start > 0:
                torch_seed = int(random_state.randint(np.iinfo(np.int32).max))
            net = self._start_net(
                sequences,
                targets,
                n_outputs,
                device,
                random_state,
                monitor,
                warm=warm,
                incremental=incremental,
                max_epochs=budget,
            )
            ending, n_new = _net.train(
                net,
                train,
                valid,
                max_epochs=max_epochs,
                n_threads=self.n_threads,
                seed=torch_seed,
                device=device,
            )
            if ending == "interrupted" and best is not None:
                break  # keep the best of the starts that completed
            score = _net.start_score(net, early_stopping)
            if best is None or score < best[0]:
                best = (score, net, ending, n_new)
            if ending == "interrupted":
                break
        _, net, ending, n_new = best
        if ending == "interrupted":
            in_search = inside_meta_estimator()
            if n_new == 0 or in_search:
                # Nothing was learnt, or a search is running: stop everything
                # (the caller's estimator is rolled back by _fit_with_rollback).
                raise Interrupted(n_new, max_epochs, propagate=in_search)
        self._random_stream = random_state
        self.net_ = net
        self._record_history(net, early_stopping)
        if ending == "interrupted":
            warnings.warn(
                f"Training of {type(self).__name__} was interrupted after "
                f"{n_new} of {max_epochs} epochs; the estimator keeps "
                "the weights of the last completed epoch.",
                UserWarning,
                stacklevel=caller_stacklevel(),
            )
        elif ending == "max_epochs" and not (incremental or self._planned_end(n_new)):
            warnings.warn(
                f"{type(self).__name__} reached max_epochs={max_epochs} "
                "before the training loss converged. Increase max_epochs or "
                "tol.",
                ConvergenceWarning,
                stacklevel=caller_stacklevel(),
            )
        return self

    def _start_net(
        self,
        sequences,
        targets,
        n_outputs,
        device,
        random_state,
        monitor,
        *,
        warm,
        incremental,
        max_epochs,
    ):
        """The network one training run starts from: a copy of the fitted one
        (``partial_fit``), a new one with its weights (``warm_start``) or a new
        one drawn from ``random_state`` (its schedule spans ``max_epochs``)."""
        if incremental and warm:
            self._check_same_network(
                "partial_fit continues training", _input_size(sequences), n_outputs
            )
            # partial_fit: carry on with the same optimizer state.
            net = copy.deepcopy(self.net_)
            # skorch reads iterator settings from attributes at each epoch.
            net.iterator_train__random_state = random_state
            _net.reset_monitor(net, **monitor)
            self._continue_net(net, targets, sequences)
            return net
        net = self._build_net(
            sequences, n_outputs, device, random_state, monitor, max_epochs
        )
        if warm:
            # warm_start: today's hyperparameters, yesterday's weights.
            self._load_weights(net, self.net_)
            self._continue_net(net, targets, sequences)
        else:
            self._prepare_net(net, targets, sequences)
        return net

    def _load_weights(self, net, previous):
        try:
            _net.load_weights(net, previous)
        except RuntimeError as exc:
            raise ValueError(
                "warm_start=True continues from the previous fit's weights, so the "
                "network must keep its shape: cell, hidden_size, num_layers, "
                "bidirectional, readout and the number of features and outputs "
                "cannot change between fits. Set warm_start=False to start afresh."
            ) from exc
        _net.copy_history(net, previous)

    def _split(self, sequences, targets, weight, random_state, early_stopping):
        """Training and validation datasets (no validation without early stopping)."""
        per_step = self._per_step_targets()
        if not early_stopping:
            return make_dataset(sequences, targets, weight, per_step=per_step), None
        stratify = self._loss_kind == "cross_entropy" and targets.ndim == 1
        return train_valid_datasets(
            sequences,
            targets,
            weight,
            per_step=per_step,
            validation_fraction=self.validation_fraction,
            stratify=stratify,
            random_state=random_state,
        )

    def _uses_early_stopping(self, n_sequences):
        """Whether a fit on ``n_sequences`` sequences sets a validation split aside.

        ``early_stopping='auto'`` does from ``AUTO_EARLY_STOPPING`` sequences on,
        as scikit-learn's histogram gradient boosting does from 10,000 samples.
        """
        if self.early_stopping == "auto":
            return n_sequences >= AUTO_EARLY_STOPPING
        return bool(self.early_stopping)

    def _patience(self, early_stopping, n_batches=None):
        """``n_iter_no_change`` in epochs, for ``n_batches`` training batches per
        epoch. 'auto' is 5 epochs on a validation score; on the training loss,
        about 300 gradient steps within 10 to 50 epochs (50 when the number of
        batches is not known, as for a loaded model)."""
        if self.n_iter_no_change != "auto":
            return self.n_iter_no_change
        if early_stopping:
            return AUTO_VALIDATION_PATIENCE
        if n_batches is None:
            return 50
        return min(50, max(10, math.ceil(300 / n_batches)))

    def _max_epochs(self, n_batches=None):
        """Epochs a fit may run: ``max_epochs``, for ``n_batches`` training
        batches per epoch (a subclass that chooses the number of epochs
        another way returns that).
        'auto' is about ``_auto_steps`` gradient steps within ``_auto_epochs``
        (the fewest when the number of batches is not known, as for a loaded
        model, which does not train)."""
        if self.max_epochs != "auto":
            return self.max_epochs
        low, high = self._auto_epochs
        if n_batches is None:
            return low
        return min(high, max(low, math.ceil(self._auto_steps / n_batches)))

    def _planned_end(self, n_epochs):
        """Whether ending at the epoch budget after ``n_epochs`` epochs is the
        planned end of training, not a failure to converge: a cosine schedule
        has annealed the rate to zero there by design."""
        return self.lr_schedule == "cosine"

    def _monitor_settings(self, early_stopping, incremental, n_batches=None):
        """Arguments of the training monitor (the stopping rule) for one call."""
        patience = self._patience(early_stopping, n_batches)
        return {
            "monitor": "valid_score" if early_stopping else "train_loss",
            "lower_is_better": not early_stopping,
            "tol": self.tol,
            "n_iter_no_change": math.inf if incremental else patience,
            "restore_best": early_stopping,
            # partial_fit has no stopping rule: each call trains one epoch.
            "min_lr": None
            if incremental or self.lr_schedule != "plateau"
            else _net.plateau_min_lr(self.lr),
        }

    def _build_net(
        self, sequences, n_outputs, device, random_state, monitor=None, max_epochs=None
    ):
        """A new network for ``sequences`` (``None``: token input, or a file
        being loaded) with ``n_outputs`` outputs, to train for ``max_epochs``
        (None: a file being loaded)."""
        if max_epochs is None:
            max_epochs = self._max_epochs()
        if monitor is None:  # a network being loaded: it will not train
            monitor = self._monitor_settings(self.early_stopping is True, False)
        lr_schedule = None
        if self.lr_schedule is not None:
            validating = monitor["monitor"] == "valid_score"
            patience = monitor["n_iter_no_change"]
            if math.isinf(patience):  # partial_fit: no stopping rule
                patience = self._patience(validating)
            lr_schedule = {
                "kind": self.lr_schedule,
                "monitor": "valid_loss" if validating else "train_loss",
                "patience": max(1, patience // 2),
                "max_epochs": max_epochs,
                "tol": self.tol,
            }
        net = _net.build_net(
            module=self._network_module,
            module_kwargs=self._module_kwargs(_input_size(sequences), n_outputs),
            criterion=self._criterion(n_outputs),
            optimizer=self.optimizer,
            weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=max_epochs,
            batch_size=self.batch_size,
            bucket_batches=50 if self.length_buckets else 1,
            random_state=random_state,
            device=device,
            valid_score=self._validation_score()[1],
            clip_grad_norm=self.clip_grad_norm,
            lr_schedule=lr_schedule,
            monitor=monitor,
            user_callbacks=self.callbacks,
            verbose=self.verbose,
        )
        if net.module__input_scaling:
            net.module_.set_input_scaling(self.input_mean_, self.input_scale_)
        return net

    def _module_kwargs(self, input_size, n_outputs):
        """The network's constructor arguments for ``input_size`` numeric
        features (0: token input, or a file being loaded) and ``n_outputs``
        outputs."""
        return {
            "input_size": input_size,
            "output_size": n_outputs,
            "cell": self.cell.lower(),
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "dropout": self.dropout,
            "nonlinearity": self.nonlinearity.lower(),
            "dtype": torch.float32 if self._dtype == np.float32 else torch.float64,
            # At predict time standardisation is folded into the network's
            # first layer, so the input is never copied to scale it: memory
            # grows with the batch, not with X.
            "input_scaling": self.standardize and input_size > 0,
            **self._network_kwargs(),
        }

    def _check_same_network(self, doing, input_size=None, n_outputs=None, skip=()):
        """Refuse to go on (``doing``: 'partial_fit continues training') with
        the fitted network when the hyperparameters, changed by ``set_params``
        since, describe another one: it would train or be saved as the old one
        while the estimator (and the file) described the new one. ``None``
        sizes are the fitted network's; ``skip`` names constructor arguments
        that may differ (those of no weight, for a file)."""
        fitted = self.net_.get_params()
        if input_size is None:
            input_size = fitted["module__input_size"]
        if n_outputs is None:
            n_outputs = fitted["module__output_size"]
        for name, value in self._module_kwargs(input_size, n_outputs).items():
            before = fitted.get(f"module__{name}", value)
            if name in skip or before == value:
                continue
            source = _NETWORK_SOURCES.get(name, name)
            change = (
                f"{name} was {before!r} at fit and is now {value!r}"
                if source == name
                else f"{source} now makes its {name} {value!r} where the fitted "
                f"one has {before!r}"
            )
            raise ValueError(
                f"{doing} the fitted network, so what builds it cannot change "
                f"after fit: {change}. Set {source} back to its value at fit, or "
                "call fit to train a new network."
            )

    def _record_history(self, net, early_stopping):
        history = _net.epoch_rows(net)
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(row["train_loss"]) for row in history]
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
        """The per-epoch training record (see :func:`skrnn._net.training_curves`),
        read by :class:`skrnn.inspection.TrainingCurveDisplay`."""
        check_is_fitted(self)
        curves = _net.training_curves(self.net_)
        curves["score_name"] = self._validation_score()[0]
        return curves

    # -- prediction -------------------------------------------------------------

    def _forward(self, X, transform=None, *, representation=False, **inputs):
        """Network outputs for ``X``, batch by batch, in the order of ``X``.

        ``transform(y_pred, lengths)`` turns each batch's raw output into what
        the caller needs while it is still on the device (for example Viterbi
        decoding). Returns ``(sequences, outputs)``: with one output per
        sequence, ``outputs`` is one array ``(n_sequences, ...)``; with outputs
        per step, a list of one ``(n_steps_i, ...)`` array per sequence.
        Floating outputs are float64. ``representation=True`` returns what the
        network's head reads instead of its output (see :meth:`_transform`).
        """
        check_is_fitted(self)
        sequences = self._validate_X(X, reset=False, **inputs)
        dataset = make_dataset(sequences)
        lengths = sequences.lengths
        order = None
        if len(lengths) > self.batch_size and lengths.min() != lengths.max():
            # Batches of similar lengths: each is cut to its longest sequence,
            # so the work follows the total length, not n * the longest.
            order = np.argsort(lengths, kind="stable")
        per_step = self._per_step_outputs(representation)
        batches = _net.infer(
            self.net_,
            dataset,
            batch_size=self.batch_size,
            order=order,
            n_threads=self.n_threads,
            per_step=per_step,
            transform=transform,
            representation=representation,
        )
        if per_step:
            per_sequence = [None] * len(lengths)
            for rows, out in batches:
                if isinstance(rows, slice):
                    rows = range(rows.start, rows.start + len(out))
                for j, i in enumerate(rows):
                    per_sequence[i] = out[j, : lengths[i]]
            return sequences, per_sequence
        # One output per sequence goes straight into one array: the extra
        # memory of a prediction is that array and one batch.
        result = None
        for rows, out in batches:
            if result is None:
                result = np.empty((len(lengths), *out.shape[1:]), out.dtype)
            result[rows] = out
        return sequences, result

    # -- embeddings -------------------------------------------------------------

    @property
    def _n_features_out(self):
        """Width of :meth:`transform`'s vectors (read by
        ``get_feature_names_out``); an AttributeError before fit."""
        if not hasattr(self, "net_"):
            raise AttributeError("_n_features_out is set by fit")
        return _net.representation_size(self.net_)

    @available_if(_transforms)
    def get_feature_names_out(self, input_features=None):
        """Names of the columns of :meth:`transform`'s output.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against ``feature_names_in_`` (as scikit-learn's
            transformers do): the columns are learnt features, named after
            the class (``rnnclassifier0``, ``rnnclassifier1``, ...).

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per column.
        """
        return super().get_feature_names_out(input_features)

    @available_if(_transforms)
    def transform(self, X):
        """The learnt representation of each sequence: what the head reads.

        This is the vector the network's last layer maps to its predictions:
        with one output per sequence, the readout's summary of the top
        recurrent layer (``readout='last'``: its output at the sequence's own
        last step, both directions concatenated when bidirectional; for an LSTM
        this is the hidden state ``h``, not the cell state; ``'mean'`` and
        ``'max'``: those outputs pooled over the real steps), followed, with
        the convolutional front end, by its features averaged over the
        sequence's steps and, per input feature, the sequence's level
        (``asinh`` of its mean) and log standard deviation; with one output
        per step, the top layer's output at
        every real step. Features for
        :class:`~sklearn.linear_model.LogisticRegression`,
        :class:`~sklearn.cluster.KMeans` or :class:`~sklearn.manifold.TSNE` in a
        :class:`~sklearn.pipeline.Pipeline`. A sequence's representation does
        not depend on the other sequences of its batch.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, in any form ``fit`` accepts.

        Returns
        -------
        X_new : ndarray of shape (n_sequences, n_features_out) or list of ndarray
            float64. One row per sequence; with one output per step a list of
            ``(n_steps_i, n_features_out)`` arrays (one 2-D array of rows for a
            2-D table of steps). Columns are named by
            :meth:`get_feature_names_out`; ``set_output(transform="pandas")``
            makes 2-D outputs DataFrames and leaves lists as they are.
        """
        return self._transform(X)

    def _transform(self, X, **inputs):
        sequences, outputs = self._forward(X, representation=True, **inputs)
        if isinstance(outputs, list) and sequences.layout == "flat":
            outputs = np.concatenate(outputs)
        if isinstance(outputs, list):
            return outputs
        return wrap_transform_output(outputs, X, self)

    @available_if(_transforms)
    def fit_transform(self, X, y=None, **fit_params):
        """Fit to ``X`` and ``y``, then return :meth:`transform` of ``X``.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, in any form ``fit`` accepts.

        y : array-like, default=None
            Targets, as ``fit`` takes them (required: ``fit`` raises without).

        **fit_params : dict
            Further arguments of ``fit`` (``sample_weight``, ``lengths``).

        Returns
        -------
        X_new : ndarray or list of ndarray
            As :meth:`transform` returns it.
        """
        # A 2-D table of steps is split by the same lengths in both calls.
        inputs = {"lengths": fit_params["lengths"]} if "lengths" in fit_params else {}
        return self.fit(X, y, **fit_params)._transform(X, **inputs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags
