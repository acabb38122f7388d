"""scikit-learn's estimator checks over every public estimator of skrnn.

The estimators are found by walking the package, so a new public estimator is
checked without being listed here. Each is checked at its defaults, as users
get it (the recurrent estimators only with ``pytest -m slow``), and in the
extra configurations below.
"""

import importlib
import importlib.util
import inspect
import pkgutil

import pytest
from sklearn.base import BaseEstimator
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
    parametrize_with_checks,
)

import skrnn
from skrnn import (
    RNNAnomalyDetector,
    RNNClassifier,
    RNNForecaster,
    RNNRegressor,
    SequenceTagger,
    SequenceTranslator,
)
from skrnn._base import BaseSequenceEstimator
from skrnn.preprocessing import LagWindows, SequenceScaler

# Public modules that need an optional dependency (module: the package it
# needs): they are imported, and checked, only where it is installed.
OPTIONAL_MODULES = {"sktime": "sktime"}


def all_estimators():
    """Every public estimator class of skrnn, as sorted ``(name, class)`` pairs.

    scikit-learn's ``all_estimators`` walks scikit-learn only; this is its rule
    over skrnn: the classes that skrnn and its public modules offer, that derive
    from ``BaseEstimator``, are not abstract and are not named ``Base...``.
    """
    modules = [skrnn] + [
        importlib.import_module(f"{skrnn.__name__}.{info.name}")
        for info in pkgutil.iter_modules(skrnn.__path__)
        if not info.name.startswith("_")
        and importlib.util.find_spec(OPTIONAL_MODULES.get(info.name, "skrnn"))
    ]
    found = {}
    for module in modules:
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and cls.__module__.startswith(f"{skrnn.__name__}.")
                and not name.startswith(("_", "Base"))
                and not inspect.isabstract(cls)
            ):
                found[name] = cls
    return sorted(found.items())


# Parameters that have no default.
REQUIRED = {LagWindows: dict(n_lags=3)}

# A smaller network, a larger learning rate and fewer epochs keep these extra
# configurations fast while they cover other cells, directions, readouts, depth
# and the CRF; every other parameter keeps its default.
FAST = dict(hidden_size=32, lr=1e-2, max_epochs=40)

CONFIGURATIONS = {
    RNNClassifier: [
        FAST,
        dict(cell="gru", bidirectional=True, readout="mean", **FAST),
        dict(cell="rnn", nonlinearity="relu", num_layers=2, **FAST),
    ],
    RNNRegressor: [
        FAST,
        dict(cell="gru", bidirectional=True, readout="max", **FAST),
        dict(cell="rnn", **FAST),
    ],
    SequenceTagger: [FAST, dict(crf=True, cell="gru", **FAST)],
    SequenceTranslator: [FAST],
    RNNAnomalyDetector: [
        FAST,
        dict(method="reconstruction", cell="gru", bidirectional=True, **FAST),
    ],
    SequenceScaler: [dict(with_mean=False), dict(with_std=False)],
}

# Checks that cannot pass by design, with the reason next to each.
EXPECTED_FAILURES = {
    # A window holds the rows before it in X, so these checks, which transform a
    # subset or a shuffle of the rows and expect the matching rows of the full
    # output, cannot pass: the output depends on the order of the rows.
    LagWindows: {
        "check_methods_subset_invariance": (
            "a row's window holds the rows before it, so a subset of the rows "
            "gives other windows"
        ),
        "check_methods_sample_order_invariance": (
            "windows follow the order of the rows, so shuffled rows give other windows"
        ),
    },
}


# Estimators to which scikit-learn's checks do not apply at all, with the reason.
# Discovery finds them like any other; they are left out of the checks here, on
# purpose and by name, and pass the checks that need no fit below.
NOT_FIT_X_Y = {
    RNNForecaster: (
        "a forecaster fits time series, fit(y, X=None), and forecasts "
        "predict(fh, X, y); scikit-learn's checks call fit(X, y) on tables of "
        "samples and predict(X) row by row, which a forecaster does not offer. "
        "Its conformance suite is sktime's check_estimator, through the "
        "skrnn.sktime adapter."
    ),
}


def _trains_a_network(cls):
    return issubclass(cls, BaseSequenceEstimator)


def _checked_by_scikit_learn():
    return [cls for _, cls in all_estimators() if cls not in NOT_FIT_X_Y]


def _at_defaults(*, slow):
    return [
        cls(**REQUIRED.get(cls, {}))
        for cls in _checked_by_scikit_learn()
        if _trains_a_network(cls) == slow
    ]


