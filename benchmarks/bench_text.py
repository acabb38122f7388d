"""Text classification: ``RNNClassifier()`` on raw sentences, against the
baseline a user tries first and a hand-written PyTorch loop.

Two parts, both on ``../shared/data/sentence_polarity`` (MR: 10,662 movie-review
sentences, 5,331 positive and 5,331 negative, one per line):

``accuracy``
    Stratified 10-fold cross-validation (shuffled, seed 0), the protocol of the
    published figures. On every fold, ``RNNClassifier(random_state=seed)`` with
    its defaults reads the raw sentences, and the baseline, a TF-IDF pipeline
    (word 1-2 grams, sublinear tf) with ``LogisticRegression(C=10)``, reads the
    same ones. Prints accuracy per fold and their mean, the fit time, and the
    published figures: CNN with random embeddings 76.1 (Kim 2014), NBSVM 79.4
    (Wang and Manning 2012). ``--folds K`` runs the first K folds only.

``speed``
    One training epoch on the first ``--train-sentences`` sentences of fold 0's
    training set and a prediction of its test set, skrnn against a hand-written
    loop with the same layers: a lower-cased word embedding (100) over the
    words seen twice (0 padding, 1 unknown), an LSTM (64), the state at each
    sentence's end, ``Linear(64, 2)``; Adam at 1e-3, gradient norm clipped at
    1.0, batch 32. The hand-written side tokenises with the same regular
    expression, encodes once into a padded tensor, draws a random permutation
    per epoch, packs each batch (``pack_padded_sequence``, the standard idiom)
    and predicts in batches of 32 without autograd. skrnn's side is the public
    API with the same sizes (``char_features=0, word_dropout=0``). The sides run
    interleaved after one warm-up; the report gives medians of the per-repeat
    time ratios skrnn / hand (below 1: skrnn is faster) for fit and predict.

Run from the repository root::

    python benchmarks/bench_text.py accuracy            # 10 folds: long on 2 cores
    python benchmarks/bench_text.py accuracy --folds 2 --seeds 0
    python benchmarks/bench_text.py speed --repeats 5

Without ``../shared/data/sentence_polarity`` the script says so and exits with
status 0. Results are printed and written as JSON to ``benchmarks/results/``.
"""

import argparse
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import _harness
import numpy as np

BATCH_SIZE, EMBEDDING, HIDDEN, LR, CLIP, MIN_FREQUENCY = 32, 100, 64, 1e-3, 1.0, 2
PUBLISHED = {"CNN, random embeddings (Kim 2014)": 0.761, "NBSVM (Wang 2012)": 0.794}


def read_mr(data_dir):
    folder = Path(data_dir) / "sentence_polarity"
    if not folder.is_dir():
        return None
    pos = (folder / "rt-polarity.pos").read_text(encoding="utf-8").splitlines()
    neg = (folder / "rt-polarity.neg").read_text(encoding="utf-8").splitlines()
    X = np.array(pos + neg, dtype=object)
    y = np.array(["pos"] * len(pos) + ["neg"] * len(neg))
    return X, y


def folds(X, y):
    from sklearn.model_selection import StratifiedKFold

    return list(StratifiedKFold(10, shuffle=True, random_state=0).split(X, y))


def tfidf_baseline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(C=10, max_iter=1000),
    )


