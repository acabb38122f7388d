"""Persistence: pickle, joblib, the safe skrnn format, export, and fitted state
that survives a failed fit."""

import functools
import json
import pickle
from pathlib import Path

import joblib
import numpy as np
import pytest
import safetensors
import safetensors.torch
import torch
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from skorch.callbacks import Callback

import skrnn
from skrnn import RNNClassifier, RNNRegressor, SequenceTagger
from skrnn._persistence import _digest

TINY = dict(hidden_size=4, max_epochs=2, batch_size=8, random_state=0)
TAGGER = dict(TINY, embedding_dim=4, char_features=3, min_frequency=1)
WORDS = ["the", "a", "dog", "cat", "runs", "sleeps"]


def _ragged(rng, n=16, n_features=2):
    return [rng.randn(k, n_features) for k in rng.randint(1, 7, size=n)]


def _tokens(rng, n=12, fields=False):
    X, y = [], []
    for _ in range(n):
        words = list(rng.choice(WORDS, size=rng.randint(1, 5)))
        X.append([(w, w[0]) for w in words] if fields else words)
        y.append(["N" if w in ("dog", "cat") else "O" for w in words])
    return X, y


def _labels(X, rng):
    return np.array(["pos", "neg"])[rng.randint(0, 2, size=len(X))]


# (estimator factory, data factory) for every estimator and input kind.
CASES = {
    "classifier-3d": (
        lambda: RNNClassifier(**TINY),
        lambda rng: (rng.randn(16, 5, 2).astype(np.float32), None),
    ),
    "classifier-2d": (
        lambda: RNNClassifier(**TINY),
        lambda rng: (rng.randn(16, 5), None),
    ),
    "classifier-ragged": (
        lambda: RNNClassifier(bidirectional=True, readout="max", **TINY),
        lambda rng: (_ragged(rng), None),
    ),
    "regressor-3d": (
        lambda: RNNRegressor(**TINY),
        lambda rng: (rng.randn(16, 5, 2), "sum"),
    ),
    "regressor-2d": (
        lambda: RNNRegressor(cell="gru", **TINY),
        lambda rng: (rng.randn(16, 5).astype(np.float32), "sum"),
    ),
    "regressor-ragged": (
        lambda: RNNRegressor(readout="mean", num_layers=2, **TINY),
        lambda rng: (_ragged(rng), "sum"),
    ),
    "regressor-per-step": (
        lambda: RNNRegressor(return_sequences=True, **TINY),
        lambda rng: (_ragged(rng), "steps"),
    ),
    "tagger-tokens": (
        lambda: SequenceTagger(**TAGGER),
        lambda rng: _tokens(rng),
    ),
    "tagger-token-tuples-crf": (
        lambda: SequenceTagger(crf=True, **TAGGER),
        lambda rng: _tokens(rng, fields=True),
    ),
    "tagger-numbers": (
        lambda: SequenceTagger(cell="rnn", **TINY),
        lambda rng: (_ragged(rng), "tags"),
    ),
}


def _data(case):
    rng = np.random.RandomState(0)
    X, y = CASES[case][1](rng)
    if y is None:
        y = _labels(X, rng)
    elif y == "sum":
        y = np.array([np.sum(x) for x in X])
    elif y == "steps":
        y = [np.cumsum(np.asarray(x)[:, 0]) for x in X]
    elif y == "tags":
        y = [np.where(np.asarray(x)[:, 0] > 0, "up", "down") for x in X]
    return X, y


@functools.cache
def _fitted(case):
    X, y = _data(case)
    return CASES[case][0]().fit(X, y)


def _predictions(est, X):
    out = [est.predict(X)]
    if hasattr(est, "predict_proba"):
        out.append(est.predict_proba(X))
    return out


def _assert_identical(first, second):
    for a, b in zip(first, second, strict=True):
        if isinstance(a, list):
            for row_a, row_b in zip(a, b, strict=True):
                np.testing.assert_array_equal(row_a, row_b)
        else:
            np.testing.assert_array_equal(a, b)


def _round_trip(est, how, tmp_path):
    if how == "pickle":
        return pickle.loads(pickle.dumps(est))
    if how == "joblib":
        joblib.dump(est, tmp_path / "model.joblib")
        return joblib.load(tmp_path / "model.joblib")
    return skrnn.load(skrnn.save(est, tmp_path / "model.skrnn"))


