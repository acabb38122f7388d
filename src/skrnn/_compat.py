"""Every private name of scikit-learn, skorch and numpy that skrnn uses, in one place.

These have no public equivalent, so skrnn imports each of them here and only here
(the model is imbalanced-learn's ``utils/fixes.py``): when a release renames or
drops one, this is the one file to adapt, and CI runs the suite against the oldest
versions that ``pyproject.toml`` allows as well as the newest.

- ``_fit_context``: runs ``fit`` under scikit-learn's parameter validation and
  configuration context, as every scikit-learn estimator does.
- ``Interval``, ``StrOptions``, ``HasMethods``, ``validate_params``:
  scikit-learn's parameter constraints (``_parameter_constraints``), which
  give its own error messages. :class:`Interval` extends the private
  constraint's ``is_satisfied_by`` to refuse booleans.
- ``_check_sample_weight``: scikit-learn's checks and messages for
  ``sample_weight``.
- :class:`AnyCaseOptions`: a ``StrOptions`` that accepts any letter case (for
  ``cell='LSTM'``); it extends the private constraint's ``is_satisfied_by``.
- :func:`validate_parameters`: ``BaseEstimator._validate_params``, which
  :func:`skrnn.load` calls to check a file's hyperparameters as ``fit`` would.
- :func:`global_random_state`: numpy's global ``RandomState`` (what
  ``np.random.shuffle`` uses), for ``random_state=None``.
- :func:`scorer_function_on_stack`: reads the metric of a scikit-learn scorer
  (its private ``_score_func``) that is calling a prediction method, so that the
  tagger can refuse a metric that cannot read tag sequences with a clear error.
- :func:`wrap_transform_output`: scikit-learn's ``set_output`` container
  (``_wrap_data_with_container``), applied by ``transform`` itself because only
  its 2-D outputs can become DataFrames; :func:`offer_set_output` keeps
  ``set_output`` on such a class (its private ``_sklearn_auto_wrap_output_keys``).
- skorch's ``NeuralNet._set_training`` is overridden (not imported) by
  ``skrnn._net``; see there.
"""

import inspect

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    StrOptions,
    validate_params,
)
from sklearn.utils._param_validation import Interval as _Interval
from sklearn.utils._set_output import _wrap_data_with_container
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "AnyCaseOptions",
    "HasMethods",
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "global_random_state",
    "offer_set_output",
    "scorer_function_on_stack",
    "validate_params",
    "validate_parameters",
    "wrap_transform_output",
]


class Interval(_Interval):
    """scikit-learn's numeric interval, except that a boolean is not a number
    in it: scikit-learn's own accepts ``True`` as the integer 1, so
    ``hidden_size=True`` would pass and fail later inside torch."""

    def is_satisfied_by(self, val):
        if isinstance(val, bool | np.bool_):
            return False
        return super().is_satisfied_by(val)


class AnyCaseOptions(StrOptions):
    """String options matched in any letter case (``'LSTM'`` is ``'lstm'``)."""

    def is_satisfied_by(self, val):
        return isinstance(val, str) and val.lower() in self.options

    def __str__(self):
        return f"{super().__str__()} (in any letter case)"


def validate_parameters(estimator):
    """Check ``estimator``'s hyperparameters against its constraints."""
    estimator._validate_params()


def global_random_state():
    """numpy's global RandomState, the one ``np.random.*`` functions draw from."""
    return np.random.mtrand._rand


def scorer_function_on_stack():
    """The metric of the scikit-learn scorer (``scoring=``) on the call stack.

    ``None`` when no scorer of ``sklearn.metrics`` is calling, or when it calls
    the estimator's own ``score`` (``scoring=None``).
    """
    frame = inspect.currentframe()
    while frame is not None:
        if frame.f_globals.get("__name__") == "sklearn.metrics._scorer":
            function = getattr(frame.f_locals.get("self"), "_score_func", None)
            if function is not None:
                return function
        frame = frame.f_back
    return None


def offer_set_output(cls):
    """Class decorator: ``cls`` offers ``set_output`` while its ``transform``
    wraps its own output (declared with ``auto_wrap_output_keys=None``, which
    would hide ``set_output``): scikit-learn offers it where its private key
    set names ``transform``."""
    cls._sklearn_auto_wrap_output_keys = {"transform"}
    return cls


def wrap_transform_output(output, X, estimator):
    """``output`` of ``estimator.transform(X)`` in the container ``set_output``
    asks for (an ndarray, a pandas or a polars DataFrame)."""
    # The DataFrame takes X's index only when X has one row per output row.
    original = X if hasattr(X, "index") and len(X) == len(output) else None
    return _wrap_data_with_container("transform", output, original, estimator)
