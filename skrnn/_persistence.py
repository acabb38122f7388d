"""Saving, loading and exporting fitted estimators.

:func:`save` writes a fitted estimator to one `safetensors
<https://huggingface.co/docs/safetensors>`_ file: the tensors (network and CRF
weights, optimizer state, input and target scaling) are raw little-endian arrays,
and everything else (the estimator's class name and hyperparameters, classes,
vocabularies, training history, format version) is one JSON document stored in the
file's ``__metadata__``. :func:`load` reads it back without running any code from
the file: no pickle, no ``torch.load``, no import of a name the file chooses. The
only class a file can name is one of skrnn's three estimators, and the only
optimizer a torch optimizer class of :mod:`torch.optim`, looked up by name.

This is the format to share models in. A pickle (or joblib) file is a program:
unpickling it runs whatever code its author put in it, so a pickled model from an
untrusted source can take over the machine that loads it; it also ties the file to
the exact versions of skrnn, skorch, torch and scikit-learn that wrote it. Pickle
stays fine for private copies between processes you control (for example
scikit-learn's parallel cross-validation).

Every file carries a SHA-256 digest of its JSON document and tensors, so
:func:`load` detects a file that was truncated or altered by accident (a
checksum is not a signature: it does not prove who wrote the file). It then checks
the format version, the estimator name, every hyperparameter and fitted attribute,
and that the weights fit the network the JSON describes. Each failure is a
:class:`ValueError` that names the problem and the fix.

:func:`export` turns a fitted :class:`~skrnn.RNNClassifier` or
:class:`~skrnn.RNNRegressor` into a :mod:`torch.export` program for deployment
without skrnn, scikit-learn or skorch.
"""

import copy
import hashlib
import json
import math
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import safetensors
import safetensors.torch
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._classifier import RNNClassifier
from ._compat import validate_parameters
from ._data import Sequences
from ._device import resolve_device as _resolve_device
from ._modules import step_mask
from ._regressor import RNNRegressor
from ._tagger import SequenceTagger

#: Version of the file layout; bumped when a file written now could not be read
#: correctly by an older :func:`load`.
FORMAT_VERSION = 1

_ESTIMATORS = {
    cls.__name__: cls for cls in (RNNClassifier, RNNRegressor, SequenceTagger)
}

_TENSOR_DTYPES = {torch.float32, torch.float64, torch.int64, torch.bool}
_TENSOR_PREFIXES = ("module.", "criterion.", "optimizer.", "fitted.", "random_stream.")

# Fitted attributes and how each is stored: 'array' as a float64 tensor, the
# others in the JSON document.
_FITTED = {
    "classes_": "labels",
    "n_features_in_": "int",
    "feature_names_in_": "names",
    "n_step_features_": "int",
    "input_mean_": "array",
    "input_scale_": "array",
    "target_mean_": "array",
    "target_scale_": "array",
    "_has_output_axis": "bool",
    "_fitted_on_table": "bool",
    "_dtype": "dtype",
    "_input_kind": "input_kind",
    "vocabularies_": "vocabularies",
    "_chars": "chars",
    "n_iter_": "int",
    "loss_curve_": "floats",
    "best_loss_": "float_or_none",
    "validation_scores_": "floats_or_none",
    "best_validation_score_": "float_or_none",
}
# Rebuilt from the file in another form (the network, the partial_fit stream).
_REBUILT = {"net_", "_random_stream"}
# scikit-learn's own configuration, set by set_output / set_*_request.
_IGNORED = {"_sklearn_output_config", "_metadata_request"}


# -- saving -------------------------------------------------------------------------


def save(estimator, path):
    """Save a fitted estimator to a file that loads without running code.

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor or SequenceTagger
        A fitted estimator. Its hyperparameters must be plain values: skorch
        ``callbacks`` and a ``random_state`` given as a ``RandomState`` are code
        or state that this format does not store (set them to ``None`` first);
        an ``optimizer`` class is stored by name when it is one of
        :mod:`torch.optim`.

    path : str or path-like
        File to write (by convention ``*.skrnn``); replaced atomically if it
        exists.

    Returns
    -------
    path : pathlib.Path
        The file written.

    Examples
    --------
    >>> import numpy as np, skrnn, tempfile, os
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.randn(20, 5, 2), rng.randint(0, 2, 20)
    >>> clf = skrnn.RNNClassifier(hidden_size=4, max_epochs=2, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skrnn")
    >>> restored = skrnn.load(skrnn.save(clf, path))
    >>> bool((restored.predict_proba(X) == clf.predict_proba(X)).all())
    True
    """
    name = type(estimator).__name__
    if _ESTIMATORS.get(name) is not type(estimator):
        raise TypeError(
            f"skrnn.save stores skrnn's estimators ({', '.join(_ESTIMATORS)}); got "
            f"{type(estimator).__name__!r}. Save a pipeline's skrnn step on its own."
        )
    check_is_fitted(estimator)
    tensors = {}
    document = {
        "format": "skrnn",
        "format_version": FORMAT_VERSION,
        "skrnn_version": _package_version(),
        "torch_version": torch.__version__,
        "estimator": name,
        "params": _encode_params(estimator.get_params(deep=False)),
        "fitted": _encode_fitted(estimator, tensors),
    }
    net = estimator.net_
    _add_state(tensors, "module.", net.module_.state_dict())
    _add_state(tensors, "criterion.", net.criterion_.state_dict())
    document["optimizer"] = _encode_optimizer(net.optimizer_.state_dict(), tensors)
    document["history"] = _json_ready(list(net.history), "the training history")
    document["random_stream"] = _encode_random_stream(estimator, tensors)
    text = json.dumps(document, allow_nan=True, sort_keys=True)
    metadata = {"format": "skrnn", "skrnn": text, "sha256": _digest(text, tensors)}
    data = safetensors.torch.save(tensors, metadata=metadata)
    return _write_atomically(Path(path), data)


