"""Tagging speed of skrnn's ``SequenceTagger`` against a hand-written PyTorch loop.

Both sides tag UD English EWT (gold tokens, UPOS tags): each timed fit trains
one epoch on the first ``--train-sentences`` sentences of the training set
(2,000 by default) from raw token lists, and each timed prediction tags the
whole dev set from raw token lists. Both sides build the same network:

* word embedding over a lower-cased vocabulary of the words seen at least twice
  (ids 0 = padding, 1 = unknown word, so the same vocabulary size on both
  sides), optionally with word dropout (words replaced by the unknown word);
* optionally a character CNN: characters of the original word (cut at 30),
  embedded in 30 dimensions, ``Conv1d(30, filters, 3, padding=1)``, max-pooled
  over the word's real characters;
* dropout on the token vectors, a one-layer BiLSTM (``hidden`` per direction),
  dropout, ``Linear(2 * hidden, n_tags)``;
* cross-entropy averaged over real tokens, Adam, gradient norm clipped at 1.0,
  batch 32, one epoch; prediction in batches of 32 without autograd, argmax.

The skrnn side is the public API: ``SequenceTagger(..., crf=False,
max_epochs=1, batch_size=32, random_state=0).fit(X, y)`` and ``.predict(X)``
(``max_epochs=1`` with early stopping off runs exactly one epoch; the script
checks ``n_iter_ == 1``). Its times include everything a user pays: input
checks, vocabularies, encoding, the skorch net. skrnn draws batches from
length buckets, runs the character CNN once per distinct word of a batch and
runs the BiLSTM's fused kernels on the padded batch (the backward direction on
each sequence reversed within its length).

The hand-written side is what a competent PyTorch user writes: the vocabularies
from a ``Counter``, the data encoded once into padded tensors (words, characters,
tags), a fresh random permutation per epoch cut into batches of 32 (no sorting,
no buckets), each batch trimmed to its longest sentence and longest word, the
character CNN over every (padded) word position, the BiLSTM on a
``pack_padded_sequence(..., enforce_sorted=False)`` (the standard idiom) and
``cross_entropy(..., ignore_index=-100)`` on the padded tags. Its fit time
includes building the vocabularies and encoding (reported separately as
``hand_prep``), its predict time includes encoding the dev set. The script
checks that both sides have the same vocabulary size and number of weights.

Configurations (both without CRF, so that both sides compute the same thing):

* ``small``: BiLSTM 64 per direction, embeddings 100, no character CNN, no
  dropout;
* ``ewt``: the settings of ``bench_tagging_ewt.py``: BiLSTM 200, embeddings 100,
  character CNN with 100 filters, dropout 0.33, word dropout 0.25, lr 2e-3.

Each configuration also times skrnn with ``crf=True`` (no hand-written
counterpart; ``--no-crf`` skips it): the CRF's extra cost is reported as the
ratio of its times to those of skrnn without CRF in the same repeats.

The sides run interleaved after one untimed warm-up each on 200 sentences,
rotating which goes first (A B, B A, ...; A B C, B C A, C A B with the CRF),
and the report gives medians of tokens per second and of the per-repeat ratios
skrnn / hand-written of tokens per second (above 1: skrnn is faster). The
dev-set UPOS accuracy after the epoch is reported for both sides (same data,
same epochs, different random batches and initialisation).

Run from the repository root::

    python benchmarks/bench_tagging_speed.py                  # ~2 minutes
    python benchmarks/bench_tagging_speed.py --repeats 11 --budget 900
    python benchmarks/bench_tagging_speed.py --configs ewt --no-crf --threads 2

Needs ``../shared/data/ud_english_ewt`` (CoNLL-U files); without it the script
says so and exits with status 0. Results are printed and written as JSON to
``benchmarks/results/`` with the versions, the machine and the load average
(other processes on a shared machine skew absolute timings; the interleaved
ratios much less).
"""

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import _harness
import numpy as np
import skorch
import torch
from bench_tagging_ewt import read_ewt
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import skrnn
from skrnn import SequenceTagger

