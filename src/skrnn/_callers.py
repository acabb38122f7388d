"""Who is calling ``fit``: the user directly, or scikit-learn's model selection.

Two behaviours depend on it: where ``fit``'s warnings point (the user's line,
however deep the call), and what a Ctrl-C does (see :class:`Interrupted`).
"""

import inspect


class Interrupted(KeyboardInterrupt):
    """A Ctrl-C that ends the whole call: raised again past ``fit`` when a
    scikit-learn meta-estimator or joblib runs it (``propagate``), else turned
    into a warning when no epoch of the call completed."""

    def __init__(self, completed, max_epochs, *, propagate):
        super().__init__(
            f"training interrupted after {completed} of {max_epochs} epochs"
        )
        self.propagate = propagate


#: scikit-learn modules that wrap a direct ``fit`` without fitting several
#: models: a fit called through them is still the user's own call.
_DIRECT_CALLERS = ("sklearn.base", "sklearn.pipeline", "sklearn.utils")


def inside_meta_estimator():
    """Whether this fit runs under scikit-learn's model selection or another
    meta-estimator (``cross_val_score``, ``GridSearchCV``, ...) or joblib.

    There a Ctrl-C must stop the whole search instead of ending one fit early
    and letting the search score the cut-short model as if it were real.
    """
    frame = inspect.currentframe()
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        top = module.split(".")[0]
        if top in ("joblib", "loky", "distributed", "dask"):
            return True
        if top == "sklearn" and not module.startswith(_DIRECT_CALLERS):
            return True
        frame = frame.f_back
    return False


def caller_stacklevel():
    """``stacklevel`` for a warning raised in ``_fit``: the first frame outside
    skrnn and scikit-learn's ``_fit_context`` wrapper, however deep the call."""
    frame = inspect.currentframe().f_back  # the frame that warns
    level = 1
    while frame is not None and _is_internal(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
        level += 1
    return level


def _is_internal(module):
    return module == "sklearn.base" or module.split(".")[0] == "skrnn"
