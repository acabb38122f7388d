"""Flat and span metrics for sequence tagging, checked by hand and against conlleval."""

import re
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from skrnn.metrics import (
    edit_distance,
    flat_accuracy_score,
    flat_accuracy_scorer,
    flat_f1_score,
    flat_f1_scorer,
    flat_precision_recall_fscore_support,
    flat_precision_score,
    flat_recall_score,
    sequence_accuracy_score,
    span_classification_report,
    span_f1_score,
    span_f1_scorer,
    span_precision_recall_fscore,
    span_precision_score,
    span_precision_scorer,
    span_recall_score,
    span_recall_scorer,
    token_error_rate,
)

CONLLEVAL_DIR = Path(__file__).parents[1].parent / "shared" / "data" / "conlleval"

Y_TRUE = [["DET", "NOUN", "VERB"], ["PRON", "VERB"]]
Y_PRED = [["DET", "VERB", "VERB"], ["PRON", "VERB"]]


def _read_conlleval_input(path):
    """Read `word gold predicted` lines, blank lines between sentences."""
    y_true, y_pred, seq_true, seq_pred = [], [], [], []
    for line in path.read_text().splitlines() + [""]:
        fields = line.split()
        if fields:
            seq_true.append(fields[1])
            seq_pred.append(fields[2])
        elif seq_true:
            y_true.append(seq_true)
            y_pred.append(seq_pred)
            seq_true, seq_pred = [], []
    return y_true, y_pred


def _read_conlleval_output(path):
    """The figures conlleval printed: header counts, overall and per-type lines."""
    lines = path.read_text().splitlines()
    counts = re.match(
        r"processed (\d+) tokens with (\d+) phrases; found: (\d+) phrases; "
        r"correct: (\d+)\.",
        lines[0],
    )
    overall = re.match(
        r"accuracy: +([\d.]+)%; precision: +([\d.]+)%; recall: +([\d.]+)%; "
        r"FB1: +([\d.]+)",
        lines[1],
    )
    per_type = {}
    for line in lines[2:]:
        match = re.match(
            r" *(\S+): precision: +([\d.]+)%; recall: +([\d.]+)%; "
            r"FB1: +([\d.]+) +(\d+)",
            line,
        )
        type_, precision, recall, fscore, found = match.groups()
        per_type[type_] = (float(precision), float(recall), float(fscore), int(found))
    return (
        tuple(int(n) for n in counts.groups()),
        tuple(float(x) for x in overall.groups()),
        per_type,
    )


def _conlleval_counts(y_true, y_pred):
    """A line-by-line port of conlleval's counting loop (version 2004-01-26)."""

    def split(tag):
        prefix, hyphen, type_ = tag.partition("-")
        return (prefix, type_) if hyphen else (tag, "")

    def end_of_chunk(prev, tag, prev_type, type_):
        pairs = {("B", "B"), ("B", "O"), ("I", "B"), ("I", "O")}
        pairs |= {("E", "E"), ("E", "I"), ("E", "O")}
        return (
            (prev, tag) in pairs
            or (prev not in ("O", ".") and prev_type != type_)
            or prev in ("[", "]")
        )

    def start_of_chunk(prev, tag, prev_type, type_):
        pairs = {("B", "B"), ("I", "B"), ("O", "B"), ("O", "I")}
        pairs |= {("E", "E"), ("E", "I"), ("O", "E")}
        return (
            (prev, tag) in pairs
            or (tag not in ("O", ".") and prev_type != type_)
            or tag in ("[", "]")
        )

    lines = []
    for seq_true, seq_pred in zip(y_true, y_pred, strict=True):
        lines += [*zip(seq_true, seq_pred, strict=True), ("O", "O")]  # boundary
    found_correct, found_guessed, correct_chunks = Counter(), Counter(), Counter()
    last_correct, last_correct_type, last_guessed, last_guessed_type = "O", "", "O", ""
    in_correct = False
    for true_tag, pred_tag in lines:
        (correct, correct_type), (guessed, guessed_type) = (
            split(true_tag),
            split(pred_tag),
        )
        ends_correct = end_of_chunk(
            last_correct, correct, last_correct_type, correct_type
        )
        ends_guessed = end_of_chunk(
            last_guessed, guessed, last_guessed_type, guessed_type
        )
        if in_correct:
            if ends_correct and ends_guessed and last_guessed_type == last_correct_type:
                in_correct = False
                correct_chunks[last_correct_type] += 1
            elif ends_correct != ends_guessed or guessed_type != correct_type:
                in_correct = False
        starts_correct = start_of_chunk(
            last_correct, correct, last_correct_type, correct_type
        )
        starts_guessed = start_of_chunk(
            last_guessed, guessed, last_guessed_type, guessed_type
        )
        if starts_correct and starts_guessed and guessed_type == correct_type:
            in_correct = True
        found_correct[correct_type] += starts_correct
        found_guessed[guessed_type] += starts_guessed
        last_correct, last_correct_type = correct, correct_type
        last_guessed, last_guessed_type = guessed, guessed_type
    if in_correct:
        correct_chunks[last_correct_type] += 1
    return +found_correct, +found_guessed, +correct_chunks


