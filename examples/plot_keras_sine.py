"""
Keras's SimpleRNN example, redone with skrnn
============================================

A classic Keras snippet trains a per-step recurrent regressor on noise::

    model = Sequential([
        SimpleRNN(64, activation="tanh", return_sequences=True),
        Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x_train, y_train, epochs=10, batch_size=32)

with ``x_train = np.random.randn(1000, 10, 1)`` and one target per step,
``y_train = sin(row + step)``. The input carries no information about the target:
averaged over rows, ``sin(row + step)`` is zero at every step, so the best any
model can do is predict about 0 and score the target's variance, an MSE of about
0.5. Keras ends there, and so does skrnn.

The same model in skrnn is one estimator: a vanilla RNN cell (``cell='rnn'``,
tanh) with 64 units, a linear output at every step (``return_sequences=True``),
Adam at lr 1e-3 and the mean squared error, 10 epochs of batches of 32.

Four settings make it Keras's setup rather than skrnn's defaults:

* ``lr=1e-3``: Keras's ``adam`` rate; skrnn's default is 1e-2.
* ``lr_schedule=None``: Keras keeps the rate constant; skrnn's default cuts it
  fivefold when the training loss stalls.
* ``standardize=False``: Keras feeds the arrays as they are. skrnn's default
  standardises inputs and targets, which here would change little (the input is
  already standard normal and the target has mean 0) but would train on targets
  rescaled to unit variance, so the loss it optimises would no longer be Keras's.
* ``clip_grad_norm=None``: Keras's ``adam`` does not clip gradients; skrnn clips
  their norm at 1.0 by default.

skrnn trains in the precision of its input, and NumPy makes float64 arrays:
float64 is several times slower on a CPU, so the arrays are cast to float32 (as
Keras does).

The script also times the plain PyTorch loop that does the same training, in
turns with skrnn, to show what the scikit-learn interface costs. It runs in
about ten seconds on a CPU.
"""

import statistics
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_squared_error
from torch import nn

from skrnn import RNNRegressor

# %%
# A network this small (64 units, batches of 32) gains nothing from several
# torch threads, and on a busy machine extra threads wait on each other: train
# on one and put the setting back at the end.

previous_threads = torch.get_num_threads()
torch.set_num_threads(1)

# %%
# Data: the Keras example's construction, with a fixed seed.

rng = np.random.RandomState(0)


def make_data(n_rows):
    x = rng.randn(n_rows, 10, 1).astype(np.float32)
    y = np.sin(np.arange(n_rows)[:, None] + np.arange(10)[None, :])
    return x, y.astype(np.float32)


x_train, y_train = make_data(1000)
x_test, y_test = make_data(100)
print(
    f"x_train {x_train.shape}, y_train {y_train.shape}; variance of y_test: "
    f"{y_test.var():.3f}"
)

# %%
# The skrnn model.


def fit_skrnn(seed=0):
    model = RNNRegressor(
        cell="rnn",
        hidden_size=64,
        return_sequences=True,
        max_epochs=10,
        batch_size=32,
        lr=1e-3,
        lr_schedule=None,
        standardize=False,
        clip_grad_norm=None,
        random_state=seed,
    )
    with warnings.catch_warnings():
        # Ten epochs on noise do not converge; Keras would not say so either.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x_train, y_train)


model = fit_skrnn()
y_pred = model.predict(x_test)  # (100, 10): one prediction per step
test_mse = mean_squared_error(y_test.ravel(), y_pred.ravel())
print(f"skrnn test MSE: {test_mse:.3f} (Keras: about 0.50)")
print("training loss per epoch:", " ".join(f"{v:.3f}" for v in model.loss_curve_))

# %%
# The same training as a plain PyTorch loop: ``nn.RNN`` and a linear layer
# applied at every step, Adam, MSE, 10 epochs, batches of 32 drawn from a new
# permutation each epoch.


class PlainRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(1, 64, batch_first=True)
        self.head = nn.Linear(64, 1)

    def forward(self, x):
        outputs, _ = self.rnn(x)
        return self.head(outputs)  # (batch, steps, 1)


def fit_plain(seed=0):
    torch.manual_seed(seed)
    order_rng = np.random.RandomState(seed)
    X, Y = torch.from_numpy(x_train), torch.from_numpy(y_train[:, :, None])
    net = PlainRNN()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    net.train()
    for _ in range(10):
        order = torch.from_numpy(order_rng.permutation(len(X)))
        for start in range(0, len(X), 32):
            idx = order[start : start + 32]
            optimizer.zero_grad()
            loss = loss_fn(net(X[idx]), Y[idx])
            loss.backward()
            optimizer.step()
    return net


# %%
# Time both in turns (skrnn, plain, plain, skrnn, ...) and compare medians,
# after one untimed run of each: the very first training step pays torch's
# one-off lazy imports, which would otherwise be charged to whichever side ran
# first.

fit_plain()  # skrnn's warm-up was the fit above
times = {"skrnn": [], "plain": []}
fits = {"skrnn": fit_skrnn, "plain": fit_plain}
for repeat in range(5):
    for name in ("skrnn", "plain") if repeat % 2 == 0 else ("plain", "skrnn"):
        start = time.perf_counter()
        fits[name]()
        times[name].append(time.perf_counter() - start)
median = {name: statistics.median(t) for name, t in times.items()}
ratio = statistics.median(
    s / p for s, p in zip(times["skrnn"], times["plain"], strict=True)
)
torch.set_num_threads(previous_threads)
print(
    f"fit time (10 epochs), median of 5, 1 torch thread: skrnn "
    f"{median['skrnn']:.3f} s, plain PyTorch loop {median['plain']:.3f} s, "
    f"ratio skrnn / plain {ratio:.2f}"
)

# %%
# Predictions for a few test sequences: the model has learnt to stay near 0,
# the only prediction the noise input allows.

try:
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

if plt is not None:
    fig, axes = plt.subplots(1, 3, figsize=(10, 3), sharey=True)
    for ax, row in zip(axes, (0, 1, 2), strict=True):
        ax.plot(y_test[row], "o-", label="target sin(row + step)")
        ax.plot(y_pred[row], "s--", label="skrnn prediction")
        ax.set_title(f"test sequence {row}")
        ax.set_xlabel("step")
    axes[0].legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    plt.show()
