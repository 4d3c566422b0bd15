"""Training, threshold choice and evaluation.

The labelled texts are split once, deterministically, 70 / 15 / 15, into a
fit part, a threshold part and a test part that nothing is fitted or tuned
on, whose figures the card reports. The shipped model is fitted on the fit
and threshold parts together (85%). Its thresholds are chosen on
out-of-fold scores of those same texts: the 85% is cut into five folds,
and each fold is scored by a model fitted on the other four, so every text
is scored by a model that never saw it. A single 15% threshold part held
about 180 suicide-risk texts, and which dozen quiet ones fell into it moved
the threshold, and the false-alarm rate with it, from one seed to the next;
out-of-fold scores choose from all of them.

Each label's threshold: bullying and cyberbullying the one with the best F1;
suicide_risk see below.

suicide_risk has two thresholds (cues.py says why): an upper one that flags
on the score alone, and a lower one that flags only texts holding a risk cue.
With the crisis phrases, the pair must still find at least 95% of the
suicide-risk texts scored out of fold. Of the pairs that do, the one that
flags the fewest of the split's other texts is chosen (ties: the higher upper
threshold, then the higher lower one); the lower threshold is always the
highest that the recall allows with that upper one.
"""

from __future__ import annotations

import math
import os
import platform
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import scipy
import sklearn
import skops
from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor
from sklearn.model_selection import StratifiedKFold, train_test_split

from school_safety.classifier.corpus import Example, corpus_files, files_hash
from school_safety.classifier.crisis import LANGUAGES, crisis_hits
from school_safety.classifier.cues import cues_file, has_risk_cue
from school_safety.classifier.labels import LABELS, SUICIDE_RISK
from school_safety.classifier.model import ModelCard, ReportClassifier
from school_safety.classifier.normalise import normalise
from school_safety.classifier.pipeline import SEED, build_pipeline

SUICIDE_RISK_MIN_RECALL = 0.95
# Folds of the out-of-fold scores the thresholds are chosen on.
THRESHOLD_FOLDS = 5
# Bumped when training changes in a way that makes old models stale.
TRAINING_REVISION = "4"

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


def strata(examples: Sequence[Example]) -> list[str]:
    combos = [";".join(example.labels) or "none" for example in examples]
    counts = Counter(combos)
    # A combination too rare to split falls back to its first label.
    return [
        combo if counts[combo] >= 8 else (combo.split(";")[0] if combo != "none" else "none")
        for combo in combos
    ]


def split(
    examples: Sequence[Example], seed: int = SEED
) -> tuple[list[Example], list[Example], list[Example]]:
    """(fit, threshold, test): 70 / 15 / 15, stratified by label combination.

    A text that occurs twice (an extra file repeating the corpus) is kept once,
    so that no text sits on both sides of a split.
    """
    unique = list({example.text: example for example in reversed(examples)}.values())[::-1]
    examples = unique
    fit, rest = train_test_split(
        list(examples), test_size=0.30, random_state=seed, stratify=strata(examples)
    )
    threshold, test = train_test_split(
        rest, test_size=0.50, random_state=seed, stratify=strata(rest)
    )
    return fit, threshold, test


def _targets(examples: Sequence[Example]) -> np.ndarray:
    return np.array([example.targets() for example in examples], dtype=int)