def _package_version():
    from . import __version__

    return __version__


def _encode_params(params):
    encoded = {}
    for key, value in params.items():
        if key == "callbacks":
            if value:
                raise ValueError(
                    f"callbacks={value!r} holds skorch callbacks, which are code: "
                    "skrnn.save never stores code, so that loading a file cannot run "
                    "any. Call estimator.set_params(callbacks=None) before saving "
                    "(they only act during training; predictions do not change) and "
                    "pass them again after loading if you train further."
                )
            encoded[key] = value
        elif key == "optimizer" and isinstance(value, type):
            if getattr(torch.optim, value.__name__, None) is not value or not (
                issubclass(value, torch.optim.Optimizer)
            ):
                raise ValueError(
                    f"optimizer={value!r} is not one of torch.optim's optimizers, "
                    "and skrnn.save stores an optimizer class only by its name in "
                    "torch.optim (loading never imports other code). Use a "
                    "torch.optim optimizer or one of 'adam', 'adamw', 'sgd', "
                    "'rmsprop'."
                )
            encoded[key] = {"torch.optim": value.__name__}
        elif isinstance(value, dict):
            encoded[key] = {
                "items": [
                    [_scalar(k, f"a key of {key}"), _scalar(v, f"a value of {key}")]
                    for k, v in value.items()
                ]
            }
        elif isinstance(value, np.random.RandomState):
            raise ValueError(
                "random_state is a RandomState instance, whose state this format "
                "does not store. Call estimator.set_params(random_state=<int or "
                "None>) before saving; it only affects later fits."
            )
        else:
            encoded[key] = _scalar(value, f"the parameter {key}")
    return encoded


def _scalar(value, what):
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(
        f"{what} is {value!r} of type {type(value).__name__}, which skrnn.save "
        "cannot store as JSON. Use numbers, strings, booleans or None."
    )


def _encode_fitted(estimator, tensors):
    attributes = vars(estimator)
    unknown = set(attributes) - set(estimator.get_params(deep=False))
    unknown -= set(_FITTED) | _REBUILT | _IGNORED
    if unknown:
        raise ValueError(
            f"{type(estimator).__name__} has attributes {sorted(unknown)} that "
            "skrnn.save does not know how to store; saving without them would "
            "change the model. Remove them, or report this as a bug of skrnn."
        )
    fitted = {}
    for key, kind in _FITTED.items():
        if key not in attributes:
            continue
        value = attributes[key]
        if kind == "array":
            tensors[f"fitted.{key}"] = torch.as_tensor(np.asarray(value, np.float64))
            continue
        if kind == "labels":
            value = _encode_labels(value)
        elif kind == "names":
            value = [str(v) for v in value]
        elif kind == "dtype":
            value = np.dtype(value).name
        elif kind in ("int", "bool"):
            value = value.item() if isinstance(value, np.generic) else value
        elif kind.startswith("float"):
            value = _json_ready(value, key)
        fitted[key] = value
    return fitted


def _encode_labels(classes):
    classes = np.asarray(classes)
    values = classes.tolist()
    if classes.dtype.kind not in "biufUO" or not all(
        isinstance(v, (bool, int, float, str)) for v in values
    ):
        raise ValueError(
            f"classes_ of dtype {classes.dtype} cannot be stored as JSON; use "
            "numbers or strings as labels."
        )
    return {"dtype": classes.dtype.str, "values": values}


def _add_state(tensors, prefix, state):
    for key, value in state.items():
        tensors[prefix + key] = value.detach().cpu().contiguous()


def _encode_optimizer(state_dict, tensors):
    other = {}
    for index, entry in state_dict["state"].items():
        for key, value in entry.items():
            if torch.is_tensor(value):
                tensors[f"optimizer.{index}.{key}"] = value.detach().cpu().contiguous()
            else:
                other.setdefault(str(index), {})[key] = _json_ready(
                    value, "the optimizer state"
                )
    return {
        "param_groups": _json_ready(state_dict["param_groups"], "the optimizer"),
        "state": other,
    }


