"""SequenceTagger: tokens, fields, numbers, CRF, metrics and model selection."""

import pickle

import numpy as np
import pytest
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from skrnn import SequenceTagger
from skrnn.metrics import (
    flat_accuracy_scorer,
    flat_f1_score,
    span_f1_score,
    span_f1_scorer,
)

FAST = dict(
    hidden_size=16,
    embedding_dim=16,
    char_features=8,
    lr=2e-2,
    max_epochs=15,
    random_state=0,
)

NOUNS = ["dog", "cat", "bird", "horse", "fish", "cow"]
VERBS = ["runs", "sleeps", "eats", "sings", "swims"]


def sentences(rng, n=60):
    """Toy part-of-speech data: DET (ADJ) NOUN VERB (ADV)."""
    X, y = [], []
    for _ in range(n):
        words, tags = [rng.choice(["the", "a"])], ["DET"]
        if rng.rand() < 0.5:
            words.append(rng.choice(["big", "small", "red"]))
            tags.append("ADJ")
        words += [rng.choice(NOUNS), rng.choice(VERBS)]
        tags += ["NOUN", "VERB"]
        if rng.rand() < 0.5:
            words.append(rng.choice(["fast", "well"]))
            tags.append("ADV")
        X.append(words)
        y.append(tags)
    return X, y


def test_tags_tokens_and_unseen_words(rng):
    X, y = sentences(rng)
    tagger = SequenceTagger(**FAST).fit(X, y)
    assert tagger.score(X, y) > 0.95
    pred = tagger.predict([["the", "big", "zebra", "jumps"], ["a", "dog"]])
    assert [len(p) for p in pred] == [4, 2]
    assert pred[0][0] == "DET" and pred[0][1] == "ADJ"
    proba = tagger.predict_proba(X[:3])
    for p, x in zip(proba, X[:3], strict=True):
        assert p.shape == (len(x), len(tagger.classes_))
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)


def test_tokens_with_several_fields(rng):
    X, y = sentences(rng)
    # Second field: a coarse hint; the tagger embeds each field.
    X2 = [[(w, "short" if len(w) < 4 else "long") for w in s] for s in X]
    tagger = SequenceTagger(**FAST).fit(X2, y)
    assert len(tagger.vocabularies_) == 2
    assert tagger.score(X2, y) > 0.95


def test_numeric_sequences(rng):
    X = [rng.randn(n, 2) for n in rng.randint(2, 10, size=50)]
    y = [np.where(x[:, 0] > 0, "up", "down") for x in X]
    tagger = SequenceTagger(**FAST).fit(X, y)
    assert tagger.score(X, y) > 0.9
    assert [len(p) for p in tagger.predict(X[:4])] == [len(x) for x in X[:4]]


def test_2d_rows_with_lengths(rng):
    X = rng.randn(40, 3)
    y = (X[:, 0] > 0).astype(int)
    tagger = SequenceTagger(**FAST).fit(X, y, lengths=[10, 10, 20])
    pred = tagger.predict(X, lengths=[10, 10, 20])
    assert pred.shape == (40,)
    with pytest.raises(ValueError, match="lengths must be a 1-D array"):
        tagger.predict(X, lengths=[10, 10])
    # Without lengths every row is its own sequence: subsets predict the same.
    rows = SequenceTagger(**FAST).fit(X, y)
    np.testing.assert_array_equal(rows.predict(X[:7]), rows.predict(X)[:7])


@pytest.mark.parametrize("crf", [False, True])
def test_same_prediction_alone_or_in_a_batch(rng, crf):
    X, y = sentences(rng)
    tagger = SequenceTagger(crf=crf, batch_size=7, **FAST).fit(X, y)
    together = tagger.predict_proba(X)
    for seq, proba in zip(X, together, strict=True):
        np.testing.assert_allclose(
            tagger.predict_proba([seq])[0], proba, rtol=1e-5, atol=1e-6
        )


def chunk_data(rng, n=80):
    """IOB2 chunks where I-NP only ever follows B-NP or I-NP."""
    X, y = [], []
    for _ in range(n):
        words, tags = [], []
        for _ in range(rng.randint(1, 4)):
            if rng.rand() < 0.5:
                words += ["the", rng.choice(NOUNS)]
                tags += ["B-NP", "I-NP"]
            else:
                words.append(rng.choice(VERBS))
                tags.append("O")
        X.append(words)
        y.append(tags)
    return X, y


