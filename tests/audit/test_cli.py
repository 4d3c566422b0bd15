"""`school-safety audit verify`: exit 0 with the count when intact, 1 naming the broken entry."""

from __future__ import annotations

from school_safety.audit.log import record
from school_safety.audit.tables import AuditEntry
from school_safety.cli import main, run
from school_safety.db.engine import write_transaction


async def _record_five() -> list[int]:
    for n in range(5):
        await record(None, "admin.settings", detail=f"change {n}")
    return [row["id"] for row in await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id)]


async def _edit(entry_id: int) -> None:
    async with write_transaction():
        await AuditEntry.update({AuditEntry.detail: "changed afterwards"}).where(
            AuditEntry.id == entry_id
        )


def test_verify_an_empty_log(capsys):
    assert main(["audit", "verify"]) == 0
    assert "audit log intact: 0 entries" in capsys.readouterr().out


def test_verify_exit_codes(capsys):
    ids = run(_record_five())
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "audit log intact: 5 entries" in out

    run(_edit(ids[2]))
    assert main(["audit", "verify"]) == 1
    captured = capsys.readouterr()
    assert f"broken at entry {ids[2]}" in captured.err
    assert "intact" not in captured.out
