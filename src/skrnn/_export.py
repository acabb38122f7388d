"""Exporting fitted estimators as :mod:`torch.export` programs.

:func:`export` turns a fitted estimator into a program that runs with torch
alone (or compiled with AOTInductor): the network's own forward pass
(:meth:`SequenceNetwork.forward` with ``branch_free=True``) wrapped with the
estimator's output transform (softmax, CRF marginals, target scaling).
:func:`token_inputs` builds a token program's inputs, and
:func:`check_export_inputs` checks inputs against a program's contract with
errors that say what to change; torch's own (a failed shape guard, a dtype
mismatch inside a kernel) do not.
"""

import copy
import json
import math
import os
import warnings

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._classifier import RNNClassifier
from ._data import MAX_WORD_LENGTH
from ._forecaster import _CONSTANT, RNNForecaster
from ._modules import step_mask
from ._persistence import (
    FORMAT_VERSION,
    _encode_labels,
    _json_ready,
    _package_version,
)
from ._regressor import RNNRegressor
from ._seq2seq import BOS, EOS, N_RESERVED, PAD
from ._tagger import SequenceTagger
from ._translator import SequenceTranslator

_EXPORTABLE = (
    RNNClassifier,
    RNNRegressor,
    SequenceTagger,
    RNNForecaster,
    SequenceTranslator,
)


