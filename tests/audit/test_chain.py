"""The hash chain: intact after many appends, broken where an entry was edited, deleted or moved."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from school_safety.audit import log
from school_safety.audit.log import GENESIS, record, verify
from school_safety.audit.tables import AuditEntry
from school_safety.db.engine import write_transaction
from school_safety.reports.tables import Report
from school_safety.staff.tables import StaffAccount
from tests.audit.common import make_report, staff_user


async def _ids() -> list[int]:
    return [row["id"] for row in await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id)]


async def _fill(schools, count: int = 30) -> list[int]:
    psychologist = await staff_user("aigerim", "psychologist")
    report = await make_report(schools["AST-001"].id)
    for n in range(count):
        if n % 3 == 0:
            await record(psychologist, "case.view", report_id=report.id)
        elif n % 3 == 1:
            await record(psychologist, "case.status", report_id=report.id, detail=f"new → {n}")
        else:
            await record(None, "admin.retention", detail=f"{n} reports deleted")
    return await _ids()


async def test_an_empty_log_is_intact():
    result = await verify()
    assert result.ok and result.count == 0 and result.last_hash == GENESIS


async def test_chain_verifies_after_many_records(schools):
    ids = await _fill(schools, 60)
    result = await verify()
    assert result.ok, result
    assert result.count == len(ids) == 60 and result.broken_id is None
    rows = await AuditEntry.select().order_by(AuditEntry.id)
    assert rows[0]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["entry_hash"] for a, b in itertools.pairwise(rows))
    assert result.last_hash == rows[-1]["entry_hash"]


async def test_verify_reads_the_chain_in_batches(schools, monkeypatch):
    ids = await _fill(schools, 23)
    monkeypatch.setattr(log, "_VERIFY_BATCH", 5)
    assert (await verify()).count == 23
    async with write_transaction():
        await AuditEntry.update({AuditEntry.detail: "edited"}).where(AuditEntry.id == ids[16])
    result = await verify()
    assert not result.ok and result.broken_id == ids[16] and result.count == 16


async def test_record_copies_the_case_and_its_scope(schools):
    user = await staff_user("aigerim", "psychologist")
    report = await make_report(schools["AKT-001"].id, text="Секретный текст ученика")
    await record(user, "case.view", report_id=report.id)
    entry = await AuditEntry.select().first()
    assert entry["actor"] == user.id and entry["actor_username"] == "aigerim"
    assert entry["actor_role"] == "psychologist" and entry["action"] == "case.view"
    assert entry["report"] == report.id and entry["case_code"] == report.case_code
    assert entry["school"] == schools["AKT-001"].id
    school_region = await Report.select(Report.school.region).where(Report.id == report.id)
    assert entry["region"] == school_region[0]["school.region"]
    assert "Секретный" not in str(entry)


async def test_entries_survive_deleting_the_report_and_the_account(schools):
    """Retention deletes reports and admins delete accounts: the chain must not break."""
    user = await staff_user("aigerim", "psychologist")
    report = await make_report(schools["AST-001"].id)
    await record(user, "case.view", report_id=report.id)
    await record(user, "case.status", report_id=report.id, detail="new → in_progress")
    async with write_transaction():
        await Report.delete().where(Report.id == report.id)
        await StaffAccount.delete().where(StaffAccount.id == user.id)
    rows = await AuditEntry.select().order_by(AuditEntry.id)
    assert len(rows) == 2
    assert all(row["report"] is None and row["actor"] is None for row in rows)
    assert all(row["case_code"] == report.case_code for row in rows)
    assert all(row["actor_username"] == "aigerim" for row in rows)
    assert (await verify()).ok
    # Recording about a report that is gone keeps the action, without a link.
    await record(None, "admin.retention", report_id=report.id, detail="1 report deleted")
    last = await AuditEntry.select().order_by(AuditEntry.id, ascending=False).first()
    assert last["report"] is None and last["case_code"] == "" and last["actor_role"] == "system"
    assert (await verify()).ok


async def test_editing_an_entry_is_detected(schools):
    ids = await _fill(schools)
    async with write_transaction():
        await AuditEntry.update({AuditEntry.detail: "nothing to see"}).where(
            AuditEntry.id == ids[10]
        )
    result = await verify()
    assert not result.ok and result.broken_id == ids[10] and result.count == 10
    assert "content" in result.problem


@pytest.mark.parametrize("column", ["actor_username", "action", "case_code"])
async def test_editing_any_recorded_field_is_detected(schools, column):
    ids = await _fill(schools, 9)
    async with write_transaction():
        await AuditEntry.update({getattr(AuditEntry, column): "case.other"}).where(
            AuditEntry.id == ids[4]
        )
    assert (await verify()).broken_id == ids[4]


async def test_changing_the_time_of_an_entry_is_detected(schools):
    ids = await _fill(schools, 9)
    entry = await AuditEntry.objects().where(AuditEntry.id == ids[3]).first()
    assert entry is not None
    async with write_transaction():
        await AuditEntry.update({AuditEntry.at: entry.at.replace(year=entry.at.year - 1)}).where(
            AuditEntry.id == ids[3]
        )
    assert (await verify()).broken_id == ids[3]


async def test_deleting_a_middle_entry_is_detected(schools):
    ids = await _fill(schools)
    async with write_transaction():
        await AuditEntry.delete().where(AuditEntry.id == ids[12])
    result = await verify()
    assert not result.ok and result.broken_id == ids[13] and result.count == 12
    assert "does not follow" in result.problem


async def test_deleting_the_first_entry_is_detected(schools):
    ids = await _fill(schools, 6)
    async with write_transaction():
        await AuditEntry.delete().where(AuditEntry.id == ids[0])
    result = await verify()
    assert not result.ok and result.broken_id == ids[1] and result.count == 0


async def test_swapping_two_entries_hashes_is_detected(schools):
    ids = await _fill(schools)
    rows = {
        row["id"]: row["entry_hash"]
        for row in await AuditEntry.select(AuditEntry.id, AuditEntry.entry_hash).where(
            AuditEntry.id.is_in([ids[7], ids[20]])
        )
    }
    async with write_transaction():
        await AuditEntry.update({AuditEntry.entry_hash: rows[ids[20]]}).where(
            AuditEntry.id == ids[7]
        )
        await AuditEntry.update({AuditEntry.entry_hash: rows[ids[7]]}).where(
            AuditEntry.id == ids[20]
        )
    result = await verify()
    assert not result.ok and result.broken_id == ids[7]


async def test_swapping_two_whole_entries_is_detected(schools):
    """Moving entries (every column but the id) breaks the links around them."""
    ids = await _fill(schools)
    first = await AuditEntry.select().where(AuditEntry.id == ids[5]).first()
    second = await AuditEntry.select().where(AuditEntry.id == ids[6]).first()
    assert first is not None and second is not None

    def values(row):
        return {getattr(AuditEntry, name): value for name, value in row.items() if name != "id"}

    async with write_transaction():
        # prev_hash is unique: park one row's value while the other takes it.
        await AuditEntry.update({AuditEntry.prev_hash: "parked"}).where(AuditEntry.id == ids[5])
        await AuditEntry.update(values(first)).where(AuditEntry.id == ids[6])
        await AuditEntry.update(values(second)).where(AuditEntry.id == ids[5])
    result = await verify()
    assert not result.ok and result.broken_id == ids[5]


async def test_concurrent_records_never_fork_the_chain(schools, engine_name):
    user = await staff_user("aigerim", "psychologist")
    report = await make_report(schools["AST-001"].id)
    await asyncio.gather(
        *(
            record(user, "case.view", report_id=report.id if n % 2 else None, detail=f"#{n}")
            for n in range(50)
        )
    )
    result = await verify()
    assert result.ok, (engine_name, result)
    assert result.count == 50
    details = {row["detail"] for row in await AuditEntry.select(AuditEntry.detail)}
    assert details == {f"#{n}" for n in range(50)}
    times = [row["at"] for row in await AuditEntry.select(AuditEntry.at).order_by(AuditEntry.id)]
    assert times == sorted(times)


async def test_record_refuses_a_malformed_action_and_trims_the_detail():
    with pytest.raises(ValueError):
        await record(None, "view")
    with pytest.raises(ValueError):
        await record(None, "case.view; drop table")
    with pytest.raises(ValueError):
        await record(None, "case." + "x" * 40)
    await record(None, "admin.export", detail="line\x00one\nline two " + "x" * 1000)
    entry = await AuditEntry.select(AuditEntry.detail).first()
    assert entry is not None
    assert len(entry["detail"]) == log.DETAIL_LIMIT
    assert entry["detail"].startswith("line one line two x")
    assert (await verify()).ok
