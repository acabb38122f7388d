"""Inspection of fitted estimators: training curves and step attributions.

matplotlib is optional: it is imported only when a display draws, so importing
this module does not need it.
"""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._base import BaseSequenceEstimator
from ._step_importance import step_importance

__all__ = ["StepImportanceDisplay", "TrainingCurveDisplay", "step_importance"]

_METRICS = ("train_loss", "valid_loss", "valid_score")

# Fixed colours: the score sits on a second y-axis, whose colour cycle would
# otherwise start again at the training loss's colour.
_COLORS = {"train_loss": "C0", "valid_loss": "C1", "valid_score": "C2"}


class TrainingCurveDisplay:
    """Training curves of a fitted skrnn estimator: loss and score per epoch.

    It is recommended to use
    :meth:`~skrnn.inspection.TrainingCurveDisplay.from_estimator` to create a
    :class:`TrainingCurveDisplay`. All parameters are stored as attributes.

    The training loss is drawn against the epoch. With ``early_stopping=True``
    the estimator also recorded, after each epoch, the loss and the score
    (accuracy or R^2) on its validation split: the loss shares the training
    loss's y-axis, the score gets a second y-axis on the right, and a vertical
    line marks the best epoch, whose weights the estimator restored. One legend
    for all the lines sits above the axes, where it hides none of them.

    Parameters
    ----------
    epochs : ndarray of shape (n_epochs,)
        Epoch numbers, from 1.

    train_loss : ndarray of shape (n_epochs,)
        Mean training loss of each epoch (the estimator's ``loss_curve_``).

    valid_loss : ndarray of shape (n_epochs,), default=None
        Loss on the validation split after each epoch; NaN for epochs trained
        without one. ``None`` when no epoch was validated.

    valid_score : ndarray of shape (n_epochs,), default=None
        Score on the validation split after each epoch (the estimator's
        ``validation_scores_``); NaN for epochs trained without one. ``None``
        when no epoch was validated.

    best_epoch : int, default=None
        Epoch whose weights early stopping restored. ``None`` when the estimator
        holds the weights of its last epoch.

    score_name : str, default=None
        Name of the validation score, as in ``'accuracy'`` or ``'R^2'``. If
        ``None``, ``'score'``.

    name : str, default=None
        Name of the estimator, used as the title of the legend. If ``None``, the
        legend has no title.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        One line per plotted metric, in the order of ``metrics`` (by default
        training loss, validation loss, validation score, those present).

    best_epoch_line_ : matplotlib Line2D or None
        Vertical line at ``best_epoch``; ``None`` when there is no best epoch.

    ax_ : matplotlib Axes
        Axes with the losses (and the score, when no loss is plotted).

    score_ax_ : matplotlib Axes or None
        Axes with the validation score: a twin of ``ax_`` sharing its x-axis
        when losses are plotted too, else ``ax_`` itself; ``None`` when the
        score is not plotted.

    figure_ : matplotlib Figure
        Figure containing the curves.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against the number of
        training samples, over cross-validation.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from skrnn import RNNClassifier
    >>> from skrnn.inspection import TrainingCurveDisplay
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(80, 10, 1).astype(np.float32)
    >>> y = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
    >>> clf = RNNClassifier(hidden_size=8, lr=1e-2, max_epochs=15,
    ...                     early_stopping=True, validation_fraction=0.25,
    ...                     random_state=0).fit(X, y)
    >>> display = TrainingCurveDisplay(
    ...     epochs=np.arange(1, clf.n_iter_ + 1),
    ...     train_loss=clf.loss_curve_,
    ...     valid_score=clf.validation_scores_,
    ...     score_name="accuracy",
    ... )
    >>> display.plot()
    <...>
    >>> [line.get_label() for line in display.lines_]
    ['Training loss', 'Validation accuracy']
    >>> plt.show()
    """

    def __init__(
        self,
        *,
        epochs,
        train_loss,
        valid_loss=None,
        valid_score=None,
        best_epoch=None,
        score_name=None,
        name=None,
    ):
        self.epochs = epochs
        self.train_loss = train_loss
        self.valid_loss = valid_loss
        self.valid_score = valid_score
        self.best_epoch = best_epoch
        self.score_name = score_name
        self.name = name

    def plot(
        self, ax=None, *, metrics=None, name=None, curve_kwargs=None, best_epoch_kw=None
    ):
        """Plot visualization.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes object to plot on. If `None`, a new figure and axes is created,
            in constrained layout so that the legend (drawn above the axes, clear
            of the curves) and both y-axis labels fit in the saved figure. The
            validation score, when plotted next to a loss, goes on
            ``ax.twinx()``.

        metrics : str or list of str, default=None
            Which curves to draw, among ``'train_loss'``, ``'valid_loss'`` and
            ``'valid_score'``. If `None`, every one the display holds.

        name : str, default=None
            Title of the legend. If `None`, the display's ``name``.

        curve_kwargs : dict or list of dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for the curves. A
            dict applies to every curve; a list holds one dict per curve, in the
            order of ``metrics``. They override the defaults (a fixed colour and a
            label per metric).

        best_epoch_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``axvline`` for the line at
            the best epoch.

        Returns
        -------
        display : :class:`~skrnn.inspection.TrainingCurveDisplay`
            Object that stores computed values.
        """
        _require_matplotlib(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt
        from matplotlib import cbook
        from matplotlib.lines import Line2D
        from matplotlib.ticker import MaxNLocator

        curves = self._curves()
        metrics = _check_metrics(metrics, curves)
        curve_kwargs = _check_curve_kwargs(curve_kwargs, metrics)
        score_name = "score" if self.score_name is None else self.score_name
        labels = {
            "train_loss": "Training loss",
            "valid_loss": "Validation loss",
            "valid_score": f"Validation {score_name}",
        }

        if ax is None:
            # Constrained layout leaves room for the legend above the axes and
            # for the labels of both y-axes, so that savefig keeps them whole.
            _, ax = plt.subplots(layout="constrained")
        plots_loss = any(metric != "valid_score" for metric in metrics)
        score_ax = None
        if "valid_score" in metrics:
            score_ax = ax.twinx() if plots_loss else ax

        self.lines_ = []
        for metric, kwargs in zip(metrics, curve_kwargs, strict=True):
            line_kw = {"label": labels[metric], "color": _COLORS[metric]}
            line_kw.update(cbook.normalize_kwargs(kwargs, Line2D))
            target = score_ax if metric == "valid_score" else ax
            self.lines_.extend(target.plot(curves["epochs"], curves[metric], **line_kw))

        self.best_epoch_line_ = None
        if self.best_epoch is not None:
            line_kw = {
                "color": "black",
                "linestyle": ":",
                "label": f"Best epoch ({self.best_epoch})",
            }
            line_kw.update(cbook.normalize_kwargs(best_epoch_kw, Line2D))
            self.best_epoch_line_ = ax.axvline(self.best_epoch, **line_kw)

        ax.set_xlabel("Epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if plots_loss:
            ax.set_ylabel("Loss")
        if score_ax is not None:
            score_ax.set_ylabel(labels["valid_score"])

        # One legend for the lines of both y-axes, above the axes: inside them
        # it would hide part of the curves, wherever it went.
        handles = [
            artist
            for artist in [*self.lines_, self.best_epoch_line_]
            if artist is not None and not artist.get_label().startswith("_")
        ]
        title = self.name if name is None else name
        if handles or title is not None:
            (ax if score_ax is None else score_ax).legend(
                handles=handles,
                title=title,
                loc="lower center",
                bbox_to_anchor=(0.5, 1.0),
                ncols=max(1, min(len(handles), 2)),
            )

        self.ax_ = ax
        self.score_ax_ = score_ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        metrics=None,
        ax=None,
        name=None,
        curve_kwargs=None,
        best_epoch_kw=None,
    ):
        """Plot the training curves of a fitted estimator.

        The curves are read from the estimator's training history: nothing is
        refitted or predicted.

        Parameters
        ----------
        estimator : fitted estimator
            A fitted :class:`~skrnn.RNNClassifier`, :class:`~skrnn.RNNRegressor`
            or :class:`~skrnn.SequenceTagger`; a :class:`~sklearn.pipeline.Pipeline`
            ending in one; or a fitted search (as
            :class:`~sklearn.model_selection.GridSearchCV` with ``refit=True``)
            whose ``best_estimator_`` is one of those.

        metrics : str or list of str, default=None
            Which curves to draw, among ``'train_loss'``, ``'valid_loss'`` and
            ``'valid_score'``; the last two exist only for an estimator trained
            with ``early_stopping=True``. If `None`, every one recorded.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If `None`, a new figure and axes is created,
            as in :meth:`plot`.

        name : str, default=None
            Title of the legend. If `None`, the name of the estimator's class.

        curve_kwargs : dict or list of dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for the curves. A
            dict applies to every curve; a list holds one dict per curve, in the
            order of ``metrics``.

        best_epoch_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``axvline`` for the line at
            the best epoch.

        Returns
        -------
        display : :class:`~skrnn.inspection.TrainingCurveDisplay`
            Object that stores computed values.

        Raises
        ------
        TypeError
            If ``estimator`` is not (and does not hold) a skrnn estimator.

        sklearn.exceptions.NotFittedError
            If the estimator is not fitted.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> import numpy as np
        >>> from skrnn import RNNRegressor
        >>> from skrnn.inspection import TrainingCurveDisplay
        >>> rng = np.random.RandomState(0)
        >>> X = rng.randn(80, 10, 1).astype(np.float32)
        >>> y = X[:, :, 0].sum(axis=1)
        >>> reg = RNNRegressor(hidden_size=8, lr=1e-2, max_epochs=15,
        ...                    early_stopping=True, validation_fraction=0.25,
        ...                    random_state=0).fit(X, y)
        >>> display = TrainingCurveDisplay.from_estimator(reg)
        >>> [line.get_label() for line in display.lines_]
        ['Training loss', 'Validation loss', 'Validation R^2']
        >>> display.best_epoch == int(np.argmax(reg.validation_scores_)) + 1
        True
        >>> plt.show()
        """
        _require_matplotlib(f"{cls.__name__}.from_estimator")
        fitted = _fitted_sequence_estimator(estimator)
        curves = fitted._training_curves()
        display = cls(
            epochs=np.arange(1, len(curves["train_loss"]) + 1),
            train_loss=curves["train_loss"],
            valid_loss=curves["valid_loss"],
            valid_score=curves["valid_score"],
            best_epoch=curves["best_epoch"],
            score_name=curves["score_name"],
            name=type(fitted).__name__ if name is None else name,
        )
        return display.plot(
            ax=ax,
            metrics=metrics,
            curve_kwargs=curve_kwargs,
            best_epoch_kw=best_epoch_kw,
        )

    def _curves(self):
        """The stored arrays as float arrays of one length, keyed by metric."""
        epochs = np.asarray(self.epochs)
        curves = {"epochs": epochs}
        for metric in _METRICS:
            values = getattr(self, metric)
            if values is None:
                continue
            values = np.asarray(values, dtype=np.float64)
            if values.shape != epochs.shape:
                raise ValueError(
                    f"{metric} must hold one value per epoch, {epochs.shape[0]} "
                    f"values as epochs does; got an array of shape {values.shape}."
                )
            curves[metric] = values
        return curves


def _require_matplotlib(caller):
    """Raise a clear ImportError when matplotlib is missing (it is optional)."""
    try:
        import matplotlib.pyplot  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib. You can install matplotlib with "
            "`pip install matplotlib`."
        ) from exc


