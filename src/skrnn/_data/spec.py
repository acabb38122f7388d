"""What a parser of ``X`` learns about its input, as plain data."""

from dataclasses import dataclass


@dataclass(frozen=True)
class InputSpec:
    """Facts about parsed input, returned by every parser of ``X``.

    In fit the estimator stores them as its fitted attributes; later calls give
    them back as ``fitted=`` so that new input is read and checked the same way.

    Attributes
    ----------
    kind : {'numbers', 'tokens'}
        Numeric sequences or token sequences.
    dtype : type
        ``np.float32`` or ``np.float64``: what the network computes in (float32
        for token input, whose embeddings are float32).
    n_step_features : int or None
        Number of features per step of numeric input; ``None`` for tokens.
    table : bool
        Numeric input was a 2-D table read through scikit-learn's
        ``validate_data``, which recorded (in fit) or checked ``n_features_in_``
        and ``feature_names_in_`` on the estimator.
    vocabularies : list of dict or None
        Token input: one vocabulary (value -> id) per token field.
    chars : dict or None
        Token input: the character vocabulary of the words.
    word_dim : int or None
        Token input read with pretrained word vectors: their size, which the
        word embedding takes.
    """

    kind: str
    dtype: type
    n_step_features: int | None = None
    table: bool = False
    vocabularies: list | None = None
    chars: dict | None = None
    word_dim: int | None = None
