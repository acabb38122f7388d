"""Metrics for sequence tagging (per-token and per-span) and sequence outputs.

Translators' outputs (sequences of their own lengths) are scored by
:func:`sequence_accuracy_score` (exact match) and :func:`token_error_rate`
(edit distance over reference length), with their scorers; the rest of this
page is about tagging.

``y_true`` and ``y_pred`` are sequences of per-sequence label sequences, as
returned by a tagger's ``predict``: a list of 1-D arrays or a list of lists, one
per sequence, the i-th of ``y_pred`` as long as the i-th of ``y_true``.

Flat metrics concatenate the sequences and delegate to :mod:`sklearn.metrics`.
Span metrics score whole chunks (entities) and agree with the CoNLL evaluation
script ``conlleval``, ill-formed predictions included. Every ``*_score`` function
works with :func:`sklearn.metrics.make_scorer`, and ready-made scorers are
provided for ``scoring=`` in model selection tools.
"""

import numbers
import warnings
from collections import Counter

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import accuracy_score, make_scorer, precision_recall_fscore_support

from ._data import check_tag_sequences
from ._docstrings import fill_doc, substitute
from ._translation_metrics import (
    edit_distance,
    sequence_accuracy_score,
    token_error_rate,
)

__all__ = [
    "flat_accuracy_score",
    "flat_precision_recall_fscore_support",
    "flat_precision_score",
    "flat_recall_score",
    "flat_f1_score",
    "span_precision_recall_fscore",
    "span_precision_score",
    "span_recall_score",
    "span_f1_score",
    "span_classification_report",
    "flat_accuracy_scorer",
    "flat_f1_scorer",
    "span_precision_scorer",
    "span_recall_scorer",
    "span_f1_scorer",
    "edit_distance",
    "sequence_accuracy_score",
    "token_error_rate",
    "sequence_accuracy_scorer",
    "token_error_rate_scorer",
]

_AVERAGES = (None, "micro", "macro", "weighted")

# Tag prefixes each scheme accepts besides the lone "O". conlleval reads IOB1 and
# IOB2 with the same rules, so the two schemes differ only in name here.
_SCHEME_PREFIXES = {
    "IOB1": ("B", "I"),
    "IOB2": ("B", "I"),
    "BIOES": ("B", "I", "E", "S"),
    "IOBES": ("B", "I", "E", "S"),
}


# ---------------------------------------------------------------------------
# Input checks


def _flatten(y_true, y_pred):
    y_true, y_pred = check_tag_sequences(y_true, y_pred)
    flat_true = [label for seq in y_true for label in seq]
    flat_pred = [label for seq in y_pred for label in seq]
    if not flat_true:
        raise ValueError(
            "y_true and y_pred contain no labels; pass at least one non-empty sequence."
        )
    return flat_true, flat_pred


def _check_average(average):
    if average not in _AVERAGES:
        raise ValueError(
            f"average={average!r} is not supported; expected one of None, "
            "'micro', 'macro' or 'weighted'."
        )


def _check_beta(beta):
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
        raise TypeError(f"beta must be a number >= 0; got {beta!r}.")
    if not (np.isfinite(beta) and beta >= 0):
        raise ValueError(
            f"beta must be a finite number >= 0 (1 weighs precision and recall "
            f"alike); got {beta!r}."
        )


def _check_zero_division(zero_division):
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return
    elif isinstance(zero_division, numbers.Real) and (
        zero_division in (0, 1) or np.isnan(zero_division)
    ):
        return
    raise ValueError(
        f"zero_division={zero_division!r} is not supported; expected 'warn', "
        "0.0, 1.0 or np.nan."
    )


def _check_known(requested, present, parameter):
    """Every requested label or type must occur in y_true or y_pred."""
    if isinstance(requested, np.ndarray):
        requested = requested.tolist()
    elif isinstance(requested, str | bytes) or not hasattr(requested, "__iter__"):
        raise ValueError(
            f"{parameter}={requested!r} must be a list, e.g. {parameter}=['PER']."
        )
    requested = list(requested)
    unknown = [item for item in requested if item not in present]
    if unknown:
        raise ValueError(
            f"{parameter}={requested!r} contains {unknown!r}, which occur in "
            f"neither y_true nor y_pred (found: {sorted(map(str, present))!r}); "
            f"pass only {parameter} that appear in the data, or {parameter}=None "
            "to use all of them."
        )
    return requested