def _fitted_sequence_estimator(estimator):
    """The fitted skrnn estimator that ``estimator`` is or holds."""
    if isinstance(estimator, Pipeline):
        return _fitted_sequence_estimator(estimator[-1])
    if hasattr(estimator, "refit") and hasattr(estimator, "cv"):
        # A hyperparameter search (GridSearchCV, RandomizedSearchCV, ...).
        check_is_fitted(estimator)
        if not hasattr(estimator, "best_estimator_"):
            raise ValueError(
                f"This {type(estimator).__name__} was fitted with "
                f"refit={estimator.refit!r} and keeps no fitted estimator to read "
                "training curves from. Use refit=True, or fit the best candidate "
                "yourself and pass it."
            )
        return _fitted_sequence_estimator(estimator.best_estimator_)
    if not isinstance(estimator, BaseSequenceEstimator):
        raise TypeError(
            "TrainingCurveDisplay reads the training history of a skrnn estimator "
            "(RNNClassifier, RNNRegressor or SequenceTagger), a Pipeline ending in "
            "one, or a fitted search whose best_estimator_ is one; got an object "
            f"of type {type(estimator).__qualname__!r}."
        )
    check_is_fitted(estimator)
    return estimator


def _check_metrics(metrics, curves):
    """``metrics`` as a list of the metrics to draw, all present in ``curves``."""
    if metrics is None:
        return [metric for metric in _METRICS if metric in curves]
    if isinstance(metrics, str):
        metrics = [metrics]
    metrics = list(metrics)
    unknown = [metric for metric in metrics if metric not in _METRICS]
    if unknown:
        raise ValueError(f"metrics must be among {list(_METRICS)}; got {unknown!r}.")
    missing = [metric for metric in metrics if metric not in curves]
    if missing:
        raise ValueError(
            f"metrics={metrics!r} asks for {missing!r}, which this display does "
            "not hold: validation curves are recorded only when the estimator "
            "was fitted with early_stopping=True."
        )
    if not metrics:
        raise ValueError("metrics is empty: name at least one curve to draw.")
    return metrics


