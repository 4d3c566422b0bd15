"""The pupil's pages: the report form, the receipt, and the follow-up.

Every page works as a plain HTML form; with htmx the same handlers answer with
the fragment that changed. Nothing about the client is read or kept beyond an
in-memory rate-limit key.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
)

from school_safety.config import get_settings
from school_safety.i18n import LANGUAGES, N_, set_language
from school_safety.reports import limits
from school_safety.reports.followup import (
    add_evidence,
    add_reply,
    case_for_reporter,
)
from school_safety.reports.forms import report_draft_from_form, text_value, uploaded_files
from school_safety.reports.intake import ReportInvalid, submit_report
from school_safety.reports.limits import (
    TOO_MANY_FOLLOW_UPS,
    TOO_MANY_GUESSES,
    TOO_MANY_SUBMISSIONS,
)
from school_safety.reports.receipts import normalise_receipt
from school_safety.schools.service import SchoolCard, school_by_code
from school_safety.web.headers import NO_STORE
from school_safety.web.language import language_cookie
from school_safety.web.ratelimit import client_key

WRONG_RECEIPT = N_("We could not find a report with this code. Check the digits and try again.")
PICTURES_AGAIN = N_("The language changed. Please choose your pictures again.")
MALFORMED_RECEIPT = N_("The secret code has 16 digits. Check that you typed all of them.")


def _page(request: HTMXRequest, full: str, fragment: str, status: int, **context: Any) -> Template:
    return Template(
        template_name=fragment if request.htmx else full,
        context=context,
        status_code=status,
        headers=NO_STORE,
    )


def _language_form(school: SchoolCard) -> dict[str, str]:
    """The report form, as the language buttons need it: its id and where they send it."""
    return {"id": "report-form", "action": f"/s/{school.code}/language/"}


async def _school_or_404(code: str) -> SchoolCard:
    school = await school_by_code(code)
    if school is None:
        raise NotFoundException()
    return school


class ReportPages(Controller):
    include_in_schema = False

    @get("/s/{code:str}", name="report-form")
    async def form(self, code: FromPath[str]) -> Template:
        school = await _school_or_404(code)
        return Template(
            template_name="reports/form.html",
            context={
                "school": school,
                "values": {},
                "errors": {},
                "language_form": _language_form(school),
            },
        )

    @post(
        "/s/{code:str}/language/{language:str}",
        name="report-form-language",
        status_code=HTTP_200_OK,
    )
    async def form_in_language(
        self, request: HTMXRequest, code: FromPath[str], language: FromPath[str]
    ) -> Template:
        """The form again in another language, holding what the pupil had typed.

        Nothing is stored or logged: the words come back in the page and nowhere
        else. Pictures cannot be put back into a file field, so the pupil is told
        to choose them again.
        """
        school = await _school_or_404(code)
        if language not in LANGUAGES:
            raise NotFoundException()
        draft, values = await report_draft_from_form(request, school.code)
        set_language(language)
        notice = PICTURES_AGAIN if draft.evidence else ""
        # With htmx the whole body is swapped: the header, help lines and footer
        # change language too, and htmx takes the new title from the page.
        headers = {**NO_STORE}
        if request.htmx:
            headers |= {"hx-retarget": "body", "hx-reswap": "innerHTML show:window:top"}
        response = Template(
            template_name="reports/form.html",
            context={
                "school": school,
                "values": values,
                "errors": {"page": notice} if notice else {},
                "language_form": _language_form(school),
            },
            headers=headers,
        )
        response.cookies.append(language_cookie(language))
        return response

    @post("/s/{code:str}/report", name="report-submit", status_code=HTTP_201_CREATED)
    async def submit(self, request: HTMXRequest, code: FromPath[str]) -> Template:
        school = await _school_or_404(code)
        draft, values = await report_draft_from_form(request, school.code)
        form_context = {
            "school": school,
            "values": values,
            "language_form": _language_form(school),
        }
        counted = limits.submissions().try_hit(client_key(request))
        if counted is None:
            return _page(
                request,
                "reports/form.html",
                "reports/_form.html",
                HTTP_429_TOO_MANY_REQUESTS,
                errors={"page": TOO_MANY_SUBMISSIONS},
                **form_context,
            )
        try:
            submitted = await submit_report(draft)
        except ReportInvalid as invalid:
            # Nothing was filed: a pupil correcting a mistake has not used up a report.
            limits.submissions().give_back(counted)
            return _page(
                request,
                "reports/form.html",
                "reports/_form.html",
                HTTP_422_UNPROCESSABLE_ENTITY,
                errors=invalid.errors,
                **form_context,
            )
        return _page(
            request,
            "reports/receipt.html",
            "reports/_receipt.html",
            HTTP_201_CREATED,
            school=school,
            # Shown once: no link may lead away from it unasked.
            languages_locked=True,
            case_code=submitted.case_code,
            receipt=submitted.receipt,
            crisis=submitted.crisis,
            first_response_hours=get_settings().first_response_hours,
        )

    @get("/follow-up", name="follow-up")
    async def follow_up_form(self) -> Template:
        return Template(
            template_name="reports/follow_up.html",
            context={"case": None, "receipt": "", "errors": {}, "notice": "", "crisis": False},
            headers=NO_STORE,
        )

    @post("/follow-up", name="follow-up-open", status_code=HTTP_200_OK)
    async def follow_up_open(self, request: HTMXRequest) -> Template:
        return await self._follow_up(request, action=None)

    @post("/follow-up/reply", name="follow-up-reply", status_code=HTTP_200_OK)
    async def follow_up_reply(self, request: HTMXRequest) -> Template:
        return await self._follow_up(request, action="reply")

    @post("/follow-up/evidence", name="follow-up-evidence", status_code=HTTP_200_OK)
    async def follow_up_evidence(self, request: HTMXRequest) -> Template:
        return await self._follow_up(request, action="evidence")

    async def _follow_up(self, request: HTMXRequest, action: str | None) -> Template:
        """Every follow-up step carries the receipt and checks it again: no session to steal."""
        form = await request.form()
        receipt = text_value(form, "receipt")
        client = client_key(request)

        def answer(status: int, **context: Any) -> Template:
            context.setdefault("case", None)
            context.setdefault("errors", {})
            context.setdefault("notice", "")
            context.setdefault("reply", "")
            # After POST /follow-up, "one step up" would be "/", not the follow-up page.
            context.setdefault("language_return", "/follow-up")
            context.setdefault("crisis", False)
            return _page(
                request,
                "reports/follow_up.html",
                "reports/_follow_up.html",
                status,
                receipt=receipt if context["case"] else "",
                **context,
            )

        if normalise_receipt(receipt) is None:
            # A slip of the thumb, not a guess: it names no code, so it is not
            # counted against the pupil, and the message says what is wrong.
            return answer(HTTP_422_UNPROCESSABLE_ENTITY, errors={"receipt": MALFORMED_RECEIPT})
        opened = await limits.check_receipt(client, receipt)
        if opened.must_wait:
            return answer(HTTP_429_TOO_MANY_REQUESTS, errors={"receipt": TOO_MANY_GUESSES})
        report_id = opened.report_id
        if report_id is None:
            return answer(HTTP_422_UNPROCESSABLE_ENTITY, errors={"receipt": WRONG_RECEIPT})

        if action is None:
            return answer(HTTP_200_OK, case=await case_for_reporter(report_id))
        if limits.follow_ups().try_hit(client) is None:
            # Shown beside the box that was used, with what the pupil wrote kept.
            return answer(
                HTTP_429_TOO_MANY_REQUESTS,
                case=await case_for_reporter(report_id),
                errors={action: TOO_MANY_FOLLOW_UPS},
                reply=text_value(form, "reply"),
            )
        status, outcome = await _follow_up_action(report_id, action, form)
        return answer(status, case=await case_for_reporter(report_id), **outcome)


async def _follow_up_action(report_id: int, action: str, form: Any) -> tuple[int, dict[str, Any]]:
    """Send the pupil's reply or add their pictures: the status, and what the page shows."""
    try:
        if action == "reply":
            sent = await add_reply(report_id, text_value(form, "reply"))
            return HTTP_200_OK, {"notice": N_("Your message was sent."), "crisis": sent.crisis}
        await add_evidence(report_id, await uploaded_files(form, "evidence"))
        return HTTP_200_OK, {"notice": N_("Your pictures were added.")}
    except ReportInvalid as invalid:
        # What the pupil wrote stays in the box, beside the reason.
        return HTTP_422_UNPROCESSABLE_ENTITY, {
            "errors": invalid.errors,
            "reply": text_value(form, "reply"),
        }
