"""Two staff members acting on one case at the same moment (PostgreSQL, where writes overlap)."""

from __future__ import annotations

import asyncio
import os

import pytest

from school_safety.cases import service
from school_safety.cases.tables import StatusChange
from school_safety.db.engine import is_sqlite
from school_safety.reports.tables import Report
from school_safety.staff.roles import StaffUser
from tests import support

pytestmark = pytest.mark.skipif(
    is_sqlite(), reason="SQLite runs one write transaction at a time: no overlap to test"
)
# Bounded wait for the message's transaction to queue behind the colleague's lock.
WAIT_STEPS, WAIT_SECONDS = 100, 0.05


async def _waiting_on_a_lock(connection) -> bool:
    # pg_locks, not pg_stat_activity: the latter is a snapshot kept for the whole
    # transaction the colleague is in.
    return bool(await connection.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted"))


async def test_a_message_does_not_reopen_a_case_a_colleague_closed_meanwhile(client, schools):
    import asyncpg

    filed = await client.post(
        "/api/v1/reports",
        json={"school": "AST-001", "text": "в столовой толкались", "language": "ru"},
    )
    report_id = await support.report_id_for(filed.json()["case"])
    account_id = await support.make_staff("aigerim", "psychologist", ("AST-001",))
    user = StaffUser(
        id=account_id,
        username="aigerim",
        display_name="Aigerim",
        role="psychologist",
        school_ids=frozenset({schools["AST-001"].id}),
        region_id=None,
        must_change_password=False,
        totp_required=False,
    )

    colleague = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        closing = colleague.transaction()
        await closing.start()
        # The colleague closes the case; the commit comes once the message is under way.
        await colleague.execute(
            "UPDATE report SET status = 'closed', outcome = 'not_bullying', closed_at = now() "
            "WHERE id = $1",
            report_id,
        )
        sending = asyncio.create_task(service.send_message(user, report_id, "Здравствуй!"))
        for _ in range(WAIT_STEPS):
            if await _waiting_on_a_lock(colleague):
                break
            await asyncio.sleep(WAIT_SECONDS)
        else:
            pytest.fail("the message never reached the case's row")
        await closing.commit()
        assert await sending == {}
    finally:
        await colleague.close()

    row = await Report.select(Report.status, Report.outcome).where(Report.id == report_id).first()
    assert row == {"status": "closed", "outcome": "not_bullying"}
    moves = await StatusChange.select(StatusChange.to_status).where(
        StatusChange.report == report_id
    )
    assert moves == []
