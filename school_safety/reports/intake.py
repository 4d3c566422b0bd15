"""Taking a report in: validate, store, hand back the case code and receipt.

The report and its evidence are committed in one transaction before anything
else happens; whatever runs afterwards (classification, notifications) may
fail without losing it. Messages in `ReportInvalid` are untranslated msgids,
so each channel can show them in its user's language.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio.to_thread
import asyncpg
from piccolo.query.functions.aggregate import Sum
from piccolo.query.functions.string import Length

from school_safety.classifier.service import classify_report
from school_safety.config import get_settings
from school_safety.db.engine import is_unique_violation, write_grouped
from school_safety.db.statements import Statement, insert_statement
from school_safety.i18n import LANGUAGES, N_
from school_safety.reports.choices import HAPPENED, LOCATIONS, QUICK_CHOICES, REPORTER_ROLES
from school_safety.reports.evidence import (
    CleanImage,
    EvidenceLimits,
    EvidenceRejected,
    sanitize_image,
)
from school_safety.reports.receipts import new_case_code, new_receipt, receipt_hash
from school_safety.reports.tables import Evidence, Report
from school_safety.schools.service import school_by_code
from school_safety.text import clean_line, clean_text

PEOPLE_MAX_CHARS = 1000
CASE_CODE_ATTEMPTS = 5
SIGNATURE_MAX_CHARS = 200
LOCATION_DETAIL_MAX_CHARS = 300

EVIDENCE_ERRORS = {
    "type": N_("Only photos and screenshots (JPEG, PNG or WebP) can be attached."),
    "too_large": N_("A file is too large."),
    "broken": N_("A file could not be read as a picture."),
    "too_many_pixels": N_("A picture is too large."),
}
PICTURES_PAUSED = N_(
    "Pictures cannot be accepted right now. Please send your report without them; "
    "you can add them later with your receipt code."
)

_log = logging.getLogger("school_safety.reports")

# Pictures decoded at once, whatever the number of requests: each may take a
# few hundred megabytes and a second of CPU, and anyio's default pool would run
# forty of them side by side.
IMAGE_WORKERS = 2
_image_work = anyio.CapacityLimiter(IMAGE_WORKERS)


class ReportInvalid(ValueError):
    """Bad input; `errors` maps a form field to an untranslated message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{key}: {value}" for key, value in errors.items()))
        self.errors = errors


@dataclass
class ReportDraft:
    school_code: str
    text: str
    language: str
    quick_choices: list[str] = field(default_factory=list)
    location: str = ""
    location_detail: str = ""
    happened: str = ""
    people_involved: str = ""
    reporter_role: str = ""
    # Teachers only, and only if they choose to sign.
    signed_name: str = ""
    signed_contact: str = ""
    evidence: list[bytes] = field(default_factory=list)
    channel: str = "web"


@dataclass(frozen=True)
class SubmittedReport:
    case_code: str
    receipt: str
    # The report signals danger: show the pupil where to get help, now.
    crisis: bool


def evidence_limits() -> EvidenceLimits:
    return EvidenceLimits(max_bytes=get_settings().evidence_max_bytes)


async def clean_evidence(
    files: list[bytes], errors: dict[str, str], school_id: int
) -> list[CleanImage]:
    """Re-encode every picture without metadata, or record why it was refused.

    `school_id` is the school the report is about: its own daily budget applies.
    """
    settings = get_settings()
    files = [data for data in files if data]
    if len(files) > settings.evidence_max_files:
        errors["evidence"] = N_("Too many files attached.")
        return []
    cleaned = []
    limits = evidence_limits()
    for data in files:
        try:
            # Decoding pictures is CPU work: keep it off the event loop.
            cleaned.append(
                await anyio.to_thread.run_sync(sanitize_image, data, limits, limiter=_image_work)
            )
        except EvidenceRejected as rejected:
            errors["evidence"] = EVIDENCE_ERRORS[rejected.reason]
            return []
    adding = sum(len(image.data) for image in cleaned)
    if cleaned and not await _within_daily_budgets(adding, school_id):
        errors["evidence"] = PICTURES_PAUSED
        return []
    return cleaned


async def _within_daily_budgets(adding: int, school_id: int) -> bool:
    """Whether `adding` more bytes of pictures fit the last 24 hours' budgets.

    One budget for all schools bounds how fast the disk fills; one per school
    keeps a flood of uploads at one school from pausing pictures at the rest.
    Reports sent at the same moment may overshoot them by their own pictures:
    they bound a rate, they do not need to be exact.
    """
    settings = get_settings()
    recent = Evidence.created_at >= datetime.now(UTC) - timedelta(days=1)
    budgets = (
        (
            settings.evidence_bytes_per_school_per_day,
            recent & (Evidence.report.school == school_id),
            f"school {school_id}",
        ),
        (settings.evidence_bytes_per_day, recent, "all schools"),
    )
    for budget, pictures, whose in budgets:
        if budget <= 0:
            continue
        row = (
            await Evidence.select(Sum(Length(Evidence.data), alias="stored"))
            .where(pictures)
            .first()
        )
        # SUM over no rows is NULL.
        stored = (row or {}).get("stored") or 0
        if stored + adding > budget:
            # Counts and the school only: nothing here knows, or says, who sent them.
            _log.warning(
                "A daily picture budget (%d bytes, %s) is used up: pictures are refused",
                budget,
                whose,
            )
            return False
    return True


