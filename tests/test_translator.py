"""SequenceTranslator: learning, decoding, types, persistence and bad input."""

import copy
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score

import skrnn
from skrnn import SequenceTranslator
from skrnn.metrics import (
    edit_distance,
    sequence_accuracy_score,
    sequence_accuracy_scorer,
    token_error_rate,
    token_error_rate_scorer,
)

FAST = dict(hidden_size=32, embedding_dim=16, random_state=0, n_threads=1)


def _strings(n, seed, alphabet="abcd", lengths=(2, 6)):
    rng = np.random.RandomState(seed)
    return [
        "".join(rng.choice(list(alphabet), rng.randint(*lengths))) for _ in range(n)
    ]


def _fit(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SequenceTranslator(**{**FAST, **params}).fit(X, y)


@pytest.fixture(scope="module")
def reverser():
    X = _strings(300, 0)
    return _fit(X, [s[::-1] for s in X], max_epochs=40)


def test_learns_to_reverse_unseen_strings(reverser):
    X = _strings(100, 1)
    assert reverser.score(X, [s[::-1] for s in X]) >= 0.8


def test_learns_to_copy_token_lists():
    X = [list(s) for s in _strings(200, 2)]
    model = _fit(X, X, max_epochs=30)
    X_test = [list(s) for s in _strings(50, 3)]
    assert sequence_accuracy_score(X_test, model.predict(X_test)) >= 0.8


def test_beam_search_finds_sequences_at_least_as_likely_as_greedy(reverser):
    X = _strings(80, 4, lengths=(2, 9))  # longer than in fit: a less sure model
    model = copy.deepcopy(reverser).set_params(length_penalty=0.0)
    _, greedy = model.predict(X, return_scores=True)
    model.set_params(beam_size=5)
    _, beam = model.predict(X, return_scores=True)
    # Beam search is a search, not an exact one: greedy's path can fall out of
    # the beam; it must still win on average and almost always.
    assert np.mean(beam >= greedy - 1e-9) >= 0.95
    assert beam.mean() >= greedy.mean()
    assert (beam <= 0).all() and (greedy <= 0).all()


@pytest.mark.parametrize("beam_size", [1, 3])
def test_scores_are_the_log_probability_of_the_returned_outputs(reverser, beam_size):
    import torch

    from skrnn._batching import make_dataset
    from skrnn._seq2seq import BOS, EOS, PAD

    model = copy.deepcopy(reverser).set_params(beam_size=beam_size)
    X = _strings(10, 12, lengths=(2, 9))
    outputs, scores = model.predict(X, return_scores=True)
    ids = {token: i + 3 for i, token in enumerate(model.output_tokens_)}
    batch = make_dataset(model._validate_X(X, reset=False)).batch(torch.arange(10))[0]
    network = model.net_.module_.eval()
    for i, output in enumerate(outputs):
        target = torch.tensor([[ids[token] for token in output] + [EOS]])
        with torch.no_grad():
            one = {key: value[i : i + 1] for key, value in batch.items()}
            logits = network(**one, target=target)
        logits = logits[0].double()
        logits[:, [PAD, BOS]] = -np.inf  # never written
        logits[0, EOS] = -np.inf  # never first
        log_probs = torch.log_softmax(logits, -1).gather(1, target[0][:, None])
        assert scores[i] == pytest.approx(log_probs.sum().item(), abs=1e-4)


@pytest.mark.parametrize("beam_size", [1, 3])
def test_predictions_do_not_depend_on_the_batch(reverser, beam_size):
    model = copy.deepcopy(reverser).set_params(beam_size=beam_size, batch_size=7)
    X = _strings(30, 5, lengths=(1, 10))
    together, scores = model.predict(X, return_scores=True)
    order = np.random.RandomState(0).permutation(len(X))
    shuffled, shuffled_scores = model.predict([X[i] for i in order], return_scores=True)
    for k, i in enumerate(order):
        assert shuffled[k] == together[i]
        np.testing.assert_allclose(shuffled_scores[k], scores[i], rtol=1e-5)
    for i in range(0, len(X), 6):
        alone, alone_score = model.predict([X[i]], return_scores=True)
        assert alone == [together[i]]
        np.testing.assert_allclose(alone_score, scores[i : i + 1], rtol=1e-5)


def test_predict_returns_the_type_of_y():
    X = ["ab", "ba", "aa", "bb"] * 4
    as_strings = _fit(X, [s[::-1] for s in X], max_epochs=3)
    assert all(isinstance(p, str) for p in as_strings.predict(X))
    as_lists = _fit(X, [list(s) for s in X], max_epochs=3)
    assert all(isinstance(p, list) for p in as_lists.predict(X))
    as_numbers = _fit(X, [[ord(c) for c in s] for s in X], max_epochs=3)
    assert all(isinstance(t, int) for p in as_numbers.predict(X) for t in p)
    as_array = _fit(X, np.array(X), max_epochs=3).predict(X)
    assert isinstance(as_array, np.ndarray) and isinstance(as_array[0], str)
    scalars = np.arange(len(X)) % 3
    predicted = _fit(X, scalars, max_epochs=3).predict(X)
    assert predicted.shape == (len(X),) and predicted.dtype == scalars.dtype


def test_numeric_input_sequences():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(rng.randint(2, 6), 2)) for _ in range(100)]
    # The target: the sign of each step's first feature.
    y = ["".join("+" if v > 0 else "-" for v in x[:, 0]) for x in X]
    # max_epochs='auto': 100 epochs of these 2 batches, 200 annealed steps.
    model = _fit(X, y, lr=1e-2)
    assert model.score(X, y) >= 0.9
    assert model.vocabularies_ is None


