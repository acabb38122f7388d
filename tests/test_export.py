"""The contract of exported programs: what skrnn.check_export_inputs tells a
deployer whose inputs break it, and what the archive and docstring state."""

import copy
import functools
import json
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

import skrnn
from skrnn import RNNClassifier, SequenceTagger

MAX_LENGTH = 8


@functools.cache
def _classifier_program():
    rng = np.random.RandomState(0)
    X = rng.randn(16, 5, 2).astype(np.float32)
    clf = RNNClassifier(hidden_size=4, max_epochs=1, random_state=0)
    return skrnn.export(clf.fit(X, rng.randint(0, 2, 16)), max_length=MAX_LENGTH)


@functools.cache
def _token_tagger():
    X = [["the", "dog", "runs"], ["a", "cat"], ["the", "cat", "sleeps"]]
    y = [["D", "N", "V"], ["D", "N"], ["D", "N", "V"]]
    tagger = SequenceTagger(
        hidden_size=4, embedding_dim=4, char_features=3, min_frequency=1, max_epochs=1
    )
    tagger.fit(X, y)
    return tagger, skrnn.export(tagger, max_length=MAX_LENGTH)


def _valid_inputs():
    values = torch.full((2, MAX_LENGTH, 2), float("nan"))
    values[0, :MAX_LENGTH] = 0.5
    values[1, :1] = -0.5
    return values, torch.tensor([MAX_LENGTH, 1])


def _forms(program, tmp_path):
    path = tmp_path / "model.pt2"
    torch.export.save(program, path)
    return {"program": program, "module": program.module(), "path": path}


@pytest.mark.parametrize("form", ["program", "module", "path"])
def test_check_export_inputs_accepts_what_the_program_takes(form, tmp_path):
    program = _forms(_classifier_program(), tmp_path)[form]
    values, lengths = _valid_inputs()
    assert skrnn.check_export_inputs(program, values, lengths) is None
    assert _classifier_program().module()(values, lengths).shape == (2, 2)


def _too_long(values, lengths):
    return torch.zeros(2, MAX_LENGTH + 1, 2), lengths


BAD_INPUTS = {
    # torch's own error: AssertionError "Guard failed: values.size()[1] == 8"
    "too many steps": (
        _too_long,
        r"values has shape \(2, 9, 2\), but the program takes \(batch, 8, 2\): "
        r"axis 1 must have size 8, not 9; pad every batch to max_length=8 steps "
        r"\(a longer sequence must be cut or split, or the model exported again "
        r"with a larger max_length\)",
    ),
    "too few steps": (
        lambda v, n: (v[:, :5], n),
        r"axis 1 must have size 8, not 5; pad every batch to max_length=8",
    ),
    # torch's own error: RuntimeError "expected scalar type Double but found Float"
    "float64 values": (
        lambda v, n: (v.double(), n),
        r"values has dtype torch.float64, but the program takes torch.float32: "
        r"convert it with values.to\(torch.float32\)",
    ),
    "numpy values": (
        lambda v, n: (v.numpy(), n),
        r"values is a ndarray, not a torch.Tensor: convert it with "
        r"torch.from_numpy\(values\)",
    ),
    "features": (
        lambda v, n: (torch.zeros(2, MAX_LENGTH, 3), n),
        r"axis 2 must have size 2, not 3; give each step the 2 features",
    ),
    "int32 lengths": (
        lambda v, n: (v, n.int()),
        r"lengths has dtype torch.int32.*lengths.to\(torch.int64\)",
    ),
    "batch sizes": (
        lambda v, n: (v, torch.tensor([1, 2, 3])),
        r"lengths holds 3 sequences but values holds 2",
    ),
    "length above max_length": (
        lambda v, n: (v, torch.tensor([3, MAX_LENGTH + 1])),
        r"lengths\[1\] is 9, outside 1 .. 8 \(max_length=8\)",
    ),
    "length 0": (
        lambda v, n: (v, torch.tensor([0, 1])),
        r"lengths\[0\] is 0, outside 1 .. 8",
    ),
    "empty batch": (
        lambda v, n: (v[:0], n[:0]),
        r"values has shape \(0, 8, 2\): a program takes at least one sequence",
    ),
    "number of inputs": (
        lambda v, n: (v,),
        r"The program takes 2 inputs \(values, lengths\); got 1\.$",
    ),
}


