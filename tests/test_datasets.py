"""Readers for CoNLL column files, CoNLL-U files and .ts files."""

import io
from pathlib import Path

import numpy as np
import pytest

from skrnn.datasets import read_conll, read_conllu, read_ts

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


TS_TOY = """\
# A toy problem,
# two channels.
@problemName Toy
@timeStamps false
@missing true
@univariate false
@dimensions 2
@equalLength true
@seriesLength 3
@classLabel true up down flat
@data
1,2,3:0,0,?:up

3,2,1:1,NaN,1:down
"""


def test_read_ts_classification_equal_length_gives_3d_array_and_str_labels():
    X, y, metadata = read_ts(io.StringIO(TS_TOY), return_metadata=True)
    assert X.shape == (2, 3, 2) and X.dtype == np.float32
    np.testing.assert_array_equal(X[0], [[1, 0], [2, 0], [3, np.nan]])
    np.testing.assert_array_equal(X[1, :, 1], [1, np.nan, 1])
    assert y.dtype.kind == "U" and y.tolist() == ["up", "down"]
    assert metadata == {
        "problem_name": "Toy",
        "timestamps": False,
        "missing": True,
        "univariate": False,
        "dimensions": 2,
        "equal_length": True,
        "series_length": 3,
        "class_label": True,
        "class_labels": ["up", "down", "flat"],
        "target_label": None,
        "description": "A toy problem,\ntwo channels.",
    }


def test_read_ts_regression_targets_are_float():
    text = "@univariate true\n@targetLabel true\n@data\n1,2:0.5\n3,4:-2e1\n"
    X, y = read_ts(io.StringIO(text), dtype=np.float64)
    assert X.dtype == np.float64 and X.shape == (2, 2, 1)
    assert y.dtype == np.float64 and y.tolist() == [0.5, -20.0]


def test_read_ts_without_labels_gives_y_none():
    for header in ("", "@classLabel false\n@targetLabel false\n"):
        X, y = read_ts(io.StringIO(header + "@data\n1,2:3,4\n5,6:7,8\n"))
        assert y is None
        np.testing.assert_array_equal(X[1], [[5, 7], [6, 8]])


def test_read_ts_variable_length_gives_a_list_whatever_the_lengths():
    text = "@equalLength false\n@classLabel true a b\n@data\n1,2,3:a\n4,5:b\n"
    X, y = read_ts(io.StringIO(text))
    assert isinstance(X, list) and [x.shape for x in X] == [(3, 1), (2, 1)]
    assert X[1].dtype == np.float32 and y.tolist() == ["a", "b"]
    # @equalLength false: a list even when the cases happen to share a length,
    # so that the train and test files of a problem give the same type.
    X, _ = read_ts(io.StringIO(text.replace("4,5:b", "4,5,6:b")))
    assert isinstance(X, list)


def test_read_ts_without_equal_length_tag_decides_from_the_lengths():
    X, _ = read_ts(io.StringIO("@data\n1,2\n3,4\n"))
    assert isinstance(X, np.ndarray) and X.shape == (2, 2, 1)
    X, _ = read_ts(io.StringIO("@data\n1,2\n3,4,5\n"))
    assert isinstance(X, list) and [len(x) for x in X] == [2, 3]


def test_read_ts_reads_paths_binary_files_crlf_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "toy.ts"
    path.write_bytes(b"\xef\xbb\xbf" + TS_TOY.replace("\n", "\r\n").encode())
    expected_X, expected_y = read_ts(io.StringIO(TS_TOY))
    for source in (path, str(path), io.BytesIO(path.read_bytes())):
        X, y = read_ts(source)
        np.testing.assert_array_equal(X, expected_X)
        np.testing.assert_array_equal(y, expected_y)


def test_read_ts_header_tags_are_case_insensitive_and_comments_go_anywhere():
    text = "@CLASSLABEL TRUE a\n# a comment\n@DATA\n# another\n1,2:a\n"
    X, y = read_ts(io.StringIO(text))
    assert X.shape == (1, 2, 1) and y.tolist() == ["a"]