def _report_counts(report):
    types = [key for key in report if key not in ("accuracy",) and " avg" not in key]
    return tuple(
        +Counter({type_: report[type_][key] for type_ in types})
        for key in ("support", "predicted", "correct")
    )


# --- flat metrics -----------------------------------------------------------


def test_flat_accuracy_score_counts_every_token():
    assert flat_accuracy_score(Y_TRUE, Y_PRED) == pytest.approx(4 / 5)
    assert flat_accuracy_score(Y_TRUE, Y_PRED, normalize=False) == 4


def test_flat_metrics_by_hand():
    precision, recall, fscore, support = flat_precision_recall_fscore_support(
        Y_TRUE, Y_PRED, zero_division=0.0
    )
    # labels sorted: DET, NOUN, PRON, VERB
    np.testing.assert_allclose(precision, [1, 0, 1, 2 / 3])
    np.testing.assert_allclose(recall, [1, 0, 1, 1])
    np.testing.assert_allclose(fscore, [1, 0, 1, 0.8])
    np.testing.assert_array_equal(support, [1, 1, 1, 2])
    assert flat_precision_score(Y_TRUE, Y_PRED, zero_division=0.0) == pytest.approx(
        (1 + 0 + 1 + 2 / 3) / 4
    )
    assert flat_recall_score(Y_TRUE, Y_PRED) == pytest.approx(0.75)
    assert flat_f1_score(Y_TRUE, Y_PRED, zero_division=0.0) == pytest.approx(0.7)
    assert flat_f1_score(Y_TRUE, Y_PRED, average="weighted") == pytest.approx(
        (1 + 0 + 1 + 2 * 0.8) / 5
    )
    per_label = flat_f1_score(Y_TRUE, Y_PRED, labels=["VERB", "DET"], average=None)
    np.testing.assert_allclose(per_label, [0.8, 1.0])


def test_flat_metrics_match_sklearn_on_flattened_integer_labels():
    y_true = [np.array([0, 1, 2, 2]), np.array([1, 0])]
    y_pred = [np.array([0, 2, 2, 2]), np.array([1, 1])]
    flat_true, flat_pred = [0, 1, 2, 2, 1, 0], [0, 2, 2, 2, 1, 1]
    for average in ("micro", "macro", "weighted"):
        assert flat_f1_score(y_true, y_pred, average=average) == pytest.approx(
            f1_score(flat_true, flat_pred, average=average)
        )
    assert flat_accuracy_score(y_true, y_pred) == pytest.approx(4 / 6)


def test_flat_precision_warns_only_for_what_is_asked():
    # NOUN is never predicted: precision is ill-defined, recall is not.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        flat_recall_score(Y_TRUE, Y_PRED)
    with pytest.warns(UndefinedMetricWarning):
        flat_precision_score(Y_TRUE, Y_PRED)


@pytest.mark.parametrize(
    "y_true, y_pred",
    [
        ([["a", "b"], ["c"]], [["a", "b"], ["c"], ["d"]]),
        ([["a", "b"]], []),
    ],
)
def test_metrics_reject_a_different_number_of_sequences(y_true, y_pred):
    with pytest.raises(ValueError, match=r"y_true has \d+ sequences but y_pred"):
        flat_accuracy_score(y_true, y_pred)
    with pytest.raises(ValueError, match=r"y_true has \d+ sequences but y_pred"):
        span_f1_score(y_true, y_pred)


