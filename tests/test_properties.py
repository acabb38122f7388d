"""Property-based tests: any input either trains and predicts finite values, or is
refused with a ValueError or TypeError that says why. Never another exception,
never NaN."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skrnn import RNNClassifier, RNNRegressor, SequenceTagger

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,  # keep no example database inside the repository
    suppress_health_check=[HealthCheck.too_slow],
)

# Defects a generated input may carry; each must be refused with a clear error.
NUMERIC_DEFECTS = [
    None,
    None,
    None,  # mostly valid input
    "nan_inside",
    "inf",
    "empty_sequence",
    "y_too_short",
    "one_class",
    "strings_in_X",
    "complex",
]
TOKEN_DEFECTS = [None, None, None, "empty_sequence", "number_token", "labels_short"]


def _estimator(kind, cell, batch_size):
    params = dict(
        cell=cell, hidden_size=4, max_epochs=1, batch_size=batch_size, random_state=0
    )
    if kind == "classifier":
        return RNNClassifier(**params)
    if kind == "regressor":
        return RNNRegressor(**params)
    return SequenceTagger(embedding_dim=4, char_features=2, **params)


@st.composite
def numeric_cases(draw):
    kind = draw(st.sampled_from(["classifier", "regressor", "tagger"]))
    n = draw(st.integers(1, 6))
    n_features = draw(st.integers(1, 3))
    lengths = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    form = draw(st.sampled_from(["list", "3d", "2d"]))
    if form == "2d":
        n_features = 1
    if form != "list" and kind == "tagger":
        form = "list"  # a tagger reads 2-D arrays as tables of steps
    dtype = draw(
        st.sampled_from([np.float16, np.float32, np.float64, np.int32, np.int64])
    )
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3, 1e6]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    constant = draw(st.booleans())
    sequences = []
    for length in lengths:
        steps = (
            np.full((length, n_features), 3.0)
            if constant
            else rng.randn(length, n_features)
        )
        with np.errstate(over="ignore"):  # float16 overflows to inf: refused
            sequences.append((steps * scale).astype(dtype))
    label_type = draw(st.sampled_from(["int", "str", "bool", "float"]))
    defect = draw(st.sampled_from(NUMERIC_DEFECTS))
    if defect == "one_class" and kind == "regressor":
        defect = None  # a regressor takes any targets
    batch_size = draw(st.integers(1, 8))
    cell = draw(st.sampled_from(["lstm", "gru", "rnn"]))
    return dict(
        kind=kind,
        sequences=sequences,
        form=form,
        label_type=label_type,
        defect=defect,
        batch_size=batch_size,
        cell=cell,
        seed=seed,
    )


def _labels(rng, size, label_type, one_class=False):
    codes = np.zeros(size, int) if one_class else rng.randint(0, 3, size=size)
    if size >= 2 and not one_class:
        codes[:2] = [0, 1]  # at least two classes
    if label_type == "str":
        return np.array(["a", "b", "c"])[codes]
    if label_type == "bool":
        return codes % 2 == 0
    if label_type == "float":
        return codes * 0.5
    return codes - 1


def _build(case, rng):
    """(X, y) for a generated case, with its defect applied."""
    kind, defect = case["kind"], case["defect"]
    sequences = [s.copy() for s in case["sequences"]]
    if defect in ("nan_inside", "inf"):
        target = sequences[0].astype(np.float64)
        target[0, 0] = np.nan if defect == "nan_inside" else np.inf
        sequences[0] = target
    if defect == "empty_sequence":
        sequences[0] = sequences[0][:0]
    if defect == "strings_in_X":
        sequences[0] = np.array([["x"] * sequences[0].shape[1]] * len(sequences[0]))
    if defect == "complex":
        sequences[0] = sequences[0] + 1j
    lengths = [len(s) for s in sequences]
    if case["form"] == "list":
        X = sequences
    else:
        width = max(max(lengths), 1)
        X = np.full((len(sequences), width, sequences[0].shape[1]), np.nan)
        if defect == "strings_in_X":
            X = X.astype(object)
        if defect == "complex":
            X = X.astype(complex)
        for i, s in enumerate(sequences):
            X[i, : len(s)] = s
        if case["form"] == "2d":
            X = X[:, :, 0]
    n = len(sequences)
    if kind == "regressor":
        y = rng.randn(n) * 100
    elif kind == "classifier":
        y = _labels(rng, n, case["label_type"], one_class=defect == "one_class")
    else:
        y = [
            _labels(rng, k, case["label_type"], one_class=defect == "one_class")
            for k in lengths
        ]
    if defect == "y_too_short":
        y = y[:-1] if n > 1 else y[:0]
    return X, y


def _check_outputs(est, X, outputs, n_sequences):
    for output in outputs:
        rows = output if isinstance(output, list) else [output]
        assert len(output) == n_sequences
        for row in rows:
            row = np.asarray(row)
            if row.dtype.kind == "f":
                assert np.isfinite(row).all(), "NaN or inf in the output"


def _fit_and_predict(est, X, y, X_new):
    """Fit and predict; return the outputs, or None when refused correctly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            est.fit(X, y)
        except (ValueError, TypeError) as exc:
            assert str(exc), "an error without a message"
            return None
        outputs = [est.predict(X), est.predict(X_new)]
        if hasattr(est, "predict_proba"):
            outputs.append(est.predict_proba(X_new))
    return outputs


