"""TrainingCurveDisplay: the training history of a fitted estimator, drawn."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

import skrnn
from skrnn import RNNClassifier, RNNRegressor, SequenceTagger
from skrnn.inspection import TrainingCurveDisplay

TINY = dict(hidden_size=8, max_epochs=4, random_state=0)
STOPPING = dict(early_stopping=True, validation_fraction=0.25)


@pytest.fixture
def pyplot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def data(rng, n=40):
    X = rng.randn(n, 6, 2).astype(np.float32)
    y = np.where(X[:, :, 0].sum(axis=1) > 0, "pos", "neg")
    return X, y


def tokens(rng, n=24):
    words = ["a", "b", "c", "d"]
    X = [list(rng.choice(words, size=k)) for k in rng.randint(2, 6, size=n)]
    return X, [[w.upper() for w in sentence] for sentence in X]


def history(estimator, key):
    return [row[key] for row in estimator.net_.history]


def restored_epoch(estimator):
    # The monitor's own record of the epoch whose weights it restored.
    return dict(estimator.net_.callbacks_)["monitor"].best_epoch_


@pytest.fixture(scope="module")
def stopped_early():
    # Trained until early stopping ended it, with a best epoch before the last.
    X, y = data(np.random.RandomState(0), n=200)
    clf = RNNClassifier(
        hidden_size=16, lr=1e-2, max_epochs=60, n_iter_no_change=3, **STOPPING
    )
    return clf.set_params(random_state=0).fit(X, y)


def test_lines_hold_the_training_loss_without_early_stopping(pyplot, rng):
    clf = RNNClassifier(**TINY).fit(*data(rng))
    display = TrainingCurveDisplay.from_estimator(clf)

    (line,) = display.lines_
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(line.get_ydata(), clf.loss_curve_)
    np.testing.assert_array_equal(display.train_loss, history(clf, "train_loss"))
    assert display.valid_loss is None and display.valid_score is None
    assert display.best_epoch is None and display.best_epoch_line_ is None
    assert display.score_ax_ is None
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.ax_.get_ylabel() == "Loss"
    legend = display.ax_.get_legend()
    assert [text.get_text() for text in legend.get_texts()] == ["Training loss"]
    assert legend.get_title().get_text() == "RNNClassifier"
    assert display.figure_ is display.ax_.figure


def test_lines_hold_the_validation_history_with_early_stopping(pyplot, stopped_early):
    clf = stopped_early
    display = TrainingCurveDisplay.from_estimator(clf)

    train, valid_loss, valid_score = display.lines_
    epochs = np.arange(1, clf.n_iter_ + 1)
    for line in display.lines_:
        np.testing.assert_array_equal(line.get_xdata(), epochs)
    np.testing.assert_array_equal(train.get_ydata(), clf.loss_curve_)
    np.testing.assert_array_equal(valid_loss.get_ydata(), history(clf, "valid_loss"))
    np.testing.assert_array_equal(valid_score.get_ydata(), clf.validation_scores_)
    # Losses share the left axis; the score has its own, on the same x-axis.
    assert train.axes is valid_loss.axes is display.ax_
    assert valid_score.axes is display.score_ax_ is not display.ax_
    assert display.score_ax_.get_ylabel() == "Validation accuracy"
    assert [text.get_text() for text in display.score_ax_.get_legend().get_texts()] == [
        "Training loss",
        "Validation loss",
        "Validation accuracy",
        f"Best epoch ({display.best_epoch})",
    ]


def test_best_epoch_marks_the_restored_weights(pyplot, stopped_early):
    clf = stopped_early
    display = TrainingCurveDisplay.from_estimator(clf)

    assert display.best_epoch < clf.n_iter_  # training went on past it
    assert display.best_epoch == restored_epoch(clf)
    assert display.best_epoch == np.argmax(clf.validation_scores_) + 1
    np.testing.assert_array_equal(
        display.best_epoch_line_.get_xdata(), [display.best_epoch] * 2
    )
    assert clf.validation_scores_[display.best_epoch - 1] == clf.best_validation_score_


def test_best_epoch_of_a_warm_start_is_in_the_last_fit(pyplot, rng):
    X, y = data(rng, n=60)
    clf = RNNClassifier(warm_start=True, **STOPPING, **TINY).fit(X, y)
    clf.set_params(max_epochs=3).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(clf)

    assert len(display.epochs) == clf.n_iter_ == 7
    # The second fit's monitor restored one of its own epochs, even where an
    # epoch of the first fit scored higher.
    assert 4 < display.best_epoch == restored_epoch(clf)


def test_partial_fit_after_early_stopping_keeps_the_last_weights(pyplot, rng):
    X, y = data(rng)
    clf = RNNClassifier(**STOPPING, **TINY).fit(X, y).partial_fit(X, y)
    display = TrainingCurveDisplay.from_estimator(clf)

    assert display.best_epoch is None and display.best_epoch_line_ is None
    # partial_fit sets no validation split: its epoch has no validation values.
    assert np.isnan(display.valid_loss[-1]) and np.isnan(display.valid_score[-1])
    assert not np.isnan(display.valid_loss[:-1]).any()
    np.testing.assert_array_equal(display.lines_[0].get_ydata(), clf.loss_curve_)


def test_best_epoch_survives_save_and_load(pyplot, stopped_early, tmp_path):
    loaded = skrnn.load(skrnn.save(stopped_early, tmp_path / "model.skrnn"))
    display = TrainingCurveDisplay.from_estimator(loaded)

    assert display.best_epoch == restored_epoch(stopped_early)
    np.testing.assert_array_equal(display.valid_score, stopped_early.validation_scores_)


def test_plots_on_the_given_axes(pyplot, stopped_early):
    figure, ax = pyplot.subplots()
    display = TrainingCurveDisplay.from_estimator(stopped_early, ax=ax)

    assert display.ax_ is ax and display.figure_ is figure
    assert display.score_ax_.figure is figure
    assert display.best_epoch_line_.axes is ax


@pytest.mark.parametrize(
    "metrics, on_score_ax",
    [("valid_score", [True]), (["valid_loss", "train_loss"], [False, False])],
)
def test_metrics_selects_the_curves(pyplot, stopped_early, metrics, on_score_ax):
    display = TrainingCurveDisplay.from_estimator(stopped_early, metrics=metrics)

    expected = [metrics] if isinstance(metrics, str) else metrics
    names = {
        "train_loss": "Training loss",
        "valid_loss": "Validation loss",
        "valid_score": "Validation accuracy",
    }
    assert [line.get_label() for line in display.lines_] == [names[m] for m in expected]
    if metrics == "valid_score":
        # Only a score: it takes the main axes, no twin.
        assert display.score_ax_ is display.ax_
        assert display.ax_.get_ylabel() == "Validation accuracy"
    else:
        assert display.score_ax_ is None
    assert [line.axes is display.score_ax_ for line in display.lines_] == on_score_ax


def test_metrics_are_checked(pyplot, rng, stopped_early):
    plain = RNNClassifier(**TINY).fit(*data(rng))
    with pytest.raises(ValueError, match="early_stopping=True"):
        TrainingCurveDisplay.from_estimator(plain, metrics=["valid_loss"])
    with pytest.raises(ValueError, match="must be among"):
        TrainingCurveDisplay.from_estimator(stopped_early, metrics=["accuracy"])
    with pytest.raises(ValueError, match="empty"):
        TrainingCurveDisplay.from_estimator(stopped_early, metrics=[])


def test_curve_kwargs_reach_the_lines(pyplot, stopped_early):
    display = TrainingCurveDisplay.from_estimator(
        stopped_early,
        curve_kwargs={"lw": 3, "c": "red"},  # aliases override the defaults
        best_epoch_kw={"color": "blue"},
    )
    assert [line.get_linewidth() for line in display.lines_] == [3, 3, 3]
    assert {line.get_color() for line in display.lines_} == {"red"}
    assert display.best_epoch_line_.get_color() == "blue"

    display = TrainingCurveDisplay.from_estimator(
        stopped_early,
        metrics=["train_loss", "valid_score"],
        curve_kwargs=[{"label": "fit"}, {"linestyle": "--"}],
    )
    assert [line.get_label() for line in display.lines_] == [
        "fit",
        "Validation accuracy",
    ]
    assert display.lines_[1].get_linestyle() == "--"
    with pytest.raises(ValueError, match="one dict per curve"):
        TrainingCurveDisplay.from_estimator(stopped_early, curve_kwargs=[{}])


@pytest.mark.parametrize("kind", ["classifier", "regressor", "tagger"])
def test_every_estimator(pyplot, rng, kind):
    if kind == "tagger":
        X, y = tokens(rng)
        est = SequenceTagger(embedding_dim=4, char_features=3, **STOPPING, **TINY)
        score_name = "accuracy"
    elif kind == "regressor":
        X = rng.randn(40, 6, 2)
        y = X[:, :, 0].sum(axis=1)
        est = RNNRegressor(**STOPPING, **TINY)
        score_name = "R^2"
    else:
        X, y = data(rng)
        est = RNNClassifier(**STOPPING, **TINY)
        score_name = "accuracy"
    est.fit(X, y)
    display = TrainingCurveDisplay.from_estimator(est)

    train, valid_loss, valid_score = display.lines_
    np.testing.assert_array_equal(train.get_ydata(), est.loss_curve_)
    np.testing.assert_array_equal(valid_loss.get_ydata(), history(est, "valid_loss"))
    np.testing.assert_array_equal(valid_score.get_ydata(), est.validation_scores_)
    assert valid_score.get_label() == f"Validation {score_name}"
    assert display.best_epoch == restored_epoch(est)
    assert display.score_ax_.get_legend().get_title().get_text() == type(est).__name__


def test_reads_through_pipelines_and_searches(pyplot, rng):
    X, y = data(rng)
    pipeline = make_pipeline(RNNClassifier(**TINY)).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(pipeline)
    np.testing.assert_array_equal(display.train_loss, pipeline[-1].loss_curve_)

    search = GridSearchCV(RNNClassifier(**TINY), {"hidden_size": [4, 8]}, cv=2)
    search.fit(X, y)
    display = TrainingCurveDisplay.from_estimator(search, name="best")
    np.testing.assert_array_equal(
        display.train_loss, search.best_estimator_.loss_curve_
    )
    assert display.ax_.get_legend().get_title().get_text() == "best"

    no_refit = GridSearchCV(RNNClassifier(**TINY), {"hidden_size": [4]}, cv=2)
    with pytest.raises(ValueError, match="refit=False"):
        TrainingCurveDisplay.from_estimator(no_refit.set_params(refit=False).fit(X, y))


@pytest.mark.parametrize(
    "unfitted",
    [
        RNNClassifier(),
        make_pipeline(RNNRegressor()),
        GridSearchCV(SequenceTagger(), {"hidden_size": [4]}),
    ],
    ids=["estimator", "pipeline", "search"],
)
def test_unfitted_estimator_raises(pyplot, unfitted):
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(unfitted)


@pytest.mark.parametrize(
    "wrong",
    [
        LogisticRegression().fit([[0.0], [1.0]], [0, 1]),
        make_pipeline(LogisticRegression()),
        "RNNClassifier",
    ],
    ids=["sklearn-estimator", "pipeline-of-another", "string"],
)
def test_wrong_object_raises_type_error(pyplot, wrong):
    with pytest.raises(TypeError, match="skrnn estimator.*got an object of type"):
        TrainingCurveDisplay.from_estimator(wrong)


def test_display_from_arrays(pyplot):
    display = TrainingCurveDisplay(
        epochs=[1, 2, 3], train_loss=[0.9, 0.5, 0.4], valid_loss=[1.0, np.nan, 0.6]
    ).plot()
    np.testing.assert_array_equal(display.lines_[1].get_ydata(), [1.0, np.nan, 0.6])
    assert display.ax_.get_legend().get_title().get_text() == ""
    with pytest.raises(ValueError, match="one value per epoch"):
        TrainingCurveDisplay(epochs=[1, 2], train_loss=[0.9, 0.5, 0.4]).plot()


def _inside(box, outer):
    return (
        outer.x0 <= box.x0
        and box.x1 <= outer.x1
        and outer.y0 <= box.y0
        and box.y1 <= outer.y1
    )


@pytest.mark.parametrize("source", ["arrays", "estimator"])
def test_saved_figure_is_whole_and_its_legend_hides_no_curve(
    pyplot, stopped_early, tmp_path, source
):
    if source == "arrays":
        # Accuracies close to 1 get three-decimal ticks: the widest right axis.
        display = TrainingCurveDisplay(
            epochs=np.arange(1, 9),
            train_loss=np.linspace(1.0, 0.2, 8),
            valid_loss=np.linspace(0.9, 0.3, 8),
            valid_score=np.linspace(0.955, 0.985, 8),
            best_epoch=7,
            score_name="accuracy",
            name="RNNClassifier",
        ).plot()
    else:
        display = TrainingCurveDisplay.from_estimator(stopped_early)
    figure = display.figure_
    figure.savefig(tmp_path / "curves.png")
    renderer = figure.canvas.get_renderer()

    score_label = display.score_ax_.yaxis.label
    assert score_label.get_text() == "Validation accuracy"
    for label in (score_label, display.ax_.yaxis.label, display.ax_.xaxis.label):
        assert _inside(label.get_window_extent(renderer), figure.bbox)
    # Nothing drawn (tick labels, legend) reaches past the saved image.
    assert _inside(figure.get_tightbbox(renderer), figure.bbox_inches)

    legend = display.score_ax_.get_legend().get_window_extent(renderer)
    assert _inside(legend, figure.bbox)
    # The legend lies outside the data area, so it covers no part of a curve.
    assert not legend.overlaps(display.ax_.bbox)


def test_importing_skrnn_does_not_import_matplotlib():
    code = (
        "import sys, skrnn, skrnn.inspection; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'"
    )
    # The child must import this skrnn, wherever another one is installed.
    here = str(Path(skrnn.__file__).parents[1])
    path = os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_step_importance_display_heat_map(pyplot, rng):
    from skrnn.inspection import StepImportanceDisplay, step_importance

    X, y = data(rng)
    clf = RNNClassifier(**TINY).fit(X, y)
    display = StepImportanceDisplay.from_estimator(
        clf, X[3][:5], feature_names=["a", "b"], name="sequence 3"
    )
    expected = step_importance(clf, [X[3][:5]])[0]
    np.testing.assert_allclose(display.attributions, expected)
    # Steps along x, features along y, on a scale centred on zero.
    np.testing.assert_allclose(display.image_.get_array(), expected.T)
    low, high = display.image_.get_clim()
    assert low == -high == -np.abs(expected).max()
    labels = [label.get_text() for label in display.ax_.get_yticklabels()]
    assert labels == ["a", "b"]
    assert display.colorbar_ is not None
    assert display.ax_.get_title() == "sequence 3"


def test_step_importance_display_colours_tokens(pyplot):
    from skrnn.inspection import StepImportanceDisplay

    X = [["the", "dog", "runs"], ["a", "cat"], ["the", "cat", "runs", "home"]]
    y = [["D", "N", "V"], ["D", "N"], ["D", "N", "V", "N"]]
    tagger = SequenceTagger(
        hidden_size=4, max_epochs=2, min_frequency=1, random_state=0
    )
    display = StepImportanceDisplay.from_estimator(
        tagger.fit(X, y), X[2], colorbar=False
    )
    assert [text.get_text() for text in display.texts_] == X[2]
    assert display.image_ is None and display.colorbar_ is None
    scores = display.attributions
    strongest = display.texts_[int(np.argmax(np.abs(scores)))]
    # The strongest token, and it alone, gets an end of the colour map (the
    # map's two ends are not equally far from white, so compare with them).
    colours = [
        np.asarray(t.get_bbox_patch().get_facecolor()[:3]) for t in display.texts_
    ]
    colormap = pyplot.get_cmap("RdBu_r")
    ends = [np.asarray(colormap(end)[:3]) for end in (0.0, 1.0)]
    at_an_end = [any(np.allclose(c, end) for end in ends) for c in colours]
    assert at_an_end == [text is strongest for text in display.texts_]
    with pytest.raises(ValueError, match="tokens holds 2 tokens for 4 steps"):
        StepImportanceDisplay(scores, tokens=["a", "b"]).plot()


def test_step_importance_display_refuses_permutation_of_one_sequence(pyplot, rng):
    from skrnn.inspection import StepImportanceDisplay

    X, y = data(rng)
    clf = RNNClassifier(**TINY).fit(X, y)
    with pytest.raises(ValueError, match="explains one sequence"):
        StepImportanceDisplay.from_estimator(clf, X[0], method="permutation")