def export(estimator, path=None, *, max_length=None):
    """Export a fitted estimator as a :mod:`torch.export` program.

    The program runs without skrnn, scikit-learn or skorch: load it with
    ``torch.export.load(path).module()`` (or compile it with AOTInductor). It is
    a deployment artefact, not a format to share: :func:`torch.export.load` may
    fall back to unpickling parts of the archive, so load only your own; share
    models with :func:`save`.

    **Inputs.** Every batch is padded to exactly ``max_length`` steps; ``batch``
    may be any size >= 1. Sequence ``i`` occupies steps ``0 .. lengths[i] - 1``;
    what the later (padding) steps hold is ignored.

    :class:`~skrnn.RNNClassifier`, :class:`~skrnn.RNNRegressor`, a
    :class:`~skrnn.SequenceTagger` and a :class:`~skrnn.SequenceTranslator`
    fitted on numbers: ``program(values, lengths)``

    - ``values``: shape ``(batch, max_length, n_step_features_)``, dtype the
      estimator's training dtype: float32 when it was fitted on float32 input,
      else float64 (convert with ``values.to(torch.float32)``; ``predict``
      converts for you, the program does not). In the original units: the
      input standardisation is applied inside. Padding may hold anything,
      zeros or NaN.
    - ``lengths``: int64, shape ``(batch,)``, ``1 <= lengths[i] <=
      max_length``.

    An estimator fitted on tokens or documents (a translator fitted on
    strings too: each character is a token): ``program(ids, word_types,
    chars, lengths)``, all int64, built from documents, strings or token lists
    by :func:`token_inputs` (tokenisation and string lookup stay outside the
    program)

    - ``ids``: shape ``(batch, max_length, n_fields)``, the vocabulary id of
      each field of each token: ``vocabularies_[k].get(value, 1)``, the word
      lower-cased when ``lowercase=True``; 0 on padding;
    - ``word_types``: shape ``(batch, max_length)``, the row of ``chars`` that
      holds each token's word (0 on padding);
    - ``chars``: shape ``(n_words, 30)``, any ``n_words >= 1``: the character
      ids of each distinct word (1 for characters not seen in fit, 0 after the
      word's end; words cut at 30 characters);
    - ``lengths`` as above.

    :class:`~skrnn.RNNForecaster` (``strategy='direct'``): ``program(history)``,
    or ``program(history, covariates)`` when it was fitted with covariates

    - ``history``: float64, shape ``(batch, window_, n_targets_)``, the last
      ``window_`` steps of each series in the original units (each window is
      standardised inside, as ``predict`` does);
    - ``covariates``: float64, shape ``(batch, window_ + horizon,
      n_covariates_)``, the covariates of those steps and then of the
      forecast steps, in the original units (standardised inside by the
      window's own, as ``predict`` does).

    ``max_length`` does not apply: the program reads ``window_`` steps. The
    recursive strategy is not exported: it feeds each forecast back as
    history, a loop over the steps whose every pass re-standardises the
    window, which is ``predict``'s job (export a ``'direct'`` forecaster).

    A longer sequence must be cut or split, or the estimator exported again
    with a larger ``max_length``. The program itself cannot raise a helpful
    error: a wrong number of steps fails torch's shape guard (``AssertionError:
    Guard failed: values.size()[1] == 100``), a wrong dtype fails inside a
    kernel, and lengths outside ``1 .. max_length`` give meaningless results.
    Call :func:`check_export_inputs` where a batch may break the contract: it
    raises a :class:`ValueError` that names the input, the value and the fix.

    **Outputs**, float64, in the order of ``classes_`` where there are classes
    (a translator's are below):

    - :class:`~skrnn.RNNClassifier`: class probabilities ``(batch,
      n_classes)``, as ``predict_proba``;
    - :class:`~skrnn.RNNRegressor`: predictions in the original units (the
      target scaling is applied inside) ``(batch, n_outputs)``, or ``(batch,
      max_length, n_outputs)`` with NaN on padding when
      ``return_sequences=True``; the output axis is kept for one target too;
    - :class:`~skrnn.SequenceTagger`: per-step label probabilities ``(batch,
      max_length, n_classes)`` (the CRF's marginals with ``crf=True``; Viterbi
      decoding is not part of the program), 0 on padding, as
      ``predict_proba``;
    - :class:`~skrnn.RNNForecaster`: forecasts ``(batch, horizon, n_targets_,
      1 + len(quantiles_))`` in the original units: the mean (``predict``),
      then the calibrated quantiles at the levels ``quantiles_``
      (``predict_quantiles``), never crossing; a constant history gives the
      constant.

    :class:`~skrnn.SequenceTranslator`: the encoder and **greedy** decoding,
    unrolled over ``output_limit`` steps (``max_output_length``, or
    ``max_output_length_`` when that is None); a sequence that has ended
    writes padding until the last step, so the program has no data-dependent
    branch. Three outputs, ``output_ids, output_lengths, scores =
    program(...)``:

    - ``output_ids``: int64 ``(batch, output_limit)``: row ``i`` holds the
      output-vocabulary ids of its ``output_lengths[i]`` tokens, then the end
      id 2 (unless the output reached ``output_limit`` tokens), then the
      padding id 0. Id ``k >= 3`` is the token ``output_tokens_[k - 3]``;
      ``skrnn.json`` lists them by id as ``output_vocabulary`` (``null`` at
      the reserved ids 0 padding, 1 start, 2 end; ``special_ids`` names
      them), so ``[vocabulary[k] for k in output_ids[i, :output_lengths[i]]]``
      is output ``i``'s token list, joined into a string when the translator
      was fitted on strings (``target_kind``: ``'str'``), its first token
      when on scalars (``'scalar'``);
    - ``output_lengths``: int64 ``(batch,)``, the number of tokens of each
      output, end id excluded;
    - ``scores``: float64 ``(batch,)``, the log-probability of each output,
      end token included, as ``predict(X, return_scores=True)`` gives it.

    Beam search is not exported (its loop reorders hypotheses with the
    scores it computes): a translator with ``beam_size > 1`` raises a
    :class:`ValueError`, since its ``predict`` would write other outputs than
    the program; set ``beam_size=1`` to export it. Sampling
    (:meth:`~skrnn.SequenceTranslator.sample`, ``temperature``) and
    attention weights are not part of the program either.

    Results equal ``predict_proba`` / ``predict`` (the translator's
    ``predict(X, return_scores=True)``) up to float rounding (the test suite
    checks it on sequences of different lengths, 1 included). The file's
    ``skrnn.json`` records this contract (inputs with dtypes and shapes,
    ``max_length``, output; a translator's ``outputs``, ``output_limit``,
    ``output_vocabulary``) and the classes: read it with
    ``torch.export.load(path, extra_files={"skrnn.json": ""})``.

    **Why a fixed max_length.** The program runs the encoder path the
    estimators use for batches of unequal lengths
    (``RecurrentEncoder.forward_padded``, which has no data-dependent branch):
    the recurrence runs on the padded batch and reads each sequence at its own
    end, and the backward direction of a bidirectional network reads each
    sequence reversed within its own length, so padding never reaches a real
    step. Exporting torch's LSTM, GRU and RNN fixes the number of steps;
    :func:`torch.jit.trace` would keep it free but is deprecated, and
    :func:`torch.onnx.export` now goes through :mod:`torch.export` too.

    Parameters
    ----------
    estimator : estimator instance
        A fitted RNNClassifier, RNNRegressor, SequenceTagger, RNNForecaster or
        SequenceTranslator (with ``beam_size=1``).

    path : str or path-like, default=None
        Where to write the program (``*.pt2``) with :func:`torch.export.save`;
        ``None`` writes nothing.

    max_length : int, default=None
        Number of steps every input batch is padded to. Default: the number of
        steps of a classifier, regressor or translator fitted on a 2-D array
        (the only length it accepts); required otherwise. A translator's
        output length is its own (``output_limit``, see above).

    Returns
    -------
    program : torch.export.ExportedProgram
        Call ``program.module()(*inputs)``.

    Raises
    ------
    TypeError
        If ``estimator`` is not one of the estimators above.
    ValueError
        If ``max_length`` is missing or not a positive int, a forecaster is
        recursive, or a translator has ``beam_size > 1``.

    See Also
    --------
    check_export_inputs : Check inputs against the program's contract.
    token_inputs : Token inputs of an exported program.

    Examples
    --------
    >>> import numpy as np, torch, skrnn
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(20, 5, 2).astype(np.float32)
    >>> clf = skrnn.RNNClassifier(hidden_size=4, max_epochs=2, random_state=0)
    >>> clf = clf.fit(X, rng.randint(0, 2, 20))
    >>> program = skrnn.export(clf, max_length=8)
    >>> values = torch.zeros(3, 8, 2)  # three sequences of lengths 5, 5, 1
    >>> values[:, :5] = torch.from_numpy(X[:3])
    >>> lengths = torch.tensor([5, 5, 1])
    >>> skrnn.check_export_inputs(program, values, lengths)
    >>> program.module()(values, lengths).shape
    torch.Size([3, 2])
    """
    if not isinstance(estimator, _EXPORTABLE):
        raise TypeError(
            "skrnn.export exports RNNClassifier, RNNRegressor, SequenceTagger, "
            f"RNNForecaster and SequenceTranslator; got {type(estimator).__name__!r}."
        )
    check_is_fitted(estimator)
    if isinstance(estimator, RNNForecaster):
        return _export_forecaster(estimator, path, max_length)
    if isinstance(estimator, SequenceTranslator):
        _check_greedy(estimator)
    max_length = _default_max_length(estimator, max_length)
    if isinstance(estimator, SequenceTranslator):
        contract = _translator_contract(estimator, max_length)
        tokens = "ids" in contract["inputs"]
        program = (_TokenTranslation if tokens else _NumericTranslation)(estimator)
    else:
        contract = _contract(estimator, max_length)
        tokens = "ids" in contract["inputs"]
        program = (_TokenProgram if tokens else _NumericProgram)(estimator)
    example, dynamic = _example_inputs(contract)
    return _export_module(program, example, dynamic, contract, path)