def _configured():
    return [
        cls(**REQUIRED.get(cls, {}), **params)
        for cls in _checked_by_scikit_learn()
        for params in CONFIGURATIONS.get(cls, [])
    ]


def _expected_failures(estimator):
    return EXPECTED_FAILURES.get(type(estimator), {})


@parametrize_with_checks(
    _at_defaults(slow=False) + _configured(),
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# At their defaults (up to 500 epochs, patience 50) the recurrent estimators
# train on the checks' data sets of 300 sequences for the full 500 epochs: the
# checks of the three take about 15 CPU minutes, so they run on request
# (``pytest -m slow``, as CI does) rather than in every run.
@pytest.mark.slow
@parametrize_with_checks(
    _at_defaults(slow=True), expected_failed_checks=_expected_failures
)
def test_sklearn_compatible_estimator_at_defaults(estimator, check):
    check(estimator)


def test_all_estimators_finds_every_public_estimator():
    found = dict(all_estimators())
    known = (
        RNNAnomalyDetector,
        RNNClassifier,
        RNNRegressor,
        RNNForecaster,
        SequenceTagger,
        SequenceTranslator,
        SequenceScaler,
        LagWindows,
    )
    for cls in known:
        assert found[cls.__name__] is cls
    assert all(issubclass(cls, BaseEstimator) for cls in found.values())
    assert "BaseSequenceEstimator" not in found


def test_every_configured_estimator_is_found():
    # A configuration or expected failure of a class that discovery no longer
    # finds would silently stop being checked.
    found = set(dict(all_estimators()).values())
    for table in (REQUIRED, CONFIGURATIONS, EXPECTED_FAILURES, NOT_FIT_X_Y):
        assert set(table) <= found


@pytest.mark.parametrize(
    "check",
    [
        check_parameters_default_constructible,
        check_no_attributes_set_in_init,
        check_get_params_invariance,
        check_set_params,
    ],
    ids=lambda check: check.__name__,
)
@pytest.mark.parametrize("cls", list(NOT_FIT_X_Y), ids=lambda cls: cls.__name__)
def test_estimators_outside_fit_x_y_pass_the_checks_without_fit(cls, check):
    # Why the other checks do not apply is in NOT_FIT_X_Y; these need no fit.
    assert NOT_FIT_X_Y[cls]
    check(cls.__name__, cls())


class TaggerAsClassifier(SequenceTagger):
    """The tagger, declared a classifier again for scikit-learn's checks.

    SequenceTagger does not report ``estimator_type='classifier'``, so that
    model selection's default ``cv`` is KFold on lists of tag sequences (a
    classifier's would stratify on them and fail). On the checks' 2-D tables,
    each row a sequence of one step, it is a classifier; this view runs the
    classifier checks on that same code.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        return tags


@parametrize_with_checks(
    [TaggerAsClassifier(**FAST), TaggerAsClassifier(crf=True, cell="gru", **FAST)]
)
def test_tagger_passes_the_classifier_checks(estimator, check):
    check(estimator)


# scikit-learn runs these on its own transformers from its test_common, not
# from parametrize_with_checks, so they run here on every estimator that names
# its output features (which is what makes set_output available): all but
# LagWindows and RNNForecaster, which have no transform. The polars ones skip
# without polars.
OUTPUT_CHECKS = [
    estimator_checks.check_set_output_transform,
    estimator_checks.check_set_output_transform_pandas,
    estimator_checks.check_global_output_transform_pandas,
    estimator_checks.check_set_output_transform_polars,
    estimator_checks.check_global_set_output_transform_polars,
    estimator_checks.check_transformer_get_feature_names_out,
    estimator_checks.check_transformer_get_feature_names_out_pandas,
]


# The pandas checks fit on a DataFrame and transform its values (and the
# reverse), which every estimator that records feature names warns about.
@pytest.mark.filterwarnings("ignore:X (does not have valid|has) feature names")
@pytest.mark.parametrize("check", OUTPUT_CHECKS, ids=lambda check: check.__name__)
@pytest.mark.parametrize(
    "estimator",
    [
        estimator
        for _, cls in all_estimators()
        for estimator in [
            cls(**REQUIRED.get(cls, {}), **(FAST if _trains_a_network(cls) else {}))
        ]
        if hasattr(estimator, "get_feature_names_out")
        and hasattr(estimator, "transform")
    ],
    ids=lambda estimator: type(estimator).__name__,
)
def test_set_output_and_feature_names(estimator, check):
    check(type(estimator).__name__, estimator)
