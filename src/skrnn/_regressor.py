"""RNNRegressor: values per sequence, or per step with ``return_sequences``."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score

from ._base import BaseSequenceEstimator
from ._compat import StrOptions, _check_sample_weight, _fit_context
from ._data import (
    DEFAULT_TOKEN_PATTERN,
    check_sequence_targets,
    check_step_targets,
    flat_step_targets,
)
from ._docstrings import (
    AUTO_PATIENCE,
    DOCUMENT_CHARS_WHY,
    RECIPE_LR_WHY,
    RECIPE_SCHEDULE_WHY,
    estimator_doc,
)
from ._modules import READOUTS
from ._stats import step_moments, step_weights
from ._token_input import (
    DOCUMENT_CONSTRAINTS,
    TOKEN_CONSTRAINTS,
    TOKEN_FITTED_ATTRIBUTES,
    TokenInputMixin,
)


@estimator_doc(
    lr="1e-2",
    lr_why=RECIPE_LR_WHY,
    lr_schedule="'plateau'",
    lr_schedule_why=RECIPE_SCHEDULE_WHY,
    n_init=1,
    n_iter_no_change="'auto'",
    n_iter_no_change_why=AUTO_PATIENCE,
    char_features=0,
    char_features_why=DOCUMENT_CHARS_WHY,
    word_dropout=0.0,
    max_length=400,
)
class RNNRegressor(RegressorMixin, TokenInputMixin, BaseSequenceEstimator):
    """Recurrent neural network regressor.

    Predicts one value (or one vector of values) per sequence, or, with
    ``return_sequences=True``, one per step. Trained by mean squared error
    through skorch.

    Parameters
    ----------
    {core_params}

    {front_end_params}

    readout : {'last', 'mean', 'max', 'attention', 'concat'}, default='mean'
        How a sequence's recurrent outputs become one vector: ``'last'`` takes
        the final state at the sequence's own end (both directions when
        bidirectional), ``'mean'`` and ``'max'`` pool over its real steps,
        ``'attention'`` is a learnt weighted mean of them (additive attention
        pooling), ``'concat'`` is ``'last'``, ``'mean'`` and ``'max'`` side by
        side. ``'mean'`` is the default: every step reaches the loss directly,
        and on the shared real data sets it varied least between seeds.
        Ignored when ``return_sequences=True``.

    return_sequences : bool, default=False
        Predict one target per step (Keras's name for it). ``y`` is then shaped
        like the sequences: ``(n_sequences, n_steps)`` or
        ``(n_sequences, n_steps, n_outputs)``, or a list of ``(n_steps_i,)`` /
        ``(n_steps_i, n_outputs)`` arrays. The loss averages over real steps
        only.

    {token_params}

    {document_params}

    {training_params}

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of a 2-D ``X`` (its number of steps), else the number
        of features per step.

    n_step_features_ : int
        Number of features per step (1 for 2-D ``X``).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.

    input_mean_, input_scale_ : ndarray of shape (`n_step_features_`,)
        Per-feature standardisation of the inputs learnt in fit.

    target_mean_, target_scale_ : ndarray of shape (n_outputs,)
        Standardisation of the targets learnt in fit.

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Mean training loss (on standardized targets) of each epoch.

    net_ : skorch.NeuralNet
        The fitted skorch network, for power users.

    Notes
    -----
    ``X`` may be a 3-D array ``(n_sequences, n_steps, n_features)``, a 2-D array
    ``(n_sequences, n_steps)`` of univariate sequences, a list of arrays
    ``(n_steps_i, n_features)`` or ``(n_steps_i,)`` of different lengths, an
    array padded with trailing all-NaN steps, or a DataFrame. Sequences of
    different lengths are run so that padding never reaches a real step (as with
    packing, but on the fused kernels). A model
    fitted on a 2-D array checks the number of columns at predict time; to
    predict on other lengths, pass a list or a 3-D array ``X[:, :, None]``.

    With ``return_sequences=True``, ``predict`` returns an array padded with NaN
    on padding steps when ``X`` is an array, and a list of per-sequence arrays
    when ``X`` is a list.

    {dtype_note}

    {recipe_cost_note}

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(80, 10, 1).astype(np.float32)
    >>> y = 100 + 10 * X[:, :, 0].sum(axis=1)
    >>> reg = RNNRegressor(hidden_size=16, max_epochs=40, random_state=0)
    >>> reg.fit(X, y).predict(X[:2]).shape
    (2,)
    >>> per_step = RNNRegressor(return_sequences=True, hidden_size=8,
    ...                         max_epochs=5, random_state=0)
    >>> per_step.fit(X, np.cumsum(X[:, :, 0], axis=1)).predict(X[:2]).shape
    (2, 10)
    """

    _parameter_constraints = {
        **BaseSequenceEstimator._parameter_constraints,
        **TOKEN_CONSTRAINTS,
        **DOCUMENT_CONSTRAINTS,
        "readout": [StrOptions(set(READOUTS))],
        "front_end": [StrOptions({"auto", "conv"}), None],
        "return_sequences": ["boolean"],
    }

    _reads_documents = True

    _loss_kind = "mse"
    _explains_steps = True

    #: Initialisation of the recurrent weights (see RecurrentEncoder): on the
    #: shared real data sets the orthogonal one with an open forget gate
    #: stalled less often at the start of training.
    _recurrent_init = "orthogonal"

    _fitted_attributes = {
        **BaseSequenceEstimator._fitted_attributes,
        **TOKEN_FITTED_ATTRIBUTES,
        "target_mean_": "array",
        "target_scale_": "array",
        "_has_output_axis": "bool",
    }
    _required_attributes = (
        *BaseSequenceEstimator._required_attributes,
        "target_mean_",
        "target_scale_",
    )

    def _n_outputs(self):
        return len(self.target_mean_)

    def __init__(
        self,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        *,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        front_end="auto",
        readout="mean",
        return_sequences=False,
        embedding_dim=100,
        char_features=0,
        min_frequency=2,
        max_vocabulary=None,
        word_dropout=0.0,
        lowercase=True,
        word_vectors=None,
        freeze_word_vectors=False,
        analyzer="word",
        token_pattern=DEFAULT_TOKEN_PATTERN,
        tokenizer=None,
        max_length=400,
        truncation="both",
        max_epochs=500,
        batch_size=32,
        length_buckets=True,
        lr=1e-2,
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        tol=1e-4,
        n_iter_no_change="auto",
        early_stopping="auto",
        validation_fraction=0.1,
        n_init=1,
        lr_schedule="plateau",
        callbacks=None,
        warm_start=False,
        standardize=True,
        random_state=None,
        device="cpu",
        n_threads="auto",
        verbose=0,
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.nonlinearity = nonlinearity
        self.front_end = front_end
        self.readout = readout
        self.return_sequences = return_sequences
        self.embedding_dim = embedding_dim
        self.char_features = char_features
        self.min_frequency = min_frequency
        self.max_vocabulary = max_vocabulary
        self.word_dropout = word_dropout
        self.lowercase = lowercase
        self.word_vectors = word_vectors
        self.freeze_word_vectors = freeze_word_vectors
        self.analyzer = analyzer
        self.token_pattern = token_pattern
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.truncation = truncation
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.length_buckets = length_buckets
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.clip_grad_norm = clip_grad_norm
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_init = n_init
        self.lr_schedule = lr_schedule
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.standardize = standardize
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose

    def _encode_targets(self, y, sequences, sample_weight, *, reset, classes=None):
        if self.return_sequences:
            targets, has_output_axis = check_step_targets(
                y, sequences, dtype=np.float64
            )
        else:
            targets, has_output_axis = check_sequence_targets(y, len(sequences))
        if not reset and targets.shape[-1] != len(self.target_mean_):
            raise ValueError(
                f"y has {targets.shape[-1]} outputs but the estimator was "
                f"fitted with {len(self.target_mean_)}."
            )
        if reset:
            self._has_output_axis = has_output_axis
        return targets, targets.shape[-1]

    def _scale_targets(self, targets, sequences, weight, *, reset):
        if reset and self.standardize:
            if self.return_sequences:
                steps = targets
                weights = step_weights(sequences.lengths, targets.shape[1], weight)
            else:
                # One "step" per sequence, so that one function computes both.
                steps = targets[:, None, :]
                weights = step_weights(np.ones(len(targets), np.int64), 1, weight)
            self.target_mean_, self.target_scale_ = step_moments(steps, weights)
        elif reset:
            self.target_mean_ = np.zeros(targets.shape[-1])
            self.target_scale_ = np.ones(targets.shape[-1])
        targets = (targets - self.target_mean_) / self.target_scale_
        return targets.astype(self._dtype)

    def _per_step_targets(self):
        return self.return_sequences

    def _network_kwargs(self):
        return {
            **super()._network_kwargs(),
            "init": self._recurrent_init,
            "front_end": self._resolved_front_end(),
            "readout": self.readout,
            "per_step": self.return_sequences,
        }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the regressor to sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        y : array-like of shape (n_sequences,) or (n_sequences, n_outputs)
            Targets; with ``return_sequences=True``, shaped like the sequences
            (see ``return_sequences``).

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence in the loss (all its steps, for per-step
            targets); zero removes it.

        Returns
        -------
        self : RNNRegressor
            The fitted regressor.
        """
        return self._fit_with_rollback(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch on ``X`` and ``y``, continuing from earlier calls.

        The first call learns the input and target scaling; later calls keep it.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        y : array-like
            Targets, as in :meth:`fit`.

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence in the loss.

        Returns
        -------
        self : RNNRegressor
            The updated regressor.
        """
        return self._fit_with_rollback(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        Returns
        -------
        y_pred : ndarray or list of ndarray
            Shape ``(n_sequences,)`` or ``(n_sequences, n_outputs)`` like ``y``
            in fit. With ``return_sequences=True``: ``(n_sequences, n_steps)``
            (or ``(..., n_outputs)``) padded with NaN when ``X`` is an array, a
            list of ``(n_steps_i,)`` (or ``(n_steps_i, n_outputs)``) arrays when
            ``X`` is a list.
        """
        if not self.return_sequences:
            y_pred = self._forward(X)[1]
            y_pred *= self.target_scale_
            y_pred += self.target_mean_
            return y_pred if self._has_output_axis else y_pred[:, 0]
        sequences, rows = self._step_predictions(X)
        if not self._has_output_axis:
            rows = [row[:, 0] for row in rows]
        if sequences.layout == "list":
            return rows
        return _pad_step_outputs(sequences, rows)

    def _step_predictions(self, X):
        """Parsed ``X`` and one ``(n_steps_i, n_outputs)`` array per sequence."""
        sequences, outputs = self._forward(X)
        rows = [row * self.target_scale_ + self.target_mean_ for row in outputs]
        return sequences, rows

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2 of the predictions.

        With one target per sequence this is scikit-learn's
        :meth:`~sklearn.base.RegressorMixin.score`. With
        ``return_sequences=True`` it is R^2 over the real steps of all
        sequences pooled, the same for every form of ``X`` and ``y``:
        :func:`~sklearn.metrics.r2_score` of the concatenated real steps, each
        sequence's weight given to each of its steps. Padding never counts.
        Several outputs are averaged uniformly, as ``r2_score`` does.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        y : array-like or list of array-like
            True targets, in any form :meth:`fit` takes.

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence.

        Returns
        -------
        score : float
            R^2 of ``self.predict(X)`` against ``y``.
        """
        if not self.return_sequences:
            return super().score(X, y, sample_weight=sample_weight)
        sequences, rows = self._step_predictions(X)
        y_true = flat_step_targets(y, sequences)
        if sample_weight is not None:
            sample_weight = np.repeat(
                _check_sample_weight(sample_weight, sequences.lengths),
                sequences.lengths,
            )
        return r2_score(y_true, np.concatenate(rows), sample_weight=sample_weight)


def _pad_step_outputs(sequences, rows, fill=np.nan):
    """Per-step outputs padded to the input's length (``fill`` on padding)."""
    n_steps = sequences.values.shape[1]
    width = rows[0].shape[1:]
    padded = np.full((len(rows), n_steps, *width), fill, dtype=rows[0].dtype)
    for i, row in enumerate(rows):
        padded[i, : row.shape[0]] = row
    return padded