BATCH_SIZE, CLIP, MIN_FREQUENCY, MAX_WORD_LENGTH, CHAR_DIM = 32, 1.0, 2, 30, 30
WARMUP_SENTENCES = 200
MIN_REPEATS = 3
CONFIGS = {
    "small": {
        "hidden_size": 64,
        "embedding_dim": 100,
        "char_features": 0,
        "dropout": 0.0,
        "word_dropout": 0.0,
        "lr": 1e-3,
    },
    "ewt": {
        "hidden_size": 200,
        "embedding_dim": 100,
        "char_features": 100,
        "dropout": 0.33,
        "word_dropout": 0.25,
        "lr": 2e-3,
    },
}


# -- hand-written side ------------------------------------------------------------


def hand_vocabularies(X, y):
    words = Counter(word.lower() for sentence in X for word in sentence)
    kept = sorted(w for w, count in words.items() if count >= MIN_FREQUENCY)
    vocab = {w: i + 2 for i, w in enumerate(kept)}  # 0 padding, 1 unknown
    letters = sorted({c for s in X for word in s for c in word[:MAX_WORD_LENGTH]})
    chars = {c: i + 2 for i, c in enumerate(letters)}
    tags = sorted({tag for sentence in y for tag in sentence})
    return vocab, chars, tags


def hand_encode(X, vocab, chars, tag_index=None, y=None):
    """Padded tensors: word ids, character ids, word lengths, lengths, tags.

    Each distinct word is spelled once into a table; the padded character
    tensor is that table indexed by the words' type ids.
    """
    lengths = np.array([len(s) for s in X])
    n, max_length = len(X), int(lengths.max())
    words = np.zeros((n, max_length), dtype=np.int64)
    types = np.zeros((n, max_length), dtype=np.int64)  # 0: padding position
    type_ids = {}
    for i, sentence in enumerate(X):
        words[i, : len(sentence)] = [vocab.get(w.lower(), 1) for w in sentence]
        types[i, : len(sentence)] = [
            type_ids.setdefault(w, len(type_ids) + 1) for w in sentence
        ]
    spelling = np.zeros((len(type_ids) + 1, MAX_WORD_LENGTH), dtype=np.int64)
    for word, t in type_ids.items():
        codes = [chars.get(c, 1) for c in word[:MAX_WORD_LENGTH]]
        spelling[t, : len(codes)] = codes
    char_ids = spelling[types]
    word_lengths = (char_ids != 0).sum(axis=2)
    tags = None
    if y is not None:
        tags = np.full((n, max_length), -100, dtype=np.int64)
        for i, sentence in enumerate(y):
            tags[i, : len(sentence)] = [tag_index[t] for t in sentence]
        tags = torch.from_numpy(tags)
    return (
        torch.from_numpy(words),
        torch.from_numpy(char_ids),
        torch.from_numpy(word_lengths),
        torch.from_numpy(lengths),
        tags,
    )


class HandTagger(nn.Module):
    def __init__(self, n_words, n_chars, n_tags, config):
        super().__init__()
        self.word_dropout = config["word_dropout"]
        self.embed = nn.Embedding(n_words, config["embedding_dim"], padding_idx=0)
        size = config["embedding_dim"]
        self.char_embed = self.char_conv = None
        if config["char_features"]:
            self.char_embed = nn.Embedding(n_chars, CHAR_DIM, padding_idx=0)
            self.char_conv = nn.Conv1d(CHAR_DIM, config["char_features"], 3, padding=1)
            size += config["char_features"]
        self.dropout = nn.Dropout(config["dropout"])
        self.lstm = nn.LSTM(
            size, config["hidden_size"], batch_first=True, bidirectional=True
        )
        self.head = nn.Linear(2 * config["hidden_size"], n_tags)

    def forward(self, words, chars, lengths):
        if self.training and self.word_dropout > 0:
            dropped = torch.rand(words.shape) < self.word_dropout
            words = torch.where(dropped & (words > 0), 1, words)
        parts = [self.embed(words)]
        if self.char_conv is not None:
            batch, steps, width = chars.shape
            flat = chars.reshape(batch * steps, width)
            hidden = self.char_conv(self.char_embed(flat).transpose(1, 2))
            real = (flat != 0)[:, None, :]
            pooled = hidden.masked_fill(~real, float("-inf")).max(dim=2).values
            pooled = pooled.masked_fill(~real.any(dim=2), 0.0)  # padding words
            parts.append(pooled.view(batch, steps, -1))
        x = self.dropout(torch.cat(parts, dim=-1))
        packed = pack_padded_sequence(
            x, lengths, batch_first=True, enforce_sorted=False
        )
        out, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return self.head(self.dropout(out))


