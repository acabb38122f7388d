"""scikit-learn's estimator checks over every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skrnn import RNNClassifier, RNNRegressor, SequenceTagger

# A smaller network, a larger learning rate and fewer epochs keep the checks fast
# while still reaching the training scores the checks demand; every other
# parameter keeps its default, so the checks exercise what users get.
FAST = dict(hidden_size=32, lr=1e-2, max_epochs=40)

ESTIMATORS = [
    RNNClassifier(**FAST),
    RNNClassifier(cell="gru", bidirectional=True, readout="mean", **FAST),
    RNNClassifier(cell="rnn", nonlinearity="relu", num_layers=2, **FAST),
    RNNRegressor(**FAST),
    RNNRegressor(cell="gru", bidirectional=True, readout="max", **FAST),
    RNNRegressor(cell="rnn", **FAST),
    SequenceTagger(**FAST),
    SequenceTagger(crf=True, cell="gru", **FAST),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
