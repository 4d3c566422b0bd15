"""Helpers for the audit tests: reports and staff users made directly in the database."""

from __future__ import annotations

import secrets

from school_safety.db.engine import write_transaction
from school_safety.reports.receipts import new_case_code
from school_safety.reports.tables import Report
from school_safety.staff.roles import StaffUser
from school_safety.staff.tables import StaffAccount
from tests import support


async def make_report(school_id: int, text: str = "Someone took my phone at break") -> Report:
    async with write_transaction():
        report = Report(
            case_code=new_case_code(),
            receipt_hash=secrets.token_hex(32),
            school=school_id,
            language="ru",
            text=text,
        )
        await report.save()
    return report


async def staff_user(username: str, role: str, region_code: str | None = None) -> StaffUser:
    """A real account (entries link to it) and the StaffUser the guard would make of it."""
    account_id = await support.make_staff(username, role, region_code=region_code)
    row = (
        await StaffAccount.select(StaffAccount.region).where(StaffAccount.id == account_id).first()
    )
    assert row is not None
    return StaffUser(
        id=account_id,
        username=username,
        display_name=username.title(),
        role=role,
        school_ids=frozenset(),
        region_id=row["region"],
        must_change_password=False,
        totp_required=False,
    )
