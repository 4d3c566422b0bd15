"""What staff see of the classifier, and what they teach it.

Scores are shown beside a report as evidence, never as a verdict: each
label's probability, whether it crossed its threshold, and the words that
weighed most. A psychologist's confirmed or corrected labels are stored and
can be exported in the training format (`text,labels`) for the next model.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread

from school_safety.classifier.labels import LABELS, parse_labels
from school_safety.classifier.store import get_classifier
from school_safety.classifier.tables import LabelReview
from school_safety.db.engine import write_transaction
from school_safety.reports.tables import Report

WORDS_SHOWN = 6


@dataclass(frozen=True)
class LabelEvidence:
    label: str
    probability: float | None
    flagged: bool
    # (word, weight): positive weights pushed towards the label, negative away.
    words: list[tuple[str, float]]


async def evidence_for(report_id: int) -> list[LabelEvidence]:
    """Per label: stored score and flag, and the words that weighed most (given a model)."""
    report = (
        await Report.select(
            Report.text,
            Report.flags,
            Report.p_bullying,
            Report.p_cyberbullying,
            Report.p_suicide_risk,
        )
        .where(Report.id == report_id)
        .first()
    )
    if report is None:
        raise LookupError(report_id)
    flags = set(report["flags"].split(";")) - {""}
    # Off the event loop: loading the model the first time, and weighing a
    # long report's words, would hold up every other request meanwhile.
    try:
        classifier = await anyio.to_thread.run_sync(get_classifier)
    except Exception:  # no model: scores are still shown, words are not
        words = {}
    else:
        words = await anyio.to_thread.run_sync(
            classifier.weighty_words, report["text"], WORDS_SHOWN
        )
    evidence = []
    for label in LABELS:
        evidence.append(
            LabelEvidence(
                label=label,
                probability=report[f"p_{label}"],
                flagged=label in flags,
                words=words.get(label, []),
            )
        )
    return evidence


async def record_review(report_id: int, labels: Sequence[str], reviewer_id: int | None) -> None:
    """Store a psychologist's labels for a report, with who and when."""
    chosen = [label for label in LABELS if label in labels]
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise ValueError(f"unknown label(s): {sorted(unknown)}")
    report = (
        await Report.select(Report.flags, Report.model_version)
        .where(Report.id == report_id)
        .first()
    )
    if report is None:
        raise LookupError(report_id)
    async with write_transaction():
        await LabelReview(
            report=report_id,
            labels=";".join(chosen),
            model_flags=report["flags"],
            model_version=report["model_version"],
            reviewer=reviewer_id,
        ).save()


async def export_reviews(path: Path) -> int:
    """The latest review of each reviewed report, as `text,labels` for `train --extra`."""
    rows = (
        await LabelReview.select(LabelReview.report, LabelReview.labels, LabelReview.report.text)
        .order_by(LabelReview.created_at)
        .order_by(LabelReview.id)
    )
    latest: dict[int, tuple[str, str]] = {}
    for row in rows:
        latest[row["report"]] = (row["report.text"], row["labels"])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "labels"])
        for text, labels in latest.values():
            parse_labels(labels)  # stored by record_review, so always valid
            writer.writerow([text, labels])
    return len(latest)
