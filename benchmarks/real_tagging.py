"""Fit ``SequenceTagger`` on the shared tagging corpora and report test scores.

The tagging half of ``real_data.py``: for each corpus the tagger is fitted on
the training file with its defaults (plus ``-p`` overrides and the corpus's own
settings below) once per seed, and scored on the test file: UPOS accuracy on
UD English EWT, span F1 (conlleval's exact-match entities) on CoNLL-2002 Dutch
NER. Beside it, in the same run, the baseline a user would try first: each
word's most frequent training tag (the most frequent tag overall for words never
seen). Median and worst seed, fit time and epochs are printed, written as JSON
to ``benchmarks/results/`` and as the benchmarks page's table
(``benchmarks/results/<tag>.rst``).

Corpus settings: Dutch NER runs with ``crf=True`` (entity spans need
consistent tags; the issue's bar is set for a CRF tagger), EWT with nothing
set. The data live in ``../shared/data`` (or ``--data-dir``); an absent corpus
is skipped with a message.

Examples
--------
Defaults, seeds 0-4, both corpora (each fit takes minutes)::

    python benchmarks/real_tagging.py

One seed of EWT with a variant::

    python benchmarks/real_tagging.py -d ewt -s 0 -p lr=1e-2 --tag lr1e-2
"""

import argparse
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import _harness
import numpy as np
from real_data import params_tag, parse_params, summarise
from sklearn.exceptions import ConvergenceWarning

from skrnn import SequenceTagger
from skrnn.datasets import read_conll, read_conllu
from skrnn.metrics import flat_accuracy_score, span_f1_score

DEFAULT_DATA_DIR = _harness.SHARED_DATA_DIR


def read_ewt(directory):
    files = [directory / f"en_ewt-ud-{s}.conllu" for s in ("train", "test")]
    return [read_conllu(f) for f in files] if all(f.exists() for f in files) else None


def read_dutch(directory):
    files = [directory / name for name in ("ned.train", "ned.testb")]
    if not all(f.exists() for f in files):
        return None
    # word POS NE: the word is X, the entity tag y (word only, as the issue says).
    return [read_conll(f, columns=(0, 2)) for f in files]


def upos_accuracy(y_true, y_pred):
    return float(flat_accuracy_score(y_true, y_pred))


def entity_f1(y_true, y_pred):
    return float(span_f1_score(y_true, y_pred, scheme="IOB2"))


# name -> (directory, reader, metric name, metric, corpus settings, published)
CORPORA = {
    "ewt": (
        "ud_english_ewt",
        read_ewt,
        "UPOS accuracy",
        upos_accuracy,
        {},
        "UDPipe 1.2 0.944, UDPipe 2 0.975",
    ),
    "dutch_ner": (
        "conll2002_dutch",
        read_dutch,
        "span F1",
        entity_f1,
        {"crf": True},
        "CoNLL-2002 winner 0.7705, LSTM-CRF + pretrained vectors 0.8174",
    ),
}


def most_frequent_tag(X_train, y_train, X_test):
    """Each word's most frequent training tag; the most frequent tag overall
    for words never seen in training."""
    counts = defaultdict(Counter)
    overall = Counter()
    for words, tags in zip(X_train, y_train, strict=True):
        for word, tag in zip(words, tags, strict=True):
            counts[word][tag] += 1
            overall[tag] += 1
    best = {word: c.most_common(1)[0][0] for word, c in counts.items()}
    fallback = overall.most_common(1)[0][0]
    return [[best.get(word, fallback) for word in words] for words in X_test]


