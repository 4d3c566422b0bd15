"""What staff sign-in leaves behind, deleted once it can no longer matter (a scheduled job)."""

from __future__ import annotations

from datetime import datetime

from school_safety.staff.attempts import forget_old_failures
from school_safety.staff.sessions import end_expired_sessions


async def forget_stale_sign_ins(now: datetime | None = None) -> int:
    """Expired sessions and failures past their window; safe to run twice or in several
    processes at once (deleting what is already gone deletes nothing)."""
    return await end_expired_sessions(now) + await forget_old_failures(now)