def best_f1_threshold(truth: np.ndarray, scores: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for candidate in np.unique(scores):
        predicted = scores >= candidate
        tp = int(np.sum(predicted & (truth == 1)))
        fp = int(np.sum(predicted & (truth == 0)))
        fn = int(np.sum(~predicted & (truth == 1)))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        # Ties go to the higher threshold: fewer false alarms for the same F1.
        if f1 > best_f1 or (f1 == best_f1 and candidate > best):
            best, best_f1 = float(candidate), f1
    return best


def recall_threshold(
    truth: np.ndarray, scores: np.ndarray, min_recall: float, caught: np.ndarray
) -> float:
    """The highest threshold at which recall is at least min_recall.

    `caught` marks texts flagged whatever the threshold (crisis phrases): the
    recall that counts is the one the product has, phrases and model together.
    """
    positives = truth == 1
    needed = math.ceil(min_recall * int(positives.sum())) - int((positives & caught).sum())
    remaining = np.sort(scores[positives & ~caught])[::-1]
    if remaining.size == 0:
        return 0.5
    if needed <= 0:
        # The phrases alone reach the recall: the model is tuned for F1 like the others.
        return best_f1_threshold(truth[~caught], scores[~caught])
    return float(remaining[needed - 1])


def cue_thresholds(
    truth: np.ndarray,
    scores: np.ndarray,
    min_recall: float,
    caught: np.ndarray,
    cued: np.ndarray,
) -> tuple[float, float] | None:
    """(upper, lower): the pair of thresholds that flags the fewest negatives at the recall.

    A text is flagged when `caught` (crisis phrases), when its score reaches
    `upper`, or when it is `cued` (holds a risk cue) and its score reaches
    `lower`. None when the phrases alone reach the recall (the caller tunes
    for F1 then, as for the other labels).
    """
    positives = truth == 1
    needed = math.ceil(min_recall * int(positives.sum())) - int((positives & caught).sum())
    if needed <= 0 or not (positives & ~caught).any():
        return None
    best: tuple[int, float, float] | None = None
    for upper in np.unique(scores[positives & ~caught]):
        by_score = positives & ~caught & (scores >= upper)
        missing = needed - int(by_score.sum())
        if missing <= 0:
            lower = float(upper)
        else:
            # The cued positives the upper threshold leaves, best first: the lower
            # threshold must reach down to the `missing`-th of them.
            left = np.sort(scores[positives & ~caught & cued & (scores < upper)])[::-1]
            if left.size < missing:
                continue
            lower = float(left[missing - 1])
        flagged = caught | (scores >= upper) | (cued & (scores >= lower))
        false_alarms = int((flagged & ~positives).sum())
        candidate = (false_alarms, -float(upper), -lower)
        if best is None or candidate < best:
            best = candidate
    if best is None:
        return None
    return -best[1], -best[2]


def _floor(value: float) -> float:
    # Rounded down: rounding up could drop the very text the threshold was set by.
    return math.floor(value * 1e6) / 1e6


def choose_thresholds(
    truth: np.ndarray,
    probabilities: np.ndarray,
    phrase_hits: np.ndarray,
    cued: np.ndarray | None = None,
    suicide_risk_recall: float = SUICIDE_RISK_MIN_RECALL,
) -> tuple[dict[str, float], dict[str, float]]:
    """Each label's threshold, and suicide_risk's lower threshold for cued texts.

    Without `cued` (which texts hold a risk cue), suicide_risk gets one
    threshold, as the other labels do, and the second dict is empty. The
    product's recall is SUICIDE_RISK_MIN_RECALL; another `suicide_risk_recall`
    is only for showing what a different choice would cost (the benchmark).
    """
    thresholds, lower = {}, {}
    for column, label in enumerate(LABELS):
        truth_column, scores_column = truth[:, column], probabilities[:, column]
        if label == SUICIDE_RISK:
            pair = None
            if cued is not None:
                pair = cue_thresholds(
                    truth_column, scores_column, suicide_risk_recall, phrase_hits, cued
                )
            if pair is not None:
                value = pair[0]
                lower[label] = _floor(pair[1])
            else:
                value = recall_threshold(
                    truth_column, scores_column, suicide_risk_recall, phrase_hits
                )
        else:
            value = best_f1_threshold(truth_column, scores_column)
        thresholds[label] = _floor(value)
    return thresholds, lower


@dataclass(frozen=True)
class ThresholdScores:
    """What the thresholds are chosen on: every tuned text scored out of fold.

    `phrase_hits` and `cued` say which of the `normalised` texts hold a crisis
    phrase and a risk cue, as the flagging rule sees them.
    """

    targets: np.ndarray
    probabilities: np.ndarray
    normalised: list[str]
    phrase_hits: np.ndarray
    cued: np.ndarray

    def thresholds(
        self, suicide_risk_recall: float = SUICIDE_RISK_MIN_RECALL
    ) -> tuple[dict[str, float], dict[str, float]]:
        return choose_thresholds(
            self.targets, self.probabilities, self.phrase_hits, self.cued, suicide_risk_recall
        )


def with_thresholds(
    classifier: ReportClassifier, thresholds: dict[str, float], cue_thresholds: dict[str, float]
) -> ReportClassifier:
    """The same fitted model flagging at other thresholds (the card says which)."""
    card = replace(classifier.card, thresholds=thresholds, cue_thresholds=cue_thresholds)
    return ReportClassifier(classifier.pipeline, card)


def cues_hash() -> str:
    return files_hash([cues_file(language) for language in LANGUAGES])


def scores(truth: np.ndarray, flagged: np.ndarray) -> dict[str, Any]:
    """Per-label precision, recall, F1 and support, and micro and macro F1."""
    result: dict[str, Any] = {}
    total_tp = total_fp = total_fn = 0
    f1s = []
    for column, label in enumerate(LABELS):
        t, f = truth[:, column] == 1, flagged[:, column]
        tp, fp, fn = int(np.sum(t & f)), int(np.sum(~t & f)), int(np.sum(t & ~f))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": int(np.sum(t)),
        }
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
        f1s.append(f1)
    micro = 2 * total_tp / (2 * total_tp + total_fp + total_fn) if total_tp else 0.0
    result["micro_f1"] = round(micro, 4)
    result["macro_f1"] = round(float(np.mean(f1s)), 4)
    result["n"] = int(truth.shape[0])
    return result


def evaluate(classifier: ReportClassifier, examples: Sequence[Example]) -> dict[str, Any]:
    """Figures at the operating thresholds, crisis phrases included, as in production."""
    predictions = classifier.predict_many([example.text for example in examples])
    flagged = np.array([[label in p.flags for label in LABELS] for p in predictions], dtype=bool)
    return scores(_targets(examples), flagged)


def _positive_columns(per_label: list[np.ndarray]) -> np.ndarray:
    # MultiOutputClassifier gives one (texts × 2) array per label.
    return np.column_stack([probabilities[:, 1] for probabilities in per_label])