def test_save_and_load_give_the_same_predictions(reverser, tmp_path):
    path = tmp_path / "translator.skrnn"
    skrnn.save(reverser, path)
    loaded = skrnn.load(path)
    X = _strings(20, 6)
    assert loaded.predict(X) == reverser.predict(X)
    loaded.set_params(beam_size=3)
    reverser_beam = copy.deepcopy(reverser).set_params(beam_size=3)
    assert loaded.predict(X) == reverser_beam.predict(X)


def test_sampling_is_seeded_and_cold_sampling_is_greedy(reverser):
    X = _strings(20, 7)
    first = reverser.sample(X, temperature=1.5, random_state=0)
    assert reverser.sample(X, temperature=1.5, random_state=0) == first
    cold = reverser.sample(X, temperature=1e-4, random_state=1)
    assert cold == reverser.predict(X)
    for temperature in (0, -1.0, float("inf"), float("nan"), True, "hot"):
        with pytest.raises(ValueError, match="temperature must be a positive finite"):
            reverser.sample(X, temperature=temperature)


def test_sample_before_fit_is_a_not_fitted_error():
    with pytest.raises(NotFittedError):
        SequenceTranslator().sample(["ab"])


def test_attention_weights_sum_to_one_over_the_input(reverser):
    X = ["abc", "dcbaa"]
    weights = reverser.attention_weights(X)
    outputs = reverser.predict(X)
    for w, x, out in zip(weights, X, outputs, strict=True):
        assert w.shape == (len(out) + 1, len(x))
        np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("beam_size", [1, 3])
def test_attention_weights_do_not_depend_on_the_batch(reverser, beam_size):
    model = copy.deepcopy(reverser).set_params(beam_size=beam_size, batch_size=3)
    X = _strings(10, 13, lengths=(1, 9))  # several batches, in order of length
    together = model.attention_weights(X)
    for i in (0, 4, 9):
        (alone,) = model.attention_weights([X[i]])
        assert together[i].dtype == np.float64
        np.testing.assert_allclose(together[i], alone, rtol=1e-5, atol=1e-7)


def test_unknown_input_tokens_are_read_not_refused(reverser):
    prediction = reverser.predict(["abz", "xyz"])
    assert len(prediction) == 2 and all(isinstance(p, str) for p in prediction)