def test_crf_never_predicts_unseen_transitions(rng):
    X, y = chunk_data(rng)
    tagger = SequenceTagger(crf=True, **dict(FAST, max_epochs=3)).fit(X, y)
    # Gibberish input: emissions are uninformative, transitions must hold.
    noise = [[str(w) for w in rng.randint(0, 1000, size=n)] for n in range(1, 12)]
    for tags in tagger.predict(noise + X):
        for prev, tag in zip(["O", *tags[:-1]], tags, strict=True):
            assert not (tag == "I-NP" and prev == "O")
        assert tags[0] != "I-NP"


def test_crf_learns_chunks(rng):
    X, y = chunk_data(rng)
    tagger = SequenceTagger(crf=True, **FAST).fit(X, y)
    assert tagger.score(X, y) > 0.95
    proba = tagger.predict_proba(X[:2])
    np.testing.assert_allclose(proba[0].sum(axis=1), 1.0, rtol=1e-5)


def test_model_selection_with_lists_of_sequences(rng):
    X, y = chunk_data(rng, n=45)
    tagger = SequenceTagger(**dict(FAST, max_epochs=4))
    scores = cross_val_score(tagger, X, y, cv=KFold(3), scoring=span_f1_scorer)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    search = GridSearchCV(
        tagger, {"hidden_size": [4, 8]}, cv=KFold(2), scoring=flat_accuracy_scorer
    ).fit(X, y)
    assert search.best_params_["hidden_size"] in (4, 8)
    # Without a scorer, the tagger's own score (token accuracy) is used.
    assert cross_val_score(tagger, X, y, cv=KFold(3)).shape == (3,)


def test_pickle_round_trip(rng):
    X, y = sentences(rng, n=20)
    tagger = SequenceTagger(crf=True, **dict(FAST, max_epochs=2)).fit(X, y)
    restored = pickle.loads(pickle.dumps(tagger))
    for a, b in zip(restored.predict(X), tagger.predict(X), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "X, y, error, match",
    [
        (
            [["a", 3], ["a"]],
            [["x", "y"], ["x"]],
            TypeError,
            "Token 1 of sequence 0 is 3",
        ),
        ([[("a", "b")], [("a",)]], [["x"], ["y"]], ValueError, "has 1 fields"),
        (
            [["a"], ["a"], []],
            [["x"], ["x"], []],
            ValueError,
            "Sequence 2 of X is empty",
        ),
        (
            [["a", "a"], ["a"]],
            [["x", "y"], ["x", "y"]],
            ValueError,
            "Label sequence 1 has 2 labels but sequence 1 of X has 1 steps",
        ),
        ([["a", "a"]], [["x", "y"], ["x"]], ValueError, "inconsistent numbers"),
    ],
    ids=["non-string-token", "tuple-widths", "empty-sequence", "label-length", "count"],
)
def test_bad_input(X, y, error, match):
    with pytest.raises(error, match=match):
        SequenceTagger(**FAST).fit(X, y)


def test_empty_vocabulary():
    with pytest.raises(ValueError, match="vocabulary is empty.*min_frequency=5"):
        SequenceTagger(min_frequency=5).fit([["a", "b"]], [["x", "y"]])


def test_input_kind_must_match_fit(rng):
    X, y = sentences(rng, n=10)
    tagger = SequenceTagger(**dict(FAST, max_epochs=1)).fit(X, y)
    with pytest.raises(ValueError, match="fitted on token sequences"):
        tagger.predict([rng.randn(3, 2)])


def test_class_weight_with_crf_weighs_sequences(rng):
    X, y = chunk_data(rng, n=30)
    tagger = SequenceTagger(
        crf=True, class_weight="balanced", **dict(FAST, max_epochs=2)
    )
    assert len(tagger.fit(X, y).predict(X)) == 30


def test_unknown_words_are_not_errors(rng):
    X, y = sentences(rng, n=10)
    tagger = SequenceTagger(**dict(FAST, max_epochs=1, char_features=0)).fit(X, y)
    assert len(tagger.predict([["never", "seen", "before"]])[0]) == 3