# ---------------------------------------------------------------------------
# Flat (per-token) metrics


def flat_accuracy_score(y_true, y_pred, *, normalize=True):
    """Token accuracy: the fraction of steps whose predicted label is right.

    Every step of every sequence counts once, so long sequences weigh more than
    short ones. This is the ``accuracy`` that ``conlleval`` prints.

    Parameters
    ----------
    y_true : list of array-like of shape (n_steps_i,)
        True labels, one sequence of labels per sequence.

    y_pred : list of array-like of shape (n_steps_i,)
        Predicted labels, as returned by a tagger's ``predict``.

    normalize : bool, default=True
        If ``False``, return the number of correctly labelled steps instead of
        their fraction.

    Returns
    -------
    score : float or int
        Fraction (or number) of correctly labelled steps.

    See Also
    --------
    sklearn.metrics.accuracy_score : The same on flat label arrays.
    span_f1_score : F1 over whole chunks rather than steps.

    Examples
    --------
    >>> from skrnn.metrics import flat_accuracy_score
    >>> y_true = [["DET", "NOUN", "VERB"], ["PRON", "VERB"]]
    >>> y_pred = [["DET", "VERB", "VERB"], ["PRON", "VERB"]]
    >>> flat_accuracy_score(y_true, y_pred)
    0.8
    """
    flat_true, flat_pred = _flatten(y_true, y_pred)
    score = accuracy_score(flat_true, flat_pred, normalize=normalize)
    return float(score) if normalize else int(score)


def flat_precision_recall_fscore_support(
    y_true, y_pred, *, labels=None, average=None, beta=1.0, zero_division="warn"
):
    """Per-token precision, recall, F-score and support.

    The sequences are concatenated and passed to
    :func:`sklearn.metrics.precision_recall_fscore_support`, so every step is
    one sample of a multiclass problem.

    Parameters
    ----------
    y_true : list of array-like of shape (n_steps_i,)
        True labels, one sequence of labels per sequence.

    y_pred : list of array-like of shape (n_steps_i,)
        Predicted labels, as returned by a tagger's ``predict``.

    labels : array-like, default=None
        Labels to include, in the order of the returned arrays when
        ``average=None``; labels of the data not listed are left out (e.g. leave
        out ``'O'``). Each must occur in ``y_true`` or ``y_pred``. By default,
        all labels of either, sorted.

    average : {None, 'micro', 'macro', 'weighted'}, default=None
        ``None`` returns one score per label; the others average them as
        :func:`sklearn.metrics.precision_recall_fscore_support` does.

    beta : float, default=1.0
        Weight of recall in the F-score.

    zero_division : {'warn', 0.0, 1.0, np.nan}, default='warn'
        Value for a ratio whose denominator is zero; ``'warn'`` uses 0.0 and
        warns.

    Returns
    -------
    precision : float or ndarray of shape (n_labels,)
        Precision of each label, or their average.

    recall : float or ndarray of shape (n_labels,)
        Recall of each label, or their average.

    fbeta_score : float or ndarray of shape (n_labels,)
        F-beta score of each label, or their average.

    support : None or ndarray of shape (n_labels,)
        Number of true steps of each label; ``None`` when averaged.

    See Also
    --------
    flat_f1_score : The averaged F1 score alone.
    span_precision_recall_fscore : The same over whole chunks.

    Examples
    --------
    >>> from skrnn.metrics import flat_precision_recall_fscore_support
    >>> y_true = [["DET", "NOUN", "VERB"], ["PRON", "VERB"]]
    >>> y_pred = [["DET", "VERB", "VERB"], ["PRON", "VERB"]]
    >>> precision, recall, fscore, support = flat_precision_recall_fscore_support(
    ...     y_true, y_pred, labels=["NOUN", "VERB"], zero_division=0.0
    ... )
    >>> precision.tolist(), recall.tolist(), support.tolist()
    ([0.0, 0.6666666666666666], [0.0, 1.0], [1, 2])
    """
    return _flat_prfs(
        y_true,
        y_pred,
        labels,
        average,
        beta,
        zero_division,
        ("precision", "recall", "f-score"),
    )