def test_metrics_name_the_first_sequence_of_another_length():
    y_true = [["O", "O"], ["O", "B-X"], ["O"]]
    y_pred = [["O", "O"], ["O"], ["O", "O"]]
    message = "Sequence 1 has 2 labels in y_true but 1 in y_pred"
    for metric in (flat_accuracy_score, flat_f1_score, span_f1_score):
        with pytest.raises(ValueError, match=message):
            metric(y_true, y_pred)


@pytest.mark.parametrize(
    "y_pred, match",
    [
        (["B-X", "O"], r"y_pred\[0\] is 'B-X', not a sequence of labels"),
        ("B-X O", "y_pred must be a list of per-sequence label lists"),
        ([np.array([["B-X", "O"]])], r"y_pred\[0\] is an array of shape \(1, 2\)"),
    ],
)
def test_metrics_reject_flat_label_lists(y_pred, match):
    with pytest.raises(ValueError, match=match):
        flat_accuracy_score([["B-X", "O"]], y_pred)


def test_flat_metrics_reject_labels_absent_from_the_data():
    with pytest.raises(ValueError, match=r"contains \['ADJ'\], which occur in neither"):
        flat_f1_score(Y_TRUE, Y_PRED, labels=["VERB", "ADJ"])
    with pytest.raises(ValueError, match=r"contains \[7\]"):
        flat_precision_recall_fscore_support([[1, 2]], [[1, 1]], labels=[1, 7])


def test_flat_metrics_reject_bad_average_and_zero_division():
    with pytest.raises(ValueError, match="average='binary' is not supported"):
        flat_f1_score(Y_TRUE, Y_PRED, average="binary")
    with pytest.raises(ValueError, match="zero_division='ignore' is not supported"):
        flat_f1_score(Y_TRUE, Y_PRED, zero_division="ignore")


def test_flat_metrics_reject_empty_input():
    with pytest.raises(ValueError, match="contain no labels"):
        flat_accuracy_score([[], []], [[], []])


def test_metrics_accept_arrays_and_tuples():
    y_true = np.array([["B-X", "I-X", "O"], ["O", "B-Y", "O"]])
    y_pred = [("B-X", "I-X", "O"), np.array(["O", "B-Y", "I-Y"])]
    assert flat_accuracy_score(y_true, y_pred) == pytest.approx(5 / 6)
    assert span_precision_score(y_true, y_pred) == pytest.approx(1 / 2)
    assert span_recall_score(y_true, y_pred) == pytest.approx(1 / 2)


# --- span metrics: chunk rules ----------------------------------------------


@pytest.mark.parametrize(
    "y_pred, as_iob2",
    [
        # an I after O starts a chunk, as in conlleval
        (["I-NP", "I-NP", "O"], ["B-NP", "I-NP", "O"]),
        (["O", "I-NP", "I-NP"], ["O", "B-NP", "I-NP"]),
        # a type change mid-chunk ends one chunk and starts another
        (["B-NP", "I-VP", "I-VP"], ["B-NP", "B-VP", "I-VP"]),
        (["I-NP", "I-VP", "O"], ["B-NP", "B-VP", "O"]),
        # the first hyphen splits prefix and type
        (["I-GEO-LOC", "I-GEO-LOC"], ["B-GEO-LOC", "I-GEO-LOC"]),
        # B starts a chunk even right after one of the same type
        (["B-NP", "B-NP", "I-NP"], ["B-NP", "B-NP", "I-NP"]),
    ],
)
def test_ill_formed_iob_is_read_as_conlleval_reads_it(y_pred, as_iob2):
    precision, recall, fscore, _ = span_precision_recall_fscore([as_iob2], [y_pred])
    assert (precision, recall, fscore) == (1.0, 1.0, 1.0)