def test_predict_refuses_empty_or_other_kinds_of_input_clearly(reverser):
    with pytest.raises(ValueError, match="0 sequence\\(s\\).*at least one sequence"):
        reverser.predict([])
    with pytest.raises(ValueError, match="fitted on token sequences, but X holds"):
        reverser.predict([np.zeros((3, 2))])
    with pytest.raises(ValueError, match="Sequence 1 of X is an empty string"):
        reverser.predict(["ab", ""])


def test_max_output_length_bounds_decoding(reverser):
    assert reverser.max_output_length_ == 2 * 5
    model = copy.deepcopy(reverser).set_params(max_output_length=2)
    assert max(map(len, model.predict(_strings(20, 8)))) <= 2


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_later_fits_raise_the_default_output_limit_for_longer_targets(how):
    short, long = ["ab", "ba"] * 2, ["abababab", "babababa"] * 2
    model = SequenceTranslator(**FAST, max_epochs=1, warm_start=how == "warm_start")
    fit = model.partial_fit if how == "partial_fit" else model.fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit(short, short)
        assert model.max_output_length_ == 4
        fit(long, long)
        assert model.max_output_length_ == 16
        fit(short, short)  # never lowered
    assert model.max_output_length_ == 16


def test_a_target_longer_than_max_output_length_warns():
    X = ["ab", "abc", "abcd"] * 3
    with pytest.warns(UserWarning, match="longer than max_output_length=3"):
        _fit(X, [s * 2 for s in X], max_epochs=2, max_output_length=3)


@pytest.mark.parametrize(
    "X, y, error, match",
    [
        (["ab", ""], ["ba", "a"], ValueError, "Sequence 1 of X is an empty string"),
        ([["a"], []], ["ba", "a"], ValueError, "Sequence 1 of X is empty"),
        (["ab", "ba"], ["ba", ""], ValueError, "Target 1 of y is empty"),
        (["ab", "ba"], [["b", "a"], []], ValueError, "Target 1 of y is empty"),
        (["ab", "ba", "a"], ["ba", "ab"], ValueError, "different numbers"),
        (["ab", "ba"], ["ba", ["a", "b"]], TypeError, "mixes strings"),
        (["ab", "ba"], [["b", 1], ["a"]], TypeError, "of one type"),
        (["ab", ["b", "a"]], ["ba", "ab"], TypeError, "X mixes strings"),
        ([["a", 1], ["b"]], ["a", "b"], TypeError, "tokens must be strings"),
        (["ab", "ba"], [[1.0, np.nan], [2.0]], ValueError, "nan; numeric tokens"),
        (["ab", "ba"], [[np.inf], [2.0]], ValueError, "must be finite"),
        (["ab", "ba"], [[1j], [2j]], TypeError, "strings or real numbers"),
        (["ab", "ba"], [1j, 2j], TypeError, "must be real numbers"),
    ],
)
def test_bad_input_is_refused_clearly(X, y, error, match):
    with pytest.raises(error, match=match):
        SequenceTranslator(**FAST, max_epochs=1).fit(X, y)


def test_partial_fit_continues_and_refuses_new_output_tokens():
    X = ["ab", "ba", "aab"] * 4
    y = [s[::-1] for s in X]
    model = SequenceTranslator(**FAST)
    model.partial_fit(X, y)
    model.partial_fit(X, y)
    assert model.n_iter_ == 2
    with pytest.raises(ValueError, match="tokens the first fit did not see"):
        model.partial_fit(X, [s + "z" for s in y])
    assert model.n_iter_ == 2  # the failed call left the model as it was


