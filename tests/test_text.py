"""Text input for RNNClassifier and RNNRegressor: documents, tokens, vectors."""

import gzip
import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

import skrnn
from skrnn import RNNClassifier, RNNRegressor, SequenceTagger

FAST = dict(
    hidden_size=16,
    embedding_dim=8,
    char_features=4,
    min_frequency=1,
    word_dropout=0.0,
    lr=2e-2,
    max_epochs=15,
    random_state=0,
)

GOOD = ["good", "great", "fine", "nice", "fun"]
BAD = ["bad", "awful", "boring", "dull", "poor"]
FILLER = ["the", "movie", "was", "a", "plot", "really", "it", "acting"]


def reviews(rng, n=80):
    """Toy sentiment: the label is whether a good or a bad word occurs."""
    X, y = [], []
    for i in range(n):
        words = list(rng.choice(FILLER, size=rng.randint(2, 7)))
        label = i % 2
        words.insert(rng.randint(len(words) + 1), rng.choice(GOOD if label else BAD))
        X.append(" ".join(words) + rng.choice([".", "!", ""]))
        y.append(["neg", "pos"][label])
    return X, np.array(y)


@pytest.mark.parametrize(
    "as_input",
    [list, np.array, pd.Series, lambda docs: [d.split() for d in docs]],
    ids=["list", "array", "series", "token-lists"],
)
def test_classifier_learns_from_documents(rng, as_input):
    X, y = reviews(rng)
    clf = RNNClassifier(**FAST).fit(as_input(X), y)
    assert clf.score(as_input(X), y) > 0.9
    proba = clf.predict_proba(as_input(X[:5]))
    assert proba.shape == (5, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # An unseen word is not an error.
    assert clf.predict(as_input(["the zebra was great", "a dreadful plot"])).shape == (
        2,
    )


def test_regressor_learns_from_documents(rng):
    X, y = reviews(rng)
    target = np.where(y == "pos", 5.0, 1.0) + 100
    reg = RNNRegressor(**FAST).fit(X, target)
    assert reg.score(X, target) > 0.8
    assert reg.predict(X[:3]).shape == (3,)


def test_tokens_with_fields_for_the_classifier(rng):
    X, y = reviews(rng)
    X2 = [[(w, "long" if len(w) > 4 else "short") for w in d.split()] for d in X]
    clf = RNNClassifier(**FAST).fit(X2, y)
    assert len(clf.vocabularies_) == 2
    assert clf.score(X2, y) > 0.9


def test_documents_in_pipeline_and_grid_search_with_default_cv(rng):
    X, y = reviews(rng, n=60)
    pipe = make_pipeline(RNNClassifier(**{**FAST, "max_epochs": 5}))
    search = GridSearchCV(pipe, {"rnnclassifier__hidden_size": [4, 8]}).fit(X, y)
    assert search.predict(X[:4]).shape == (4,)
    scores = cross_val_score(RNNClassifier(**{**FAST, "max_epochs": 5}), X, y, cv=2)
    assert scores.shape == (2,)


def _words(estimator, document):
    """The vocabulary words the estimator reads in ``document`` (after cuts)."""
    ids, _, _, lengths = skrnn.token_inputs(estimator, [document], 50)
    inverse = {i: w for w, i in estimator.vocabularies_[0].items()}
    return [inverse.get(int(i), "<unk>") for i in ids[0, : int(lengths[0]), 0]]


def test_default_tokenizer_splits_words_and_punctuation_in_any_script(rng):
    X = ["Ünïcode—rocks, doesn't it?", "plain words"]
    clf = RNNClassifier(**{**FAST, "max_epochs": 1}).fit(X, [0, 1])
    assert _words(clf, X[0]) == [
        *["ünïcode", "—", "rocks", ",", "doesn", "'", "t", "it", "?"]
    ]


def test_lowercase_lookup_and_tokenizer_and_char_analyzer(rng):
    X = ["The CAT sat", "the cat ran"]
    fast = {**FAST, "max_epochs": 1}
    cased = RNNClassifier(**fast, lowercase=False).fit(X, [0, 1])
    assert {"The", "the", "CAT", "cat"} <= set(cased.vocabularies_[0])
    lower = RNNClassifier(**fast).fit(X, [0, 1])
    assert "The" not in lower.vocabularies_[0] and "cat" in lower.vocabularies_[0]
    own = RNNClassifier(**fast, tokenizer=lambda doc: doc.split("a")).fit(X, [0, 1])
    assert _words(own, "the cat") == ["the c", "t"]
    chars = RNNClassifier(**fast, analyzer="char").fit(X, [0, 1])
    assert _words(chars, "tac") == ["t", "a", "c"]
    assert " " in chars.vocabularies_[0]


@pytest.mark.parametrize(
    "truncation, kept",
    [
        ("first", ["w0", "w1", "w2", "w3"]),
        ("last", ["w6", "w7", "w8", "w9"]),
        ("both", ["w0", "w1", "w8", "w9"]),
    ],
)
def test_max_length_keeps_the_tokens_truncation_names(truncation, kept):
    document = " ".join(f"w{i}" for i in range(10))
    clf = RNNClassifier(
        **{**FAST, "max_epochs": 1}, max_length=4, truncation=truncation
    ).fit([document, "w5"], [0, 1])
    assert _words(clf, document) == kept
    # Cut in fit too: the vocabulary holds only the words trained on.
    assert set(clf.vocabularies_[0]) == {*kept, "w5"}


def test_max_vocabulary_keeps_the_most_frequent_words():
    X = ["a a a b b c", "a b d"]
    clf = RNNClassifier(**{**FAST, "max_epochs": 1}, max_vocabulary=2).fit(X, [0, 1])
    assert set(clf.vocabularies_[0]) == {"a", "b"}
    assert _words(clf, "c a") == ["<unk>", "a"]


def _write_vectors(path, vectors, *, header=False, opener=open):
    with opener(path, "wt", encoding="utf-8") as handle:
        if header:
            handle.write(f"{len(vectors)} {len(next(iter(vectors.values())))}\n")
        for word, vector in vectors.items():
            handle.write(word + " " + " ".join(f"{v:.6f}" for v in vector) + "\n")


VECTORS = {
    "good": [1.0, 0.5, 0.0],
    "Bad": [-1.0, -0.5, 0.0],
    "rare": [0.25, 0.25, 0.25],
    "unused": [9.0, 9.0, 9.0],
}


def _embedding_of(estimator, word):
    ids, word_types, chars, lengths = skrnn.token_inputs(estimator, [[word]], 1)
    embedder = estimator.net_.module_.embedder
    with torch.no_grad():
        # The word field's part of the embedder's output.
        out = embedder(ids, word_types, chars)[0, 0, : estimator._word_dim]
    return out.numpy()


@pytest.mark.parametrize("form", ["glove", "word2vec", "gzip", "dict"])
def test_word_vectors_initialise_and_freeze_the_embedding(tmp_path, form):
    if form == "dict":
        source = {w: np.array(v) for w, v in VECTORS.items()}
    else:
        source = tmp_path / ("vectors.txt.gz" if form == "gzip" else "vectors.txt")
        _write_vectors(
            source,
            VECTORS,
            header=form == "word2vec",
            opener=gzip.open if form == "gzip" else open,
        )
    X = ["good good movie", "bad bad movie", "a rare movie"]
    clf = RNNClassifier(
        **{**FAST, "min_frequency": 2, "embedding_dim": 7},
        word_vectors=source,
        freeze_word_vectors=True,
    ).fit(X, [1, 0, 1])
    # 'rare' occurs once but has a vector: kept; 'a' is rarer and has none.
    assert {"good", "bad", "rare", "movie"} == set(clf.vocabularies_[0])
    assert clf.n_pretrained_words_ == 3
    assert clf._word_dim == 3  # the vectors' size, not embedding_dim
    np.testing.assert_allclose(_embedding_of(clf, "good"), VECTORS["good"], atol=1e-6)
    # Lower-cased lookup finds the file's 'Bad'.
    np.testing.assert_allclose(_embedding_of(clf, "BAD"), VECTORS["Bad"], atol=1e-6)
    trained = RNNClassifier(**{**FAST, "min_frequency": 2}, word_vectors=source).fit(
        X, [1, 0, 1]
    )
    assert not np.allclose(_embedding_of(trained, "good"), VECTORS["good"])


def test_frozen_vectors_survive_save_and_load(tmp_path):
    path = tmp_path / "v.txt"
    _write_vectors(path, VECTORS)
    X = ["good movie", "bad movie", "good fun", "bad plot"]
    clf = RNNClassifier(**FAST, word_vectors=path, freeze_word_vectors=True)
    clf.fit(X, [1, 0, 1, 0])
    skrnn.save(clf, tmp_path / "m.skrnn")
    loaded = skrnn.load(tmp_path / "m.skrnn")
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.n_pretrained_words_ == clf.n_pretrained_words_
    assert (
        pickle.loads(pickle.dumps(clf)).predict(X).tolist() == clf.predict(X).tolist()
    )


def test_save_refuses_a_tokenizer_function_and_a_vectors_mapping(tmp_path):
    X = ["good movie", "bad movie"]
    own = RNNClassifier(**{**FAST, "max_epochs": 1}, tokenizer=str.split).fit(X, [1, 0])
    with pytest.raises(ValueError, match="tokenizer=.*never stores code"):
        skrnn.save(own, tmp_path / "a.skrnn")
    mapping = {"good": [1.0, 0.0]}
    clf = RNNClassifier(**{**FAST, "max_epochs": 1}, word_vectors=mapping)
    clf.fit(X, [1, 0])
    with pytest.raises(ValueError, match=r"set_params\(word_vectors=None\)"):
        skrnn.save(clf, tmp_path / "b.skrnn")
    skrnn.save(clf.set_params(word_vectors=None), tmp_path / "b.skrnn")
    loaded = skrnn.load(tmp_path / "b.skrnn")
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    "lines, match",
    [
        (["good 1 2 3", "bad 1 2"], r"Line 2 of .*v.txt.* has 2 values, but earlier"),
        (["2 3", "good 1 2 3", "bad 1 2 3 4"], r"Line 3 .* the header declares 3"),
        (["good 1 2 x"], r"Line 1 .* not a number"),
        (["good"], r"Line 1 .* not a word followed by numbers"),
        (["good 1 nan 3"], r"Line 1 .* NaN"),
    ],
)
def test_malformed_vectors_files_name_the_file_and_line(tmp_path, lines, match):
    path = tmp_path / "v.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    clf = RNNClassifier(**FAST, word_vectors=path)
    with pytest.raises(ValueError, match=match):
        clf.fit(["good movie", "bad movie"], [1, 0])
    assert not hasattr(clf, "net_")


