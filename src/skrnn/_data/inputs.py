"""The one entry point for ``X``: which parser reads it, and the checks between.

Estimators call :func:`parse_input` and store the returned spec themselves.
"""

import copy
import warnings

import numpy as np

from .sequences import parse_sequences, parse_step_table, regular_array
from .tokens import accepts, parse_tokens

_KIND_NAMES = {"tokens": "token sequences", "numbers": "numbers"}


def parse_input(
    estimator, X, *, fitted=None, tokens=None, rows="sequences", lengths=None
):
    """Parse ``X`` as the estimator reads it; return ``(parsed, spec)``.

    Parameters
    ----------
    estimator : estimator
        The estimator ``X`` is for: named in errors, and given to
        scikit-learn's ``validate_data`` for 2-D tables (see
        :func:`~skrnn._data.sequences.parse_sequences`).
    X : object
        The input.
    fitted : InputSpec or None
        The spec recorded in fit; ``None`` in fit.
    tokens : TokenOptions or None
        How to read token sequences (and raw documents, when
        ``tokens.documents``); ``None`` when the estimator takes numbers only
        (token input is then rejected as non-numeric).
    rows : {'sequences', 'steps'}
        What the rows of a 2-D numeric ``X`` are: univariate sequences
        (scikit-learn's contract for a table of samples), or steps of the
        sequences ``lengths`` delimits (the hmmlearn convention, for taggers).
    lengths : array-like of int or None
        With ``rows='steps'``: the lengths of the consecutive sequences of a
        2-D ``X``.

    Returns
    -------
    parsed : Sequences or TokenSequences
    spec : InputSpec
    """
    if tokens is not None:
        if not tokens.documents and _is_one_token_sequence(X):
            raise ValueError(
                f"X is a list of {len(X)} strings, which looks like a single "
                f"sequence of tokens; {type(estimator).__name__} takes a list of "
                "sequences: pass [X] for one sequence."
            )
        kind = "tokens" if accepts(X, tokens) else "numbers"
        if fitted is not None and kind != fitted.kind:
            if hasattr(X, "__len__") and len(X) == 0:
                # No sequence has a kind: the mismatch below would be a guess.
                raise ValueError(
                    "Found array with 0 sequence(s) while a minimum of 1 is "
                    "required: X must hold at least one sequence."
                )
            if kind == "numbers":
                # Is it numbers? If not, the error fit would give says what
                # X holds (a bare string, empty or missing sequences, ...).
                # Parsed as by a fresh estimator: a copy, which it may mark.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    parse_sequences(copy.copy(estimator), X, fitted=None)
            raise ValueError(
                f"{type(estimator).__name__} was fitted on "
                f"{_KIND_NAMES[fitted.kind]}, but X holds {_KIND_NAMES[kind]}; "
                "X must hold the same kind of input."
            )
        if kind == "tokens":
            if lengths is not None:
                raise ValueError(
                    "lengths applies only to a 2-D array of steps; token sequences "
                    "carry their own lengths."
                )
            return parse_tokens(X, tokens, fitted=fitted)
    if rows == "steps":
        if isinstance(X, (list, tuple)):
            # A list numpy reads as a regular 2-D numeric array is a table of
            # rows (scikit-learn passes tables as lists of rows).
            regular = regular_array(X)
            if regular is not None and regular.ndim == 2:
                X = regular
        elif not hasattr(X, "shape"):
            X = np.asarray(X)
        if len(getattr(X, "shape", ())) == 2:
            return parse_step_table(estimator, X, lengths, fitted=fitted)
    if lengths is not None:
        raise ValueError(
            "lengths applies only to a 2-D array of steps; lists and 3-D "
            "arrays carry their own lengths."
        )
    return parse_sequences(estimator, X, fitted=fitted)


def _is_one_token_sequence(X):
    return (
        isinstance(X, (list, tuple))
        and len(X) > 0
        and all(isinstance(token, str) for token in X)
    )
