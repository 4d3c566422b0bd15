"""The hot-path statements write what Piccolo would have written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from school_safety.db.engine import write_transaction
from school_safety.db.statements import insert_query
from school_safety.reports.tables import Report
from school_safety.staff.tables import StaffAccount

# What differs between two reports by design.
OWN = {"id", "case_code", "receipt_hash"}


async def test_a_row_inserted_here_equals_one_piccolo_inserted(schools):
    now = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    given = {
        Report.school: schools["AST-001"].id,
        Report.language: "kk",
        Report.text: "Мені {} ұрады",  # braces in a value are data, not placeholders
        Report.created_at: now,
        Report.updated_at: now,
    }
    async with write_transaction():
        rows = await insert_query(
            Report, {**given, Report.case_code: "FAST", Report.receipt_hash: "f" * 64}
        )
        fast_id = rows[0]["id"]
        await Report({**given, Report.case_code: "SLOW", Report.receipt_hash: "s" * 64}).save()
    fast = await Report.select().where(Report.id == fast_id).first()
    slow = await Report.select().where(Report.case_code == "SLOW").first()
    assert fast is not None and slow is not None
    assert fast["text"] == "Мені {} ұрады" and fast["created_at"] == now
    assert {k: v for k, v in fast.items() if k not in OWN} == {
        k: v for k, v in slow.items() if k not in OWN
    }


async def test_a_column_with_a_computed_default_must_be_given(schools):
    with pytest.raises(ValueError, match="created_at"):
        insert_query(
            Report,
            {Report.school: schools["AST-001"].id, Report.case_code: "X", Report.receipt_hash: "x"},
        )


async def test_it_joins_the_surrounding_transaction():
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await insert_query(
                StaffAccount,
                {
                    StaffAccount.username: "ghost",
                    StaffAccount.created_at: datetime.now(UTC),
                },
            )
            raise RuntimeError("roll back")
    assert await StaffAccount.count() == 0


async def test_an_update_sets_the_given_columns_of_the_matching_rows_only(schools):
    from piccolo.querystring import QueryString

    from school_safety.db.statements import update_query

    now = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    async with write_transaction():
        for code in ("A", "B"):
            await insert_query(
                Report,
                {
                    Report.school: schools["AST-001"].id,
                    Report.case_code: code,
                    Report.receipt_hash: code * 64,
                    Report.created_at: now,
                    Report.updated_at: now,
                },
            )
        await update_query(
            Report,
            {Report.priority: "low", Report.p_bullying: 0.25, Report.classified_at: now},
            QueryString('"case_code" = {} AND "priority" <> {}', "A", "low"),
        )
    rows = {
        row["case_code"]: row
        for row in await Report.select(
            Report.case_code, Report.priority, Report.p_bullying, Report.classified_at
        )
    }
    assert (rows["A"]["priority"], rows["A"]["p_bullying"], rows["A"]["classified_at"]) == (
        "low",
        0.25,
        now,
    )
    assert (rows["B"]["priority"], rows["B"]["p_bullying"], rows["B"]["classified_at"]) == (
        "high",
        None,
        None,
    )
