"""Training controls shared by every estimator: stopping, history, callbacks,
weights, warm starts, partial_fit, interruption."""

import re
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from skorch.callbacks import Callback

from skrnn import RNNClassifier, RNNRegressor, SequenceTagger

TINY = dict(hidden_size=8, max_epochs=4, random_state=0)


def data(rng, n=60):
    X = rng.randn(n, 6, 2).astype(np.float32)
    y = np.where(X[:, :, 0].sum(axis=1) > 0, "pos", "neg")
    return X, y


class CountEpochs(Callback):
    def initialize(self):
        self.epochs_ = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs_ += 1


class InterruptAt(Callback):
    """Simulate Ctrl-C during the given epoch."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_batch_end(self, net, training=None, **kwargs):
        if training and len(net.history) == self.epoch:
            raise KeyboardInterrupt


def test_early_stopping_restores_the_best_epoch(rng):
    X, y = data(rng, n=200)
    clf = RNNClassifier(
        hidden_size=16,
        lr=1e-2,
        max_epochs=60,
        early_stopping=True,
        n_iter_no_change=3,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ < 60
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None
    # The restored weights are the best epoch's: rescoring the held-out part
    # gives the best validation score, not the last one.
    history = clf.net_.history
    best_epoch = int(np.argmax(clf.validation_scores_))
    assert history[best_epoch, "valid_score"] == clf.best_validation_score_


def test_early_stopping_split_is_stratified(rng):
    X, y = data(rng, n=100)
    y[:10] = "rare"
    seen = []

    class RecordValid(Callback):
        def on_batch_end(self, net, batch=None, training=None, **kwargs):
            if not training:
                seen.extend(batch[1]["target"].tolist())

    RNNClassifier(
        early_stopping=True, validation_fraction=0.2, callbacks=[RecordValid()], **TINY
    ).fit(X, y)
    per_epoch = np.array(seen[: len(seen) // TINY["max_epochs"]])
    # 10 % of the data are "rare" (code 2); a stratified 20-sequence split holds 2.
    assert np.sum(per_epoch == 2) == 2


def test_history_without_early_stopping(rng):
    X, y = data(rng)
    clf = RNNClassifier(**TINY).fit(X, y)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.n_iter_ == len(clf.loss_curve_) == 4


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_history_holds_plain_floats(Estimator, early_stopping, rng):
    # Printed, a list of np.float64 reads [np.float64(0.69...), ...].
    X, y = data(rng)
    if Estimator is RNNRegressor:
        y = X[:, :, 0].sum(axis=1)
    est = Estimator(early_stopping=early_stopping, validation_fraction=0.25, **TINY)
    est.fit(X, y)
    if early_stopping:
        history = [*est.validation_scores_, est.best_validation_score_]
    else:
        history = [est.best_loss_]
    assert [type(v) for v in [*est.loss_curve_, *history]] == [float] * (
        est.n_iter_ + len(history)
    )


def test_callbacks_are_run_and_survive_clone_and_grid_search(rng):
    X, y = data(rng)
    counter = CountEpochs()
    clf = RNNClassifier(callbacks=[counter], **TINY)
    clf.fit(X, y)
    fitted_counter = dict(clf.net_.callbacks_)["CountEpochs_0"]
    assert fitted_counter.epochs_ == 4
    copy = clone(clf)
    assert isinstance(copy.callbacks[0], CountEpochs)
    search = GridSearchCV(copy, {"hidden_size": [4, 8]}, cv=2).fit(X, y)
    best = dict(search.best_estimator_.net_.callbacks_)["CountEpochs_0"]
    assert best.epochs_ == 4


@pytest.mark.parametrize("schedule", ["plateau", "cosine"])
def test_lr_schedule(rng, schedule):
    X, y = data(rng)
    clf = RNNClassifier(lr_schedule=schedule, **dict(TINY, max_epochs=6)).fit(X, y)
    lrs = clf.net_.optimizer_.param_groups[0]["lr"]
    if schedule == "cosine":
        assert lrs < 1e-3
    assert "lr_schedule" in dict(clf.net_.callbacks_)


def test_verbose_prints_one_line_per_epoch(rng, capsys):
    X, y = data(rng)
    RNNClassifier(verbose=1, **TINY).fit(X, y)
    lines = [
        line
        for line in capsys.readouterr().out.splitlines()
        if re.match(r"\s+\d+\s", line)
    ]
    assert len(lines) == 4
    RNNClassifier(verbose=0, **TINY).fit(X, y)
    assert capsys.readouterr().out == ""


def test_verbose_2_adds_a_progress_bar(rng, capsys):
    X, y = data(rng)
    RNNClassifier(verbose=2, **TINY).fit(X, y)
    captured = capsys.readouterr()
    assert "it/s" in captured.out + captured.err


def test_class_weight_balanced_favours_the_rare_class(rng):
    X = rng.randn(120, 5, 1).astype(np.float32)
    y = np.where(np.arange(120) < 12, "rare", "common")
    params = dict(hidden_size=8, max_epochs=15, random_state=0)
    plain = RNNClassifier(**params).fit(X, y)
    balanced = RNNClassifier(class_weight="balanced", **params).fit(X, y)
    rare = list(plain.classes_).index("rare")
    assert (
        balanced.predict_proba(X)[:, rare].mean()
        > plain.predict_proba(X)[:, rare].mean()
    )


def test_class_weight_dict_equals_sample_weight(rng):
    X, y = data(rng)
    params = dict(TINY, batch_size=100)
    by_class = RNNClassifier(class_weight={"pos": 3.0}, **params).fit(X, y)
    by_sample = RNNClassifier(**params).fit(
        X, y, sample_weight=np.where(y == "pos", 3.0, 1.0)
    )
    np.testing.assert_allclose(by_class.predict_proba(X), by_sample.predict_proba(X))
    with pytest.raises(ValueError, match="class_weight names labels \\['cat'\\]"):
        RNNClassifier(class_weight={"cat": 2.0}, **TINY).fit(X, y)


# One batch holds each training set below (batch_size=64, at most 60 sequences).
ONE_BATCH = dict(TINY, batch_size=64)

ONE_BATCH_ESTIMATORS = {
    "classifier": RNNClassifier(**ONE_BATCH),
    "regressor": RNNRegressor(**ONE_BATCH),
    "regressor-per-step": RNNRegressor(return_sequences=True, **ONE_BATCH),
    "tagger": SequenceTagger(**ONE_BATCH),
}


def _task(kind, rng, n=20):
    X = [rng.randn(length, 2) for length in rng.randint(2, 8, size=n)]
    if kind == "classifier":
        return X, [int(x[:, 0].sum() > 0) for x in X]
    if kind == "regressor":
        return X, [x[:, 0].sum() for x in X]
    if kind == "regressor-per-step":
        return X, [np.cumsum(x[:, 0]) for x in X]
    return X, [(x[:, 0] > 0).astype(int) for x in X]


def _outputs(estimator, X):
    method = "predict" if isinstance(estimator, RNNRegressor) else "predict_proba"
    out = getattr(estimator, method)(X)
    return np.concatenate(out) if isinstance(out, list) else out


@pytest.mark.parametrize("kind", ONE_BATCH_ESTIMATORS)
def test_one_batch_trains_on_the_weighted_set_alone(kind, rng):
    # Integer weights, repeated sequences and any order of the rows are the
    # same training set; when one batch holds it they must give the same
    # network to the last bit, not just to rounding.
    estimator = ONE_BATCH_ESTIMATORS[kind]
    X, y = _task(kind, rng)
    weight = rng.randint(0, 4, size=len(X))
    weighted = clone(estimator).fit(X, y, sample_weight=weight)
    expected = _outputs(weighted, X)
    repeated = np.repeat(np.arange(len(X)), weight)
    for rows in (repeated, rng.permutation(repeated)):
        refit = clone(estimator).fit([X[i] for i in rows], [y[i] for i in rows])
        np.testing.assert_array_equal(_outputs(refit, X), expected)
    order = rng.permutation(len(X))
    shuffled = clone(estimator).fit(
        [X[i] for i in order], [y[i] for i in order], sample_weight=weight[order]
    )
    np.testing.assert_array_equal(_outputs(shuffled, X), expected)
    unweighted = clone(estimator).fit(X, y)
    ones = clone(estimator).fit(X, y, sample_weight=np.ones(len(X)))
    np.testing.assert_array_equal(_outputs(ones, X), _outputs(unweighted, X))


def test_warm_start_continues_from_the_previous_weights(rng):
    X, y = data(rng)
    clf = RNNClassifier(warm_start=True, **TINY).fit(X, y)
    first_loss = clf.loss_curve_[-1]
    clf.fit(X, y)
    assert clf.n_iter_ == 8
    # The second fit starts near where the first ended, not from scratch (its
    # fresh optimizer may move the weights a little first: 0.038 to 0.138 with
    # the per-sequence normalised front end).
    assert clf.loss_curve_[4] < min(first_loss + 0.15, clf.loss_curve_[0] / 2)
    cold = RNNClassifier(**TINY).fit(X, y).fit(X, y)
    assert cold.n_iter_ == 4


def test_partial_fit_classifier(rng):
    X, y = data(rng)
    clf = RNNClassifier(hidden_size=8, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:30], y[:30], classes=["neg", "pos"])
    assert clf.n_iter_ == 1
    clf.partial_fit(X[30:], y[30:])
    assert clf.n_iter_ == 2
    with pytest.raises(ValueError, match="is not the same as on last call"):
        clf.partial_fit(X, y, classes=["neg", "pos", "other"])
    with pytest.raises(ValueError, match="y has classes not in `self.classes_`"):
        clf.partial_fit(X[:2], ["neg", "other"])
    assert clf.n_iter_ == 2  # rejected calls leave the estimator unchanged
    # classes may hold labels the first batch lacks
    only_neg = RNNClassifier(hidden_size=4, random_state=0).partial_fit(
        X[:5], ["neg"] * 5, classes=["neg", "pos"]
    )
    assert only_neg.predict_proba(X).shape == (60, 2)


def test_partial_fit_regressor_keeps_scaling(rng):
    X = rng.randn(40, 5, 1)
    y = 100 + X[:, :, 0].sum(axis=1)
    reg = RNNRegressor(hidden_size=8, random_state=0).partial_fit(X[:20], y[:20])
    mean = reg.target_mean_.copy()
    reg.partial_fit(X[20:], y[20:] + 1000)
    np.testing.assert_array_equal(reg.target_mean_, mean)
    assert reg.n_iter_ == 2


def test_partial_fit_equals_fit_epoch_by_epoch(rng):
    X, y = data(rng)
    params = dict(hidden_size=8, random_state=0, batch_size=100)
    fitted = RNNClassifier(max_epochs=1, **params).fit(X, y)
    partial = RNNClassifier(**params).partial_fit(X, y, classes=["neg", "pos"])
    np.testing.assert_allclose(fitted.predict_proba(X), partial.predict_proba(X))


def test_interrupt_keeps_a_usable_estimator_and_warns(rng):
    X, y = data(rng)
    clf = RNNClassifier(callbacks=[InterruptAt(epoch=2)], **dict(TINY, max_epochs=10))
    with pytest.warns(UserWarning, match="interrupted after 1 of 10 epochs"):
        clf.fit(X, y)
    assert clf.n_iter_ == 1
    # The weights are those of the last completed epoch: the same as a
    # one-epoch fit with the same seed.
    one_epoch = RNNClassifier(**dict(TINY, max_epochs=1)).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), one_epoch.predict_proba(X))


def test_interrupt_in_the_first_epoch_warns_and_leaves_the_estimator_unfitted(rng):
    X, y = data(rng)
    clf = RNNClassifier(callbacks=[InterruptAt(epoch=1)], **TINY)
    with pytest.warns(UserWarning, match="before its first epoch completed"):
        assert clf.fit(X, y) is clf
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_interrupt_in_the_first_epoch_of_a_partial_fit_keeps_the_last_model(rng):
    X, y = data(rng)
    clf = RNNClassifier(callbacks=[InterruptAt(epoch=2)], **TINY)
    clf.partial_fit(X, y, classes=["neg", "pos"])
    before = clf.predict_proba(X)
    with pytest.warns(UserWarning, match="left as it was before the call"):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 1
    np.testing.assert_array_equal(clf.predict_proba(X), before)


@pytest.mark.parametrize("search", ["cross_val_score", "GridSearchCV"])
def test_interrupt_inside_model_selection_stops_the_whole_search(rng, search):
    X, y = data(rng)
    clf = RNNClassifier(callbacks=[InterruptAt(epoch=2)], **dict(TINY, max_epochs=10))
    with pytest.raises(KeyboardInterrupt), warnings.catch_warnings():
        warnings.simplefilter("error")  # no "interrupted" warning either
        if search == "cross_val_score":
            cross_val_score(clf, X, y, cv=3, error_score="raise")
        else:
            GridSearchCV(clf, {"hidden_size": [4, 8]}, cv=2).fit(X, y)
    assert not hasattr(clf, "net_")


def test_interrupt_through_a_pipeline_is_still_a_direct_fit(rng):
    X, y = data(rng)
    clf = RNNClassifier(callbacks=[InterruptAt(epoch=2)], **dict(TINY, max_epochs=10))
    pipe = make_pipeline(FunctionTransformer(), clf)
    with pytest.warns(UserWarning, match="interrupted after 1 of 10 epochs"):
        pipe.fit(X, y)
    assert pipe[-1].n_iter_ == 1


def test_failed_warm_fit_leaves_the_fitted_estimator_unchanged(rng):
    X, y = data(rng)
    reg = RNNRegressor(warm_start=True, **TINY).fit(X, X[:, :, 0].sum(axis=1))
    before = reg.predict(X)
    reg.set_params(lr=1e30, clip_grad_norm=None, optimizer="sgd")
    with pytest.raises(FloatingPointError):
        reg.fit(X, X[:, :, 0].sum(axis=1))
    np.testing.assert_array_equal(reg.predict(X), before)
    assert reg.n_iter_ == 4


def test_warm_start_rejects_a_new_architecture(rng):
    X, y = data(rng)
    clf = RNNClassifier(warm_start=True, **TINY).fit(X, y)
    clf.set_params(hidden_size=16)
    with pytest.raises(ValueError, match="network must keep its shape"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "params", [{"hidden_size": 16}, {"num_layers": 2}, {"readout": "last"}]
)
def test_partial_fit_rejects_a_new_architecture_and_trains_on(params, rng):
    X, y = data(rng)
    clf = RNNClassifier(**TINY).partial_fit(X, y, classes=np.unique(y))
    before = clf.predict_proba(X)
    clf.set_params(**params)
    name = next(iter(params))
    with pytest.raises(ValueError, match=f"partial_fit continues.*{name} was"):
        clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    clf.set_params(**{name: RNNClassifier(**TINY).get_params()[name]})
    assert clf.partial_fit(X, y).n_iter_ == 2


def test_partial_fit_cuts_the_plateau_rate_as_one_fit_does(rng):
    # tol=10: no epoch improves, so the schedule cuts after patience epochs.
    X, y = rng.randn(16, 5, 2), rng.randn(16)
    params = dict(TINY, max_epochs=12, n_iter_no_change=2, tol=10.0)
    fitted = RNNRegressor(**params).fit(X, y)
    rates = [row["event_lr"] for row in fitted.net_.history]
    assert rates[-1] < rates[0]  # the schedule cut during the fit
    incremental = RNNRegressor(**params)
    for _ in rates:
        incremental.partial_fit(X, y)
    assert [row["event_lr"] for row in incremental.net_.history] == rates


def test_partial_fit_after_a_validated_fit_judges_plateaus_on_its_own_loss(rng):
    # The fit's schedule watched the validation loss; partial_fit has none.
    X, y = rng.randn(40, 5, 2), rng.randn(40)
    reg = RNNRegressor(early_stopping=True, **TINY).fit(X, y)
    reg.partial_fit(X, y)
    schedule = dict(reg.net_.callbacks_)["lr_schedule"].lr_scheduler_
    assert schedule.best == reg.net_.history[-1, "train_loss"]


def test_no_convergence_warning_when_converged(rng):
    X, y = data(rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RNNClassifier(
            hidden_size=4, max_epochs=100, tol=1.0, n_iter_no_change=1, random_state=0
        ).fit(X, y)


class _GradNorms(Callback):
    """Total gradient norm seen after the built-in callbacks (clipping) ran."""

    def initialize(self):
        self.norms = []
        return self

    def on_grad_computed(self, net, named_parameters, **kwargs):
        grads = [p.grad for _, p in named_parameters if p.grad is not None]
        self.norms.append(
            float(
                torch.linalg.vector_norm(
                    torch.stack([torch.linalg.vector_norm(g) for g in grads])
                )
            )
        )


@pytest.mark.parametrize("clip", [None, 0.01])
def test_clip_grad_norm_bounds_every_gradient(clip, rng):
    X = rng.randn(24, 5, 2)
    y = 100 * X[:, :, 0].sum(axis=1)  # large targets: large gradients
    norms = _GradNorms()
    RNNRegressor(
        hidden_size=6,
        max_epochs=2,
        batch_size=8,
        standardize=False,
        clip_grad_norm=clip,
        callbacks=[norms],
        random_state=0,
    ).fit(X, y)
    assert len(norms.norms) == 6
    if clip is None:
        assert max(norms.norms) > 1.0
    else:
        assert max(norms.norms) <= clip * (1 + 1e-5)


def test_verbose_output_is_plain_text_off_a_terminal(rng, capsys):
    X, y = data(rng)
    RNNClassifier(verbose=1, **TINY).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out
    assert "\x1b[" not in out  # no ANSI colour codes in logs and CI output


@pytest.mark.parametrize("lr_schedule", [None, "plateau", "cosine"])
def test_history_records_the_learning_rate_of_every_epoch(rng, lr_schedule):
    X, y = data(rng)
    clf = RNNClassifier(lr_schedule=lr_schedule, lr=0.01, **TINY).fit(X, y)
    rates = clf.net_.history[:, "event_lr"]
    assert len(rates) == clf.n_iter_
    assert rates[0] == pytest.approx(0.01)
    if lr_schedule == "cosine":
        assert rates == sorted(rates, reverse=True) and rates[-1] < rates[0]


def test_cosine_schedule_restarts_on_a_warm_start_and_carries_on_in_partial_fit(rng):
    X, y = data(rng)
    params = dict(TINY, lr=0.01, lr_schedule="cosine")
    clf = RNNClassifier(warm_start=True, **params).fit(X, y)
    clf.fit(X, y)  # a new optimizer: the schedule starts again at lr
    rates = clf.net_.history[:, "event_lr"]
    assert len(rates) == 8
    assert rates[4] == pytest.approx(0.01) and rates[5:] == rates[1:4]
    clf = RNNClassifier(**params)
    for _ in range(4):
        clf.partial_fit(X, y, classes=np.unique(y))
    carried = clf.net_.history[:, "event_lr"]
    assert carried == pytest.approx(rates[:4])


@pytest.mark.parametrize(
    "n_sequences, batch_size, epochs", [(60, 32, 300), (6000, 30, 40), (60000, 32, 24)]
)
def test_auto_max_epochs_gives_about_8000_steps_within_24_and_300_epochs(
    n_sequences, batch_size, epochs
):
    clf = RNNClassifier(max_epochs="auto", batch_size=batch_size)
    n_batches = -(-n_sequences // batch_size)
    assert clf._max_epochs(n_batches) == epochs
    assert RNNClassifier(max_epochs=7)._max_epochs(n_batches) == 7


def test_auto_max_epochs_trains_that_many_epochs_and_a_cosine_end_is_no_warning(rng):
    X = rng.randn(40, 3, 1).astype(np.float32)
    y = (X[:, 0, 0] > 0).astype(int)
    params = dict(hidden_size=2, max_epochs="auto", n_iter_no_change=1000, tol=0)
    clf = RNNClassifier(lr_schedule="cosine", batch_size=4000, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the planned end of a cosine schedule
        clf.fit(X, y)
    assert clf.n_iter_ == 300  # one batch an epoch: the most epochs 'auto' gives
    with pytest.warns(ConvergenceWarning, match="max_epochs=300"):
        RNNClassifier(lr_schedule=None, batch_size=4000, **params).fit(X, y)


@pytest.mark.parametrize("n_sequences, validates", [(1999, False), (2000, True)])
def test_auto_early_stopping_starts_at_2000_sequences(n_sequences, validates, rng):
    X = rng.randn(n_sequences, 2, 1).astype(np.float32)
    y = (X[:, 0, 0] > 0).astype(int)
    clf = RNNClassifier(hidden_size=2, max_epochs=2, batch_size=500, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    assert (clf.validation_scores_ is not None) == validates
    assert (clf.best_loss_ is None) == validates


def test_auto_patience_follows_what_is_monitored(rng):
    X = rng.randn(40, 3, 1).astype(np.float32)
    y = (X[:, 0, 0] > 0).astype(int)
    # Patience 5 on a validation score: the 6th epoch without improvement
    # after the first (as in MLPClassifier) stops training. No front end
    # here or below: its batch normalisation's running statistics move the
    # validation score, and the loss of reshuffled batches, with nothing learnt.
    clf = RNNClassifier(
        hidden_size=2,
        lr=1e-9,
        early_stopping=True,
        max_epochs=100,
        front_end=None,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ == 1 + 6
    # Patience 50 on the training loss.
    clf = RNNClassifier(
        hidden_size=2, lr=1e-9, max_epochs=100, front_end=None, random_state=0
    )
    clf.fit(X, y)
    assert clf.n_iter_ == 1 + 51


class CutRateAt(Callback):
    """Divide the optimizer's rate by ``factor`` at the end of ``epoch``, as a
    plateau schedule's cuts would."""

    def __init__(self, epoch, factor):
        self.epoch, self.factor = epoch, factor

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            for group in net.optimizer_.param_groups:
                group["lr"] /= self.factor