def _default_max_length(estimator, max_length):
    """``max_length`` checked; by default the steps of a 2-D fit, else required."""
    if max_length is None:
        if not (
            getattr(estimator, "_fitted_on_table", False)
            and not isinstance(estimator, SequenceTagger)
        ):
            raise ValueError(
                "max_length is required: an exported program takes batches padded "
                "to a fixed number of steps. Pass the longest sequence length the "
                "program will see, for example max_length=100."
            )
        max_length = estimator.n_features_in_
    return _check_max_length(max_length)


def _export_module(module, example, dynamic, contract, path):
    """``torch.export`` of ``module`` in evaluation mode, written to ``path``
    (when given) with ``contract`` as the archive's ``skrnn.json``."""
    module = module.eval()
    # An inference program: its outputs need no gradient.
    module.requires_grad_(False)
    with torch.no_grad(), warnings.catch_warnings():
        # nn.RNN refreshes its list of weights during export; the list holds
        # the registered parameters, so the warning about it does not apply.
        warnings.filterwarnings("ignore", message=".*_flat_weights")
        program = torch.export.export(module, example, dynamic_shapes=dynamic)
    if path is not None:
        torch.export.save(
            program, os.fspath(path), extra_files={"skrnn.json": json.dumps(contract)}
        )
    return program


def _export_forecaster(forecaster, path, max_length):
    if forecaster.strategy != "direct":
        raise ValueError(
            "skrnn.export exports forecasters of strategy='direct' only: the "
            "recursive strategy feeds each forecast back as history, a loop "
            "over the steps that stays in predict. Fit with strategy='direct' "
            "(and horizon covering the steps you need) to export."
        )
    if max_length is not None:
        raise ValueError(
            f"max_length does not apply to RNNForecaster: its program reads "
            f"window_={forecaster.window_} steps of history; got "
            f"max_length={max_length!r}. Leave it None."
        )
    window, n_targets = forecaster.window_, forecaster.n_targets_
    inputs = {
        "history": {
            "dtype": "float64",
            "shape": ["batch", window, n_targets],
            "units": "original (each window standardised inside)",
        }
    }
    if forecaster.n_covariates_:
        inputs["covariates"] = {
            "dtype": "float64",
            "shape": ["batch", window + forecaster.horizon, forecaster.n_covariates_],
        }
    levels = ["mean", *forecaster.quantiles_]
    contract = {
        **_contract_header(forecaster),
        "window": window,
        "horizon": forecaster.horizon,
        "inputs": inputs,
        "output": {
            "name": "forecasts",
            "dtype": "float64",
            "shape": ["batch", forecaster.horizon, n_targets, len(levels)],
            "levels": levels,
        },
    }
    batch = torch.export.Dim("batch", min=1)
    example = tuple(
        torch.ones([2, *spec["shape"][1:]], dtype=torch.float64)
        for spec in inputs.values()
    )
    # Two different windows: tracing must not specialise on a constant one.
    example[0][1] += torch.arange(window, dtype=torch.float64)[:, None]
    dynamic = {name: {0: batch} for name in inputs}
    return _export_module(
        _ForecastProgram(forecaster), example, dynamic, contract, path
    )