@pytest.mark.parametrize("how", ["pickle", "joblib", "skrnn"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_round_trip_predicts_identically(case, how, tmp_path):
    est = _fitted(case)
    X, _ = _data(case)
    restored = _round_trip(est, how, tmp_path)
    assert type(restored) is type(est)
    assert restored.get_params() == est.get_params()
    _assert_identical(_predictions(restored, X), _predictions(est, X))
    for key in ("classes_", "n_features_in_", "n_iter_", "loss_curve_"):
        if hasattr(est, key):
            np.testing.assert_array_equal(getattr(restored, key), getattr(est, key))


@pytest.mark.parametrize(
    "case", ["classifier-ragged", "regressor-per-step", "tagger-token-tuples-crf"]
)
def test_loaded_estimator_continues_training_like_the_original(case, tmp_path):
    X, y = _data(case)
    est = _fitted(case)
    restored = skrnn.load(skrnn.save(est, tmp_path / "model.skrnn"))
    # partial_fit continues the optimizer state and the shuffling stream.
    kwargs = {"classes": est.classes_} if hasattr(est, "classes_") else {}
    original = pickle.loads(pickle.dumps(est)).partial_fit(X, y, **kwargs)
    restored.partial_fit(X, y, **kwargs)
    assert restored.n_iter_ == original.n_iter_ == est.n_iter_ + 1
    _assert_identical(_predictions(restored, X), _predictions(original, X))


def test_loaded_estimator_warm_starts(tmp_path):
    X, y = _data("classifier-3d")
    est = _fitted("classifier-3d")
    restored = skrnn.load(skrnn.save(est, tmp_path / "model.skrnn"))
    original = pickle.loads(pickle.dumps(est))
    original.set_params(warm_start=True).fit(X, y)
    restored.set_params(warm_start=True).fit(X, y)
    assert restored.n_iter_ == original.n_iter_ == 2 * est.n_iter_
    _assert_identical(_predictions(restored, X), _predictions(original, X))


def test_file_layout_is_safetensors_with_a_json_document(tmp_path):
    est = _fitted("tagger-token-tuples-crf")
    path = skrnn.save(est, tmp_path / "model.skrnn")
    with safetensors.safe_open(path, framework="pt") as file:
        metadata = file.metadata()
        names = set(file.keys())
    assert set(metadata) == {"format", "skrnn", "sha256"}
    document = json.loads(metadata["skrnn"])
    assert document["format_version"] == skrnn._persistence.FORMAT_VERSION
    assert document["estimator"] == "SequenceTagger"
    assert document["params"]["crf"] is True
    assert document["fitted"]["classes_"] == {"dtype": "<U1", "values": ["N", "O"]}
    assert document["fitted"]["vocabularies_"] == [
        {w: i + 2 for i, w in enumerate(sorted(WORDS))},
        {c: i + 2 for i, c in enumerate(sorted({w[0] for w in WORDS}))},
    ]
    assert "criterion.crf.transitions" in names
    assert any(name.startswith("module.encoder.rnn.") for name in names)


def test_typed_parameters_round_trip(tmp_path, rng):
    X = rng.randn(12, 4, 1)
    y = rng.randint(0, 3, size=12)
    est = RNNClassifier(
        optimizer=torch.optim.SGD, class_weight={0: 2.0, 1: 1.0, 2: 0.5}, **TINY
    ).fit(X, y)
    restored = skrnn.load(skrnn.save(est, tmp_path / "model.skrnn"))
    assert restored.optimizer is torch.optim.SGD
    assert restored.class_weight == {0: 2.0, 1: 1.0, 2: 0.5}
    assert all(type(k) is int for k in restored.class_weight)
    assert restored.classes_.dtype == est.classes_.dtype
    np.testing.assert_array_equal(restored.predict_proba(X), est.predict_proba(X))


def test_load_can_choose_the_device(tmp_path):
    path = skrnn.save(_fitted("classifier-3d"), tmp_path / "model.skrnn")
    assert skrnn.load(path, device="cpu").device == "cpu"


# -- what save refuses --------------------------------------------------------------


class _Noop(Callback):
    pass


class _MyAdam(torch.optim.Adam):
    pass


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(callbacks=[_Noop()]), "callbacks=.*set_params\\(callbacks=None\\)"),
        (dict(random_state=np.random.RandomState(0)), "random_state.*set_params"),
        (dict(optimizer=_MyAdam), "not one of torch.optim's optimizers"),
    ],
)
def test_save_rejects_parameters_it_cannot_store(params, match, tmp_path, rng):
    X = rng.randn(12, 4, 1)
    est = RNNClassifier(**dict(TINY, **params)).fit(X, _labels(X, rng))
    with pytest.raises(ValueError, match=match):
        skrnn.save(est, tmp_path / "model.skrnn")
    assert not (tmp_path / "model.skrnn").exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_save_needs_a_fitted_skrnn_estimator(tmp_path):
    with pytest.raises(NotFittedError):
        skrnn.save(RNNClassifier(), tmp_path / "model.skrnn")
    with pytest.raises(TypeError, match="skrnn's estimators"):
        skrnn.save(LogisticRegression(), tmp_path / "model.skrnn")