def _flat_prfs(y_true, y_pred, labels, average, beta, zero_division, warn_for):
    _check_average(average)
    _check_zero_division(zero_division)
    flat_true, flat_pred = _flatten(y_true, y_pred)
    if labels is not None:
        labels = _check_known(labels, set(flat_true) | set(flat_pred), "labels")
    return precision_recall_fscore_support(
        np.asarray(flat_true),
        np.asarray(flat_pred),
        labels=labels,
        average=average,
        beta=beta,
        zero_division=zero_division,
        warn_for=warn_for,
    )


_FLAT_SCORE_PARAMS = """Parameters
    ----------
    y_true : list of array-like of shape (n_steps_i,)
        True labels, one sequence of labels per sequence.

    y_pred : list of array-like of shape (n_steps_i,)
        Predicted labels, as returned by a tagger's ``predict``.

    labels : array-like, default=None
        Labels to include; labels of the data not listed are left out (e.g. leave
        out ``'O'``). Each must occur in ``y_true`` or ``y_pred``. By default,
        all labels of either.

    average : {'macro', 'micro', 'weighted', None}, default='macro'
        How the per-label scores are combined. ``'macro'`` is the default
        because ``'micro'`` over all labels equals the token accuracy.

    zero_division : {'warn', 0.0, 1.0, np.nan}, default='warn'
        Value for a ratio whose denominator is zero; ``'warn'`` uses 0.0 and
        warns.

    Returns
    -------
    score : float or ndarray of shape (n_labels,)
        The average score, or one score per label when ``average=None``.
"""


def _flat_score(y_true, y_pred, which, labels, average, zero_division):
    warn_for = (("precision",), ("recall",), ("f-score",))[which]
    scores = _flat_prfs(y_true, y_pred, labels, average, 1.0, zero_division, warn_for)
    score = scores[which]
    return float(score) if average is not None else score


def flat_precision_score(
    y_true, y_pred, *, labels=None, average="macro", zero_division="warn"
):
    """Per-token precision, averaged over labels.

    See :func:`flat_precision_recall_fscore_support` for details.

    {params}
    Examples
    --------
    >>> from skrnn.metrics import flat_precision_score
    >>> y_true = [["DET", "NOUN", "VERB"], ["PRON", "VERB"]]
    >>> y_pred = [["DET", "VERB", "VERB"], ["PRON", "VERB"]]
    >>> round(flat_precision_score(y_true, y_pred, zero_division=0.0), 4)
    0.6667
    """
    return _flat_score(y_true, y_pred, 0, labels, average, zero_division)


def flat_recall_score(
    y_true, y_pred, *, labels=None, average="macro", zero_division="warn"
):
    """Per-token recall, averaged over labels.

    See :func:`flat_precision_recall_fscore_support` for details.

    {params}
    Examples
    --------
    >>> from skrnn.metrics import flat_recall_score
    >>> y_true = [["DET", "NOUN", "VERB"], ["PRON", "VERB"]]
    >>> y_pred = [["DET", "VERB", "VERB"], ["PRON", "VERB"]]
    >>> flat_recall_score(y_true, y_pred)
    0.75
    """
    return _flat_score(y_true, y_pred, 1, labels, average, zero_division)


def flat_f1_score(
    y_true, y_pred, *, labels=None, average="macro", zero_division="warn"
):
    """Per-token F1 score, averaged over labels.

    See :func:`flat_precision_recall_fscore_support` for details.

    {params}
    Examples
    --------
    >>> from skrnn.metrics import flat_f1_score
    >>> y_true = [["DET", "NOUN", "VERB"], ["PRON", "VERB"]]
    >>> y_pred = [["DET", "VERB", "VERB"], ["PRON", "VERB"]]
    >>> flat_f1_score(y_true, y_pred, zero_division=0.0)
    0.7
    >>> flat_f1_score(y_true, y_pred, labels=["VERB"], average="micro")
    0.8
    """
    return _flat_score(y_true, y_pred, 2, labels, average, zero_division)


for _function in (flat_precision_score, flat_recall_score, flat_f1_score):
    fill_doc(params=_FLAT_SCORE_PARAMS)(_function)


