"""The pieces of the default training recipe: readouts that see the whole
sequence, restarts kept by training loss, the recurrent initialisation and the
convolutional front end."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skrnn import RNNClassifier, RNNRegressor
from skrnn._modules import (
    AttentionPooling,
    ConvFrontEnd,
    MaskedBatchNorm,
    Readout,
    RecurrentEncoder,
    step_mask,
)

TINY = dict(hidden_size=8, max_epochs=4, random_state=0)


def data(rng, n=40):
    X = rng.randn(n, 6, 2).astype(np.float32)
    y = np.where(X[:, :, 0].sum(axis=1) > 0, "pos", "neg")
    return X, y


class FinalLosses(Callback):
    """Record the last training loss of every training run the net makes."""

    def __init__(self, record):
        self.record = record

    def on_train_end(self, net, **kwargs):
        self.record.append(float(net.history[-1, "train_loss"]))


def test_attention_weights_are_zero_on_padding_and_sum_to_one():
    torch.manual_seed(0)
    pooling = AttentionPooling(5)
    outputs = torch.randn(3, 7, 5)
    lengths = torch.tensor([7, 4, 1])
    mask = step_mask(lengths, 7)[..., None]
    weights = pooling.weights(outputs, mask)[..., 0]
    assert torch.all(weights[~mask[..., 0]] == 0)
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(3))
    # A sequence of one step is that step.
    torch.testing.assert_close(pooling(outputs, mask)[2], outputs[2, 0])


@pytest.mark.parametrize("mode", ["attention", "concat", "mean", "max"])
def test_readouts_ignore_whatever_padding_holds(mode):
    torch.manual_seed(0)
    readout = Readout(mode, 5)
    outputs = torch.randn(2, 6, 5)
    lengths = torch.tensor([6, 3])
    last = outputs[torch.arange(2), lengths - 1]
    garbage = outputs.clone()
    garbage[1, 3:] = float("nan")
    together = readout(garbage, last, lengths)
    alone = readout(outputs[1:, :3], last[1:], lengths[1:])
    assert together.shape == (2, readout.output_size)
    assert torch.isfinite(together).all()
    torch.testing.assert_close(together[1:], alone)


def test_concat_readout_is_last_mean_and_max():
    outputs = torch.arange(12.0).reshape(1, 4, 3)
    lengths = torch.tensor([3])
    last = outputs[:, 2]
    features = Readout("concat", 3)(outputs, last, lengths)
    expected = torch.cat([last, outputs[:, :3].mean(dim=1), outputs[:, 2]], dim=-1)
    torch.testing.assert_close(features, expected)


def test_conv_front_end_is_the_same_for_a_sequence_alone_and_in_a_batch():
    torch.manual_seed(0)
    # Evaluation mode, as predictions run: normalisation by running statistics.
    front = ConvFrontEnd(2, channels=4, kernel_size=5, stride=2, n_layers=2).eval()
    values = torch.randn(2, 20, 2)
    lengths = torch.tensor([20, 9])
    values[1, 9:] = 0.0  # padding is zero, as the network receives it
    together, new_lengths, _ = front(values, lengths)
    alone, alone_length, _ = front(values[1:, :9], lengths[1:])
    assert new_lengths.tolist() == [5, 3]  # ceil(20 / 4), ceil(9 / 4)
    assert alone_length.tolist() == [3]
    torch.testing.assert_close(together[1:, :3], alone)
    assert torch.all(together[1, 3:] == 0)


@pytest.mark.parametrize("steps", [251, 250])
def test_conv_front_end_input_gradient_is_right_with_two_threads(steps):
    # torch 2.13's oneDNN convolution got a stride-2 input gradient wrong at
    # two threads for odd lengths such as 251 (64 input channels, batch 32);
    # the front end pads to even lengths. Checked against float64 (no oneDNN).
    torch.manual_seed(0)
    front = ConvFrontEnd(32)
    exact = ConvFrontEnd(32).double()
    exact.load_state_dict(front.state_dict())
    values = torch.randn(32, steps, 32)
    lengths = torch.full((32,), steps)
    upstream = torch.randn(32, (steps + 7) // 8, 64, dtype=torch.float64)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        grads = []
        for module, dtype in ((front, torch.float32), (exact, torch.float64)):
            x = values.to(dtype).detach().requires_grad_()
            features, _, _ = module(x, lengths)
            (features * upstream.to(dtype)).sum().backward()
            grads.append(x.grad.double())
    finally:
        torch.set_num_threads(threads)
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-3, atol=1e-5)


def test_masked_batch_norm_counts_real_steps_only():
    torch.manual_seed(0)
    norm = MaskedBatchNorm(3)
    hidden = torch.randn(2, 3, 6)
    mask = step_mask(torch.tensor([6, 2]), 6)[:, None, :]
    padded = torch.where(mask, hidden, 1e6)  # padding that would dominate
    out = norm(padded, mask)
    real = torch.cat([hidden[0], hidden[1, :, :2]], dim=1)  # (3, 8 real steps)
    expected = (real - real.mean(1, keepdim=True)) / torch.sqrt(
        real.var(1, unbiased=False, keepdim=True) + 1e-5
    )
    torch.testing.assert_close(torch.cat([out[0], out[1, :, :2]], 1), expected)
    torch.testing.assert_close(norm.running_mean, 0.1 * real.mean(1))
    # Evaluation normalises by the running statistics, whatever the batch.
    norm.eval()
    alone = norm(hidden[1:, :, :2], mask[1:, :, :2])
    torch.testing.assert_close(norm(padded, mask)[1:, :, :2], alone)


def test_masked_batch_norm_relu_trains_as_the_plain_formula():
    # The fused training step (hand-written backward) against autograd through
    # relu(norm(x)) with the mask: outputs, every gradient, running statistics.
    torch.manual_seed(0)
    plain, fused = MaskedBatchNorm(4).double(), MaskedBatchNorm(4).double()
    with torch.no_grad():
        for norm in (plain, fused):
            norm.weight.copy_(torch.tensor([1.5, -0.5, 0.0, 2.0]))
            norm.bias.copy_(torch.tensor([0.1, 0.3, -0.2, 0.0]))
    mask = step_mask(torch.tensor([7, 3, 1]), 7)[:, None, :]
    hidden = torch.where(mask, torch.randn(3, 4, 7, dtype=torch.float64), 1e3)
    upstream = torch.randn(3, 4, 7, dtype=torch.float64)
    grads = []
    for norm, step in (
        (plain, lambda x: torch.where(mask, torch.relu(plain(x, mask)), 0.0)),
        (fused, lambda x: fused.relu(x, mask)),
    ):
        x = hidden.clone().requires_grad_()
        out = step(x)
        (out * upstream).sum().backward()
        grads.append((out, x.grad, norm.weight.grad, norm.bias.grad))
    for expected, got in zip(*grads, strict=True):
        torch.testing.assert_close(got, expected)
    assert torch.all(grads[1][0][~mask.expand(-1, 4, -1)] == 0)
    assert torch.all(grads[1][1][~mask.expand(-1, 4, -1)] == 0)
    torch.testing.assert_close(fused.running_mean, plain.running_mean)
    torch.testing.assert_close(fused.running_var, plain.running_var)
    # Evaluation is the plain formula on the running statistics.
    plain.eval(), fused.eval()
    torch.testing.assert_close(
        fused.relu(hidden, mask),
        torch.where(mask, torch.relu(plain(hidden, mask)), 0.0),
    )


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_orthogonal_init(cell):
    torch.manual_seed(0)
    encoder = RecurrentEncoder(3, cell=cell, hidden_size=6, init="orthogonal")
    for block in encoder.rnn.weight_hh_l0.split(6, dim=0):
        torch.testing.assert_close(block @ block.T, torch.eye(6))
    if cell == "lstm":
        bias = encoder.rnn.bias_ih_l0 + encoder.rnn.bias_hh_l0
        assert bias[6:12].tolist() == [1.0] * 6  # the forget gate
        assert torch.all(bias[:6] == 0) and torch.all(bias[12:] == 0)


def test_restarts_keep_the_start_with_the_lowest_training_loss(rng):
    X, y = data(rng)
    losses = []
    clf = RNNClassifier(n_init=3, callbacks=[FinalLosses(losses)], **TINY).fit(X, y)
    assert len(losses) == 3
    assert len(set(losses)) == 3  # three different starts
    assert clf.loss_curve_[-1] == min(losses)
    assert clf.n_iter_ == len(clf.loss_curve_) <= TINY["max_epochs"]


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_restarts_same_seed_same_model(Estimator, rng):
    X, y = data(rng)
    if Estimator is RNNRegressor:
        y = X[:, :, 0].sum(axis=1)
    first = Estimator(n_init=2, **TINY).fit(X, y)
    second = Estimator(n_init=2, **TINY).fit(X, y)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    assert first.loss_curve_ == second.loss_curve_


def test_one_start_is_the_fit_without_restarts(rng):
    # n_init=1 draws nothing more from random_state than a fit did before.
    X, y = data(rng)
    losses = []
    clf = RNNClassifier(n_init=1, callbacks=[FinalLosses(losses)], **TINY).fit(X, y)
    assert losses == [clf.loss_curve_[-1]]


def test_partial_fit_and_warm_start_train_one_network(rng):
    X, y = data(rng)
    losses = []
    clf = RNNClassifier(n_init=3, callbacks=[FinalLosses(losses)], **TINY)
    clf.partial_fit(X, y, classes=["neg", "pos"])
    assert len(losses) == 1  # one epoch of one network, no restarts
    assert clf.n_iter_ == 1
    losses.clear()
    clf.set_params(warm_start=True).fit(X, y)
    assert len(losses) == 1


def test_front_end_auto_is_conv_for_one_output_per_sequence_only(rng):
    X = rng.randn(20, 12, 1).astype(np.float32)
    reg = RNNRegressor(**TINY).fit(X, X[:, :, 0].sum(axis=1))
    assert reg.net_.module_.front_end is not None
    per_step = RNNRegressor(return_sequences=True, **TINY)
    per_step.fit(X, np.cumsum(X[:, :, 0], axis=1))
    assert per_step.net_.module_.front_end is None
    assert (
        RNNRegressor(front_end=None, **TINY)
        .fit(X, X[:, :, 0].sum(axis=1))
        .net_.module_.front_end
        is None
    )


def test_front_end_conv_with_per_step_targets_is_an_error(rng):
    X = rng.randn(10, 5, 1)
    reg = RNNRegressor(front_end="conv", return_sequences=True, **TINY)
    with pytest.raises(ValueError, match="front_end='conv'.*return_sequences"):
        reg.fit(X, X[:, :, 0])


@pytest.mark.parametrize(
    "n_sequences, batch_size, patience",
    [(40, 32, 50), (172, 32, 50), (600, 32, 16), (2000, 32, 10)],
)
def test_auto_patience_is_about_300_gradient_steps(
    n_sequences, batch_size, patience, rng
):
    # On the training loss (2,000 sequences would turn early stopping on,
    # whose patience is 5: see test_training).
    X = rng.randn(n_sequences, 3, 1).astype(np.float32)
    clf = RNNClassifier(
        batch_size=batch_size, hidden_size=4, max_epochs=1, early_stopping=False
    )
    clf.fit(X, np.arange(n_sequences) % 2)
    monitor = dict(clf.net_.callbacks_)["monitor"]
    assert monitor.n_iter_no_change == patience
    schedule = dict(clf.net_.callbacks_)["lr_schedule"]
    assert schedule.kwargs["patience"] == patience // 2


def test_plateau_schedule_survives_partial_fit_with_early_stopping(rng):
    # partial_fit has no validation split: the default plateau schedule must
    # then watch the training loss, not a validation loss that is not there.
    X, y = data(rng, n=60)
    clf = RNNClassifier(early_stopping=True, **TINY).fit(X, y).partial_fit(X, y)
    assert clf.n_iter_ == len(clf.loss_curve_)
    fresh = RNNClassifier(early_stopping=True, **TINY)
    fresh.partial_fit(X, y, classes=["neg", "pos"]).partial_fit(X, y)
    assert fresh.n_iter_ == 2
