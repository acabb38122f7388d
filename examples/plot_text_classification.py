"""
Sentiment of movie reviews from raw text
========================================

:class:`~skrnn.RNNClassifier` reads raw documents: a list (or pandas Series)
of strings, split into words and punctuation by the estimator, with a
vocabulary and an unknown-word embedding learnt in ``fit`` (a character
encoder, ``char_features``, is there too, off by default for documents).
Here it tells positive from negative movie-review sentences (the
sentence polarity data set of Pang and Lee, "MR": 5,331 of each), beside the
baseline a user would try first, TF-IDF features and a logistic regression.

To keep this example short on a CPU, both train on 4,000 sentences and are
scored on 2,000 others; :doc:`/benchmarks` has the 10-fold figures.
"""

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skrnn import RNNClassifier
from skrnn.inspection import TrainingCurveDisplay

# %%
# The data
# --------
#
# One sentence per line, lower-cased and tokenised by its authors; the
# classifier takes the lines as they are. (The files come from
# https://www.cs.cornell.edu/people/pabo/movie-review-data/, "sentence polarity
# dataset v1.0"; this example reads them from ``$SKRNN_DATA/sentence_polarity``.)

folder = Path(os.environ.get("SKRNN_DATA", "~/skrnn_data")).expanduser()
folder = folder / "sentence_polarity"
positive = (folder / "rt-polarity.pos").read_text(encoding="utf-8").splitlines()
negative = (folder / "rt-polarity.neg").read_text(encoding="utf-8").splitlines()
X = np.array(positive + negative, dtype=object)
y = np.array(["positive"] * len(positive) + ["negative"] * len(negative))
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=4000, test_size=2000, stratify=y, random_state=0
)
print(X_train[:3], y_train[:3])

# %%
# The baseline
# ------------
#
# Word and word-pair counts, TF-IDF weighted, into a logistic regression.

baseline = make_pipeline(
    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
    LogisticRegression(C=10, max_iter=1000),
).fit(X_train, y_train)
print(f"TF-IDF + logistic regression: {baseline.score(X_test, y_test):.3f}")

# %%
# The recurrent classifier, with its defaults
# -------------------------------------------
#
# With 4,000 training sentences the defaults set 10 % aside to decide when to
# stop (``early_stopping='auto'``) and keep the weights of the best epoch.

clf = RNNClassifier(random_state=0).fit(X_train, y_train)
print(
    f"RNNClassifier: {clf.score(X_test, y_test):.3f} after {clf.n_iter_} epochs; "
    f"vocabulary of {len(clf.vocabularies_[0])} words"
)
print(clf.predict(["a gripping , funny and moving film", "a dull , lifeless mess"]))

# %%
# How training went, and which mistakes remain
# --------------------------------------------

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
TrainingCurveDisplay.from_estimator(clf, ax=left)
ConfusionMatrixDisplay.from_estimator(clf, X_test, y_test, ax=right, colorbar=False)
right.set_title("test sentences")
fig.tight_layout()
plt.show()
