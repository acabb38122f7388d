"""Token and text input: the parameters and hooks every estimator shares.

Every estimator reads token sequences (words, or tuples of fields) through one
pipeline (:mod:`skrnn._data.tokens`): a vocabulary per field, an unknown-word
embedding trained through ``min_frequency`` and ``word_dropout``, a character
encoder for words never seen in fit and, optionally, pretrained word vectors.
:class:`TokenInputMixin` holds its hyperparameters' constraints, how they
become :class:`~skrnn._data.TokenOptions` and network arguments, and loads the
pretrained vectors into a new network. Estimators with one output per sequence
also read raw documents (strings), split into tokens as scikit-learn's
``CountVectorizer`` splits them, and cut to ``max_length`` tokens.
"""

import os
from numbers import Integral, Real

from . import _net
from ._compat import HasMethods, Interval, StrOptions
from ._data import MAX_WORD_LENGTH, TokenOptions
from ._input_state import _drop

TOKEN_CONSTRAINTS = {
    "embedding_dim": [Interval(Integral, 1, None, closed="left")],
    "char_features": [Interval(Integral, 0, None, closed="left")],
    "min_frequency": [Interval(Integral, 1, None, closed="left")],
    "max_vocabulary": [Interval(Integral, 1, None, closed="left"), None],
    "word_dropout": [Interval(Real, 0, 1, closed="left")],
    "lowercase": ["boolean"],
    "word_vectors": [
        str,
        os.PathLike,
        HasMethods(["__getitem__", "__contains__"]),
        None,
    ],
    "freeze_word_vectors": ["boolean"],
}

DOCUMENT_CONSTRAINTS = {
    "analyzer": [StrOptions({"word", "char"})],
    "token_pattern": [str],
    "tokenizer": [callable, None],
    "max_length": [Interval(Integral, 1, None, closed="left"), None],
    "truncation": [StrOptions({"first", "last", "both"})],
}

#: The fitted attributes of token input, with how skrnn.save stores them.
TOKEN_FITTED_ATTRIBUTES = {
    "_input_kind": "input_kind",
    "vocabularies_": "vocabularies",
    "_chars": "chars",
    "_word_dim": "int",
    "n_pretrained_words_": "int",
    "_frozen_words": "bool",
}


class TokenInputMixin:
    """Token (and, with ``_reads_documents``, raw text) input. Not for direct use.

    Mixed in before :class:`~skrnn._base.BaseSequenceEstimator`, whose hooks
    ``_input_options``, ``_network_kwargs`` and ``_prepare_net`` it extends.
    """

    #: Whether ``X`` may be raw documents (strings), cut to ``max_length``.
    _reads_documents = False

    def _token_options(self):
        options = {
            "min_frequency": self.min_frequency,
            "lowercase": self.lowercase,
            "max_word_length": MAX_WORD_LENGTH,
            "max_vocabulary": self.max_vocabulary,
            "word_vectors": self.word_vectors,
            # Characters are encoded for a character encoder: the one this fit
            # builds, or the fitted network's (whatever char_features says now).
            "with_chars": self.char_features > 0
            or ("net_" in vars(self) and _net.reads_characters(self.net_)),
        }
        if self._reads_documents:
            options.update(
                documents=True,
                analyzer=self.analyzer,
                token_pattern=self.token_pattern,
                tokenizer=self.tokenizer,
                max_length=None if self._per_step_targets() else self.max_length,
                truncation=self.truncation,
            )
        return TokenOptions(**options)

    def _input_options(self):
        return {**super()._input_options(), "tokens": self._token_options()}

    def _reads_tokens(self):
        return getattr(self, "_input_kind", "numbers") == "tokens"

    def _network_kwargs(self):
        kwargs = super()._network_kwargs()
        if self._reads_tokens():
            kwargs.update(
                token_vocabulary_sizes=[len(v) + 2 for v in self.vocabularies_],
                n_chars=len(self._chars) + 2,
                embedding_dim=self.embedding_dim,
                char_features=self.char_features,
                word_dropout=self.word_dropout,
                word_dim=getattr(self, "_word_dim", None),
                frozen_words=getattr(self, "_frozen_words", False),
            )
        return kwargs

    def _record_input(self, spec):
        super()._record_input(spec)
        if spec.kind == "tokens" and spec.word_dim is not None:
            self._frozen_words = bool(self.freeze_word_vectors)
        else:
            _drop(self, "_frozen_words", "n_pretrained_words_")

    def _prepare_net(self, net, targets, sequences):
        vectors = getattr(sequences, "vectors", None)
        if vectors is not None:
            net.module_.embedder.load_word_vectors(vectors.ids, vectors.matrix)
            self.n_pretrained_words_ = len(vectors.ids)
        super()._prepare_net(net, targets, sequences)