@SETTINGS
@given(case=numeric_cases())
def test_numeric_input_trains_or_is_refused_clearly(case):
    rng = np.random.RandomState(case["seed"])
    X, y = _build(case, rng)
    est = _estimator(case["kind"], case["cell"], case["batch_size"])
    n_features = case["sequences"][0].shape[1]
    X_new = [rng.randn(k, n_features) for k in rng.randint(1, 7, size=3)]
    if case["form"] == "2d":
        X_new = rng.randn(3, np.shape(X)[1])  # the fitted number of steps
    outputs = _fit_and_predict(est, X, y, X_new)
    if case["defect"] is not None:
        assert outputs is None, f"defect {case['defect']!r} was not refused"
        return
    if outputs is None:
        return  # refused for a stated reason, e.g. float labels are continuous
    _check_outputs(est, X, outputs[:1], len(y))
    _check_outputs(est, X_new, outputs[1:], len(X_new))


@st.composite
def token_cases(draw):
    alphabet = st.text(
        alphabet=st.sampled_from(list("abcXYZé1-")), min_size=0, max_size=4
    )
    n = draw(st.integers(1, 5))
    X = draw(
        st.lists(st.lists(alphabet, min_size=1, max_size=5), min_size=n, max_size=n)
    )
    fields = draw(st.integers(1, 2))
    if fields == 2:
        X = [[(w, w[:1]) for w in s] for s in X]
    return dict(
        X=X,
        label_type=draw(st.sampled_from(["int", "str", "bool"])),
        defect=draw(st.sampled_from(TOKEN_DEFECTS)),
        crf=draw(st.booleans()),
        min_frequency=draw(st.integers(1, 3)),
        batch_size=draw(st.integers(1, 8)),
        seed=draw(st.integers(0, 2**16)),
    )


@SETTINGS
@given(case=token_cases())
def test_token_input_trains_or_is_refused_clearly(case):
    rng = np.random.RandomState(case["seed"])
    X = [list(s) for s in case["X"]]
    y = [_labels(rng, len(s), case["label_type"]) for s in X]
    if case["defect"] == "empty_sequence":
        X[0], y[0] = [], y[0][:0]
    elif case["defect"] == "number_token":
        X[0][0] = 7
    elif case["defect"] == "labels_short":
        y[0] = y[0][:-1]
    est = SequenceTagger(
        hidden_size=4,
        embedding_dim=4,
        char_features=2,
        max_epochs=1,
        crf=case["crf"],
        min_frequency=case["min_frequency"],
        batch_size=case["batch_size"],
        random_state=0,
    )
    X_new = [list(s) + [s[0]] for s in X[:3] if s] or [["unseen"]]
    outputs = _fit_and_predict(est, X, y, X_new)
    if case["defect"] is not None:
        assert outputs is None, f"defect {case['defect']!r} was not refused"
        return
    if outputs is None:
        return  # e.g. one label only, or an empty vocabulary
    _check_outputs(est, X, outputs[:1], len(X))
    _check_outputs(est, X_new, outputs[1:], len(X_new))
    for labels, sequence in zip(outputs[1], X_new, strict=True):
        assert len(labels) == len(sequence)


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
@SETTINGS
@given(
    n=st.integers(1, 4),
    length=st.integers(1, 4),
    batch_size=st.integers(1, 5),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_predictions_do_not_depend_on_batch_size(
    Estimator, n, length, batch_size, dtype
):
    rng = np.random.RandomState(n * 100 + length)
    X = rng.randn(6, length, 2).astype(dtype)
    y = np.arange(6) % 2 if Estimator is RNNClassifier else rng.randn(6)
    est = Estimator(hidden_size=4, max_epochs=1, batch_size=batch_size, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    X_new = [rng.randn(k, 2).astype(dtype) for k in range(1, n + 3)]
    together = est.predict(X_new)
    alone = np.concatenate([est.predict([x]) for x in X_new])
    assert np.isfinite(together.astype(float)).all()
    # float32 batches may round differently from single sequences (BLAS blocking).
    tol = (
        dict(rtol=1e-4, atol=1e-6)
        if dtype == np.float32
        else dict(rtol=1e-9, atol=1e-12)
    )
    np.testing.assert_allclose(together.astype(float), alone.astype(float), **tol)