def test_span_metrics_by_hand():
    y_true = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG", "I-ORG"]]
    y_pred = [["B-PER", "I-PER", "O", "B-ORG"], ["O", "B-ORG", "O"]]
    # true: PER(0-2), LOC(3), ORG(1-3); predicted: PER(0-2), ORG(3), ORG(1)
    precision, recall, fscore, support = span_precision_recall_fscore(
        y_true, y_pred, average=None, zero_division=0.0
    )
    np.testing.assert_allclose(precision, [0, 0, 1])  # LOC, ORG, PER
    np.testing.assert_allclose(recall, [0, 0, 1])
    np.testing.assert_allclose(fscore, [0, 0, 1])
    np.testing.assert_array_equal(support, [1, 1, 1])
    assert span_precision_score(y_true, y_pred) == pytest.approx(1 / 3)
    assert span_recall_score(y_true, y_pred) == pytest.approx(1 / 3)
    assert span_f1_score(y_true, y_pred) == pytest.approx(1 / 3)
    assert span_f1_score(
        y_true, y_pred, average="macro", zero_division=0.0
    ) == pytest.approx(1 / 3)
    assert span_f1_score(y_true, y_pred, types=["PER"]) == 1.0
    assert span_recall_score(y_true, y_pred, types=["ORG", "LOC"]) == 0.0


def test_span_weighted_average_and_beta():
    y_true = [["B-A", "O", "B-A", "O", "B-B"]]
    y_pred = [["B-A", "O", "O", "O", "B-B"]]
    # A: P=1, R=1/2, F1=2/3 (2 true); B: P=R=F1=1 (1 true)
    assert span_recall_score(y_true, y_pred, average="macro") == pytest.approx(0.75)
    assert span_f1_score(y_true, y_pred, average="weighted") == pytest.approx(
        (2 * 2 / 3 + 1) / 3
    )
    _, _, f2, _ = span_precision_recall_fscore(y_true, y_pred, beta=2.0)
    precision, recall = 1.0, 2 / 3
    assert f2 == pytest.approx(5 * precision * recall / (4 * precision + recall))


def test_iob1_chunks_start_at_i_and_split_at_b():
    y_true = [["I-NP", "I-NP", "B-NP", "O", "I-VP"]]
    y_pred = [["B-NP", "I-NP", "B-NP", "O", "B-VP"]]
    assert span_f1_score(y_true, y_pred, scheme="IOB1") == 1.0
    report = span_classification_report(y_true, y_true, scheme="IOB1", output_dict=True)
    assert report["NP"]["support"] == 2
    assert report["VP"]["support"] == 1


def test_span_metrics_zero_division():
    y_true = [["B-X", "O"]]
    y_pred = [["O", "O"]]
    with pytest.warns(UndefinedMetricWarning, match="Precision is ill-defined"):
        assert span_precision_score(y_true, y_pred) == 0.0
    assert span_precision_score(y_true, y_pred, zero_division=1.0) == 1.0
    assert np.isnan(span_precision_score(y_true, y_pred, zero_division=np.nan))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert span_recall_score(y_true, y_pred) == 0.0
        assert span_f1_score(y_true, y_pred) == 0.0


def test_span_metrics_with_no_chunks_at_all():
    with pytest.warns(UndefinedMetricWarning):
        assert span_f1_score([["O", "O"]], [["O", "O"]]) == 0.0
    assert span_f1_score([["O"]], [["O"]], zero_division=1.0) == 1.0


# --- span metrics: BIOES --------------------------------------------------


@pytest.mark.parametrize(
    "tags, spans",
    [
        (["S-X", "B-X", "I-X", "E-X", "O"], [("X", 0, 1), ("X", 1, 4)]),
        (["B-X", "E-X", "S-Y"], [("X", 0, 2), ("Y", 2, 3)]),
        # ill-formed: E or S end a chunk, so what follows them starts one
        (["S-X", "I-X", "E-X"], [("X", 0, 1), ("X", 1, 3)]),
        (["B-X", "E-X", "E-X"], [("X", 0, 2), ("X", 2, 3)]),
        # ill-formed: I or E after O start a chunk, B or S end the open one
        (["O", "I-X", "E-X", "O"], [("X", 1, 3)]),
        (["O", "E-X", "O"], [("X", 1, 2)]),
        (["B-X", "I-X", "B-X"], [("X", 0, 2), ("X", 2, 3)]),
        (["B-X", "S-X"], [("X", 0, 1), ("X", 1, 2)]),
        # ill-formed: a type change ends one chunk and starts another
        (["B-X", "I-Y", "E-Y"], [("X", 0, 1), ("Y", 1, 3)]),
    ],
)
def test_bioes_chunks(tags, spans):
    well_formed = ["O"] * len(tags)
    for type_, start, end in spans:
        if end - start == 1:
            well_formed[start] = f"S-{type_}"
        else:
            well_formed[start] = f"B-{type_}"
            well_formed[start + 1 : end - 1] = [f"I-{type_}"] * (end - start - 2)
            well_formed[end - 1] = f"E-{type_}"
    for scheme in ("BIOES", "IOBES"):
        report = span_classification_report(
            [well_formed], [tags], scheme=scheme, output_dict=True
        )
        assert report["micro avg"]["predicted"] == len(spans)
        assert report["micro avg"]["correct"] == len(spans)
        assert report["micro avg"]["support"] == len(spans)