def test_missing_vectors_file_and_inconsistent_mapping(tmp_path):
    clf = RNNClassifier(**FAST, word_vectors=tmp_path / "absent.txt")
    with pytest.raises(ValueError, match="absent.txt.* cannot be read"):
        clf.fit(["good movie", "bad movie"], [1, 0])
    clf = RNNClassifier(**FAST, word_vectors={"good": [1.0, 2.0], "bad": [1.0]})
    with pytest.raises(
        ValueError,
        match=r"vector of 'good' in word_vectors has 2 values, but the vectors",
    ):
        clf.fit(["good movie", "bad movie"], [1, 0])


@pytest.mark.parametrize(
    "X, error, match",
    [
        (["ok", ""], ValueError, r"Document 1 of X \(''\) has no tokens"),
        (["ok", "!?"], None, None),  # punctuation tokens are tokens
        (["ok", None], TypeError, "Document 1 of X is None: a missing document"),
        (["ok", np.nan], TypeError, "Document 1 of X is nan"),
        (["ok", b"bytes"], TypeError, "Document 1 of X is bytes.*decode"),
        (["ok", np.zeros((3, 2))], TypeError, "X must hold one kind of input"),
        ([["ok"], "text"], TypeError, "Sequence 1 of X is 'str'"),
    ],
)
def test_bad_documents_get_clear_errors(X, error, match):
    clf = RNNClassifier(**{**FAST, "max_epochs": 1})
    if error is None:
        clf.fit(X, [0, 1])
        return
    with pytest.raises(error, match=match):
        clf.fit(X, [0, 1])
    fitted = RNNClassifier(**{**FAST, "max_epochs": 1}).fit(["ok", "fine"], [0, 1])
    with pytest.raises(error, match=match):
        fitted.predict(X)