def _encode_random_stream(estimator, tensors):
    stream = getattr(estimator, "_random_stream", None)
    if stream is None:
        return None
    kind, keys, position, has_gauss, cached = stream.get_state(legacy=True)
    tensors["random_stream.keys"] = torch.as_tensor(keys.astype(np.int64))
    return {"position": int(position), "has_gauss": int(has_gauss), "cached": cached}


def _json_ready(value, what):
    """``value`` with numpy scalars and tuples turned into JSON types."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _json_ready(v, what) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v, what) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(
        f"{what} holds {value!r} of type {type(value).__name__}, which skrnn.save "
        "cannot store as JSON."
    )


def _digest(text, tensors):
    """SHA-256 of the JSON document and every tensor's name, type, shape, bytes."""
    digest = hashlib.sha256(text.encode("utf-8"))
    for key in sorted(tensors):
        tensor = tensors[key]
        digest.update(f"\0{key}\0{tensor.dtype}\0{tuple(tensor.shape)}\0".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def _write_atomically(path, data):
    # A crash while writing must not leave a half-written file under `path`.
    directory = path.parent if str(path.parent) else Path(".")
    handle, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# -- loading -------------------------------------------------------------------------


def load(path, *, device=None):
    """Load an estimator written by :func:`save`.

    Nothing in the file is executed: it is read as JSON and raw tensors, the
    estimator class is looked up among skrnn's own, and an optimizer class only
    by name in :mod:`torch.optim`.

    Parameters
    ----------
    path : str or path-like
        File written by :func:`save`.

    device : str, default=None
        Torch device to place the network on (``'cpu'``, ``'cuda'``, ...),
        stored as the estimator's ``device`` parameter. ``None`` keeps the
        saved one.

    Returns
    -------
    estimator : RNNClassifier, RNNRegressor or SequenceTagger
        The fitted estimator. It predicts exactly as the saved one did and can
        keep training with ``warm_start=True`` or ``partial_fit`` (the optimizer
        state is restored; a learning-rate schedule starts afresh).

    Raises
    ------
    ValueError
        If the file is not a skrnn model, is truncated or altered, was written
        by a newer format version, or its weights do not fit the network its
        JSON describes.
    """
    path = Path(path)
    data = path.read_bytes()
    metadata = _read_metadata(data, path)
    text = metadata.get("skrnn")
    if not isinstance(text, str):
        raise ValueError(f"{path} has no skrnn document: {_NOT_OURS}")
    # The version first: a newer format may store its content differently.
    document = _parse(text, path)
    _check_version(document, path)
    try:
        tensors = safetensors.torch.load(data)
    except (safetensors.SafetensorError, ValueError, RuntimeError) as exc:
        raise ValueError(
            f"{path} is truncated or corrupted: its tensors cannot be read ({exc}). "
            "Save the model again, or get an intact copy of the file."
        ) from exc
    bad = sorted(
        k
        for k, t in tensors.items()
        if t.dtype not in _TENSOR_DTYPES or not k.startswith(_TENSOR_PREFIXES)
    )
    if bad:
        raise ValueError(
            f"{path} holds tensors skrnn never writes ({bad}): it was "
            f"altered or not written by skrnn.save. {_GET_INTACT}"
        )
    if metadata.get("sha256") != _digest(text, tensors):
        raise ValueError(
            f"{path} was altered or corrupted after it was saved: its checksum "
            f"does not match its content. {_GET_INTACT}"
        )
    return _rebuild(document, tensors, path, device)


_NOT_OURS = (
    "skrnn.load reads only files written by skrnn.save. A pickle or joblib "
    "file must be loaded with pickle/joblib, and only if you trust its source, "
    "since unpickling runs code."
)
_GET_INTACT = "Save the model again, or get an intact copy of the file."


def _read_metadata(data, path):
    if len(data) < 8:
        raise ValueError(
            f"{path} is truncated: it holds {len(data)} bytes, fewer than a "
            f"header. {_GET_INTACT}"
        )
    size = int.from_bytes(data[:8], "little")
    if size > len(data) - 8:
        # safetensors headers are under 100 MB: a larger size, or a pickle's or
        # zip's signature, means another kind of file rather than a cut one.
        if size > 100_000_000 or _kind_of_file(data) != _GENERIC:
            raise ValueError(f"{path} is {_kind_of_file(data)}. {_NOT_OURS}")
        raise ValueError(
            f"{path} is truncated: its header announces {size} bytes, but only "
            f"{len(data) - 8} follow. {_GET_INTACT}"
        )
    try:
        header = json.loads(data[8 : 8 + size])
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(
            f"{path} is {_kind_of_file(data)}: its header is not JSON ({exc}). "
            f"{_NOT_OURS}"
        ) from exc
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    if not isinstance(metadata, dict) or metadata.get("format") != "skrnn":
        raise ValueError(f"{path} is not a skrnn model file. {_NOT_OURS}")
    return metadata


def _kind_of_file(data):
    if data[:1] == b"\x80":
        return "a pickle file, not a skrnn model file"
    if data[:2] == b"PK":
        return "a zip archive (torch.save or joblib?), not a skrnn model file"
    return _GENERIC


_GENERIC = "corrupted or not a skrnn model file"


def _parse(text, path):
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{path} is corrupted: {exc}. {_GET_INTACT}") from exc
    if not isinstance(document, dict):
        raise ValueError(f"{path} is corrupted: its document is not a JSON object.")
    return document


def _check_version(document, path):
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(
            f"{path} has an invalid format version {version!r}; it was not written "
            "by skrnn.save."
        )
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by skrnn {document.get('skrnn_version')!r} in "
            f"format version {version}, but this skrnn ({_package_version()}) "
            f"reads format version {FORMAT_VERSION} and older. Upgrade skrnn "
            "(pip install --upgrade skrnn) to load it."
        )


