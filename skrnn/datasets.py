"""Readers for sequence data files.

``read_conll`` and ``read_conllu`` read sequence tagging corpora into plain Python
lists, one inner list per sentence, ready for a tagger's ``fit(X, y)`` and for
:mod:`skrnn.metrics`. ``read_ts`` reads time series in the ``.ts`` format of the
UCR/UEA archive into arrays (or lists of arrays) ready for
:class:`~skrnn.RNNClassifier` and :class:`~skrnn.RNNRegressor`.
"""

from ._readers import read_conll, read_conllu, read_ts

__all__ = ["read_conll", "read_conllu", "read_ts"]
