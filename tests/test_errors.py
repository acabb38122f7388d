"""Bad input gets a clear ValueError or TypeError, never a torch traceback."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from skorch.callbacks import Callback

from skrnn import RNNClassifier, RNNRegressor, SequenceTagger
from skrnn._net import _check_finite_outputs

TINY = dict(hidden_size=4, max_epochs=1, random_state=0)
ESTIMATORS = [RNNClassifier, RNNRegressor]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.empty((0, 5, 2)), ValueError, "0 sample"),
        ([], ValueError, "at least one sequence"),
        ([np.ones((3, 2)), np.ones((0, 2))], ValueError, "Sequence 1 of X has no"),
        (np.full((2, 4, 1), np.nan), ValueError, "has no steps"),
        ([np.ones((3, 2)), np.array([[1.0, np.nan], [1, 1]])], ValueError, "NaN"),
        ([np.ones((3, 2)), np.array([[1.0, np.inf]])], ValueError, "inf"),
        ([np.ones((3, 2)), np.ones((4, 3))], ValueError, "3 features per step"),
        (np.ones(5), ValueError, "Reshape your data"),
        (np.ones((2, 3, 4, 5)), ValueError, "4-D array"),
        # Arrays of strings are token sequences, and must all be.
        ([np.array(["a", "b"]), np.array([1.0])], TypeError, "tokens must be str"),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), ValueError, "float"),
    ],
    ids=[
        "empty-array",
        "empty-list",
        "zero-length-sequence",
        "all-nan-sequence",
        "nan-inside-list",
        "inf-inside-list",
        "mixed-feature-counts",
        "1d",
        "4d",
        "strings",
        "string-table",
    ],
)
def test_bad_X(Estimator, X, error, match):
    y = np.arange(max(len(X), 2))[: len(X)] % 2 if len(X) else np.array([])
    with pytest.raises(error, match=match):
        Estimator(**TINY).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_nan_inside_an_array_sequence_is_not_padding(Estimator, rng):
    X = rng.randn(4, 5, 2)
    X[1, 2, :] = np.nan  # interior step: missing data, not padding
    with pytest.raises(ValueError, match="NaN inside sequence 1 at step 2"):
        Estimator(**TINY).fit(X, [0, 1, 0, 1])
    X = rng.randn(4, 5, 2)
    X[2, 4, 0] = np.nan  # only one feature of the last step
    with pytest.raises(ValueError, match="NaN inside sequence 2 at step 4"):
        Estimator(**TINY).fit(X, [0, 1, 0, 1])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_length_mismatch_between_X_and_y(Estimator, rng):
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Estimator(**TINY).fit(rng.randn(5, 3, 1), [0, 1, 0, 1])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_predict_before_fit(Estimator, rng):
    with pytest.raises(NotFittedError):
        Estimator().predict(rng.randn(2, 3, 1))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_wrong_feature_count_at_predict(Estimator, rng):
    est = Estimator(**TINY).fit(rng.randn(6, 3, 2), [0, 1] * 3)
    with pytest.raises(ValueError, match="expecting 2 features per step"):
        est.predict(rng.randn(2, 3, 5))


def test_single_class(rng):
    with pytest.raises(ValueError, match="at least 2 classes.*'a'"):
        RNNClassifier(**TINY).fit(rng.randn(4, 3, 1), ["a"] * 4)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_nan_in_y(Estimator, rng):
    with pytest.raises(ValueError, match="NaN"):
        Estimator(**TINY).fit(rng.randn(4, 3, 1), [0.0, np.nan, 1.0, 0.0])


def test_per_step_targets_must_match_lengths(rng):
    X = [rng.randn(3, 1), rng.randn(5, 1)]
    reg = RNNRegressor(return_sequences=True, **TINY)
    with pytest.raises(ValueError, match="Targets of sequence 1 have shape \\(4,\\)"):
        reg.fit(X, [np.zeros(3), np.zeros(4)])
    with pytest.raises(ValueError, match="y must be shaped like the sequences"):
        reg.fit(rng.randn(2, 5, 1), np.zeros(2))
    with pytest.raises(ValueError, match="y has 3 steps"):
        reg.fit(rng.randn(2, 5, 1), np.zeros((2, 3)))


def test_linked_parameters_are_checked(rng):
    with pytest.raises(ValueError, match="nonlinearity='relu' applies only"):
        RNNClassifier(cell="lstm", nonlinearity="relu").fit(
            rng.randn(4, 3, 1), [0, 1, 0, 1]
        )


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(cell="transformer"), "'cell' parameter"),
        (dict(hidden_size=0), "'hidden_size' parameter"),
        (dict(dropout=1.0), "'dropout' parameter"),
        (dict(optimizer="adagrad"), "'optimizer' parameter"),
        (dict(device="gpu"), "device='gpu' is not a torch device"),
        (dict(device="meta"), "device='meta' is a torch device that skrnn does"),
        (dict(device="mps"), "device='mps' is a torch device that skrnn does"),
    ],
)
def test_invalid_parameters(params, match, rng):
    with pytest.raises(ValueError, match=match):
        RNNClassifier(**params).fit(rng.randn(4, 3, 1), [0, 1, 0, 1])


def test_cuda_requested_without_cuda(rng):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ValueError, match="finds no CUDA device"):
        RNNClassifier(device="cuda").fit(rng.randn(4, 3, 1), [0, 1, 0, 1])


def test_divergence_is_an_error_and_leaves_the_estimator_unchanged(rng):
    X = rng.randn(16, 4, 1)
    y = rng.randn(16)
    reg = RNNRegressor(**TINY).fit(X, y)
    before = reg.predict(X)
    reg.set_params(lr=1e200, clip_grad_norm=None, optimizer="sgd", max_epochs=5)
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        reg.fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), before)


class _PoisonLastStep(Callback):
    """Sets a weight to inf after the last step of training."""

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == net.max_epochs:
            with torch.no_grad():
                next(net.module_.parameters()).view(-1)[0] = float("inf")


def test_weights_taken_past_finite_by_the_last_step_are_an_error(rng):
    # The loss of that step was finite: the loss guard cannot see it.
    X, y = rng.randn(8, 4, 1), [0, 1] * 4
    clf = RNNClassifier(callbacks=[_PoisonLastStep()], **TINY)
    with pytest.raises(FloatingPointError, match="became not finite in epoch 1"):
        clf.fit(X, y)
    with pytest.raises(NotFittedError):
        clf.predict(X)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_outputs_that_are_not_finite_are_an_error_not_a_prediction(Estimator, rng):
    # Finite weights of 1e10 overflow float32 inside the network.
    X, y = rng.randn(8, 4, 1).astype(np.float32), [0, 1] * 4
    model = Estimator(**{**TINY, "lr": 1e10, "clip_grad_norm": None})
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    with pytest.raises(FloatingPointError, match="not finite for 8 of 8 sequences"):
        model.predict(X)


def test_per_step_outputs_are_checked_on_real_steps_only():
    outputs = torch.zeros(2, 3, 1)
    outputs[0, 2] = float("nan")  # padding of the first sequence
    _check_finite_outputs(outputs, torch.tensor([2, 3]), per_step=True)
    outputs[1, 1] = float("inf")
    with pytest.raises(FloatingPointError, match="not finite for 1 of 2"):
        _check_finite_outputs(outputs, torch.tensor([2, 3]), per_step=True)
    with pytest.raises(FloatingPointError, match="not finite for 2 of 2"):
        _check_finite_outputs(outputs, torch.tensor([3, 3]), per_step=False)


@pytest.mark.parametrize("callbacks", [[1], [("name", "not a callback")]])
def test_callbacks_must_be_skorch_callbacks(callbacks, rng):
    with pytest.raises(TypeError, match="callbacks must hold skorch callbacks"):
        RNNClassifier(callbacks=callbacks, **TINY).fit(rng.randn(4, 3, 1), [0, 1] * 2)


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor, SequenceTagger])
def test_cell_nonlinearity_and_optimizer_names_in_any_letter_case(Estimator):
    rng = np.random.RandomState(0)
    X = rng.randn(12, 4, 2)
    y = rng.randn(12) if Estimator is RNNRegressor else np.arange(12) % 2
    if Estimator is SequenceTagger:
        X, y = [x for x in X], [np.arange(4) % 2 for _ in X]
    params = dict(hidden_size=4, max_epochs=2, random_state=0)
    upper = Estimator(cell="RNN", nonlinearity="ReLU", optimizer="Adam", **params)
    lower = Estimator(cell="rnn", nonlinearity="relu", optimizer="adam", **params)
    np.testing.assert_array_equal(
        upper.fit(X, y).predict(X[:3]), lower.fit(X, y).predict(X[:3])
    )
    with pytest.raises(ValueError, match="in any letter case"):
        Estimator(cell="transformer").fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_single_sequence_where_a_batch_is_expected_gets_a_hint(Estimator, rng):
    est = Estimator(**TINY).fit(rng.randn(6, 4, 3), [0, 1] * 3)
    with pytest.raises(ValueError, match=r"single sequence.*\[X\] or X\[None\]"):
        est.predict(rng.randn(4, 3))
    est.predict(rng.randn(4, 3)[None])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_long_format_table_is_named_in_the_error(Estimator, rng):
    long = pd.DataFrame(
        {"id": np.repeat(np.arange(4), 5), "time": np.tile(np.arange(5), 4)}
    ).assign(x=rng.randn(20))
    with pytest.raises(ValueError, match="inconsistent.*from_long_format"):
        Estimator(**TINY).fit(long, [0, 1, 0, 1])


@pytest.mark.parametrize(
    "params",
    [
        {"hidden_size": np.int64(3), "num_layers": np.int32(1)},
        {"batch_size": np.int64(4), "max_epochs": np.int64(1)},
        {"lr": np.float64(1e-2), "dropout": np.float64(0.0), "tol": np.float32(0)},
    ],
)
def test_numpy_scalars_are_accepted_as_parameters(params, rng):
    # What a search over np.arange or np.linspace passes.
    X, y = rng.normal(size=(8, 5, 2)), [0, 1] * 4
    clf = RNNClassifier(**{**TINY, **params}).fit(X, y)
    reference = RNNClassifier(**{**TINY, **{k: v.item() for k, v in params.items()}})
    np.testing.assert_array_equal(
        clf.predict_proba(X), reference.fit(X, y).predict_proba(X)
    )


def test_numpy_integers_reach_the_tagger_s_layers():
    X, y = [["the", "dog"], ["a", "cat"]] * 2, [["D", "N"]] * 4
    params = {"embedding_dim": np.int64(4), "char_features": np.int64(3)}
    tagger = SequenceTagger(hidden_size=np.int64(4), max_epochs=1, **params)
    assert len(tagger.fit(X, y).predict(X)) == 4


@pytest.mark.parametrize("name", ["hidden_size", "num_layers", "max_epochs", "lr"])
def test_a_boolean_is_not_a_number_parameter(name, rng):
    X, y = rng.normal(size=(8, 5, 2)), [0, 1] * 4
    with pytest.raises(ValueError, match=f"'{name}' parameter.*Got True"):
        RNNClassifier(**{**TINY, name: True}).fit(X, y)


@pytest.mark.parametrize("weight", [-1.0, np.nan, np.inf, "2", True])
def test_class_weight_values_must_be_finite_non_negative_numbers(weight, rng):
    X, y = rng.randn(8, 4, 1), [0, 1] * 4
    with pytest.raises(ValueError, match=r"class_weight\[0\] must be a finite number"):
        RNNClassifier(class_weight={0: weight, 1: 1.0}, **TINY).fit(X, y)
    tokens, tags = [["a", "b"]] * 4, [["D", "N"]] * 4
    tagger = SequenceTagger(class_weight={"D": weight}, **TINY)
    with pytest.raises(ValueError, match=r"class_weight\['D'\] must be a finite"):
        tagger.fit(tokens, tags)


@pytest.mark.parametrize(
    "label, error, match",
    [
        (None, ValueError, r"holds a missing label \(None\) at position 1"),
        (np.nan, ValueError, r"holds a missing label \(nan\) at position 1"),
        (1, TypeError, r"mixes string labels .*at position 1"),
    ],
)
def test_missing_or_mixed_labels_are_named(label, error, match, rng):
    # numpy would make the classes 'None' and 'nan' or fail to sort them.
    X = rng.randn(8, 4, 1)
    with pytest.raises(error, match=f"y {match}"):
        RNNClassifier(**TINY).fit(X, ["a", label] * 4)
    tokens, tags = [["a", "b", "c"]] * 4, [["D", label, "V"]] * 4
    with pytest.raises(error, match=f"Label sequence 0 {match}"):
        SequenceTagger(**TINY).fit(tokens, tags)


@pytest.mark.parametrize("scale", [2.0**-100, 1e50, 1e-310])
def test_uniformly_scaled_weights_train_in_float32_as_unit_weights(scale, rng):
    # Only their ratios matter; 1e-50 or 1e50 vanished or overflowed in float32.
    X, y = rng.randn(8, 4, 1).astype(np.float32), [0, 1] * 4
    unit = RNNClassifier(**TINY).fit(X, y, sample_weight=np.ones(8))
    scaled = RNNClassifier(**TINY).fit(X, y, sample_weight=np.full(8, scale))
    np.testing.assert_allclose(scaled.predict_proba(X), unit.predict_proba(X))


def test_partial_fit_refuses_balanced_class_weight_in_both_estimators(rng):
    X, y = rng.randn(8, 4, 1), [0, 1] * 4
    with pytest.raises(ValueError, match="'balanced' is not supported for partial"):
        RNNClassifier(class_weight="balanced", **TINY).partial_fit(X, y, classes=[0, 1])
    tagger = SequenceTagger(class_weight="balanced", **TINY)
    with pytest.raises(ValueError, match="'balanced' is not supported for partial"):
        tagger.partial_fit([["a", "b"]] * 4, [["D", "N"]] * 4)


def test_missing_labels_are_named_in_every_form_of_tagger_y(rng):
    steps = rng.randn(6, 2)
    with pytest.raises(ValueError, match=r"y holds a missing label \(nan\)"):
        SequenceTagger(**TINY).fit(steps, ["D", np.nan, "V"] * 2, lengths=[3, 3])
    padded = np.array([["D", None, "V"], ["D", "N", None]], dtype=object)
    with pytest.raises(ValueError, match=r"Label sequence 0 holds a missing"):
        SequenceTagger(**TINY).fit([steps[:3], steps[3:5]], padded)
    padded[0, 1] = "N"  # None past the second sequence's end is padding
    SequenceTagger(**TINY).fit([steps[:3], steps[3:5]], padded)
    pandas_na = pd.Series(["a", None] * 4, dtype="string")
    with pytest.raises(ValueError, match=r"y holds a missing label \(<NA>\)"):
        RNNClassifier(**TINY).fit(rng.randn(8, 4, 1), pandas_na)