# -- what load refuses -----------------------------------------------------------------


@pytest.fixture
def saved(tmp_path):
    return skrnn.save(_fitted("classifier-ragged"), tmp_path / "model.skrnn")


def _rewrite(path, edit):
    """Rewrite a saved file with ``edit(document, tensors)`` applied and a valid
    checksum, as someone assembling a file by hand would."""
    with safetensors.safe_open(path, framework="pt") as file:
        metadata = file.metadata()
        tensors = {name: file.get_tensor(name) for name in file.keys()}
    document = json.loads(metadata["skrnn"])
    edit(document, tensors)
    text = json.dumps(document)
    metadata = dict(metadata, skrnn=text, sha256=_digest(text, tensors))
    safetensors.torch.save_file(tensors, path, metadata=metadata)


@pytest.mark.parametrize("keep", [0, 5, 30, 0.5, -3])
def test_load_rejects_a_truncated_file(saved, keep):
    data = saved.read_bytes()
    keep = int(len(data) * keep) if isinstance(keep, float) else keep
    saved.write_bytes(data[:keep])
    with pytest.raises(ValueError, match="truncated"):
        skrnn.load(saved)


def test_load_rejects_altered_weights(saved):
    data = bytearray(saved.read_bytes())
    data[-5] ^= 0xFF  # inside the last tensor
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="altered or corrupted.*checksum"):
        skrnn.load(saved)


def test_load_rejects_an_altered_document(saved):
    data = saved.read_bytes()
    altered = data.replace(b'\\"hidden_size\\": 4', b'\\"hidden_size\\": 5')
    assert altered != data
    saved.write_bytes(altered)
    with pytest.raises(ValueError, match="altered or corrupted.*checksum"):
        skrnn.load(saved)


def test_load_rejects_a_newer_format_version(saved):
    newer = skrnn._persistence.FORMAT_VERSION + 1
    _rewrite(saved, lambda document, tensors: document.update(format_version=newer))
    with pytest.raises(ValueError, match=f"format version {newer}.*Upgrade skrnn"):
        skrnn.load(saved)


def test_load_reads_an_older_format_whose_weights_fit(saved):
    X, _ = _data("classifier-ragged")
    expected = skrnn.load(saved).predict_proba(X)
    _rewrite(saved, lambda document, tensors: document.update(format_version=1))
    np.testing.assert_array_equal(skrnn.load(saved).predict_proba(X), expected)


def test_load_of_an_older_format_whose_layout_changed_says_fit_again(saved):
    # As a convolutional front end saved before format 2: its weights have
    # other shapes. The error says to refit, not that the file was altered.
    def edit(document, tensors):
        document["format_version"] = 1
        tensors["module.head.bias"] = tensors["module.head.bias"][:1].clone()

    _rewrite(saved, edit)
    with pytest.raises(ValueError, match="format version 1.*Fit the estimator again"):
        skrnn.load(saved)


def test_load_rejects_weights_of_another_architecture(saved):
    def edit(document, tensors):
        document["params"]["hidden_size"] = 8

    _rewrite(saved, edit)
    with pytest.raises(ValueError, match="do not fit the network its JSON describes"):
        skrnn.load(saved)


