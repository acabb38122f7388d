"""Per-sequence normalisation in the convolutional front end: each sequence
reaches the convolutions also at its own scale, with its level and scale given
to the head."""

import numpy as np
import torch

from skrnn import RNNClassifier
from skrnn._modules import ConvFrontEnd, SequenceNormalization


def test_sequence_normalization_counts_real_steps_only():
    torch.manual_seed(0)
    values = torch.randn(2, 7, 3)
    lengths = torch.tensor([7, 4])
    padded = values.clone()
    padded[1, 4:] = 1e6  # padding that would dominate any statistic
    norm = SequenceNormalization(3)
    out, summary = norm(padded, lengths)
    real = values[1, :4]
    expected = (real - real.mean(0)) / real.std(0, unbiased=False)
    torch.testing.assert_close(out[1, :4], expected, rtol=1e-4, atol=1e-4)
    assert torch.all(out[1, 4:] == 0)
    assert summary.shape == (2, 6)
    torch.testing.assert_close(summary[1, :3], torch.asinh(real.mean(0)))


def test_sequence_normalization_removes_offset_and_scale_and_reports_them():
    torch.manual_seed(0)
    values = torch.randn(1, 50, 2, dtype=torch.float64)
    lengths = torch.tensor([50])
    norm = SequenceNormalization(2)
    moved = 1e3 * values + 7.0
    (out_moved, summary_moved), (out, summary) = (
        norm(moved, lengths),
        norm(values, lengths),
    )
    torch.testing.assert_close(out_moved, out)
    # The log-scale the head reads moves by log(1e3).
    shift = summary_moved[0, 2:] - summary[0, 2:]
    torch.testing.assert_close(shift, torch.full((2,), np.log(1e3)).double())


def test_sequence_normalization_of_a_constant_sequence_is_finite():
    values = torch.full((1, 5, 1), 3.0, requires_grad=True)
    norm = SequenceNormalization(1)
    out, summary = norm(values, torch.tensor([5]))
    (out.sum() + summary.sum()).backward()
    assert torch.all(out == 0)
    assert torch.isfinite(summary).all()
    assert torch.isfinite(values.grad).all()


def test_front_end_of_a_sequence_alone_and_in_a_batch():
    torch.manual_seed(0)
    front = ConvFrontEnd(1, channels=4, kernel_size=3, n_layers=2).eval()
    values = torch.randn(2, 12, 1)
    lengths = torch.tensor([12, 5])
    values[1, 5:] = 0.0
    together, _, summary = front(values, lengths)
    alone, _, alone_summary = front(values[1:, :5], lengths[1:])
    torch.testing.assert_close(together[1:, :2], alone)
    assert summary.shape == (2, front.summary_size)
    torch.testing.assert_close(summary[1:], alone_summary)
    # The first convolution reads the input as given and normalised.
    assert front.convs[0].in_channels == 2


def test_classes_that_differ_in_shape_at_scales_across_orders_of_magnitude(rng):
    # Shapes: a rising or a falling ramp; each series at its own scale between
    # 1e-3 and 1e3, as appliance currents are. One mean and scale for all the
    # training steps squash the small ones to zero.
    n, steps = 80, 24
    y = rng.randint(0, 2, n)
    ramp = np.linspace(-1.0, 1.0, steps)
    shapes = np.where(y[:, None] == 1, ramp, -ramp) + 0.1 * rng.randn(n, steps)
    scales = 10.0 ** rng.uniform(-3, 3, n)
    X = (shapes * scales[:, None] + scales[:, None])[:, :, None].astype(np.float32)
    clf = RNNClassifier(hidden_size=8, max_epochs=15, random_state=0).fit(X, y)
    small = scales < 1.0
    assert small.sum() > 10
    assert clf.score(X[small], y[small]) > 0.9
