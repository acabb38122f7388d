"""Token sequences (words, or tuples of fields) as vocabulary ids.

Any estimator can read token input through :func:`parse_tokens`: raw
documents are split into tokens first (:mod:`.text`), long sequences cut to
``max_length``; in fit it learns one vocabulary per token field and a character
vocabulary of the words (:func:`fit_vocabularies`), with the pretrained vectors
of its words when given (:mod:`.vectors`); afterwards it encodes new tokens with
them (:func:`encode_tokens`). The result is a :class:`TokenSequences` of ids,
which an embedding layer reads, and an :class:`~skrnn._data.spec.InputSpec`
holding the vocabularies for the estimator to keep.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .spec import InputSpec
from .text import (
    DEFAULT_TOKEN_PATTERN,
    build_analyzer,
    is_document_input,
    tokenize_documents,
    truncate,
)
from .vectors import read_word_vectors

MAX_WORD_LENGTH = 30  # longer words are cut for the character encoder

PAD, UNKNOWN = 0, 1  # reserved ids in every vocabulary


@dataclass
class TokenSequences:
    """Token sequences in their internal form.

    Attributes
    ----------
    ids : ndarray of shape (n_sequences, max_length, n_fields), dtype int64
        Vocabulary id of each field of each token (``PAD`` on padding,
        ``UNKNOWN`` for values outside the vocabulary).
    word_types : ndarray of shape (n_sequences, max_length), dtype int64
        Index of each token's first field (the word) in ``type_chars``.
    type_chars : ndarray of shape (n_types, max_word_length), dtype int64
        Character ids of every distinct word of this input (``PAD`` after the
        word's end), for the character encoder.
    lengths : ndarray of shape (n_sequences,), dtype int64
    vectors : WordVectors or None
        In fit with pretrained word vectors: those of the vocabulary's words.
    """

    ids: np.ndarray
    word_types: np.ndarray
    type_chars: np.ndarray
    lengths: np.ndarray
    layout: str = "list"
    vectors: "WordVectors | None" = None

    def __len__(self):
        return len(self.lengths)

    def subset(self, indices):
        return TokenSequences(
            self.ids[indices],
            self.word_types[indices],
            self.type_chars,
            self.lengths[indices],
            self.layout,
            self.vectors,
        )


@dataclass
class WordVectors:
    """Pretrained vectors of vocabulary words, for the word embedding.

    Attributes
    ----------
    ids : ndarray of shape (n_found,), dtype int64
        Vocabulary ids of the words that have a vector.
    matrix : ndarray of shape (n_found, dimension), dtype float32
        Their vectors, row by row.
    dimension : int
        The vectors' size (also when no word was found).
    """

    ids: np.ndarray
    matrix: np.ndarray
    dimension: int


def is_token_input(X):
    """Whether ``X`` is a list of token sequences (strings or tuples of strings)."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    for seq in X:
        if isinstance(seq, str):
            return False
        if isinstance(seq, np.ndarray) and seq.dtype.kind in "biufc":
            return False
        try:
            first = seq[0]
        except (TypeError, IndexError, KeyError):
            continue
        return isinstance(first, (str, tuple))
    return False


def token_fields(X):
    """Validate token sequences; return them as lists of tuples and the width.

    The result is what :func:`fit_vocabularies` and :func:`encode_tokens` take,
    so that a fit checks its tokens once.
    """
    n_fields = None
    sequences = []
    for i, seq in enumerate(X):
        if isinstance(seq, str) or not hasattr(seq, "__len__"):
            raise TypeError(
                f"Sequence {i} of X is {type(seq).__name__!r}, not a sequence of "
                "tokens. Pass each sentence as a list of strings (or of tuples "
                "of strings, one per field)."
            )
        if len(seq) == 0:
            raise ValueError(
                f"Sequence {i} of X is empty. Every sequence needs at least one "
                "token; remove empty sequences."
            )
        if n_fields in (None, 1) and all(type(token) is str for token in seq):
            # The common case, words: checked in one pass.
            n_fields = 1
            sequences.append([(token,) for token in seq])
            continue
        rows = []
        for j, token in enumerate(seq):
            fields = (token,) if isinstance(token, str) else token
            if not isinstance(fields, tuple) or not all(
                isinstance(f, str) for f in fields
            ):
                raise TypeError(
                    f"Token {j} of sequence {i} is {token!r} of type "
                    f"{type(token).__name__}; tokens must be strings or tuples of "
                    "strings (for example (word, part_of_speech))."
                )
            if n_fields is None:
                n_fields = len(fields)
                if n_fields == 0:
                    raise ValueError(f"Token {j} of sequence {i} is an empty tuple.")
            elif len(fields) != n_fields:
                raise ValueError(
                    f"Token {j} of sequence {i} has {len(fields)} fields but the "
                    f"first token of X has {n_fields}. All tokens of a data set "
                    "need the same number of fields."
                )
            rows.append(fields)
        sequences.append(rows)
    return sequences, n_fields


def fit_vocabularies(
    tokens,
    *,
    min_frequency,
    max_word_length=MAX_WORD_LENGTH,
    lowercase=False,
    max_size=None,
    keep=None,
):
    """Learn one vocabulary per token field and a character vocabulary.

    Values seen fewer than ``min_frequency`` times map to ``UNKNOWN``, so that
    the network learns an embedding for unseen words; words for which
    ``keep`` (a collection of words: those with a pretrained vector) stay in
    the vocabulary whatever their count.
    ``max_size`` keeps only that many words of each field, the most frequent
    (ties in alphabetical order). With ``lowercase`` the word field is looked
    up in lower case (the characters keep their case). Characters come from
    the first field (the word). ``tokens`` is the result of
    :func:`token_fields`.
    """
    sequences, n_fields = tokens
    flat = [fields for seq in sequences for fields in seq]
    counts = []
    for k in range(n_fields):
        if k == 0 and lowercase:
            counts.append(Counter(fields[0].lower() for fields in flat))
        else:
            counts.append(Counter(fields[k] for fields in flat))
    # Characters of the words as written (the character encoder sees case).
    words = {fields[0] for fields in flat}
    char_set = set().union(*(word[:max_word_length] for word in words))
    kept_words = set() if keep is None else set(keep)
    vocabularies = []
    for k, field_counts in enumerate(counts):
        kept = [
            v
            for v, c in field_counts.items()
            if c >= min_frequency or (k == 0 and v in kept_words)
        ]
        if max_size is not None and len(kept) > max_size:
            kept.sort(key=lambda v: (-field_counts[v], v))
            kept = kept[:max_size]
        vocabularies.append({v: i + 2 for i, v in enumerate(sorted(kept))})
    if not vocabularies[0]:
        raise ValueError(
            f"The vocabulary is empty: no word occurs at least "
            f"min_frequency={min_frequency} times in X. Lower min_frequency."
        )
    chars = {c: i + 2 for i, c in enumerate(sorted(char_set))}
    return vocabularies, chars


def encode_tokens(
    tokens,
    vocabularies,
    chars,
    *,
    max_word_length=MAX_WORD_LENGTH,
    lowercase=False,
    with_chars=True,
):
    """Checked tokens (:func:`token_fields`) -> :class:`TokenSequences`.

    Without ``with_chars`` (no character encoder) the character table is left
    empty: one padding column per word.
    """
    sequences, n_fields = tokens
    if n_fields != len(vocabularies):
        hint = ""
        if n_fields == 1:
            hint = (
                " X must be a list of sequences of tokens; a single sequence of "
                "tuples passed as X reads as sequences of one-field tokens: "
                "pass [X]."
            )
        raise ValueError(
            f"Tokens of X have {n_fields} field(s), but the estimator was fitted "
            f"on tokens with {len(vocabularies)}.{hint}"
        )
    lengths = np.fromiter((len(s) for s in sequences), np.int64, len(sequences))
    max_length = int(lengths.max())
    # Token j of sequence i is entry (i, j) of the padded arrays: the real
    # entries, in row-major order, are the tokens in the order of ``flat``.
    inside = np.arange(max_length) < lengths[:, None]
    flat = [fields for seq in sequences for fields in seq]
    ids = np.zeros((len(sequences), max_length, n_fields), dtype=np.int64)
    for k, vocabulary in enumerate(vocabularies):
        if k == 0 and lowercase:
            values = (fields[0].lower() for fields in flat)
        else:
            values = (fields[k] for fields in flat)
        ids[inside, k] = np.fromiter(
            (vocabulary.get(v, UNKNOWN) for v in values), np.int64, len(flat)
        )
    types = {}
    word_types = np.zeros((len(sequences), max_length), dtype=np.int64)
    word_types[inside] = np.fromiter(
        (types.setdefault(fields[0], len(types)) for fields in flat),
        np.int64,
        len(flat),
    )
    if not with_chars:
        # No character encoder reads them: one padding column per word.
        return TokenSequences(
            ids, word_types, np.zeros((len(types), 1), np.int64), lengths
        )
    type_chars = np.zeros(
        (len(types), min(max_word_length, max(map(len, types)) or 1)), dtype=np.int64
    )
    for word, t in types.items():
        codes = [chars.get(c, UNKNOWN) for c in word[: type_chars.shape[1]]]
        type_chars[t, : len(codes)] = codes
    return TokenSequences(ids, word_types, type_chars, lengths)


def _word_keys(sequences, lowercase):
    """Every word of ``sequences`` as the vocabulary would key it."""
    words = {fields[0] for seq in sequences for fields in seq}
    return {word.lower() for word in words} if lowercase else words


@dataclass(frozen=True)
class TokenOptions:
    """How an estimator reads token input.

    Attributes
    ----------
    min_frequency : int
        Values seen fewer times in fit map to ``UNKNOWN``.
    lowercase : bool
        Look the word field up in lower case.
    max_word_length : int
        Words are cut to this many characters for the character vocabulary.
    max_vocabulary : int or None
        Keep at most this many words (the most frequent) in each vocabulary.
    word_vectors : str, path, mapping or None
        Pretrained word vectors (see :mod:`.vectors`), read in fit for the
        vocabulary's words; words with a vector stay in the vocabulary even
        when rarer than ``min_frequency``.
    documents : bool
        Whether ``X`` may be raw documents (strings), split into tokens by
        ``analyzer``, ``token_pattern`` and ``tokenizer``
        (:func:`~skrnn._data.text.build_analyzer`).
    analyzer, token_pattern, tokenizer
        How documents become tokens: ``analyzer='word'`` splits by the
        ``tokenizer`` callable, else by the regular expression
        ``token_pattern``; ``'char'`` makes every character a token.
    max_length : int or None
        Token sequences longer than this are cut (None: never).
    with_chars : bool
        Whether the words' characters are encoded (for a character encoder).
    truncation : {'first', 'last', 'both'}
        Which tokens a cut keeps (see :func:`~skrnn._data.text.truncate`).
    """

    min_frequency: int = 1
    lowercase: bool = False
    max_word_length: int = MAX_WORD_LENGTH
    max_vocabulary: int | None = None
    word_vectors: object = None
    documents: bool = False
    analyzer: str = "word"
    token_pattern: str = DEFAULT_TOKEN_PATTERN
    tokenizer: Callable | None = None
    max_length: int | None = None
    truncation: str = "both"
    with_chars: bool = True


def accepts(X, options):
    """Whether the estimator reading with ``options`` takes ``X`` as tokens."""
    return is_token_input(X) or (options.documents and is_document_input(X))


def parse_tokens(X, options, *, fitted=None):
    """Validate token sequences ``X``; return them encoded, and their spec.

    Parameters
    ----------
    X : list of sequences of str or of tuples of str, or documents
        One sequence of tokens per sample; with ``options.documents`` also a
        list, 1-D array or pandas Series of strings.
    options : TokenOptions
        How to read the tokens.
    fitted : InputSpec or None
        The spec of fit, whose vocabularies encode ``X``; ``None`` in fit, where
        the vocabularies are learnt from ``X``.

    Returns
    -------
    tokens : TokenSequences
    spec : InputSpec
        ``kind='tokens'``, dtype float32, and the vocabularies.
    """
    if options.documents and is_document_input(X):
        analyze = build_analyzer(
            analyzer=options.analyzer,
            token_pattern=options.token_pattern,
            tokenizer=options.tokenizer,
        )
        X = tokenize_documents(X, analyze)
    checked, n_fields = token_fields(X)
    checked = (truncate(checked, options.max_length, options.truncation), n_fields)
    found = None
    if fitted is None:
        if options.word_vectors is not None:
            found, dimension = read_word_vectors(
                options.word_vectors,
                _word_keys(checked[0], options.lowercase),
                lowercase=options.lowercase,
            )
        vocabularies, chars = fit_vocabularies(
            checked,
            min_frequency=options.min_frequency,
            max_word_length=options.max_word_length,
            lowercase=options.lowercase,
            max_size=options.max_vocabulary,
            keep=found,
        )
    else:
        vocabularies, chars = fitted.vocabularies, fitted.chars
    tokens = encode_tokens(
        checked,
        vocabularies,
        chars,
        max_word_length=options.max_word_length,
        lowercase=options.lowercase,
        with_chars=options.with_chars,
    )
    if found is not None:
        words = sorted(w for w in found if w in vocabularies[0])
        tokens.vectors = WordVectors(
            np.array([vocabularies[0][w] for w in words], dtype=np.int64),
            np.array([found[w] for w in words], dtype=np.float32).reshape(
                len(words), dimension
            ),
            dimension,
        )
    spec = InputSpec(
        "tokens",
        np.float32,
        vocabularies=vocabularies,
        chars=chars,
        word_dim=None if found is None else dimension,
    )
    return tokens, spec