def test_load_rejects_missing_weights(saved):
    def edit(document, tensors):
        del tensors["module.head.bias"]

    _rewrite(saved, edit)
    with pytest.raises(ValueError, match="do not fit the network.*head.bias"):
        skrnn.load(saved)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda d: d.update(estimator="os.system"), "not one of skrnn's"),
        (
            lambda d: d["params"].update(optimizer={"torch.optim": "os.system"}),
            "torch.optim",
        ),
        (
            lambda d: d["params"].update(optimizer={"torch.optim": "Optimizer"}),
            "torch.optim",
        ),
        (lambda d: d["params"].update(cell="transformer"), "does not accept"),
        (lambda d: d["params"].update(bogus=1), "does not accept"),
        (lambda d: d["fitted"].update(n_iter_="many"), "invalid n_iter_"),
        (lambda d: d["fitted"].update(_dtype="object"), "invalid _dtype"),
        (
            lambda d: d["fitted"].update(classes_={"dtype": "|V8", "values": []}),
            "classes_",
        ),
        (lambda d: d["fitted"].update(secret_=1), "does not know"),
        (lambda d: d["fitted"].pop("classes_"), "lacks the fitted attributes"),
        (lambda d: d.update(history="x"), "invalid training history"),
    ],
)
def test_load_rejects_invalid_content(saved, edit, match):
    _rewrite(saved, lambda document, tensors: edit(document))
    with pytest.raises(ValueError, match=match):
        skrnn.load(saved)


@pytest.mark.parametrize(
    "name, tensor, match",
    [
        ("evil.payload", torch.zeros(3), "tensors skrnn never writes"),
        ("module.head.bias", torch.zeros(2, dtype=torch.bfloat16), "never writes"),
        ("fitted.input_mean_", torch.zeros(5, dtype=torch.float64), "inconsistent"),
        ("fitted.input_scale_", torch.zeros(2, 2, dtype=torch.float64), "invalid"),
    ],
)
def test_load_rejects_invalid_tensors(saved, name, tensor, match):
    _rewrite(saved, lambda document, tensors: tensors.update({name: tensor}))
    with pytest.raises(ValueError, match=match):
        skrnn.load(saved)


def test_load_rejects_other_files(tmp_path):
    plain = tmp_path / "plain.safetensors"
    safetensors.torch.save_file({"w": torch.zeros(2)}, plain)
    with pytest.raises(ValueError, match="not a skrnn model file"):
        skrnn.load(plain)
    text = tmp_path / "notes.txt"
    text.write_text("hello, this is not a model at all")
    with pytest.raises(ValueError, match="not a skrnn model file"):
        skrnn.load(text)


