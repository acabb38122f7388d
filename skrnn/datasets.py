"""Readers for sequence data files.

``read_conll`` and ``read_conllu`` read sequence tagging corpora into plain Python
lists, one inner list per sentence, ready for a tagger's ``fit(X, y)`` and for
:mod:`skrnn.metrics`.
"""

from ._readers import read_conll, read_conllu

__all__ = ["read_conll", "read_conllu"]
