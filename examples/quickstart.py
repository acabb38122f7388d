"""Quick start: classify and regress synthetic sequences with skrnn.

Run with ``python examples/quickstart.py``; it generates its own data and trains
both estimators with their default settings until their training loss stops
improving, in about a minute of CPU time. The README's first code block is this
script.
"""

import numpy as np
from sklearn.model_selection import train_test_split

from skrnn import RNNClassifier, RNNRegressor

rng = np.random.RandomState(0)

# Classification: does a random walk ever climb above +3?
X = rng.randn(600, 30, 2).astype(np.float32)  # 600 sequences, 30 steps, 2 features
y = np.where(X[:, :, 0].cumsum(axis=1).max(axis=1) > 3, "spike", "flat")
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
# Training stops once the loss stops improving (at most 500 epochs).
clf = RNNClassifier(random_state=0).fit(X_train, y_train)
print(
    f"RNNClassifier: {clf.n_iter_} epochs, test accuracy "
    f"{clf.score(X_test, y_test):.3f} (majority class "
    f"{max(np.mean(y_test == c) for c in clf.classes_):.3f})"
)
print("predicted:", clf.predict(X_test[:4]), "true:", y_test[:4])

# Regression on sequences of different lengths, targets in the hundreds.
lengths = rng.randint(5, 40, size=600)
X = [rng.randn(n, 1).astype(np.float32) for n in lengths]
y = np.array([300 + 50 * x[:, 0].sum() / np.sqrt(len(x)) for x in X])
reg = RNNRegressor(random_state=0).fit(X[:450], y[:450])
print(
    f"RNNRegressor on variable-length sequences: {reg.n_iter_} epochs, test R^2 "
    f"{reg.score(X[450:], y[450:]):.3f}"
)