# ---------------------------------------------------------------------------
# Spans


def _check_scheme(scheme):
    if scheme not in _SCHEME_PREFIXES:
        raise ValueError(
            f"scheme={scheme!r} is not supported; expected one of 'IOB1', 'IOB2', "
            "'BIOES' or 'IOBES'."
        )
    return _SCHEME_PREFIXES[scheme]


def _parse_tags(sequence, scheme, prefixes, cache, name, index):
    """Split each tag of one sequence into (prefix, type); 'O' is ('O', '')."""
    parsed = []
    for position, tag in enumerate(sequence):
        try:
            parsed.append(cache[tag])
            continue
        except KeyError:
            pass
        except TypeError as exc:  # an unhashable "tag", such as a nested list
            raise ValueError(
                f"{name}[{index}][{position}] is {tag!r}, not a tag; span metrics "
                "need string tags such as 'B-PER' or 'O'."
            ) from exc
        if not isinstance(tag, str):
            raise ValueError(
                f"{name}[{index}][{position}] is {tag!r} ({type(tag).__name__}); "
                "span metrics need string tags such as 'B-PER' or 'O'. Map integer "
                "labels back to their tag names first."
            )
        if tag == "O":
            cache[tag] = ("O", "")
        else:
            # As in conlleval, the first hyphen splits prefix and type, so the
            # type of 'B-GEO-LOC' is 'GEO-LOC'.
            prefix, hyphen, type_ = tag.partition("-")
            if not hyphen or prefix not in prefixes or not type_:
                expected = ", ".join(f"'{prefix}-<type>'" for prefix in prefixes)
                raise ValueError(
                    f"Tag {tag!r} at {name}[{index}][{position}] does not fit "
                    f"scheme={scheme!r}, which expects 'O' or one of {expected}. "
                    "Pass the scheme the tags follow, or fix the tags."
                )
            cache[tag] = (prefix, type_)
        parsed.append(cache[tag])
    return parsed


# conlleval's startOfChunk/endOfChunk for IOB1 and IOB2 (the script applies the
# same rules to both): a chunk starts at B, at I after O, or where the type
# changes; it ends before B or O, or where the type changes. So an I-X after O or
# after another type starts a chunk, and a type change mid-chunk splits it.
def _iob_starts(prev, prev_type, tag, type_):
    return (
        tag == "B"
        or (tag == "I" and prev == "O")
        or (tag != "O" and type_ != prev_type)
    )


def _iob_ends(prev, prev_type, tag, type_):
    return (prev != "O" and tag in ("B", "O")) or (prev != "O" and type_ != prev_type)


# BIOES in the same spirit: B and S start a chunk, E and S end one; I or E after
# O, E or S starts a chunk (as conlleval does for I after O) and a type change
# both ends and starts one.
def _bioes_starts(prev, prev_type, tag, type_):
    return (
        tag in ("B", "S")
        or (tag in ("I", "E") and prev in ("O", "E", "S"))
        or (tag != "O" and type_ != prev_type)
    )


def _bioes_ends(prev, prev_type, tag, type_):
    return (
        prev in ("E", "S")
        or (prev in ("B", "I") and tag in ("B", "S", "O"))
        or (prev != "O" and type_ != prev_type)
    )


def _spans(parsed, scheme):
    """The (type, start, end) chunks of one parsed sequence, end exclusive."""
    starts, ends = (
        (_bioes_starts, _bioes_ends)
        if scheme in ("BIOES", "IOBES")
        else (_iob_starts, _iob_ends)
    )
    spans = []
    prev, prev_type, start = "O", "", None
    for position, (tag, type_) in enumerate([*parsed, ("O", "")]):
        if start is not None and ends(prev, prev_type, tag, type_):
            spans.append((prev_type, start, position))
            start = None
        if starts(prev, prev_type, tag, type_):
            start = position
        prev, prev_type = tag, type_
    return spans