def test_warm_start_keeps_the_crf(rng):
    X, y = chunk_data(rng, n=30)
    tagger = SequenceTagger(crf=True, warm_start=True, **dict(FAST, max_epochs=2))
    tagger.fit(X, y)
    before = tagger.net_.criterion_.crf.transitions.detach().clone()
    allowed = tagger.net_.criterion_.crf.allowed_transitions.clone()
    tagger.set_params(max_epochs=1).fit(X, y)
    crf = tagger.net_.criterion_.crf
    assert (crf.allowed_transitions == allowed).all()
    assert (crf.transitions - before).abs().max() < 0.5  # continued, not reset
    assert not bool((crf.transitions == 0).all())


def test_partial_fit_checks_classes_like_the_classifier(rng):
    X, y = sentences(rng, n=10)
    labels = sorted({t for s in y for t in s})
    tagger = SequenceTagger(**dict(FAST, max_epochs=1))
    tagger.partial_fit(X, y, classes=labels)
    with pytest.raises(ValueError, match="is not the same as on last call"):
        tagger.partial_fit(X, y, classes=labels + ["X"])
    with pytest.raises(ValueError, match="y has classes not in `self.classes_`"):
        tagger.partial_fit([["the"]], [["X"]])


def test_model_selection_with_the_default_cv(rng):
    # scikit-learn stratifies the default cv of a classifier on y, which a list
    # of tag sequences does not allow; the tagger's default splits are KFold.
    X, y = sentences(rng, n=30)
    tagger = SequenceTagger(**dict(FAST, max_epochs=3))
    scores = cross_val_score(tagger, X, y, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    search = GridSearchCV(tagger, {"hidden_size": [4, 8]}).fit(X, y)
    assert search.best_params_["hidden_size"] in (4, 8)


def test_scikit_learn_metric_strings_are_refused_on_tag_sequences(rng):
    X, y = sentences(rng, n=30)
    tagger = SequenceTagger(**dict(FAST, max_epochs=2))
    with pytest.raises(TypeError, match="skrnn.metrics' scorers"):
        cross_val_score(
            tagger, X, y, cv=KFold(3), scoring="f1_macro", error_score="raise"
        )
    # skrnn's scorers, and scikit-learn's metrics on flat rows, still work.
    macro = make_scorer(flat_f1_score, average="macro", zero_division=0.0)
    assert np.isfinite(cross_val_score(tagger, X, y, cv=KFold(3), scoring=macro)).all()
    rows = np.vstack([rng.randn(20, 2), rng.randn(20, 2) + 3])
    labels = np.repeat(["a", "b"], 20)
    scores = cross_val_score(
        tagger,
        rows,
        labels,
        cv=KFold(2, shuffle=True, random_state=0),
        scoring="f1_macro",
        error_score="raise",
    )
    assert np.isfinite(scores).all()


def test_partial_fit_learns_the_classes_of_its_first_call_by_default(rng):
    X, y = sentences(rng, n=10)
    tagger = SequenceTagger(**dict(FAST, max_epochs=1)).partial_fit(X, y)
    assert tagger.classes_.tolist() == sorted({t for s in y for t in s})
    with pytest.raises(ValueError, match="y has classes not in `self.classes_`"):
        tagger.partial_fit([["the"]], [["X"]])


@pytest.mark.parametrize("continued", ["partial_fit", "warm_start"])
def test_continued_training_allows_the_crf_what_later_labels_show(continued):
    # Tags D=0, N=1, V=2. partial_fit declares V and shows it only later;
    # both show 'V' first and 'N' after 'V' only later.
    shown = {"the dog": ["D", "N"], "dog runs": ["N", "V"], "runs dog": ["V", "N"]}
    first = ["the dog"] if continued == "partial_fit" else ["the dog", "dog runs"]
    X_first = [s.split() for s in first] * 4
    X_later = [s.split() for s in shown] * 4
    y_first, y_later = [shown[" ".join(s)] for s in X_first], list(shown.values()) * 4
    params = dict(hidden_size=4, embedding_dim=4, char_features=0, random_state=0)
    if continued == "partial_fit":
        tagger = SequenceTagger(**params)
        tagger.partial_fit(X_first, y_first, classes=["D", "N", "V"])
        for _ in range(30):
            tagger.partial_fit(X_later, y_later)
    else:
        tagger = SequenceTagger(max_epochs=30, warm_start=True, **params)
        tagger.fit(X_first, y_first).fit(X_later, y_later)
    assert tagger.predict([["runs", "dog"]])[0].tolist() == ["V", "N"]
    crf = tagger.net_.criterion_.crf
    assert crf.allowed_transitions[2, 1] and crf.allowed_start[2]
    assert not crf.allowed_transitions[1, 0]  # 'D' after 'N': never shown


@pytest.mark.parametrize("fitted", [False, True])
def test_a_single_sentence_where_a_list_is_expected_gets_a_hint(fitted, rng):
    X, y = sentences(rng, n=10)
    tagger = SequenceTagger(**dict(FAST, max_epochs=1))
    if fitted:
        tagger.fit(X, y)
    with pytest.raises(ValueError, match=r"single sequence of tokens.*\[X\]"):
        tagger.predict(X[0]) if fitted else tagger.fit(X[0], y[0])


def test_tokens_with_too_few_fields_hint_at_a_single_sentence(rng):
    X, y = sentences(rng, n=10)
    X2 = [[(w, "f") for w in s] for s in X]
    tagger = SequenceTagger(**dict(FAST, max_epochs=1)).fit(X2, y)
    with pytest.raises(ValueError, match=r"1 field\(s\).*with 2.*single sequence"):
        tagger.predict(X2[0])


@pytest.mark.parametrize(
    "classes, scheme",
    [
        (["B-NP", "I-NP", "O"], "IOB2"),
        (["I-PER", "O"], "IOB2"),
        (["B-LOC", "E-LOC", "I-LOC", "O", "S-PER"], "BIOES"),
        (["B-GEO-LOC", "O"], "IOB2"),
        (["ADJ", "DET", "NOUN"], None),
        (["B-NP", "NOUN", "O"], None),
        (["X-NP", "O"], None),
        (["B-", "O"], None),
        (["O"], None),
        ([0, 1, 2], None),
    ],
)
def test_chunk_scheme(classes, scheme):
    from skrnn._tagger import chunk_scheme

    assert chunk_scheme(np.asarray(classes)) == scheme


def test_validation_score_of_chunk_tags_is_span_f1():
    import torch

    from skrnn._tagger import span_f1_outputs

    classes = np.array(["B-NP", "I-NP", "O"])
    # Two sequences: one chunk of two steps each; the first is predicted cut
    # short (3 of 4 steps right, 1 of 2 chunks).
    target = torch.tensor([[0, 1, 2], [0, 1, 0]])
    pred = torch.tensor([[0, 2, 2], [0, 1, 0]])
    lengths = torch.tensor([3, 2])
    y_pred = torch.nn.functional.one_hot(pred, 3).double()
    score = span_f1_outputs(classes, "IOB2", y_pred, target, lengths)
    assert score == pytest.approx(
        span_f1_score(
            [["B-NP", "I-NP", "O"], ["B-NP", "I-NP"]],
            [["B-NP", "O", "O"], ["B-NP", "I-NP"]],
        )
    )
    assert score == pytest.approx(0.5)
    # Weighted steps and splits without chunks: step accuracy.
    weight = torch.ones(2, 3, dtype=torch.float64)
    assert span_f1_outputs(classes, "IOB2", y_pred, target, lengths, weight) == 0.8
    no_chunks = torch.full((2, 3), 2)
    assert span_f1_outputs(classes, "IOB2", y_pred, no_chunks, lengths) == 0.4


def test_early_stopping_on_chunk_tags_scores_spans(rng):
    X, y = chunk_data(rng)
    tagger = SequenceTagger(
        early_stopping=True, validation_fraction=0.25, **dict(FAST, max_epochs=3)
    ).fit(X, y)
    assert tagger._validation_score()[0] == "span F1"
    assert len(tagger.validation_scores_) == 3
    assert all(0 <= score <= 1 for score in tagger.validation_scores_)
    curves = tagger._training_curves()
    assert curves["score_name"] == "span F1"
    pos = SequenceTagger(**dict(FAST, max_epochs=1)).fit(*sentences(rng))
    assert pos._validation_score()[0] == "accuracy"