def _rebuild(document, tensors, path, device):
    name = document.get("estimator")
    cls = _ESTIMATORS.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(
            f"{path} names the estimator {name!r}, which is not one of skrnn's "
            f"({', '.join(_ESTIMATORS)}); it was altered or written by another "
            "library."
        )
    params = _decode_params(document.get("params"), path)
    if device is not None:
        params["device"] = device
    try:
        estimator = cls(**params)
        validate_parameters(estimator)
        estimator._check_params_consistency()
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{path} holds hyperparameters that {name} of this skrnn "
            f"({_package_version()}) does not accept: {exc}. Load it with the "
            f"skrnn version that saved it ({document.get('skrnn_version')!r})."
        ) from exc
    _decode_fitted(estimator, document.get("fitted"), tensors, path)
    estimator.net_ = _rebuild_net(estimator, document, tensors, path)
    estimator._random_stream = _decode_random_stream(
        document.get("random_stream"), tensors, path
    )
    return estimator


def _decode_params(encoded, path):
    if not isinstance(encoded, dict):
        raise ValueError(f"{path} is corrupted: it has no hyperparameters.")
    params = {}
    for key, value in encoded.items():
        if isinstance(value, dict) and set(value) == {"torch.optim"}:
            params[key] = _optimizer_class(value["torch.optim"], path)
        elif isinstance(value, dict) and set(value) == {"items"}:
            try:
                params[key] = {k: v for k, v in value["items"]}
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{path} holds an invalid {key}: {exc}.") from exc
        elif value is None or value == [] or isinstance(value, (bool, int, float, str)):
            params[key] = value
        else:
            raise ValueError(f"{path} holds an invalid hyperparameter {key}={value!r}.")
    return params


def _optimizer_class(name, path):
    # Looked up by name in torch.optim only: a file never decides what to import.
    candidate = getattr(torch.optim, name, None) if isinstance(name, str) else None
    if not (
        isinstance(candidate, type)
        and issubclass(candidate, torch.optim.Optimizer)
        and candidate is not torch.optim.Optimizer
    ):
        raise ValueError(
            f"{path} names the optimizer {name!r}, which is not an optimizer of "
            "torch.optim; skrnn.load only accepts torch.optim classes."
        )
    return candidate


def _decode_fitted(estimator, fitted, tensors, path):
    if not isinstance(fitted, dict):
        raise ValueError(f"{path} is corrupted: it has no fitted attributes.")
    unknown = set(fitted) - set(_FITTED)
    if unknown:
        raise ValueError(
            f"{path} holds fitted attributes {sorted(unknown)} that this skrnn does "
            "not know; it was written by another version. Load it with the skrnn "
            "version that saved it."
        )
    for key, kind in _FITTED.items():
        if kind == "array":
            tensor = tensors.get(f"fitted.{key}")
            if tensor is not None:
                if tensor.dtype != torch.float64 or tensor.ndim != 1:
                    raise ValueError(f"{path} holds an invalid {key}.")
                setattr(estimator, key, tensor.numpy().copy())
            continue
        if key not in fitted:
            continue
        try:
            setattr(estimator, key, _decode_value(kind, fitted[key]))
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{path} holds an invalid {key}={fitted[key]!r}: {exc}. {_GET_INTACT}"
            ) from exc
    required = ["_dtype", "n_iter_", "loss_curve_"]
    if isinstance(estimator, RNNRegressor):
        required += ["target_mean_", "target_scale_"]
    else:
        required += ["classes_"]
    missing = [key for key in required if not hasattr(estimator, key)]
    if missing:
        raise ValueError(f"{path} lacks the fitted attributes {missing}. {_GET_INTACT}")
    for first, second in [
        ("input_mean_", "n_step_features_"),
        ("input_scale_", "n_step_features_"),
        ("target_scale_", "target_mean_"),
    ]:
        if hasattr(estimator, first) and len(getattr(estimator, first)) != _size(
            getattr(estimator, second, None)
        ):
            raise ValueError(
                f"{path} is inconsistent: {first} does not match {second}. "
                f"{_GET_INTACT}"
            )