def run_one(params, seed, metric, X_train, y_train, X_test, y_test):
    tagger = SequenceTagger(**params, random_state=seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        tagger.fit(X_train, y_train)
        fit_time = time.perf_counter() - t0
        t0 = time.perf_counter()
        pred = tagger.predict(X_test)
        predict_time = time.perf_counter() - t0
    scores = tagger.validation_scores_
    return {
        "seed": seed,
        "score": metric(y_test, pred),
        "fit_time": fit_time,
        "predict_time": predict_time,
        "n_iter": int(tagger.n_iter_),
        # With a validation split: its score each epoch, and the epoch kept.
        "validation_scores": scores,
        "best_epoch": None if scores is None else int(np.argmax(scores)) + 1,
        "converged": not any(
            issubclass(w.category, ConvergenceWarning) for w in caught
        ),
        "warnings": sorted({f"{w.category.__name__}: {w.message}" for w in caught}),
    }


def rst_table(results):
    """The benchmarks page's table: median / worst test score over the seeds,
    median fit time, the baseline of the same run, the published figures."""
    header = [
        "corpus",
        "metric",
        f"skrnn median / worst (seeds {min(results['seeds'])}-{max(results['seeds'])})",
        "fit time",
        "most frequent tag",
        "published",
    ]
    rows = [
        [
            name,
            entry["metric"],
            f"{entry['summary']['score']['median']:.4f} / "
            f"{entry['summary']['score']['min']:.4f}",
            f"{entry['summary']['fit_time']['median']:.0f} s",
            f"{entry['baseline']:.4f}",
            entry["published"],
        ]
        for name, entry in results["corpora"].items()
        if "summary" in entry
    ]
    if not rows:
        return ""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    rule = "  ".join("=" * w for w in widths)

    def line(cells):
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))

    return "\n".join([rule, line(header).rstrip(), rule, *map(line, rows), rule]) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--corpora", nargs="+", default=list(CORPORA))
    parser.add_argument("-p", "--param", action="append", metavar="KEY=VALUE")
    parser.add_argument("-s", "--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tag", default=None)
    args = parser.parse_args(argv)
    unknown = [c for c in args.corpora if c not in CORPORA]
    if unknown:
        raise SystemExit(f"unknown corpus {unknown}; choose from {list(CORPORA)}")
    params = parse_params(args.param)
    tag = "tagging_" + (args.tag or params_tag(params))
    results = {
        **_harness.environment("real_tagging"),
        "tag": tag,
        "params": params,
        "seeds": args.seeds,
        "torch_threads": args.threads,
        "corpora": {},
    }
    with _harness.torch_threads(args.threads):
        for name in args.corpora:
            directory, reader, metric_name, metric, settings, published = CORPORA[name]
            data = reader(args.data_dir / directory)
            if data is None:
                print(f"[skip] {name}: not found under {args.data_dir / directory}")
                results["corpora"][name] = {"skipped": "data not found"}
                continue
            (X_train, y_train), (X_test, y_test) = data
            baseline = metric(y_test, most_frequent_tag(X_train, y_train, X_test))
            entry = {
                "metric": metric_name,
                "settings": settings,
                "published": published,
                "baseline": baseline,
                "runs": [],
            }
            print(f"{name}: most frequent tag {baseline:.4f}", flush=True)
            for seed in args.seeds:
                row = run_one(
                    {**settings, **params}, seed, metric, X_train, y_train, *data[1]
                )
                entry["runs"].append(row)
                print(
                    f"  {name} seed={seed}: {metric_name} {row['score']:.4f} "
                    f"n_iter={row['n_iter']} best_epoch={row['best_epoch']} "
                    f"fit={row['fit_time']:.0f}s"
                    + ("" if row["converged"] else " [not converged]"),
                    flush=True,
                )
                for w in row["warnings"]:
                    print(f"    warning: {w}")
            entry["summary"] = summarise(entry["runs"], ["score", "fit_time", "n_iter"])
            results["corpora"][name] = entry
            s = entry["summary"]
            print(
                f"[{tag}] {name}: median {s['score']['median']:.4f} worst "
                f"{s['score']['min']:.4f} | fit median {s['fit_time']['median']:.0f}s"
                f" | published: {published}",
                flush=True,
            )
    out = _harness.write_json(results, _harness.RESULTS_DIR / f"{tag}.json")
    print(f"wrote {out.relative_to(_harness.ROOT)}")
    table = rst_table(results)
    if table:
        path = _harness.RESULTS_DIR / f"{tag}.rst"
        path.write_text(table)
        print(f"\n{table}\nwrote {path.relative_to(_harness.ROOT)}")
    return results


if __name__ == "__main__":
    main()