def test_warm_start_keeps_training_the_same_network():
    X = ["ab", "ba", "aab"] * 4
    y = [s[::-1] for s in X]
    model = _fit(X, y, max_epochs=3, warm_start=True)
    first_loss = model.loss_curve_[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.n_iter_ == 6 and model.loss_curve_[-1] < first_loss


def test_early_stopping_scores_a_validation_split():
    X = _strings(60, 9)
    model = _fit(X, [s[::-1] for s in X], max_epochs=5, early_stopping=True)
    assert len(model.validation_scores_) == model.n_iter_
    assert 0 <= model.best_validation_score_ <= 1


def test_callbacks_run_and_verbose_prints_each_epoch(capsys):
    from skorch.callbacks import Callback

    class CountEpochs(Callback):
        def initialize(self):
            self.n_epochs = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.n_epochs += 1

    X = ["ab", "ba", "aab"] * 4
    model = _fit(X, X, max_epochs=3, callbacks=[CountEpochs()], verbose=1)
    assert dict(model.net_.callbacks_)["CountEpochs_0"].n_epochs == 3
    table = capsys.readouterr().out.splitlines()
    assert "train_loss" in table[0] and len(table) == 2 + 3


def test_same_seed_same_model():
    X = _strings(40, 10)
    y = [s[::-1] for s in X]
    first = _fit(X, y, max_epochs=3)
    second = _fit(X, y, max_epochs=3)
    assert first.loss_curve_ == second.loss_curve_
    assert first.predict(X) == second.predict(X)


def test_dot_attention_needs_one_direction():
    with pytest.raises(ValueError, match="attention='dot'.*bidirectional=False"):
        SequenceTranslator(attention="dot", max_epochs=1).fit(["ab"], ["ba"])
    _fit(["ab", "ba"], ["ba", "ab"], attention="dot", bidirectional=False, max_epochs=1)


def test_scorers_work_in_model_selection(reverser):
    X = _strings(40, 11)
    y = [s[::-1] for s in X]
    model = SequenceTranslator(**FAST, max_epochs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(model, X, y, cv=2, scoring=token_error_rate_scorer)
        assert (scores <= 0).all()
        search = GridSearchCV(
            model, {"beam_size": [1, 2]}, cv=2, scoring=sequence_accuracy_scorer
        ).fit(X, y)
    assert 0 <= search.best_score_ <= 1


def test_edit_distance_and_token_error_rate():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance([], ["a"]) == 1
    assert edit_distance(["a", "b"], ["a", "b"]) == 0
    assert token_error_rate(["abc", "de"], ["abd", "de"]) == pytest.approx(1 / 5)
    assert token_error_rate(
        ["abc", "de"], ["abd", "d"], sample_weight=[0, 1]
    ) == pytest.approx(1 / 2)
    assert sequence_accuracy_score(["a", "b"], ["a", "c"], normalize=False) == 1
    with pytest.raises(ValueError, match="different numbers"):
        token_error_rate(["a"], ["a", "b"])


@pytest.mark.parametrize("cell", ["gru", "rnn"])
def test_every_cell_trains_and_decodes(cell):
    X = ["ab", "ba", "abb"] * 3
    model = _fit(X, [s[::-1] for s in X], cell=cell, num_layers=2, max_epochs=2)
    model.set_params(beam_size=2)
    assert len(model.predict(X)) == len(X)
    assert len(model.sample(X, random_state=0)) == len(X)


def test_later_calls_take_the_same_kind_of_target():
    X = ["ab", "ba", "aab"] * 2
    model = SequenceTranslator(**FAST).partial_fit(X, [s[::-1] for s in X])
    model.partial_fit(X, np.array([s[::-1] for s in X]))  # strings in an array
    with pytest.raises(ValueError, match="fitted on 'str'"):
        model.partial_fit(X, [list(s[::-1]) for s in X])


@pytest.mark.parametrize(
    "params", [{"beam_size": 0}, {"max_output_length": -1}, {"beam_size": 2.5}]
)
def test_decoding_parameters_set_after_fit_are_checked_at_predict(params):
    X = _strings(20, 0)
    model = _fit(X, X, max_epochs=1)
    model.set_params(**params)
    with pytest.raises(ValueError, match=f"'{next(iter(params))}' parameter"):
        model.predict(X[:2])
