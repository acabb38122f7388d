"""Raw documents (strings) as token sequences, and the length policy for tokens.

Tokenising is scikit-learn's: :class:`~sklearn.feature_extraction.text.CountVectorizer`
builds the analyzer (its ``token_pattern``, ``tokenizer`` and ``analyzer``
options, which users of scikit-learn's text features already know), with
n-grams of one token and no lower-casing, so that the tokens come out in
order and keep their case for the character encoder; lower-cased lookup is the
vocabulary's job (:mod:`.tokens`).
"""

import numbers
import re

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

#: Words and single punctuation marks, in any script.
DEFAULT_TOKEN_PATTERN = r"(?u)\w+|[^\w\s]"


def is_document_input(X):
    """Whether ``X`` is a collection of raw documents (strings)."""
    if isinstance(X, np.ndarray):
        return X.ndim == 1 and (
            X.dtype.kind in "US" or (X.dtype == object and _first_is_text(X))
        )
    if type(X).__name__ == "Series" and hasattr(X, "dtype"):  # pandas
        # object, or pandas' string dtypes (kind 'O'; pandas 3's default).
        return getattr(X.dtype, "kind", None) == "O" and _first_is_text(X)
    if isinstance(X, (list, tuple)):
        return _first_is_text(X)
    return False


def _first_is_text(X):
    for value in X:
        return isinstance(value, (str, bytes))
    return False


def build_analyzer(*, analyzer="word", token_pattern=None, tokenizer=None):
    """The callable that splits one document into its tokens, in order."""
    if analyzer == "char":
        return CountVectorizer(analyzer="char", lowercase=False).build_analyzer()
    if tokenizer is None and token_pattern is not None:
        _check_token_pattern(token_pattern)
    return CountVectorizer(
        lowercase=False,
        tokenizer=tokenizer,
        # CountVectorizer warns when both are set; the tokenizer wins.
        token_pattern=None if tokenizer is not None else token_pattern,
    ).build_analyzer()


def _check_token_pattern(token_pattern):
    try:
        groups = re.compile(token_pattern).groups
    except re.error as exc:
        raise ValueError(
            f"token_pattern={token_pattern!r} is not a regular expression: {exc}."
        ) from exc
    if groups > 1:
        raise ValueError(
            f"token_pattern={token_pattern!r} has {groups} capturing groups; it "
            "may have at most one (the token), as in CountVectorizer. Make the "
            "others non-capturing with (?:...)."
        )


def tokenize_documents(X, analyze):
    """Split every document of ``X`` into a list of tokens (strings).

    Raises a ``TypeError`` for anything but a string among the documents (None,
    NaN, bytes, arrays) and a ``ValueError`` for a document without tokens.
    """
    if type(X).__name__ == "Series":
        X = X.to_numpy(dtype=object)
    documents = []
    for i, document in enumerate(X):
        if not isinstance(document, str):
            raise TypeError(_not_a_document(i, document))
        tokens = analyze(document)
        if not isinstance(tokens, (list, tuple)) or not all(
            isinstance(token, str) for token in tokens
        ):
            raise TypeError(
                f"The tokenizer returned {tokens!r} for document {i} of X; it must "
                "return a list of strings."
            )
        if len(tokens) == 0:
            raise ValueError(
                f"Document {i} of X ({document!r}) has no tokens. Every document "
                "needs at least one: remove or replace empty documents (for "
                "example with a placeholder word), or change token_pattern."
            )
        documents.append(list(tokens))
    return documents


def _not_a_document(i, value):
    if isinstance(value, bytes):
        return (
            f"Document {i} of X is bytes ({value[:20]!r}); documents must be str. "
            "Decode them first, for example value.decode('utf-8')."
        )
    missing = value is None or type(value).__name__ == "NAType"  # pandas.NA
    if missing or (isinstance(value, numbers.Real) and np.isnan(value)):
        return (
            f"Document {i} of X is {value!r}: a missing document. Remove it, or "
            "fill it with a placeholder word (for example pandas' "
            "fillna('missing'))."
        )
    return (
        f"Document {i} of X is {type(value).__name__} {value!r:.40}, but X holds "
        "documents (its first element is a string). X must hold one kind of "
        "input: all strings, all token lists, or all numeric sequences."
    )


def truncate(sequences, max_length, truncation):
    """Cut token sequences longer than ``max_length``.

    ``truncation`` keeps the ``'first'`` tokens, the ``'last'`` ones, or
    ``'both'`` ends (half each, the extra token at the start).
    """
    if max_length is None:
        return sequences
    result = []
    for tokens in sequences:
        if len(tokens) > max_length:
            if truncation == "first":
                tokens = tokens[:max_length]
            elif truncation == "last":
                tokens = tokens[len(tokens) - max_length :]
            else:
                head = (max_length + 1) // 2
                tokens = tokens[:head] + tokens[len(tokens) - (max_length - head) :]
        result.append(tokens)
    return result
