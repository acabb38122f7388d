"""Grapheme-to-phoneme conversion on CMUdict: WER, PER, decoding and epoch speed.

Trains :class:`skrnn.SequenceTranslator` at its defaults on the words of the
CMU Pronouncing Dictionary that have one pronunciation, split 90/5/5 by a
seeded shuffle of the words (train/dev/test; the dev words are not used: the
estimator's own early stopping sets its validation split aside from the
training words). Two variants of the task: stress marks removed (39
phonemes) and kept (``AH0``/``AH1``/``AH2``: 69 symbols). Reports the word
error rate (WER: share of test words with any error), the phoneme error rate
(PER: edit distance over reference length), training time and epochs, and
decoding speed in words per second, greedy and beam 5 (batched, and the same
beam search one word at a time).

``--epoch-speed`` also times one training epoch of the estimator against a
hand-written PyTorch encoder-decoder with the same layers (embedding,
bidirectional LSTM encoder, LSTM decoder with the same additive attention
and output layer), teacher forcing, Adam and gradient clipping, on
the same words and batches of 32; interleaved repeats, medians, one torch
thread. The hand-written loop gets its id tensors encoded beforehand (outside
its timing), draws random batches, and runs the fused kernels on the padded
batch without packing (its backward encoder direction reads the padding, which
skrnn's does not), so it is the cheapest baseline; skrnn's time includes
``fit``'s parsing and network set-up. skrnn is timed twice: at its other defaults
(batches of similar lengths) and with ``length_buckets=False`` (random
batches, as the hand-written loop).

Run from the repository root (1 torch thread; ``OMP_NUM_THREADS=1``)::

    python benchmarks/bench_translation.py                   # full run
    python benchmarks/bench_translation.py --train-size 20000 --time-cap 600
    python benchmarks/bench_translation.py --epoch-speed --train-size 5000

Needs ``../shared/data/cmudict/cmudict`` (``--data-dir``: the shared data
folder, or the cmudict folder inside it); skips cleanly
without it. Published WER on CMUdict (their own splits): joint-sequence and
WFST systems about 24-25 %, encoder-decoder LSTMs 23-29 %, Transformers
20-23 %.
"""

import argparse
import ast
import re
import statistics
import sys
import time
import warnings

import _harness
import numpy as np
import torch
from torch import nn

from skrnn import SequenceTranslator
from skrnn.metrics import sequence_accuracy_score, token_error_rate

STRESS = re.compile(r"\d")


def read_cmudict(path, *, stress):
    """``(words, pronunciations)`` of the words with one pronunciation:
    words as strings, pronunciations as lists of phonemes."""
    entries = {}
    counts = {}
    with open(path, encoding="latin-1") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) < 3 or line.startswith(";;;"):
                continue
            word, phones = parts[0], parts[2:]
            counts[word] = counts.get(word, 0) + 1
            entries[word] = phones
    words = sorted(w for w in entries if counts[w] == 1)
    if stress == "removed":
        prons = [[STRESS.sub("", p) for p in entries[w]] for w in words]
    else:
        prons = [entries[w] for w in words]
    return words, prons


def split(words, prons, seed):
    """Seeded 90/5/5 split of the words: train, dev, test."""
    order = np.random.RandomState(seed).permutation(len(words))
    n_train, n_dev = int(0.9 * len(words)), int(0.05 * len(words))
    parts = np.split(order, [n_train, n_train + n_dev])
    return [([words[i] for i in part], [prons[i] for i in part]) for part in parts]


class TimeCap:
    """A skorch callback that ends training after ``seconds`` (the estimator
    keeps the best epoch's weights and warns that training was cut)."""

    def __new__(cls, seconds):
        from skorch.callbacks import Callback

        class _TimeCap(Callback):
            def initialize(self):
                self.start_ = time.perf_counter()
                return self

            def on_epoch_end(self, net, **kwargs):
                if time.perf_counter() - self.start_ > seconds:
                    raise KeyboardInterrupt

        return _TimeCap()


def words_per_second(model, words, beam_size):
    model.set_params(beam_size=beam_size)
    start = time.perf_counter()
    predictions = model.predict(words)
    return len(words) / (time.perf_counter() - start), predictions