def _check_greedy(translator):
    if translator.beam_size > 1:
        raise ValueError(
            f"skrnn.export exports greedy decoding only, but this translator has "
            f"beam_size={translator.beam_size}: its predict runs beam search, so "
            "the program would write other outputs than predict. Export it with "
            "beam_size=1 (translator.set_params(beam_size=1); predict then decodes "
            "greedily too, as the program does; beam search is not exported)."
        )


def _check_max_length(max_length):
    if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)):
        raise TypeError(f"max_length must be an int >= 1; got {max_length!r}.")
    if max_length < 1:
        raise ValueError(f"max_length must be an int >= 1; got {max_length!r}.")
    return int(max_length)


def _contract_header(estimator):
    """What every ``skrnn.json`` contract starts with: the estimator's class
    and the versions that wrote it."""
    return {
        "estimator": type(estimator).__name__,
        "format_version": FORMAT_VERSION,
        "skrnn_version": _package_version(),
    }


def _contract(estimator, max_length):
    """The program's inputs and output, as ``skrnn.json`` records them."""
    batch = ["batch"]
    regression = isinstance(estimator, RNNRegressor)
    per_step = estimator._per_step_targets()
    shape = [*batch, *([max_length] if per_step else []), estimator._n_outputs()]
    contract = {
        **_contract_header(estimator),
        "max_length": max_length,
        "inputs": _input_contract(estimator, max_length),
        "output": {
            "name": "predictions" if regression else "probabilities",
            "dtype": "float64",
            "shape": shape,
        },
    }
    if hasattr(estimator, "classes_"):
        contract["classes"] = _encode_labels(estimator.classes_)
    return contract


def _translator_contract(translator, max_length):
    """A translator program's inputs, outputs and output vocabulary."""
    limit = int(translator._output_limit())
    return {
        **_contract_header(translator),
        "max_length": max_length,
        "inputs": _input_contract(translator, max_length),
        "decoding": "greedy",
        "output_limit": limit,
        "outputs": [
            {"name": "output_ids", "dtype": "int64", "shape": ["batch", limit]},
            {"name": "output_lengths", "dtype": "int64", "shape": ["batch"]},
            {"name": "scores", "dtype": "float64", "shape": ["batch"]},
        ],
        # Indexed by output id: the reserved ids have no token.
        "output_vocabulary": [None] * N_RESERVED
        + _json_ready(list(translator.output_tokens_), "output_tokens_"),
        "special_ids": {"padding": PAD, "start": BOS, "end": EOS},
        "target_kind": translator._target_kind,
    }


def _input_contract(estimator, max_length):
    """The program's inputs, as ``skrnn.json`` records them."""
    batch = ["batch"]
    if getattr(estimator, "_input_kind", "numbers") == "tokens":
        inputs = {
            "ids": [*batch, max_length, len(estimator.vocabularies_)],
            "word_types": [*batch, max_length],
            "chars": ["words", MAX_WORD_LENGTH],
        }
        inputs = {name: {"dtype": "int64", "shape": s} for name, s in inputs.items()}
    else:
        dtype = "float32" if estimator._dtype == np.float32 else "float64"
        shape = [*batch, max_length, estimator.n_step_features_]
        inputs = {
            "values": {
                "dtype": dtype,
                "shape": shape,
                "units": "original (standardised inside)",
            }
        }
    inputs["lengths"] = {"dtype": "int64", "shape": batch}
    return inputs


def _example_inputs(contract):
    """Inputs to trace the program with, and their dynamic axes."""
    sizes = {"batch": 2, "words": 3}
    dims = {name: torch.export.Dim(name, min=1) for name in sizes}
    example, dynamic = [], {}
    for name, spec in contract["inputs"].items():
        shape = [sizes.get(n, n) for n in spec["shape"]]
        dtype = getattr(torch, spec["dtype"])
        if name == "lengths":
            # One full-length and one length-1 sequence, so that tracing does
            # not specialise on equal lengths.
            tensor = torch.tensor([contract["max_length"], 1], dtype=dtype)
        else:
            tensor = (torch.ones if name in ("ids", "chars") else torch.zeros)(
                shape, dtype=dtype
            )
        example.append(tensor)
        dynamic[name] = {
            axis: dims[n] for axis, n in enumerate(spec["shape"]) if n in dims
        }
    return tuple(example), dynamic