@pytest.mark.parametrize("form", ["program", "module"])
@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_check_export_inputs_names_the_input_the_value_and_the_fix(
    case, form, tmp_path
):
    program = _forms(_classifier_program(), tmp_path)[form]
    make, match = BAD_INPUTS[case]
    with pytest.raises(ValueError, match=match):
        skrnn.check_export_inputs(program, *make(*_valid_inputs()))


def test_the_program_alone_gives_torch_errors_check_export_inputs_explains():
    # Why the check exists: these are the messages a deployer gets without it.
    module = _classifier_program().module()
    values, lengths = _valid_inputs()
    with pytest.raises(AssertionError, match="Guard failed"):
        module(*_too_long(values, lengths))
    # The recurrence's message, or the convolutional front end's.
    with pytest.raises(
        RuntimeError, match="expected scalar type|Input type .* should be the same"
    ):
        module(values.double(), lengths)


TOKEN_BAD_INPUTS = {
    "ids outside the vocabulary": (
        lambda ids, types, chars, n: (ids + 999, types, chars, n),
        r"ids\[0, 0, 0\] is \d+, outside 0 \.\. \d+ .*skrnn.token_inputs",
    ),
    "word_types beyond chars": (
        lambda ids, types, chars, n: (ids, types + 100, chars, n),
        r"word_types\[0, 0\] is 100, outside 0 \.\. \d+ \(chars has \d+ rows\)",
    ),
    "characters per word": (
        lambda ids, types, chars, n: (ids, types, torch.zeros(4, 31).long(), n),
        r"chars has shape \(4, 31\).*axis 1 must have size 30, not 31; pad each "
        r"word's characters with 0 to 30",
    ),
    "numeric inputs": (
        lambda ids, types, chars, n: (torch.zeros(2, MAX_LENGTH, 2), n),
        r"takes 4 inputs \(ids, word_types, chars, lengths\); got 2\. Build them "
        r"from documents or token lists with skrnn.token_inputs",
    ),
}


@pytest.mark.parametrize("case", sorted(TOKEN_BAD_INPUTS))
def test_check_export_inputs_of_a_token_tagger(case):
    tagger, program = _token_tagger()
    inputs = skrnn.tagger_inputs(tagger, [["the", "zebra"], ["a"]], MAX_LENGTH)
    skrnn.check_export_inputs(program, *inputs)
    make, match = TOKEN_BAD_INPUTS[case]
    with pytest.raises(ValueError, match=match):
        skrnn.check_export_inputs(program, *make(*inputs))


def test_check_export_inputs_refuses_other_programs():
    with pytest.raises(TypeError, match="program must be a program from skrnn"):
        skrnn.check_export_inputs(torch.nn.Linear(2, 2), torch.zeros(2))
    other = torch.export.export(torch.nn.Linear(2, 2), (torch.zeros(1, 2),))
    with pytest.raises(ValueError, match="not the inputs of a program written by"):
        skrnn.check_export_inputs(other, torch.zeros(1, 2))


def test_tagger_inputs_needs_a_token_tagger():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 2) for n in (2, 3, 4)]
    tagger = SequenceTagger(hidden_size=4, max_epochs=1)
    tagger.fit(X, [np.arange(len(x)) % 2 for x in X])
    with pytest.raises(ValueError, match="fitted on numbers.*\\(values, lengths\\)"):
        skrnn.tagger_inputs(tagger, [["a"]], MAX_LENGTH)


def test_the_archive_records_the_contract_the_program_checks(tmp_path):
    tagger, program = _token_tagger()
    path = tmp_path / "tagger.pt2"
    skrnn.export(tagger, path, max_length=MAX_LENGTH)
    files = {"skrnn.json": ""}
    loaded = torch.export.load(path, extra_files=files)
    contract = json.loads(files["skrnn.json"])
    assert contract["max_length"] == MAX_LENGTH
    assert list(contract["inputs"]) == ["ids", "word_types", "chars", "lengths"]
    assert contract["output"] == {
        "name": "probabilities",
        "dtype": "float64",
        "shape": ["batch", MAX_LENGTH, len(tagger.classes_)],
    }
    placeholders = {
        node.name: node.meta["val"]
        for node in loaded.module().graph.nodes
        if node.op == "placeholder"
    }
    assert list(placeholders) == list(contract["inputs"])
    for name, spec in contract["inputs"].items():
        value = placeholders[name]
        assert str(value.dtype) == f"torch.{spec['dtype']}"
        static = [s if isinstance(s, int) else None for s in spec["shape"]]
        assert [s if isinstance(s, int) else None for s in value.shape] == static


