"""Saving and loading fitted estimators.

:func:`save` writes a fitted estimator to one `safetensors
<https://huggingface.co/docs/safetensors>`_ file: the tensors (network and CRF
weights, optimizer state, input and target scaling) are raw little-endian arrays,
and everything else (the estimator's class name and hyperparameters, classes,
vocabularies, training history, format version) is one JSON document stored in the
file's ``__metadata__``. :func:`load` reads it back without running any code from
the file: no pickle, no ``torch.load``, no import of a name the file chooses. The
only class a file can name is one of skrnn's estimators, and the only
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

Which fitted attributes exist, and how each is stored, is declared by each
estimator (``_fitted_attributes``, ``_required_attributes``, ``_n_outputs``);
this module loops over those declarations. Export lives in :mod:`._export`.
"""

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import safetensors
import safetensors.torch
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._anomaly import RNNAnomalyDetector
from ._classifier import RNNClassifier
from ._compat import validate_parameters
from ._data import Sequences
from ._device import resolve_device
from ._forecaster import RNNForecaster
from ._regressor import RNNRegressor
from ._tagger import SequenceTagger
from ._translator import SequenceTranslator

#: Version of the file layout; bumped when a file written now could not be read
#: correctly by an older :func:`load`. Version 2: the convolutional front end
#: reads each series twice (as given and normalised per sequence), its
#: convolutions have no bias, and the head reads each series' level and scale,
#: so its weights have other shapes.
FORMAT_VERSION = 2

_ESTIMATORS = {
    cls.__name__: cls
    for cls in (
        RNNClassifier,
        RNNRegressor,
        SequenceTagger,
        RNNForecaster,
        SequenceTranslator,
        RNNAnomalyDetector,
    )
}

_TENSOR_DTYPES = {torch.float32, torch.float64, torch.int64, torch.bool}
_TENSOR_PREFIXES = ("module.", "criterion.", "optimizer.", "fitted.", "random_stream.")

# Rebuilt from the file in another form (the network, the partial_fit stream).
_REBUILT = {"net_", "_random_stream"}
# scikit-learn's own configuration, set by set_output / set_*_request.
_IGNORED = {"_sklearn_output_config", "_metadata_request"}


# -- saving -------------------------------------------------------------------------