class _Program(nn.Module):
    """The network of a fitted estimator and its output transform."""

    def __init__(self, estimator):
        super().__init__()
        # A copy on the CPU: exporting must not move or change the estimator.
        # The whole network, so that its folded input standardisation
        # (input_affine) comes along with its buffers.
        self.network = copy.deepcopy(estimator.net_.module_).cpu()
        self.regression = isinstance(estimator, RNNRegressor)
        self.crf = None
        if getattr(estimator, "crf", False):
            self.crf = copy.deepcopy(estimator.net_.criterion_.crf).cpu()
        if self.regression:
            for name in ("target_mean", "target_scale"):
                value = getattr(estimator, name + "_")
                self.register_buffer(name, torch.as_tensor(value, dtype=torch.float64))

    def outputs(self, lengths, inside, **inputs):
        """What the program returns, from the network's forward pass."""
        raw = self.network(lengths, branch_free=True, **inputs)
        if self.regression:
            outputs = raw.to(torch.float64) * self.target_scale + self.target_mean
            fill = math.nan
        else:
            if self.crf is not None:
                outputs = self.crf.marginals(raw, lengths).to(torch.float64)
            else:
                outputs = torch.softmax(raw.to(torch.float64), dim=-1)
            fill = 0.0
        if not self.network.per_step:
            return outputs
        return torch.where(inside, outputs, torch.full_like(outputs, fill))


class _TranslationProgram(nn.Module):
    """A translator's encoder and greedy decoder, unrolled over its output
    limit: every step runs for every sequence, a finished one writing
    padding at no cost (no data-dependent branch, which torch.export cannot
    trace)."""

    def __init__(self, translator):
        super().__init__()
        self.network = copy.deepcopy(translator.net_.module_).cpu()
        self.output_limit = int(translator._output_limit())

    def outputs(self, lengths, inside, **inputs):
        ids, scores, _ = self.network.greedy(
            self.output_limit, branch_free=True, lengths=lengths, **inputs
        )
        # Decoding never writes padding or the start id before its end.
        return ids, (ids >= N_RESERVED).sum(dim=1), scores


class _NumericInputs:
    """``forward(values, lengths)``, for a program with ``outputs``."""

    def forward(self, values, lengths):
        inside = step_mask(lengths, values.shape[1])[..., None]
        # The contract lets padding hold anything (NaN): it must not reach a
        # readout that pools over steps.
        values = torch.where(inside, values, torch.zeros_like(values))
        return self.outputs(lengths, inside, values=values)


class _TokenInputs:
    """``forward(ids, word_types, chars, lengths)``, for a program with
    ``outputs``."""

    def forward(self, ids, word_types, chars, lengths):
        inside = step_mask(lengths, ids.shape[1])[..., None]
        return self.outputs(
            lengths, inside, ids=ids, word_types=word_types, chars=chars
        )


class _NumericProgram(_NumericInputs, _Program):
    pass


class _TokenProgram(_TokenInputs, _Program):
    pass


class _NumericTranslation(_NumericInputs, _TranslationProgram):
    pass


class _TokenTranslation(_TokenInputs, _TranslationProgram):
    pass


def _moments(windows):
    """Per-window mean and spread (1 where constant) of ``(batch, steps, k)``,
    and which are constant, as the forecaster's ``_window_moments``."""
    mean = windows.mean(dim=1)
    spread = windows.std(dim=1, correction=0)
    constant = spread <= _CONSTANT * torch.clamp(mean.abs(), min=1.0)
    return mean, torch.where(constant, torch.ones_like(spread), spread), constant


