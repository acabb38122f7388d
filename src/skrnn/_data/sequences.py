"""Numeric sequences in every form the estimators accept, as one internal form.

The estimators accept sequences as 3-D arrays, 2-D arrays (univariate sequences,
one per row), arrays padded with trailing all-NaN steps, pandas DataFrames, lists
of arrays of different lengths, and (for the tagger) a 2-D table of steps split
by ``lengths``. :func:`parse_sequences` and :func:`parse_step_table` turn each of
them into a :class:`Sequences`, a zero-padded float array and the length of every
sequence, and an :class:`~skrnn._data.spec.InputSpec` of what they found; they
set no estimator state beyond what scikit-learn's ``validate_data`` records for
2-D tables.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from .._callers import caller_stacklevel
from .._stats import real_steps
from ..exceptions import ZeroPaddingWarning
from .spec import InputSpec


@dataclass
class Sequences:
    """Sequences in their internal form.

    Attributes
    ----------
    values : ndarray of shape (n_sequences, max_length, n_step_features)
        Zero on padding steps.
    lengths : ndarray of shape (n_sequences,), dtype int64
        Number of real steps of each sequence, all >= 1.
    layout : {'array', 'list', 'flat'}
        Whether the input was an array (outputs per step are returned as a padded
        array) or a list of sequences (outputs per step are returned as a list);
        ``'flat'`` for a 2-D table of steps (outputs per step are returned as
        one array of rows).
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


def regular_array(X):
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


def is_sequence_list(X):
    """Whether ``X`` is a list, or a 1-D object array (numpy's or a pandas
    Series), of per-sequence items."""
    if isinstance(X, (list, tuple)):
        return True
    return getattr(X, "ndim", None) == 1 and getattr(X, "dtype", None) == np.dtype("O")


def parse_sequences(estimator, X, *, fitted=None):
    """Validate numeric ``X``; return it as :class:`Sequences` and its spec.

    Parameters
    ----------
    estimator : estimator
        The estimator ``X`` is for. Only scikit-learn's ``validate_data`` writes
        to it, and only for a 2-D table: it records ``n_features_in_`` and
        ``feature_names_in_`` in fit and checks them afterwards. The name is
        used in error messages.
    X : array-like or list of array-like
        The sequences, in any form of the module docstring.
    fitted : InputSpec or None
        What fit found, to check ``X`` against and cast it to; ``None`` in fit.

    Returns
    -------
    sequences : Sequences
    spec : InputSpec
        ``kind='numbers'``; the training dtype and shape facts of ``X``.

    Notes
    -----
    2-D input follows scikit-learn's contract: it is read as univariate
    sequences, one per row, and ``n_features_in_`` is its number of columns (the
    number of steps). Other inputs leave ``n_features_in_`` to the estimator,
    which sets it to the number of features per step.
    """
    reset = fitted is None
    is_list = is_sequence_list(X)
    dtype = None if reset else fitted.dtype
    layout = "list" if is_list else "array"
    if is_list:
        # A list that numpy reads as a regular 2-D or 3-D numeric array is that
        # array (scikit-learn passes tables as lists of rows); outputs per step
        # still come back as a list.
        regular = regular_array(X)
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
        if table and (reset or fitted.table):
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
        if reset:
            warn_if_zero_padded(values, lengths)
    if not reset:
        # A 2-D X whose columns match the fitted features per step is most
        # likely one (n_steps, n_features) sequence, not univariate sequences.
        single = table and values.shape[1] == fitted.n_step_features
        check_step_features(estimator, values.shape[2], fitted, single=single)
    spec = InputSpec(
        "numbers",
        values.dtype.type if reset else fitted.dtype,
        n_step_features=values.shape[2],
        table=table,
    )
    values = values.astype(spec.dtype, copy=False)
    return Sequences(values=values, lengths=lengths, layout=layout), spec


