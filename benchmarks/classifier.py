"""Classifier benchmark: quality on held-out and outside text, speed, training time.

Prints one JSON line:
- per-label precision / recall / F1 on the held-out test split of the project
  corpus, at the operating thresholds;
- the share of texts flagged in KazSAnDRA's polarity test split (real Kazakh and
  Russian app reviews, none about bullying or self-harm: every flag is a false
  alarm), overall and for the negative reviews alone; and separately for the
  two halves by the parity of the number in `custom_id`: flagged reviews of the
  even half were read to find out why they were flagged (see the corpus data
  card), the odd half was never looked at, so its figure is the blind one.
  KazSAnDRA: Yeshpanov & Varol, arXiv:2403.19335, CC BY 4.0. Looked for at
  ../shared/datasets beside the repository, or --kazsandra PATH; skipped with
  a message when absent;
- single-text latency and batch throughput, each also as a ratio to
  scikit-learn's own predict_proba on the same fitted pipeline measured in the
  same run (the machine is noisy; the ratio is what to compare across runs);
- training time;
- the model file's size and load time, each also as a ratio to the same
  pipeline written by skops unaided;
- what another suicide-risk recall would cost and buy: for each out-of-fold
  recall in TRADE_OFF_RECALLS, the thresholds the same rule chooses, the
  held-out suicide-risk precision and recall and KazSAnDRA's false alarms
  (all and blind half) with them. The product flags at 0.95 (the issue asks
  for it); the other rows are figures for a decision, not settings.

Targets (from the issue): false alarms on KazSAnDRA <= 1%, single predict
<= 1 ms, batch >= 20,000 texts/s.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import skops.io

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from school_safety.classifier import model  # noqa: E402
from school_safety.classifier.corpus import Example, corpus_files, load_examples  # noqa: E402
from school_safety.classifier.labels import LABELS  # noqa: E402
from school_safety.classifier.model import ReportClassifier  # noqa: E402
from school_safety.classifier.training import (  # noqa: E402
    ThresholdScores,
    evaluate,
    split,
    train_keeping_scores,
    with_thresholds,
)

DEFAULT_KAZSANDRA = ROOT.parent / "shared" / "datasets" / "kazsandra" / "pc_test.csv"
SINGLE_REPEATS = 300
TRADE_OFF_RECALLS = (0.95, 0.9, 0.85, 0.8)
TARGETS = {"kazsandra_flagged_max": 0.01, "single_ms_max": 1.0, "batch_texts_per_s_min": 20000}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def read_kazsandra(path: Path) -> list[tuple[str, str, str]] | None:
    """(text, label, half) rows; half is "even" or "odd" by the number in custom_id."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (row["text"], row["label"], "odd" if _id_number(row["custom_id"]) % 2 else "even")
            for row in csv.DictReader(handle)
        ]


def _id_number(custom_id: str) -> int:
    # "pla096342pla" → 96342
    return int("".join(ch for ch in custom_id if ch.isdigit()) or 0)


def false_alarms(
    classifier: ReportClassifier, rows: list[tuple[str, str, str]]
) -> dict[str, object]:
    predictions = classifier.predict_many([text for text, _label, _half in rows])
    flagged = [bool(p.flags) for p in predictions]
    negative = [f for f, (_text, label, _half) in zip(flagged, rows, strict=True) if label == "0"]
    per_label = {label: sum(label in p.flags for p in predictions) / len(rows) for label in LABELS}
    halves = {
        half: [f for f, (_text, _label, h) in zip(flagged, rows, strict=True) if h == half]
        for half in ("even", "odd")
    }
    return {
        "n": len(rows),
        "flagged_share": round(sum(flagged) / len(rows), 4),
        "negative_reviews_n": len(negative),
        "negative_reviews_flagged_share": round(sum(negative) / len(negative), 4),
        "flagged_share_by_label": {k: round(v, 4) for k, v in per_label.items()},
        # Flagged reviews of the even half were read to diagnose false alarms;
        # the odd half never was: its share is the blind estimate.
        "blind_half_n": len(halves["odd"]),
        "blind_half_flagged_share": round(sum(halves["odd"]) / len(halves["odd"]), 4),
        "diagnosed_half_flagged_share": round(sum(halves["even"]) / len(halves["even"]), 4),
        "source": "KazSAnDRA polarity test split, arXiv:2403.19335, CC BY 4.0",
    }


def trade_off(
    classifier: ReportClassifier,
    scores: ThresholdScores,
    test: list[Example],
    rows: list[tuple[str, str, str]] | None,
) -> list[dict[str, object]]:
    """Per out-of-fold suicide-risk recall: thresholds, held-out figures, false alarms."""
    table = []
    for recall in TRADE_OFF_RECALLS:
        thresholds, lower = scores.thresholds(recall)
        at_recall = with_thresholds(classifier, thresholds, lower)
        held_out = evaluate(at_recall, test)["suicide_risk"]
        row: dict[str, object] = {
            "out_of_fold_recall": recall,
            "suicide_risk_threshold": thresholds["suicide_risk"],
            "suicide_risk_cue_threshold": lower.get("suicide_risk"),
            "held_out_precision": held_out["precision"],
            "held_out_recall": held_out["recall"],
        }
        if rows is not None:
            alarms = false_alarms(at_recall, rows)
            row["kazsandra_flagged_share"] = alarms["flagged_share"]
            row["kazsandra_blind_half_flagged_share"] = alarms["blind_half_flagged_share"]
        table.append(row)
    return table


def median_seconds(function, texts: list[str]) -> float:
    timings = []
    for text in texts:
        started = time.perf_counter()
        function(text)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


