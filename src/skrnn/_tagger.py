"""SequenceTagger: one label per step."""

from functools import partial

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils.validation import check_is_fitted

from ._base import BaseSequenceEstimator
from ._callbacks import score_outputs
from ._compat import StrOptions, _fit_context, scorer_function_on_stack
from ._crf import observed_transitions
from ._data import (
    flat_step_labels,
    step_label_rows,
    step_table_weights,
)
from ._docstrings import (
    AUTO_PATIENCE,
    CLASS_WEIGHT_DOC,
    TAGGER_EARLY_STOPPING_DOC,
    TAGGER_LR_WHY,
    TAGGER_SCHEDULE_WHY,
    estimator_doc,
)
from ._stats import real_steps, step_weights
from ._targets import class_weight_vector, refuse_balanced_partial_fit
from ._token_input import TOKEN_CONSTRAINTS, TOKEN_FITTED_ATTRIBUTES, TokenInputMixin
from .metrics import span_f1_score

#: Chunk-tag prefixes: IOB's, and BIOES's two more.
_CHUNK_PREFIXES = frozenset("BIES")


def chunk_scheme(classes):
    """The tagging scheme of chunk labels, or None for other labels.

    ``'BIOES'`` when the labels use ``E-`` or ``S-`` tags, ``'IOB2'`` when
    they are ``'O'``, ``B-<type>`` and ``I-<type>`` only (IOB1 reads the same
    under conlleval's rules); None when any label is not a chunk tag, or none
    is anything but ``'O'``.
    """
    prefixes = set()
    for label in classes:
        if not isinstance(label, str):
            return None
        if label == "O":
            continue
        prefix, hyphen, type_ = label.partition("-")
        if not hyphen or not type_ or prefix not in _CHUNK_PREFIXES:
            return None
        prefixes.add(prefix)
    if not prefixes:
        return None
    return "BIOES" if prefixes & {"E", "S"} else "IOB2"


def span_f1_outputs(classes, scheme, y_pred, target, lengths, weight=None):
    """Span F1 (conlleval's overall figure) of per-step outputs, as
    :class:`~skrnn._callbacks.ValidationScore` calls a score.

    Weighted steps (``sample_weight``, ``class_weight``) and a split without a
    true chunk fall back to the weighted step accuracy: span F1 has no weights,
    and without chunks it is 0 whatever the predictions.
    """
    accuracy = partial(score_outputs, "cross_entropy")
    if weight is not None:
        return accuracy(y_pred, target, lengths, weight)
    pred = y_pred.argmax(dim=-1).cpu().numpy()
    true = target.cpu().numpy()
    y_true, y_hat = [], []
    for row, n in enumerate(lengths.cpu().tolist()):
        y_true.append(classes[true[row, :n]])
        y_hat.append(classes[pred[row, :n]])
    if not any((tags != "O").any() for tags in y_true):
        return accuracy(y_pred, target, lengths)
    return span_f1_score(y_true, y_hat, scheme=scheme, zero_division=0.0)