def warn_if_zero_padded(values, lengths):
    """Warn (:class:`~skrnn.exceptions.ZeroPaddingWarning`) when ``values``
    looks zero-padded.

    The rule, for the end of the sequences and then for their start (Keras's
    ``pad_sequences`` pads before by default): at least two sequences, and at
    least half of them, end (start) with a run of all-zero steps; the runs have
    at least two different lengths, as padding to a common length gives; and
    all-zero steps elsewhere are at most a tenth as many as those in the runs,
    so that data whose steps are often all zero (counts, events, one-hot
    features) is not mistaken for padding. Arrays with NaN padding, whose
    sequences already have their own lengths, are not checked. Costs one pass
    over the first and last steps, and one over ``values`` only when many
    sequences end (start) with an all-zero step.
    """
    n_sequences, n_steps = values.shape[:2]
    if n_sequences < 2 or n_steps < 2 or lengths.min() < n_steps:
        return
    for side, edge in (("end", -1), ("start", 0)):
        n_edge = np.count_nonzero((values[:, edge] == 0).all(axis=1))
        if n_edge < 2 or 2 * n_edge < n_sequences:
            continue
        zero = (values == 0).all(axis=2)
        if side == "start":
            zero = zero[:, ::-1]
        # Length of the run of all-zero steps at the end of each row.
        data = ~zero
        runs = np.where(data.any(axis=1), np.argmax(data[:, ::-1], axis=1), n_steps)
        in_runs = int(runs.sum())
        elsewhere = int(zero.sum()) - in_runs
        if np.unique(runs[runs > 0]).size < 2 or 10 * elsewhere > in_runs:
            continue
        warnings.warn(
            f"{np.count_nonzero(runs)} of {n_sequences} sequences of X {side} "
            f"with runs of all-zero steps of different lengths (up to "
            f"{int(runs.max())} steps): this looks like zero padding, which skrnn "
            "reads as data. Mark padding with trailing all-NaN steps instead of "
            "zeros, or pass a list of arrays of their own lengths. If the zeros "
            "are data, filter skrnn.exceptions.ZeroPaddingWarning.",
            ZeroPaddingWarning,
            stacklevel=caller_stacklevel(),
        )
        return


def check_step_features(estimator, n_step_features, fitted, *, single=False):
    """Raise when input has another number of features per step than in fit.

    ``single``: the input looks like one sequence passed where a batch of them
    is expected, which the message then says.
    """
    if n_step_features != fitted.n_step_features:
        hint = ""
        if single:
            hint = (
                " A 2-D X is read as univariate sequences, one per row; if X is "
                "a single sequence of shape (n_steps, n_features), pass [X] or "
                "X[None]."
            )
        raise ValueError(
            f"X has {n_step_features} features per step, but "
            f"{type(estimator).__name__} is expecting {fitted.n_step_features} "
            f"features per step as input.{hint}"
        )


def parse_step_table(estimator, X, lengths, *, fitted=None):
    """A 2-D array of steps (rows) and features (columns), split by ``lengths``.

    This is the hmmlearn and seqlearn convention, and what scikit-learn's checks
    give a tagger. Without ``lengths`` every row is a sequence of one step, so
    that a row's prediction never depends on the other rows. ``X`` goes through
    scikit-learn's ``validate_data``, which records ``n_features_in_`` (and
    ``feature_names_in_``) on ``estimator`` in fit (``fitted=None``) and checks
    them afterwards. Returns ``(sequences, spec)`` with layout ``'flat'``.
    """
    reset = fitted is None
    X = validate_data(estimator, X, reset=reset, dtype=[np.float64, np.float32])
    lengths = check_lengths(lengths, X.shape[0])
    dtype = X.dtype.type if reset else fitted.dtype
    X = X.astype(dtype, copy=False)
    values = np.zeros((len(lengths), int(lengths.max()), X.shape[1]), dtype=X.dtype)
    values[real_steps(lengths, values.shape[1])] = X
    spec = InputSpec("numbers", dtype, n_step_features=X.shape[1], table=True)
    return Sequences(values=values, lengths=lengths, layout="flat"), spec


def check_lengths(lengths, n_rows):
    """The ``lengths`` of consecutive sequences of ``n_rows`` rows, checked.

    ``None`` means each row is a sequence of one step.
    """
    if lengths is None:
        return np.ones(n_rows, dtype=np.int64)
    lengths = check_array(
        lengths, ensure_2d=False, dtype=np.int64, input_name="lengths"
    )
    if lengths.ndim != 1 or (lengths < 1).any() or lengths.sum() != n_rows:
        raise ValueError(
            f"lengths must be a 1-D array of positive sequence lengths that "
            f"sum to the number of rows of X ({n_rows}); got {lengths!r} "
            f"(sum {int(lengths.sum())})."
        )
    return lengths
