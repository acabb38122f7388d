"""Target sequences of a sequence-to-sequence estimator, and strings as tokens.

``y`` holds one output sequence per input sequence, each of its own length:
strings (sequences of characters), lists of tokens (strings or numbers, one
type throughout), or scalars (a one-token sequence each, as scikit-learn's
checks pass ``y``). :func:`parse_target_sequences` checks them and records
their kind, so that predictions come back in it (:func:`as_target_type`);
:func:`fit_output_tokens` learns the output vocabulary and
:func:`encode_target_sequences` turns sequences into padded ids ending in the
end-of-sequence id. Strings in ``X`` become lists of characters
(:func:`characters_as_tokens`) for the shared token pipeline.
"""

from dataclasses import dataclass
from numbers import Number, Real

import numpy as np

# Output ids: padding, start and end of sequence come first (see _seq2seq.py).
PAD, EOS, N_RESERVED = 0, 2, 3


@dataclass(frozen=True)
class TargetKind:
    """What ``y`` was, so that predictions come back alike.

    Attributes
    ----------
    kind : {'str', 'list', 'scalar'}
        Strings (output sequences joined into strings), lists of tokens, or
        one scalar per sequence (a 1-D array of them is returned).
    container : {'list', 'array'}
        ``y`` was a list (or tuple, Series) or a numpy array.
    dtype : str or None
        For ``'scalar'``: the numpy dtype of ``y``.
    """

    kind: str
    container: str
    dtype: str | None = None


def characters_as_tokens(X):
    """``X`` with each string replaced by the list of its characters; other
    sequences as they are. ``X`` itself is returned when it holds no string."""
    if isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype.kind in "US":
        X = X.tolist()
    if type(X).__name__ == "Series":
        X = X.tolist()
    if not isinstance(X, (list, tuple)) or not any(isinstance(s, str) for s in X):
        return X
    kinds = {isinstance(s, str) for s in X}
    if len(kinds) > 1:
        first = next(i for i, s in enumerate(X) if not isinstance(s, str))
        raise TypeError(
            f"X mixes strings with other sequences (sequence {first} is "
            f"{type(X[first]).__name__}). Pass all strings (sequences of "
            "characters) or all lists of tokens."
        )
    for i, s in enumerate(X):
        if len(s) == 0:
            raise ValueError(
                f"Sequence {i} of X is an empty string. Every sequence needs at "
                "least one token; remove empty sequences."
            )
    return [list(s) for s in X]


def parse_target_sequences(y, n_sequences):
    """Check ``y``; return ``(sequences, kind)``: a list of token lists and
    the :class:`TargetKind` that :func:`as_target_type` restores."""
    container = "array" if isinstance(y, np.ndarray) else "list"
    if type(y).__name__ in ("Series", "DataFrame"):
        y = y.to_numpy()
        container = "array"
    elif not isinstance(y, (list, tuple, np.ndarray)) and hasattr(y, "__array__"):
        y = np.asarray(y)
        container = "array"
    if isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "biuf":
        return _scalar_targets(y, n_sequences)
    if isinstance(y, np.ndarray) and y.ndim == 2 and y.dtype.kind in "biufUS":
        y = list(y)  # rows of a table: token sequences of one length
    if isinstance(y, str) or not hasattr(y, "__len__"):
        raise TypeError(
            f"y must be a list of target sequences (strings or lists of tokens); "
            f"got {type(y).__name__}."
        )
    if len(y) != n_sequences:
        raise ValueError(
            f"X and y have different numbers of sequences: {n_sequences} and "
            f"{len(y)}. Pass one target sequence per sequence of X."
        )
    if n_sequences and all(isinstance(t, Number) for t in y):
        return _scalar_targets(np.asarray(y), n_sequences)
    strings = [isinstance(t, str) for t in y]
    if any(strings) and not all(strings):
        i = strings.index(False)
        raise TypeError(
            f"y mixes strings with other targets (target {i} is "
            f"{type(y[i]).__name__} {y[i]!r:.40}). Pass all strings or all lists "
            "of tokens."
        )
    kind = "str" if all(strings) else "list"
    sequences = []
    token_type = None
    for i, target in enumerate(y):
        if kind == "list" and (
            isinstance(target, (str, bytes, Number)) or not hasattr(target, "__len__")
        ):
            raise TypeError(
                f"Target {i} of y is {type(target).__name__} {target!r:.40}, not a "
                "sequence of tokens. Pass each target as a list of tokens (or all "
                "as strings)."
            )
        tokens = list(target)
        if not tokens:
            raise ValueError(
                f"Target {i} of y is empty. Every target needs at least one token "
                "(the model emits an end-of-sequence token after it); remove "
                "empty targets."
            )
        for token in tokens:
            this = _token_type(token, i)
            if token_type is None:
                token_type = this
            elif this != token_type:
                raise TypeError(
                    f"Target {i} of y holds the token {token!r} of type "
                    f"{type(token).__name__}, but earlier tokens of y are "
                    f"{token_type}. Every token of y must be of one type (all "
                    "strings or all numbers)."
                )
        sequences.append([_native(token) for token in tokens])
    return sequences, TargetKind(kind, container)