def _span_counts(y_true, y_pred, scheme):
    """Per-type counts of true, predicted and correct spans, and token counts."""
    prefixes = _check_scheme(scheme)
    y_true, y_pred = check_tag_sequences(y_true, y_pred)
    cache = {}
    n_true, n_pred, n_correct = Counter(), Counter(), Counter()
    n_tokens = n_correct_tokens = 0
    for index, (seq_true, seq_pred) in enumerate(zip(y_true, y_pred, strict=True)):
        true_spans = set(
            _spans(
                _parse_tags(seq_true, scheme, prefixes, cache, "y_true", index), scheme
            )
        )
        pred_spans = set(
            _spans(
                _parse_tags(seq_pred, scheme, prefixes, cache, "y_pred", index), scheme
            )
        )
        n_true.update(type_ for type_, _, _ in true_spans)
        n_pred.update(type_ for type_, _, _ in pred_spans)
        n_correct.update(type_ for type_, _, _ in true_spans & pred_spans)
        n_tokens += len(seq_true)
        n_correct_tokens += sum(a == b for a, b in zip(seq_true, seq_pred, strict=True))
    return n_true, n_pred, n_correct, n_tokens, n_correct_tokens


def _select_types(n_true, n_pred, types):
    present = set(n_true) | set(n_pred)
    if types is None:
        return sorted(present)
    return _check_known(types, present, "types")


def _divide(numerator, denominator, zero_division, metric, warn):
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    undefined = denominator == 0
    result = numerator / np.where(undefined, 1.0, denominator)
    if undefined.any():
        if zero_division == "warn":
            if warn:
                warnings.warn(
                    f"{metric} is ill-defined and being set to 0.0 where there are "
                    "no spans to divide by. Use the `zero_division` parameter to "
                    "control this behavior.",
                    UndefinedMetricWarning,
                    stacklevel=2,
                )
            value = 0.0
        else:
            value = float(zero_division)
        result = np.where(undefined, value, result)
    return result


def _prf(tp, n_pred, n_true, beta, zero_division, warn_for):
    beta2 = beta**2
    precision = _divide(tp, n_pred, zero_division, "Precision", "precision" in warn_for)
    recall = _divide(tp, n_true, zero_division, "Recall", "recall" in warn_for)
    fscore = _divide(
        (1 + beta2) * np.asarray(tp, dtype=float),
        beta2 * np.asarray(n_true, dtype=float) + np.asarray(n_pred, dtype=float),
        zero_division,
        "F-score",
        "f-score" in warn_for,
    )
    return precision, recall, fscore


def _average(values, weights, zero_division):
    if values.size == 0 or (weights is not None and weights.sum() == 0):
        return 0.0 if zero_division == "warn" else float(zero_division)
    if np.isnan(values).all():
        return float("nan")
    keep = ~np.isnan(values)
    weights = None if weights is None else weights[keep]
    return float(np.average(values[keep], weights=weights))


def _span_prf(y_true, y_pred, scheme, types, average, beta, zero_division, warn_for):
    _check_average(average)
    _check_beta(beta)
    _check_zero_division(zero_division)
    n_true, n_pred, n_correct, _, _ = _span_counts(y_true, y_pred, scheme)
    types = _select_types(n_true, n_pred, types)
    tp = np.array([n_correct[t] for t in types], dtype=int)
    true_sum = np.array([n_true[t] for t in types], dtype=int)
    pred_sum = np.array([n_pred[t] for t in types], dtype=int)
    if average == "micro":
        precision, recall, fscore = _prf(
            tp.sum(), pred_sum.sum(), true_sum.sum(), beta, zero_division, warn_for
        )
        return float(precision), float(recall), float(fscore), None
    precision, recall, fscore = _prf(
        tp, pred_sum, true_sum, beta, zero_division, warn_for
    )
    if average is None:
        return precision, recall, fscore, true_sum
    weights = true_sum.astype(float) if average == "weighted" else None
    return (
        _average(precision, weights, zero_division),
        _average(recall, weights, zero_division),
        _average(fscore, weights, zero_division),
        None,
    )


