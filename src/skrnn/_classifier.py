"""RNNClassifier: one label per sequence."""

import numpy as np
from sklearn.base import ClassifierMixin

from ._base import BaseSequenceEstimator
from ._compat import StrOptions, _fit_context
from ._data import DEFAULT_TOKEN_PATTERN, check_sequence_labels
from ._docstrings import (
    AUTO_PATIENCE,
    CLASS_WEIGHT_DOC,
    DOCUMENT_CHARS_WHY,
    RECIPE_LR_WHY,
    RECIPE_SCHEDULE_WHY,
    estimator_doc,
)
from ._modules import READOUTS
from ._targets import class_weight_vector, refuse_balanced_partial_fit
from ._token_input import (
    DOCUMENT_CONSTRAINTS,
    TOKEN_CONSTRAINTS,
    TOKEN_FITTED_ATTRIBUTES,
    TokenInputMixin,
)


@estimator_doc(
    class_weight=CLASS_WEIGHT_DOC,
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
class RNNClassifier(ClassifierMixin, TokenInputMixin, BaseSequenceEstimator):
    """Recurrent neural network classifier: one label per sequence.

    A stack of recurrent layers (LSTM, GRU or vanilla RNN) reads each sequence;
    a readout summarises it into one vector and a linear layer with softmax gives
    the class probabilities. Trained by cross-entropy through skorch.

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

    {token_params}

    {document_params}

    {training_params}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in fit.

    n_features_in_ : int
        Number of columns of a 2-D ``X`` (its number of steps), else the number
        of features per step.

    n_step_features_ : int
        Number of features per step (1 for 2-D ``X``).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.

    input_mean_, input_scale_ : ndarray of shape (`n_step_features_`,)
        Per-feature standardisation learnt in fit.

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Mean training loss of each epoch.

    net_ : skorch.NeuralNet
        The fitted skorch network, for power users (history, module, callbacks).

    Notes
    -----
    ``X`` may be a 3-D array ``(n_sequences, n_steps, n_features)``, a 2-D array
    ``(n_sequences, n_steps)`` of univariate sequences, a list of arrays
    ``(n_steps_i, n_features)`` or ``(n_steps_i,)`` of different lengths, an
    array padded with trailing all-NaN steps, or a DataFrame. Sequences of
    different lengths are run so that padding never reaches a real step (as with
    packing, but on the fused kernels), and a
    prediction does not depend on the other sequences of its batch. A model
    fitted on a 2-D array checks the number of columns at predict time, as
    every scikit-learn estimator does; to predict on other lengths, pass a list
    or a 3-D array ``X[:, :, None]`` instead.

    {dtype_note}

    {recipe_cost_note}

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(60, 12, 2).astype(np.float32)
    >>> y = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
    >>> clf = RNNClassifier(hidden_size=16, max_epochs=30, random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    >>> clf.classes_
    array(['down', 'up'], dtype='<U4')
    """

    _parameter_constraints = {
        **BaseSequenceEstimator._parameter_constraints,
        **TOKEN_CONSTRAINTS,
        **DOCUMENT_CONSTRAINTS,
        "readout": [StrOptions(set(READOUTS))],
        "front_end": [StrOptions({"auto", "conv"}), None],
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    _reads_documents = True

    _loss_kind = "cross_entropy"
    _explains_steps = True

    #: Initialisation of the recurrent weights (see RecurrentEncoder): on the
    #: shared real data sets the orthogonal one with an open forget gate
    #: stalled less often at the start of training.
    _recurrent_init = "orthogonal"

    _fitted_attributes = {
        **BaseSequenceEstimator._fitted_attributes,
        **TOKEN_FITTED_ATTRIBUTES,
        "classes_": "labels",
    }
    _required_attributes = (*BaseSequenceEstimator._required_attributes, "classes_")

    def _n_outputs(self):
        return len(self.classes_)

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
        class_weight=None,
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
        self.class_weight = class_weight
        self.standardize = standardize
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose

    def _encode_targets(self, y, sequences, sample_weight, *, reset, classes=None):
        y = check_sequence_labels(y, len(sequences))
        present = None if sample_weight is None else sample_weight > 0
        targets = self._encode_classes(y, present, reset=reset, classes=classes)
        return targets, len(self.classes_)

    def _target_weights(self, targets, sample_weight, sequences):
        if self.class_weight is None:
            return sample_weight
        weight = class_weight_vector(self.class_weight, self.classes_, targets)[targets]
        return weight if sample_weight is None else weight * sample_weight

    def _network_kwargs(self):
        return {
            **super()._network_kwargs(),
            "init": self._recurrent_init,
            "front_end": self._resolved_front_end(),
            "readout": self.readout,
        }

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the classifier to sequences ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        y : array-like of shape (n_sequences,)
            Class labels (numbers or strings).

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence in the loss. Integer weights train as
            repeating the sequence would (exactly so when a batch holds the
            whole data set); zero removes it.

        Returns
        -------
        self : RNNClassifier
            The fitted classifier.
        """
        return self._fit_with_rollback(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on ``X`` and ``y``, continuing from earlier calls.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        y : array-like of shape (n_sequences,)
            Class labels, all among ``classes``.

        classes : array-like of shape (n_classes,), default=None
            Every class that can occur. Required on the first call, and must not
            change on later calls.

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence in the loss.

        Returns
        -------
        self : RNNClassifier
            The updated classifier.
        """
        first = not hasattr(self, "net_")
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        refuse_balanced_partial_fit(self.class_weight)
        return self._fit_with_rollback(
            X, y, sample_weight, incremental=True, classes=classes
        )

    def predict_proba(self, X):
        """Class probabilities of each sequence.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        Returns
        -------
        proba : ndarray of shape (n_sequences, n_classes)
            Probabilities in the order of ``classes_``.
        """
        logits = self._forward(X)[1]
        # In place: the output array is all the memory a prediction keeps.
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits, out=logits)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X):
        """Most probable class of each sequence.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences; see the class Notes for the accepted forms.

        Returns
        -------
        y_pred : ndarray of shape (n_sequences,)
            Predicted labels.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
