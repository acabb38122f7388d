"""Where skrnn's warnings point: the user's call, not skrnn's internals."""

import inspect


def caller_stacklevel():
    """``stacklevel`` for a warning raised inside skrnn: the first frame outside
    skrnn and scikit-learn's ``_fit_context`` wrapper, however deep the call."""
    frame = inspect.currentframe().f_back  # the frame that warns
    level = 1
    while frame is not None and _is_internal(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
        level += 1
    return level


def _is_internal(module):
    return module == "sklearn.base" or module.split(".")[0] == "skrnn"
