"""SequenceTranslator: a new sequence of its own length for each sequence."""

import dataclasses
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _net
from ._base import BaseSequenceEstimator
from ._batching import make_dataset, make_translation_dataset, train_valid_datasets
from ._callers import caller_stacklevel
from ._compat import Interval, StrOptions, _fit_context, validate_parameters
from ._data.translations import (
    N_RESERVED,
    TargetKind,
    as_target_type,
    characters_as_tokens,
    decode_ids,
    encode_target_sequences,
    fit_output_tokens,
    parse_target_sequences,
)
from ._docstrings import estimator_doc
from ._seq2seq import ATTENTIONS
from ._token_input import TOKEN_CONSTRAINTS, TOKEN_FITTED_ATTRIBUTES, TokenInputMixin

#: Without ``max_output_length``, decoding stops at this many times the
#: longest training target, so that it always ends.
OUTPUT_LENGTH_FACTOR = 2

#: ``max_epochs='auto'``: about this many gradient steps, in at least and at
#: most this many epochs (16 epochs of CMUdict's 1,446 batches of 64 words,
#: which one CPU thread trains in about 25 minutes).
AUTO_STEPS = 22000
AUTO_EPOCHS = (5, 100)

MAX_EPOCHS_AUTO = (
    "``'auto'`` is about 22,000 gradient steps:\n"
    "        ``ceil(22000 / n_batches)`` epochs, ``n_batches`` the training batches\n"
    "        of an epoch, but at least 5 and at most 100: 16 epochs of the\n"
    "        92,500 words of CMUdict (about 25 minutes of one CPU thread),\n"
    "        and 100 of up to about 14,000 sequences (220 batches)."
)


TRANSLATOR_SCHEDULE_WHY = (
    "\n        ``'cosine'`` is the default: annealing the rate to zero over a planned\n"
    "        number of epochs (``max_epochs='auto'``) gave a lower word error rate\n"
    "        in the same time than the plateau schedule, which rarely cuts the\n"
    "        rate within the few epochs a large data set gets (see\n"
    "        :doc:`/benchmarks`). Training then ends at ``max_epochs`` by design\n"
    "        (with ``early_stopping``, the best epoch on the validation split is\n"
    "        kept)."
)


