"""JSON endpoints for other channels (the 111 contact centre, a messenger bot).

They file into the same pipeline as the web form. Errors carry a message in
the report's language (or the caller's Accept-Language) and, for bad fields,
a message per field.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
)

from school_safety.config import get_settings
from school_safety.help.helplines import HELPLINES
from school_safety.i18n import LANGUAGES, N_, gettext, set_language
from school_safety.reports import limits
from school_safety.reports.choices import STATUS_FOR_PUPIL
from school_safety.reports.followup import add_reply, case_for_reporter
from school_safety.reports.intake import ReportDraft, ReportInvalid, submit_report
from school_safety.reports.limits import (
    TOO_MANY_FOLLOW_UPS,
    TOO_MANY_GUESSES,
    TOO_MANY_SUBMISSIONS,
)
from school_safety.reports.receipts import normalise_receipt
from school_safety.web.errors import JsonError
from school_safety.web.ratelimit import client_key

NOT_FOUND = N_("No report matches this case code and receipt.")
INVALID = N_("Some fields are not right.")

Receipt = Annotated[str, HeaderParameter(name="X-Receipt", required=False)]


@dataclass
class NewReport:
    school: str
    text: str
    language: str
    quick_choices: list[str] = field(default_factory=list)
    location: str = ""
    location_detail: str = ""
    happened: str = ""
    people_involved: str = ""
    reporter_role: str = ""
    # Only with reporter_role "teacher", and only if the teacher chooses to sign.
    signed_name: str = ""
    signed_contact: str = ""
    # Pictures as base64; re-encoded without metadata like the web form's.
    evidence: list[str] = field(default_factory=list)


@dataclass
class HelpLine:
    number: str
    name: str
    description: str
    call: str
    text: str | None


@dataclass
class FiledReport:
    case: str
    receipt: str
    status: str
    first_response_hours: int
    # The report signals danger: show these help lines to the reporter at once.
    crisis: bool
    help: list[HelpLine]


def help_lines() -> list[HelpLine]:
    return [
        HelpLine(
            number=line.number,
            name=gettext(line.name),
            description=gettext(line.description),
            call=f"tel:{line.number}",
            text=f"sms:{line.number}" if line.can_text else None,
        )
        for line in HELPLINES
    ]


@dataclass
class ReporterReply:
    text: str


@dataclass
class ThreadEntry:
    sender: str
    text: str
    at: datetime


@dataclass
class CaseStatus:
    case: str
    status: str
    status_text: str
    messages: list[ThreadEntry]


@dataclass
class RepliedCase(CaseStatus):
    # The reply signals danger: show these help lines to the reporter at once.
    crisis: bool
    help: list[HelpLine]


@dataclass
class ApiError:
    error: str
    status: int
    fields: dict[str, str] = field(default_factory=dict)


def _error(status: int, message: str, fields: dict[str, str] | None = None) -> Response[ApiError]:
    return Response(
        ApiError(
            error=gettext(message),
            status=status,
            fields={name: gettext(text) for name, text in (fields or {}).items()},
        ),
        status_code=status,
    )


# What each error status answers with and means, for the OpenAPI schema.
_ERRORS: dict[int, tuple[type, str]] = {
    HTTP_404_NOT_FOUND: (ApiError, "No report matches this case code and receipt (X-Receipt)."),
    # Refused by the app's guard before any handler runs: error_response's body.
    HTTP_415_UNSUPPORTED_MEDIA_TYPE: (
        JsonError,
        "The body is not sent with `Content-Type: application/json`: `error` says so in the "
        "caller's Accept-Language.",
    ),
    HTTP_422_UNPROCESSABLE_ENTITY: (
        ApiError,
        "Some fields are not right: `fields` holds a message for each, in the report's "
        "language or the caller's Accept-Language.",
    ),
    HTTP_429_TOO_MANY_REQUESTS: (
        ApiError,
        "Too many reports, replies or receipt guesses from this client: try later.",
    ),
}


def _documented(status: int, body: type, description: str, *errors: int) -> dict[int, ResponseSpec]:
    """The answers a handler gives, for the OpenAPI schema.

    The handlers return one of several response types (the body, or an
    ApiError), which Litestar cannot describe from the return annotation: an
    integrator would see an empty body.
    """
    answers = {
        status: ResponseSpec(data_container=body, description=description),
        # Litestar would describe its own error body; ours is error_response's.
        HTTP_400_BAD_REQUEST: ResponseSpec(
            data_container=JsonError,
            description="Not valid JSON, or fields missing or of the wrong type (named in "
            "`detail`).",
        ),
    }
    for error in errors:
        body_type, meaning = _ERRORS[error]
        answers[error] = ResponseSpec(data_container=body_type, description=meaning)
    return answers


def _decode_pictures(encoded: list[str]) -> list[bytes] | None:
    try:
        return [base64.b64decode(item, validate=True) for item in encoded]
    except (binascii.Error, ValueError):
        return None


async def _case_status(report_id: int) -> CaseStatus:
    found = await case_for_reporter(report_id)
    return CaseStatus(
        case=found.case_code,
        status=found.status,
        status_text=gettext(STATUS_FOR_PUPIL.get(found.status, STATUS_FOR_PUPIL["new"])),
        messages=[
            ThreadEntry(
                sender="staff" if message.from_staff else "reporter",
                text=message.body,
                at=message.created_at,
            )
            for message in found.messages
        ],
    )


class ReportsApi(Controller):
    path = "/api/v1/reports"
    tags = ("reports",)
    # Receipts and conversations: no cache, shared or private, may keep them. A
    # reply depends on the X-Receipt header, which a cache keyed by URL ignores.
    cache_control = CacheControlHeader(no_store=True)

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="File a report",
        responses=_documented(
            HTTP_201_CREATED,
            FiledReport,
            "Filed: the case code and the receipt (shown to the reporter once, never again), "
            "and the help lines when the report signals danger",
            HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            HTTP_422_UNPROCESSABLE_ENTITY,
            HTTP_429_TOO_MANY_REQUESTS,
        ),
    )
    async def file_report(
        self, request: Request, data: JSONBody[NewReport]
    ) -> Response[FiledReport] | Response[ApiError]:
        if data.language in LANGUAGES:
            set_language(data.language)
        counted = limits.submissions().try_hit(client_key(request))
        if counted is None:
            return _error(HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_SUBMISSIONS)
        pictures = _decode_pictures(data.evidence)
        if pictures is None:
            limits.submissions().give_back(counted)
            return _error(
                HTTP_422_UNPROCESSABLE_ENTITY,
                INVALID,
                {"evidence": N_("A file could not be read as a picture.")},
            )
        draft = ReportDraft(
            school_code=data.school,
            text=data.text,
            language=data.language,
            quick_choices=data.quick_choices,
            location=data.location,
            location_detail=data.location_detail,
            happened=data.happened,
            people_involved=data.people_involved,
            reporter_role=data.reporter_role,
            signed_name=data.signed_name,
            signed_contact=data.signed_contact,
            evidence=pictures,
            channel="api",
        )
        try:
            submitted = await submit_report(draft)
        except ReportInvalid as invalid:
            # Nothing was filed: correcting a mistake does not use up a report.
            limits.submissions().give_back(counted)
            return _error(HTTP_422_UNPROCESSABLE_ENTITY, INVALID, invalid.errors)
        return Response(
            FiledReport(
                case=submitted.case_code,
                receipt=submitted.receipt,
                status="new",
                first_response_hours=get_settings().first_response_hours,
                crisis=submitted.crisis,
                help=help_lines() if submitted.crisis else [],
            ),
            status_code=HTTP_201_CREATED,
        )

    async def _open(self, request: Request, case: str, receipt: str) -> int | Response[ApiError]:
        # Only a well-formed code is a guess worth counting; it opens nothing either.
        if normalise_receipt(receipt) is None:
            return _error(HTTP_404_NOT_FOUND, NOT_FOUND)
        opened = await limits.check_receipt(client_key(request), receipt, case_code=case)
        if opened.must_wait:
            return _error(HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_GUESSES)
        if opened.report_id is None:
            return _error(HTTP_404_NOT_FOUND, NOT_FOUND)
        return opened.report_id

    @get(
        "/{case:str}",
        summary="Status and messages of a report (receipt in X-Receipt)",
        responses=_documented(
            HTTP_200_OK,
            CaseStatus,
            "The case's status and its conversation",
            HTTP_404_NOT_FOUND,
            HTTP_429_TOO_MANY_REQUESTS,
        ),
    )
    async def read_case(
        self, request: Request, case: FromPath[str], receipt: Receipt = ""
    ) -> Response[CaseStatus] | Response[ApiError]:
        opened = await self._open(request, case, receipt)
        if isinstance(opened, Response):
            return opened
        return Response(await _case_status(opened))

    @post(
        "/{case:str}/messages",
        status_code=HTTP_201_CREATED,
        summary="The reporter's reply (receipt in X-Receipt)",
        responses=_documented(
            HTTP_201_CREATED,
            RepliedCase,
            "Sent: the case as it now is, and the help lines when the reply signals danger",
            HTTP_404_NOT_FOUND,
            HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            HTTP_422_UNPROCESSABLE_ENTITY,
            HTTP_429_TOO_MANY_REQUESTS,
        ),
    )
    async def reply(
        self,
        request: Request,
        case: FromPath[str],
        data: JSONBody[ReporterReply],
        receipt: Receipt = "",
    ) -> Response[RepliedCase] | Response[ApiError]:
        opened = await self._open(request, case, receipt)
        if isinstance(opened, Response):
            return opened
        if limits.follow_ups().try_hit(client_key(request)) is None:
            return _error(HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_FOLLOW_UPS)
        try:
            sent = await add_reply(opened, data.text)
        except ReportInvalid as invalid:
            return _error(HTTP_422_UNPROCESSABLE_ENTITY, INVALID, invalid.errors)
        found = await _case_status(opened)
        return Response(
            RepliedCase(
                **vars(found), crisis=sent.crisis, help=help_lines() if sent.crisis else []
            ),
            status_code=HTTP_201_CREATED,
        )
