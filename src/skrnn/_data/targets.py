"""Targets in every form the estimators accept: ``y`` parsed and checked.

One label or value per sequence (:func:`check_sequence_labels`,
:func:`check_sequence_targets`), one value per step (:func:`check_step_targets`;
:func:`flat_step_targets` for scores), one label per step
(:func:`step_label_rows`, :func:`flat_step_labels`, and
:func:`step_table_weights` for the per-row weights of a table of steps), and two
sequences of label sequences as the tagging metrics compare them
(:func:`check_tag_sequences`). Nothing here sets estimator state.
"""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, column_or_1d

from .._compat import _check_sample_weight
from .._stats import real_steps
from .sequences import is_sequence_list


def check_sequence_labels(y, n_sequences):
    """One class label per sequence, as a 1-D array (RNNClassifier)."""
    y = _label_column(y)
    check_one_per_sequence(n_sequences, y)
    check_classification_targets(y)
    return y


def _label_column(y):
    """``y`` as a 1-D array of labels (``column_or_1d``), its missing or mixed
    labels refused first: numpy turns strings and NaN into strings. An array
    of strings already is one type, and holds no missing label to find."""
    column = column_or_1d(y, warn=True)
    if column.dtype.kind in "OUS" and not (
        isinstance(y, np.ndarray) and y.dtype.kind in "US"
    ):
        check_label_values(np.ravel(np.asarray(y, dtype=object)), "y")
    return column


def check_label_values(labels, where):
    """Refuse missing labels (None, NaN) and labels mixing strings with other
    types among ``labels`` (an iterable; ``where`` names it): numpy would
    turn them into the labels 'None' and 'nan', or fail to sort them."""
    strings = others = False
    for step, label in enumerate(labels):
        if (
            label is None
            or type(label).__name__ == "NAType"  # pandas.NA
            or (isinstance(label, float | np.floating) and label != label)
        ):
            raise ValueError(
                f"{where} holds a missing label ({label!r}) at position {step}: "
                "every sequence or step needs a label. Drop the unlabelled ones "
                "or give them a label of their own."
            )
        if isinstance(label, str | np.str_):
            strings = True
        else:
            others = True
        if strings and others:
            raise TypeError(
                f"{where} mixes string labels with labels of other types (at "
                f"position {step}: {label!r}); give every label one type, for "
                "example all strings."
            )


def check_one_per_sequence(n_sequences, y):
    """Raise unless the array ``y`` has one entry per sequence of ``X``.

    More sequences than targets often means ``X`` is a long-format table (one
    row per step), which the message then names.
    """
    n_targets = len(y)
    if n_targets == n_sequences:
        return
    hint = ""
    if n_sequences > n_targets:
        hint = (
            " If X holds one row per step (a long-format table of id, time and "
            "feature columns), turn it into a list of sequences with "
            "skrnn.preprocessing.from_long_format(X, id_column, time_column)."
        )
    raise ValueError(
        f"Found input variables with inconsistent numbers of samples: X has "
        f"{n_sequences} sequences but y has {n_targets}.{hint}"
    )


def check_sequence_targets(y, n_sequences):
    """One target (or row of targets) per sequence (RNNRegressor).

    Returns a float64 array of shape ``(n_sequences, n_outputs)`` and whether
    ``y`` had an output axis (2-D rather than 1-D).
    """
    targets = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
    if targets.ndim not in (1, 2):
        raise ValueError(
            f"y must be 1-D (one target per sequence) or 2-D (several "
            f"targets per sequence); got shape {targets.shape}. For one "
            "target per step, set return_sequences=True."
        )
    check_one_per_sequence(n_sequences, targets)
    has_output_axis = targets.ndim == 2
    return targets.reshape(len(targets), -1), has_output_axis


def check_step_targets(y, sequences, *, dtype):
    """Per-step targets, one row per real step, aligned with ``sequences``.

    Returns an array of shape ``(n_sequences, max_length, n_outputs)`` (zeros on
    padding) and whether ``y`` had an output axis (``(n_steps_i, n_outputs)``
    per sequence rather than ``(n_steps_i,)``).
    """
    lengths = sequences.lengths
    # The padded width of the input: numeric values or token ids.
    padded = sequences.values if hasattr(sequences, "values") else sequences.ids
    width = padded.shape[1]
    if is_sequence_list(y):
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
        targets = np.zeros((len(rows), width, widths.pop()))
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
        targets = np.array(targets[:, :width])
        targets[~real_steps(lengths, targets.shape[1])] = 0.0
    if not np.isfinite(targets).all():
        raise ValueError(
            "Input y contains NaN or infinity on a real step of a sequence. Remove "
            "or impute non-finite targets."
        )
    return targets.astype(dtype, copy=False), has_output_axis


def flat_step_targets(y, sequences):
    """Per-step targets of the real steps only, as one ``(n_real_steps,
    n_outputs)`` float64 array in sequence order: what a per-step score
    compares the predictions with."""
    targets, _ = check_step_targets(y, sequences, dtype=np.float64)
    return targets[real_steps(sequences.lengths, targets.shape[1])]


