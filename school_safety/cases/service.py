"""Reading and acting on one case: the view, messages, notes, status, labels, links.

Every function takes a report id that the caller already resolved within the
user's scope (cases.scope.report_id_in_scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from school_safety.cases.deadlines import first_response_due
from school_safety.cases.lifecycle import (
    CLOSED,
    DUPLICATE,
    IN_REVIEW,
    NEW,
    StatusRequest,
    refusal,
)
from school_safety.cases.scope import report_id_in_scope, scope_condition, visible_school_ids
from school_safety.cases.tables import CaseLink, CaseNote, StatusChange
from school_safety.classifier.review import LabelEvidence, evidence_for, record_review
from school_safety.classifier.tables import LabelReview
from school_safety.db.engine import write_transaction
from school_safety.i18n import N_
from school_safety.reports.tables import Evidence, Message, Report
from school_safety.schools.service import localised
from school_safety.staff.roles import ADMIN, PSYCHOLOGIST, StaffUser
from school_safety.text import clean_text

MESSAGE_MAX = 5000
NOTE_MAX = 5000


@dataclass(frozen=True)
class CaseMessage:
    from_staff: bool
    author: str
    body: str
    created_at: datetime
    unread_by_pupil: bool
    new_for_staff: bool
    # A pupil's reply that signals danger: it raised the case to critical.
    crisis: bool


@dataclass(frozen=True)
class CaseView:
    id: int
    case_code: str
    status: str
    priority: str
    classification: str
    text: str
    quick_choices: list[str]
    location: str
    location_detail: str
    happened: str
    people_involved: str
    reporter_role: str
    signed_name: str
    signed_contact: str
    language: str
    channel: str
    school_name: str
    school_code: str
    created_at: datetime
    due_at: datetime
    first_response_at: datetime | None
    outcome: str
    closing_message: str
    duplicate_of: str | None
    model_version: str
    crisis_phrases: str
    evidence: list[dict[str, Any]]
    messages: list[CaseMessage]
    notes: list[dict[str, Any]]
    links: list[dict[str, Any]]
    history: list[dict[str, Any]]
    labels: list[LabelEvidence]
    reviewed_labels: list[str] | None

    @property
    def crisis_replies(self) -> int:
        """How many of the pupil's replies signalled danger."""
        return sum(message.crisis for message in self.messages)


# Who handles a case and answers the pupil on it.
HANDLERS = (PSYCHOLOGIST, ADMIN)