class _ForecastProgram(nn.Module):
    """A direct forecaster's network between the per-window standardisation
    and the calibrated, sorted, unscaled forecasts (what ``predict`` and
    ``predict_quantiles`` compute around the network in numpy)."""

    def __init__(self, forecaster):
        super().__init__()
        self.network = copy.deepcopy(forecaster.net_.module_).cpu()
        self.horizon = forecaster.horizon
        self.n_targets = forecaster.n_targets_
        self.n_levels = 1 + len(forecaster.quantiles_)
        self.covariates = bool(forecaster.n_covariates_)
        self.dtype = torch.float32 if forecaster._dtype == np.float32 else torch.float64
        offsets = forecaster._quantile_offsets
        if offsets is None or not len(offsets):
            offsets = np.zeros((self.horizon, self.n_targets, self.n_levels - 1))
        self.register_buffer("offsets", torch.as_tensor(offsets, dtype=torch.float64))

    def forward(self, history, covariates=None):
        mean, scale, constant = _moments(history)
        values = (history - mean[:, None]) / scale[:, None]
        if self.covariates:
            window = history.shape[1]
            cov_mean, cov_scale, _ = _moments(covariates[:, :window])
            covariates = (covariates - cov_mean[:, None]) / cov_scale[:, None]
            past, future = covariates[:, :window], covariates[:, window:]
            values = torch.cat(
                [
                    torch.cat([values, past, torch.ones_like(past[..., :1])], dim=2),
                    torch.cat(
                        [
                            torch.zeros_like(future[..., :1]).expand(
                                -1, -1, values.shape[2]
                            ),
                            future,
                            torch.zeros_like(future[..., :1]),
                        ],
                        dim=2,
                    ),
                ],
                dim=1,
            )
        lengths = torch.full_like(values[:, 0, 0], values.shape[1], dtype=torch.int64)
        raw = self.network(lengths, branch_free=True, values=values.to(self.dtype))
        raw = raw.to(torch.float64).reshape(
            -1, self.horizon, self.n_targets, self.n_levels
        )
        scale4, mean4 = scale[:, None, :, None], mean[:, None, :, None]
        points = raw[..., :1] * scale4 + mean4
        quantiles = torch.sort(raw[..., 1:], dim=-1).values * scale4 + mean4
        quantiles = torch.sort(quantiles + self.offsets * scale4, dim=-1).values
        out = torch.cat([points, quantiles], dim=-1)
        return torch.where(constant[:, None, :, None], mean4.expand_as(out), out)


def token_inputs(estimator, X, max_length):
    """Inputs of an exported token program for the documents or tokens ``X``.

    Reads ``X`` exactly as the estimator's ``predict`` does (raw documents are
    split by its tokenizer and cut to its ``max_length`` parameter; unknown
    words and characters get the unknown id 1; the word lower-cased when
    ``lowercase=True``) and pads every sequence to ``max_length`` steps. This
    is how tokens become ids outside the program: to run the program without
    skrnn, repeat these lookups with ``vocabularies_`` (see :func:`export`).

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor, SequenceTagger or SequenceTranslator
        The estimator, fitted on tokens or documents (a translator: on strings
        or tokens), that was exported.

    X : list of str, or list of list of str or of tuples of str
        Documents, strings (a translator's, read character by character) or
        token sequences, as the estimator's ``predict`` takes them.

    max_length : int
        The ``max_length`` the program was exported with.

    Returns
    -------
    ids : torch.Tensor of shape (n_sequences, max_length, n_fields)
    word_types : torch.Tensor of shape (n_sequences, max_length)
    chars : torch.Tensor of shape (n_words, 30)
    lengths : torch.Tensor of shape (n_sequences,)
        int64 tensors, in the order the program takes them (see
        :func:`export`): ``program.module()(*token_inputs(estimator, X,
        max_length))``.

    Raises
    ------
    ValueError
        If a sequence is longer than ``max_length``, or the estimator was
        fitted on numbers (whose program takes ``values`` and ``lengths``).
    """
    check_is_fitted(estimator)
    if getattr(estimator, "_input_kind", None) != "tokens":
        raise ValueError(
            f"token_inputs builds the inputs of an estimator fitted on tokens; "
            f"got {type(estimator).__name__} fitted on numbers, whose program takes "
            "(values, lengths) padded to max_length steps (see skrnn.export)."
        )
    max_length = _check_max_length(max_length)
    tokens = estimator._validate_X(X, reset=False)
    pad = max_length - tokens.ids.shape[1]
    if pad < 0:
        raise ValueError(
            f"X holds a sequence of {tokens.ids.shape[1]} tokens, longer than "
            f"max_length={max_length}: export the estimator with a larger "
            "max_length or split the sequence."
        )
    ids = np.pad(tokens.ids, ((0, 0), (0, pad), (0, 0)))
    word_types = np.pad(tokens.word_types, ((0, 0), (0, pad)))
    width = MAX_WORD_LENGTH - tokens.type_chars.shape[1]
    chars = np.pad(tokens.type_chars, ((0, 0), (0, width)))
    return tuple(torch.from_numpy(a) for a in (ids, word_types, chars, tokens.lengths))


def tagger_inputs(estimator, X, max_length):
    """Inputs of an exported token tagger: :func:`token_inputs`, by its first name.

    Parameters
    ----------
    estimator : SequenceTagger
        The tagger, fitted on tokens, that was exported.

    X : list of list of str or of tuples of str
        Token sequences, as :meth:`SequenceTagger.predict` takes them.

    max_length : int
        The ``max_length`` the program was exported with.

    Returns
    -------
    inputs : tuple of torch.Tensor
        ``ids, word_types, chars, lengths``, as :func:`token_inputs` returns.
    """
    return token_inputs(estimator, X, max_length)


