"""Write, check and read the audit log.

Each entry's hash is `sha256(prev_hash + canonical JSON of what it says)`, the
first entry following GENESIS. Editing an entry changes its hash; deleting or
moving one breaks the link of the entry after it. `verify()` walks the chain
and names the first entry where it breaks.

Appends are serialised so that the chain never forks: on SQLite every write
transaction is already one at a time (also across processes: they start
IMMEDIATE); on PostgreSQL the transaction first takes an advisory lock, held
until it commits. The unique `prev_hash` column refuses a fork in any case.

A chain only proves that nobody edited the log without recomputing every hash
after the edit, and it cannot tell that the newest entries were cut off: keep
the hash `school-safety audit verify` prints somewhere else now and then, and
compare.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from school_safety.audit.tables import AuditEntry
from school_safety.db.engine import is_sqlite, write_transaction
from school_safety.i18n import N_
from school_safety.reports.receipts import normalise_case_code
from school_safety.reports.tables import Report
from school_safety.staff.roles import ADMIN, REGION, StaffUser

GENESIS: Final = "0" * 64
# Names this module's PostgreSQL advisory lock (db.migrate uses 727_184_001).
ADVISORY_LOCK_KEY: Final = 727_184_002
# The role recorded for work done by the application itself (the retention job).
SYSTEM: Final = "system"
DETAIL_LIMIT: Final = 500
PAGE_SIZE: Final = 200
# Bump only with a new way of hashing; verify() would need to know both.
HASH_VERSION: Final = 1
_VERIFY_BATCH = 1000

ACTION: Final = re.compile(r"[a-z]+(\.[a-z_]+)+")
# A filter for a whole group of actions: "case.*", "admin.*".
ACTION_GROUP: Final = re.compile(r"([a-z]+)\.\*")

ACTION_NAMES: Final[dict[str, str]] = {
    "case.view": N_("Opened the case"),
    "case.status": N_("Changed the status"),
    "case.message": N_("Wrote to the reporter"),
    "case.labels": N_("Reviewed the labels"),
    "case.note": N_("Added a note"),
    "case.link": N_("Linked cases"),
    "case.evidence": N_("Opened evidence"),
    "admin.region_create": N_("Created a region"),
    "admin.region_edit": N_("Changed a region"),
    "admin.school_create": N_("Created a school"),
    "admin.school_edit": N_("Changed a school"),
    "admin.account_create": N_("Created a staff account"),
    "admin.account_edit": N_("Changed a staff account"),
    "admin.password_reset": N_("Reset a password"),
    "admin.assign": N_("Assigned schools"),
    "admin.unassign": N_("Removed a school from an account"),
    "admin.policies": N_("Changed the sign-in rules"),
    "admin.import": N_("Imported a CSV file"),
}
ACTION_GROUPS: Final[dict[str, str]] = {
    "case.*": N_("Any case action"),
    "admin.*": N_("Any administration action"),
}


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    # Entries checked: all of them when ok, those before the broken one otherwise.
    count: int
    broken_id: int | None = None
    problem: str = ""
    # The hash of the last intact entry (GENESIS for an empty log).
    last_hash: str = GENESIS


@dataclass(frozen=True)
class AuditRecord:
    """An entry as the audit page shows it."""

    id: int
    at: datetime
    actor_username: str
    actor_role: str
    action: str
    case_code: str
    school_code: str | None
    region_id: int | None
    detail: str


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def canonical(fields: dict[str, Any]) -> str:
    """What an entry says, as text that is the same on every engine and every run."""
    return json.dumps(
        {
            "v": HASH_VERSION,
            "at": _utc(fields["at"]).isoformat(timespec="microseconds"),
            "actor_username": fields["actor_username"],
            "actor_role": fields["actor_role"],
            "action": fields["action"],
            "case_code": fields["case_code"],
            "detail": fields["detail"],
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(fields)).encode("utf-8")).hexdigest()


def _clean_detail(detail: str) -> str:
    # PostgreSQL refuses NUL in text; other control characters only hide things.
    cleaned = "".join(ch if ch.isprintable() else " " for ch in detail)
    return cleaned.strip()[:DETAIL_LIMIT]


async def record(
    actor: StaffUser | None, action: str, *, report_id: int | None = None, detail: str = ""
) -> None:
    """Append an entry, in a write transaction of its own.

    Call it after the change it describes has committed (a view: when the page
    is shown). `detail` is short and never the report's text nor anything that
    identifies a pupil; it is cut to DETAIL_LIMIT characters.
    """
    if len(action) > 32 or not ACTION.fullmatch(action):
        raise ValueError(f"not an audit action: {action!r}")
    fields: dict[str, Any] = {
        "actor": actor.id if actor else None,
        "actor_username": actor.username if actor else "",
        "actor_role": actor.role if actor else SYSTEM,
        "action": action,
        "report": None,
        "case_code": "",
        "school": None,
        "region": None,
        "detail": _clean_detail(detail),
    }
    if report_id is not None:
        found = (
            await Report.select(Report.id, Report.case_code, Report.school, Report.school.region)
            .where(Report.id == report_id)
            .first()
        )
        # A report already deleted is recorded by nothing but the action.
        if found is not None:
            fields.update(
                report=found["id"],
                case_code=found["case_code"],
                school=found["school"],
                region=found["school.region"],
            )
    async with write_transaction():
        if not is_sqlite():
            await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", ADVISORY_LOCK_KEY)
        last = (
            await AuditEntry.select(AuditEntry.entry_hash)
            .order_by(AuditEntry.id, ascending=False)
            .first()
        )
        prev_hash = last["entry_hash"] if last else GENESIS
        # Taken under the lock, so that time never runs backwards along the chain.
        fields["at"] = datetime.now(UTC)
        await AuditEntry(
            **fields, prev_hash=prev_hash, entry_hash=entry_hash(prev_hash, fields)
        ).save()


async def verify() -> VerifyResult:
    """Walk the chain in id order and report the first entry that breaks it."""
    expected_prev = GENESIS
    count = 0
    after = 0
    while True:
        rows = (
            await AuditEntry.select(
                AuditEntry.id,
                AuditEntry.at,
                AuditEntry.actor_username,
                AuditEntry.actor_role,
                AuditEntry.action,
                AuditEntry.case_code,
                AuditEntry.detail,
                AuditEntry.prev_hash,
                AuditEntry.entry_hash,
            )
            .where(AuditEntry.id > after)
            .order_by(AuditEntry.id)
            .limit(_VERIFY_BATCH)
        )
        for row in rows:
            if row["prev_hash"] != expected_prev:
                problem = (
                    "the first entry does not start the chain"
                    if count == 0
                    else "does not follow the entry before it (one deleted or moved?)"
                )
                return VerifyResult(False, count, row["id"], problem, expected_prev)
            if entry_hash(expected_prev, row) != row["entry_hash"]:
                return VerifyResult(
                    False, count, row["id"], "its content does not match its hash", expected_prev
                )
            expected_prev = row["entry_hash"]
            count += 1
        if len(rows) < _VERIFY_BATCH:
            return VerifyResult(True, count, last_hash=expected_prev)
        after = rows[-1]["id"]


def _action_condition(action: str) -> Any | None:
    """The WHERE clause for an action filter; None for one that matches nothing."""
    group = ACTION_GROUP.fullmatch(action)
    if group:
        return AuditEntry.action.like(f"{group.group(1)}.%")
    if len(action) <= 32 and ACTION.fullmatch(action):
        return AuditEntry.action == action
    return None


async def entries_for(
    user: StaffUser,
    *,
    limit: int = PAGE_SIZE,
    case_code: str | None = None,
    action: str | None = None,
    before_id: int | None = None,
) -> list[AuditRecord]:
    """Entries the user may read, newest first.

    An administrator reads all of them; a region account those of its region's
    schools; nobody else any. `case_code` and `action` (exact, or a group such
    as "case.*") narrow them down; `before_id` pages back to older entries.
    """
    condition: Any = AuditEntry.id > 0
    if user.role == REGION and user.region_id is not None:
        condition = AuditEntry.region == user.region_id
    elif user.role != ADMIN:
        return []
    if case_code:
        code = normalise_case_code(case_code)
        if code is None:
            return []
        condition &= AuditEntry.case_code == code
    if action:
        matching = _action_condition(action)
        if matching is None:
            return []
        condition &= matching
    if before_id is not None:
        condition &= AuditEntry.id < before_id
    rows = (
        await AuditEntry.select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.actor_username,
            AuditEntry.actor_role,
            AuditEntry.action,
            AuditEntry.case_code,
            AuditEntry.school.code.as_alias("school_code"),
            AuditEntry.region,
            AuditEntry.detail,
        )
        .where(condition)
        .order_by(AuditEntry.id, ascending=False)
        .limit(max(1, limit))
    )
    return [
        AuditRecord(
            id=row["id"],
            at=_utc(row["at"]),
            actor_username=row["actor_username"],
            actor_role=row["actor_role"],
            action=row["action"],
            case_code=row["case_code"],
            school_code=row["school_code"],
            region_id=row["region"],
            detail=row["detail"],
        )
        for row in rows
    ]