def _random_spans(rng, length, types):
    tags, position = ["O"] * length, 0
    while position < length:
        size = int(rng.randint(1, 4))
        if rng.rand() < 0.5 and position + size <= length:
            type_ = types[rng.randint(len(types))]
            tags[position : position + size] = [(type_, i, size) for i in range(size)]
            position += size
        else:
            position += 1
    return tags


def _as_bioes(tags):
    def tag(item):
        if item == "O":
            return "O"
        type_, i, size = item
        prefix = "S" if size == 1 else "B" if i == 0 else "E" if i == size - 1 else "I"
        return f"{prefix}-{type_}"

    return [tag(item) for item in tags]


def _as_iob2(tags):
    return [
        "O" if item == "O" else f"{'B' if item[1] == 0 else 'I'}-{item[0]}"
        for item in tags
    ]


def test_well_formed_bioes_scores_as_its_iob2_conversion():
    rng = np.random.RandomState(0)
    types = ["A", "B", "GEO-LOC"]
    y_true = [_random_spans(rng, rng.randint(0, 12), types) for _ in range(100)]
    y_pred = [
        seq if rng.rand() < 0.3 else _random_spans(rng, len(seq), types)
        for seq in y_true
    ]
    for average in ("micro", "macro", "weighted", None):
        bioes = span_precision_recall_fscore(
            [_as_bioes(s) for s in y_true],
            [_as_bioes(s) for s in y_pred],
            scheme="BIOES",
            average=average,
        )
        iob2 = span_precision_recall_fscore(
            [_as_iob2(s) for s in y_true],
            [_as_iob2(s) for s in y_pred],
            average=average,
        )
        for got, expected in zip(bioes, iob2, strict=True):
            if expected is None:  # the support, when averaged
                assert got is None
            else:
                np.testing.assert_allclose(got, expected)


# --- span metrics: agreement with conlleval -----------------------------------


@pytest.mark.parametrize("scheme", ["IOB1", "IOB2"])
def test_span_metrics_agree_with_conlleval_output(scheme):
    if not CONLLEVAL_DIR.is_dir():
        pytest.skip(f"reference data not found at {CONLLEVAL_DIR}")
    name = scheme.lower()
    y_true, y_pred = _read_conlleval_input(CONLLEVAL_DIR / f"{name}.txt")
    expected_file = CONLLEVAL_DIR / f"{name}.expected.txt"
    (n_tokens, n_true, n_found, n_correct), overall, per_type = _read_conlleval_output(
        expected_file
    )

    report = span_classification_report(y_true, y_pred, scheme=scheme)
    assert report == expected_file.read_text().rstrip("\n")

    as_dict = span_classification_report(
        y_true, y_pred, scheme=scheme, output_dict=True
    )
    assert sum(map(len, y_true)) == n_tokens
    assert as_dict["micro avg"]["support"] == n_true
    assert as_dict["micro avg"]["predicted"] == n_found
    assert as_dict["micro avg"]["correct"] == n_correct
    # The port used on random tags below reproduces the script's figures too.
    found_correct, found_guessed, correct_chunks = _conlleval_counts(y_true, y_pred)
    assert (found_correct.total(), found_guessed.total()) == (n_true, n_found)
    assert correct_chunks.total() == n_correct
    accuracy, precision, recall, fscore = overall
    assert round(100 * flat_accuracy_score(y_true, y_pred), 2) == accuracy
    assert round(100 * span_precision_score(y_true, y_pred, scheme=scheme), 2) == (
        precision
    )
    assert round(100 * span_recall_score(y_true, y_pred, scheme=scheme), 2) == recall
    assert round(100 * span_f1_score(y_true, y_pred, scheme=scheme), 2) == fscore

    types = sorted(per_type)
    precisions, recalls, fscores, _ = span_precision_recall_fscore(
        y_true, y_pred, scheme=scheme, average=None
    )
    for i, type_ in enumerate(types):
        expected_precision, expected_recall, expected_fscore, found = per_type[type_]
        assert round(100 * precisions[i], 2) == expected_precision
        assert round(100 * recalls[i], 2) == expected_recall
        assert round(100 * fscores[i], 2) == expected_fscore
        assert as_dict[type_]["predicted"] == found