def _size(value):
    if value is None:
        return -1
    return value if isinstance(value, int) else len(value)


def _decode_value(kind, value):
    def expect(ok, what):
        if not ok:
            raise TypeError(f"expected {what}")

    if kind == "int":
        expect(isinstance(value, int) and not isinstance(value, bool), "an integer")
        return value
    if kind == "bool":
        expect(isinstance(value, bool), "a boolean")
        return value
    if kind == "float_or_none":
        expect(value is None or _is_number(value), "a number or null")
        return value
    if kind.startswith("floats"):
        if value is None and kind == "floats_or_none":
            return None
        expect(isinstance(value, list), "a list of numbers")
        expect(all(v is None or _is_number(v) for v in value), "a list of numbers")
        return value
    if kind == "dtype":
        expect(value in ("float32", "float64"), "'float32' or 'float64'")
        return np.dtype(value).type
    if kind == "input_kind":
        expect(value in ("tokens", "numbers"), "'tokens' or 'numbers'")
        return value
    if kind == "names":
        expect(isinstance(value, list), "a list of strings")
        expect(all(isinstance(v, str) for v in value), "a list of strings")
        return np.asarray(value, dtype=object)
    if kind == "chars":
        return _decode_vocabulary(value)
    if kind == "vocabularies":
        if value is None:
            return None
        expect(isinstance(value, list) and value, "a list of vocabularies")
        return [_decode_vocabulary(v) for v in value]
    if kind == "labels":
        expect(isinstance(value, dict) and set(value) == {"dtype", "values"}, "labels")
        dtype = np.dtype(value["dtype"])
        expect(dtype.kind in "biufUO", "labels of a numeric or string dtype")
        expect(isinstance(value["values"], list), "a list of labels")
        expect(
            all(isinstance(v, (bool, int, float, str)) for v in value["values"]),
            "labels that are numbers or strings",
        )
        classes = np.array(value["values"], dtype=dtype)
        expect(classes.ndim == 1 and classes.tolist() == value["values"], "labels")
        return classes
    raise AssertionError(kind)


def _decode_vocabulary(value):
    if not (
        isinstance(value, dict)
        and all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 2
            for v in value.values()
        )
    ):
        raise TypeError("expected a vocabulary mapping strings to ids >= 2")
    return value


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _n_outputs(estimator):
    if isinstance(estimator, RNNRegressor):
        return len(estimator.target_mean_)
    return len(estimator.classes_)


def _rebuild_net(estimator, document, tensors, path):
    try:
        device = _resolve_device(estimator.device)
    except ValueError as exc:
        raise ValueError(
            f"{exc} The model in {path} was saved with device="
            f"{estimator.device!r}; pass device='cpu' to skrnn.load to load it here."
        ) from exc
    if getattr(estimator, "_input_kind", "numbers") == "tokens":
        shape_of = None  # token input: the embedder sets the recurrent input size
    else:
        if not hasattr(estimator, "n_step_features_"):
            raise ValueError(f"{path} lacks n_step_features_. {_GET_INTACT}")
        # _build_net reads the number of features per step from this shape.
        shape_of = Sequences(
            np.empty((0, 1, estimator.n_step_features_), estimator._dtype),
            np.empty(0, np.int64),
            "array",
        )
    try:
        net = estimator._build_net(
            shape_of, _n_outputs(estimator), device, check_random_state(0)
        )
        net.module_.load_state_dict(_with_prefix(tensors, "module."), strict=True)
        net.criterion_.load_state_dict(_with_prefix(tensors, "criterion."), strict=True)
    except (RuntimeError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(
            f"The weights in {path} do not fit the network its JSON describes "
            f"({type(estimator).__name__} with {_architecture(estimator)}): "
            f"{_one_line(exc)}. "
            "The file was altered or assembled from two models; save the model "
            "again from the fitted estimator."
        ) from exc
    _load_optimizer(net, document.get("optimizer"), tensors, path)
    history = document.get("history")
    if not isinstance(history, list) or not all(isinstance(r, dict) for r in history):
        raise ValueError(f"{path} holds an invalid training history. {_GET_INTACT}")
    net.history = type(net.history)(history)
    net.train_split = None
    net.module_.eval()
    return net


def _one_line(exc):
    return " ".join(str(exc).split()).rstrip(". ")


def _architecture(estimator):
    keys = ("cell", "hidden_size", "num_layers", "bidirectional")
    return ", ".join(f"{k}={getattr(estimator, k)!r}" for k in keys)


def _with_prefix(tensors, prefix):
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}


