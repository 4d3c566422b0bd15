"""How soon a case must get its first answer, by priority.

The pupil is promised an answer within SCHOOL_SAFETY_FIRST_RESPONSE_HOURS;
dangerous cases are due much sooner.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from school_safety.config import get_settings

CRITICAL_HOURS = 1
HIGH_HOURS = 8


def first_response_due(priority: str, reported_at: datetime) -> datetime:
    if reported_at.tzinfo is None:
        reported_at = reported_at.replace(tzinfo=UTC)
    hours = {"critical": CRITICAL_HOURS, "high": HIGH_HOURS}.get(
        priority, get_settings().first_response_hours
    )
    return reported_at + timedelta(hours=hours)