@estimator_doc(
    bidirectional=True,
    hidden_size=128,
    lowercase=False,
    embedding_dim=64,
    char_features=0,
    min_frequency=1,
    word_dropout=0.0,
    lr="5e-3",
    lr_why=(
        "\n        With the cosine schedule and batches of 64, the rate that learnt\n"
        "        grapheme-to-phoneme conversion fastest per second of CPU (3e-3\n"
        "        and 8e-3 were measured too; see :doc:`/benchmarks`)."
    ),
    lr_schedule="'cosine'",
    lr_schedule_why=TRANSLATOR_SCHEDULE_WHY,
    max_epochs="'auto'",
    max_epochs_auto=MAX_EPOCHS_AUTO,
    n_init=1,
    batch_size=64,
    batch_size_why=(
        "Number of sequences per gradient step. 64, not 32: a CPU recurrent\n"
        "        step costs about as much for 64 sequences as for 32 (an epoch of\n"
        "        grapheme-to-phoneme data takes two thirds of the time), and\n"
        "        the annealed schedule learns as much per epoch (see\n"
        "        :doc:`/benchmarks`)."
    ),
)
class SequenceTranslator(TokenInputMixin, BaseSequenceEstimator):
    """Recurrent encoder-decoder with attention: sequences to sequences.

    For spelling to pronunciation, transliteration, normalisation of dates and
    numbers, translation, and generation. A (by default bidirectional)
    recurrent encoder reads each input sequence; a recurrent decoder writes the
    output one token at a time, attending over the encoder's outputs (Luong et
    al. 2015), until it emits an end-of-sequence token. Training is by
    teacher forcing: the cross-entropy of each target token given the true
    tokens before it. :meth:`predict` searches greedily or, with
    ``beam_size > 1``, by beam search; :meth:`sample` draws outputs at a
    ``temperature``.

    ``X`` is a list of sequences: strings (sequences of characters), lists of
    tokens (strings, or tuples of strings with several fields, read by the
    shared token pipeline with its vocabularies and unknown-token embedding),
    or numeric sequences (2-D arrays ``(n_steps_i, n_features)``, a 3-D array,
    or a 2-D table whose rows are univariate sequences). ``y`` is a list of
    target sequences of any lengths: strings (sequences of characters), lists
    of tokens (strings or numbers, one type throughout), or a 1-D array of
    scalars (each a target of one token). :meth:`predict` returns them in the
    type ``y`` had: strings stay strings, lists stay lists, a 1-D array gives
    a 1-D array. The output vocabulary is the tokens of ``y`` in the first
    fit; unknown input tokens at predict time read the unknown-token
    embedding.

    Parameters
    ----------
    {core_params}

    attention : {'additive', 'general', 'dot'}, default='additive'
        How the decoder scores the encoder's outputs: ``'additive'`` is
        Bahdanau's ``v . tanh(W s + U h)``; ``'general'`` is multiplicative,
        ``s . W h`` (Luong); ``'dot'`` is ``s . h`` (needs
        ``bidirectional=False``). Additive is the default: on
        grapheme-to-phoneme data it reached a lower validation loss and phoneme
        error rate in the same number of epochs, for about 10 % more time per
        epoch (see :doc:`/benchmarks`).

    beam_size : int, default=1
        Hypotheses kept per sequence by :meth:`predict`: 1 is greedy
        decoding, larger values run a batched beam search. Can be changed
        after fit.

    length_penalty : float, default=1.0
        Beam search ranks hypotheses by their log-probability divided by
        ``length ** length_penalty`` (tokens, end-of-sequence included), so
        that it does not favour short outputs; 0 ranks by log-probability.

    max_output_length : int or None, default=None
        Longest output :meth:`predict` and :meth:`sample` write (tokens, before
        the end-of-sequence token). None: twice the longest training target,
        so that decoding always ends. A training target longer than a given
        ``max_output_length`` warns in fit (it trains, but can never be
        predicted whole).

    {token_params}

    {training_params}

    Attributes
    ----------
    output_tokens_ : list
        The output vocabulary: every token of the training targets, sorted.

    max_output_length_ : int
        The decoding limit :meth:`predict` uses when ``max_output_length`` is
        None: twice the longest target of any fit so far (``warm_start`` and
        :meth:`partial_fit` raise it for longer targets, never lower it).

    vocabularies_ : list of dict
        For token input: one vocabulary (value -> id) per token field.

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Mean training loss of each epoch (per target token).

    net_ : skorch.NeuralNet
        The fitted skorch network, for power users.

    Notes
    -----
    ``class_weight`` does not apply: there is no one class per sequence (use
    ``sample_weight``). Early stopping scores the validation split by the
    teacher-forced token accuracy. ``X`` strings are read character by
    character; pass lists of words for a word-level model.

    Defaults: chosen for learning per second of CPU on grapheme-to-phoneme
    conversion (CMUdict, see :doc:`/benchmarks`). A bidirectional LSTM of 128
    and additive attention; batches of 64, whose epochs cost two thirds of
    those of 32 on a CPU; Adam at 5e-3 annealed to zero by a cosine schedule
    over about 22,000 gradient steps (``max_epochs='auto'``), so that a fit
    ends by itself: 16 epochs of CMUdict's 92,500 training words, about 25
    minutes of one CPU thread, and at most 100 epochs of a small data set (a few
    seconds to minutes). From 2,000 sequences on, a tenth is set aside to
    keep the best epoch (``early_stopping='auto'``). For more data, or a
    larger network, raise ``max_epochs`` or ``hidden_size``: the
    cost grows with both.

    Examples
    --------
    >>> from skrnn import SequenceTranslator
    >>> X = ["abc", "bca", "cab", "acb", "bac", "cba"] * 5
    >>> y = [word[::-1] for word in X]
    >>> model = SequenceTranslator(hidden_size=32, max_epochs=60,
    ...                            random_state=0).fit(X, y)
    >>> model.predict(["abc", "cab"])
    ['cba', 'bac']
    """

    # max_epochs='auto': the base's at least 24 epochs are half again as many
    # as one CPU thread trains on CMUdict in 30 minutes, and a few thousand
    # sequences need no more than 100.
    _auto_steps = AUTO_STEPS
    _auto_epochs = AUTO_EPOCHS

    _parameter_constraints = {
        **BaseSequenceEstimator._parameter_constraints,
        "attention": [StrOptions(set(ATTENTIONS))],
        "beam_size": [Interval(Integral, 1, None, closed="left")],
        "length_penalty": [Interval(Real, 0, None, closed="left")],
        "max_output_length": [Interval(Integral, 1, None, closed="left"), None],
        **TOKEN_CONSTRAINTS,
    }

    _loss_kind = "cross_entropy"
    _network_module = "translation"
    _has_transform = False

    _fitted_attributes = {
        **BaseSequenceEstimator._fitted_attributes,
        **TOKEN_FITTED_ATTRIBUTES,
        "output_tokens_": "json",
        "max_output_length_": "int",
        "_target_kind": "json",
    }
    _required_attributes = (
        *BaseSequenceEstimator._required_attributes,
        "output_tokens_",
        "max_output_length_",
        "_target_kind",
    )

    def __init__(
        self,
        cell="lstm",
        hidden_size=128,
        num_layers=1,
        *,
        bidirectional=True,
        dropout=0.0,
        nonlinearity="tanh",
        attention="additive",
        beam_size=1,
        length_penalty=1.0,
        max_output_length=None,
        embedding_dim=64,
        char_features=0,
        min_frequency=1,
        max_vocabulary=None,
        word_dropout=0.0,
        lowercase=False,
        word_vectors=None,
        freeze_word_vectors=False,
        max_epochs="auto",
        batch_size=64,
        length_buckets=True,
        lr=5e-3,
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        tol=1e-4,
        n_iter_no_change="auto",
        early_stopping="auto",
        validation_fraction=0.1,
        n_init=1,
        lr_schedule="cosine",
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
        self.attention = attention
        self.beam_size = beam_size
        self.length_penalty = length_penalty
        self.max_output_length = max_output_length
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
        self.n_init = n_init
        self.lr_schedule = lr_schedule
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.standardize = standardize
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose

    # -- hooks of the base class ---------------------------------------------------

    def _n_outputs(self):
        return len(self.output_tokens_) + N_RESERVED

    def _check_params_consistency(self):
        super()._check_params_consistency()
        if self.attention == "dot" and self.bidirectional:
            raise ValueError(
                "attention='dot' compares decoder and encoder states of one size, "
                "so it needs bidirectional=False; got bidirectional=True. Use "
                "attention='general' or 'additive', or bidirectional=False."
            )

    def _validate_X(self, X, *, reset, **inputs):
        return super()._validate_X(characters_as_tokens(X), reset=reset, **inputs)

    def _record_input(self, spec):
        super()._record_input(spec)
        if spec.kind == "numbers":
            self._input_kind = "numbers"
            self.vocabularies_ = None

    def _encode_targets(self, y, sequences, sample_weight, *, reset, classes=None):
        targets, kind = parse_target_sequences(y, len(sequences))
        default_limit = int(OUTPUT_LENGTH_FACTOR * max(map(len, targets)))
        if reset:
            self.output_tokens_ = fit_output_tokens(targets)
            self._target_kind = dataclasses.asdict(kind)
            self.max_output_length_ = default_limit
        elif kind.kind != self._target_kind["kind"]:
            raise ValueError(
                f"y holds targets of kind {kind.kind!r}, but the estimator was "
                f"fitted on {self._target_kind['kind']!r}. Pass targets of the same "
                "type as in the first fit, or fit afresh."
            )
        ids, lengths = encode_target_sequences(targets, self.output_tokens_)
        # Later fits (warm_start, partial_fit) may bring longer targets: the
        # default limit covers them too, so that they can be predicted whole.
        self.max_output_length_ = max(self.max_output_length_, default_limit)
        limit = self.max_output_length
        if limit is not None and lengths.max() > limit:
            warnings.warn(
                f"{int((lengths > limit).sum())} training targets are longer than "
                f"max_output_length={limit} (the longest has {lengths.max()} "
                "tokens): they train, but predict never writes more than "
                f"{limit} tokens. Raise max_output_length, or set it to None.",
                UserWarning,
                stacklevel=caller_stacklevel(),
            )
        return ids, self._n_outputs()

    def _split(self, sequences, targets, weight, random_state, early_stopping):
        if not early_stopping:
            return make_translation_dataset(sequences, targets, weight), None
        return train_valid_datasets(
            sequences,
            targets,
            weight,
            per_step=False,
            validation_fraction=self.validation_fraction,
            stratify=False,
            random_state=random_state,
            build=make_translation_dataset,
        )

    def _network_kwargs(self):
        return {
            **super()._network_kwargs(),
            "attention": self.attention,
            "target_embedding_dim": self.embedding_dim,
        }

    @property
    def _n_features_out(self):
        raise AttributeError("SequenceTranslator has no transform")

    # -- public API ------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the translator to input sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : list of sequences or array-like
            Strings, token sequences or numeric sequences; see the class
            description.

        y : list of str, list of token lists, or array-like of shape (n_sequences,)
            One target sequence per sequence of ``X``, of any length (at least
            one token).

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence in the loss.

        Returns
        -------
        self : SequenceTranslator
            The fitted translator.
        """
        return self._fit_with_rollback(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch, continuing from earlier calls.

        The first call learns the output vocabulary; later calls cannot bring
        new output tokens.

        Parameters
        ----------
        X, y
            As in :meth:`fit`.

        sample_weight : array-like of shape (n_sequences,), default=None
            As in :meth:`fit`.

        Returns
        -------
        self : SequenceTranslator
            The updated translator.
        """
        return self._fit_with_rollback(X, y, sample_weight, incremental=True)

    def predict(self, X, return_scores=False):
        """The output sequence of each input sequence, by greedy or beam search.

        ``beam_size=1`` takes the most likely token at each step;
        ``beam_size > 1`` keeps that many hypotheses per sequence and returns
        the best by length-normalised log-probability (``length_penalty``).
        Each output depends on its own input only, not on the other sequences
        of ``X``.

        Parameters
        ----------
        X : list of sequences or array-like
            As in :meth:`fit`.

        return_scores : bool, default=False
            Also return the log-probability of each returned sequence: the sum
            of the log-probabilities of its tokens and of the end-of-sequence
            token (not length-normalised; the model's probability of the
            whole output). Each step's distribution is the one the decoder
            searches: the ids it never writes (padding, the start token, and
            the end-of-sequence token first) are ruled out and the rest
            renormalised, so a score is slightly above the teacher-forced
            log-likelihood of the same output, the more so the less trained
            the model.

        Returns
        -------
        y_pred : list or ndarray
            One output per sequence, in the type of ``y`` in fit.

        scores : ndarray of shape (n_sequences,)
            Only with ``return_scores=True``: float64 log-probabilities.
        """
        if self.beam_size > 1:
            options = {
                "method": "beam_search",
                "beam_size": self.beam_size,
                "length_penalty": float(self.length_penalty),
            }
        else:
            options = {"method": "greedy"}
        ids, scores, _ = self._generate(X, **options)
        y_pred = self._as_outputs(ids)
        return (y_pred, scores) if return_scores else y_pred

    def sample(self, X, *, temperature=1.0, random_state=None, return_scores=False):
        """Outputs drawn token by token from the model, for generation.

        Each token is drawn from the model's next-token distribution raised
        to the power ``1 / temperature`` and renormalised: 1 samples the
        model as it is, lower values are more conservative (towards greedy
        decoding), higher ones more varied.

        Parameters
        ----------
        X : list of sequences or array-like
            As in :meth:`fit`.

        temperature : float, default=1.0
            Positive, finite temperature of the sampling distribution.

        random_state : int, RandomState instance or None, default=None
            Seeds the draws; an int gives the same samples every call.

        return_scores : bool, default=False
            Also return the log-probability of each sample under the model
            (at temperature 1), as :meth:`predict` does.

        Returns
        -------
        y_sampled : list or ndarray
            One sample per sequence, in the type of ``y`` in fit.

        scores : ndarray of shape (n_sequences,)
            Only with ``return_scores=True``.
        """
        check_is_fitted(self)
        if (
            isinstance(temperature, bool)
            or not isinstance(temperature, Real)
            or not 0 < temperature < float("inf")
        ):
            raise ValueError(
                f"temperature must be a positive finite number; got {temperature!r}. "
                "Pass a float such as 1.0 (the model as it is), lower for outputs "
                "closer to greedy decoding, higher for more varied ones."
            )
        seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
        generator = torch.Generator(device=_net_device(self)).manual_seed(int(seed))
        ids, scores, _ = self._generate(
            X, method="greedy", temperature=float(temperature), generator=generator
        )
        y_sampled = self._as_outputs(ids)
        return (y_sampled, scores) if return_scores else y_sampled

    def attention_weights(self, X):
        """Where the decoder looked: the attention weights of each output.

        For the outputs :meth:`predict` returns (greedy or beam search).

        Parameters
        ----------
        X : list of sequences or array-like
            As in :meth:`fit`.

        Returns
        -------
        weights : list of ndarray of shape (n_output_tokens_i + 1, n_steps_i)
            For each sequence, one row per output token (and a last row for
            the end-of-sequence token, when it was written), one column per
            input step; each row sums to 1.
        """
        if self.beam_size > 1:
            options = {
                "method": "beam_search",
                "beam_size": self.beam_size,
                "length_penalty": float(self.length_penalty),
            }
        else:
            options = {"method": "greedy"}
        ids, _, attention = self._generate(X, with_attention=True, **options)
        weights = []
        for row, (weight, length) in zip(ids, attention, strict=True):
            n_written = int((row != 0).sum())
            weights.append(weight[:n_written, :length].astype(np.float64))
        return weights

    def score(self, X, y, sample_weight=None):
        """Exact-match accuracy: the share of outputs equal to their target.

        Parameters
        ----------
        X : list of sequences or array-like
            As in :meth:`fit`.

        y : list or array-like
            True targets, as in :meth:`fit`.

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence.

        Returns
        -------
        score : float
            Sequence accuracy (see :func:`skrnn.metrics.sequence_accuracy_score`).
        """
        from .metrics import sequence_accuracy_score

        return sequence_accuracy_score(y, self.predict(X), sample_weight=sample_weight)

    # -- decoding --------------------------------------------------------------------

    def _output_limit(self):
        if self.max_output_length is not None:
            return self.max_output_length
        return self.max_output_length_

    def _generate(self, X, *, method, with_attention=False, **options):
        """Decode ``X`` batch by batch in order of length; ``(ids, scores,
        attention)`` in the order of ``X`` (ids padded). ``attention`` is
        None unless ``with_attention``: then each sequence's weights
        ``(n_written, n_steps)`` padded to the longest output, and its length,
        kept only on request because the array for all of ``X`` would be
        ``(n_sequences, output width, longest input)``."""
        check_is_fitted(self)
        # beam_size and max_output_length act here: set_params after fit
        # reaches them unchecked otherwise.
        validate_parameters(self)
        sequences = self._validate_X(X, reset=False)
        dataset = make_dataset(sequences)
        lengths = np.asarray(sequences.lengths)
        order = np.argsort(lengths, kind="stable")
        limit = self._output_limit()
        batches = list(
            _net.generate(
                self.net_,
                dataset,
                batch_size=self.batch_size,
                order=order,
                n_threads=self.n_threads,
                method=method,
                max_length=limit,
                **options,
            )
        )
        n = len(lengths)
        width = max(out[0].shape[1] for _, out in batches)
        ids = np.zeros((n, width), dtype=np.int64)
        scores = np.empty(n, dtype=np.float64)
        attention = [None] * n if with_attention else None
        for rows, (tokens, score, weights) in batches:
            ids[rows, : tokens.shape[1]] = tokens
            scores[rows] = score
            if with_attention:
                for row, weight in zip(rows, weights, strict=True):
                    attention[row] = (weight, int(lengths[row]))
        return ids, scores, attention

    def _as_outputs(self, ids):
        kind = TargetKind(**self._target_kind)
        return as_target_type(decode_ids(ids, self.output_tokens_), kind)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


def _net_device(estimator):
    return getattr(estimator.net_, "device", "cpu")