def _check_curve_kwargs(curve_kwargs, metrics):
    """One dict of ``plot`` keyword arguments per metric."""
    if curve_kwargs is None:
        return [{}] * len(metrics)
    if isinstance(curve_kwargs, dict):
        return [curve_kwargs] * len(metrics)
    curve_kwargs = list(curve_kwargs)
    if len(curve_kwargs) != len(metrics):
        raise ValueError(
            f"curve_kwargs holds {len(curve_kwargs)} dicts for {len(metrics)} "
            f"curves ({metrics!r}); pass one dict per curve, or a single dict "
            "for all."
        )
    return curve_kwargs


class StepImportanceDisplay:
    """Attributions of one sequence's prediction to its steps, drawn.

    It is recommended to use
    :meth:`~skrnn.inspection.StepImportanceDisplay.from_estimator` to create a
    :class:`StepImportanceDisplay`. All parameters are stored as attributes.

    Numeric sequences are drawn as a heat map of steps (x) by features (y),
    coloured by attribution on a scale centred on zero; token sequences as
    their tokens, each on a background coloured by its attribution.

    Parameters
    ----------
    attributions : ndarray of shape (n_steps, n_features) or (n_steps,)
        Attributions of one sequence, as :func:`step_importance` returns them.

    tokens : list of str, default=None
        The sequence's tokens, for token input: drawn as coloured text.

    feature_names : list of str, default=None
        Names of the features (rows of the heat map). If `None`, their indices.

    name : str, default=None
        Title of the axes. If `None`, none.

    Attributes
    ----------
    image_ : matplotlib AxesImage or None
        The heat map (numeric input); `None` for tokens.

    texts_ : list of matplotlib Text
        The tokens (token input); empty for numeric input.

    colorbar_ : matplotlib Colorbar or None
        The colour scale, when drawn.

    ax_ : matplotlib Axes
        Axes with the drawing.

    figure_ : matplotlib Figure
        Figure containing the drawing.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from skrnn.inspection import StepImportanceDisplay
    >>> display = StepImportanceDisplay(np.array([[0.1, -0.2], [0.5, 0.0]]).T)
    >>> display.plot()
    <...>
    >>> display.image_.get_array().shape
    (2, 2)
    >>> plt.show()
    """

    def __init__(self, attributions, *, tokens=None, feature_names=None, name=None):
        self.attributions = attributions
        self.tokens = tokens
        self.feature_names = feature_names
        self.name = name

    def plot(self, ax=None, *, cmap="RdBu_r", colorbar=True):
        """Plot visualization.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes object to plot on. If `None`, a new figure and axes is created.

        cmap : str or matplotlib Colormap, default='RdBu_r'
            Colour map, centred on zero attribution (red: towards the explained
            output, blue: away from it).

        colorbar : bool, default=True
            Whether to draw the colour scale.

        Returns
        -------
        display : :class:`~skrnn.inspection.StepImportanceDisplay`
            Object that stores computed values.
        """
        _require_matplotlib(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt
        from matplotlib.colors import Normalize

        values = np.asarray(self.attributions, dtype=np.float64)
        if values.ndim not in (1, 2):
            raise ValueError(
                "attributions must be the array of one sequence, of shape "
                f"(n_steps, n_features) or (n_steps,); got shape {values.shape}."
            )
        if self.tokens is not None and len(self.tokens) != len(values):
            raise ValueError(
                f"tokens holds {len(self.tokens)} tokens for {len(values)} steps "
                "of attributions; pass the tokens of the explained sequence."
            )
        if ax is None:
            _, ax = plt.subplots(layout="constrained")
        limit = float(np.abs(values).max()) or 1.0
        norm = Normalize(-limit, limit)
        colormap = plt.get_cmap(cmap)
        self.image_, self.texts_, self.colorbar_ = None, [], None
        if self.tokens is not None:
            scores = values if values.ndim == 1 else values.sum(axis=1)
            for position, (token, score) in enumerate(
                zip(self.tokens, scores, strict=True)
            ):
                self.texts_.append(
                    ax.text(
                        position,
                        0.5,
                        str(token),
                        ha="center",
                        va="center",
                        bbox={"facecolor": colormap(norm(score)), "pad": 3},
                    )
                )
            ax.set_xlim(-0.5, len(scores) - 0.5)
            ax.set_axis_off()
            mappable = plt.cm.ScalarMappable(norm=norm, cmap=colormap)
        else:
            grid = values[:, None] if values.ndim == 1 else values
            self.image_ = ax.imshow(
                grid.T, aspect="auto", cmap=colormap, norm=norm, interpolation="none"
            )
            mappable = self.image_
            ax.set_xlabel("Step")
            ax.set_ylabel("Feature")
            n_features = grid.shape[1]
            ax.set_yticks(range(n_features))
            if self.feature_names is not None:
                ax.set_yticklabels([str(name) for name in self.feature_names])
        if colorbar:
            self.colorbar_ = ax.figure.colorbar(mappable, ax=ax, label="Attribution")
        if self.name is not None:
            ax.set_title(self.name)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        sequence,
        *,
        method="integrated_gradients",
        target=None,
        baseline=None,
        n_steps=50,
        n_repeats=5,
        random_state=None,
        feature_names=None,
        name=None,
        ax=None,
        cmap="RdBu_r",
        colorbar=True,
    ):
        """Attribute one sequence's prediction to its steps and draw it.

        Parameters
        ----------
        estimator : fitted RNNClassifier, RNNRegressor or SequenceTagger
            The estimator whose prediction is explained.

        sequence : array-like of shape (n_steps, n_features) or list of str
            One sequence: numeric steps, or tokens.

        method : {'integrated_gradients', 'occlusion', 'permutation'}, \
                default='integrated_gradients'
            As in :func:`step_importance`. Permutation draws the replacement
            steps from other sequences, which one sequence does not have: call
            :func:`step_importance` on a set and pass one of its results to the
            constructor instead.

        target : label or int, default=None
            As in :func:`step_importance`.

        baseline : None, 'zeros', float or array-like, default=None
            As in :func:`step_importance`.

        n_steps : int, default=50
            As in :func:`step_importance`.

        n_repeats : int, default=5
            As in :func:`step_importance`.

        random_state : int, RandomState instance or None, default=None
            As in :func:`step_importance`.

        feature_names : list of str, default=None
            Names of the features (rows of the heat map). If `None`, their
            indices.

        name : str, default=None
            Title of the axes.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If `None`, a new figure and axes is created.

        cmap : str or matplotlib Colormap, default='RdBu_r'
            Colour map, centred on zero attribution.

        colorbar : bool, default=True
            Whether to draw the colour scale.

        Returns
        -------
        display : :class:`~skrnn.inspection.StepImportanceDisplay`
            Object that stores computed values.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> import numpy as np
        >>> from skrnn import RNNClassifier
        >>> from skrnn.inspection import StepImportanceDisplay
        >>> rng = np.random.RandomState(0)
        >>> X = rng.randn(60, 8, 2).astype(np.float32)
        >>> y = (X[:, 3, 0] > 0).astype(int)
        >>> clf = RNNClassifier(hidden_size=8, max_epochs=10,
        ...                     random_state=0).fit(X, y)
        >>> display = StepImportanceDisplay.from_estimator(clf, X[0])
        >>> display.attributions.shape
        (8, 2)
        >>> plt.show()
        """
        _require_matplotlib(f"{cls.__name__}.from_estimator")
        if method == "permutation":
            raise ValueError(
                "method='permutation' replaces a step by the same step of other "
                "sequences, and from_estimator explains one sequence. Call "
                "step_importance(estimator, X, method='permutation') on a set "
                "and pass one result to StepImportanceDisplay(attributions)."
            )
        tokens = None
        if isinstance(sequence, (list, tuple)) and all(
            isinstance(token, (str, tuple)) for token in sequence
        ):
            tokens = [t if isinstance(t, str) else t[0] for t in sequence]
        (attributions,) = step_importance(
            estimator,
            [sequence],
            method=method,
            target=target,
            baseline=baseline,
            n_steps=n_steps,
            n_repeats=n_repeats,
            random_state=random_state,
        )
        display = cls(
            attributions, tokens=tokens, feature_names=feature_names, name=name
        )
        return display.plot(ax=ax, cmap=cmap, colorbar=colorbar)