class _Payload:
    """A pickle that creates a file when unpickled, as a malicious one would."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_load_never_runs_code_from_the_file(saved, tmp_path, monkeypatch):
    marker = tmp_path / "code-ran"
    bomb = tmp_path / "model.pkl"
    bomb.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(ValueError, match="pickle file.*trust its source"):
        skrnn.load(bomb)
    assert not marker.exists()

    # A valid file loads with every unpickling entry point disabled.
    def forbidden(*args, **kwargs):
        raise AssertionError("skrnn.load must not unpickle")

    for module, name in [
        (pickle, "load"),
        (pickle, "loads"),
        (pickle, "Unpickler"),
        (torch, "load"),
    ]:
        monkeypatch.setattr(module, name, forbidden)
    restored = skrnn.load(saved)
    X, _ = _data("classifier-ragged")
    assert restored.predict(X).shape == (len(X),)


# -- export ---------------------------------------------------------------------------


def _padded(X, max_length, est):
    shape = (len(X), max_length, est.n_step_features_)
    values = np.full(shape, np.nan, dtype=est._dtype)
    for i, x in enumerate(X):
        values[i, : len(x)] = np.asarray(x).reshape(len(x), -1)
    lengths = np.array([len(x) for x in X], dtype=np.int64)
    return torch.from_numpy(values), torch.from_numpy(lengths)


@pytest.mark.parametrize(
    "case", ["classifier-ragged", "regressor-ragged", "regressor-per-step"]
)
def test_export_gives_the_outputs_of_predict(case, tmp_path):
    est = _fitted(case)
    X, _ = _data(case)
    assert min(map(len, X)) == 1 and len({len(x) for x in X}) > 2
    path = tmp_path / "model.pt2"
    skrnn.export(est, path, max_length=8)
    contract = {"skrnn.json": ""}
    program = torch.export.load(path, extra_files=contract).module()
    values, lengths = _padded(X, 8, est)
    outputs = program(values, lengths).numpy()
    info = json.loads(contract["skrnn.json"])
    assert info["inputs"]["values"]["shape"] == ["batch", 8, 2]
    if isinstance(est, RNNClassifier):
        assert info["classes"]["values"] == est.classes_.tolist()
        np.testing.assert_allclose(outputs, est.predict_proba(X), rtol=1e-5, atol=1e-7)
    elif est.return_sequences:
        for row, x, expected in zip(outputs, X, est.predict(X), strict=True):
            np.testing.assert_allclose(row[: len(x), 0], expected, rtol=1e-5)
            assert np.isnan(row[len(x) :]).all()
    else:
        np.testing.assert_allclose(outputs[:, 0], est.predict(X), rtol=1e-5)
    # Any batch size, 1 included.
    one = program(values[:1], lengths[:1]).numpy()
    np.testing.assert_allclose(one, outputs[:1], rtol=1e-6, equal_nan=True)


def test_export_defaults_to_the_length_of_a_2d_fit():
    est = _fitted("classifier-2d")
    X, _ = _data("classifier-2d")
    program = skrnn.export(est).module()
    values, lengths = _padded(list(X), X.shape[1], est)
    np.testing.assert_allclose(
        program(values, lengths).numpy(), est.predict_proba(X), rtol=1e-5, atol=1e-7
    )


def test_export_rejects_what_it_cannot_export():
    with pytest.raises(ValueError, match="max_length is required"):
        skrnn.export(_fitted("classifier-ragged"))
    with pytest.raises(ValueError, match="max_length must be an int >= 1"):
        skrnn.export(_fitted("classifier-ragged"), max_length=0)
    with pytest.raises(TypeError, match="exports RNNClassifier, RNNRegressor, Seq"):
        skrnn.export(LogisticRegression(), max_length=5)
    with pytest.raises(ValueError, match="max_length is required"):
        skrnn.export(_fitted("tagger-tokens"))


# -- a failed fit leaves a fitted estimator unchanged ---------------------------------


class FailMidEpoch(Callback):
    """Raise during the given epoch, after its second training batch, while
    armed."""

    armed = True  # a class attribute: copies of the network share it

    def __init__(self, epoch):
        self.epoch = epoch

    def on_batch_end(self, net, training=None, **kwargs):
        if (
            self.armed
            and training
            and len(net.history) == self.epoch
            and len(net.history[-1]["batches"]) >= 2
        ):
            raise RuntimeError("bad batch")


def _snapshot(est, X):
    state = {k: v.clone() for k, v in est.net_.module_.state_dict().items()}
    return est.net_, state, est.n_iter_, list(est.loss_curve_), _predictions(est, X)


def _assert_unchanged(est, X, snapshot):
    net, state, n_iter, loss_curve, predictions = snapshot
    assert est.net_ is net
    for key, value in est.net_.module_.state_dict().items():
        torch.testing.assert_close(value, state[key], rtol=0, atol=0)
    assert est.n_iter_ == n_iter and est.loss_curve_ == loss_curve
    _assert_identical(_predictions(est, X), predictions)


ROLLBACK_CASES = ["classifier-ragged", "regressor-per-step", "tagger-tokens"]


@pytest.mark.parametrize("mode", ["refit", "warm_start", "partial_fit"])
@pytest.mark.parametrize("case", ROLLBACK_CASES)
def test_failure_mid_epoch_leaves_the_fitted_estimator_unchanged(
    case, mode, monkeypatch
):
    X, y = _data(case)
    est = CASES[case][0]().set_params(max_epochs=1, batch_size=4)
    if mode != "refit":
        # The callback lets the first epoch pass and breaks the second.
        est.set_params(callbacks=[FailMidEpoch(epoch=2)], warm_start=True)
    est.fit(X, y)
    if mode == "refit":
        est.set_params(callbacks=[FailMidEpoch(epoch=1)])
    twin = pickle.loads(pickle.dumps(est))
    snapshot = _snapshot(est, X)
    if mode == "partial_fit":
        kwargs = {"classes": est.classes_} if hasattr(est, "classes_") else {}
        train = "partial_fit"
    else:
        kwargs, train = {}, "fit"
    monkeypatch.setattr(FailMidEpoch, "armed", True)
    with pytest.raises(RuntimeError, match="bad batch"):
        getattr(est, train)(X, y, **kwargs)
    _assert_unchanged(est, X, snapshot)
    # The failed call leaves no trace: the next one trains as if it never ran
    # (for partial_fit, the batch shuffling continues from the same point).
    monkeypatch.setattr(FailMidEpoch, "armed", False)
    for model in (est, twin):
        getattr(model, train)(X, y, **kwargs)
    _assert_identical(_predictions(est, X), _predictions(twin, X))


@pytest.mark.parametrize("crf", [False, True])
def test_export_tagger_gives_the_outputs_of_predict_proba(crf):
    from skrnn import SequenceTagger, tagger_inputs

    rng = np.random.RandomState(0)
    words = ["the", "a", "dog", "cat", "runs", "sleeps", "Big"]
    X = [list(rng.choice(words, size=n)) for n in rng.randint(1, 9, size=30)]
    y = [["A" if w in ("the", "a") else "B" for w in s] for s in X]
    tagger = SequenceTagger(
        hidden_size=8,
        embedding_dim=8,
        char_features=4,
        max_epochs=2,
        random_state=0,
        crf=crf,
    ).fit(X, y)
    program = skrnn.export(tagger, max_length=10)
    new = X + [["zebra", "Dog"], ["a"]]  # unseen words, length 1
    probabilities = program.module()(*tagger_inputs(tagger, new, 10)).numpy()
    for row, expected in zip(probabilities, tagger.predict_proba(new), strict=True):
        np.testing.assert_allclose(row[: len(expected)], expected, rtol=1e-5, atol=1e-6)
        assert (row[len(expected) :] == 0).all()


def test_export_numeric_tagger():
    from skrnn import SequenceTagger

    rng = np.random.RandomState(0)
    X = [rng.randn(n, 2).astype(np.float32) for n in rng.randint(1, 9, size=30)]
    y = [(x[:, 0] > 0).astype(int) for x in X]
    tagger = SequenceTagger(hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    program = skrnn.export(tagger, max_length=10)
    values = np.zeros((30, 10, 2), np.float32)
    for i, x in enumerate(X):
        values[i, : len(x)] = x
    lengths = torch.tensor([len(x) for x in X])
    probabilities = program.module()(torch.from_numpy(values), lengths).numpy()
    for row, expected in zip(probabilities, tagger.predict_proba(X), strict=True):
        np.testing.assert_allclose(row[: len(expected)], expected, rtol=1e-5, atol=1e-6)


def test_tagger_export_checks_max_length():
    from skrnn import tagger_inputs

    tagger = _fitted("tagger-tokens")
    with pytest.raises(ValueError, match="max_length must be an int >= 1"):
        skrnn.export(tagger, max_length=0)
    with pytest.raises(ValueError, match="longer than max_length=1"):
        tagger_inputs(tagger, [["a", "b"]], 1)


def test_save_refuses_hyperparameters_changed_after_fit(rng, tmp_path):
    # The file describes the network by them: a changed one could not load.
    X = rng.normal(size=(8, 5, 2))
    clf = RNNClassifier(hidden_size=4, max_epochs=1, random_state=0).fit(X, [0, 1] * 4)
    clf.set_params(hidden_size=8)
    with pytest.raises(ValueError, match="skrnn.save stores.*hidden_size was 4"):
        skrnn.save(clf, tmp_path / "model.skrnn")
    clf.set_params(hidden_size=4, standardize=False)  # named, not input_scaling
    with pytest.raises(ValueError, match="Set standardize back"):
        skrnn.save(clf, tmp_path / "model.skrnn")
    assert not (tmp_path / "model.skrnn").exists()
    clf.set_params(standardize=True, lr=0.5, dropout=0.2)  # no weights of theirs
    loaded = skrnn.load(skrnn.save(clf, tmp_path / "model.skrnn"))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_save_into_a_missing_folder_names_the_folder(rng, tmp_path):
    X = rng.normal(size=(8, 5, 2))
    clf = RNNClassifier(**TINY).fit(X, [0, 1] * 4)
    with pytest.raises(FileNotFoundError, match="the folder .*missing.* does not"):
        skrnn.save(clf, tmp_path / "missing" / "model.skrnn")
