"""Class labels: learning the classes, encoding labels as codes, class weights.

Shared by the classifier (one label per sequence) and the tagger (one label per
step). These functions return values; the estimators store them.
"""

from numbers import Real

import numpy as np
from sklearn.utils.class_weight import compute_class_weight


def fit_classes(labels, present, classes, *, estimator_name):
    """The sorted classes of ``labels`` (or of ``classes`` when given).

    ``present`` marks the labels with a positive weight (``None``: all), which
    alone define the classes unless ``classes`` is given.
    """
    if classes is not None:
        known = np.unique(classes)
    else:
        known = np.unique(labels if present is None else labels[present])
    if len(known) < 2:
        raise ValueError(
            f"{estimator_name} needs at least 2 classes (distinct labels) in y, "
            f"but y holds only one class: {known[0]!r}."
        )
    return known


def check_same_classes(classes, fitted_classes):
    """Refuse a ``classes=`` argument that differs from the first call's."""
    if classes is not None and not np.array_equal(np.unique(classes), fitted_classes):
        raise ValueError(
            f"`classes={np.unique(classes)!r}` is not the same as on last call "
            f"to partial_fit, was: {fitted_classes!r}"
        )


def encode_labels(labels, classes):
    """``labels`` as int64 indices into ``classes``; unknown labels raise."""
    unseen = np.setdiff1d(labels, classes)
    if unseen.size:
        raise ValueError(
            f"y has classes not in `self.classes_` {classes!r}: "
            f"{unseen!r}. Pass every class with `classes=` on the first call "
            "to partial_fit."
        )
    return np.searchsorted(classes, labels).astype(np.int64)


def class_weight_vector(class_weight, classes, codes):
    """Weight of each class (in the order of ``classes``) from ``class_weight``.

    ``codes`` are the training targets as indices into ``classes``.
    """
    if class_weight == "balanced":
        return (
            compute_class_weight("balanced", classes=np.arange(len(classes)), y=codes)
            if len(np.unique(codes)) == len(classes)
            else _balanced_with_absent(classes, codes)
        )
    unknown = set(class_weight) - set(classes.tolist())
    if unknown:
        raise ValueError(
            f"class_weight names labels {sorted(unknown, key=str)!r} that are not "
            f"among the classes {classes.tolist()!r}."
        )
    for label, weight in class_weight.items():
        if (
            isinstance(weight, bool)
            or not isinstance(weight, Real)
            or not (np.isfinite(weight) and weight >= 0)
        ):
            raise ValueError(
                f"class_weight[{label!r}] must be a finite number >= 0 (0 drops the "
                f"class from the loss); got {weight!r}."
            )
    return np.array([class_weight.get(c, 1.0) for c in classes], dtype=np.float64)


def refuse_balanced_partial_fit(class_weight):
    """``partial_fit`` refuses ``class_weight='balanced'``, as scikit-learn's
    ``SGDClassifier.partial_fit`` does."""
    if class_weight == "balanced":
        raise ValueError(
            "class_weight='balanced' is not supported for partial_fit: class "
            "frequencies of one batch are not those of the data. Pass a dict "
            "of class weights instead."
        )


def _balanced_with_absent(classes, codes):
    # compute_class_weight refuses classes absent from y; they get weight 1.
    counts = np.bincount(codes, minlength=len(classes)).astype(np.float64)
    present = counts > 0
    weights = np.ones(len(classes))
    weights[present] = len(codes) / (present.sum() * counts[present])
    return weights
