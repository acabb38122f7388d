"""
Which steps and channels moved a prediction: BasicMotions
=========================================================

A recurrent network's prediction is hard to trust without knowing what it
looked at. :func:`~skrnn.inspection.step_importance` attributes each prediction
to the steps and features of its sequence, and
:class:`~skrnn.inspection.StepImportanceDisplay` draws them. The network's
learnt summary of a sequence is available too, as features:
:meth:`~skrnn.RNNClassifier.transform`.

BasicMotions (UEA archive) holds 80 recordings of a smart watch, 10 seconds at
10 Hz of a 3-D accelerometer and a 3-D gyroscope, while students were standing,
walking, running or playing badminton.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skrnn import RNNClassifier
from skrnn.datasets import fetch_ucr_uea
from skrnn.inspection import StepImportanceDisplay, step_importance

motions = fetch_ucr_uea("BasicMotions")
X, y = motions.data.astype(np.float32), motions.target
train, test = motions.split == "train", motions.split == "test"
X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
channels = ["acc x", "acc y", "acc z", "gyro x", "gyro y", "gyro z"]

# %%
# A small classifier, trained briefly so that the example runs fast.

clf = RNNClassifier(hidden_size=32, max_epochs=60, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# Integrated gradients of one test recording
# ------------------------------------------
#
# Each cell is the share of the predicted class's probability that a channel
# at a step contributed, measured from a baseline recording at the training
# mean of every channel; the cells of a recording sum to its probability minus
# the baseline's.

index = int(np.flatnonzero(y_test == "Running")[0])
display = StepImportanceDisplay.from_estimator(
    clf,
    X_test[index],
    feature_names=channels,
    name=f"{y_test[index]}, predicted {clf.predict(X_test[index : index + 1])[0]}",
)

# %%
# Which channels matter, per activity
# -----------------------------------
#
# The mean absolute attribution over the test recordings of each true
# activity, summed over steps: the gyroscope, which moves when the wrist turns,
# separates badminton from running.

attributions = step_importance(clf, X_test)
per_channel = np.array([np.abs(a).sum(axis=0) for a in attributions])
activities = ["Standing", "Walking", "Running", "Badminton"]
fig, ax = plt.subplots(layout="constrained")
for offset, activity in enumerate(activities):
    mean = per_channel[y_test == activity].mean(axis=0)
    ax.bar(np.arange(6) + 0.2 * offset - 0.3, mean, width=0.2, label=activity)
ax.set_xticks(range(6), channels)
ax.set_ylabel("mean |attribution|")
ax.legend()

# %%
# Occlusion, which needs no gradient, replaces one step at a time by the
# baseline and measures the drop of the probability. It asks a different
# question (what one step changes with all the others in place, not what each
# step contributes along the path from the baseline), so the two need not pick
# the same most important step.

occluded = step_importance(clf, X_test, method="occlusion")
agreement = np.mean(
    [
        np.argmax(np.abs(a).sum(axis=1)) == np.argmax(np.abs(b).sum(axis=1))
        for a, b in zip(attributions, occluded, strict=True)
    ]
)
print(f"the two pick the same most important step on {agreement:.0%} of recordings")

# %%
# The learnt summary as features
# ------------------------------
#
# :meth:`~skrnn.RNNClassifier.transform` returns what the network's last layer
# reads: here the LSTM's outputs averaged over the steps (32 numbers), beside
# the convolutional front end's 64 features averaged over the recording and
# each channel's level and log standard deviation (12), 108 in all. In a
# pipeline they feed any scikit-learn estimator.

features = clf.transform(X_test)
print(f"features: {features.shape}")
pipe = make_pipeline(
    RNNClassifier(hidden_size=32, max_epochs=60, random_state=0),
    LogisticRegression(max_iter=1000),
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    pipe.fit(X_train, y_train)
print(f"logistic regression on its features: {pipe.score(X_test, y_test):.3f}")
plt.show()