def run_task(args, stress):
    path = args.data_dir / "cmudict"
    words, prons = read_cmudict(path, stress=stress)
    (X_train, y_train), _, (X_test, y_test) = split(words, prons, args.seed)
    n_full = len(X_train)
    if args.train_size:
        X_train, y_train = X_train[: args.train_size], y_train[: args.train_size]
    if args.test_size:
        X_test, y_test = X_test[: args.test_size], y_test[: args.test_size]
    params = dict(random_state=args.seed, verbose=int(args.verbose), **args.set)
    if args.time_cap:
        params["callbacks"] = [TimeCap(args.time_cap)]
    model = SequenceTranslator(**params)
    print(f"{stress}: training on {len(X_train)} of {n_full} words", flush=True)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    greedy_wps, greedy = words_per_second(model, X_test, 1)
    beam_wps, beam = words_per_second(model, X_test, 5)
    # The same beam search one word at a time, as a loop over words would run.
    few = X_test[:300]
    start = time.perf_counter()
    for word in few:
        model.predict([word])
    loop_wps = len(few) / (time.perf_counter() - start)
    result = {
        "stress": stress,
        "n_train": len(X_train),
        "n_train_full": n_full,
        "n_test": len(X_test),
        "fit_s": fit_s,
        "epochs": model.n_iter_,
        "epoch_s": fit_s / model.n_iter_,
        "wer_greedy": 1 - sequence_accuracy_score(y_test, greedy),
        "per_greedy": token_error_rate(y_test, greedy),
        "wer_beam5": 1 - sequence_accuracy_score(y_test, beam),
        "per_beam5": token_error_rate(y_test, beam),
        "words_per_s_greedy": greedy_wps,
        "words_per_s_beam5": beam_wps,
        "words_per_s_beam5_one_at_a_time": loop_wps,
        "projected_full_fit_s": fit_s * n_full / len(X_train),
    }
    print(
        f"{stress}: WER {100 * result['wer_greedy']:.1f} % (beam 5: "
        f"{100 * result['wer_beam5']:.1f} %), PER {100 * result['per_greedy']:.2f} % "
        f"(beam 5: {100 * result['per_beam5']:.2f} %), {model.n_iter_} epochs in "
        f"{fit_s:.0f} s; decoding {greedy_wps:.0f} words/s greedy, {beam_wps:.0f} "
        f"beam 5 ({loop_wps:.0f} one word at a time)",
        flush=True,
    )
    return result


# -- the hand-written PyTorch baseline ---------------------------------------------


class HandWritten(nn.Module):
    """The estimator's network written out: same layers, same sizes."""

    def __init__(self, n_in, n_out, embedding_dim=64, hidden=128):
        super().__init__()
        self.embed = nn.Embedding(n_in, embedding_dim, padding_idx=0)
        self.encoder = nn.LSTM(
            embedding_dim, hidden, batch_first=True, bidirectional=True
        )
        self.bridge = nn.Linear(2 * hidden, hidden)
        self.target_embed = nn.Embedding(n_out, embedding_dim, padding_idx=0)
        self.decoder = nn.LSTM(embedding_dim, hidden, batch_first=True)
        self.key = nn.Linear(2 * hidden, hidden, bias=False)
        self.query = nn.Linear(hidden, hidden)
        self.score = nn.Linear(hidden, 1, bias=False)
        self.combine = nn.Linear(3 * hidden, hidden)
        self.head = nn.Linear(hidden, n_out)

    def forward(self, source, lengths, decoder_input):
        memory, _ = self.encoder(self.embed(source))
        rows = torch.arange(len(source))
        hidden = memory.shape[-1] // 2
        last = torch.cat([memory[rows, lengths - 1, :hidden], memory[:, 0, hidden:]], 1)
        h0 = torch.tanh(self.bridge(last))[None]
        outputs, _ = self.decoder(self.target_embed(decoder_input), (h0, h0 * 0))
        mask = torch.arange(source.shape[1])[None] < lengths[:, None]
        keys = self.key(memory)
        hidden = torch.tanh(self.query(outputs)[:, :, None] + keys[:, None])
        scores = self.score(hidden).squeeze(-1)
        weights = torch.softmax(scores.masked_fill(~mask[:, None], -torch.inf), -1)
        context = torch.bmm(weights, memory)
        return self.head(torch.tanh(self.combine(torch.cat([outputs, context], -1))))


def encode_words(X, y):
    """Padded id tensors of the words and pronunciations (the hand-written
    loop's preprocessing, done once, outside its timing)."""
    chars = {c: i + 2 for i, c in enumerate(sorted({c for w in X for c in w}))}
    phones = {p: i + 3 for i, p in enumerate(sorted({p for t in y for p in t}))}
    lengths = torch.tensor([len(w) for w in X])
    source = torch.zeros(len(X), int(lengths.max()), dtype=torch.long)
    target_lengths = torch.tensor([len(t) + 1 for t in y])
    target = torch.zeros(len(X), int(target_lengths.max()), dtype=torch.long)
    for r, (word, pron) in enumerate(zip(X, y, strict=True)):
        source[r, : len(word)] = torch.tensor([chars[c] for c in word])
        target[r, : len(pron) + 1] = torch.tensor([phones[p] for p in pron] + [2])
    return source, lengths, target, target_lengths, len(chars) + 2, len(phones) + 3