def _hand_batch(words, chars, word_lengths, lengths, index):
    lengths_b = lengths[index]
    steps = int(lengths_b.max())
    width = max(int(word_lengths[index, :steps].max()), 1)
    return words[index, :steps], chars[index, :steps, :width], lengths_b, steps


def hand_fit(X, y, config, seed=0):
    tic = time.perf_counter()
    vocab, chars, tags = hand_vocabularies(X, y)
    tag_index = {t: i for i, t in enumerate(tags)}
    words, char_ids, word_lengths, lengths, targets = hand_encode(
        X, vocab, chars, tag_index, y
    )
    prep = time.perf_counter() - tic
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    model = HandTagger(len(vocab) + 2, len(chars) + 2, len(tags), config)
    optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
    model.train()
    total, n_batches = 0.0, 0
    order = torch.from_numpy(rng.permutation(len(X)))
    for start in range(0, len(order), BATCH_SIZE):
        index = order[start : start + BATCH_SIZE]
        w, c, lengths_b, steps = _hand_batch(
            words, char_ids, word_lengths, lengths, index
        )
        optimizer.zero_grad()
        logits = model(w, c, lengths_b)
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), targets[index, :steps].reshape(-1)
        )
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        total += loss.item()
        n_batches += 1
    model.epoch_loss_ = total / n_batches
    model.vocab_, model.chars_, model.classes_ = vocab, chars, np.array(tags)
    model.prep_seconds_ = prep
    model.vocabulary_size_ = len(vocab) + 2
    model.n_parameters_ = sum(p.numel() for p in model.parameters())
    return model


def hand_predict(model, X):
    words, char_ids, word_lengths, lengths, _ = hand_encode(
        X, model.vocab_, model.chars_
    )
    model.eval()
    rows = []
    with torch.inference_mode():
        for start in range(0, len(X), BATCH_SIZE):
            index = slice(start, start + BATCH_SIZE)
            w, c, lengths_b, _ = _hand_batch(
                words, char_ids, word_lengths, lengths, index
            )
            best = model(w, c, lengths_b).argmax(dim=-1).numpy()
            rows += [
                model.classes_[row[:n]]
                for row, n in zip(best, lengths_b.tolist(), strict=True)
            ]
    return rows


# -- skrnn side -------------------------------------------------------------------


def skrnn_fitter(crf):
    def skrnn_fit(X, y, config, seed=0):
        extra = {}
        if "n_threads" in SequenceTagger._get_param_names():
            # Versions that choose their own thread count get the benchmark's.
            extra["n_threads"] = torch.get_num_threads()
        tagger = SequenceTagger(
            hidden_size=config["hidden_size"],
            bidirectional=True,
            dropout=config["dropout"],
            crf=crf,
            embedding_dim=config["embedding_dim"],
            char_features=config["char_features"],
            min_frequency=MIN_FREQUENCY,
            word_dropout=config["word_dropout"],
            lowercase=True,
            max_epochs=1,
            batch_size=BATCH_SIZE,
            lr=config["lr"],
            clip_grad_norm=CLIP,
            early_stopping=False,
            random_state=seed,
            **extra,
        )
        _harness.fit_quietly(tagger, X, y)
        assert tagger.n_iter_ == 1, tagger.n_iter_
        tagger.vocabulary_size_ = len(tagger.vocabularies_[0]) + 2
        tagger.n_parameters_ = sum(p.numel() for p in tagger.net_.module_.parameters())
        return tagger

    return skrnn_fit