# -- checking a program's inputs ------------------------------------------------------


def check_export_inputs(program, *inputs):
    """Check inputs against the contract of a program written by :func:`export`.

    An exported program cannot explain a wrong input: torch fails a shape
    guard (``Guard failed: values.size()[1] == 100``) or a kernel (``expected
    scalar type Double but found Float``), and lengths out of range give
    meaningless outputs. This function reads the contract from the program
    itself (input names, dtypes, shapes) and raises a :class:`ValueError`
    naming the first input that breaks it, the value, and the fix. It needs
    skrnn; the contract it checks is described in :func:`export` and stored
    in the archive's ``skrnn.json`` for deployments without it.

    Parameters
    ----------
    program : torch.export.ExportedProgram, its ``.module()``, or path-like
        The program as :func:`export` returns it or as
        :func:`torch.export.load` reads it, or the path of a ``.pt2`` file
        (loaded with :func:`torch.export.load` on each call; load only your
        own files).

    *inputs : torch.Tensor
        The inputs, in the order the program takes them: ``values, lengths``,
        or ``ids, word_types, chars, lengths`` for a token tagger.

    Raises
    ------
    ValueError
        If the inputs do not fit the program: wrong number, not tensors, wrong
        dtype, wrong number of steps (``max_length``), features or token
        fields, inputs of different batch sizes, lengths outside ``1 ..
        max_length``, or token ids outside the vocabularies.

    See Also
    --------
    export : Export a fitted estimator; its docstring states the contract.

    Examples
    --------
    >>> import numpy as np, torch, skrnn
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(20, 5, 2).astype(np.float32)
    >>> clf = skrnn.RNNClassifier(hidden_size=4, max_epochs=2, random_state=0)
    >>> program = skrnn.export(clf.fit(X, rng.randint(0, 2, 20)), max_length=5)
    >>> values = torch.from_numpy(X[:3].astype(np.float64))
    >>> skrnn.check_export_inputs(program, values, torch.tensor([5, 5, 5]))
    Traceback (most recent call last):
    ...
    ValueError: values has dtype torch.float64, but the program takes \
torch.float32: convert it with values.to(torch.float32).
    """
    if isinstance(program, (str, os.PathLike)):
        program = torch.export.load(os.fspath(program))
    specs, state = _program_inputs(program)
    names = ", ".join(specs)
    if len(inputs) != len(specs):
        hint = (
            " Build them from documents or token lists with skrnn.token_inputs."
            if "ids" in specs
            else ""
        )
        raise ValueError(
            f"The program takes {len(specs)} inputs ({names}); got {len(inputs)}."
            + hint
        )
    sizes = {}  # symbolic axis (batch, words) -> (size, the input that set it)
    for (name, spec), value in zip(specs.items(), inputs, strict=True):
        _check_tensor(name, spec, value, sizes)
    if "history" in specs:
        return  # a forecaster's program: no lengths, no token ids
    max_length = specs[next(iter(specs))].shape[1]
    tensors = dict(zip(specs, inputs, strict=True))
    _check_range(
        "lengths", tensors["lengths"], 1, max_length, f"max_length={max_length}"
    )
    if "ids" in tensors:
        _check_token_ids(tensors, state)


def _program_inputs(program):
    """``({name: example tensor}, state_dict)`` of a program's user inputs."""
    if isinstance(program, torch.export.ExportedProgram):
        user = set(program.graph_signature.user_inputs)
        graph, state = program.graph, program.state_dict
    elif isinstance(program, torch.fx.GraphModule):
        user, graph, state = None, program.graph, program.state_dict()
    else:
        raise TypeError(
            f"program must be a program from skrnn.export (a torch.export."
            f"ExportedProgram or its .module()) or the path of one; got "
            f"{type(program).__name__!r}."
        )
    specs = {
        node.name: node.meta.get("val")
        for node in graph.nodes
        if node.op == "placeholder" and (user is None or node.name in user)
    }
    known = "lengths" in specs or "history" in specs
    if not specs or not known or any(v is None for v in specs.values()):
        raise ValueError(
            f"This program takes ({', '.join(specs)}), not the inputs of a program "
            "written by skrnn.export; check_export_inputs checks only those."
        )
    return specs, state