@pytest.mark.parametrize(
    "text, match",
    [
        ("@univariate yes\n@data\n1\n", r"Line 1 of the file: @univariate expects "),
        ("@classLabel\n@data\n1\n", r"Line 1 .*@classLabel expects true or false"),
        ("@seriesLength ten\n@data\n1\n", r"Line 1 .*expects a positive integer"),
        ("@dimensions 0\n@data\n1\n", r"Line 1 .*expects a positive integer, got '0'"),
        ("@classLabel true\n@data\n1:a\n", r"Line 1 .*must list the class labels"),
        (
            "@classLabel true a\n@targetLabel true\n@data\n1:a\n",
            r"Line 3 .*both @classLabel true and @targetLabel true",
        ),
        ("#c\n1,2,3\n@data\n", r"Line 2 .*data before @data.*Is this a .ts file"),
        ("@data\n1,2\n@seriesLength 2\n", r"Line 3 .*a header line after @data"),
        ("@data\n1,2,x\n", r"Line 2 .*value 'x' in channel 1 is not a number"),
        ("@data\n1,,2\n", r"Line 2 .*value '' in channel 1 is not a number"),
        ("@data\n1;2;3\n", r"Line 2 .*value '1;2;3' in channel 1"),
        ("@data\n1,2:3\n", r"Line 2 .*channel 2 has 1 values but channel 1 has 2"),
        ("@data\n1:2\n3\n", r"Line 3 .*1 channels, expected 2 as on line 2"),
        ("@dimensions 2\n@data\n1\n", r"Line 3 .*has 1 channels but .*@dimensions 2"),
        ("@univariate true\n@data\n1:2\n", r"Line 3 .*@univariate true \(one"),
        ("@seriesLength 3\n@data\n1,2\n", r"Line 3 .*2 steps but .*@seriesLength 3"),
        (
            "@equalLength true\n@data\n1,2\n1,2,3\n",
            r"Line 4 .*3 steps, expected 2 as on line 3.*@equalLength true",
        ),
        (
            "@classLabel true a b\n@data\n1:a\n2:c\n",
            r"Line 4 .*class label 'c' is not among those declared by @classLabel: "
            r"\['a', 'b'\]",
        ),
        ("@classLabel true a\n@data\n1,2\n", r"Line 3 .*no label after the values"),
        ("@targetLabel true\n@data\n1:big\n", r"Line 3 .*target 'big' is not a num"),
        ("@timeStamps true\n@data\n", r"Line 1 .*timestamped series .*not supported"),
        ("@data\n(0,1),(1,2)\n", r"Line 2 .*looks timestamped.*not supported"),
        ("@problemName x\n1,2\n", r"Line 2 .*data before @data"),
        ("# only comments\n", r"the file has no @data line"),
        ("@data\n\n", r"the file has no cases after its @data line"),
    ],
)
def test_read_ts_names_the_line_that_breaks_the_format(text, match):
    with pytest.raises(ValueError, match=match):
        read_ts(io.StringIO(text))


def test_read_ts_names_the_file_it_reads(tmp_path):
    path = tmp_path / "bad.ts"
    path.write_text("@classLabel true a\n@data\n1:b\n")
    with pytest.raises(ValueError, match=r"Line 3 of '.*bad.ts': class label 'b'"):
        read_ts(path)


@pytest.mark.parametrize("dtype", [np.int64, "U3", "no such dtype"])
def test_read_ts_rejects_a_dtype_that_is_not_floating(dtype):
    with pytest.raises(ValueError, match="dtype=.*np.float32 or np.float64"):
        read_ts(io.StringIO(TS_TOY), dtype=dtype)


def _shared_ts(name, split):
    path = DATA_DIR / name / f"{name}_{split}.ts"
    if not path.is_file():
        pytest.skip(f"{name} not found at {path}")
    return path


def test_read_ts_basic_motions_multivariate():
    X, y, metadata = read_ts(_shared_ts("BasicMotions", "TRAIN"), return_metadata=True)
    assert X.shape == (40, 100, 6) and X.dtype == np.float32
    assert not np.isnan(X).any()
    assert sorted(set(y)) == sorted(metadata["class_labels"])
    assert metadata["class_labels"] == ["Standing", "Running", "Walking", "Badminton"]
    assert np.unique(y, return_counts=True)[1].tolist() == [10, 10, 10, 10]


def test_read_ts_plaid_variable_length():
    X, y = read_ts(_shared_ts("PLAID", "TRAIN"))
    assert isinstance(X, list) and len(X) == len(y) == 537
    lengths = [len(x) for x in X]
    assert {x.shape[1] for x in X} == {1}
    assert min(lengths) == 100 and max(lengths) == 1344  # as the data README says
    assert set(y) == {str(label) for label in range(11)}


def test_read_ts_tecator_regression_targets():
    X, y = read_ts(_shared_ts("Tecator", "TEST"))
    assert X.shape == (43, 100, 1)
    assert y.dtype == np.float64 and y.shape == (43,)
    assert 0 < y.min() < y.max() < 100  # fat content in per cent
