"""The reporter's way back in: the receipt opens the case, its messages and a reply box."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from school_safety.db.engine import write_transaction
from school_safety.i18n import N_
from school_safety.reports.intake import ReportInvalid, clean_evidence, evidence_rows
from school_safety.reports.receipts import normalise_case_code, normalise_receipt, receipt_hash
from school_safety.reports.tables import Evidence, Message, Report
from school_safety.text import clean_text

REPLY_MAX_CHARS = 5000


@dataclass(frozen=True)
class ThreadMessage:
    from_staff: bool
    body: str
    created_at: datetime
    unread: bool


@dataclass(frozen=True)
class CaseForReporter:
    report_id: int
    case_code: str
    status: str
    school_code: str
    created_at: datetime
    text: str
    messages: list[ThreadMessage]
    evidence_count: int


async def find_report_id(receipt: str, case_code: str | None = None) -> int | None:
    """The report a receipt opens; with a case code, both must match."""
    digits = normalise_receipt(receipt)
    if digits is None:
        return None
    row = (
        await Report.select(Report.id, Report.case_code)
        .where(Report.receipt_hash == receipt_hash(digits))
        .first()
    )
    if row is None:
        return None
    if case_code is not None:
        wanted = normalise_case_code(case_code) or ""
        if not hmac.compare_digest(row["case_code"].encode(), wanted.encode()):
            return None
    return int(row["id"])


async def case_for_reporter(report_id: int) -> CaseForReporter:
    """Everything the reporter may see; marks staff messages as read by them."""
    report = (
        await Report.select(
            Report.id,
            Report.case_code,
            Report.status,
            Report.school.code,
            Report.created_at,
            Report.text,
        )
        .where(Report.id == report_id)
        .first()
    )
    if report is None:
        raise LookupError(report_id)
    rows = (
        await Message.select(Message.author, Message.body, Message.created_at, Message.read_at)
        .where(Message.report == report_id)
        .order_by(Message.created_at)
        .order_by(Message.id)
    )
    messages = [
        ThreadMessage(
            from_staff=row["author"] == "staff",
            body=row["body"],
            created_at=row["created_at"],
            unread=row["author"] == "staff" and row["read_at"] is None,
        )
        for row in rows
    ]
    if any(message.unread for message in messages):
        async with write_transaction():
            await Message.update({Message.read_at: datetime.now(UTC)}).where(
                (Message.report == report_id)
                & (Message.author == "staff")
                & Message.read_at.is_null()
            )
    evidence_count = await Evidence.count().where(Evidence.report == report_id)
    return CaseForReporter(
        report_id=report["id"],
        case_code=report["case_code"],
        status=report["status"],
        school_code=report["school.code"],
        created_at=report["created_at"],
        text=report["text"],
        messages=messages,
        evidence_count=evidence_count,
    )


async def add_reply(report_id: int, body: str) -> None:
    text = clean_text(body)
    if not text:
        raise ReportInvalid({"reply": N_("Please write a message.")})
    if len(text) > REPLY_MAX_CHARS:
        raise ReportInvalid({"reply": N_("This is too long. Please shorten it.")})
    now = datetime.now(UTC)
    async with write_transaction():
        await Message(report=report_id, author="reporter", body=text, created_at=now).save()
        await Report.update({Report.updated_at: now}).where(Report.id == report_id)


async def add_evidence(report_id: int, files: list[bytes]) -> int:
    errors: dict[str, str] = {}
    if not any(files):
        raise ReportInvalid({"evidence": N_("Please choose a picture to attach.")})
    images = await clean_evidence(files, errors)
    if errors:
        raise ReportInvalid(errors)
    async with write_transaction():
        for picture in evidence_rows(report_id, images, "follow_up"):
            await picture.as_query()
        await Report.update({Report.updated_at: datetime.now(UTC)}).where(Report.id == report_id)
    return len(images)