def test_span_counts_agree_with_a_port_of_conlleval_on_random_tags():
    rng = np.random.RandomState(0)
    tags = ["O", "O", "B-A", "I-A", "B-B", "I-B", "B-GEO-LOC", "I-GEO-LOC"]

    def random_sequence(length):
        return [tags[i] for i in rng.randint(len(tags), size=length)]

    y_true = [random_sequence(rng.randint(0, 10)) for _ in range(300)]
    y_pred = [
        [tag if rng.rand() < 0.7 else tags[rng.randint(len(tags))] for tag in seq]
        for seq in y_true
    ]
    for scheme in ("IOB1", "IOB2"):
        report = span_classification_report(
            y_true, y_pred, scheme=scheme, output_dict=True
        )
        assert _report_counts(report) == _conlleval_counts(y_true, y_pred)


# --- span metrics: errors ---------------------------------------------------


@pytest.mark.parametrize(
    "tag, scheme",
    [
        ("X-FOO", "IOB2"),
        ("S-PER", "IOB2"),
        ("E-PER", "IOB1"),
        ("PER", "IOB2"),
        ("B-", "BIOES"),
        ("O-PER", "BIOES"),
    ],
)
def test_span_metrics_reject_tags_outside_the_scheme(tag, scheme):
    match = rf"Tag '{tag}' at y_pred\[1\]\[0\] does not fit scheme='{scheme}'"
    with pytest.raises(ValueError, match=match):
        span_f1_score([["O"], ["O"]], [["O"], [tag]], scheme=scheme)


def test_span_metrics_reject_integer_labels():
    with pytest.raises(ValueError, match=r"y_true\[0\]\[1\] is 1 \(int\); span"):
        span_f1_score([["O", 1]], [["O", 1]])


def test_span_metrics_reject_bad_parameters():
    y = [["B-X", "O"]]
    with pytest.raises(ValueError, match="scheme='IOE' is not supported"):
        span_f1_score(y, y, scheme="IOE")
    with pytest.raises(ValueError, match=r"contains \['Y'\], which occur in neither"):
        span_f1_score(y, y, types=["X", "Y"])
    with pytest.raises(ValueError, match=r"types='X' must be a list"):
        span_f1_score(y, y, types="X")
    with pytest.raises(ValueError, match="average='samples' is not supported"):
        span_f1_score(y, y, average="samples")
    with pytest.raises(ValueError, match="zero_division=2 is not supported"):
        span_f1_score(y, y, zero_division=2)


# --- report -------------------------------------------------------------------


def test_span_classification_report_dict():
    y_true = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG"]]
    y_pred = [["B-PER", "I-PER", "O", "B-ORG"], ["O", "B-ORG"]]
    report = span_classification_report(y_true, y_pred, output_dict=True)
    assert report["ORG"] == {
        "precision": 0.5,
        "recall": 1.0,
        "f1-score": pytest.approx(2 / 3),
        "support": 1,
        "predicted": 2,
        "correct": 1,
    }
    assert report["micro avg"]["f1-score"] == pytest.approx(2 / 3)
    assert report["macro avg"]["recall"] == pytest.approx(2 / 3)
    assert report["accuracy"] == pytest.approx(5 / 6)
    text = span_classification_report(y_true, y_pred, digits=3, types=["PER"])
    assert text.splitlines()[-1] == (
        "              PER: precision: 100.000%; recall: 100.000%; FB1: 100.000  1"
    )