_SPAN_PARAMS = """
    y_true : list of array-like of shape (n_steps_i,)
        True tags, one sequence of string tags per sequence, such as
        ``[['B-PER', 'I-PER', 'O'], ['B-LOC']]``.

    y_pred : list of array-like of shape (n_steps_i,)
        Predicted tags, as returned by a tagger's ``predict``.

    scheme : {'IOB2', 'IOB1', 'BIOES', 'IOBES'}, default='IOB2'
        Tagging scheme. ``'IOB1'`` and ``'IOB2'`` are read with conlleval's rules
        (a chunk starts at ``B-X``, at ``I-X`` after ``O``, or where the type
        changes). ``'BIOES'`` (alias ``'IOBES'``) also accepts ``E-`` and ``S-``
        tags: ``B``/``S`` start a chunk, ``E``/``S`` end one. The first hyphen
        splits prefix and type, so ``'B-GEO-LOC'`` has type ``'GEO-LOC'``. A tag
        that fits neither ``'O'`` nor the scheme's prefixes raises a ValueError.

    types : list of str, default=None
        Chunk types to score, in the order of the returned arrays when
        ``average=None``; chunks of other types are left out. Each must occur in
        ``y_true`` or ``y_pred``. By default, all types of either, sorted.
"""

_SPAN_SCORE_DOC = """{summary}

    A predicted chunk is correct when a true chunk has the same type, start and
    end. The default ``average='micro'`` gives the overall figure that the CoNLL
    evaluation script ``conlleval`` prints, including on ill-formed predictions.

    Parameters
    ----------
    {params}
    average : {'micro', 'macro', 'weighted', None}, default='micro'
        ``'micro'`` pools the chunks of all types (conlleval's overall figure);
        ``'macro'`` averages the per-type scores; ``'weighted'`` weights them by
        the number of true chunks; ``None`` returns one score per type.

    zero_division : {'warn', 0.0, 1.0, np.nan}, default='warn'
        Value for a ratio whose denominator is zero (e.g. precision with no
        predicted chunks); ``'warn'`` uses 0.0, as conlleval does, and warns.

    Returns
    -------
    score : float or ndarray of shape (n_types,)
        The score, or one score per type when ``average=None``.

    See Also
    --------
    span_precision_recall_fscore : All three scores and the supports at once.
    span_classification_report : conlleval's report, per type.
    span_f1_scorer : A ready-made scorer for ``scoring=``.

    Examples
    --------
    >>> from skrnn.metrics import {name}
    >>> y_true = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG"]]
    >>> y_pred = [["B-PER", "I-PER", "O", "B-ORG"], ["O", "B-ORG"]]
    >>> round({name}(y_true, y_pred), 4)
    {example}
"""


def span_precision_recall_fscore(
    y_true,
    y_pred,
    *,
    scheme="IOB2",
    types=None,
    average="micro",
    beta=1.0,
    zero_division="warn",
):
    """Precision, recall, F-score and support over chunks (spans).

    A predicted chunk is correct when a true chunk has the same type, start and
    end. Chunks are read with the rules of the CoNLL evaluation script
    ``conlleval``, and the default ``average='micro'`` gives the overall figures
    it prints, ill-formed predictions included: an ``I-X`` after ``O`` or after
    another type starts a chunk, and a chunk whose type changes is split.

    Parameters
    ----------
    {params}
    average : {'micro', 'macro', 'weighted', None}, default='micro'
        ``'micro'`` pools the chunks of all types (conlleval's overall figure);
        ``'macro'`` averages the per-type scores; ``'weighted'`` weights them by
        the number of true chunks; ``None`` returns one score per type.

    beta : float, default=1.0
        Weight of recall in the F-score.

    zero_division : {'warn', 0.0, 1.0, np.nan}, default='warn'
        Value for a ratio whose denominator is zero (e.g. precision with no
        predicted chunks); ``'warn'`` uses 0.0, as conlleval does, and warns.

    Returns
    -------
    precision : float or ndarray of shape (n_types,)
        Fraction of predicted chunks that are correct, per type or averaged.

    recall : float or ndarray of shape (n_types,)
        Fraction of true chunks that are found, per type or averaged.

    fbeta_score : float or ndarray of shape (n_types,)
        F-beta score, per type or averaged.

    support : None or ndarray of shape (n_types,)
        Number of true chunks of each type; ``None`` when averaged.

    See Also
    --------
    span_f1_score : The F1 score alone.
    span_classification_report : conlleval's report, per type.
    flat_precision_recall_fscore_support : The same per token.

    Examples
    --------
    >>> from skrnn.metrics import span_precision_recall_fscore
    >>> y_true = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG"]]
    >>> y_pred = [["B-PER", "I-PER", "O", "B-ORG"], ["O", "B-ORG"]]
    >>> precision, recall, fscore, _ = span_precision_recall_fscore(y_true, y_pred)
    >>> round(precision, 4), round(recall, 4), round(fscore, 4)
    (0.6667, 0.6667, 0.6667)
    >>> precision, recall, fscore, support = span_precision_recall_fscore(
    ...     y_true, y_pred, average=None, zero_division=0.0
    ... )
    >>> precision.tolist(), support.tolist()  # types LOC, ORG, PER
    ([0.0, 0.5, 1.0], [1, 1, 1])
    """
    return _span_prf(
        y_true,
        y_pred,
        scheme,
        types,
        average,
        beta,
        zero_division,
        ("precision", "recall", "f-score"),
    )


