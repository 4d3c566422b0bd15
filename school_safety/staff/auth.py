"""Signing in: password (argon2), throttling of failures, the second factor (TOTP)."""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
from piccolo.columns import Column

from school_safety.db.engine import write_transaction
from school_safety.i18n import N_
from school_safety.staff.passwords import hash_password, hashed, matches, needs_rehash
from school_safety.staff.sessions import role_requires_totp
from school_safety.staff.tables import LoginFailure, StaffAccount

# Per username, across every process: enough for typos, too few for guessing.
FAILURES_ALLOWED = 5
FAILURE_WINDOW = timedelta(minutes=15)
PASSWORD_MIN_LENGTH = 12
TOTP_ISSUER = "school_safety"

TOO_MANY_FAILURES = N_("Too many failed attempts. Please wait 15 minutes and try again.")
WRONG_CREDENTIALS = N_("Wrong username or password.")


@dataclass(frozen=True)
class SignIn:
    account_id: int | None
    error: str | None
    needs_totp: bool = False


async def _recent_failures(username: str) -> int:
    since = datetime.now(UTC) - FAILURE_WINDOW
    return await LoginFailure.count().where(
        (LoginFailure.username == username) & (LoginFailure.at > since)
    )


async def check_password(username: str, password: str) -> SignIn:
    username = username.strip().lower()[:64]
    if await _recent_failures(username) >= FAILURES_ALLOWED:
        return SignIn(None, TOO_MANY_FAILURES)
    account = (
        await StaffAccount.select(
            StaffAccount.id,
            StaffAccount.password_hash,
            StaffAccount.role,
            StaffAccount.active,
            StaffAccount.totp_enabled,
        )
        .where(StaffAccount.username == username)
        .first()
    )
    # Verify against a real hash even for unknown users, so timing tells nothing.
    stored = account["password_hash"] if account else _DUMMY_HASH
    valid = await matches(stored, password) and account is not None and account["active"]
    if not valid:
        async with write_transaction():
            await LoginFailure(username=username).save()
        return SignIn(None, WRONG_CREDENTIALS)
    assert account is not None
    updates: dict[Column | str, Any] = {StaffAccount.last_login_at: datetime.now(UTC)}
    if needs_rehash(stored):
        updates[StaffAccount.password_hash] = await hashed(password)
    async with write_transaction():
        await LoginFailure.delete().where(LoginFailure.username == username)
        await StaffAccount.update(updates).where(StaffAccount.id == account["id"])
    needs_totp = account["totp_enabled"] or await role_requires_totp(account["role"])
    return SignIn(account["id"], None, needs_totp=needs_totp)


_DUMMY_HASH = hash_password("a password nobody has")


def password_problem(password: str, username: str) -> str | None:
    """Why a new password is refused, as an untranslated message; None if it is fine."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return N_("The new password must have at least 12 characters.")
    if username.lower() in password.lower() or password.startswith("demo-"):
        return N_("The new password must not contain your username or be a demo password.")
    return None


async def change_password(account_id: int, current: str, new: str) -> str | None:
    """Change the password; returns an untranslated message when refused."""
    account = (
        await StaffAccount.select(StaffAccount.username, StaffAccount.password_hash)
        .where(StaffAccount.id == account_id)
        .first()
    )
    if account is None or not await matches(account["password_hash"], current):
        return N_("The current password is wrong.")
    problem = password_problem(new, account["username"])
    if problem:
        return problem
    if new == current:
        return N_("The new password must differ from the current one.")
    new_hash = await hashed(new)
    async with write_transaction():
        await StaffAccount.update(
            {
                StaffAccount.password_hash: new_hash,
                StaffAccount.must_change_password: False,
            }
        ).where(StaffAccount.id == account_id)
    return None


# What new_totp_secret gives: 32 base32 letters, 160 bits. The secret comes
# back from the enrolment form, so anything else is refused rather than stored.
_TOTP_SECRET = re.compile(r"[A-Z2-7]{32}")


def new_totp_secret() -> str:
    return pyotp.random_base32()


def is_totp_secret(secret: str) -> bool:
    return _TOTP_SECRET.fullmatch(secret) is not None


def totp_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def totp_matches(secret: str, code: str) -> bool:
    code = "".join(ch for ch in code if ch.isdigit())
    if not secret or len(code) != 6:
        return False
    try:
        # One step either way forgives a phone clock that is a little off.
        return bool(pyotp.TOTP(secret).verify(code, valid_window=1))
    except (binascii.Error, ValueError):
        # Not base32, or too short for pyotp: no code can match it.
        return False


async def enrol_totp(account_id: int, secret: str, code: str) -> bool:
    if not is_totp_secret(secret) or not totp_matches(secret, code):
        return False
    async with write_transaction():
        await StaffAccount.update(
            {StaffAccount.totp_secret: secret, StaffAccount.totp_enabled: True}
        ).where(StaffAccount.id == account_id)
    return True


async def totp_secret_of(account_id: int) -> tuple[str, bool]:
    row = (
        await StaffAccount.select(StaffAccount.totp_secret, StaffAccount.totp_enabled)
        .where(StaffAccount.id == account_id)
        .first()
    )
    return (row["totp_secret"], row["totp_enabled"]) if row else ("", False)
