"""RNNAnomalyDetector: sequences scored by how well a network trained on
normal ones predicts their steps.

The detector trains the shared recurrent network of the other estimators
through :meth:`BaseSequenceEstimator._fit`, with the sequences as their own
per-step targets: the network either predicts each step from the steps before
it (``method='prediction'``) or rebuilds every step from the encoder's final
state (``method='reconstruction'``, see
:class:`~skrnn._modules.ReconstructionDecoder`). A step's error is its mean
squared error over the standardised features; a sequence's score is minus the
mean error of its steps. The thresholds follow scikit-learn's outlier
detectors (:class:`~sklearn.ensemble.IsolationForest`).
"""

from numbers import Real

import numpy as np
from sklearn.base import OutlierMixin
from sklearn.utils.validation import check_is_fitted

from ._base import BaseSequenceEstimator
from ._compat import Interval, StrOptions, _fit_context
from ._docstrings import (
    AUTO_PATIENCE,
    RECIPE_LR_WHY,
    RECIPE_SCHEDULE_WHY,
    estimator_doc,
)
from ._scaling import input_moments

#: What ``fit`` passes the base as ``y``: the sequences are their own targets.
_OWN_STEPS = "the sequences' own steps"

#: The network objective of each ``method``.
_OBJECTIVES = {"prediction": "next_step", "reconstruction": "reconstruction"}

#: ``contamination='auto'`` flags the scores below the lower Tukey fence of the
#: training scores: ``Q1 - 1.5 IQR``.
_TUKEY = 1.5