@estimator_doc(
    bidirectional=True,
    hidden_size=200,
    dropout=0.33,
    max_epochs="'auto'",
    n_iter_no_change="'auto'",
    n_iter_no_change_why=AUTO_PATIENCE,
    early_stopping="False",
    early_stopping_doc=TAGGER_EARLY_STOPPING_DOC,
    lr="2e-3",
    lr_why=TAGGER_LR_WHY,
    lr_schedule="'cosine'",
    lr_schedule_why=TAGGER_SCHEDULE_WHY,
    class_weight=CLASS_WEIGHT_DOC
    + (
        "\n        Labels are weighed per step; with ``crf=True``, whose likelihood\n"
        "        scores whole sequences, a sequence weighs the mean weight of its\n"
        "        steps' labels."
    ),
)
class SequenceTagger(ClassifierMixin, TokenInputMixin, BaseSequenceEstimator):
    """Recurrent sequence tagger: one label per step.

    For part-of-speech tagging, chunking, named entities and per-step event
    labels. Each sequence is read by a (by default bidirectional) recurrent
    encoder; a linear layer scores the labels of each step, optionally followed
    by a linear-chain CRF (``crf=True``) decoded by Viterbi so that label
    sequences stay consistent.

    ``X`` is a list of sequences in one of three forms:

    - tokens: each sequence a list of strings (words). The vocabulary is learnt
      in fit; words seen fewer than ``min_frequency`` times train the
      unknown-word embedding, and a character-level encoder of each word
      (``char_features``) represents words never seen in fit by their spelling;
    - tokens with several fields: each token a tuple of strings, for example
      ``(word, part_of_speech)``; each field gets its own embedding and the
      first field is the word;
    - numbers: each sequence a 2-D ``(n_steps_i, n_features)`` array (or a 3-D
      array of equal-length sequences), as the other estimators take.

    A 2-D numeric array is read as scikit-learn's checks give it: rows are steps
    and columns features, split into sequences by the ``lengths`` argument of
    ``fit`` and ``predict`` (the hmmlearn and seqlearn convention); without
    ``lengths`` each row is a sequence of one step. ``y`` is then a flat 1-D
    array of row labels and ``predict`` returns one.

    Parameters
    ----------
    {core_params}

    crf : bool, default=True
        Add a linear-chain CRF output layer, trained by its likelihood and
        decoded by Viterbi. Transitions, first and last labels never seen in the
        training labels are forbidden, so for example ``I-NP`` never follows
        ``O`` when the data never has it. ``predict_proba`` then returns the
        CRF's per-step marginal probabilities.

    {token_params}

    {training_params}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Labels seen in fit.

    vocabularies_ : list of dict
        For token input: one vocabulary (value -> id) per token field.

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Mean training loss of each epoch (per step).

    net_ : skorch.NeuralNet
        The fitted skorch network, for power users.

    Notes
    -----
    Defaults: the recipe tuned on UD English EWT part-of-speech tags (see
    :doc:`/benchmarks`), so that ``SequenceTagger()`` tags as well as that
    tuned configuration without any setting. A bidirectional LSTM of 200 per
    direction, because a tag depends on the words on both sides, with dropout
    0.33; Adam at 2e-3 annealed by a cosine schedule over about 8,000 gradient
    steps (``max_epochs='auto'``: 24 epochs of EWT, more for smaller corpora,
    whose epochs hold fewer steps), on every training sentence, and the
    last epoch kept (``early_stopping=False``: setting a tenth aside to pick
    an epoch cost accuracy on EWT and Dutch NER). A fit on EWT's 12,544
    sentences runs 24 epochs, about 8 minutes on one CPU thread (timings on
    :doc:`/benchmarks`). For words never seen in fit, a character encoder
    with 100 filters, ``min_frequency=2``, ``word_dropout=0.25`` and
    lower-cased word lookup, because together they tag unseen words, and so
    the whole text, better than a smaller encoder with case-sensitive lookup
    and no word dropout does. A CRF, as in the
    tuned recipe: it keeps chunk and entity tags consistent, and the recipe
    reached its part-of-speech accuracy with it; ``crf=False`` trains and tags
    faster.

    Examples
    --------
    >>> from skrnn import SequenceTagger
    >>> X = [["the", "dog", "runs"], ["a", "cat", "sleeps"], ["the", "cat", "runs"]]
    >>> y = [["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"]]
    >>> tagger = SequenceTagger(random_state=0).fit(X, y)
    >>> tagger.predict([["a", "dog", "sleeps"]])[0].tolist()
    ['DET', 'NOUN', 'VERB']
    """

    _parameter_constraints = {
        **BaseSequenceEstimator._parameter_constraints,
        "crf": ["boolean"],
        **TOKEN_CONSTRAINTS,
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    _loss_kind = "cross_entropy"
    _explains_steps = True

    _fitted_attributes = {
        **BaseSequenceEstimator._fitted_attributes,
        "classes_": "labels",
        **TOKEN_FITTED_ATTRIBUTES,
    }
    _required_attributes = (*BaseSequenceEstimator._required_attributes, "classes_")

    def _n_outputs(self):
        return len(self.classes_)

    def __init__(
        self,
        cell="lstm",
        hidden_size=200,
        num_layers=1,
        *,
        bidirectional=True,
        dropout=0.33,
        nonlinearity="tanh",
        crf=True,
        embedding_dim=100,
        char_features=100,
        min_frequency=2,
        max_vocabulary=None,
        word_dropout=0.25,
        lowercase=True,
        word_vectors=None,
        freeze_word_vectors=False,
        max_epochs="auto",
        batch_size=32,
        length_buckets=True,
        lr=2e-3,
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        tol=1e-4,
        n_iter_no_change="auto",
        early_stopping=False,
        validation_fraction=0.1,
        lr_schedule="cosine",
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
        self.crf = crf
        self.embedding_dim = embedding_dim
        self.char_features = char_features
        self.min_frequency = min_frequency
        self.max_vocabulary = max_vocabulary
        self.word_dropout = word_dropout
        self.lowercase = lowercase
        self.word_vectors = word_vectors
        self.freeze_word_vectors = freeze_word_vectors
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
        self.lr_schedule = lr_schedule
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.class_weight = class_weight
        self.standardize = standardize
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose

    # -- hooks of the base class ---------------------------------------------------

    def _input_options(self):
        return {**super()._input_options(), "rows": "steps"}

    def _record_input(self, spec):
        super()._record_input(spec)
        if spec.kind == "numbers":
            self._input_kind = "numbers"
            self.vocabularies_ = None

    def _per_step_targets(self):
        return True

    def _check_weights(self, sample_weight, sequences):
        if sequences.layout == "flat":
            # One weight per row (step), as scikit-learn passes them.
            return step_table_weights(sample_weight, sequences.lengths)
        return super()._check_weights(sample_weight, sequences)

    def _encode_targets(self, y, sequences, sample_weight, *, reset, classes=None):
        flat = np.concatenate(step_label_rows(y, sequences))
        lengths = sequences.lengths
        inside = real_steps(lengths, lengths.max())
        present = None
        if sample_weight is not None:
            present = step_weights(lengths, lengths.max(), sample_weight)[inside] > 0
        codes = self._encode_classes(flat, present, reset=reset, classes=classes)
        targets = np.zeros(inside.shape, dtype=np.int64)
        targets[inside] = codes
        return targets, len(self.classes_)

    def _target_weights(self, targets, sample_weight, sequences):
        if self.class_weight is None:
            return sample_weight
        inside = real_steps(sequences.lengths, targets.shape[1])
        step_weight = class_weight_vector(
            self.class_weight, self.classes_, targets[inside]
        )[targets]
        if sample_weight is None:
            return step_weight
        if sample_weight.ndim == 1:
            return step_weight * sample_weight[:, None]
        return step_weight * sample_weight

    def _network_kwargs(self):
        return {**super()._network_kwargs(), "per_step": True}

    def _criterion(self, n_outputs):
        if not self.crf:
            return super()._criterion(n_outputs)
        return ("crf", n_outputs)

    def _validation_score(self):
        scheme = chunk_scheme(self.classes_)
        if scheme is None:
            return super()._validation_score()
        return "span F1", partial(span_f1_outputs, self.classes_, scheme)

    def _prepare_net(self, net, targets, sequences):
        super()._prepare_net(net, targets, sequences)
        if self.crf:
            net.criterion_.crf.set_allowed_transitions(
                *self._observed_transitions(targets, sequences)
            )

    def _continue_net(self, net, targets, sequences):
        """The CRF also allows what this call's labels show: a transition,
        first or last tag seen in any training call is allowed (a label
        declared with ``classes=`` and absent at first is learnt once seen)."""
        super()._continue_net(net, targets, sequences)
        if self.crf:
            crf = net.criterion_.crf
            before = (crf.allowed_transitions, crf.allowed_start, crf.allowed_end)
            seen = self._observed_transitions(targets, sequences)
            crf.set_allowed_transitions(
                *(old.cpu() | new for old, new in zip(before, seen, strict=True))
            )

    def _observed_transitions(self, targets, sequences):
        return observed_transitions(
            torch.as_tensor(targets),
            torch.as_tensor(sequences.lengths),
            len(self.classes_),
        )

    # -- public API ------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, lengths=None):
        """Fit the tagger to sequences ``X`` and label sequences ``y``.

        Parameters
        ----------
        X : list of sequences or array-like
            Token sequences or numeric sequences; see the class description.

        y : list of array-like, or array-like of shape (n_rows,)
            One label per step: a list of label sequences as long as those of
            ``X``, or a flat array of row labels for a 2-D array ``X``.

        sample_weight : array-like, default=None
            One weight per sequence (one per row for a 2-D array ``X``).

        lengths : array-like of int, default=None
            For a 2-D array ``X`` only: the lengths of the consecutive
            sequences its rows form. Default: each row is its own sequence.

        Returns
        -------
        self : SequenceTagger
            The fitted tagger.
        """
        return self._fit_with_rollback(
            X, y, sample_weight, incremental=False, lengths=lengths
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None, lengths=None):
        """Train for one epoch, continuing from earlier calls.

        Parameters
        ----------
        X, y
            As in :meth:`fit`.

        classes : array-like, default=None
            Every label that can occur, given on the first call; by default the
            labels of the first call's ``y``. Later calls cannot bring new
            labels.

        sample_weight, lengths : array-like, default=None
            As in :meth:`fit`.

        Returns
        -------
        self : SequenceTagger
            The updated tagger.
        """
        refuse_balanced_partial_fit(self.class_weight)
        return self._fit_with_rollback(
            X, y, sample_weight, incremental=True, classes=classes, lengths=lengths
        )

    def predict(self, X, lengths=None):
        """Label of each step.

        Parameters
        ----------
        X : list of sequences or array-like
            As in :meth:`fit`.

        lengths : array-like of int, default=None
            For a 2-D array ``X`` only, as in :meth:`fit`.

        Returns
        -------
        y_pred : list of ndarray, or ndarray of shape (n_rows,)
            One array of labels per sequence (a flat array for 2-D ``X``).
        """
        if self.crf:
            transform = self._decode
        else:
            transform = _argmax
        sequences, outputs = self._forward(X, transform, lengths=lengths)
        if sequences.layout != "flat":
            _refuse_foreign_metrics()
        rows = [self.classes_[r] for r in outputs]
        return np.concatenate(rows) if sequences.layout == "flat" else rows

    def predict_proba(self, X, lengths=None):
        """Probability of each label at each step.

        With ``crf=True`` these are the CRF's marginal probabilities.

        Parameters
        ----------
        X : list of sequences or array-like
            As in :meth:`fit`.

        lengths : array-like of int, default=None
            For a 2-D array ``X`` only, as in :meth:`fit`.

        Returns
        -------
        proba : list of ndarray of shape (n_steps_i, n_classes), or ndarray
            One array per sequence (one 2-D array for 2-D ``X``), columns in the
            order of ``classes_``.
        """
        transform = self._marginals if self.crf else _softmax
        sequences, outputs = self._forward(X, transform, lengths=lengths)
        if sequences.layout != "flat":
            _refuse_foreign_metrics()
        rows = outputs
        return np.concatenate(rows) if sequences.layout == "flat" else rows

    def transform(self, X, lengths=None):
        """The top recurrent layer's output at each step: what the head reads.

        Both directions concatenated when bidirectional (for an LSTM, the hidden
        state ``h``). A step's vector does not depend on the other sequences of
        its batch.

        Parameters
        ----------
        X : list of sequences or array-like
            As in :meth:`fit`.

        lengths : array-like of int, default=None
            For a 2-D array ``X`` only, as in :meth:`fit`.

        Returns
        -------
        X_new : list of ndarray of shape (n_steps_i, n_features_out), or ndarray
            float64, one array per sequence (one 2-D array of rows for 2-D
            ``X``, which ``set_output(transform="pandas")`` makes a DataFrame).
        """
        return self._transform(X, lengths=lengths)

    def score(self, X, y, sample_weight=None, lengths=None):
        """Token accuracy: the share of steps labelled correctly.

        Parameters
        ----------
        X : list of sequences or array-like
            As in :meth:`fit`.

        y : list of array-like, or array-like of shape (n_rows,)
            True labels, as in :meth:`fit`.

        sample_weight : array-like, default=None
            One weight per sequence (per row for a 2-D array ``X``).

        lengths : array-like of int, default=None
            For a 2-D array ``X`` only, as in :meth:`fit`.

        Returns
        -------
        score : float
            Token accuracy.
        """
        check_is_fitted(self)
        y_pred = self.predict(X, lengths=lengths)
        if isinstance(y_pred, list):
            y, sample_weight = flat_step_labels(
                y, [len(p) for p in y_pred], sample_weight
            )
            y_pred = np.concatenate(y_pred)
        return accuracy_score(y, y_pred, sample_weight=sample_weight)

    def _decode(self, y_pred, lengths):
        return self.net_.criterion_.decode(y_pred, lengths)

    def _marginals(self, y_pred, lengths):
        return self.net_.criterion_.crf.marginals(y_pred, lengths.to(y_pred.device))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Not a "classifier" to scikit-learn's model selection: with an int or
        # the default ``cv`` it would stratify on ``y``, and a list of tag
        # sequences has no class per sample to stratify on (``check_cv`` fails
        # on it). Every default splitter is then KFold, as sequence data needs.
        # The classifier tags (and scikit-learn's classifier checks, run on it
        # explicitly by tests/test_common.py) stay.
        tags.estimator_type = None
        return tags


def _refuse_foreign_metrics():
    """A clear error instead of NaN scores when a scikit-learn metric string
    (``scoring='f1_macro'``) is about to score tag sequences: scikit-learn's
    metrics take one label per sample and fail on a list of label sequences."""
    function = scorer_function_on_stack()
    if function is None or function.__module__.startswith("skrnn."):
        return
    raise TypeError(
        f"The scorer using sklearn's {function.__name__} cannot score tag "
        "sequences: scikit-learn's metrics take one label per sample, not a list "
        "of label sequences. Use skrnn.metrics' scorers instead, for example "
        "scoring=skrnn.metrics.flat_accuracy_scorer, flat_f1_scorer or "
        "span_f1_scorer, or make_scorer(skrnn.metrics.flat_f1_score, "
        "average='macro') for the flattened macro F1."
    )


def _argmax(y_pred, lengths):
    return y_pred.argmax(dim=-1)


def _softmax(y_pred, lengths):
    return torch.softmax(y_pred.to(torch.float64), dim=-1)
