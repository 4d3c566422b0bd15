"""The staff pages of cases: the queue and the case page with its actions.

Psychologists (and administrators) act on cases; regional departments read
them; police inspectors read the cases referred to them and add notes.
Anything outside the user's scope answers 404.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_422_UNPROCESSABLE_ENTITY

from school_safety.audit import log as audit
from school_safety.cases import service
from school_safety.cases.lifecycle import AUTOMATIC_REASONS, OUTCOMES, STATUS_NAMES, TRANSITIONS
from school_safety.cases.queue import PERIODS, QueueFilters, queue
from school_safety.cases.related import suggestions
from school_safety.cases.scope import report_id_in_scope, visible_school_ids
from school_safety.cases.service import HANDLERS
from school_safety.classifier.labels import LABELS, PRIORITY_NAMES
from school_safety.i18n import N_
from school_safety.reports.choices import HAPPENED, LOCATIONS, QUICK_CHOICES, REPORTER_ROLES
from school_safety.reports.tables import Evidence
from school_safety.schools.service import localised
from school_safety.schools.tables import School
from school_safety.staff.guards import current_user, staff_guard
from school_safety.staff.roles import ADMIN, OFFICER, PSYCHOLOGIST, REGION, ROLE_NAMES, StaffUser
from school_safety.text import parse_id
from school_safety.web.headers import NO_STORE
from school_safety.web.params import RowId

READERS = (PSYCHOLOGIST, OFFICER, REGION, ADMIN)
NOTE_WRITERS = (PSYCHOLOGIST, OFFICER, ADMIN)

LABEL_NAMES = {  # shown beside scores; the classifier itself speaks in label codes
    "bullying": N_("Bullying"),
    "cyberbullying": N_("Cyberbullying"),
    "suicide_risk": N_("Suicide risk"),
}


def _audit_detail(action: str, form: Any) -> str:
    """What changed, in a few words: never the text of a message or a note."""
    if action == "status":
        return f"{_text(form, 'status', 32)} {_text(form, 'outcome', 32)}".strip()
    if action == "labels":
        return (
            ";".join(v for v in form.getall("labels") if isinstance(v, str))
            if "labels" in form
            else ""
        )
    if action == "link":
        return _text(form, "link", 32)
    return ""


async def _in_scope(user: StaffUser, code: str) -> int:
    report_id = await report_id_in_scope(user, code)
    if report_id is None:
        raise NotFoundException()
    return report_id


def _text(form: Any, name: str, limit: int = 6000) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


async def _schools_for_filter(ids: frozenset[int] | None) -> list[dict[str, Any]]:
    query = School.select(
        School.id, School.code, School.name_kk, School.name_ru, School.name_en
    ).order_by(School.code)
    if ids is not None:
        if not ids:
            return []
        query = query.where(School.id.is_in(list(ids)))
    rows = await query.limit(500)
    for row in rows:
        row["name"] = localised(row, "name")
    return rows


class CasePages(Controller):
    path = "/staff"
    guards = [staff_guard]
    include_in_schema = False

    @get("/", name="staff-queue", opt={"roles": READERS})
    async def queue_page(
        self,
        request: Request,
        status: FromQuery[str] = "open",
        label: FromQuery[str] = "",
        school: FromQuery[str] = "",
        period: FromQuery[str] = "",
        q: FromQuery[str] = "",
    ) -> Template:
        user = current_user(request)
        filters = QueueFilters(
            status=status,
            label=label,
            school_id=parse_id(school),
            period=period,
            search=q,
        )
        school_ids = await visible_school_ids(user)
        rows = await queue(user, filters, school_ids)
        # The rows refresh themselves every 30 s; the filter's school list is not in them.
        fragment = request.headers.get("hx-request") and request.headers.get("hx-target") == "queue"
        context = {
            "user": user,
            "rows": rows,
            "filters": filters,
            "statuses": STATUS_NAMES,
            "labels": LABELS,
            "label_names": LABEL_NAMES,
            "periods": PERIODS,
            "schools": [] if fragment else await _schools_for_filter(school_ids),
            "role_names": ROLE_NAMES,
            "priority_names": PRIORITY_NAMES,
        }
        return Template(
            "cases/_queue_rows.html" if fragment else "cases/queue.html",
            context=context,
            headers=NO_STORE,
        )

    @get("/cases/{code:str}", name="staff-case", opt={"roles": READERS})
    async def case_page(self, request: Request, code: FromPath[str]) -> Template:
        user = current_user(request)
        report_id = await _in_scope(user, code)
        page = await self._render(user, report_id)
        await audit.record(user, "case.view", report_id=report_id)
        return page

    async def _render(
        self,
        user: StaffUser,
        report_id: int,
        errors: dict[str, str] | None = None,
        notice: str = "",
    ) -> Template:
        case = await service.load_case(report_id, user)
        return Template(
            "cases/case.html",
            context={
                "user": user,
                "case": case,
                "errors": errors or {},
                "notice": notice,
                "can_handle": user.role in HANDLERS,
                "can_note": user.role in NOTE_WRITERS,
                "statuses": STATUS_NAMES,
                "next_statuses": sorted(TRANSITIONS[case.status]),
                "outcomes": OUTCOMES,
                "automatic_reasons": AUTOMATIC_REASONS,
                "labels": LABELS,
                "label_names": LABEL_NAMES,
                "priority_names": PRIORITY_NAMES,
                "quick_choices": QUICK_CHOICES,
                "locations": LOCATIONS,
                "happened": HAPPENED,
                "reporter_roles": REPORTER_ROLES,
                "suggestions": await suggestions(report_id) if user.role in HANDLERS else [],
            },
            status_code=HTTP_422_UNPROCESSABLE_ENTITY if errors else HTTP_200_OK,
            headers=NO_STORE,
        )

    async def _act(self, request: Request, code: str, action: str) -> Template | Redirect:
        user = current_user(request)
        report_id = await _in_scope(user, code)
        form = await request.form()
        if action == "message":
            errors = await service.send_message(user, report_id, _text(form, "message"))
        elif action == "note":
            errors = await service.add_note(user, report_id, _text(form, "note"))
        elif action == "status":
            errors = await service.change_status(
                user,
                report_id,
                _text(form, "status", 32),
                _text(form, "outcome", 32),
                _text(form, "closing_message"),
                _text(form, "duplicate_of", 32),
            )
        elif action == "labels":
            chosen = (
                [v for v in form.getall("labels") if isinstance(v, str)] if "labels" in form else []
            )
            errors = await service.review_labels(user, report_id, chosen)
        else:
            errors = await service.link_cases(user, report_id, _text(form, "link", 32))
        if errors:
            return await self._render(user, report_id, errors)
        await audit.record(
            user, f"case.{action}", report_id=report_id, detail=_audit_detail(action, form)
        )
        # After a change, a plain GET of the case page: a reload never repeats the action.
        return Redirect(path=f"/staff/cases/{code}", status_code=303)

    @post(
        "/cases/{code:str}/messages",
        name="staff-case-message",
        opt={"roles": HANDLERS},
        status_code=HTTP_200_OK,
    )
    async def message(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        return await self._act(request, code, "message")

    @post(
        "/cases/{code:str}/notes",
        name="staff-case-note",
        opt={"roles": NOTE_WRITERS},
        status_code=HTTP_200_OK,
    )
    async def note(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        return await self._act(request, code, "note")

    @post(
        "/cases/{code:str}/status",
        name="staff-case-status",
        opt={"roles": HANDLERS},
        status_code=HTTP_200_OK,
    )
    async def status(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        return await self._act(request, code, "status")

    @post(
        "/cases/{code:str}/labels",
        name="staff-case-labels",
        opt={"roles": HANDLERS},
        status_code=HTTP_200_OK,
    )
    async def labels(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        return await self._act(request, code, "labels")

    @post(
        "/cases/{code:str}/links",
        name="staff-case-link",
        opt={"roles": HANDLERS},
        status_code=HTTP_200_OK,
    )
    async def link(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        return await self._act(request, code, "link")

    @get(
        "/cases/{code:str}/evidence/{evidence_id:int}",
        name="staff-case-evidence",
        opt={"roles": READERS},
    )
    async def evidence(
        self, request: Request, code: FromPath[str], evidence_id: RowId
    ) -> Response[bytes]:
        user = current_user(request)
        report_id = await _in_scope(user, code)
        row = (
            await Evidence.select(Evidence.data, Evidence.content_type)
            .where((Evidence.id == evidence_id) & (Evidence.report == report_id))
            .first()
        )
        if row is None:
            raise NotFoundException()
        await audit.record(
            user, "case.evidence", report_id=report_id, detail=f"picture {evidence_id}"
        )
        return Response(
            content=bytes(row["data"]),
            media_type=row["content_type"],
            # Pictures of children: kept by no cache, opened by no other site.
            headers={"cache-control": "no-store, private", "content-disposition": "inline"},
        )
