"""The job that deletes what staff sign-in leaves behind once it can no longer matter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from school_safety.db.engine import write_transaction
from school_safety.staff import sessions
from school_safety.staff.housekeeping import forget_stale_sign_ins
from school_safety.staff.tables import LoginFailure, StaffSession
from tests import support


async def test_expired_sessions_and_old_failures_go_and_nothing_else(schools):
    account = await support.make_staff("aigerim", "psychologist", ("AST-001",))
    now = datetime.now(UTC)
    live = await sessions.start_session(account)
    idle = await sessions.start_session(account)
    too_old = await sessions.start_session(account)
    async with write_transaction():
        await StaffSession.update({StaffSession.last_seen_at: now - timedelta(hours=1)}).where(
            StaffSession.token_hash == sessions._hash(idle)
        )
        # Busy to the last minute, but signed in two days ago.
        await StaffSession.update({StaffSession.created_at: now - timedelta(days=2)}).where(
            StaffSession.token_hash == sessions._hash(too_old)
        )
        await LoginFailure(username="aigerim", at=now - timedelta(minutes=1)).save()
        await LoginFailure(username="nobody", at=now - timedelta(hours=2)).save()

    assert await forget_stale_sign_ins() == 3
    left = await StaffSession.select(StaffSession.token_hash)
    assert left == [{"token_hash": sessions._hash(live)}]
    assert await LoginFailure.select(LoginFailure.username) == [{"username": "aigerim"}]
    # A second run, here or in another process, finds nothing more to do.
    assert await forget_stale_sign_ins() == 0
    assert await sessions.user_for_token(live) is not None
