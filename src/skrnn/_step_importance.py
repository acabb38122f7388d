"""step_importance: attributions of predictions to the steps of sequences.

It parses ``X`` as the estimator does, decides what number is explained
(a class probability, a prediction in the units of ``y``, summed over steps for
per-step outputs), batches sequences of similar lengths and gathers one array
per sequence; the torch computations are in :mod:`skrnn._attribution`.
Public through :mod:`skrnn.inspection`.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _attribution, _net
from ._base import BaseSequenceEstimator
from ._batching import make_dataset
from ._compat import Interval, StrOptions, validate_params
from ._data import TokenSequences

_METHODS = ("integrated_gradients", "occlusion", "permutation")
# Steps per forward and backward pass of step_importance by default: passes
# this large amortise each kernel call (4x larger ones were no faster in
# benchmarks/bench_step_importance.py), and the memory the backward pass keeps
# grows with them.
_STEPS_PER_PASS = 100_000


@validate_params(
    {
        "estimator": [BaseSequenceEstimator],
        "X": ["array-like", list, tuple],
        "method": [StrOptions(set(_METHODS))],
        "target": "no_validation",
        "baseline": [StrOptions({"zeros"}), "array-like", Real, None],
        "n_steps": [Interval(Integral, 1, None, closed="left")],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def step_importance(
    estimator,
    X,
    *,
    method="integrated_gradients",
    target=None,
    baseline=None,
    n_steps=50,
    n_repeats=5,
    batch_size=None,
    random_state=None,
):
    """How much each step (and feature) of each sequence moved a prediction.

    What is explained is one number per sequence: for a classifier the
    predicted probability of the predicted class (of ``target`` when given);
    for a regressor the prediction, in the units of ``y``; for a tagger and
    ``return_sequences=True`` the sum of those over the sequence's steps (with
    ``crf=True``, of the softmax of the emission scores the CRF reads, not of
    its marginals). Padding steps never get attribution, and a sequence's
    attributions do not depend on the other sequences of ``X`` (except with
    ``method='permutation'``, which draws replacement steps from them).

    Parameters
    ----------
    estimator : fitted RNNClassifier, RNNRegressor or SequenceTagger
        The estimator whose predictions are explained.

    X : array-like or list of array-like
        Sequences, in any form the estimator's ``fit`` accepts.

    method : {'integrated_gradients', 'occlusion', 'permutation'}, \
            default='integrated_gradients'
        - ``'integrated_gradients'``: the input's difference from ``baseline``
          times the gradient averaged along the straight path between them
          (Sundararajan et al., 2017). The attributions of a sequence sum to the
          explained number at ``X`` minus at the baseline (completeness).
        - ``'occlusion'``: the drop of the explained number when one step is
          replaced by the baseline, given to each feature of the step (as
          captum's ``Occlusion`` gives a window's effect to each of its
          features).
        - ``'permutation'``: the mean drop when one step is replaced by the
          same step of another sequence of ``X`` (a random permutation among
          the sequences that long, ``n_repeats`` times); it uses no gradient,
          only the predictions. Numeric input only.

    target : label or int, default=None
        What is explained. Classifier and tagger: a class label, by default
        the predicted class of each sequence (each step for a tagger).
        Regressor: the index of the output, needed only with several outputs.

    baseline : None, 'zeros', float or array-like of shape (n_step_features,), \
            default=None
        The reference input of integrated gradients and occlusion, the same at
        every step. ``None``: the mean of each feature in fit
        (``input_mean_``: the zero of the network's standardised input, a
        neutral input; zeros when ``standardize=False``). For token input the
        baseline is the zero embedding, and only ``None`` or ``'zeros'`` are
        accepted.

    n_steps : int, default=50
        Number of points of the integration path (Gauss-Legendre, as captum's
        default, on pieces of the path that shrink tenfold towards the
        baseline, from 18 points: the front end's per-sequence normalisation
        changes fastest just after the constant baseline, and points spread
        evenly missed it by a quarter of the output). Integrated gradients
        only. Smooth networks are complete to about 1e-4 at 50 points; the
        convolutional front end (ReLU, the default for numeric input with one
        output per sequence) needs more: in a test the attributions' sum
        missed the output difference by 0.014 at 50 points and by 0.0007 at
        1,000.

    n_repeats : int, default=5
        Number of permutations of each step. Permutation only.

    batch_size : int, default=None
        Number of sequence copies (path points, occluded or permuted copies)
        that go through the network in one pass: more is faster, up to memory,
        which grows with copies x steps. ``None``: as many as make about
        100,000 steps (1,000 copies of 100 steps).

    random_state : int, RandomState instance or None, default=None
        Draws the permutations; the other methods are deterministic.

    Returns
    -------
    attributions : list of ndarray
        One float64 array per sequence of ``X``, in order: shape
        ``(n_steps_i, n_step_features)`` for numeric input, ``(n_steps_i,)``
        for token input (the sum over the token's embedding).

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RNNRegressor
    >>> from skrnn.inspection import step_importance
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(100, 6, 1).astype(np.float32)
    >>> y = 3 * X[:, 2, 0]
    >>> reg = RNNRegressor(hidden_size=16, lr=1e-2, max_epochs=60,
    ...                    random_state=0).fit(X, y)
    >>> attributions = step_importance(reg, X[:20])
    >>> attributions[0].shape
    (6, 1)
    >>> int(np.argmax(np.mean([np.abs(a[:, 0]) for a in attributions], axis=0)))
    2
    """
    if not estimator._explains_steps:
        raise TypeError(
            "step_importance explains the predictions of RNNClassifier, "
            f"RNNRegressor and SequenceTagger; got {type(estimator).__name__}, "
            "whose outputs it cannot attribute to the steps of X."
        )
    check_is_fitted(estimator)
    sequences = estimator._validate_X(X, reset=False)
    tokens = isinstance(sequences, TokenSequences)
    if method == "permutation" and tokens:
        raise ValueError(
            "method='permutation' replaces a step's values by another "
            "sequence's, which token input does not have; use "
            "method='integrated_gradients' or 'occlusion' for tokens."
        )
    classify = estimator._loss_kind == "cross_entropy"
    target_index = _target_index(estimator, target, classify)
    dtype = torch.float32 if estimator._dtype == np.float32 else torch.float64
    step_baseline = None if tokens else _step_baseline(estimator, baseline, dtype)
    if (
        tokens
        and baseline is not None
        and not (isinstance(baseline, str) and baseline == "zeros")
    ):
        raise ValueError(
            "For token input the baseline is the zero embedding: pass "
            f"baseline=None or 'zeros'; got baseline={baseline!r}."
        )
    dataset = make_dataset(sequences)
    lengths = sequences.lengths
    # Sequences of similar lengths share a batch, which is cut to the longest.
    order = np.argsort(lengths, kind="stable")
    if batch_size is None:
        batch_size = max(1, _STEPS_PER_PASS // int(lengths.max()))
    donors = None
    if method == "permutation":
        donors = _permutation_donors(lengths, n_repeats, random_state)
    per_batch = max(1, batch_size // (n_steps if method == _METHODS[0] else 8))
    results = [None] * len(lengths)
    with _net.explained_module(estimator.net_, estimator.n_threads) as (
        module,
        device,
        step,
    ):
        scale = None
        if not classify:
            scale = torch.as_tensor(estimator.target_scale_, dtype=dtype).to(device)
        output = _attribution.ExplainedOutput(
            module,
            kind="probability" if classify else "value",
            per_step=estimator._per_step_targets(),
            scale=scale,
        )
        for start in range(0, len(order), per_batch):
            step()
            rows = order[start : start + per_batch]
            batch = dataset.batch(torch.from_numpy(rows))[0]
            batch = {name: value.to(device) for name, value in batch.items()}
            attributions = _explain_batch(
                output,
                batch,
                method=method,
                target_index=target_index,
                step_baseline=step_baseline,
                donors=None if donors is None else donors[:, rows],
                values=None if tokens else dataset.values,
                n_steps=n_steps,
                rows=batch_size,
            )
            for j, i in enumerate(rows):
                results[i] = attributions[j, : lengths[i]]
    return results


def _explain_batch(
    output, batch, *, method, target_index, step_baseline, donors, values, n_steps, rows
):
    """Attributions ``(n, max_length, n_inputs)`` of one batch, as numpy."""
    lengths = batch["lengths"]
    with torch.no_grad():
        if output.tokens:
            inputs = output.embed(batch)
        else:
            inputs = batch["values"]
        raw = output.raw(inputs, batch)
    if output.kind == "probability":
        targets = output.default_targets(raw)
        if target_index is not None:
            targets = torch.full_like(targets, target_index)
    else:
        targets = torch.full(
            (len(lengths),), target_index, dtype=torch.int64, device=inputs.device
        )
    real = (
        torch.arange(inputs.shape[1], device=inputs.device)[None, :] < lengths[:, None]
    )[..., None]
    if step_baseline is None:
        baselines = torch.zeros_like(inputs)
    else:
        baselines = torch.where(real, step_baseline.to(inputs.device), 0.0)
    if method == "integrated_gradients":
        result = _attribution.integrated_gradients(
            output, inputs, baselines, batch, targets, n_steps=n_steps, rows=rows
        )
    else:
        if method == "occlusion":
            replacements = baselines[None]
        else:
            max_length = inputs.shape[1]
            # donors: (n_repeats, n, max_length of X) indices of other sequences.
            index = torch.from_numpy(donors[:, :, :max_length])
            steps = torch.arange(max_length)[None, None, :]
            replacements = values[index, steps].to(inputs.device)
            replacements = torch.where(real[None], replacements, 0.0)
        with torch.no_grad():
            effects = _attribution.replacement_effects(
                output, inputs, replacements, batch, targets, rows=rows
            )
        if output.tokens:
            return effects.cpu().numpy().astype(np.float64)
        result = effects[..., None].expand(inputs.shape)
    result = result.detach().cpu().numpy().astype(np.float64)
    return result.sum(axis=-1) if output.tokens else result


def _target_index(estimator, target, classify):
    """The index of ``target`` among the outputs; None: each prediction's own."""
    if classify:
        if target is None:
            return None
        matches = np.flatnonzero(estimator.classes_ == np.asarray(target))
        if len(matches) != 1:
            raise ValueError(
                f"target={target!r} is not one of the classes the estimator was "
                f"fitted on, {estimator.classes_.tolist()!r}. Pass one of them, "
                "or target=None to explain each predicted class."
            )
        return int(matches[0])
    n_outputs = len(estimator.target_mean_)
    if target is None:
        if n_outputs > 1:
            raise ValueError(
                f"The regressor predicts {n_outputs} outputs: pass target=k "
                f"(0 <= k < {n_outputs}) to say which one to explain."
            )
        return 0
    if isinstance(target, bool) or not isinstance(target, Integral):
        raise ValueError(
            f"target names an output of the regressor by its index, an int in "
            f"[0, {n_outputs}); got target={target!r}."
        )
    if not 0 <= target < n_outputs:
        raise ValueError(
            f"target={target!r} is out of range: the regressor has {n_outputs} "
            f"output(s), so target must be in [0, {n_outputs})."
        )
    return int(target)


def _step_baseline(estimator, baseline, dtype):
    """The baseline step, a tensor of shape (n_step_features,)."""
    n_features = estimator.n_step_features_
    if baseline is None:
        values = np.asarray(estimator.input_mean_, dtype=np.float64)
    elif isinstance(baseline, str):
        values = np.zeros(n_features)
    else:
        try:
            values = np.asarray(baseline, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"baseline must be None, 'zeros', a number or an array of "
                f"{n_features} numbers (one per step feature); got "
                f"{baseline!r}."
            ) from exc
        if values.ndim == 0:
            values = np.full(n_features, float(values))
        if values.shape != (n_features,):
            raise ValueError(
                f"baseline must hold one value per step feature, shape "
                f"({n_features},); got an array of shape {values.shape}. The "
                "baseline is the same at every step."
            )
        if not np.isfinite(values).all():
            raise ValueError(
                f"baseline must be finite; got {baseline!r}. Replace NaN and "
                "infinite values."
            )
    return torch.as_tensor(values, dtype=dtype)


def _permutation_donors(lengths, n_repeats, random_state):
    """For every repeat, sequence and step, the sequence whose step replaces it:
    a random permutation, per step, of the sequences that have that step."""
    rng = check_random_state(random_state)
    max_length = int(lengths.max())
    donors = np.zeros((n_repeats, len(lengths), max_length), dtype=np.int64)
    for step in range(max_length):
        having = np.flatnonzero(lengths > step)
        for repeat in range(n_repeats):
            donors[repeat, having, step] = rng.permutation(having)
    return donors
