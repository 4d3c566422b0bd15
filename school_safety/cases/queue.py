"""The psychologist's queue: cases in scope, most dangerous first, then oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.query import OrderByRaw
from piccolo.querystring import QueryString

from school_safety.cases.deadlines import first_response_due
from school_safety.cases.lifecycle import CLOSED, STATUS_NAMES
from school_safety.cases.scope import scope_condition
from school_safety.classifier.labels import LABELS
from school_safety.db.engine import contains_text
from school_safety.reports.tables import Message, Report
from school_safety.schools.service import localised
from school_safety.staff.roles import StaffUser

QUEUE_LIMIT = 200
PREVIEW_CHARS = 140
PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}
# Written out once for the database to sort by: critical, high, normal, low.
_BY_PRIORITY = OrderByRaw(
    "CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"
)


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"
    label: str = ""
    school_id: int | None = None
    period: str = ""
    search: str = ""


@dataclass(frozen=True)
class QueueRow:
    case_code: str
    priority: str
    status: str
    classification: str
    flags: list[str]
    school_name: str
    created_at: datetime
    due_at: datetime
    overdue: bool
    answered: bool
    unread: int
    # A pupil's reply on this case signals danger (why it is critical).
    reply_crisis: bool
    preview: str


def _condition(user: StaffUser, school_ids: frozenset[int] | None, filters: QueueFilters) -> Any:
    condition = scope_condition(school_ids, user)
    if filters.status == "open":
        condition &= Report.status != CLOSED
    elif filters.status in STATUS_NAMES:
        condition &= Report.status == filters.status
    if filters.label in LABELS:
        condition &= Report.flags.like(f"%{filters.label}%")
    if filters.school_id is not None and (school_ids is None or filters.school_id in school_ids):
        condition &= Report.school == filters.school_id
    if filters.period in PERIODS:
        since = datetime.now(UTC) - timedelta(days=PERIODS[filters.period])
        condition &= Report.created_at >= since
    search = filters.search.strip()[:100].translate({ord("%"): None, ord("_"): None})
    if search:
        condition &= contains_text(Report.case_code, search.upper()) | contains_text(
            Report.text, search
        )
    return condition


async def queue(
    user: StaffUser, filters: QueueFilters, school_ids: frozenset[int] | None
) -> list[QueueRow]:
    """The user's queue; `school_ids` is what visible_school_ids(user) gave."""
    rows = (
        await Report.select(
            Report.id,
            Report.case_code,
            Report.priority,
            Report.status,
            Report.classification,
            Report.flags,
            Report.school.name_kk,
            Report.school.name_ru,
            Report.school.name_en,
            Report.created_at,
            Report.first_response_at,
            # Only the start of each report: a queue of long reports stays light.
            QueryString(f"SUBSTR({{}}, 1, {PREVIEW_CHARS})", Report.text, alias="preview"),
        )
        .where(_condition(user, school_ids, filters))
        .order_by(_BY_PRIORITY)
        .order_by(Report.created_at)
        .limit(QUEUE_LIMIT)
    )
    unread, reply_crisis = await _pupil_messages_by_report([row["id"] for row in rows])
    now = datetime.now(UTC)
    result = []
    for row in rows:
        due = first_response_due(row["priority"], row["created_at"])
        answered = row["first_response_at"] is not None
        result.append(
            QueueRow(
                case_code=row["case_code"],
                priority=row["priority"],
                status=row["status"],
                classification=row["classification"],
                flags=[flag for flag in row["flags"].split(";") if flag],
                school_name=localised(row, "school.name"),
                created_at=row["created_at"],
                due_at=due,
                overdue=not answered and row["status"] != CLOSED and due < now,
                answered=answered,
                unread=unread.get(row["id"], 0),
                reply_crisis=row["id"] in reply_crisis,
                preview=row["preview"],
            )
        )
    return result


async def _pupil_messages_by_report(
    report_ids: list[int],
) -> tuple[dict[int, int], set[int]]:
    """Per report, the pupils' messages no staff member has opened yet; and the
    reports on which a pupil's reply signalled danger. One query for both."""
    if not report_ids:
        return {}, set()
    rows = await Message.select(Message.report, Message.read_at, Message.crisis).where(
        Message.report.is_in(report_ids)
        & (Message.author == "reporter")
        & (Message.read_at.is_null() | Message.crisis.eq(True))
    )
    counts: dict[int, int] = {}
    crisis: set[int] = set()
    for row in rows:
        if row["read_at"] is None:
            counts[row["report"]] = counts.get(row["report"], 0) + 1
        if row["crisis"]:
            crisis.add(row["report"])
    return counts, crisis
