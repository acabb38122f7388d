"""Every input format becomes one internal form here.

The only place that parses ``X``, ``y``, labels and ``lengths``. Parsers return
plain data (:class:`Sequences` or :class:`TokenSequences`, targets as arrays)
and an :class:`InputSpec` of what they found; the estimators store fitted
attributes themselves. The one write to an estimator is scikit-learn's
``validate_data`` on 2-D tables, which records ``n_features_in_`` and
``feature_names_in_`` as in every scikit-learn estimator.

- :mod:`.sequences`: numeric sequences (arrays, NaN padding, lists, tables);
- :mod:`.tokens`: token sequences and their vocabularies;
- :mod:`.text`: raw documents split into tokens, and the length limit;
- :mod:`.vectors`: pretrained word vectors (files and mappings);
- :mod:`.targets`: ``y`` per sequence, per step, and label sequences;
- :mod:`.inputs`: :func:`parse_input`, which picks the parser for ``X``.
"""

from .inputs import parse_input
from .sequences import (
    Sequences,
    check_lengths,
    is_sequence_list,
    parse_sequences,
    parse_step_table,
)
from .spec import InputSpec
from .targets import (
    check_sequence_labels,
    check_sequence_targets,
    check_step_targets,
    check_tag_sequences,
    flat_step_labels,
    flat_step_targets,
    step_label_rows,
    step_table_weights,
)
from .text import DEFAULT_TOKEN_PATTERN
from .tokens import (
    MAX_WORD_LENGTH,
    PAD,
    UNKNOWN,
    TokenOptions,
    TokenSequences,
    WordVectors,
    encode_tokens,
    fit_vocabularies,
    is_token_input,
    parse_tokens,
    token_fields,
)

__all__ = [
    "DEFAULT_TOKEN_PATTERN",
    "MAX_WORD_LENGTH",
    "PAD",
    "UNKNOWN",
    "InputSpec",
    "Sequences",
    "TokenOptions",
    "TokenSequences",
    "WordVectors",
    "check_lengths",
    "check_sequence_labels",
    "check_sequence_targets",
    "check_step_targets",
    "check_tag_sequences",
    "encode_tokens",
    "fit_vocabularies",
    "flat_step_labels",
    "flat_step_targets",
    "is_sequence_list",
    "is_token_input",
    "parse_input",
    "parse_sequences",
    "parse_step_table",
    "parse_tokens",
    "step_label_rows",
    "step_table_weights",
    "token_fields",
]
