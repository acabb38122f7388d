"""Data set readers and fetchers.

Readers: ``read_conll`` and ``read_conllu`` read sequence tagging corpora into
plain Python lists, one inner list per sentence, ready for a tagger's
``fit(X, y)`` and for :mod:`skrnn.metrics`; ``read_ts`` reads time series in the
``.ts`` format of the UCR/UEA archive into arrays (or lists of arrays) ready for
:class:`~skrnn.RNNClassifier` and :class:`~skrnn.RNNRegressor`.

Fetchers, in scikit-learn's style: ``fetch_ucr_uea``, ``fetch_ud_english_ewt``
and ``fetch_airline`` download a real data set once into a local cache (see
``get_data_home``), check it against a recorded SHA-256 digest, and read it from
there afterwards.
"""

from ._fetchers import (
    clear_data_home,
    fetch_airline,
    fetch_ucr_uea,
    fetch_ud_english_ewt,
    get_data_home,
)
from ._readers import read_conll, read_conllu, read_ts

__all__ = [
    "clear_data_home",
    "fetch_airline",
    "fetch_ucr_uea",
    "fetch_ud_english_ewt",
    "get_data_home",
    "read_conll",
    "read_conllu",
    "read_ts",
]