def _load_optimizer(net, encoded, tensors, path):
    if not isinstance(encoded, dict) or not isinstance(
        encoded.get("param_groups"), list
    ):
        raise ValueError(f"{path} holds an invalid optimizer state. {_GET_INTACT}")
    state = {}
    try:
        for key, tensor in _with_prefix(tensors, "optimizer.").items():
            index, _, name = key.partition(".")
            state.setdefault(int(index), {})[name] = tensor
        for index, entries in (encoded.get("state") or {}).items():
            state.setdefault(int(index), {}).update(entries)
        net.optimizer_.load_state_dict(
            {"state": state, "param_groups": encoded["param_groups"]}
        )
    except (RuntimeError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(
            f"The optimizer state in {path} does not fit the network: {exc}. "
            f"{_GET_INTACT}"
        ) from exc


def _decode_random_stream(encoded, tensors, path):
    stream = np.random.RandomState()
    if encoded is None:
        return stream
    keys = tensors.get("random_stream.keys")
    try:
        if keys is None or keys.dtype != torch.int64:
            raise ValueError("no key tensor")
        keys = keys.numpy()
        if (keys < 0).any() or (keys >= 2**32).any():
            raise ValueError("keys out of range")
        stream.set_state(
            (
                "MT19937",
                keys.astype(np.uint32),
                int(encoded["position"]),
                int(encoded["has_gauss"]),
                float(encoded["cached"]),
            )
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{path} holds an invalid random stream ({exc}). {_GET_INTACT}"
        ) from exc
    return stream


# -- export ----------------------------------------------------------------------------


def export(estimator, path=None, *, max_length=None):
    """Export a fitted classifier or regressor as a :mod:`torch.export` program.

    The program runs without skrnn, scikit-learn or skorch: load it with
    ``torch.export.load(path).module()`` (or compile it with AOTInductor). It is
    a deployment artefact, not a format to share: :func:`torch.export.load` may
    fall back to unpickling parts of the archive, so load only your own; share
    models with :func:`save`.

    Input contract: ``program(values, lengths)``

    - ``values``: float tensor of shape ``(batch, max_length, n_step_features_)``
      in the estimator's training dtype (float32 when it was fitted on float32
      input, else float64), in the original units: the input standardisation
      (``input_mean_``, ``input_scale_``) is applied inside. Sequence ``i``
      occupies steps ``0 .. lengths[i] - 1``; later steps are padding, whose
      values (zeros, NaN, anything) are ignored. ``batch`` may be any size >= 1,
      but every batch must be padded to exactly ``max_length`` steps.
    - ``lengths``: int64 tensor of shape ``(batch,)`` with ``1 <= lengths[i] <=
      max_length``; other values give meaningless results (a program cannot
      raise on data).

    Output: for :class:`~skrnn.RNNClassifier`, float64 class probabilities of
    shape ``(batch, n_classes)`` in the order of ``classes_`` (as
    ``predict_proba``); for :class:`~skrnn.RNNRegressor`, float64 predictions in
    the original units (the target scaling is applied inside) of shape ``(batch,
    n_outputs)``, or ``(batch, max_length, n_outputs)`` with NaN on padding when
    ``return_sequences=True``. The output axis is kept even for one target.
    The JSON file ``skrnn.json`` inside the archive records this contract and
    the classes (read it with ``torch.export.load(path, extra_files={"skrnn.json":
    ""})``).

    Why :mod:`torch.export` and why a fixed ``max_length``: the program runs the
    estimator's own encoder path for batches of unequal lengths
    (``RecurrentEncoder.forward_padded``, which has no data-dependent branch):
    the recurrence runs on the padded batch and reads each sequence at its own
    end; the backward direction of a bidirectional network reads each sequence
    reversed within its own length, so padding never reaches a real step. Packing
    could not be exported (dynamo skips ``pack_padded_sequence``). Results equal
    ``predict_proba`` / ``predict`` up to float rounding (the test suite checks
    it on sequences of different lengths, 1 included). The number of steps is
    fixed because exporting torch's LSTM, GRU and RNN specialises it;
    :func:`torch.jit.trace` would keep it dynamic but is deprecated in current
    torch, and :func:`torch.onnx.export` now goes through :mod:`torch.export`
    too and would add ``onnx`` as a dependency.

    A :class:`~skrnn.SequenceTagger` exports its network up to per-step label
    probabilities (softmax, or the CRF's marginals with ``crf=True``): see
    :func:`_export_tagger` for its input contract. Vocabulary lookup (strings
    to ids) stays outside the program, as tokenisation does.

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor or SequenceTagger
        Fitted estimator.

    path : str or path-like, default=None
        Where to write the program (``*.pt2``) with :func:`torch.export.save`;
        ``None`` writes nothing.

    max_length : int, default=None
        Number of steps every input batch is padded to. Default: the number of
        steps of a model fitted on a 2-D array (the only length it accepts);
        required otherwise.

    Returns
    -------
    program : torch.export.ExportedProgram
        Call ``program.module()(values, lengths)``.
    """
    if isinstance(estimator, SequenceTagger):
        return _export_tagger(estimator, path, max_length)
    if not isinstance(estimator, (RNNClassifier, RNNRegressor)):
        raise TypeError(
            f"skrnn.export exports RNNClassifier, RNNRegressor and SequenceTagger; "
            f"got {type(estimator).__name__!r}."
        )
    check_is_fitted(estimator)
    if max_length is None:
        if not getattr(estimator, "_fitted_on_table", False):
            raise ValueError(
                "max_length is required: an exported program takes batches padded "
                "to a fixed number of steps. Pass the longest sequence length the "
                "program will see, for example max_length=100."
            )
        max_length = estimator.n_features_in_
    max_length = _check_max_length(max_length)
    wrapper = _DeployedNetwork(estimator).eval()
    # An inference program: its outputs need no gradient.
    wrapper.requires_grad_(False)
    dtype = torch.float32 if estimator._dtype == np.float32 else torch.float64
    values = torch.zeros(2, max_length, estimator.n_step_features_, dtype=dtype)
    lengths = torch.tensor([max_length, 1], dtype=torch.int64)
    batch = torch.export.Dim("batch", min=1)
    with torch.no_grad(), warnings.catch_warnings():
        # nn.RNN refreshes its list of weights during export; the list holds
        # the registered parameters, so the warning about it does not apply.
        warnings.filterwarnings("ignore", message=".*_flat_weights")
        program = torch.export.export(
            wrapper,
            (values, lengths),
            dynamic_shapes={"values": {0: batch}, "lengths": {0: batch}},
        )
    if path is not None:
        contract = {
            "estimator": type(estimator).__name__,
            "format_version": FORMAT_VERSION,
            "skrnn_version": _package_version(),
            "inputs": {
                "values": {
                    "dtype": str(dtype).replace("torch.", ""),
                    "shape": ["batch", max_length, estimator.n_step_features_],
                    "units": "original (standardised inside)",
                },
                "lengths": {"dtype": "int64", "shape": ["batch"]},
            },
            "output": "probabilities"
            if isinstance(estimator, RNNClassifier)
            else "predictions",
        }
        if isinstance(estimator, RNNClassifier):
            contract["classes"] = _encode_labels(estimator.classes_)
        torch.export.save(
            program, os.fspath(path), extra_files={"skrnn.json": json.dumps(contract)}
        )
    return program


class _DeployedNetwork(nn.Module):
    """Input scaling, network and output transform of a fitted estimator."""

    def __init__(self, estimator):
        super().__init__()
        # A copy on the CPU: exporting must not move or change the estimator.
        # The whole network, so that its folded input standardisation
        # (input_affine) comes along with its buffers.
        self.network = copy.deepcopy(estimator.net_.module_).cpu()
        self.classifier = isinstance(estimator, RNNClassifier)
        if not self.classifier:
            self.register_buffer(
                "target_mean",
                torch.as_tensor(estimator.target_mean_, dtype=torch.float64),
            )
            self.register_buffer(
                "target_scale",
                torch.as_tensor(estimator.target_scale_, dtype=torch.float64),
            )

    def forward(self, values, lengths):
        network = self.network
        inside = step_mask(lengths, values.shape[1])[..., None]
        # The contract lets padding hold anything (NaN): it must not reach a
        # readout that pools over steps.
        values = torch.where(inside, values, torch.zeros_like(values))
        outputs, last = network.encoder.forward_padded(
            values, lengths, network.input_affine()
        )
        if network.per_step:
            features = outputs
        else:
            features = network.readout(outputs, last, lengths)
        raw = network.head(features).to(torch.float64)
        if self.classifier:
            return torch.softmax(raw, dim=-1)
        predictions = raw * self.target_scale + self.target_mean
        if network.per_step:
            predictions = torch.where(
                inside, predictions, torch.full_like(predictions, math.nan)
            )
        return predictions


TAGGER_CHARS = 30  # width of the character table an exported tagger takes


def _check_max_length(max_length):
    if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)):
        raise TypeError(f"max_length must be an int >= 1; got {max_length!r}.")
    if max_length < 1:
        raise ValueError(f"max_length must be an int >= 1; got {max_length!r}.")
    return int(max_length)


