"""Signed-in staff sessions, kept in the database so that every worker process sees them.

The browser holds a random token in an HttpOnly, SameSite=Strict cookie; the
database holds only its hash. A session ends on logout, after a password
change or TOTP enrolment, after SESSION_IDLE_MINUTES without a request, and
in any case `staff_session_hours` (a setting) after it began.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from school_safety.config import get_settings
from school_safety.db.engine import write_transaction
from school_safety.schools.tables import School
from school_safety.staff.roles import SCHOOL_ROLES, StaffUser
from school_safety.staff.tables import RolePolicy, StaffSchool, StaffSession

COOKIE = "staff_session"
SESSION_IDLE_MINUTES = 30
# Writing last_seen on every request would make every page a write.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(account_id: int, totp_passed: bool = False) -> str:
    """A new session. `totp_passed` says a code was verified for it, not that none was needed."""
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        await StaffSession(
            token_hash=_hash(token), account=account_id, totp_passed=totp_passed
        ).save()
    return token


async def end_session(token: str) -> None:
    async with write_transaction():
        await StaffSession.delete().where(StaffSession.token_hash == _hash(token))


async def end_all_sessions(account_id: int, keep_token: str | None = None) -> None:
    condition: Any = StaffSession.account == account_id
    if keep_token:
        condition &= StaffSession.token_hash != _hash(keep_token)
    async with write_transaction():
        await StaffSession.delete().where(condition)


async def end_expired_sessions(now: datetime | None = None) -> int:
    """Delete sessions past their idle timeout or their lifetime; how many went.

    A session is also refused when it is next used (user_for_token), but one
    never used again would otherwise stay in the table for ever.
    """
    now = now or datetime.now(UTC)
    idle_since = now - timedelta(minutes=SESSION_IDLE_MINUTES)
    began_before = now - timedelta(hours=get_settings().staff_session_hours)
    async with write_transaction():
        gone = (
            await StaffSession.delete()
            .where(
                (StaffSession.last_seen_at < idle_since) | (StaffSession.created_at < began_before)
            )
            .returning(StaffSession.id)
        )
    return len(gone)


async def mark_totp_passed(token: str) -> None:
    async with write_transaction():
        await StaffSession.update({StaffSession.totp_passed: True}).where(
            StaffSession.token_hash == _hash(token)
        )


async def user_for_token(token: str | None) -> tuple[StaffUser, bool] | None:
    """The signed-in user and whether this session verified a code; None if no live session."""
    if not token:
        return None
    row = (
        await StaffSession.select(
            StaffSession.id,
            StaffSession.created_at,
            StaffSession.last_seen_at,
            StaffSession.totp_passed,
            StaffSession.account.id,
            StaffSession.account.username,
            StaffSession.account.display_name,
            StaffSession.account.role,
            StaffSession.account.region,
            StaffSession.account.active,
            StaffSession.account.must_change_password,
            StaffSession.account.totp_enabled,
        )
        .where(StaffSession.token_hash == _hash(token))
        .first()
    )
    if row is None or not row["account.active"]:
        return None
    now = datetime.now(UTC)
    last_seen, began = _aware(row["last_seen_at"]), _aware(row["created_at"])
    idle = now - last_seen > timedelta(minutes=SESSION_IDLE_MINUTES)
    if idle or now - began > timedelta(hours=get_settings().staff_session_hours):
        async with write_transaction():
            await StaffSession.delete().where(StaffSession.id == row["id"])
        return None
    if now - last_seen > TOUCH_EVERY:
        async with write_transaction():
            await StaffSession.update({StaffSession.last_seen_at: now}).where(
                StaffSession.id == row["id"]
            )
    account_id = row["account.id"]
    role = row["account.role"]
    # Only what can matter is looked up: region and admin accounts have no schools
    # of their own, and once this session verified a code no policy can ask for more.
    schools = (
        await StaffSchool.select(StaffSchool.school).where(
            (StaffSchool.account == account_id) & (StaffSchool.school.active == True)  # noqa: E712
        )
        if role in SCHOOL_ROLES
        else []
    )
    verified = bool(row["totp_passed"])
    user = StaffUser(
        id=account_id,
        username=row["account.username"],
        display_name=row["account.display_name"],
        role=role,
        school_ids=frozenset(r["school"] for r in schools),
        region_id=row["account.region"],
        must_change_password=row["account.must_change_password"],
        totp_required=row["account.totp_enabled"]
        or (not verified and await role_requires_totp(role)),
    )
    return user, verified


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def role_requires_totp(role: str) -> bool:
    policy = await RolePolicy.select(RolePolicy.require_totp).where(RolePolicy.role == role).first()
    return bool(policy and policy["require_totp"])


async def school_ids_in_region(region_id: int) -> frozenset[int]:
    rows = await School.select(School.id).where(School.region == region_id)
    return frozenset(r["id"] for r in rows)