def run_accuracy(X, y, n_folds, seeds):
    from skrnn import RNNClassifier

    rows = []
    for k, (train, test) in enumerate(folds(X, y)[:n_folds]):
        t, baseline = _harness.timed(tfidf_baseline().fit, X[train], y[train])
        row = {"fold": k, "tfidf": baseline.score(X[test], y[test]), "tfidf_s": t}
        for seed in seeds:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                t, clf = _harness.timed(
                    RNNClassifier(random_state=seed).fit, X[train], y[train]
                )
            row[f"skrnn_{seed}"] = clf.score(X[test], y[test])
            row[f"skrnn_{seed}_s"] = t
            row[f"skrnn_{seed}_epochs"] = clf.n_iter_
            row[f"skrnn_{seed}_warnings"] = sorted({str(w.message) for w in caught})
        rows.append(row)
        print(
            f"fold {k}: tfidf {row['tfidf']:.4f}  "
            + "  ".join(
                f"skrnn(seed {s}) {row[f'skrnn_{s}']:.4f} "
                f"({row[f'skrnn_{s}_epochs']} epochs, {row[f'skrnn_{s}_s']:.0f} s)"
                for s in seeds
            ),
            flush=True,
        )
    summary = {"tfidf_mean": statistics.mean(r["tfidf"] for r in rows)}
    for seed in seeds:
        scores = [r[f"skrnn_{seed}"] for r in rows]
        summary[f"skrnn_{seed}_mean"] = statistics.mean(scores)
    means = [summary[f"skrnn_{s}_mean"] for s in seeds]
    summary["skrnn_median_over_seeds"] = statistics.median(means)
    summary["skrnn_worst_seed"] = min(means)
    print(
        f"mean over {len(rows)} folds: tfidf {summary['tfidf_mean']:.4f}; skrnn "
        f"median over seeds {summary['skrnn_median_over_seeds']:.4f}, worst "
        f"{summary['skrnn_worst_seed']:.4f}; published "
        + ", ".join(f"{k} {v:.3f}" for k, v in PUBLISHED.items())
    )
    return {"folds": rows, "summary": summary, "published": PUBLISHED}


# -- speed: the hand-written side ---------------------------------------------------


def hand_tokenize(documents):
    from skrnn._data import DEFAULT_TOKEN_PATTERN

    pattern = re.compile(DEFAULT_TOKEN_PATTERN)
    return [pattern.findall(d) for d in documents]


def hand_encode(tokens, vocab):
    import torch

    lengths = np.array([len(t) for t in tokens])
    words = np.zeros((len(tokens), lengths.max()), dtype=np.int64)
    for i, sentence in enumerate(tokens):
        words[i, : len(sentence)] = [vocab.get(w.lower(), 1) for w in sentence]
    return torch.from_numpy(words), torch.from_numpy(lengths)


def hand_model(n_words, n_classes):
    import torch
    from torch import nn

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(n_words, EMBEDDING, padding_idx=0)
            self.lstm = nn.LSTM(EMBEDDING, HIDDEN, batch_first=True)
            self.head = nn.Linear(HIDDEN, n_classes)

        def forward(self, words, lengths):
            packed = nn.utils.rnn.pack_padded_sequence(
                self.embed(words), lengths, batch_first=True, enforce_sorted=False
            )
            _, (h, _) = self.lstm(packed)
            return self.head(h[-1])

    torch.manual_seed(0)
    return Model()