def test_the_public_docstring_states_the_contract():
    doc = " ".join(skrnn.export.__doc__.split())
    for term in [
        "program(values, lengths)",
        "program(ids, word_types, chars, lengths)",
        "float32",
        "int64",
        "max_length",
        "padding",
        "(batch, n_classes)",
        "check_export_inputs",
        "output_ids, output_lengths, scores = program(...)",
        "output_vocabulary",
        "beam_size > 1",
        "temperature",
    ]:
        assert term in doc, term
    assert "_export_tagger" not in doc


# -- the forecaster --


def _forecaster_series(n=60):
    t = np.arange(n)
    return 10 + np.sin(2 * np.pi * t / 6) + 0.05 * t


@pytest.mark.parametrize("covariates", [False, True], ids=["plain", "covariates"])
def test_forecaster_program_equals_predict_and_its_quantiles(covariates):
    y = _forecaster_series()
    X = np.c_[np.cos(np.arange(63.0))] if covariates else None
    forecaster = skrnn.RNNForecaster(
        horizon=3, hidden_size=4, max_epochs=3, random_state=0
    ).fit(y, X=None if X is None else X[:60])
    assert forecaster.n_calibration_windows_ > 0
    program = skrnn.export(forecaster)
    histories = [y[:40], y, np.full(20, 7.5)]  # the last one constant
    window = forecaster.window_
    history = torch.from_numpy(np.stack([h[-window:, None] for h in histories]))
    inputs = [history]
    future = {}
    if covariates:
        cov = np.stack(
            [X[len(h) - window : len(h) + 3] for h in histories[:2]] + [X[: window + 3]]
        )
        inputs.append(torch.from_numpy(cov))
        future = {"X": [X[: len(h) + 3] for h in histories[:2]] + [X[:23]]}
    skrnn.check_export_inputs(program, *inputs)
    out = program.module()(*inputs).numpy()
    assert out.shape == (3, 3, 1, 1 + len(forecaster.quantiles_))
    expected_mean = forecaster.predict(y=histories, **future)
    expected_q = forecaster.predict_quantiles(
        y=histories, alpha=forecaster.quantiles_, **future
    )
    for i in range(3):
        np.testing.assert_allclose(out[i, :, 0, 0], expected_mean[i], rtol=1e-5)
        np.testing.assert_allclose(out[i, :, 0, 1:], expected_q[i], rtol=1e-5)
    assert (np.diff(out[..., 1:], axis=-1) >= 0).all()
    np.testing.assert_array_equal(out[2], 7.5)


def test_forecaster_program_checks_and_refusals():
    forecaster = skrnn.RNNForecaster(
        horizon=2, hidden_size=4, max_epochs=2, random_state=0
    ).fit(_forecaster_series())
    program = skrnn.export(forecaster)
    with pytest.raises(ValueError, match=r"axis 1 must have size 6, not 5; pass the"):
        skrnn.check_export_inputs(program, torch.zeros(2, 5, 1, dtype=torch.float64))
    with pytest.raises(ValueError, match="max_length does not apply"):
        skrnn.export(forecaster, max_length=10)
    recursive = skrnn.RNNForecaster(
        horizon=2, strategy="recursive", hidden_size=4, max_epochs=2
    ).fit(_forecaster_series())
    with pytest.raises(ValueError, match="strategy='direct' only"):
        skrnn.export(recursive)


# -- the translator --

TRANSLATOR = dict(
    hidden_size=16,
    embedding_dim=8,
    batch_size=8,
    max_epochs=30,
    lr=1e-2,
    random_state=0,
    n_threads=1,
)


def _strings(n, seed, lengths=(1, 5)):
    rng = np.random.RandomState(seed)
    return ["".join(rng.choice(list("abc"), rng.randint(*lengths))) for _ in range(n)]