def _fold_probabilities(
    texts: Sequence[str], targets: np.ndarray, fitted: np.ndarray, scored: np.ndarray, seed: int
) -> np.ndarray:
    pipeline = build_pipeline(seed).fit([texts[i] for i in fitted], targets[fitted])
    return _positive_columns(pipeline.predict_proba([texts[i] for i in scored]))


def out_of_fold_probabilities(
    examples: Sequence[Example], seed: int = SEED, progress: Progress = _quiet
) -> np.ndarray:
    """Texts × labels: each text's probabilities from a model fitted without it.

    The folds are fitted side by side, one process per core. Each fit is
    seeded, so the scores are those of fitting the folds one after another
    (up to the order of floating-point sums), in a fraction of the time.
    """
    texts = [example.text for example in examples]
    targets = _targets(examples)
    folds = list(
        StratifiedKFold(THRESHOLD_FOLDS, shuffle=True, random_state=seed).split(
            texts, strata(examples)
        )
    )
    workers = min(THRESHOLD_FOLDS, os.cpu_count() or 1)
    progress(
        f"fitting {THRESHOLD_FOLDS} fold models on about {len(folds[0][0])} texts each, "
        f"{workers} at a time"
    )
    per_fold = Parallel(n_jobs=workers)(
        delayed(_fold_probabilities)(texts, targets, fitted, scored, seed)
        for fitted, scored in folds
    )
    # Otherwise the workers idle for five minutes, each holding its own copy of
    # the libraries and the corpus (about 190 MB); training is rare, so they go now.
    get_reusable_executor().shutdown(wait=True)
    probabilities = np.zeros(targets.shape)
    for (_fitted, scored), scores_of_fold in zip(folds, per_fold, strict=True):
        probabilities[scored] = scores_of_fold
    return probabilities


def train(
    examples: Sequence[Example],
    corpus_paths: Sequence[Any],
    seed: int = SEED,
    progress: Progress = _quiet,
) -> ReportClassifier:
    return train_keeping_scores(examples, corpus_paths, seed, progress)[0]


def train_keeping_scores(
    examples: Sequence[Example],
    corpus_paths: Sequence[Any],
    seed: int = SEED,
    progress: Progress = _quiet,
) -> tuple[ReportClassifier, ThresholdScores]:
    """The trained classifier, and the out-of-fold scores its thresholds were chosen on."""
    started = time.perf_counter()
    # The fit and threshold parts are joined rather than split 85/15 afresh: the
    # test part stays the very texts the cue lists were never written from.
    fit, threshold_split, test = split(examples, seed)
    tuned_on = fit + threshold_split
    progress(
        f"{len(examples)} texts: {len(tuned_on)} to fit and choose thresholds on "
        f"(out of {THRESHOLD_FOLDS} folds), {len(test)} to test"
    )
    progress("scoring every text by a model fitted without it, for the thresholds")
    held_out = out_of_fold_probabilities(tuned_on, seed, progress)
    progress("fitting the shipped pipeline (character and word n-grams, three calibrated models)")
    pipeline = build_pipeline(seed)
    pipeline.fit([e.text for e in tuned_on], _targets(tuned_on))

    card = ModelCard(
        version="",
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        corpus_hash=files_hash(list(corpus_paths)),
        project_corpus_hash=files_hash(corpus_files()),
        seed=seed,
        thresholds={label: 0.5 for label in LABELS},
        validation={},
        # One part both fits the model and, scored out of fold, chooses the thresholds.
        sizes={"fit_and_thresholds": len(tuned_on), "folds": THRESHOLD_FOLDS, "test": len(test)},
        library_versions={
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "scipy": scipy.__version__,
            "numpy": np.__version__,
            "skops": skops.__version__,
        },
    )
    progress("choosing thresholds on the out-of-fold scores")
    normalised = [normalise(e.text) for e in tuned_on]
    phrase_hits = np.array([bool(crisis_hits(text)) for text in normalised])
    cued = np.array([has_risk_cue(text) for text in normalised])
    threshold_scores = ThresholdScores(_targets(tuned_on), held_out, normalised, phrase_hits, cued)
    card.thresholds, card.cue_thresholds = threshold_scores.thresholds()
    card.cues_hash = cues_hash()
    classifier = ReportClassifier(pipeline, card)
    progress("evaluating on the test split")
    out_of_fold = classifier.flagged(held_out, normalised, phrase_hits)
    card.validation = {
        "test": evaluate(classifier, test),
        # The rule the thresholds were chosen by, as they were chosen: out of fold.
        "out_of_fold": scores(threshold_scores.targets, out_of_fold),
    }
    card.version = f"{TRAINING_REVISION}.{card.corpus_hash[:10]}"
    card.sizes["seconds"] = round(time.perf_counter() - started)
    progress(f"model {card.version} trained in {time.perf_counter() - started:.1f} s")
    # The classifier reads its card's version and figures as they are now; only
    # the thresholds it copies had to be set before it was built.
    return classifier, threshold_scores