# Why an axis has the size it has, and how to fix an input whose axis differs.
_AXIS_FIXES = {
    ("values", 1): "pad every batch to max_length={size} steps (a longer "
    "sequence must be cut or split, or the model exported again with a larger "
    "max_length)",
    ("ids", 1): "pad every batch to max_length={size} steps (a longer sequence "
    "must be cut or split, or the model exported again with a larger "
    "max_length); skrnn.token_inputs pads for you",
    ("word_types", 1): "pad every batch to max_length={size} steps, as ids",
    ("values", 2): "give each step the {size} features the model was fitted on",
    ("history", 1): "pass the last window_={size} steps of each series",
    ("history", 2): "give each step the {size} columns the forecaster was fitted on",
    ("covariates", 1): "pass the covariates of the window_ steps of history "
    "and then of the horizon forecast steps ({size} rows)",
    ("covariates", 2): "give each step the {size} covariates the forecaster "
    "was fitted with",
    ("ids", 2): "give each token the {size} fields the tagger was fitted on",
    ("chars", 1): "pad each word's characters with 0 to {size} (words are cut at "
    "{size} characters); skrnn.token_inputs does it",
}


def _check_tensor(name, spec, value, sizes):
    if not isinstance(value, torch.Tensor):
        fix = (
            f"convert it with torch.from_numpy({name})"
            if isinstance(value, np.ndarray)
            else f"pass a torch.Tensor of dtype {spec.dtype}"
        )
        raise ValueError(
            f"{name} is a {type(value).__name__}, not a torch.Tensor: {fix}."
        )
    if value.dtype != spec.dtype:
        raise ValueError(
            f"{name} has dtype {value.dtype}, but the program takes {spec.dtype}: "
            f"convert it with {name}.to({spec.dtype})."
        )
    expected = _shape_text(spec.shape)
    if value.ndim != spec.ndim:
        raise ValueError(
            f"{name} has shape {tuple(value.shape)}, but the program takes "
            f"{spec.ndim}-D input of shape {expected}."
        )
    for axis, (size, want) in enumerate(zip(value.shape, spec.shape, strict=True)):
        if isinstance(want, int):
            if size != want:
                fix = _AXIS_FIXES.get((name, axis), "").format(size=want)
                raise ValueError(
                    f"{name} has shape {tuple(value.shape)}, but the program takes "
                    f"{expected}: axis {axis} must have size {want}, not {size}"
                    + (f"; {fix}." if fix else ".")
                )
            continue
        axis_name = "words" if name == "chars" else "batch"
        if size < 1:
            raise ValueError(
                f"{name} has shape {tuple(value.shape)}: a program takes at least "
                f"one {'word' if axis_name == 'words' else 'sequence'}."
            )
        known, source = sizes.setdefault(axis_name, (size, name))
        if size != known:
            raise ValueError(
                f"{name} holds {size} sequences but {source} holds {known}: every "
                "input needs one row per sequence of the batch."
            )


def _shape_text(shape):
    names = ["batch" if not isinstance(s, int) else str(s) for s in shape]
    return "(" + ", ".join(names) + ")"


def _check_range(name, tensor, low, high, what):
    """Every entry in ``low .. high``; ``high`` may vary along the last axis."""
    high = torch.as_tensor(high)
    outside = (tensor < low) | (tensor > high)
    if bool(outside.any()):
        index = tuple(int(i) for i in outside.nonzero()[0])
        where = ", ".join(map(str, index))
        bound = int(high) if high.ndim == 0 else int(high[index[-1]])
        raise ValueError(
            f"{name}[{where}] is {int(tensor[index])}, outside {low} .. {bound} "
            f"({what}); {_RANGE_FIXES[name]}"
        )


_RANGE_FIXES = {
    "lengths": "each length is the number of real steps of its sequence, at "
    "least 1 and at most the number of steps the program takes; cut or split "
    "longer sequences, or export again with a larger max_length.",
    "word_types": "each entry is the row of chars that holds the token's word; "
    "build the inputs with skrnn.token_inputs.",
    "ids": "ids come from the fitted vocabularies (0 padding, 1 unknown); build "
    "the inputs with skrnn.token_inputs.",
    "chars": "character ids come from the fitted character vocabulary (0 "
    "padding, 1 unknown); build the inputs with skrnn.token_inputs.",
}


def _check_token_ids(tensors, state):
    """Ids the program's embeddings can look up (torch raises IndexError)."""
    ids, chars = tensors["ids"], tensors["chars"]
    _check_range(
        "word_types",
        tensors["word_types"],
        0,
        chars.shape[0] - 1,
        f"chars has {chars.shape[0]} rows",
    )
    sizes = [
        state[f"network.embedder.fields.{field}.weight"].shape[0]
        for field in range(ids.shape[2])
    ]
    _check_range(
        "ids",
        ids,
        0,
        [n - 1 for n in sizes],
        "the ids of that token field's vocabulary",
    )
    table = state.get("network.embedder.chars.embed.weight")
    if table is not None:
        _check_range("chars", chars, 0, table.shape[0] - 1, "the character vocabulary")