def hand_fit(X, y):
    import torch
    from torch import nn

    tokens = hand_tokenize(X)
    counts = Counter(w.lower() for t in tokens for w in t)
    kept = sorted(w for w, c in counts.items() if c >= MIN_FREQUENCY)
    vocab = {w: i + 2 for i, w in enumerate(kept)}
    classes, targets = np.unique(y, return_inverse=True)
    words, lengths = hand_encode(tokens, vocab)
    targets = torch.from_numpy(targets)
    model = hand_model(len(vocab) + 2, len(classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    model.train()
    order = torch.from_numpy(np.random.RandomState(0).permutation(len(X)))
    for start in range(0, len(order), BATCH_SIZE):
        index = order[start : start + BATCH_SIZE]
        steps = int(lengths[index].max())
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(
            model(words[index, :steps], lengths[index]), targets[index]
        )
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
    model.vocab_, model.classes_ = vocab, classes
    model.n_parameters_ = sum(p.numel() for p in model.parameters())
    return model


def hand_predict(model, X):
    import torch

    words, lengths = hand_encode(hand_tokenize(X), model.vocab_)
    model.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(X), BATCH_SIZE):
            index = slice(start, start + BATCH_SIZE)
            steps = int(lengths[index].max())
            out.append(model(words[index, :steps], lengths[index]).argmax(1).numpy())
    return model.classes_[np.concatenate(out)]


def skrnn_fit(X, y, n_threads):
    from skrnn import RNNClassifier

    clf = RNNClassifier(
        hidden_size=HIDDEN,
        embedding_dim=EMBEDDING,
        char_features=0,
        word_dropout=0.0,
        min_frequency=MIN_FREQUENCY,
        max_length=None,
        readout="last",
        max_epochs=1,
        batch_size=BATCH_SIZE,
        lr=LR,
        clip_grad_norm=CLIP,
        early_stopping=False,
        random_state=0,
        n_threads=n_threads,
    )
    _harness.fit_quietly(clf, X, y)
    clf.n_parameters_ = sum(p.numel() for p in clf.net_.module_.parameters())
    return clf


def run_speed(X, y, n_train, n_threads, repeats, budget_s):
    train, test = folds(X, y)[0]
    train = np.random.RandomState(0).permutation(train)[:n_train]
    X_train, y_train, X_test, y_test = list(X[train]), y[train], list(X[test]), y[test]
    n_tokens = sum(map(len, hand_tokenize(X_train)))
    sizes, accuracy = {}, {"skrnn": [], "hand": []}

    def check(side, model, pred):
        sizes[side] = model.n_parameters_
        accuracy[side].append(float(np.mean(pred == y_test)))

    def sides(X_fit, y_fit, X_predict):
        return {
            "skrnn": (
                lambda: skrnn_fit(X_fit, y_fit, n_threads),
                lambda model: model.predict(X_predict),
            ),
            "hand": (
                lambda: hand_fit(X_fit, y_fit),
                lambda model: hand_predict(model, X_predict),
            ),
        }

    start = time.perf_counter()
    with _harness.torch_threads(n_threads):
        _harness.warm_up(sides(X_train[:300], y_train[:300], X_test[:300]))
        times = _harness.time_sides(
            sides(X_train, y_train, X_test),
            repeats,
            budget_s=budget_s,
            min_repeats=3,
            start=start,
            check=check,
        )
    assert sizes["skrnn"] == sizes["hand"], sizes  # the same layers
    result = {
        "train_sentences": len(X_train),
        "train_tokens": n_tokens,
        "test_sentences": len(X_test),
        "threads": n_threads,
        "n_parameters": sizes["hand"],
        "times_s": times,
        "median_s": _harness.medians(times),
        "fit_time_ratio_skrnn_over_hand": _harness.median_ratio(
            times["skrnn"]["fit"], times["hand"]["fit"]
        ),
        "predict_time_ratio_skrnn_over_hand": _harness.median_ratio(
            times["skrnn"]["predict"], times["hand"]["predict"]
        ),
        "test_accuracy_after_one_epoch": {
            s: statistics.median(v) for s, v in accuracy.items()
        },
    }
    med = result["median_s"]
    print(
        f"{len(X_train)} sentences ({n_tokens} tokens), {n_threads} thread(s): "
        f"fit skrnn {med['skrnn']['fit']:.2f} s, hand {med['hand']['fit']:.2f} s, "
        f"ratio {result['fit_time_ratio_skrnn_over_hand']:.3f}; predict "
        f"{len(X_test) / med['skrnn']['predict']:.0f} vs "
        f"{len(X_test) / med['hand']['predict']:.0f} documents/s, time ratio "
        f"{result['predict_time_ratio_skrnn_over_hand']:.3f}"
    )
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["accuracy", "speed"])
    parser.add_argument("--data-dir", type=Path, default=_harness.SHARED_DATA_DIR)
    parser.add_argument("--folds", type=int, default=10, help="accuracy: folds run")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--train-sentences", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=1)
    _harness.add_repeat_arguments(
        parser,
        repeats=5,
        min_repeats=3,
        budget_s=600,
        per="fit/predict pairs per side (speed)",
        shared_by="repeats",
    )
    _harness.add_output_argument(parser)
    args = parser.parse_args(argv)
    data = read_mr(args.data_dir)
    if data is None:
        print(f"no sentence_polarity folder in {args.data_dir}: nothing to run")
        return 0
    X, y = data
    payload = _harness.environment(f"text_{args.part}")
    if args.part == "accuracy":
        with _harness.torch_threads(args.threads):
            payload.update(run_accuracy(X, y, args.folds, args.seeds))
    else:
        payload.update(
            run_speed(
                X, y, args.train_sentences, args.threads, args.repeats, args.budget
            )
        )
    _harness.save(payload, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