# --- scorers in model selection -------------------------------------------------


class _CorruptingTagger(BaseEstimator):
    """Stores nothing; predicts the tags carried in X with the first few set to O."""

    def __init__(self, n_corrupted=1):
        self.n_corrupted = n_corrupted

    def fit(self, X, y):
        self.is_fitted_ = True
        return self

    def predict(self, X):
        predictions = []
        for sequence in X:
            tags = np.array([tag for _, tag in sequence], dtype=object)
            tags[: self.n_corrupted] = "O"
            predictions.append(tags)
        return predictions


def _ragged_tagging_data():
    rng = np.random.RandomState(0)
    X, y = [], []
    for _ in range(24):
        tags = ["B-X" if i % 3 == 0 else "I-X" for i in range(rng.randint(2, 8))]
        X.append([(f"w{i}", tag) for i, tag in enumerate(tags)])
        y.append(tags)
    return X, y


@pytest.mark.parametrize(
    "scorer, perfect",
    [
        (flat_accuracy_scorer, 1.0),
        (flat_f1_scorer, 1.0),
        (span_f1_scorer, 1.0),
        (span_precision_scorer, 1.0),
        (span_recall_scorer, 1.0),
        (make_scorer(span_f1_score, scheme="IOB1"), 1.0),
    ],
)
def test_scorers_work_in_cross_val_score_on_ragged_lists(scorer, perfect):
    X, y = _ragged_tagging_data()
    cv = KFold(3)
    scores = cross_val_score(_CorruptingTagger(0), X, y, cv=cv, scoring=scorer)
    np.testing.assert_allclose(scores, perfect)
    scores = cross_val_score(_CorruptingTagger(1), X, y, cv=cv, scoring=scorer)
    assert np.all(scores < perfect)


def test_span_f1_scorer_by_hand_in_cross_val_score():
    X, y = _ragged_tagging_data()
    scores = cross_val_score(
        _CorruptingTagger(1), X, y, cv=KFold(2), scoring=span_f1_scorer
    )
    halves = (slice(0, 12), slice(12, 24))
    expected = [
        span_f1_score(y[half], _CorruptingTagger(1).predict(X[half])) for half in halves
    ]
    np.testing.assert_allclose(scores, expected)


def test_scorers_select_the_best_model_in_grid_search():
    X, y = _ragged_tagging_data()
    search = GridSearchCV(
        _CorruptingTagger(),
        {"n_corrupted": [2, 0, 1]},
        cv=3,
        scoring={"span_f1": span_f1_scorer, "accuracy": flat_accuracy_scorer},
        refit="span_f1",
    ).fit(X, y)
    assert search.best_params_ == {"n_corrupted": 0}
    assert search.best_score_ == 1.0


@pytest.mark.parametrize("beta", [np.nan, -1.0, np.inf])
def test_span_scores_refuse_a_beta_that_is_not_a_weight(beta):
    tags = [["B-PER", "O"]]
    with pytest.raises(ValueError, match="beta must be a finite number >= 0"):
        span_precision_recall_fscore(tags, tags, beta=beta)


@pytest.mark.parametrize("digits", [-1, "x", 1.5])
def test_span_report_refuses_digits_that_are_not_a_count(digits):
    tags = [["B-PER", "O"]]
    with pytest.raises(ValueError, match="digits must be an integer >= 0"):
        span_classification_report(tags, tags, digits=digits)


@pytest.mark.parametrize("metric", [sequence_accuracy_score, token_error_rate])
def test_sequence_metrics_refuse_negative_or_all_zero_weights(metric):
    with pytest.raises(ValueError, match="[Nn]egative"):
        metric(["ab", "cd"], ["ab", "ce"], sample_weight=[-1, 1])
    with pytest.raises(ValueError, match="non-zero|zero for every sequence"):
        metric(["ab", "cd"], ["ab", "ce"], sample_weight=[0, 0])


def test_edit_distance_names_an_argument_that_is_not_a_sequence():
    with pytest.raises(TypeError, match="reference must be a string or a sequence"):
        edit_distance(None, "a")
