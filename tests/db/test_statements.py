"""The hot-path statements write what Piccolo would have written."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from school_safety.db.engine import write_grouped, write_transaction
from school_safety.db.statements import Statement, insert_statement, update_statement
from school_safety.reports.tables import Report
from school_safety.staff.tables import StaffAccount

# What differs between two reports by design.
OWN = {"id", "case_code", "receipt_hash"}
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def _report(schools, code: str, text: str = "Мені {} ұрады") -> dict:
    return {
        "school": schools["AST-001"].id,
        "language": "kk",
        "text": text,  # braces in a value are data, not placeholders
        "case_code": code,
        "receipt_hash": (code * 64)[:64],
        "created_at": NOW,
        "updated_at": NOW,
    }


async def test_a_row_inserted_here_equals_one_piccolo_inserted(schools):
    assert await write_grouped(insert_statement(Report, _report(schools, "F"))) == [[]]
    async with write_transaction():
        # The same statement as a Piccolo query, inside a transaction of its own.
        await insert_statement(Report, _report(schools, "Q")).as_query()
        values = _report(schools, "S")
        await Report({getattr(Report, name): value for name, value in values.items()}).save()
    rows = {row["case_code"]: row for row in await Report.select()}
    assert rows["F"]["text"] == "Мені {} ұрады" and rows["F"]["created_at"] == NOW
    piccolo = {k: v for k, v in rows["S"].items() if k not in OWN}
    for code in ("F", "Q"):
        assert {k: v for k, v in rows[code].items() if k not in OWN} == piccolo


async def test_a_column_with_a_computed_default_must_be_given(schools):
    values = _report(schools, "X")
    del values["created_at"]
    with pytest.raises(ValueError, match="created_at"):
        insert_statement(Report, values)


def test_an_unknown_column_is_refused():
    with pytest.raises(ValueError, match="no column colour"):
        update_statement(Report, {"colour": "red"}, '"id" = {}', 1)


def test_a_sub_select_is_spliced_in_and_the_placeholders_numbered():
    inner = Statement(Report, '(SELECT "id" FROM "report" WHERE "case_code" = {})', ("AB",))
    outer = Statement(Report, "INSERT INTO t (a, b, c) VALUES ({}, {}, {})", (1, inner, 3))
    assert outer.compile("sqlite") == (
        'INSERT INTO t (a, b, c) VALUES (?, (SELECT "id" FROM "report" WHERE "case_code" = ?), ?)',
        [1, "AB", 3],
    )
    assert outer.compile("postgres") == (
        "INSERT INTO t (a, b, c) VALUES "
        '($1, (SELECT "id" FROM "report" WHERE "case_code" = $2), $3)',
        [1, "AB", 3],
    )


async def test_it_joins_the_surrounding_transaction():
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await insert_statement(
                StaffAccount, {"username": "ghost", "created_at": datetime.now(UTC)}
            ).as_query()
            raise RuntimeError("roll back")
    assert await StaffAccount.count() == 0


async def test_an_update_sets_the_given_columns_of_the_matching_rows_only(schools):
    await write_grouped(
        insert_statement(Report, _report(schools, "A")),
        insert_statement(Report, _report(schools, "B")),
    )
    await write_grouped(
        update_statement(
            Report,
            {"priority": "low", "p_bullying": 0.25, "classified_at": NOW},
            '"case_code" = {} AND "priority" <> {}',
            "A",
            "low",
        )
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
        NOW,
    )
    assert (rows["B"]["priority"], rows["B"]["p_bullying"], rows["B"]["classified_at"]) == (
        "high",
        None,
        None,
    )


def test_one_template_with_a_plain_value_then_a_sub_select_compiles_each_rightly():
    template = "INSERT INTO t (a, b) VALUES ({}, {})"
    inner = Statement(Report, "(SELECT 7 WHERE {} = {})", ("x", "y"))
    for _ in range(2):  # the second time from what the first one left behind
        assert Statement(Report, template, (1, 2)).compile("postgres") == (
            "INSERT INTO t (a, b) VALUES ($1, $2)",
            [1, 2],
        )
        assert Statement(Report, template, (1, inner)).compile("postgres") == (
            "INSERT INTO t (a, b) VALUES ($1, (SELECT 7 WHERE $2 = $3))",
            [1, "x", "y"],
        )


async def test_runs_of_one_statement_go_together_and_keep_every_callers_order(schools):
    from school_safety.db import engine

    # Callers one after another: inserts, an update of a row inserted just before
    # it by another caller, and a Piccolo query with rows in between.
    callers = [[insert_statement(Report, _report(schools, f"R{n}"))] for n in range(5)] + [
        [update_statement(Report, {"priority": "low"}, '"case_code" = {}', "R4")],
        [Report.select(Report.case_code).where(Report.case_code == "R4")],
        [
            insert_statement(Report, _report(schools, "R5")),
            update_statement(Report, {"priority": "critical"}, '"case_code" = {}', "R5"),
        ],
    ]
    runs = engine._plan(callers, "sqlite" if engine.is_sqlite() else "postgres")
    # Five inserts in one run; then the update, the select, the insert and its update.
    assert [len(run.values) for run in runs] == [5, 1, 1, 1, 1]
    results = await asyncio.gather(*(write_grouped(*queries) for queries in callers))
    assert results[6] == [[{"case_code": "R4"}]]
    priorities = {r["case_code"]: r["priority"] for r in await Report.select()}
    assert priorities == {
        "R0": "high",
        "R1": "high",
        "R2": "high",
        "R3": "high",
        "R4": "low",
        "R5": "critical",
    }


async def test_a_failing_statement_in_a_run_fails_its_own_caller_only(schools):
    clash = _report(schools, "C")
    results = await asyncio.gather(
        *(
            write_grouped(insert_statement(Report, values))
            for values in (_report(schools, "A"), clash, {**clash, "receipt_hash": "z" * 64})
        ),
        return_exceptions=True,
    )
    assert results[:2] == [[[]], [[]]] and isinstance(results[2], Exception)
    assert {r["case_code"] for r in await Report.select(Report.case_code)} == {"A", "C"}
