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
from school_safety.staff.housekeeping import forget_stale_sign_ins

JOBS_EVERY_SECONDS = 60


# Each job, its id, and how long after start its first run comes (staggered).
JOBS = (
    (reclassify_pending, "classifier.reclassify_pending", 10),
    (recheck_pending_replies, "reports.recheck_pending_replies", 20),
    (forget_stale_sign_ins, "staff.forget_stale_sign_ins", 30),
)


def build_scheduler() -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    for job, job_id, first_after_seconds in JOBS:
        scheduler.add_job(
            job,
            "interval",
            seconds=JOBS_EVERY_SECONDS,
            id=job_id,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC) + timedelta(seconds=first_after_seconds),
        )
    return scheduler
