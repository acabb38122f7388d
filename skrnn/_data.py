"""Every input format becomes one internal form here.

The estimators accept sequences as 3-D arrays, 2-D arrays (univariate sequences,
one per row), arrays padded with trailing all-NaN steps, pandas DataFrames and
lists of arrays of different lengths. This module turns each of them into a
:class:`Sequences`: a zero-padded float array and the length of every sequence. It
is the only place that parses ``X``.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from ._stats import real_steps


@dataclass
class Sequences:
    """Sequences in their internal form.

    Attributes
    ----------
    values : ndarray of shape (n_sequences, max_length, n_step_features)
        Zero on padding steps.
    lengths : ndarray of shape (n_sequences,), dtype int64
        Number of real steps of each sequence, all >= 1.
    layout : {'array', 'list'}
        Whether the input was an array (outputs per step are returned as a padded
        array) or a list of sequences (outputs per step are returned as a list).
    """

    values: np.ndarray
    lengths: np.ndarray
    layout: str

    def __len__(self):
        return len(self.lengths)

    def subset(self, indices):
        return Sequences(self.values[indices], self.lengths[indices], self.layout)


def _training_dtype(dtype):
    # scikit-learn's convention (as in MLPClassifier): float32 input trains in
    # float32, everything else in float64.
    return np.float32 if dtype == np.float32 else np.float64


def _strip_nan_padding(values, input_name="X"):
    """Lengths of NaN-padded sequences; reject NaN or inf inside a sequence.

    A step is padding when all its features are NaN and every later step is
    padding too (the tslearn convention). Returns ``(values, lengths)``; the
    values are the caller's array when there is no padding (never modified), else
    a copy with zeros on padding.
    """
    n_steps = values.shape[1]
    # Fast path: no NaN or inf anywhere, hence no padding. A sum of finite values
    # is finite unless it overflows, which falls through to the full check.
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(values.sum()):
            return values, np.full(len(values), n_steps, dtype=np.int64)
    all_nan = np.isnan(values).all(axis=2)
    # Number of trailing all-NaN steps = length of the run of True at the end.
    real = ~all_nan
    last_real = n_steps - np.argmax(real[:, ::-1], axis=1)
    lengths = np.where(real.any(axis=1), last_real, 0).astype(np.int64)
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(
            f"Sequence {int(empty[0])} of {input_name} has no steps: all its values "
            "are NaN, which marks padding. Every sequence needs at least one step; "
            "remove empty sequences before calling the estimator."
        )
    inside = real_steps(lengths, n_steps)
    bad = inside[..., None] & ~np.isfinite(values)
    if bad.any():
        seq, step, _ = (int(i[0]) for i in np.nonzero(bad))
        what = "NaN" if np.isnan(values[seq, step]).any() else "inf"
        raise ValueError(
            f"Input {input_name} contains {what} inside sequence {seq} at step "
            f"{step}. Only trailing steps whose features are all NaN are read as "
            "padding; impute missing values (for example with "
            "sklearn.impute.SimpleImputer) or remove the non-finite values."
        )
    values = values.copy()
    values[~inside] = 0.0
    return values, lengths


def _from_list(X, *, dtype):
    """Parse a list (or 1-D object array) of 1-D or 2-D per-sequence arrays."""
    if len(X) == 0:
        raise ValueError(
            "Found array with 0 sequence(s) (shape=(0,)) while a minimum of 1 is "
            "required: X must hold at least one sequence."
        )
    arrays = []
    for i, seq in enumerate(X):
        try:
            arr = np.asarray(seq)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"Sequence {i} of X could not be read as a numeric array: {exc}. "
                "Each sequence must be an array-like of shape (n_steps,) or "
                "(n_steps, n_features)."
            ) from exc
        if arr.dtype.kind == "c":
            raise ValueError(
                f"Complex data not supported: sequence {i} of X is complex."
            )
        if arr.dtype.kind not in "biuf":
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"Sequence {i} of X holds non-numeric values (dtype "
                    f"{arr.dtype!r}); the recurrent estimators need numbers. "
                    "Encode categorical steps numerically first."
                ) from exc
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise ValueError(
                f"Sequence {i} of X has {arr.ndim} dimensions (shape {arr.shape}); "
                "expected a 1-D (n_steps,) or 2-D (n_steps, n_features) array."
            )
        if arr.shape[0] == 0:
            raise ValueError(
                f"Sequence {i} of X has no steps (shape {arr.shape}). Every "
                "sequence needs at least one step; remove empty sequences."
            )
        if arr.shape[1] == 0:
            raise ValueError(
                f"Sequence {i} of X has no features (shape {arr.shape}); every "
                "step needs at least one feature."
            )
        if arrays and arr.shape[1] != arrays[0].shape[1]:
            raise ValueError(
                f"Sequence {i} of X has {arr.shape[1]} features per step while "
                f"sequence 0 has {arrays[0].shape[1]}. All sequences must have "
                "the same number of features per step."
            )
        arrays.append(arr)
    if dtype is None:
        dtype = np.float32 if all(a.dtype == np.float32 for a in arrays) else np.float64
    lengths = np.fromiter((a.shape[0] for a in arrays), np.int64, len(arrays))
    values = np.zeros((len(arrays), lengths.max(), arrays[0].shape[1]), dtype=dtype)
    for i, arr in enumerate(arrays):
        if not np.isfinite(arr).all():
            what = "NaN" if np.isnan(arr).any() else "inf"
            raise ValueError(
                f"Input X contains {what} in sequence {i}. Sequences given as a "
                "list carry their own lengths, so NaN is not read as padding there; "
                "impute or remove the non-finite values."
            )
        values[i, : arr.shape[0]] = arr
    return values, lengths


def _as_regular_array(X):
    """``X`` as a numeric 2-D or 3-D array when it is one, else ``None``."""
    if len(X) == 0:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            regular = np.asarray(X)
    except (TypeError, ValueError):
        return None
    if regular.dtype.kind not in "biuf" or regular.ndim not in (2, 3):
        return None
    return regular


def check_sequences(estimator, X, *, reset):
    """Validate ``X`` and return it as :class:`Sequences`.

    With ``reset=True`` (in ``fit``) this records ``n_features_in_``,
    ``feature_names_in_`` (for DataFrames), ``n_step_features_`` and the training
    dtype ``_dtype`` on the estimator; with ``reset=False`` it checks ``X``
    against them.

    2-D input follows scikit-learn's contract: it is read as univariate sequences,
    one per row, and ``n_features_in_`` is its number of columns (the number of
    steps). Other inputs set ``n_features_in_`` to the number of features per
    step.
    """
    is_list = isinstance(X, (list, tuple)) or (
        isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1
    )
    dtype = None if reset else estimator._dtype
    layout = "list" if is_list else "array"
    if is_list:
        # A list that numpy reads as a regular 2-D or 3-D numeric array is that
        # array (scikit-learn passes tables as lists of rows); outputs per step
        # still come back as a list.
        regular = _as_regular_array(X)
        if regular is not None:
            X = regular
            is_list = False
    if is_list:
        values, lengths = _from_list(X, dtype=dtype)
        table = False
    else:
        ndim = getattr(X, "ndim", None)
        if ndim is None:
            X = np.asarray(X)
            ndim = X.ndim
        table = ndim == 2
        if table and (reset or estimator._fitted_on_table):
            X = validate_data(
                estimator,
                X,
                reset=reset,
                dtype=[np.float64, np.float32],
                ensure_all_finite="allow-nan",
            )
            values = X[:, :, None]
        elif ndim in (2, 3):
            values = check_array(
                X,
                allow_nd=True,
                dtype=[np.float64, np.float32],
                ensure_all_finite="allow-nan",
                input_name="X",
            )
            if values.ndim == 2:
                values = values[:, :, None]
            if values.shape[1] == 0 or values.shape[2] == 0:
                raise ValueError(
                    f"Found array with shape {values.shape}: X needs at least one "
                    "step and one feature per step."
                )
        else:
            raise ValueError(
                f"Expected sequences as a 2-D array (n_sequences, n_steps), a 3-D "
                f"array (n_sequences, n_steps, n_features) or a list of arrays; got "
                f"a {ndim}-D array of shape {np.shape(X)} instead. Reshape your "
                "data: a single sequence with X.reshape(1, -1) or X[None], "
                "univariate sequences of length 1 with X.reshape(-1, 1)."
            )
        values = np.asarray(values, dtype=dtype or _training_dtype(values.dtype))
        values, lengths = _strip_nan_padding(values)
    n_step_features = values.shape[2]
    if reset:
        estimator._dtype = values.dtype.type
        estimator.n_step_features_ = n_step_features
        estimator._fitted_on_table = table
        if not table:
            estimator.n_features_in_ = n_step_features
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
    elif n_step_features != estimator.n_step_features_:
        raise ValueError(
            f"X has {n_step_features} features per step, but "
            f"{type(estimator).__name__} is expecting {estimator.n_step_features_} "
            "features per step as input."
        )
    values = values.astype(estimator._dtype, copy=False)
    return Sequences(values=values, lengths=lengths, layout=layout)


def check_step_targets(y, sequences, *, dtype):
    """Per-step targets, one row per real step, aligned with ``sequences``.

    Returns an array of shape ``(n_sequences, max_length, n_outputs)`` (zeros on
    padding) and whether ``y`` had an output axis (``(n_steps_i, n_outputs)``
    per sequence rather than ``(n_steps_i,)``).
    """
    lengths = sequences.lengths
    if isinstance(y, (list, tuple)) or (
        isinstance(y, np.ndarray) and y.dtype == object and y.ndim == 1
    ):
        if len(y) != len(lengths):
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"X has {len(lengths)} sequences but y has {len(y)}."
            )
        rows = []
        for i, target in enumerate(y):
            try:
                arr = np.asarray(target, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"Targets of sequence {i} are not numeric: {exc}."
                ) from exc
            if arr.ndim not in (1, 2) or arr.shape[0] != lengths[i]:
                raise ValueError(
                    f"Targets of sequence {i} have shape {arr.shape} but the "
                    f"sequence has {lengths[i]} steps: with return_sequences=True, "
                    "y must hold one target (or one row of targets) per step."
                )
            rows.append(arr if arr.ndim == 2 else arr[:, None])
        widths = {r.shape[1] for r in rows}
        if len(widths) != 1:
            raise ValueError(
                f"Per-step targets have different numbers of outputs {sorted(widths)}; "
                "every sequence needs the same number of outputs per step."
            )
        has_output_axis = any(np.ndim(t) == 2 for t in y)
        targets = np.zeros((len(rows), sequences.values.shape[1], widths.pop()))
        for i, row in enumerate(rows):
            targets[i, : row.shape[0]] = row
    else:
        arr = check_array(
            y,
            ensure_2d=False,
            allow_nd=True,
            dtype=np.float64,
            ensure_all_finite="allow-nan",
            input_name="y",
        )
        if arr.ndim not in (2, 3) or arr.shape[0] != len(lengths):
            raise ValueError(
                f"With return_sequences=True, y must be shaped like the sequences: "
                f"(n_sequences, n_steps) or (n_sequences, n_steps, n_outputs) with "
                f"n_sequences={len(lengths)}; got shape {arr.shape}."
            )
        has_output_axis = arr.ndim == 3
        targets = arr if has_output_axis else arr[:, :, None]
        if targets.shape[1] < lengths.max():
            raise ValueError(
                f"y has {targets.shape[1]} steps but X has sequences of "
                f"{lengths.max()} steps; y needs one target per step."
            )
        targets = np.array(targets[:, : sequences.values.shape[1]])
        targets[~real_steps(lengths, targets.shape[1])] = 0.0
    if not np.isfinite(targets).all():
        raise ValueError(
            "Input y contains NaN or infinity on a real step of a sequence. Remove "
            "or impute non-finite targets."
        )
    return targets.astype(dtype, copy=False), has_output_axis


# -- tokens (SequenceTagger) ---------------------------------------------------

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
    """

    ids: np.ndarray
    word_types: np.ndarray
    type_chars: np.ndarray
    lengths: np.ndarray
    layout: str = "list"

    def __len__(self):
        return len(self.lengths)

    def subset(self, indices):
        return TokenSequences(
            self.ids[indices],
            self.word_types[indices],
            self.type_chars,
            self.lengths[indices],
            self.layout,
        )


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