def _scalar_targets(y, n_sequences):
    if len(y) != n_sequences:
        raise ValueError(
            f"X and y have different numbers of sequences: {n_sequences} and "
            f"{len(y)}. Pass one target sequence per sequence of X."
        )
    # An object array (of numbers, as parse_target_sequences passes it) keeps
    # its dtype: predictions come back as such an array.
    if y.dtype.kind not in "biufO" or (
        y.dtype.kind == "O" and not all(isinstance(v, Real) for v in y.tolist())
    ):
        raise TypeError(
            f"y holds scalar targets of dtype {y.dtype}; scalar targets must be "
            "real numbers (or pass each target as a string or a list of tokens)."
        )
    if y.dtype.kind in "fO" and not np.isfinite(y.astype(np.float64)).all():
        raise ValueError("y contains NaN or infinity; every target must be finite.")
    sequences = [[_native(value)] for value in y]
    return sequences, TargetKind("scalar", "array", y.dtype.str)


def _token_type(token, i):
    if isinstance(token, str):
        return "strings"
    if isinstance(token, Real) and not isinstance(token, (bool, np.bool_)):
        if not np.isfinite(token):
            # NaN is not equal to itself: it could never be matched in the
            # output vocabulary, nor predicted back.
            raise ValueError(
                f"Target {i} of y holds the token {token!r}; numeric tokens must "
                "be finite. Remove or replace NaN and infinite tokens."
            )
        return "numbers"
    raise TypeError(
        f"Target {i} of y holds the token {token!r} of type "
        f"{type(token).__name__}; tokens must be strings or real numbers."
    )


def _native(token):
    """A numpy scalar as the Python value it holds (JSON can store it)."""
    return token.item() if isinstance(token, np.generic) else token


def fit_output_tokens(sequences):
    """The output vocabulary: every distinct token of ``sequences``, sorted."""
    return sorted({token for tokens in sequences for token in tokens})


def encode_target_sequences(sequences, output_tokens):
    """Token lists as ids ``(n, longest + 1)``: each row its tokens' ids, then
    ``EOS``, then ``PAD``. Raises for a token not in ``output_tokens``."""
    index = {token: i + N_RESERVED for i, token in enumerate(output_tokens)}
    lengths = np.fromiter((len(s) for s in sequences), np.int64, len(sequences))
    ids = np.full((len(sequences), int(lengths.max()) + 1), PAD, dtype=np.int64)
    unknown = []
    for i, tokens in enumerate(sequences):
        try:
            ids[i, : len(tokens)] = [index[token] for token in tokens]
        except KeyError:
            unknown += [t for t in tokens if t not in index]
        ids[i, len(tokens)] = EOS
    if unknown:
        raise ValueError(
            f"y holds tokens the first fit did not see: {sorted(set(unknown))!r:.200}. "
            "The output vocabulary is learnt by fit; fit again (warm_start=False) "
            "on targets that include them."
        )
    return ids, lengths


def decode_ids(ids, output_tokens):
    """Rows of output ids (ending at ``EOS`` or the row's end) as token lists."""
    sequences = []
    for row in ids:
        tokens = []
        for i in row:
            if i < N_RESERVED:  # EOS, or the padding after it
                break
            tokens.append(output_tokens[i - N_RESERVED])
        sequences.append(tokens)
    return sequences


def as_target_type(sequences, kind):
    """Token lists in the form ``y`` had in fit (see :class:`TargetKind`)."""
    if kind.kind == "scalar":
        # Decoding emits at least one token; a scalar target is its first.
        return np.array([tokens[0] for tokens in sequences], dtype=kind.dtype)
    if kind.kind == "str":
        joined = ["".join(tokens) for tokens in sequences]
        if kind.container == "array":
            return np.array(joined, dtype=object)
        return joined
    return [list(tokens) for tokens in sequences]