async def load_case(report_id: int, user: StaffUser) -> CaseView:
    """The whole case as `user` sees it.

    A pupil's new messages count as read from now only when `user` can answer
    them: an officer or a region account looking in must not clear the badge
    that tells the psychologist a reply is waiting.
    """
    row = (
        await Report.select(
            *Report.all_columns(),
            Report.school.name_kk,
            Report.school.name_ru,
            Report.school.name_en,
            Report.school.code,
        )
        .where(Report.id == report_id)
        .first()
    )
    if row is None:
        raise LookupError(report_id)
    messages = (
        await Message.select(
            Message.author,
            Message.body,
            Message.created_at,
            Message.read_at,
            Message.crisis,
            Message.staff_account.display_name,
        )
        .where(Message.report == report_id)
        .order_by(Message.created_at)
        .order_by(Message.id)
    )
    new_from_pupil = any(m["author"] == "reporter" and m["read_at"] is None for m in messages)
    if new_from_pupil and user.role in HANDLERS:
        async with write_transaction():
            await Message.update({Message.read_at: datetime.now(UTC)}).where(
                (Message.report == report_id)
                & (Message.author == "reporter")
                & Message.read_at.is_null()
            )
    review = (
        await LabelReview.select(LabelReview.labels)
        .where(LabelReview.report == report_id)
        .order_by(LabelReview.id, ascending=False)
        .first()
    )
    return CaseView(
        id=row["id"],
        case_code=row["case_code"],
        status=row["status"],
        priority=row["priority"],
        classification=row["classification"],
        text=row["text"],
        quick_choices=[c for c in row["quick_choices"].split(",") if c],
        location=row["location"],
        location_detail=row["location_detail"],
        happened=row["happened"],
        people_involved=row["people_involved"],
        reporter_role=row["reporter_role"],
        signed_name=row["signed_name"],
        signed_contact=row["signed_contact"],
        language=row["language"],
        channel=row["channel"],
        school_name=localised(row, "school.name"),
        school_code=row["school.code"],
        created_at=row["created_at"],
        due_at=first_response_due(row["priority"], row["created_at"]),
        first_response_at=row["first_response_at"],
        outcome=row["outcome"],
        closing_message=row["closing_message"],
        duplicate_of=await _visible_case_code(row["duplicate_of"], user),
        model_version=row["model_version"],
        crisis_phrases=row["crisis_phrases"],
        evidence=await Evidence.select(
            Evidence.id, Evidence.content_type, Evidence.width, Evidence.height, Evidence.added_with
        )
        .where(Evidence.report == report_id)
        .order_by(Evidence.id),
        messages=[
            CaseMessage(
                from_staff=m["author"] == "staff",
                author=m["staff_account.display_name"] or "",
                body=m["body"],
                created_at=m["created_at"],
                unread_by_pupil=m["author"] == "staff" and m["read_at"] is None,
                new_for_staff=m["author"] == "reporter" and m["read_at"] is None,
                crisis=bool(m["crisis"]),  # only a pupil's reply is ever marked
            )
            for m in messages
        ],
        notes=await CaseNote.select(
            CaseNote.body, CaseNote.created_at, CaseNote.author.display_name
        )
        .where(CaseNote.report == report_id)
        .order_by(CaseNote.id),
        links=await linked_cases(report_id, user),
        history=await StatusChange.select(
            StatusChange.from_status,
            StatusChange.to_status,
            StatusChange.outcome,
            StatusChange.reason,
            StatusChange.changed_at,
            StatusChange.changed_by.display_name,
        )
        .where(StatusChange.report == report_id)
        .order_by(StatusChange.id),
        labels=await evidence_for(report_id),
        reviewed_labels=[x for x in review["labels"].split(";") if x] if review else None,
    )


async def _visible_case_code(report_id: int | None, user: StaffUser) -> str | None:
    """The case's code if `user` may see that case: whoever marked a duplicate may have
    seen further (a region account), and a code is a fact about another school."""
    if report_id is None:
        return None
    visible = scope_condition(await visible_school_ids(user), user)
    row = await Report.select(Report.case_code).where((Report.id == report_id) & visible).first()
    return row["case_code"] if row else None


async def linked_cases(report_id: int, user: StaffUser) -> list[dict[str, Any]]:
    """The cases linked to this one that `user` may see; a link does not widen anyone's scope."""
    rows = await CaseLink.select(CaseLink.first, CaseLink.second).where(
        (CaseLink.first == report_id) | (CaseLink.second == report_id)
    )
    others = [row["second"] if row["first"] == report_id else row["first"] for row in rows]
    if not others:
        return []
    visible = scope_condition(await visible_school_ids(user), user)
    return list(
        await Report.select(Report.case_code, Report.status)
        .where(Report.id.is_in(others) & visible)
        .order_by(Report.id)
    )


async def _move(
    report_id: int, current: str, target: str, user: StaffUser, outcome: str = ""
) -> None:
    """Record a status change made inside the caller's write transaction."""
    await StatusChange(
        report=report_id, from_status=current, to_status=target, outcome=outcome, changed_by=user.id
    ).save()


