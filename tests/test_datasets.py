"""Readers (CoNLL, CoNLL-U, .ts) and fetchers (cache, download, checksums)."""

import hashlib
import http.server
import io
import threading
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import skrnn._fetchers as fetchers
from skrnn.datasets import (
    clear_data_home,
    fetch_airline,
    fetch_ucr_uea,
    fetch_ud_english_ewt,
    get_data_home,
    read_conll,
    read_conllu,
    read_ts,
)

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


def test_get_data_home_env_var_then_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SKRNN_DATA", str(tmp_path / "from_env"))
    assert get_data_home() == str(tmp_path / "from_env")
    assert (tmp_path / "from_env").is_dir()
    monkeypatch.delenv("SKRNN_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_data_home() == str(tmp_path / "home" / "skrnn_data")
    assert (tmp_path / "home" / "skrnn_data").is_dir()


def test_get_data_home_given_folder_wins_and_expands_the_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SKRNN_DATA", str(tmp_path / "from_env"))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home(tmp_path / "a" / "b") == str(tmp_path / "a" / "b")
    assert get_data_home("~/c") == str(tmp_path / "c")
    assert (tmp_path / "a" / "b").is_dir() and (tmp_path / "c").is_dir()
    assert not (tmp_path / "from_env").exists()


def test_clear_data_home_deletes_the_folder_and_its_files(tmp_path):
    home = Path(get_data_home(tmp_path / "data"))
    (home / "BasicMotions").mkdir()
    (home / "BasicMotions" / "BasicMotions_TRAIN.ts").write_text("@data\n1\n")
    clear_data_home(home)
    assert not home.exists()


@pytest.fixture
def offline(monkeypatch):
    """Fail any download: the tests that use this one read the cache only."""

    def urlopen(url, **kwargs):
        raise AssertionError(f"unexpected download of {url}")

    monkeypatch.setattr(fetchers, "urlopen", urlopen)


def _shared_data(*folders):
    for folder in folders:
        if not (DATA_DIR / folder).is_dir():
            pytest.skip(f"{folder} not found in {DATA_DIR}")
    return DATA_DIR


def test_fetch_ucr_uea_reads_the_shared_data_offline(offline):
    data_home = _shared_data("BasicMotions")
    bunch = fetch_ucr_uea("BasicMotions", data_home=data_home, verify_checksums=True)
    assert bunch.data.shape == (80, 100, 6) and bunch.data.dtype == np.float32
    assert bunch.target.shape == (80,) and bunch.task == "classification"
    assert bunch.split.tolist() == ["train"] * 40 + ["test"] * 40
    assert bunch.target_names.tolist() == [
        "Standing",
        "Running",
        "Walking",
        "Badminton",
    ]
    assert (bunch.n_channels, bunch.series_length) == (6, 100)
    assert bunch.filenames == [
        str(data_home / "BasicMotions" / f"BasicMotions_{s}.ts")
        for s in ("TRAIN", "TEST")
    ]
    assert "BasicMotions" in bunch.DESCR and "smart watch" in bunch.DESCR
    X_test, y_test = fetch_ucr_uea(
        "BasicMotions", split="test", data_home=data_home, return_X_y=True
    )
    np.testing.assert_array_equal(X_test, bunch.data[40:])
    np.testing.assert_array_equal(y_test, bunch.target[40:])


def test_fetch_ucr_uea_variable_length_and_regression_offline(offline):
    data_home = _shared_data("PLAID", "Tecator")
    plaid = fetch_ucr_uea("PLAID", data_home=data_home, verify_checksums=True)
    assert isinstance(plaid.data, list) and len(plaid.data) == len(plaid.target) == 1074
    assert plaid.series_length is None and plaid.n_channels == 1
    tecator = fetch_ucr_uea("Tecator", split="train", data_home=data_home)
    assert tecator.data.shape == (172, 100, 1) and tecator.target.dtype == np.float64
    assert tecator.task == "regression" and tecator.target_names is None
    assert set(tecator.split) == {"train"}


def test_fetch_ud_english_ewt_reads_the_shared_data_offline(offline):
    data_home = _shared_data("ud_english_ewt")
    bunch = fetch_ud_english_ewt(
        split="dev", data_home=data_home, verify_checksums=True
    )
    assert len(bunch.data) == len(bunch.target) == len(bunch.split) == 2001
    assert sum(map(len, bunch.data)) == 25147  # as the data README says
    assert len(bunch.target_names) == 17 and "PROPN" in bunch.target_names
    assert "CC BY-SA 4.0" in bunch.DESCR
    words, tags = fetch_ud_english_ewt(
        split="test", target="xpos", data_home=data_home, return_X_y=True
    )
    assert len(words) == 2077 and tags[0][:4] == ["WP", "IN", "NNP", "VBD"]


def test_fetch_airline_reads_the_shared_data_offline(offline):
    airline = fetch_airline(data_home=_shared_data("airline"), verify_checksums=True)
    assert airline.data.shape == (144,) and airline.data.dtype == np.float64
    assert airline.data[[0, 1, -1]].tolist() == [112, 118, 432]
    assert airline.dates[0] == np.datetime64("1949-01")
    assert airline.dates[-1] == np.datetime64("1960-12")


TOY_TRAIN = "# A toy problem.\n@classLabel true a b\n@data\n1,2,3:a\n3,2,1:b\n"
TOY_TEST = "@classLabel true a b\n@data\n1,1,1:b\n"


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def server(monkeypatch):
    """A local HTTP server the fetchers download from; yields its routes.

    ``routes`` maps a path to the body to send, or to (body, declared length) to
    declare a Content-Length the body does not reach (an interrupted transfer).
    """
    routes, requests = {}, []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            if self.path not in routes:
                self.send_error(404)
                return
            body = routes[self.path]
            body, length = body if isinstance(body, tuple) else (body, len(body))
            self.send_response(200)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr(fetchers, "UCR_UEA_URL", base + "/{name}.zip")
    monkeypatch.setattr(fetchers, "UD_ENGLISH_EWT_URL", base + "/ud-{split}.conllu")
    monkeypatch.setattr(fetchers, "AIRLINE_URL", base + "/Airline.csv")
    yield routes, requests
    httpd.shutdown()
    httpd.server_close()


def test_fetch_ucr_uea_downloads_checks_and_caches(server, tmp_path, monkeypatch):
    routes, requests = server
    routes["/Toy.zip"] = _zip(
        {"Toy/Toy_TRAIN.ts": TOY_TRAIN, "Toy/Toy_TEST.ts": TOY_TEST, "x.txt": "x"}
    )
    monkeypatch.setitem(
        fetchers._SHA256,
        "Toy",
        {"Toy_TRAIN.ts": _sha256(TOY_TRAIN), "Toy_TEST.ts": _sha256(TOY_TEST)},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a recorded data set: no warning
        bunch = fetch_ucr_uea("Toy", data_home=tmp_path)
    assert _files(tmp_path) == ["Toy/Toy_TEST.ts", "Toy/Toy_TRAIN.ts"]
    assert bunch.data.shape == (3, 3, 1) and bunch.target.tolist() == ["a", "b", "b"]
    assert "A toy problem." in bunch.DESCR
    # Read from the cache from now on, checked on demand.
    X, y = fetch_ucr_uea("Toy", split="test", data_home=tmp_path, return_X_y=True)
    fetch_ucr_uea("Toy", data_home=tmp_path, verify_checksums=True)
    assert requests == ["/Toy.zip"]
    assert y.tolist() == ["b"]


def test_fetch_ucr_uea_warns_that_an_unrecorded_data_set_is_not_verified(
    server, tmp_path
):
    routes, _ = server
    routes["/Toy.zip"] = _zip({"Toy_TRAIN.ts": TOY_TRAIN, "Toy_TEST.ts": TOY_TEST})
    with pytest.warns(UserWarning, match="No checksum is recorded in skrnn for 'Toy'"):
        X, y = fetch_ucr_uea("Toy", split="train", data_home=tmp_path, return_X_y=True)
    assert X.shape == (2, 3, 1)
    with pytest.warns(UserWarning, match="cached files cannot be verified"):
        fetch_ucr_uea("Toy", data_home=tmp_path, verify_checksums=True)


def test_fetch_ucr_uea_checksum_mismatch_deletes_the_download(
    server, tmp_path, monkeypatch
):
    routes, _ = server
    routes["/Toy.zip"] = _zip({"Toy_TRAIN.ts": TOY_TRAIN, "Toy_TEST.ts": TOY_TEST})
    expected = "0" * 64
    monkeypatch.setitem(
        fetchers._SHA256,
        "Toy",
        {"Toy_TRAIN.ts": _sha256(TOY_TRAIN), "Toy_TEST.ts": expected},
    )
    with pytest.raises(
        OSError,
        match=rf"Toy_TEST.ts downloaded from http://127.0.0.1:\d+/Toy.zip: SHA-256 "
        rf"{_sha256(TOY_TEST)}, expected {expected}. The download was deleted",
    ):
        fetch_ucr_uea("Toy", data_home=tmp_path)
    # Neither the zip nor either file: the train file was fine, but a data set is
    # installed whole or not at all.
    assert _files(tmp_path) == []


def test_fetch_ud_english_ewt_checks_each_downloaded_file(server, tmp_path):
    routes, _ = server
    routes["/ud-dev.conllu"] = CONLLU.encode()
    # The real digests are recorded: this small file is not the treebank's.
    with pytest.raises(
        OSError,
        match=r"en_ewt-ud-dev.conllu downloaded from .*/ud-dev.conllu: SHA-256 "
        + _sha256(CONLLU),
    ):
        fetch_ud_english_ewt(split="dev", data_home=tmp_path)
    assert _files(tmp_path) == []


def test_fetch_ud_english_ewt_and_airline_download(server, tmp_path, monkeypatch):
    routes, requests = server
    airline = "Date,Passengers\n1949-01,112\n1949-02,118\n"
    routes["/ud-dev.conllu"] = CONLLU.encode()
    routes["/ud-test.conllu"] = CONLLU.encode()
    routes["/Airline.csv"] = airline.encode()
    monkeypatch.setitem(
        fetchers._SHA256,
        "ud_english_ewt",
        {"en_ewt-ud-dev.conllu": _sha256(CONLLU), "en_ewt-ud-test.conllu": None},
    )
    monkeypatch.setitem(fetchers._SHA256, "airline", {"Airline.csv": _sha256(airline)})
    bunch = fetch_ud_english_ewt(split="dev", target="xpos", data_home=tmp_path)
    assert bunch.data == [["Do", "n't", "go", "."], ["New York"]]
    assert bunch.target[1] == ["NNP"] and bunch.split.tolist() == ["dev", "dev"]
    series = fetch_airline(data_home=tmp_path)
    assert series.data.tolist() == [112, 118]
    assert series.dates.tolist() == list(np.array(["1949-01", "1949-02"], "M8[M]"))
    assert _files(tmp_path) == [
        "airline/Airline.csv",
        "ud_english_ewt/en_ewt-ud-dev.conllu",
    ]
    assert requests == ["/ud-dev.conllu", "/Airline.csv"]


def test_an_interrupted_transfer_leaves_no_file(server, tmp_path):
    routes, _ = server
    body = _zip({"Toy_TRAIN.ts": TOY_TRAIN, "Toy_TEST.ts": TOY_TEST})
    routes["/Toy.zip"] = (body[:100], len(body))  # the connection closes early
    with (
        pytest.warns(UserWarning, match="No checksum"),
        pytest.raises(OSError, match=r"Could not download .*Toy.zip: the transfer "),
    ):
        fetch_ucr_uea("Toy", data_home=tmp_path)
    assert _files(tmp_path) == [] and not (tmp_path / "Toy").exists()


def test_an_interrupted_download_leaves_no_file(tmp_path, monkeypatch):
    class Response(io.BytesIO):
        headers = {}

        def read(self, size=-1):
            if self.tell():
                raise KeyboardInterrupt  # the user stops a long download
            return super().read(10)

    monkeypatch.setattr(fetchers, "urlopen", lambda url, **kw: Response(b"x" * 100))
    with pytest.raises(KeyboardInterrupt):
        fetch_airline(data_home=tmp_path)
    assert _files(tmp_path) == []


@pytest.mark.parametrize(
    "route, match",
    [
        (
            "/Toy.zip",
            r"Could not download http://127.0.0.1:\d+/Toy.zip: HTTP Error 404",
        ),
        ("/Other.zip", r"/Toy.zip did not give a zip archive; is 'Toy' the name"),
        ("/Partial.zip", r"The archive downloaded from .*/Toy.zip holds no Toy_TEST"),
    ],
)
def test_a_failed_download_says_what_went_wrong(server, tmp_path, route, match):
    routes, _ = server
    if route == "/Other.zip":
        routes["/Toy.zip"] = b"<html>No such data set</html>"
    elif route == "/Partial.zip":
        routes["/Toy.zip"] = _zip({"Toy_TRAIN.ts": TOY_TRAIN})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # not recorded
        with pytest.raises(OSError, match=match):
            fetch_ucr_uea("Toy", data_home=tmp_path)
    assert _files(tmp_path) == []


def test_download_if_missing_false_raises_oserror(tmp_path, offline):
    with pytest.raises(
        OSError, match=r"Toy_TRAIN.ts not found and download_if_missing=False"
    ):
        fetch_ucr_uea("Toy", data_home=tmp_path, download_if_missing=False)
    with pytest.raises(OSError, match=r"en_ewt-ud-test.conllu not found and"):
        fetch_ud_english_ewt(
            split="test", data_home=tmp_path, download_if_missing=False
        )
    with pytest.raises(OSError, match=r"Airline.csv not found and"):
        fetch_airline(data_home=tmp_path, download_if_missing=False)


def test_verify_checksums_flags_a_changed_cached_file_and_keeps_it(tmp_path, offline):
    folder = tmp_path / "BasicMotions"
    folder.mkdir()
    (folder / "BasicMotions_TRAIN.ts").write_text(TOY_TRAIN)
    X, _ = fetch_ucr_uea(
        "BasicMotions", split="train", data_home=tmp_path, return_X_y=True
    )
    assert X.shape == (2, 3, 1)  # not checked unless asked
    with pytest.raises(
        OSError,
        match=r"The cached file .*BasicMotions_TRAIN.ts: SHA-256 "
        + _sha256(TOY_TRAIN)
        + r", expected 8dc43cc6.*delete it to download it again",
    ):
        fetch_ucr_uea(
            "BasicMotions", split="train", data_home=tmp_path, verify_checksums=True
        )
    assert (folder / "BasicMotions_TRAIN.ts").read_text() == TOY_TRAIN


@pytest.mark.parametrize(
    "fetch, kwargs, match",
    [
        (fetch_ucr_uea, {"name": "../BasicMotions"}, "name='../BasicMotions' is not"),
        (fetch_ucr_uea, {"name": "Basic Motions"}, "name='Basic Motions' is not"),
        (fetch_ucr_uea, {"name": 3}, "name=3 is not a problem name"),
        (fetch_ucr_uea, {"name": "Toy", "split": "TRAIN"}, "split='TRAIN' is not"),
        (fetch_ud_english_ewt, {"split": "valid"}, r"one of \('train', 'dev', 'test'"),
        (fetch_ud_english_ewt, {"target": "lemma"}, "target='lemma' is not a tag set"),
    ],
)
def test_fetchers_reject_bad_arguments(fetch, kwargs, match, tmp_path, offline):
    with pytest.raises(ValueError, match=match):
        fetch(data_home=tmp_path, **kwargs)
