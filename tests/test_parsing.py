"""The parsers of skrnn._data return data and leave estimator state alone."""

import pandas as pd
import pytest

from skrnn import RNNClassifier, RNNRegressor, SequenceTagger
from skrnn._data import (
    InputSpec,
    Sequences,
    TokenOptions,
    TokenSequences,
    parse_input,
)

FAST = dict(hidden_size=4, embedding_dim=4, char_features=4, max_epochs=1)


@pytest.mark.parametrize(
    "make_X",
    [
        lambda rng: rng.randn(5, 4, 2),
        lambda rng: [rng.randn(n, 2) for n in (2, 3, 4)],
        lambda rng: [["the", "dog"], ["a", "cat", "runs"]],
    ],
    ids=["3d", "list", "tokens"],
)
def test_parse_input_sets_no_state(make_X, rng):
    est = RNNClassifier()
    parsed, spec = parse_input(est, make_X(rng), tokens=TokenOptions())
    assert vars(est) == vars(RNNClassifier())
    assert isinstance(spec, InputSpec)
    assert isinstance(parsed, TokenSequences if spec.kind == "tokens" else Sequences)


def test_tables_are_recorded_by_sklearn_validate_data_only(rng):
    est = RNNClassifier()
    frame = pd.DataFrame(rng.randn(4, 3), columns=["a", "b", "c"])
    _, spec = parse_input(est, frame)
    assert spec.table and spec.n_step_features == 1
    added = set(vars(est)) - set(vars(RNNClassifier()))
    assert added == {"n_features_in_", "feature_names_in_"}


def test_the_token_path_serves_any_estimator():
    X = [["the", "dog", "runs"], ["the", "cat"]]
    options = TokenOptions(min_frequency=1, lowercase=True)
    tokens, spec = parse_input(RNNRegressor(), X, tokens=options)
    assert set(spec.vocabularies[0]) == {"the", "dog", "runs", "cat"}
    again, _ = parse_input(
        RNNRegressor(), [["The", "bird"]], tokens=options, fitted=spec
    )
    the, unknown = again.ids[0, :, 0]
    assert the == tokens.ids[0, 0, 0] and unknown == 1


def test_tagger_refitted_on_tokens_forgets_the_numeric_input(rng):
    tagger = SequenceTagger(**FAST).fit([rng.randn(3, 2)] * 2, [["x", "y", "x"]] * 2)
    assert tagger.n_step_features_ == 2 and tagger.vocabularies_ is None
    tagger.fit([["a", "b"], ["a"]], [["x", "y"], ["x"]])
    assert tagger._input_kind == "tokens" and tagger.vocabularies_
    for stale in ("n_step_features_", "n_features_in_", "_fitted_on_table"):
        assert not hasattr(tagger, stale)