def skrnn_predict(tagger, X):
    return tagger.predict(X)


# -- timing -----------------------------------------------------------------------


def accuracy(y_true, y_pred):
    true = np.concatenate([np.asarray(t) for t in y_true])
    return float(np.mean(true == np.concatenate(y_pred)))


def run_config(name, config, data, n_threads, repeats, budget_s, with_crf):
    """Interleaved timings of every side on one configuration."""
    X_train, y_train, X_dev, y_dev = data
    n_train = sum(map(len, X_train))
    n_dev = sum(map(len, X_dev))
    sides = {
        "skrnn": (skrnn_fitter(crf=False), skrnn_predict),
        "hand": (hand_fit, hand_predict),
    }
    if with_crf:
        sides["skrnn_crf"] = (skrnn_fitter(crf=True), skrnn_predict)
    names = list(sides)
    dev_accuracy = {s: [] for s in names}
    hand_prep, shapes = [], {}

    def check(side, model, pred):
        dev_accuracy[side].append(accuracy(y_dev, pred))
        if side == "hand":
            hand_prep.append(model.prep_seconds_)
        if side in ("hand", "skrnn"):
            shapes[side] = (model.vocabulary_size_, model.n_parameters_)

    def sides_on(X_fit, y_fit, X_predict):
        return {
            side: (
                lambda fit=fit: fit(X_fit, y_fit, config),
                lambda model, predict=predict: predict(model, X_predict),
            )
            for side, (fit, predict) in sides.items()
        }

    start = time.perf_counter()
    with _harness.torch_threads(n_threads):
        _harness.warm_up(
            sides_on(
                X_train[:WARMUP_SENTENCES],
                y_train[:WARMUP_SENTENCES],
                X_dev[:WARMUP_SENTENCES],
            )
        )
        times = _harness.time_sides(
            sides_on(X_train, y_train, X_dev),
            repeats,
            budget_s=budget_s,
            min_repeats=MIN_REPEATS,
            start=start,
            check=check,
        )
    # Same vocabulary, same layers: the same number of weights.
    hand_shape = shapes["hand"]
    assert hand_shape == shapes["skrnn"], shapes
    med = statistics.median

    def ratios(step, a, b):
        # Tokens per second of a relative to b: time of b / time of a.
        return _harness.median_ratio(times[b][step], times[a][step])

    result = {
        "config": name,
        **config,
        "vocabulary_size": hand_shape[0],
        "n_parameters": hand_shape[1],
        "threads": n_threads,
        "repeats": len(times["hand"]["fit"]),
        "train_tokens": n_train,
        "dev_tokens": n_dev,
        "times_s": times,
        "hand_prep_s": hand_prep,
        "median_s": _harness.medians(times),
        "median_tokens_per_s": {
            s: {
                "train": n_train / med(times[s]["fit"]),
                "predict": n_dev / med(times[s]["predict"]),
            }
            for s in names
        },
        "train_speed_ratio_skrnn_over_hand": ratios("fit", "skrnn", "hand"),
        "predict_speed_ratio_skrnn_over_hand": ratios("predict", "skrnn", "hand"),
        "dev_accuracy_after_one_epoch": {s: med(v) for s, v in dev_accuracy.items()},
    }
    if with_crf:
        # Extra cost of the CRF: time with CRF / time without, per repeat.
        result["crf_fit_time_ratio"] = ratios("fit", "skrnn", "skrnn_crf")
        result["crf_predict_time_ratio"] = ratios("predict", "skrnn", "skrnn_crf")
    return result


