"""The in-process scheduler (APScheduler 3).

Job definitions live in memory in every process; APScheduler's job stores
cannot be shared between processes. So every job must be idempotent and
safe when several processes run it at once: each one changes a row only if
the row is still in the state it expects.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from school_safety.classifier.service import reclassify_pending
from school_safety.reports.followup import recheck_pending_replies

RECLASSIFY_EVERY_SECONDS = 60


def build_scheduler() -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        reclassify_pending,
        "interval",
        seconds=RECLASSIFY_EVERY_SECONDS,
        id="classifier.reclassify_pending",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC) + timedelta(seconds=10),
    )
    scheduler.add_job(
        recheck_pending_replies,
        "interval",
        seconds=RECLASSIFY_EVERY_SECONDS,
        id="reports.recheck_pending_replies",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC) + timedelta(seconds=20),
    )
    return scheduler