async def send_message(user: StaffUser, report_id: int, body: str) -> dict[str, str]:
    text = clean_text(body)
    if not text:
        return {"message": N_("The message is empty.")}
    if len(text) > MESSAGE_MAX:
        return {"message": N_("The text is too long.")}
    now = datetime.now(UTC)
    async with write_transaction():
        await Message(
            report=report_id, author="staff", staff_account=user.id, body=text, created_at=now
        ).save()
        await Report.update({Report.updated_at: now}).where(Report.id == report_id)
        # Answering a new case is taking it into review. Conditional on the status
        # at the moment of writing, not as read before: on PostgreSQL a colleague
        # may close the case in between, and it must stay closed.
        taken = (
            await Report.update({Report.status: IN_REVIEW})
            .where((Report.id == report_id) & (Report.status == NEW))
            .returning(Report.id)
        )
        if taken:
            await _move(report_id, NEW, IN_REVIEW, user)
        await Report.update({Report.first_response_at: now}).where(
            (Report.id == report_id) & Report.first_response_at.is_null()
        )
    return {}


async def add_note(user: StaffUser, report_id: int, body: str) -> dict[str, str]:
    text = clean_text(body)
    if not text:
        return {"note": N_("The note is empty.")}
    if len(text) > NOTE_MAX:
        return {"note": N_("The text is too long.")}
    async with write_transaction():
        await CaseNote(report=report_id, author=user.id, body=text).save()
    return {}


async def change_status(
    user: StaffUser,
    report_id: int,
    target: str,
    outcome: str = "",
    closing_message: str = "",
    duplicate_code: str = "",
) -> dict[str, str]:
    row = await Report.select(Report.status).where(Report.id == report_id).first()
    if row is None:
        raise LookupError(report_id)
    duplicate_of_id = None
    if target == CLOSED and outcome == DUPLICATE and duplicate_code.strip():
        duplicate_of_id = await report_id_in_scope(user, duplicate_code)
        if duplicate_of_id is None or duplicate_of_id == report_id:
            return {"duplicate_of": N_("No other case with this code is in your schools.")}
    message = clean_text(closing_message)
    errors = refusal(
        StatusRequest(
            current=row["status"],
            target=target,
            outcome=outcome,
            closing_message=message,
            duplicate_of_id=duplicate_of_id,
        )
    )
    if errors:
        return errors
    now = datetime.now(UTC)
    values: dict[Any, Any] = {Report.status: target, Report.updated_at: now}
    if target == CLOSED:
        values.update(
            {
                Report.outcome: outcome,
                Report.closing_message: message,
                Report.duplicate_of: duplicate_of_id,
                Report.closed_at: now,
            }
        )
    else:
        values.update({Report.outcome: "", Report.closed_at: None, Report.duplicate_of: None})
    async with write_transaction():
        # Conditional on the status read above: two staff members acting at once
        # cannot both move the case from the same state.
        changed = (
            await Report.update(values)
            .where((Report.id == report_id) & (Report.status == row["status"]))
            .returning(Report.id)
        )
        if not changed:
            return {"status": N_("Someone else changed this case just now. Reload and try again.")}
        await _move(report_id, row["status"], target, user, outcome if target == CLOSED else "")
        if target == CLOSED and message:
            # The closing message reaches the pupil like any other message.
            await Message(
                report=report_id,
                author="staff",
                staff_account=user.id,
                body=message,
                created_at=now,
            ).save()
        await Report.update({Report.first_response_at: now}).where(
            (Report.id == report_id) & Report.first_response_at.is_null()
        )
    return {}


async def review_labels(user: StaffUser, report_id: int, labels: list[str]) -> dict[str, str]:
    try:
        await record_review(report_id, labels, reviewer_id=user.id)
    except ValueError:
        return {"labels": N_("Choose labels from the list.")}
    return {}


async def link_cases(user: StaffUser, report_id: int, other_code: str) -> dict[str, str]:
    other_id = await report_id_in_scope(user, other_code)
    if other_id is None or other_id == report_id:
        return {"link": N_("No other case with this code is in your schools.")}
    first, second = sorted((report_id, other_id))
    async with write_transaction():
        exists = await CaseLink.exists().where(
            (CaseLink.first == first) & (CaseLink.second == second)
        )
        if not exists:
            await CaseLink(first=first, second=second, created_by=user.id).save()
    return {}