@estimator_doc(
    max_epochs=200,
    lr="1e-2",
    lr_why=RECIPE_LR_WHY,
    lr_schedule="'plateau'",
    lr_schedule_why=RECIPE_SCHEDULE_WHY,
    n_init=1,
    n_iter_no_change="'auto'",
    n_iter_no_change_why=AUTO_PATIENCE,
)
class RNNAnomalyDetector(OutlierMixin, BaseSequenceEstimator):
    """Recurrent neural network anomaly detector of sequences.

    Fitted on normal sequences only (``y`` is ignored), the network learns to
    predict their steps; sequences whose steps it predicts badly are
    anomalies. The interface is scikit-learn's for outlier detectors (that of
    :class:`~sklearn.ensemble.IsolationForest`): :meth:`score_samples` (higher
    is more normal), :meth:`decision_function` (negative for outliers),
    :meth:`predict` (+1 inliers, -1 outliers) and :meth:`fit_predict`;
    :meth:`step_errors` tells which steps of a sequence are anomalous.

    Parameters
    ----------
    method : {'prediction', 'reconstruction'}, default='prediction'
        How the network predicts the steps. ``'prediction'``: each step from
        the steps before it (the next-step error of Malhotra et al. 2015), so
        a step that breaks the pattern so far stands out at that step.
        ``'reconstruction'``: every step from the encoder's final state, by an
        unconditioned decoder that rebuilds the sequence backwards (EncDec-AD,
        Malhotra et al. 2016), so the whole sequence must fit what the code
        can hold. ``'prediction'`` is the default: trained on one class of
        the shared real data sets (ArrowHead, BasicMotions), it told the other
        classes apart better on both, and it trains a network without a
        decoder, in less time (see :doc:`/benchmarks`).

    contamination : 'auto' or float in (0, 0.5], default='auto'
        Share of outliers expected in the training sequences, which sets the
        threshold ``offset_``: with a float, that share of the training
        sequences is flagged (their scores are below the threshold), as in
        :class:`~sklearn.ensemble.IsolationForest`. ``'auto'`` puts it at the
        lower Tukey fence of the training scores, ``Q1 - 1.5 (Q3 - Q1)``: a
        score further below the typical ones than the typical ones spread.
        Training sequences are predicted better than new normal ones, so the
        threshold is best set with a float on held-out normal sequences, or
        :meth:`score_samples` ranked directly.

    {core_params}

    {training_params}

    Attributes
    ----------
    offset_ : float
        Threshold on :meth:`score_samples`: ``decision_function`` is
        ``score_samples - offset_``, and a sequence is an outlier below zero.

    n_features_in_ : int
        Number of columns of a 2-D ``X`` (its number of steps), else the number
        of features per step.

    n_step_features_ : int
        Number of features per step (1 for 2-D ``X``).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.

    input_mean_, input_scale_ : ndarray of shape (`n_step_features_`,)
        Per-feature standardisation learnt in fit; the errors are measured in
        these units, so every feature weighs alike.

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Mean training loss (the mean step error) of each epoch.

    net_ : skorch.NeuralNet
        The fitted skorch network, for power users.

    Notes
    -----
    ``X`` takes every numeric form of the other estimators: a 3-D array
    ``(n_sequences, n_steps, n_features)``, a 2-D array ``(n_sequences,
    n_steps)`` of univariate sequences, a list of arrays ``(n_steps_i,
    n_features)`` or ``(n_steps_i,)`` of different lengths, an array padded
    with trailing all-NaN steps, or a DataFrame (long-format tables through
    :func:`skrnn.preprocessing.from_long_format`). Sequences of different
    lengths score independently of each other: a sequence's score does not
    depend on the other sequences of its batch. A sequence's score is the mean
    of its step errors, so it does not grow with its length.

    {dtype_note}

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RNNAnomalyDetector
    >>> t = np.linspace(0, 4 * np.pi, 40)
    >>> rng = np.random.RandomState(0)
    >>> normal = np.sin(t + rng.uniform(0, 2 * np.pi, (60, 1)))
    >>> detector = RNNAnomalyDetector(hidden_size=16, max_epochs=60,
    ...                               random_state=0).fit(normal)
    >>> spiked = normal[:2].copy()
    >>> spiked[:, 25] += 3.0
    >>> scores = detector.score_samples(np.vstack([normal[:2], spiked]))
    >>> bool(scores[2:].max() < scores[:2].min())
    True
    >>> [int(errors.argmax()) for errors in detector.step_errors(spiked)]
    [25, 25]
    """

    _parameter_constraints = {
        **BaseSequenceEstimator._parameter_constraints,
        "method": [StrOptions(set(_OBJECTIVES))],
        "contamination": [
            StrOptions({"auto"}),
            Interval(Real, 0, 0.5, closed="right"),
        ],
    }

    _loss_kind = "mse"

    #: As the regressor's (see RNNRegressor._recurrent_init).
    _recurrent_init = "orthogonal"

    _fitted_attributes = {
        **BaseSequenceEstimator._fitted_attributes,
        "offset_": "float_or_none",
    }
    _required_attributes = (
        *BaseSequenceEstimator._required_attributes,
        "offset_",
        "n_step_features_",
    )

    def __init__(
        self,
        method="prediction",
        contamination="auto",
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        max_epochs=200,
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
        self.method = method
        self.contamination = contamination
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.nonlinearity = nonlinearity
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

    # -- hooks of the base ------------------------------------------------------

    def _n_outputs(self):
        return self.n_step_features_

    def _per_step_targets(self):
        return True

    def _per_step_outputs(self, representation):
        # The representation is one code per sequence.
        return not representation

    def _network_kwargs(self):
        return {
            "init": self._recurrent_init,
            "readout": "last",
            "per_step": True,
            "objective": _OBJECTIVES[self.method],
        }

    def _encode_targets(self, y, sequences, sample_weight, *, reset, classes=None):
        # The steps are their own targets (scaled in _scale_targets).
        return sequences.values, sequences.values.shape[2]

    def _scale_targets(self, targets, sequences, weight, *, reset):
        # The moments the base learns for the inputs, from the same set: the
        # targets are the standardised inputs.
        mean, scale = (
            input_moments(sequences, weight, standardize=self.standardize)
            if reset
            else (self.input_mean_, self.input_scale_)
        )
        return ((targets - mean) / scale).astype(self._dtype)

    def _check_params_consistency(self):
        super()._check_params_consistency()
        if self.method == "prediction" and self.bidirectional:
            raise ValueError(
                "method='prediction' predicts each step from the steps before it, "
                "which a backward direction would let the network read; got "
                "bidirectional=True. Use bidirectional=False, or "
                "method='reconstruction'."
            )

    # -- fitting ----------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the detector to normal sequences ``X``.

        Parameters
        ----------
        X : array-like or list of array-like
            Normal sequences; see the class Notes for the accepted forms.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : RNNAnomalyDetector
            The fitted detector.
        """
        net_before = vars(self).get("net_")
        self._fit_with_rollback(X, _OWN_STEPS, None, incremental=False)
        if vars(self).get("net_") is net_before:
            return self  # interrupted before the first epoch (it warned)
        scores = self.score_samples(X)
        if self.contamination == "auto":
            low, high = np.percentile(scores, [25, 75])
            self.offset_ = float(low - _TUKEY * (high - low))
        else:
            # As IsolationForest: that share of the training scores lies below.
            self.offset_ = float(np.percentile(scores, 100 * self.contamination))
        return self

    # -- scoring ------------------------------------------------------------------

    def _step_errors(self, X):
        """Parsed ``X`` and one ``(n_steps_i,)`` array of step errors per
        sequence."""
        sequences, outputs = self._forward(X)
        errors = []
        for values, length, predicted in zip(
            sequences.values, sequences.lengths, outputs, strict=True
        ):
            target = (values[:length] - self.input_mean_) / self.input_scale_
            errors.append(np.square(predicted - target).mean(axis=1))
        return sequences, errors

    def step_errors(self, X):
        """How anomalous each step of each sequence is: its prediction error.

        The squared error of the network's prediction of the step (from the
        steps before it, or from the sequence's code with
        ``method='reconstruction'``), averaged over the standardised features.
        Higher is more anomalous; :meth:`score_samples` is minus the mean over
        a sequence's steps.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        Returns
        -------
        errors : list of ndarray of shape (n_steps_i,)
            One float64 array per sequence, one error per real step (padding
            has none), whatever the form of ``X``.
        """
        return self._step_errors(X)[1]

    def score_samples(self, X):
        """Normality of each sequence: minus the mean error of its steps.

        Higher is more normal, as in scikit-learn's outlier detectors.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        Returns
        -------
        scores : ndarray of shape (n_sequences,)
            Minus the mean of :meth:`step_errors` over each sequence's steps.
        """
        errors = self._step_errors(X)[1]
        return -np.array([e.mean() for e in errors], dtype=np.float64)

    def decision_function(self, X):
        """Score shifted by the threshold: negative for outliers.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        Returns
        -------
        decision : ndarray of shape (n_sequences,)
            ``score_samples(X) - offset_``.
        """
        check_is_fitted(self)
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Whether each sequence is an inlier (+1) or an outlier (-1).

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        Returns
        -------
        labels : ndarray of shape (n_sequences,)
            +1 where :meth:`decision_function` is at least zero, else -1.
        """
        decision = self.decision_function(X)
        return np.where(decision >= 0, 1, -1)

    def transform(self, X):
        """The code of each sequence: the encoder's final state.

        With ``method='reconstruction'`` the decoder rebuilds the sequence from
        it; with ``'prediction'`` it is the summary of the whole sequence that
        the step after it would be predicted from (the top layer's output at
        the sequence's own last step, both directions when bidirectional; for
        an LSTM the hidden state ``h``). Features for clustering or a
        classifier in a :class:`~sklearn.pipeline.Pipeline`; a sequence's code
        does not depend on the other sequences of its batch.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        Returns
        -------
        X_new : ndarray of shape (n_sequences, n_features_out)
            float64, one row per sequence; columns named by
            :meth:`get_feature_names_out`.
        """
        return self._transform(X)