def fit_vocabularies(tokens, *, min_frequency, max_word_length, lowercase=False):
    """Learn one vocabulary per token field and a character vocabulary.

    Values seen fewer than ``min_frequency`` times map to ``UNKNOWN``, so that
    the network learns an embedding for unseen words. With ``lowercase`` the
    word field is looked up in lower case (the characters keep their case).
    Characters come from the first field (the word). ``tokens`` is the
    result of :func:`token_fields`.
    """
    sequences, n_fields = tokens
    counts = [{} for _ in range(n_fields)]
    char_counts = {}
    for seq in sequences:
        for fields in seq:
            for k, value in enumerate(fields):
                if k == 0 and lowercase:
                    value = value.lower()
                counts[k][value] = counts[k].get(value, 0) + 1
            for char in fields[0][:max_word_length]:
                char_counts[char] = char_counts.get(char, 0) + 1
    vocabularies = []
    for field_counts in counts:
        kept = sorted(v for v, c in field_counts.items() if c >= min_frequency)
        vocabularies.append({v: i + 2 for i, v in enumerate(kept)})
    if not vocabularies[0]:
        raise ValueError(
            f"The vocabulary is empty: no word occurs at least "
            f"min_frequency={min_frequency} times in X. Lower min_frequency."
        )
    chars = {c: i + 2 for i, c in enumerate(sorted(char_counts))}
    return vocabularies, chars