def report(result):
    tps = result["median_tokens_per_s"]
    m = result["median_s"]
    print(
        f"[{result['config']}] hidden {result['hidden_size']}, char CNN "
        f"{result['char_features'] or 'off'}, dropout {result['dropout']}, word "
        f"dropout {result['word_dropout']}, {result['n_parameters']:,} weights on "
        f"both sides; {result['threads']} torch thread(s), "
        f"{result['repeats']} repeats, load {result['load_average_1min'][0]:.2f}"
        f" -> {result['load_average_1min'][1]:.2f}"
    )
    print(
        f"  {'side':10s}{'train s':>9s}{'train tok/s':>13s}{'predict s':>11s}"
        f"{'pred tok/s':>12s}{'dev acc':>9s}"
    )
    for side, speeds in tps.items():
        print(
            f"  {side:10s}{m[side]['fit']:>9.2f}{speeds['train']:>13,.0f}"
            f"{m[side]['predict']:>11.2f}{speeds['predict']:>12,.0f}"
            f"{result['dev_accuracy_after_one_epoch'][side]:>9.3f}"
        )
    print(
        f"  hand-written vocabulary + encoding: "
        f"{statistics.median(result['hand_prep_s']):.2f} s of its fit"
    )
    print(
        f"  tokens/s ratio skrnn / hand-written (median of per-repeat ratios): "
        f"train {result['train_speed_ratio_skrnn_over_hand']:.2f}, "
        f"predict {result['predict_speed_ratio_skrnn_over_hand']:.2f}"
    )
    if "crf_fit_time_ratio" in result:
        print(
            f"  CRF cost in skrnn (time with / without CRF): "
            f"train {result['crf_fit_time_ratio']:.2f}, "
            f"predict {result['crf_predict_time_ratio']:.2f}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (default: 1)"
    )
    _harness.add_repeat_arguments(
        parser,
        repeats=5,
        min_repeats=MIN_REPEATS,
        budget_s=150.0,
        per="runs per side and configuration",
        shared_by="configurations",
    )
    parser.add_argument(
        "--configs",
        nargs="+",
        choices=list(CONFIGS),
        default=list(CONFIGS),
        help="configurations to run (default: all)",
    )
    parser.add_argument(
        "--train-sentences",
        type=int,
        default=2000,
        help="first sentences of EWT train used for each epoch (default: 2000)",
    )
    parser.add_argument(
        "--no-crf",
        dest="crf",
        action="store_false",
        help="skip timing skrnn with crf=True",
    )
    _harness.add_output_argument(parser)
    args = parser.parse_args(argv)
    splits = read_ewt("train", "dev")
    if splits is None:
        return 0
    (X_train, y_train), (X_dev, y_dev) = splits
    X_train, y_train = X_train[: args.train_sentences], y_train[: args.train_sentences]
    data = (X_train, y_train, X_dev, y_dev)
    print(
        f"skrnn {getattr(skrnn, '__version__', '?')} ({Path(skrnn.__file__).parent}), "
        f"torch {torch.__version__}, skorch {skorch.__version__}, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"EWT train: first {len(X_train)} sentences / {sum(map(len, X_train))} "
        f"tokens, one epoch per fit; dev: {len(X_dev)} sentences / "
        f"{sum(map(len, X_dev))} tokens per prediction; batch {BATCH_SIZE}\n"
    )
    load = _harness.load_1min()
    if args.threads > 1 and load + args.threads > (os.cpu_count() or 1):
        print(
            f"warning: load average {load:.1f} on {os.cpu_count()} "
            f"CPUs: {args.threads} torch threads will wait on other processes."
        )
    results = []
    for name in args.configs:
        load_before = _harness.load_1min()
        result = run_config(
            name,
            CONFIGS[name],
            data,
            args.threads,
            args.repeats,
            args.budget / len(args.configs),
            with_crf=args.crf,
        )
        result["load_average_1min"] = [load_before, _harness.load_1min()]
        report(result)
        print()
        results.append(result)

    payload = {
        **_harness.environment("bench_tagging_speed"),
        "data": {
            "train": f"en_ewt-ud-train.conllu, first {len(X_train)} sentences",
            "predict": "en_ewt-ud-dev.conllu",
        },
        "batch_size": BATCH_SIZE,
        "results": results,
    }
    _harness.save(payload, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
