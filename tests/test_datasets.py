"""Readers for CoNLL column files and CoNLL-U files."""

import io
from pathlib import Path

import pytest

from skrnn.datasets import read_conll, read_conllu

DATA_DIR = Path(__file__).parents[1].parent / "shared" / "data"

CHUNKING = """\
-DOCSTART- -X- O

Confidence NN B-NP
in IN B-PP
the DT B-NP
pound NN I-NP


Chancellor NNP O
# SYM O
"""

CONLLU = """\
# sent_id = 1
# text = Don't go there.
1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\t_
1\tDo\tdo\tAUX\tVBP\tMood=Imp\t3\taux\t3:aux\t_
2\tn't\tnot\tPART\tRB\t_\t3\tadvmod\t3:advmod\t_
3\tgo\tgo\tVERB\tVB\t_\t0\troot\t0:root\t_
3.1\tthere\t_\t_\t_\t_\t_\t_\t3:orphan\t_
4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t3:punct\t_

# sent_id = 2
1\tNew York\tNew York\tPROPN\tNNP\t_\t0\troot\t0:root\t_
"""


def test_read_conll_default_columns_give_first_and_last(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text(CHUNKING)
    X, y = read_conll(path, comment=None)
    assert X == [
        ["Confidence", "in", "the", "pound"],
        ["Chancellor", "#"],
    ]
    assert y == [["B-NP", "B-PP", "B-NP", "I-NP"], ["O", "O"]]
    X, _ = read_conll(path)  # by default, lines starting with '#' are comments
    assert X[1] == ["Chancellor"]


def test_read_conll_chunking_words_and_pos_as_tuples():
    X, y = read_conll(io.StringIO(CHUNKING), columns=((0, 1), 2))
    assert X == [
        [("Confidence", "NN"), ("in", "IN"), ("the", "DT"), ("pound", "NN")],
        [("Chancellor", "NNP")],
    ]
    assert y == [["B-NP", "B-PP", "B-NP", "I-NP"], ["O"]]


def test_read_conll_any_number_of_outputs():
    words, pos, chunks = read_conll(io.StringIO(CHUNKING), columns=(0, 1, -1))
    assert pos == [["NN", "IN", "DT", "NN"], ["NNP"]]
    assert chunks[1] == ["O"]
    (tags,) = read_conll(io.StringIO(CHUNKING), columns=[-2])
    assert tags == pos


def test_read_conll_docstart_ends_a_sentence_or_stays_a_token():
    text = "a B\n-DOCSTART- O\nb C\n"
    X, y = read_conll(io.StringIO(text))
    assert (X, y) == ([["a"], ["b"]], [["B"], ["C"]])
    X, y = read_conll(io.StringIO(text), docstart=None)
    assert (X, y) == ([["a", "-DOCSTART-", "b"]], [["B", "O", "C"]])


def test_read_conll_separator_and_line_endings():
    text = "New York\tNNP\tB-LOC\r\nis\tVBZ\tO\r\n\r\n"
    X, y = read_conll(io.StringIO(text), sep="\t")
    assert (X, y) == ([["New York", "is"]], [["B-LOC", "O"]])


def test_read_conll_reads_paths_and_binary_files(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("café N\n\nthé N", encoding="utf-8")
    expected = ([["café"], ["thé"]], [["N"], ["N"]])
    assert read_conll(str(path)) == expected
    with open(path, "rb") as file:
        assert read_conll(file) == expected
    assert read_conll(io.BytesIO("café N".encode("latin-1")), encoding="latin-1") == (
        [["café"]],
        [["N"]],
    )


def test_read_conll_empty_file_gives_empty_lists():
    assert read_conll(io.StringIO("\n\n# only a comment\n")) == ([], [])


def test_read_conll_names_the_line_with_other_columns(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("a DT B-NP\nb NN I-NP\n\nc B-NP\n")
    with pytest.raises(
        ValueError,
        match=r"Line 4 of '.*bad.txt' has 2 columns, expected 3 as on line 1",
    ):
        read_conll(path)


def test_read_conll_names_the_line_without_the_requested_columns():
    with pytest.raises(ValueError, match=r"Line 2 of the file has 2 columns, but"):
        read_conll(io.StringIO("\na B\n"), columns=(0, 2))
    with pytest.raises(ValueError, match=r"needs at least 3"):
        read_conll(io.StringIO("a B\n"), columns=(0, -3))


@pytest.mark.parametrize("columns", [(0, "1"), (0, 1.5), ((),), (True, 1), "01", 3, ()])
def test_read_conll_rejects_bad_columns(columns):
    with pytest.raises(ValueError, match="columns="):
        read_conll(io.StringIO("a B\n"), columns=columns)


def test_read_conll_rejects_what_is_not_a_file():
    with pytest.raises(TypeError, match="must be a path or an open file"):
        read_conll(42)


def test_read_conll_reads_the_conlleval_reference_files():
    path = DATA_DIR / "conlleval" / "iob2.txt"
    if not path.is_file():
        pytest.skip(f"reference data not found at {path}")
    words, y_true, y_pred = read_conll(path, columns=(0, 1, 2))
    assert len(words) == len(y_true) == len(y_pred) == 300
    assert sum(map(len, words)) == 3930  # the token count conlleval printed


def test_read_conllu_skips_comments_multiword_tokens_and_empty_nodes():
    X, y = read_conllu(io.StringIO(CONLLU))
    assert X == [["Do", "n't", "go", "."], ["New York"]]
    assert y == [["AUX", "PART", "VERB", "PUNCT"], ["PROPN"]]


def test_read_conllu_fields_and_target():
    X, y = read_conllu(io.StringIO(CONLLU), fields=("form", "upos"), target="xpos")
    assert X[0][:2] == [("Do", "AUX"), ("n't", "PART")]
    assert y[1] == ["NNP"]
    X, y = read_conllu(io.StringIO(CONLLU), fields="lemma", target="deprel")
    assert X[1] == ["New York"]
    assert y[0] == ["aux", "advmod", "root", "punct"]
    X, y = read_conllu(io.StringIO(CONLLU), fields=["id", "head"], target=None)
    assert X[0] == [("1", "3"), ("2", "3"), ("3", "0"), ("4", "3")]
    assert y is None


def test_read_conllu_reads_paths(tmp_path):
    path = tmp_path / "tiny.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    assert read_conllu(path) == read_conllu(io.StringIO(CONLLU))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"fields": ("form", "word")}, r"fields=\('form', 'word'\) is not a CoNLL-U"),
        ({"fields": ()}, r"fields=\(\) is not a CoNLL-U"),
        ({"target": "pos"}, "target='pos' is not a CoNLL-U"),
        ({"target": ["upos"]}, r"target=\['upos'\] must be one CoNLL-U field name"),
    ],
)
def test_read_conllu_rejects_unknown_field_names(kwargs, match):
    with pytest.raises(ValueError, match=match):
        read_conllu(io.StringIO(CONLLU), **kwargs)


def test_read_conllu_names_the_malformed_line():
    text = CONLLU.replace("4\t.\t.\tPUNCT", "4 . . PUNCT")
    with pytest.raises(
        ValueError, match="Line 8 of the file has 7 tab-separated fields, expected 10"
    ):
        read_conllu(io.StringIO(text))
    text = CONLLU.replace("3\tgo", "x\tgo")
    with pytest.raises(ValueError, match="Line 6 of the file has ID 'x'"):
        read_conllu(io.StringIO(text))


def test_read_conllu_ud_english_ewt_dev_counts():
    path = DATA_DIR / "ud_english_ewt" / "en_ewt-ud-dev.conllu"
    if not path.is_file():
        pytest.skip(f"UD English EWT not found at {path}")
    X, y = read_conllu(path)
    # The counts given in shared/data/README.md.
    assert len(X) == len(y) == 2001
    assert sum(map(len, X)) == sum(map(len, y)) == 25147
    assert {tag for sentence in y for tag in sentence} <= {
        "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART",
        "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
    }  # fmt: skip