def _export_tagger(estimator, path, max_length):
    """Export a fitted :class:`~skrnn.SequenceTagger` (see :func:`export`).

    Input contract for token input: ``program(ids, word_types, chars, lengths)``

    - ``ids``: int64 ``(batch, max_length, n_fields)``, the vocabulary id of
      each field of each token (``estimator.vocabularies_[k].get(value, 1)``,
      the word field lower-cased when ``lowercase=True``; 0 on padding);
    - ``word_types``: int64 ``(batch, max_length)``, the row of ``chars`` that
      holds each token's word;
    - ``chars``: int64 ``(n_words, 30)``, character ids of each distinct word
      (from the character vocabulary, 1 for unknown characters, 0 after the
      word's end; words cut at 30 characters);
    - ``lengths``: int64 ``(batch,)``, ``1 <= lengths[i] <= max_length``.

    For numeric input: ``program(values, lengths)`` as for the other
    estimators. Output: float64 ``(batch, max_length, n_classes)`` per-step
    probabilities in the order of ``classes_`` (CRF marginals with
    ``crf=True``), 0 on padding; equal to ``predict_proba`` up to rounding.
    ``skrnn.tagger_inputs(estimator, X, max_length)`` builds the token inputs.
    """
    check_is_fitted(estimator)
    if max_length is None:
        raise ValueError(
            "max_length is required: an exported program takes batches padded "
            "to a fixed number of steps, for example max_length=100."
        )
    max_length = _check_max_length(max_length)
    tokens = estimator._input_kind == "tokens"
    wrapper = (_DeployedTokenTagger if tokens else _DeployedNumericTagger)(estimator)
    wrapper.eval()
    wrapper.requires_grad_(False)
    batch = torch.export.Dim("batch", min=1)
    if tokens:
        n_fields = len(estimator.vocabularies_)
        example = (
            torch.ones(2, max_length, n_fields, dtype=torch.int64),
            torch.zeros(2, max_length, dtype=torch.int64),
            torch.ones(3, TAGGER_CHARS, dtype=torch.int64),
            torch.tensor([max_length, 1], dtype=torch.int64),
        )
        dynamic = {
            "ids": {0: batch},
            "word_types": {0: batch},
            "chars": {0: torch.export.Dim("words", min=1)},
            "lengths": {0: batch},
        }
    else:
        dtype = torch.float32 if estimator._dtype == np.float32 else torch.float64
        example = (
            torch.zeros(2, max_length, estimator.n_step_features_, dtype=dtype),
            torch.tensor([max_length, 1], dtype=torch.int64),
        )
        dynamic = {"values": {0: batch}, "lengths": {0: batch}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*_flat_weights")
        program = torch.export.export(wrapper, example, dynamic_shapes=dynamic)
    if path is not None:
        contract = {
            "estimator": "SequenceTagger",
            "format_version": FORMAT_VERSION,
            "skrnn_version": _package_version(),
            "max_length": max_length,
            "input": "tokens" if tokens else "numbers",
            "output": "per-step probabilities",
            "classes": _encode_labels(estimator.classes_),
        }
        torch.export.save(
            program, os.fspath(path), extra_files={"skrnn.json": json.dumps(contract)}
        )
    return program


def tagger_inputs(estimator, X, max_length):
    """Token inputs of an exported tagger for token sequences ``X``.

    Returns ``(ids, word_types, chars, lengths)`` tensors as the program
    exported by :func:`export` takes them, padded to ``max_length`` steps.
    """
    from ._data import encode_tokens, token_fields
    from ._tagger import MAX_WORD_LENGTH

    tokens = encode_tokens(
        token_fields(X),
        estimator.vocabularies_,
        estimator._chars,
        max_word_length=MAX_WORD_LENGTH,
        lowercase=estimator.lowercase,
    )
    max_length = _check_max_length(max_length)
    pad = max_length - tokens.ids.shape[1]
    if pad < 0:
        raise ValueError(
            f"X holds a sequence of {tokens.ids.shape[1]} tokens, longer than "
            f"max_length={max_length}: export the tagger with a larger max_length "
            "or split the sequence."
        )
    ids = np.pad(tokens.ids, ((0, 0), (0, pad), (0, 0)))
    word_types = np.pad(tokens.word_types, ((0, 0), (0, pad)))
    chars = np.pad(
        tokens.type_chars, ((0, 0), (0, TAGGER_CHARS - tokens.type_chars.shape[1]))
    )
    return (
        torch.from_numpy(ids),
        torch.from_numpy(word_types),
        torch.from_numpy(chars),
        torch.from_numpy(tokens.lengths),
    )


class _DeployedTagger(nn.Module):
    """Embedding or input scaling, recurrence, head and CRF of a fitted tagger."""

    def __init__(self, estimator):
        super().__init__()
        # The whole network, so that its folded input standardisation
        # (input_affine) comes along with its buffers.
        self.network = copy.deepcopy(estimator.net_.module_).cpu()
        self.crf = (
            copy.deepcopy(estimator.net_.criterion_.crf).cpu()
            if estimator.crf
            else None
        )

    def _probabilities(self, values, lengths):
        network = self.network
        outputs, _ = network.encoder.forward_padded(
            values, lengths, network.input_affine()
        )
        emissions = network.head(outputs)
        inside = step_mask(lengths, values.shape[1])[..., None]
        if self.crf is not None:
            proba = self.crf.marginals(emissions, lengths)
        else:
            proba = torch.softmax(emissions.to(torch.float64), dim=-1)
        proba = proba.to(torch.float64)
        return torch.where(inside, proba, torch.zeros_like(proba))


class _DeployedTokenTagger(_DeployedTagger):
    def forward(self, ids, word_types, chars, lengths):
        embedded = self.network.embedder(ids, word_types, chars)
        return self._probabilities(embedded, lengths)


class _DeployedNumericTagger(_DeployedTagger):
    def forward(self, values, lengths):
        inside = step_mask(lengths, values.shape[1])[..., None]
        values = torch.where(inside, values, torch.zeros_like(values))
        return self._probabilities(values, lengths)
