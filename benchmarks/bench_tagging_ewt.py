"""Part-of-speech tagging on UD English EWT: accuracy, training time, speed.

Trains :class:`skrnn.SequenceTagger` on the EWT training set one epoch at a time
(``partial_fit``), keeps the epoch with the best UPOS accuracy on the dev set,
stops when dev accuracy has not improved for ``--patience`` epochs or the time
budget is spent, and reports UPOS accuracy on the test set (overall and on words
unseen in training), training time and tagging speed in tokens per second.

Run from the repository root::

    python benchmarks/bench_tagging_ewt.py                # BiLSTM + char CNN + CRF
    python benchmarks/bench_tagging_ewt.py --no-crf
    python benchmarks/bench_tagging_ewt.py --budget 900 --threads 2

Defaults: BiLSTM 200 per direction, word embeddings 100 (lower-cased lookup,
words seen once and 25 % of words at random replaced by the unknown word during
training), character CNN with 100 filters, CRF, dropout 0.33, Adam lr 2e-3 with
a cosine schedule over 24 epochs, batch 32, 1 torch thread.

Needs ``../shared/data/ud_english_ewt`` (CoNLL-U files); skips cleanly without
it. Results go to ``benchmarks/results/tagging_ewt*.json``. For reference (same
split, gold tokenisation): UDPipe 1.2 reached 94.4 % UPOS, a plain word-level
BiLSTM about 91.7 %.
"""

import argparse
import copy
import json
import sys
import time
import warnings

import _harness
import numpy as np
import torch

from skrnn import SequenceTagger
from skrnn.datasets import read_conllu

DATA = _harness.SHARED_DATA_DIR / "ud_english_ewt"


def read_ewt(*splits):
    """``(sentences, tags)`` of each named split (``"train"``, ``"dev"``,
    ``"test"``), or None, said on the output, when the data are absent."""
    if not DATA.exists():
        print(f"skipped: {DATA} not found (the shared data sets are absent)")
        return None
    return [read_conllu(DATA / f"en_ewt-ud-{split}.conllu") for split in splits]


def accuracy(y_true, y_pred, mask=None):
    true = np.concatenate([np.asarray(t) for t in y_true])
    pred = np.concatenate(y_pred)
    if mask is not None:
        true, pred = true[mask], pred[mask]
    return float(np.mean(true == pred))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=840, help="training seconds")
    parser.add_argument("--patience", type=int, default=8)
    parser.add_argument("--max-epochs", type=int, default=24)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-crf", action="store_true")
    parser.add_argument("--hidden-size", type=int, default=200)
    parser.add_argument("--limit", type=int, default=None, help="train sentences")
    parser.add_argument("--word-dropout", type=float, default=0.25)
    parser.add_argument(
        "--schedule",
        default="cosine",
        choices=["cosine", "none"],
        help="cosine: anneal lr to 0 over --max-epochs epochs",
    )
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--char-features", type=int, default=100)
    parser.add_argument("--no-lowercase", action="store_true")
    parser.add_argument("--tag", default="", help="suffix of the results file")
    args = parser.parse_args(argv)
    splits = read_ewt("train", "dev", "test")
    if splits is None:
        return 0
    (X_train, y_train), (X_dev, y_dev), (X_test, y_test) = splits
    if args.limit:
        X_train, y_train = X_train[: args.limit], y_train[: args.limit]
    train_words = {w for s in X_train for w in s}
    unseen = np.array([w not in train_words for s in X_test for w in s])
    print(
        f"train {len(X_train)} sentences / {sum(map(len, X_train))} words, "
        f"dev {len(X_dev)}, test {len(X_test)} ({unseen.mean():.1%} of test words "
        "unseen in training)"
    )

    environment = _harness.environment("bench_tagging_ewt")
    with _harness.torch_threads(args.threads):
        tagger = SequenceTagger(
            hidden_size=args.hidden_size,
            bidirectional=True,
            dropout=0.33,
            crf=not args.no_crf,
            embedding_dim=100,
            char_features=args.char_features,
            lowercase=not args.no_lowercase,
            batch_size=32,
            lr=args.lr,
            lr_schedule=None if args.schedule == "none" else args.schedule,
            max_epochs=args.max_epochs,
            word_dropout=args.word_dropout,
            random_state=0,
        )
        classes = sorted({t for s in y_train for t in s})
        best, best_dev, best_epoch, history = None, -1.0, 0, []
        start = time.perf_counter()
        for epoch in range(1, args.max_epochs + 1):
            tic = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tagger.partial_fit(X_train, y_train, classes=classes)
            train_time = time.perf_counter() - tic
            dev = accuracy(y_dev, tagger.predict(X_dev))
            history.append({"epoch": epoch, "dev": dev, "epoch_seconds": train_time})
            print(
                f"epoch {epoch:2d}  dev UPOS {dev:.4f}  ({train_time:.0f} s)",
                flush=True,
            )
            if dev > best_dev:
                best, best_dev, best_epoch = copy.deepcopy(tagger), dev, epoch
            elapsed = time.perf_counter() - start
            if epoch - best_epoch >= args.patience:
                break
            if elapsed + train_time > args.budget:
                print("time budget reached")
                break
        training_seconds = time.perf_counter() - start

        tic = time.perf_counter()
        pred = best.predict(X_test)
        tag_seconds = time.perf_counter() - tic
    n_test = sum(map(len, X_test))
    result = {
        "crf": not args.no_crf,
        "hidden_size": args.hidden_size,
        "word_dropout": args.word_dropout,
        "lr": args.lr,
        "char_features": args.char_features,
        "lowercase": not args.no_lowercase,
        "schedule": args.schedule,
        "threads": args.threads,
        "best_epoch": best_epoch,
        "dev_upos": best_dev,
        "test_upos": accuracy(y_test, pred),
        "test_upos_unseen_words": accuracy(y_test, pred, unseen),
        "training_seconds_including_dev_evaluation": training_seconds,
        "tagging_tokens_per_second": n_test / tag_seconds,
        "history": history,
        "torch": torch.__version__,
    }
    print(json.dumps({k: v for k, v in result.items() if k != "history"}, indent=2))
    name = "tagging_ewt" + ("_nocrf" if args.no_crf else "") + args.tag + ".json"
    _harness.write_json({**environment, **result}, _harness.RESULTS_DIR / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
