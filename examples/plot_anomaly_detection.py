"""
Anomalous sequences, and the steps that make them so
====================================================

:class:`~skrnn.RNNAnomalyDetector` is fitted on normal sequences only. Its
network learns to predict each step from the steps before it; a step it
predicts badly is unexpected, and a sequence with many unexpected steps is an
anomaly. The interface is scikit-learn's for outlier detectors:
``score_samples`` (higher is more normal), ``decision_function`` and
``predict`` (+1 normal, -1 anomaly), with ``step_errors`` saying which steps
broke the pattern.

Here the normal sequences are noisy sine waves of random phase and of
different lengths; the test set holds new normal waves, waves with a spike,
and waves whose frequency changes halfway. It runs in a few seconds on a CPU.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score

from skrnn import RNNAnomalyDetector

torch.set_num_threads(1)
rng = np.random.RandomState(0)


def wave(n_steps, frequency=1.0, change_at=None):
    t = np.arange(n_steps) * 0.3
    if change_at is not None:
        # The frequency doubles from step change_at on, continuously.
        t = np.where(t < change_at * 0.3, t, 2 * t - change_at * 0.3)
    phase = rng.uniform(0, 2 * np.pi)
    return np.sin(frequency * t + phase) + 0.05 * rng.randn(n_steps)


normal = [wave(rng.randint(40, 81)) for _ in range(80)]

# %%
# Fit on the normal sequences (a list: their lengths differ).

detector = RNNAnomalyDetector(hidden_size=32, max_epochs=80, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    detector.fit(normal)

# %%
# A test set of 20 normal waves, 10 with a spike at a random step and 10 whose
# frequency doubles halfway.

test_normal = [wave(60) for _ in range(20)]
spikes = []
spike_steps = rng.randint(10, 60, size=10)
for step in spike_steps:
    x = wave(60)
    x[step] += 2.5
    spikes.append(x)
changes = [wave(60, change_at=30) for _ in range(10)]
X_test = test_normal + spikes + changes
is_anomaly = np.r_[np.zeros(20), np.ones(20)]

scores = detector.score_samples(X_test)
print(f"ROC AUC: {roc_auc_score(is_anomaly, -scores):.3f}")
print(
    "predicted anomalies among the normal waves:",
    (detector.predict(test_normal) == -1).sum(),
)
print("among the anomalous ones:", (detector.predict(spikes + changes) == -1).sum())

# %%
# Which steps are anomalous: the per-step errors peak at the spike, and rise
# where the frequency changes.

errors = detector.step_errors(X_test)
peaks = [int(errors[20 + k].argmax()) for k in range(10)]
print("spike steps:     ", spike_steps.tolist())
print("largest errors at:", peaks)
changed = np.stack(errors[30:])
print(
    f"frequency change: mean step error {changed[:, :30].mean():.3f} before "
    f"step 30, {changed[:, 30:].mean():.3f} after"
)
fig, axes = plt.subplots(3, 1, figsize=(7, 6), sharex=True)
for ax, i, title in [
    (axes[0], 0, "normal"),
    (axes[1], 20, f"spike at step {spike_steps[0]}"),
    (axes[2], 30, "frequency doubles at step 30"),
]:
    ax.plot(X_test[i], color="0.4", label="sequence")
    twin = ax.twinx()
    twin.plot(errors[i], color="tab:red", label="step error")
    twin.set_ylim(0, max(e.max() for e in errors[20:]) * 1.05)
    ax.set_title(title)
axes[-1].set_xlabel("step")
fig.tight_layout()

# %%
# The decision function is negative for the sequences flagged as anomalies.

fig, ax = plt.subplots(figsize=(6, 3))
decision = detector.decision_function(X_test)
ax.hist(decision[:20], bins=15, alpha=0.7, label="normal")
ax.hist(decision[20:], bins=15, alpha=0.7, label="anomalous")
ax.axvline(0, color="k", lw=1)
ax.set_xlabel("decision_function")
ax.legend()
plt.show()