def test_numbers_where_documents_were_fitted_and_the_reverse(rng):
    on_text = RNNClassifier(**{**FAST, "max_epochs": 1}).fit(["a b", "c d"], [0, 1])
    with pytest.raises(ValueError, match="fitted on token sequences"):
        on_text.predict(rng.randn(2, 3, 1))
    on_numbers = RNNClassifier(**{**FAST, "max_epochs": 1}).fit(
        rng.randn(4, 3, 1), [0, 1, 0, 1]
    )
    with pytest.raises(ValueError, match="fitted on numbers"):
        on_numbers.predict(["a b", "c d"])


def test_the_tagger_still_reads_a_list_of_strings_as_one_sequence():
    with pytest.raises(ValueError, match="looks like a single sequence of tokens"):
        SequenceTagger(**{**FAST, "max_epochs": 1}).fit(["the", "dog"], ["D", "N"])


def test_exported_document_classifier_matches_predict_proba(rng):
    X, y = reviews(rng, n=30)
    clf = RNNClassifier(**{**FAST, "max_epochs": 3}).fit(X, y)
    program = skrnn.export(clf, max_length=12)
    inputs = skrnn.token_inputs(clf, X[:6], 12)
    skrnn.check_export_inputs(program, *inputs)
    np.testing.assert_allclose(
        program.module()(*inputs).numpy(), clf.predict_proba(X[:6]), rtol=1e-5
    )


