"""Classifying reports once they are safely stored, and again when that failed.

Nothing here may lose or delay a report: a failure marks the report
`unclassified` with priority `high`, and `reclassify_pending` tries again.
A pupil's later reply is checked for danger by the same rule
(`check_reply`); a reply that signals it raises the case to critical,
and classifying the report afterwards never lowers that.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio.to_thread

from school_safety.classifier.crisis import crisis_hits
from school_safety.classifier.labels import (
    CRITICAL,
    LABELS,
    SELF_HARM_CHOICE,
    SUICIDE_RISK,
    UNCLASSIFIED_PRIORITY,
    priority_for,
)
from school_safety.classifier.model import Prediction
from school_safety.classifier.normalise import normalise
from school_safety.classifier.store import get_classifier, is_loaded
from school_safety.db.engine import write_grouped
from school_safety.db.statements import Statement, update_statement
from school_safety.reports.tables import Report

logger = logging.getLogger("school_safety.classifier")


def _priority_unless_critical(priority: str) -> Statement:
    """SQL for `priority`, unless the row is critical already: a pupil's reply may have
    made it so while the report waited, and classifying the report never lowers that."""
    return Statement(
        Report, 'CASE WHEN "priority" = {} THEN "priority" ELSE {} END', (CRITICAL, priority)
    )


# Reports younger than this are left to the request that stored them.
RETRY_AFTER = timedelta(seconds=30)
RETRY_BATCH = 200


@dataclass(frozen=True)
class Outcome:
    prediction: Prediction | None
    # Show the pupil where to get help now.
    crisis: bool


def signals_crisis(text: str, quick_choices: Sequence[str], prediction: Prediction | None) -> bool:
    """Suicide risk flagged, self-harm ticked, or (with no model at hand) a crisis phrase."""
    if SELF_HARM_CHOICE in quick_choices:
        return True
    if prediction is not None:
        return SUICIDE_RISK in prediction.flags
    return bool(crisis_hits(normalise(text)))


@dataclass(frozen=True)
class ReplyCheck:
    crisis: bool
    # False when the model could not be asked: crisis phrases alone decided,
    # and the reply is checked again later (`followup.recheck_pending_replies`).
    by_model: bool


async def check_reply(text: str) -> ReplyCheck:
    """Whether a pupil's reply, already stored, signals danger; never raises.

    The rule is the report's (`signals_crisis`, no quick choices on a reply):
    suicide risk flagged by the model, crisis phrases included; without a
    model at hand, a crisis phrase alone.
    """
    prediction: Prediction | None = None
    try:
        prediction = await _predict(text)
    except Exception:
        # Nothing about the reply itself is logged: only that the model failed.
        logger.exception("Classifying a reply failed; crisis phrases alone decide")
    try:
        crisis = signals_crisis(text, (), prediction)
    except Exception:
        logger.exception("Checking a reply for crisis phrases failed")
        crisis = False
    return ReplyCheck(crisis=crisis, by_model=prediction is not None)


async def _predict(text: str) -> Prediction:
    if is_loaded():
        classifier = get_classifier()
    else:
        # Loading the model reads a file: not on the event loop.
        classifier = await anyio.to_thread.run_sync(get_classifier)
    return classifier.predict(text)


async def _store(case_code: str, prediction: Prediction, quick_choices: Sequence[str]) -> None:
    priority = priority_for(prediction.flags, prediction.probabilities, quick_choices)
    values = {
        "classification": "classified",
        "priority": _priority_unless_critical(priority),
        "p_bullying": prediction.probabilities["bullying"],
        "p_cyberbullying": prediction.probabilities["cyberbullying"],
        "p_suicide_risk": prediction.probabilities["suicide_risk"],
        "flags": ";".join(label for label in LABELS if label in prediction.flags),
        "crisis_phrases": "; ".join(prediction.crisis_phrases),
        "model_version": prediction.model,
        "classified_at": datetime.now(UTC),
    }
    # Shared with other requests' results: classification must not double the cost of a report.
    # A second run (the retry job in another process) changes nothing.
    await write_grouped(
        update_statement(
            Report, values, '"case_code" = {} AND "classification" <> {}', case_code, "classified"
        )
    )


async def _mark_unclassified(case_code: str, quick_choices: Sequence[str]) -> None:
    priority = priority_for((), {}, quick_choices)
    values = {
        "classification": "unclassified",
        "priority": _priority_unless_critical(
            CRITICAL if priority == CRITICAL else UNCLASSIFIED_PRIORITY
        ),
        "classification_attempts": Statement(Report, '"classification_attempts" + 1', ()),
    }
    await write_grouped(
        update_statement(
            Report, values, '"case_code" = {} AND "classification" <> {}', case_code, "classified"
        )
    )


async def classify_report(case_code: str, text: str, quick_choices: Sequence[str]) -> Outcome:
    """Classify a stored report, found by its case code; never raises."""
    prediction: Prediction | None = None
    try:
        prediction = await _predict(text)
        await _store(case_code, prediction, quick_choices)
    except Exception:
        logger.exception("Classification failed for case %s; it stays high priority", case_code)
        prediction = None
        try:
            await _mark_unclassified(case_code, quick_choices)
        except Exception:
            # The report is stored as `pending`, which the retry job also picks up.
            logger.exception("Could not mark case %s unclassified", case_code)
    return Outcome(prediction=prediction, crisis=signals_crisis(text, quick_choices, prediction))


async def reclassify_pending(now: datetime | None = None) -> int:
    """Classify what was left pending or failed; safe to run twice or in several processes."""
    cutoff = (now or datetime.now(UTC)) - RETRY_AFTER
    rows = (
        await Report.select(Report.case_code, Report.text, Report.quick_choices)
        .where(
            Report.classification.is_in(["pending", "unclassified"]) & (Report.created_at < cutoff)
        )
        # Fewest failures first: reports the model fails on every time must not fill
        # each batch and leave newer ones unclassified behind them.
        .order_by(Report.classification_attempts)
        .order_by(Report.created_at)
        .limit(RETRY_BATCH)
    )
    done = 0
    for row in rows:
        choices = [c for c in row["quick_choices"].split(",") if c]
        outcome = await classify_report(row["case_code"], row["text"], choices)
        done += outcome.prediction is not None
    return done