@pytest.mark.parametrize("factor, ends_at", [(125, 3), (100, 12)])
def test_plateau_schedule_ends_training_once_the_rate_is_cut_to_lr_over_125(
    rng, factor, ends_at
):
    X, y = data(rng)
    # tol=0 and a long patience: only the rate can end training early.
    params = dict(TINY, max_epochs=12, tol=0, n_iter_no_change=1000, lr=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = RNNClassifier(callbacks=[CutRateAt(3, factor)], **params).fit(X, y)
    assert clf.n_iter_ == ends_at
    assert clf.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0.01 / factor)


def test_a_rate_cut_to_lr_over_125_ends_only_plateau_fits(rng):
    X, y = data(rng)
    params = dict(TINY, max_epochs=6, tol=0, n_iter_no_change=1000, lr=0.01)
    callbacks = [CutRateAt(2, 125)]
    with pytest.warns(ConvergenceWarning):  # no schedule: the cut does not end it
        clf = RNNClassifier(lr_schedule=None, callbacks=callbacks, **params).fit(X, y)
    assert clf.n_iter_ == 6
    clf = RNNClassifier(callbacks=callbacks, **params)
    for _ in range(4):  # partial_fit has no stopping rule
        clf.partial_fit(X, y, classes=np.unique(y))
    assert clf.n_iter_ == 4


def test_plateau_schedule_judges_a_plateau_by_the_monitors_tol(rng):
    X, y = data(rng)
    # The loss falls every epoch, but never by tol: a plateau for the monitor
    # (it stops after n_iter_no_change + 1 such epochs) and for the schedule,
    # which cuts the rate once after n_iter_no_change // 2 + 1 of them.
    clf = RNNClassifier(**dict(TINY, max_epochs=20, tol=10.0, n_iter_no_change=4))
    clf.fit(X, y)
    losses = clf.loss_curve_
    assert all(b < a for a, b in zip(losses, losses[1:], strict=False))
    assert clf.n_iter_ == 6
    assert clf.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0.01 * 0.2)
