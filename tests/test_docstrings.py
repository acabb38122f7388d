"""Every public class, method and function documents exactly its parameters, with
their real defaults.

The shared parameter text is written once (``src/skrnn/_docstrings.py``) and inserted
into several classes, so a default that differs between them, or a parameter one
of them lacks, is easy to get wrong; numpydoc's validation and parser catch it.
"""

import ast
import importlib
import importlib.util
import inspect
import pkgutil

import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc
from numpydoc.validate import validate

import skrnn

# numpydoc's codes for a signature and its Parameters section that disagree:
# a parameter not documented, documented but absent, or in another order.
SIGNATURE_CODES = {"PR01", "PR02", "PR03"}


# Public modules that need an optional dependency (module: the package it
# needs): they are imported, and checked, only where it is installed.
OPTIONAL_MODULES = {"sktime": "sktime"}


def _public_modules():
    names = ["skrnn"] + [
        f"skrnn.{module.name}"
        for module in pkgutil.iter_modules(skrnn.__path__)
        if not module.name.startswith("_")
        and importlib.util.find_spec(OPTIONAL_MODULES.get(module.name, "skrnn"))
    ]
    return [importlib.import_module(name) for name in names]


def _public(kind):
    found = {}
    for module in _public_modules():
        for name in module.__all__:
            obj = getattr(module, name)
            if kind(obj):
                found[f"{module.__name__}.{name}"] = obj
    return found


def _own_public_methods(cls):
    """Public methods written in skrnn (not inherited from scikit-learn)."""
    return {
        name: method
        for name, method in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") and method.__module__.startswith("skrnn")
    } | {
        name: method.__func__
        for name, method in vars(cls).items()
        if isinstance(method, classmethod) and not name.startswith("_")
    }


CLASSES = _public(inspect.isclass)
CALLABLES = {
    **CLASSES,
    **_public(inspect.isfunction),
    **{
        f"{path}.{name}": method
        for path, cls in CLASSES.items()
        for name, method in _own_public_methods(cls).items()
    },
}


def test_discovery_finds_the_estimators_and_transformers():
    names = {cls.__name__ for cls in CLASSES.values()}
    expected = {"RNNClassifier", "RNNRegressor", "SequenceTagger"}
    expected |= {"SequenceScaler", "LagWindows", "TrainingCurveDisplay"}
    assert expected <= names


@pytest.mark.parametrize("path", sorted(CALLABLES))
def test_parameters_section_matches_signature(path):
    errors = [
        f"{code}: {message}"
        for code, message in validate(path)["errors"]
        if code in SIGNATURE_CODES
    ]
    assert not errors, f"{path}: " + "; ".join(errors)


def _documented_defaults(obj):
    doc = ClassDoc(obj) if inspect.isclass(obj) else FunctionDoc(obj)
    for parameter in doc["Parameters"]:
        _, has_default, default = parameter.type.rpartition("default=")
        if parameter.type == "None":
            # scikit-learn's ``y : None`` (Ignored): None is its only value.
            has_default, default = True, "None"
        for name in parameter.name.split(","):
            yield name.strip(), default.strip() if has_default else None


def _signature(obj):
    function = obj.__init__ if inspect.isclass(obj) else obj
    return inspect.signature(function).parameters


def _same_default(documented, actual):
    try:
        value = ast.literal_eval(documented)
    except (ValueError, SyntaxError):
        # Not a literal (a class such as np.float32): compare the names.
        name = documented.rpartition(".")[2]
        return name == getattr(actual, "__name__", repr(actual))
    return type(value) is type(actual) and value == actual


@pytest.mark.parametrize("path", sorted(CALLABLES))
def test_documented_defaults_match_signature(path):
    signature = _signature(CALLABLES[path])
    wrong = []
    for name, documented in _documented_defaults(CALLABLES[path]):
        if name not in signature or name.startswith("*"):
            continue  # reported by test_parameters_section_matches_signature
        actual = signature[name].default
        if actual is inspect.Parameter.empty:
            if documented is not None:
                wrong.append(f"{name}: documents default={documented}, has none")
        elif documented is None:
            wrong.append(f"{name}: default={actual!r} is not documented")
        elif not _same_default(documented, actual):
            wrong.append(f"{name}: documents default={documented}, is {actual!r}")
    assert not wrong, f"{path}: " + "; ".join(wrong)
