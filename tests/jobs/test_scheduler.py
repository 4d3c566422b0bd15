"""The scheduled jobs: which run, how often, and never two of one at once in a process."""

from __future__ import annotations

from school_safety.classifier.service import reclassify_pending
from school_safety.jobs.scheduler import JOBS_EVERY_SECONDS, build_scheduler
from school_safety.reports.followup import recheck_pending_replies
from school_safety.staff.housekeeping import forget_stale_sign_ins


def test_every_job_is_registered_once_and_never_overlaps_itself():
    scheduler = build_scheduler()
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "classifier.reclassify_pending",
        "reports.recheck_pending_replies",
        "staff.forget_stale_sign_ins",
    }
    assert jobs["classifier.reclassify_pending"].func is reclassify_pending
    assert jobs["reports.recheck_pending_replies"].func is recheck_pending_replies
    assert jobs["staff.forget_stale_sign_ins"].func is forget_stale_sign_ins
    for job in jobs.values():
        assert job.max_instances == 1 and job.coalesce is True
        assert job.trigger.interval.total_seconds() == JOBS_EVERY_SECONDS
