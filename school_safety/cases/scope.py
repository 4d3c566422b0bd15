"""Which reports a staff member may see: their schools, their region, or everything."""

from __future__ import annotations

from typing import Any

from school_safety.cases.lifecycle import REFERRED
from school_safety.reports.receipts import normalise_case_code
from school_safety.reports.tables import Report
from school_safety.staff.roles import ADMIN, OFFICER, REGION, StaffUser
from school_safety.staff.sessions import school_ids_in_region


async def visible_school_ids(user: StaffUser) -> frozenset[int] | None:
    """The schools whose reports the user sees; None means all of them."""
    if user.role == ADMIN:
        return None
    if user.role == REGION:
        return await school_ids_in_region(user.region_id) if user.region_id else frozenset()
    return user.school_ids


def scope_condition(school_ids: frozenset[int] | None, user: StaffUser) -> Any:
    """The WHERE clause for reports in scope (officers see only cases referred to police)."""
    condition: Any = Report.id > 0
    if school_ids is not None:
        condition = Report.school.is_in(list(school_ids)) if school_ids else Report.id < 0
    if user.role == OFFICER:
        condition &= Report.status == REFERRED
    return condition


async def report_id_in_scope(user: StaffUser, case_code: str) -> int | None:
    """The report behind a case code if the user may see it; None otherwise (answer 404)."""
    code = normalise_case_code(case_code)
    if code is None:
        return None
    condition = (Report.case_code == code) & scope_condition(await visible_school_ids(user), user)
    row = await Report.select(Report.id).where(condition).first()
    return int(row["id"]) if row else None
