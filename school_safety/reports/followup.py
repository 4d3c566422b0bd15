"""The reporter's way back in: the receipt opens the case, its messages and a reply box.

A reply is committed before anything that can fail runs; only then is it
checked for danger, by the rule reports are checked with. A reply that
signals danger shows the pupil where to get help, is marked for staff, and
raises the case to critical (reopening it if it was closed).
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from school_safety.cases.lifecycle import CLOSED, DANGEROUS_REPLY, IN_REVIEW
from school_safety.cases.tables import StatusChange
from school_safety.classifier.labels import CRITICAL
from school_safety.classifier.service import ReplyCheck, check_reply
from school_safety.db.engine import write_transaction
from school_safety.i18n import N_
from school_safety.reports.intake import ReportInvalid, clean_evidence, evidence_rows
from school_safety.reports.receipts import normalise_case_code, normalise_receipt, receipt_hash
from school_safety.reports.tables import Evidence, Message, Report
from school_safety.text import clean_text

REPLY_MAX_CHARS = 5000
# Replies younger than this are left to the request that stored them.
RECHECK_AFTER = timedelta(seconds=30)
RECHECK_BATCH = 200

_log = logging.getLogger("school_safety.reports")


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
            await Message.update({Message.read_at: _day_of(datetime.now(UTC))}).where(
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


def _day_of(moment: datetime) -> datetime:
    """Only the day: the moment a pupil opened their answers, kept to the second, could be
    matched against a school network's log to find out who they are. Staff need only to
    know that an answer was read."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class SentReply:
    # The reply signals danger: show the pupil where to get help, now.
    crisis: bool


async def add_reply(report_id: int, body: str) -> SentReply:
    """Store the pupil's reply, then check it for danger; only bad input raises."""
    text = clean_text(body)
    if not text:
        raise ReportInvalid({"reply": N_("Please write a message.")})
    if len(text) > REPLY_MAX_CHARS:
        raise ReportInvalid({"reply": N_("This is too long. Please shorten it.")})
    now = datetime.now(UTC)
    async with write_transaction():
        # Stored as not yet checked: if the check below never completes, the job does it.
        message = Message(
            report=report_id, author="reporter", body=text, created_at=now, check_pending=True
        )
        await message.save()
        await Report.update({Report.updated_at: now}).where(Report.id == report_id)
    # Only now, with the reply safely stored, may anything that can fail run.
    checked = await check_reply(text)
    try:
        await _settle(report_id, message.id, checked)
    except Exception:
        # The pupil still sees where to get help; the message itself is kept, still pending.
        _log.exception("Could not record the check of a reply on report %s", report_id)
    return SentReply(crisis=checked.crisis)


async def recheck_pending_replies(now: datetime | None = None) -> int:
    """Check again the replies the model could not check when they came in.

    Crisis phrases alone decided for them then; this is the model's turn. Safe
    to run twice or in several processes at once: every change is conditional.
    Returns how many replies the model checked.
    """
    cutoff = (now or datetime.now(UTC)) - RECHECK_AFTER
    rows = (
        await Message.select(Message.id, Message.report, Message.body)
        .where(
            Message.check_pending.eq(True)
            & (Message.author == "reporter")
            & (Message.created_at < cutoff)
        )
        .order_by(Message.id)
        .limit(RECHECK_BATCH)
    )
    done = 0
    for row in rows:
        checked = await check_reply(row["body"])
        if not checked.by_model:
            break  # the model is still away: try again next time
        await _settle(row["report"], row["id"], checked)
        done += 1
    return done


async def _settle(report_id: int, message_id: int, checked: ReplyCheck) -> None:
    """Record a reply's check in one transaction: if any of it fails, the reply
    stays pending and the job tries again."""
    async with write_transaction():
        if checked.crisis:
            await _raise_for_crisis(report_id, message_id)
        if checked.by_model:
            await Message.update({Message.check_pending: False}).where(
                (Message.id == message_id) & Message.check_pending.eq(True)
            )


async def _raise_for_crisis(report_id: int, message_id: int) -> None:
    """Mark the reply, make the case critical, and reopen it if it was closed.

    Runs inside the caller's write transaction. Each UPDATE is conditional on
    the state it changes: the priority only ever goes up, and replies arriving
    at once (or a second run) change the case once. A reply raises its case
    once: when the job checks again a reply that crisis phrases already
    flagged, a case staff have closed since stays closed.
    """
    newly_marked = (
        await Message.update({Message.crisis: True})
        .where((Message.id == message_id) & Message.crisis.eq(False))
        .returning(Message.id)
    )
    if not newly_marked:
        return
    now = datetime.now(UTC)
    await Report.update({Report.priority: CRITICAL, Report.updated_at: now}).where(
        (Report.id == report_id) & (Report.priority != CRITICAL)
    )
    # A closed case is out of the psychologist's queue: danger brings it back for review.
    reopened = (
        await Report.update(
            {
                Report.status: IN_REVIEW,
                Report.outcome: "",
                Report.closed_at: None,
                Report.duplicate_of: None,
                Report.updated_at: now,
            }
        )
        .where((Report.id == report_id) & (Report.status == CLOSED))
        .returning(Report.id)
    )
    if reopened:
        # No staff member made this change: it has a reason instead of an author.
        await StatusChange(
            report=report_id,
            from_status=CLOSED,
            to_status=IN_REVIEW,
            changed_by=None,
            reason=DANGEROUS_REPLY,
        ).save()


async def add_evidence(report_id: int, files: list[bytes]) -> int:
    errors: dict[str, str] = {}
    if not any(files):
        raise ReportInvalid({"evidence": N_("Please choose a picture to attach.")})
    # Pictures count towards the daily budget of the report's school.
    report = await Report.select(Report.school).where(Report.id == report_id).first()
    assert report is not None  # the receipt opened it
    images = await clean_evidence(files, errors, report["school"])
    if errors:
        raise ReportInvalid(errors)
    async with write_transaction():
        for picture in evidence_rows(report_id, images, "follow_up"):
            await picture.as_query()
        await Report.update({Report.updated_at: datetime.now(UTC)}).where(Report.id == report_id)
    return len(images)