def save(estimator, path):
    """Save a fitted estimator to a file that loads without running code.

    Parameters
    ----------
    estimator : fitted skrnn estimator
        A fitted :class:`~skrnn.RNNClassifier`, :class:`~skrnn.RNNRegressor`,
        :class:`~skrnn.SequenceTagger`, :class:`~skrnn.RNNForecaster`,
        :class:`~skrnn.SequenceTranslator` or :class:`~skrnn.RNNAnomalyDetector`,
        whose hyperparameters that build the network are still those it was
        fitted with. Its hyperparameters must be plain values: skorch
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
    # The file describes the network by the hyperparameters: they must be
    # the ones it was built from (dropout has no weights to mismatch).
    estimator._check_same_network("skrnn.save stores", skip=("dropout", "word_dropout"))
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
        elif key == "tokenizer" and value is not None:
            raise ValueError(
                f"tokenizer={value!r} is a function: skrnn.save never stores "
                "code, so that loading a file cannot run any, and a model without "
                "its tokenizer would read documents differently. Use the built-in "
                "tokenizers (token_pattern, analyzer='char') for a model you "
                "save, or pickle the estimator if you trust everyone who loads it."
            )
        elif key == "word_vectors" and value is not None:
            if not isinstance(value, (str, os.PathLike)):
                raise ValueError(
                    f"word_vectors is a {type(value).__name__} mapping, which "
                    "skrnn.save does not store: the vectors are in the fitted "
                    "weights already. Call estimator.set_params(word_vectors=None) "
                    "before saving (predictions do not change), or pass the path "
                    "of the vectors file instead."
                )
            encoded[key] = os.fspath(value)
        elif isinstance(value, dict):
            encoded[key] = {
                "items": [
                    [_scalar(k, f"a key of {key}"), _scalar(v, f"a value of {key}")]
                    for k, v in value.items()
                ]
            }
        elif isinstance(value, (list, tuple)) and key != "callbacks":
            # Levels such as the forecaster's quantiles.
            encoded[key] = {
                "sequence": [_scalar(v, f"a value of {key}") for v in value]
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
    unknown -= set(estimator._fitted_attributes) | _REBUILT | _IGNORED
    if unknown:
        raise ValueError(
            f"{type(estimator).__name__} has attributes {sorted(unknown)} that "
            "skrnn.save does not know how to store; saving without them would "
            "change the model. Remove them, or report this as a bug of skrnn."
        )
    fitted = {}
    for key, kind in estimator._fitted_attributes.items():
        if key not in attributes:
            continue
        value = attributes[key]
        if kind in ("array", "tensor"):
            tensors[f"fitted.{key}"] = torch.as_tensor(np.asarray(value, np.float64))
        elif kind == "labels":
            fitted[key] = _encode_labels(value)
        elif kind == "names":
            fitted[key] = [str(v) for v in value]
        elif kind == "dtype":
            fitted[key] = np.dtype(value).name
        else:
            fitted[key] = _json_ready(value, key)
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
    if not directory.is_dir():
        raise FileNotFoundError(
            f"Cannot write {str(path)!r}: the folder {str(directory)!r} does not "
            "exist. Create it first (Path(...).mkdir(parents=True))."
        )
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
    estimator : skrnn estimator
        The fitted estimator, of the saved one's class. It predicts exactly as
        the saved one did and can keep training with ``warm_start=True`` or
        ``partial_fit`` (the optimizer state is restored; a learning-rate
        schedule starts afresh).

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
        elif isinstance(value, dict) and set(value) == {"sequence"}:
            if not isinstance(value["sequence"], list):
                raise ValueError(f"{path} holds an invalid {key}: {value!r}.")
            params[key] = tuple(value["sequence"])
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
    declared = estimator._fitted_attributes
    arrays = {k.removeprefix("fitted.") for k in tensors if k.startswith("fitted.")}
    unknown = (set(fitted) | arrays) - set(declared)
    if unknown:
        raise ValueError(
            f"{path} holds fitted attributes {sorted(unknown)} that this skrnn does "
            "not know; it was written by another version. Load it with the skrnn "
            "version that saved it."
        )
    for key, kind in declared.items():
        if kind in ("array", "tensor"):
            tensor = tensors.get(f"fitted.{key}")
            if tensor is not None:
                ndim_ok = tensor.ndim == 1 if kind == "array" else tensor.ndim >= 1
                if tensor.dtype != torch.float64 or not ndim_ok:
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
    missing = [k for k in estimator._required_attributes if not hasattr(estimator, k)]
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


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_numbers(value):
    return isinstance(value, list) and all(v is None or _is_number(v) for v in value)


def _is_vocabulary(value):
    return isinstance(value, dict) and all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 2
        for v in value.values()
    )


# Kinds stored as plain JSON: (test of the stored value, what it must be).
_PLAIN_KINDS = {
    "int": (lambda v: _is_number(v) and isinstance(v, int), "an integer"),
    "bool": (lambda v: isinstance(v, bool), "a boolean"),
    "float_or_none": (lambda v: v is None or _is_number(v), "a number or null"),
    "floats": (_is_numbers, "a list of numbers"),
    "floats_or_none": (lambda v: v is None or _is_numbers(v), "a list of numbers"),
    "json": (lambda v: True, "JSON"),
    "input_kind": (lambda v: v in ("tokens", "numbers"), "'tokens' or 'numbers'"),
    "chars": (_is_vocabulary, "a vocabulary mapping strings to ids >= 2"),
    "vocabularies": (
        lambda v: (
            v is None or (isinstance(v, list) and v and all(map(_is_vocabulary, v)))
        ),
        "a list of vocabularies mapping strings to ids >= 2",
    ),
}


def _decode_value(kind, value):
    def expect(ok, what):
        if not ok:
            raise TypeError(f"expected {what}")

    if kind in _PLAIN_KINDS:
        test, what = _PLAIN_KINDS[kind]
        expect(test(value), what)
        return value
    if kind == "dtype":
        expect(value in ("float32", "float64"), "'float32' or 'float64'")
        return np.dtype(value).type
    if kind == "names":
        expect(isinstance(value, list), "a list of strings")
        expect(all(isinstance(v, str) for v in value), "a list of strings")
        return np.asarray(value, dtype=object)
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


def _why_weights_misfit(document):
    """What to do about weights that do not fit: an older format's network
    may have had another layout; a current one's file was tampered with."""
    version = document["format_version"]
    if version < FORMAT_VERSION:
        return (
            f"The file is in format version {version}, written by skrnn "
            f"{document.get('skrnn_version')!r}, whose networks of this kind had "
            f"another layout (this skrnn writes format version {FORMAT_VERSION}). "
            "Fit the estimator again with this skrnn and save it, or load the "
            "file with the skrnn version that saved it."
        )
    return (
        "The file was altered or assembled from two models; save the model "
        "again from the fitted estimator."
    )


def _rebuild_net(estimator, document, tensors, path):
    try:
        device = resolve_device(estimator.device)
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
            shape_of, estimator._n_outputs(), device, check_random_state(0)
        )
        net.module_.load_state_dict(_with_prefix(tensors, "module."), strict=True)
        net.criterion_.load_state_dict(_with_prefix(tensors, "criterion."), strict=True)
    except (RuntimeError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(
            f"The weights in {path} do not fit the network its JSON describes "
            f"({type(estimator).__name__} with {_architecture(estimator)}): "
            f"{_one_line(exc)}. {_why_weights_misfit(document)}"
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