fill_doc(params=_SPAN_PARAMS.lstrip())(span_precision_recall_fscore)


def _span_score(y_true, y_pred, which, scheme, types, average, zero_division):
    warn_for = (("precision",), ("recall",), ("f-score",))[which]
    scores = _span_prf(
        y_true, y_pred, scheme, types, average, 1.0, zero_division, warn_for
    )
    return scores[which]


def span_precision_score(
    y_true, y_pred, *, scheme="IOB2", types=None, average="micro", zero_division="warn"
):
    return _span_score(y_true, y_pred, 0, scheme, types, average, zero_division)


def span_recall_score(
    y_true, y_pred, *, scheme="IOB2", types=None, average="micro", zero_division="warn"
):
    return _span_score(y_true, y_pred, 1, scheme, types, average, zero_division)


def span_f1_score(
    y_true, y_pred, *, scheme="IOB2", types=None, average="micro", zero_division="warn"
):
    return _span_score(y_true, y_pred, 2, scheme, types, average, zero_division)


for _function, _summary, _example in (
    (
        span_precision_score,
        "Precision over chunks: the share of predicted chunks that are right.",
        "0.6667",
    ),
    (
        span_recall_score,
        "Recall over chunks: the share of true chunks that are found.",
        "0.6667",
    ),
    (
        span_f1_score,
        "F1 score over chunks, the headline figure of CoNLL chunking and NER.",
        "0.6667",
    ),
):
    _function.__doc__ = substitute(
        _SPAN_SCORE_DOC,
        summary=_summary,
        params=_SPAN_PARAMS.lstrip(),
        name=_function.__name__,
        example=_example,
    )


