"""The audit log page: who saw or changed which case, for regional departments and admins."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from school_safety.audit.log import ACTION_GROUPS, ACTION_NAMES, PAGE_SIZE, entries_for
from school_safety.staff.guards import current_user, staff_guard
from school_safety.staff.roles import ADMIN, REGION, ROLE_NAMES
from school_safety.web.params import OptionalRowIdQuery

READERS = (REGION, ADMIN)
HEADERS = {"cache-control": "no-store", "vary": "hx-request"}


class AuditPages(Controller):
    path = "/staff"
    guards = [staff_guard]
    include_in_schema = False

    @get("/audit", name="staff-audit", opt={"roles": READERS})
    async def audit_log(
        self,
        request: Request,
        case: FromQuery[str] = "",
        action: FromQuery[str] = "",
        before: OptionalRowIdQuery = None,
    ) -> Template:
        user = current_user(request)
        case, action = case.strip()[:32], action.strip()[:40]
        entries = await entries_for(
            user,
            limit=PAGE_SIZE + 1,
            case_code=case or None,
            action=action or None,
            before_id=before,
        )
        older = entries[PAGE_SIZE - 1].id if len(entries) > PAGE_SIZE else None
        # htmx asks for the rows only; restoring history it needs the whole page.
        fragment = request.headers.get("hx-request") and not request.headers.get(
            "hx-history-restore-request"
        )
        return Template(
            "audit/_rows.html" if fragment else "audit/log.html",
            context={
                "user": user,
                "entries": entries[:PAGE_SIZE],
                "case": case,
                "action": action,
                "before": before,
                "older": older,
                "action_names": ACTION_NAMES,
                "action_groups": ACTION_GROUPS,
                "role_names": ROLE_NAMES,
            },
            headers=HEADERS,
        )