@functools.cache
def _translator(kind):
    """A fitted translator, the sequences to translate, and its program's inputs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if kind == "strings":
            X = _strings(40, 0)
            model = skrnn.SequenceTranslator(**TRANSLATOR).fit(X, [s[::-1] for s in X])
            X_test = ["a", "abc", "cc", "bacab", "zz", "cabba"]  # z unseen
            return model, X_test, skrnn.token_inputs(model, X_test, MAX_LENGTH)
        rng = np.random.RandomState(0)
        X = [rng.normal(size=(n, 2)) for n in rng.randint(1, 6, 40)]
        y = ["".join("+" if v > 0 else "-" for v in x[:, 0]) for x in X]
        model = skrnn.SequenceTranslator(cell="gru", **TRANSLATOR).fit(X, y)
    X_test = [rng.normal(size=(n, 2)) for n in (1, 3, MAX_LENGTH, 2, 5)]
    values = torch.full((len(X_test), MAX_LENGTH, 2), float("nan"), dtype=torch.float64)
    for i, x in enumerate(X_test):
        values[i, : len(x)] = torch.from_numpy(x)
    lengths = torch.tensor([len(x) for x in X_test])
    return model, X_test, (values, lengths)


@pytest.mark.parametrize("kind", ["strings", "numbers"])
def test_translator_program_equals_greedy_predict(kind, tmp_path):
    model, X, inputs = _translator(kind)
    assert model.beam_size == 1
    path = tmp_path / "translator.pt2"
    skrnn.export(model, path, max_length=MAX_LENGTH)
    files = {"skrnn.json": ""}
    program = torch.export.load(path, extra_files=files).module()
    contract = json.loads(files["skrnn.json"])
    assert contract["estimator"] == "SequenceTranslator"
    assert contract["decoding"] == "greedy"
    names = ["ids", "word_types", "chars"] if kind == "strings" else ["values"]
    assert list(contract["inputs"]) == [*names, "lengths"]
    assert [o["name"] for o in contract["outputs"]] == [
        "output_ids",
        "output_lengths",
        "scores",
    ]
    assert contract["output_vocabulary"] == [None] * 3 + model.output_tokens_
    assert contract["special_ids"] == {"padding": 0, "start": 1, "end": 2}
    skrnn.check_export_inputs(program, *inputs)
    output_ids, output_lengths, scores = (t.numpy() for t in program(*inputs))
    limit = model._output_limit()
    assert output_ids.shape == (len(X), limit) and contract["output_limit"] == limit
    expected, expected_scores = model.predict(X, return_scores=True)
    np.testing.assert_allclose(scores, expected_scores, rtol=1e-5)
    # What a deployment without skrnn does with the archive's vocabulary.
    vocabulary = contract["output_vocabulary"]
    assert contract["target_kind"]["kind"] == "str"
    decoded = [
        "".join(vocabulary[k] for k in row[:n])
        for row, n in zip(output_ids, output_lengths, strict=True)
    ]
    assert decoded == expected
    assert len(set(output_lengths)) > 1  # outputs of different lengths
    for row, n in zip(output_ids, output_lengths, strict=True):
        assert (row[:n] >= 3).all()
        assert list(row[n:]) == ([2] + [0] * (limit - n - 1) if n < limit else [])
    # Any batch size, 1 included.
    for i in (0, len(X) - 1):
        one = program(*_row(inputs, i))
        np.testing.assert_array_equal(one[0].numpy(), output_ids[i : i + 1])
        np.testing.assert_allclose(one[2].numpy(), scores[i : i + 1], rtol=1e-6)


def _row(inputs, i):
    """Sequence ``i`` of a program's inputs (a token program's whole chars)."""
    if len(inputs) == 2:
        return tuple(t[i : i + 1] for t in inputs)
    ids, word_types, chars, lengths = inputs
    return ids[i : i + 1], word_types[i : i + 1], chars, lengths[i : i + 1]


def test_translator_export_refuses_beam_search():
    model, X, inputs = _translator("numbers")
    beam = copy.deepcopy(model).set_params(beam_size=3)
    with pytest.raises(
        ValueError,
        match=r"greedy decoding only.*beam_size=3.*"
        r"set_params\(beam_size=1\)",
    ):
        skrnn.export(beam, max_length=MAX_LENGTH)
    with pytest.raises(ValueError, match="max_length is required"):
        skrnn.export(model)


def test_translator_program_stops_at_max_output_length():
    model, X, inputs = _translator("numbers")
    short = copy.deepcopy(model).set_params(max_output_length=2)
    output_ids, output_lengths, scores = skrnn.export(
        short, max_length=MAX_LENGTH
    ).module()(*inputs)
    expected, expected_scores = short.predict(X, return_scores=True)
    assert output_ids.shape == (len(X), 2)
    assert [len(e) for e in expected] == output_lengths.tolist()
    assert 2 in output_lengths.tolist()  # cut at the limit: no end id
    assert (output_ids[output_lengths == 2] >= 3).all()
    np.testing.assert_allclose(scores.numpy(), expected_scores, rtol=1e-5)