def span_classification_report(
    y_true, y_pred, *, scheme="IOB2", types=None, digits=2, output_dict=False
):
    """Per-type chunk scores, laid out as the CoNLL evaluation script prints them.

    The text is what ``conlleval`` prints for the same tags: the numbers of
    tokens, true, predicted and correct chunks; the token accuracy and the overall
    precision, recall and F1 (in percent); then one line per type with its
    precision, recall, F1 and number of predicted chunks. As in conlleval, a
    ratio with a zero denominator is 0.

    Parameters
    ----------
    {params}
    digits : int, default=2
        Number of decimals of the percentages (conlleval prints 2).

    output_dict : bool, default=False
        If ``True``, return a dict instead of text: one entry per type and
        ``'micro avg'``, ``'macro avg'`` and ``'weighted avg'``, each a dict with
        ``'precision'``, ``'recall'``, ``'f1-score'`` (fractions, not percent),
        ``'support'`` (true chunks), ``'predicted'`` and ``'correct'`` chunks
        (``None`` for the macro and weighted averages); and ``'accuracy'``, the
        token accuracy.

    Returns
    -------
    report : str or dict
        The report.

    See Also
    --------
    span_precision_recall_fscore : The same figures as arrays.

    Examples
    --------
    >>> from skrnn.metrics import span_classification_report
    >>> y_true = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG"]]
    >>> y_pred = [["B-PER", "I-PER", "O", "B-ORG"], ["O", "B-ORG"]]
    >>> print(span_classification_report(y_true, y_pred))
    processed 6 tokens with 3 phrases; found: 3 phrases; correct: 2.
    accuracy:  83.33%; precision:  66.67%; recall:  66.67%; FB1:  66.67
                  LOC: precision:   0.00%; recall:   0.00%; FB1:   0.00  0
                  ORG: precision:  50.00%; recall: 100.00%; FB1:  66.67  2
                  PER: precision: 100.00%; recall: 100.00%; FB1: 100.00  1
    """
    if (
        isinstance(digits, bool)
        or not isinstance(digits, numbers.Integral)
        or digits < 0
    ):
        raise ValueError(f"digits must be an integer >= 0; got {digits!r}.")
    n_true, n_pred, n_correct, n_tokens, n_correct_tokens = _span_counts(
        y_true, y_pred, scheme
    )
    types = _select_types(n_true, n_pred, types)
    tp = np.array([n_correct[t] for t in types], dtype=int)
    true_sum = np.array([n_true[t] for t in types], dtype=int)
    pred_sum = np.array([n_pred[t] for t in types], dtype=int)
    no_warning = ()
    per_type = _prf(tp, pred_sum, true_sum, 1.0, 0.0, no_warning)
    overall = [
        float(score)
        for score in _prf(
            tp.sum(), pred_sum.sum(), true_sum.sum(), 1.0, 0.0, no_warning
        )
    ]
    accuracy = n_correct_tokens / n_tokens if n_tokens else 0.0

    if output_dict:
        names = ("precision", "recall", "f1-score")
        report = {
            type_: {
                **{
                    name: float(score[i])
                    for name, score in zip(names, per_type, strict=True)
                },
                "support": int(true_sum[i]),
                "predicted": int(pred_sum[i]),
                "correct": int(tp[i]),
            }
            for i, type_ in enumerate(types)
        }
        report["micro avg"] = {
            **dict(zip(names, overall, strict=True)),
            "support": int(true_sum.sum()),
            "predicted": int(pred_sum.sum()),
            "correct": int(tp.sum()),
        }
        for key, weights in (
            ("macro avg", None),
            ("weighted avg", true_sum.astype(float)),
        ):
            report[key] = {
                **{
                    name: _average(score, weights, 0.0)
                    for name, score in zip(names, per_type, strict=True)
                },
                "support": int(true_sum.sum()),
                "predicted": None,
                "correct": None,
            }
        report["accuracy"] = accuracy
        return report

    width = digits + 4
    lines = [
        f"processed {n_tokens} tokens with {true_sum.sum()} phrases; "
        f"found: {pred_sum.sum()} phrases; correct: {tp.sum()}."
    ]
    if n_tokens:
        precision, recall, fscore = (100 * score for score in overall)
        lines.append(
            f"accuracy: {100 * accuracy:{width}.{digits}f}%; "
            f"precision: {precision:{width}.{digits}f}%; "
            f"recall: {recall:{width}.{digits}f}%; "
            f"FB1: {fscore:{width}.{digits}f}"
        )
    for i, type_ in enumerate(types):
        precision, recall, fscore = (100 * score[i] for score in per_type)
        lines.append(
            f"{type_:>17}: precision: {precision:{width}.{digits}f}%; "
            f"recall: {recall:{width}.{digits}f}%; "
            f"FB1: {fscore:{width}.{digits}f}  {pred_sum[i]}"
        )
    return "\n".join(lines)


fill_doc(params=_SPAN_PARAMS.lstrip())(span_classification_report)


# ---------------------------------------------------------------------------
# Scorers, for ``scoring=`` in cross_val_score, GridSearchCV and the like. For
# other options, build your own, e.g. make_scorer(span_f1_score, scheme="BIOES").

flat_accuracy_scorer = make_scorer(flat_accuracy_score)
flat_f1_scorer = make_scorer(flat_f1_score, zero_division=0.0)
span_precision_scorer = make_scorer(span_precision_score, zero_division=0.0)
span_recall_scorer = make_scorer(span_recall_score, zero_division=0.0)
span_f1_scorer = make_scorer(span_f1_score, zero_division=0.0)

# Scorers of translators' outputs: exact match (higher is better) and the token
# error rate, negated as scikit-learn's neg_* scorers are.
sequence_accuracy_scorer = make_scorer(sequence_accuracy_score)
token_error_rate_scorer = make_scorer(token_error_rate, greater_is_better=False)