def hand_written_epoch(encoded, batch_size=32, seed=0):
    """One epoch of the hand-written loop on random batches; its seconds."""
    source, lengths, target, target_lengths, n_in, n_out = encoded
    torch.manual_seed(seed)
    model = HandWritten(n_in, n_out)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss(ignore_index=0)
    order = torch.from_numpy(np.random.RandomState(seed).permutation(len(source)))
    start = time.perf_counter()
    for i in range(0, len(source), batch_size):
        batch = order[i : i + batch_size]
        batch_lengths = lengths[batch]
        src = source[batch, : int(batch_lengths.max())]
        tgt = target[batch, : int(target_lengths[batch].max())]
        decoder_input = torch.cat([torch.ones_like(tgt[:, :1]), tgt[:, :-1]], 1)
        logits = model(src, batch_lengths, decoder_input)
        loss = loss_fn(logits.transpose(1, 2), tgt)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    return time.perf_counter() - start


def skrnn_epoch(X, y, seed=0, **params):
    """One epoch of ``fit`` (parsing and building the network included)."""
    model = SequenceTranslator(
        max_epochs=1, early_stopping=False, random_state=seed, n_threads=None, **params
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(X, y)
    return time.perf_counter() - start


def epoch_speed(args):
    words, prons = read_cmudict(args.data_dir / "cmudict", stress="removed")
    (X, y), _, _ = split(words, prons, args.seed)
    X, y = X[: args.train_size or 5000], y[: args.train_size or 5000]
    encoded = encode_words(X, y)
    # Batches of 32 on both sides (the estimator's default is 64).
    sides = {
        "skrnn": lambda: skrnn_epoch(X, y, batch_size=32),
        "skrnn_random_batches": lambda: skrnn_epoch(
            X, y, batch_size=32, length_buckets=False
        ),
        "torch": lambda: hand_written_epoch(encoded, batch_size=32),
    }
    times = {name: [] for name in sides}
    for order in _harness.rotations(list(sides), args.repeats):
        for name in order:
            times[name].append(sides[name]())
    ratios = {
        name: _harness.median_ratio(times[name], times["torch"])
        for name in ("skrnn", "skrnn_random_batches")
    }
    medians = {name: statistics.median(t) for name, t in times.items()}
    print(
        f"epoch on {len(X)} words: skrnn {medians['skrnn']:.2f} s (random batches "
        f"{medians['skrnn_random_batches']:.2f} s), hand-written PyTorch "
        f"{medians['torch']:.2f} s; ratios {ratios['skrnn']:.3f} and "
        f"{ratios['skrnn_random_batches']:.3f} (medians of {args.repeats} "
        "interleaved repeats)",
        flush=True,
    )
    return {"n_words": len(X), "times": times, "median_s": medians, "ratios": ratios}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=_harness.Path, default=None)
    parser.add_argument("--stress", choices=["removed", "kept", "both"], default="both")
    parser.add_argument("--train-size", type=int, default=None)
    parser.add_argument("--test-size", type=int, default=None)
    parser.add_argument("--time-cap", type=float, default=None, help="seconds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epoch-speed", action="store_true")
    parser.add_argument("--no-g2p", action="store_true", help="epoch speed only")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="NAME=VALUE",
        help="estimator parameters other than the defaults (Python literals)",
    )
    _harness.add_output_argument(parser)
    args = parser.parse_args(argv)
    args.set = {
        name: ast.literal_eval(value)
        for name, value in (item.split("=", 1) for item in args.set)
    }
    if args.data_dir is None:
        args.data_dir = _harness.SHARED_DATA_DIR
    if (args.data_dir / "cmudict").is_dir():
        # The shared data folder, as the other benchmarks take it, rather than
        # the cmudict folder inside it.
        args.data_dir = args.data_dir / "cmudict"
    if not (args.data_dir / "cmudict").is_file():
        path = args.data_dir / "cmudict"
        print(f"skipped: {path} not found (the shared data sets are absent)")
        return 0
    torch.set_num_threads(args.threads)
    payload = {**_harness.environment("translation"), "args": vars(args)}
    if not args.no_g2p:
        stresses = ["removed", "kept"] if args.stress == "both" else [args.stress]
        payload["g2p"] = [run_task(args, stress) for stress in stresses]
    if args.epoch_speed:
        payload["epoch_speed"] = epoch_speed(args)
    _harness.save(payload, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