def step_label_rows(y, sequences):
    """Labels as one 1-D array per sequence, checked against the lengths.

    ``y`` is a list of label sequences, a 2-D array of them (each row cut to
    its sequence's length), or for a table of steps (layout ``'flat'``) one
    label per row. The labels must be classification targets.
    """
    rows = _label_rows(y, sequences)
    check_classification_targets(np.concatenate(rows))
    return rows


def _label_rows(y, sequences):
    lengths = sequences.lengths
    if sequences.layout == "flat":
        y = _label_column(y)
        if len(y) != lengths.sum():
            raise ValueError(
                f"y must hold one label per row of X: expected shape "
                f"({int(lengths.sum())},), got {y.shape}."
            )
        return np.split(y, np.cumsum(lengths)[:-1])
    if isinstance(y, np.ndarray) and y.ndim == 2:
        if len(y) != len(lengths) or y.shape[1] < lengths.max():
            raise ValueError(
                f"y of shape {y.shape} does not match X: expected "
                f"{len(lengths)} rows of at least {int(lengths.max())} labels."
            )
        rows = [row[:n] for row, n in zip(y, lengths, strict=True)]
        if y.dtype == object:
            for i, row in enumerate(rows):
                check_label_values(row, f"Label sequence {i}")
        return rows
    if len(y) != len(lengths):
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: X has "
            f"{len(lengths)} sequences but y has {len(y)} label sequences."
        )
    rows = []
    for i, (labels, n) in enumerate(zip(y, lengths, strict=True)):
        if not isinstance(labels, np.ndarray) or labels.dtype == object:
            check_label_values(labels, f"Label sequence {i}")
        labels = np.asarray(labels)
        if labels.ndim != 1 or len(labels) != n:
            raise ValueError(
                f"Label sequence {i} has {labels.size} labels but sequence {i} of X "
                f"has {n} steps; y needs one label per step."
            )
        rows.append(labels)
    return rows


def flat_step_labels(y, lengths, sample_weight=None):
    """A list of label sequences as one flat array, for a per-step score.

    Checks ``y`` against the ``lengths`` of the predicted sequences and repeats
    each sequence's weight over its steps. Returns ``(labels, step_weight)``.
    """
    y = list(y)
    if len(y) != len(lengths) or any(
        len(labels) != n for labels, n in zip(y, lengths, strict=True)
    ):
        raise ValueError(
            "y must hold one label sequence per sequence of X, each as "
            "long as its sequence."
        )
    if sample_weight is not None:
        sample_weight = np.repeat(np.asarray(sample_weight, float), lengths)
    return np.concatenate([np.asarray(labels) for labels in y]), sample_weight


def step_table_weights(sample_weight, lengths):
    """One weight per row of a table of steps, as a padded per-step array.

    scikit-learn passes a tagger on a 2-D table one weight per row (step);
    the result has shape ``(n_sequences, max_length)``, zero on padding.
    """
    sample_weight = _check_sample_weight(
        sample_weight, np.empty(int(lengths.sum())), ensure_non_negative=True
    )
    padded = np.zeros((len(lengths), int(lengths.max())), dtype=sample_weight.dtype)
    padded[real_steps(lengths, padded.shape[1])] = sample_weight
    return padded


def _as_label_list(sequence, name, index):
    """One sequence of labels as a Python list, or a clear error."""
    if isinstance(sequence, np.ndarray):
        if sequence.ndim != 1:
            raise ValueError(
                f"{name}[{index}] is an array of shape {sequence.shape}; each "
                f"sequence of {name} must be 1-D, one label per step."
            )
        return sequence.tolist()
    if isinstance(sequence, str | bytes) or not hasattr(sequence, "__len__"):
        raise ValueError(
            f"{name}[{index}] is {sequence!r}, not a sequence of labels. {name} "
            "must be a list of per-sequence label lists or 1-D arrays, e.g. "
            "[['B-PER', 'O'], ['O']]; wrap a single sequence in a list."
        )
    return list(sequence)


def check_tag_sequences(y_true, y_pred):
    """Check two sequences of label sequences and return them as lists of lists.

    The input of the tagging metrics (:mod:`skrnn.metrics`). Raises a
    ValueError naming the first sequence whose lengths differ.
    """
    checked = []
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if isinstance(y, str | bytes) or not hasattr(y, "__len__"):
            raise ValueError(
                f"{name} must be a list of per-sequence label lists, got {y!r}."
            )
        checked.append([_as_label_list(seq, name, i) for i, seq in enumerate(y)])
    y_true, y_pred = checked
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true has {len(y_true)} sequences but y_pred has {len(y_pred)}; "
            "pass one predicted sequence per true sequence."
        )
    for index, (seq_true, seq_pred) in enumerate(zip(y_true, y_pred, strict=True)):
        if len(seq_true) != len(seq_pred):
            raise ValueError(
                f"Sequence {index} has {len(seq_true)} labels in y_true but "
                f"{len(seq_pred)} in y_pred; each predicted sequence must have "
                "one label per step of its true sequence."
            )
    return y_true, y_pred
