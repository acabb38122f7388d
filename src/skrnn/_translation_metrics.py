"""Metrics of output sequences: exact match and token error rate.

``y_true`` and ``y_pred`` hold one sequence per sample, of any lengths: strings
(sequences of characters) or sequences of tokens, as a translator's
``predict`` returns them. The token error rate is the edit (Levenshtein)
distance over the reference length, summed over the corpus: the phoneme error
rate (PER) of grapheme-to-phoneme conversion, the word error rate (WER) of
speech recognition, the character error rate (CER). The edit distance is
written here (a two-row dynamic programme): scikit-learn has none, and the
sequences it serves are short.
"""

from numbers import Number

import numpy as np
from sklearn.utils.validation import _check_sample_weight


def _as_sequences(y, name):
    if isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "biuf":
        return [[value] for value in y.tolist()]
    if isinstance(y, str) or not hasattr(y, "__len__"):
        raise TypeError(
            f"{name} must be a list of sequences (strings or lists of tokens); got "
            f"{type(y).__name__}."
        )
    sequences = []
    for i, sequence in enumerate(y):
        if isinstance(sequence, Number):
            sequence = [sequence]
        elif not hasattr(sequence, "__len__"):
            raise TypeError(
                f"Sequence {i} of {name} is {type(sequence).__name__} "
                f"{sequence!r:.40}, not a string or a sequence of tokens."
            )
        sequences.append(
            list(sequence.tolist() if isinstance(sequence, np.ndarray) else sequence)
        )
    return sequences


def _check_pair(y_true, y_pred):
    y_true = _as_sequences(y_true, "y_true")
    y_pred = _as_sequences(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred have different numbers of sequences: "
            f"{len(y_true)} and {len(y_pred)}."
        )
    if not y_true:
        raise ValueError("y_true and y_pred are empty: there is nothing to score.")
    return y_true, y_pred


def _check_weights(sample_weight, y_true, *, normalize=True):
    """One finite weight >= 0 per sequence, not all zero where the score is
    divided by them (``normalize``)."""
    weight = _check_sample_weight(
        sample_weight, np.empty(len(y_true)), ensure_non_negative=True
    )
    if normalize and not weight.any():
        raise ValueError(
            "sample_weight is zero for every sequence, so there is nothing to "
            "average over: give at least one sequence a positive weight."
        )
    return weight


def edit_distance(reference, hypothesis):
    """Levenshtein distance: the fewest insertions, deletions and
    substitutions of tokens that turn ``hypothesis`` into ``reference``.

    Parameters
    ----------
    reference : sequence
        The true sequence (a string or a list of tokens).

    hypothesis : sequence
        The predicted sequence.

    Returns
    -------
    distance : int
        The number of edits.

    Examples
    --------
    >>> from skrnn.metrics import edit_distance
    >>> edit_distance("kitten", "sitting")
    3
    >>> edit_distance(["K", "AE", "T"], ["K", "AH", "T", "S"])
    2
    """
    for name, sequence in (("reference", reference), ("hypothesis", hypothesis)):
        if not hasattr(sequence, "__iter__"):
            raise TypeError(
                f"{name} must be a string or a sequence of tokens; got "
                f"{type(sequence).__name__} {sequence!r:.40}."
            )
    reference, hypothesis = list(reference), list(hypothesis)
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i]
        for j, hyp in enumerate(hypothesis, start=1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (ref != hyp),
                )
            )
        previous = current
    return previous[-1]


def token_error_rate(y_true, y_pred, *, sample_weight=None):
    """Token error rate: edit distance over reference length, over the corpus.

    ``sum(w_i * edit_distance(y_true_i, y_pred_i)) / sum(w_i * len(y_true_i))``:
    the phoneme error rate (PER) of grapheme-to-phoneme conversion, the word
    error rate (WER) of speech recognition on word sequences, the character
    error rate on strings. Lower is better; it can exceed 1 when predictions
    are longer than the references.

    Parameters
    ----------
    y_true : list of sequences
        True sequences: strings or lists of tokens.

    y_pred : list of sequences
        Predicted sequences, as a translator's ``predict`` returns them.

    sample_weight : array-like of shape (n_sequences,), default=None
        Weight of each sequence.

    Returns
    -------
    rate : float
        The token error rate.

    See Also
    --------
    sequence_accuracy_score : The share of sequences predicted exactly.

    Examples
    --------
    >>> from skrnn.metrics import token_error_rate
    >>> token_error_rate([["K", "AE", "T"], ["D", "AO", "G"]],
    ...                  [["K", "AE", "T"], ["D", "AA", "G"]])
    0.16666666666666666
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    weight = _check_weights(sample_weight, y_true)
    errors = np.array(
        [edit_distance(t, p) for t, p in zip(y_true, y_pred, strict=True)], float
    )
    lengths = np.array([len(t) for t in y_true], dtype=float)
    total = float((weight * lengths).sum())
    if total == 0:
        raise ValueError(
            "The references of y_true are all empty (or weigh zero): the token "
            "error rate divides by their total length."
        )
    return float((weight * errors).sum() / total)


def sequence_accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """Exact-match accuracy: the share of sequences predicted exactly.

    In grapheme-to-phoneme conversion, one minus this is the word error rate
    (WER): the share of words with any error in their pronunciation.

    Parameters
    ----------
    y_true : list of sequences
        True sequences: strings or lists of tokens.

    y_pred : list of sequences
        Predicted sequences.

    normalize : bool, default=True
        If ``False``, return the (weighted) number of exact matches instead.

    sample_weight : array-like of shape (n_sequences,), default=None
        Weight of each sequence.

    Returns
    -------
    score : float
        The share (or number) of exact matches.

    See Also
    --------
    token_error_rate : Errors counted token by token.

    Examples
    --------
    >>> from skrnn.metrics import sequence_accuracy_score
    >>> sequence_accuracy_score(["cat", "dog"], ["cat", "dot"])
    0.5
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    weight = _check_weights(sample_weight, y_true, normalize=normalize)
    correct = np.array(
        [t == p for t, p in zip(y_true, y_pred, strict=True)], dtype=float
    )
    if not normalize:
        return float((weight * correct).sum())
    return float((weight * correct).sum() / weight.sum())