def encode_tokens(tokens, vocabularies, chars, *, max_word_length, lowercase=False):
    """Checked tokens (:func:`token_fields`) -> :class:`TokenSequences`."""
    sequences, n_fields = tokens
    if n_fields != len(vocabularies):
        raise ValueError(
            f"Tokens of X have {n_fields} field(s), but the tagger was fitted on "
            f"tokens with {len(vocabularies)}."
        )
    lengths = np.fromiter((len(s) for s in sequences), np.int64, len(sequences))
    max_length = int(lengths.max())
    ids = np.zeros((len(sequences), max_length, n_fields), dtype=np.int64)
    word_types = np.zeros((len(sequences), max_length), dtype=np.int64)
    types = {}
    for i, seq in enumerate(sequences):
        for j, fields in enumerate(seq):
            for k, value in enumerate(fields):
                if k == 0 and lowercase:
                    value = value.lower()
                ids[i, j, k] = vocabularies[k].get(value, UNKNOWN)
            word_types[i, j] = types.setdefault(fields[0], len(types))
    type_chars = np.zeros(
        (len(types), min(max_word_length, max(map(len, types)) or 1)), dtype=np.int64
    )
    for word, t in types.items():
        codes = [chars.get(c, UNKNOWN) for c in word[: type_chars.shape[1]]]
        type_chars[t, : len(codes)] = codes
    return TokenSequences(ids, word_types, type_chars, lengths)


