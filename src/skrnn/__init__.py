"""skrnn: recurrent neural networks (RNN, LSTM, GRU) as scikit-learn estimators."""

from ._anomaly import RNNAnomalyDetector
from ._classifier import RNNClassifier
from ._export import check_export_inputs, export, tagger_inputs, token_inputs
from ._forecaster import RNNForecaster
from ._persistence import load, save
from ._regressor import RNNRegressor
from ._tagger import SequenceTagger
from ._translator import SequenceTranslator

__version__ = "0.1.0.dev0"

__all__ = [
    "RNNAnomalyDetector",
    "RNNClassifier",
    "RNNForecaster",
    "RNNRegressor",
    "SequenceTagger",
    "SequenceTranslator",
    "__version__",
    "check_export_inputs",
    "export",
    "load",
    "save",
    "tagger_inputs",
    "token_inputs",
]
