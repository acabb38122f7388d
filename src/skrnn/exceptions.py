"""Warnings of skrnn, for filtering them by category.

Examples
--------
>>> import warnings
>>> from skrnn.exceptions import ZeroPaddingWarning
>>> warnings.filterwarnings("ignore", category=ZeroPaddingWarning)
"""

__all__ = ["ZeroPaddingWarning"]


class ZeroPaddingWarning(UserWarning):
    """``X`` looks zero-padded, and skrnn reads zeros as data.

    Raised by ``fit`` when many sequences of an array start or end with runs of
    all-zero steps of different lengths, the mark of Keras's ``pad_sequences``.
    skrnn reads those steps as real steps; mark padding with trailing all-NaN
    steps, or pass a list of arrays of their own lengths. Filter this warning
    when the zeros are real data.
    """