def check_step_table(estimator, X, lengths, *, reset):
    """A 2-D array of steps (rows) and features (columns), split by ``lengths``.

    This is the hmmlearn and seqlearn convention, and what scikit-learn's checks
    give a tagger. Without ``lengths`` every row is a sequence of one step, so
    that a row's prediction never depends on the other rows.
    """
    X = validate_data(estimator, X, reset=reset, dtype=[np.float64, np.float32])
    n_rows = X.shape[0]
    if lengths is None:
        lengths = np.ones(n_rows, dtype=np.int64)
    else:
        lengths = check_array(
            lengths, ensure_2d=False, dtype=np.int64, input_name="lengths"
        )
        if lengths.ndim != 1 or (lengths < 1).any() or lengths.sum() != n_rows:
            raise ValueError(
                f"lengths must be a 1-D array of positive sequence lengths that "
                f"sum to the number of rows of X ({n_rows}); got {lengths!r} "
                f"(sum {int(lengths.sum())})."
            )
    if reset:
        estimator._dtype = X.dtype.type
        estimator.n_step_features_ = X.shape[1]
    X = X.astype(estimator._dtype, copy=False)
    values = np.zeros((len(lengths), int(lengths.max()), X.shape[1]), dtype=X.dtype)
    values[real_steps(lengths, values.shape[1])] = X
    return Sequences(values=values, lengths=lengths, layout="flat")