_FORKED: ReportClassifier | None = None


def _predict_chunk(texts: list[str]) -> int:
    assert _FORKED is not None
    return len(_FORKED.predict_many(texts))


def pooled_throughput(classifier: ReportClassifier, texts: list[str], processes: int) -> float:
    """Texts per second with the batch split over `processes` forked copies of the model."""
    global _FORKED
    _FORKED = classifier
    chunk = -(-len(texts) // processes)
    chunks = [texts[i : i + chunk] for i in range(0, len(texts), chunk)]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        pool.map(_predict_chunk, [c[:200] for c in chunks])  # warm every copy
        started = time.perf_counter()
        done = sum(pool.map(_predict_chunk, chunks))
        return done / (time.perf_counter() - started)


def speed(classifier: ReportClassifier, texts: list[str]) -> dict[str, float]:
    pipeline = classifier.pipeline
    singles = (texts * (SINGLE_REPEATS // max(1, len(texts)) + 1))[:SINGLE_REPEATS]
    ours_single = median_seconds(classifier.predict, singles)
    sklearn_single = median_seconds(lambda text: pipeline.predict_proba([text]), singles)

    batch = (texts * (20000 // max(1, len(texts)) + 1))[:20000]
    classifier.predict_many(batch[:500])  # warm the per-word cache as a running server would be
    started = time.perf_counter()
    classifier.predict_many(batch)
    ours_batch = len(batch) / (time.perf_counter() - started)
    started = time.perf_counter()
    pipeline.predict_proba(batch)
    sklearn_batch = len(batch) / (time.perf_counter() - started)
    cores = os.cpu_count() or 1
    return {
        "single_predict_ms": round(ours_single * 1000, 3),
        "single_speedup_vs_sklearn": round(sklearn_single / ours_single, 2),
        "batch_texts_per_s": round(ours_batch),
        "batch_ratio_vs_sklearn": round(ours_batch / sklearn_batch, 2),
        # The same batch over every core of the machine, one forked process each.
        "batch_processes": cores,
        "batch_texts_per_s_all_cores": round(pooled_throughput(classifier, batch, cores)),
    }


def model_file(classifier: ReportClassifier) -> dict[str, float]:
    """The model file's size and load time, beside the same pipeline written as skops
    writes it unaided (vocabularies entry by entry), measured in the same run."""
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        model.save(classifier, directory)
        packed_bytes = (directory / model.MODEL_FILE).stat().st_size
        started = time.perf_counter()
        model.load(directory)
        packed_seconds = time.perf_counter() - started
        plain = directory / "plain.skops"
        skops.io.dump(classifier.pipeline, plain)
        started = time.perf_counter()
        skops.io.load(plain, trusted=skops.io.get_untrusted_types(file=plain))
        plain_seconds = time.perf_counter() - started
        return {
            "bytes": packed_bytes,
            "size_ratio_vs_plain_skops": round(plain.stat().st_size / packed_bytes, 1),
            "load_seconds": round(packed_seconds, 3),
            "load_speedup_vs_plain_skops": round(plain_seconds / packed_seconds, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kazsandra", type=Path, default=DEFAULT_KAZSANDRA)
    args = parser.parse_args()

    examples = load_examples(corpus_files())
    log(f"training on {len(examples)} labelled texts")
    started = time.perf_counter()
    classifier, threshold_scores = train_keeping_scores(examples, corpus_files(), progress=log)
    training_seconds = time.perf_counter() - started

    result: dict[str, object] = {
        "benchmark": "classifier",
        "model": classifier.version,
        "corpus_size": len(examples),
        "training_seconds": round(training_seconds, 1),
        "thresholds": classifier.card.thresholds,
        "cue_thresholds": classifier.card.cue_thresholds,
        "out_of_fold_suicide_risk_recall": classifier.card.validation["out_of_fold"][
            "suicide_risk"
        ]["recall"],
        "held_out": classifier.card.validation["test"],
    }
    rows = read_kazsandra(args.kazsandra)
    if rows is None:
        log(f"KazSAnDRA not found at {args.kazsandra}: its false-alarm figure is skipped")
        result["kazsandra"] = {"skipped": f"not found: {args.kazsandra.name}"}
        speed_texts = [example.text for example in examples]
    else:
        log(f"classifying {len(rows)} KazSAnDRA reviews")
        result["kazsandra"] = false_alarms(classifier, rows)
        speed_texts = [text for text, _label, _half in rows]
    log("flagging at other suicide-risk recalls")
    result["suicide_risk_trade_off"] = trade_off(
        classifier, threshold_scores, split(examples)[2], rows
    )
    log("writing and loading the model file")
    result["model_file"] = model_file(classifier)
    log("timing single and batch prediction")
    result["speed"] = speed(classifier, speed_texts)
    result["targets"] = TARGETS
    kazsandra = result["kazsandra"]
    speed_figures = result["speed"]
    assert isinstance(kazsandra, dict) and isinstance(speed_figures, dict)
    result["meets_targets"] = {
        "kazsandra": (
            kazsandra["flagged_share"] <= TARGETS["kazsandra_flagged_max"]
            if "flagged_share" in kazsandra
            else None
        ),
        "single": speed_figures["single_predict_ms"] <= TARGETS["single_ms_max"],
        "batch": speed_figures["batch_texts_per_s"] >= TARGETS["batch_texts_per_s_min"],
        "batch_all_cores": speed_figures["batch_texts_per_s_all_cores"]
        >= TARGETS["batch_texts_per_s_min"],
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    np.seterr(over="ignore")
    main()