def test_word_vectors_for_the_tagger(tmp_path):
    path = tmp_path / "v.txt"
    _write_vectors(path, VECTORS)
    X, y = [["good", "movie"], ["bad", "plot"]], [["A", "N"], ["A", "N"]]
    tagger = SequenceTagger(**FAST, word_vectors=path, freeze_word_vectors=True)
    tagger.fit(X, y)
    assert tagger.n_pretrained_words_ == 2
    np.testing.assert_allclose(
        _embedding_of(tagger, "good"), VECTORS["good"], atol=1e-6
    )


def test_a_dataframe_text_column_in_a_pipeline(rng):
    from sklearn.preprocessing import FunctionTransformer

    X, y = reviews(rng, n=40)
    frame = pd.DataFrame({"review": X, "stars": np.arange(len(X))})
    pipe = make_pipeline(
        FunctionTransformer(lambda df: df["review"]),
        RNNClassifier(**{**FAST, "max_epochs": 3}),
    )
    assert pipe.fit(frame, y).predict(frame.iloc[:3]).shape == (3,)


@pytest.mark.parametrize("front_end", ["conv", None])
def test_document_predictions_do_not_depend_on_the_batch(rng, front_end):
    X, y = reviews(rng, n=40)
    clf = RNNClassifier(**{**FAST, "max_epochs": 3}, front_end=front_end).fit(X, y)
    longer = " ".join(["acting plot"] * 20)  # pads the others in its batch
    alone = np.vstack([clf.predict_proba([x]) for x in X[:6]])
    np.testing.assert_allclose(
        clf.predict_proba([*X[:6], longer])[:6], alone, rtol=1e-5, atol=1e-7
    )


def test_per_step_regression_on_tokens_is_never_cut():
    X = [["a", "b", "c", "d"], ["b", "c"], ["d", "a", "a"]]
    y = [np.arange(len(x), dtype=float) for x in X]
    reg = RNNRegressor(**{**FAST, "max_epochs": 2}, return_sequences=True, max_length=2)
    pred = reg.fit(X, y).predict(X)
    assert [len(p) for p in pred] == [4, 2, 3]


def test_character_encoder_is_fed_whatever_char_features_says_after_fit(rng):
    X, y = reviews(rng, n=30)
    clf = RNNClassifier(**{**FAST, "max_epochs": 2}).fit(X, y)  # char_features=4
    before = clf.predict_proba(X)
    np.testing.assert_allclose(clf.set_params(char_features=0).predict_proba(X), before)


@pytest.mark.parametrize(
    "pattern, match",
    [("(", "is not a regular expression"), (r"(a)(b)", "has 2 capturing groups")],
)
def test_a_token_pattern_that_cannot_split_is_named(pattern, match):
    documents, y = ["good movie", "bad movie"] * 2, [1, 0] * 2
    with pytest.raises(ValueError, match=f"token_pattern=.*{match}"):
        RNNClassifier(token_pattern=pattern, **FAST).fit(documents, y)