def _one_of(value: str, allowed: dict[str, str], name: str, errors: dict[str, str]) -> str:
    value = value.strip()
    if value and value not in allowed:
        errors[name] = N_("Please choose one of the options.")
    return value


def evidence_rows(
    report: int | Statement, images: list[CleanImage], added_with: str
) -> list[Statement]:
    """One INSERT per picture; `report` is the report's id, or SQL that selects it."""
    now = datetime.now(UTC)
    return [
        insert_statement(
            Evidence,
            {
                "report": report,
                "content_type": image.content_type,
                "data": image.data,
                "width": image.width,
                "height": image.height,
                "added_with": added_with,
                "created_at": now,
            },
        )
        for image in images
    ]


async def submit_report(draft: ReportDraft) -> SubmittedReport:
    settings = get_settings()
    errors: dict[str, str] = {}

    text = clean_text(draft.text)
    if not text:
        errors["text"] = N_("Please write what happened.")
    elif len(text) > settings.report_text_max_chars:
        errors["text"] = N_("This is too long. Please shorten it.")

    language = draft.language if draft.language in LANGUAGES else ""
    if not language:
        errors["language"] = N_("Unknown language.")

    school = await school_by_code(draft.school_code) if draft.school_code.strip() else None
    if school is None:
        errors["school"] = N_("We could not find this school. Please choose it again.")

    unknown = [choice for choice in draft.quick_choices if choice not in QUICK_CHOICES]
    if unknown:
        errors["quick_choices"] = N_("Please choose one of the options.")
    quick_choices = [code for code in QUICK_CHOICES if code in draft.quick_choices]
    location = _one_of(draft.location, LOCATIONS, "location", errors)
    happened = _one_of(draft.happened, HAPPENED, "happened", errors)
    reporter_role = _one_of(draft.reporter_role, REPORTER_ROLES, "reporter_role", errors)

    people = clean_text(draft.people_involved)
    if len(people) > PEOPLE_MAX_CHARS:
        errors["people_involved"] = N_("This is too long. Please shorten it.")
    location_detail = clean_line(draft.location_detail)
    if len(location_detail) > LOCATION_DETAIL_MAX_CHARS:
        errors["location_detail"] = N_("This is too long. Please shorten it.")

    signed_name = clean_line(draft.signed_name)
    signed_contact = clean_line(draft.signed_contact)
    if (signed_name or signed_contact) and reporter_role != "teacher":
        errors["signed_name"] = N_("Only teachers sign reports. Pupils stay anonymous.")
    elif len(signed_name) > SIGNATURE_MAX_CHARS or len(signed_contact) > SIGNATURE_MAX_CHARS:
        errors["signed_name"] = N_("This is too long. Please shorten it.")

    images = (
        await clean_evidence(draft.evidence, errors, school.id)
        if school is not None and not errors
        else []
    )
    if errors:
        raise ReportInvalid(errors)
    assert school is not None

    now = datetime.now(UTC)
    case_code, receipt = await _insert_report(
        {
            "school": school.id,
            "language": language,
            "text": text,
            "quick_choices": ",".join(quick_choices),
            "location": location,
            "location_detail": location_detail,
            "happened": happened,
            "people_involved": people,
            "reporter_role": reporter_role,
            "signed_name": signed_name,
            "signed_contact": signed_contact,
            "channel": draft.channel,
            "created_at": now,
            "updated_at": now,
        },
        images,
    )
    # Only now, with the report safely stored, may anything that can fail run.
    outcome = await classify_report(case_code, text, quick_choices)
    return SubmittedReport(case_code=case_code, receipt=receipt, crisis=outcome.crisis)


async def _insert_report(values: dict[str, Any], images: list[CleanImage]) -> tuple[str, str]:
    """Store the report and its pictures in one transaction: (its case code, receipt).

    A fresh case code and receipt per attempt: clashes are vanishingly rare,
    and the unique constraints, not a look-up first, are what catch one.
    """
    for attempt in range(CASE_CODE_ATTEMPTS):
        receipt, case_code = new_receipt(), new_case_code()
        row = {**values, "case_code": case_code, "receipt_hash": receipt_hash(receipt)}
        # The pictures find their report by its case code: its id is not known
        # until the transaction that stores them both has run.
        by_case_code = Statement(
            Report, '(SELECT "id" FROM "report" WHERE "case_code" = {})', (case_code,)
        )
        try:
            # Shared with reports sent at the same moment: one commit for all of them.
            await write_grouped(
                insert_statement(Report, row), *evidence_rows(by_case_code, images, "report")
            )
            return case_code, receipt
        except (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError) as error:
            if not is_unique_violation(error) or attempt == CASE_CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")
