"""Signing in: password (argon2), throttling of failures, the second factor (TOTP)."""

from __future__ import annotations

import binascii
import enum
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyotp
from piccolo.columns import Column

from school_safety.db.engine import write_transaction
from school_safety.i18n import N_
from school_safety.staff import attempts
from school_safety.staff.passwords import hash_password, hashed, matches, needs_rehash
from school_safety.staff.sessions import role_requires_totp
from school_safety.staff.tables import StaffAccount

PASSWORD_MIN_LENGTH = 12
TOTP_ISSUER = "school_safety"

TOO_MANY_FAILURES = N_("Too many failed attempts. Please wait 15 minutes and try again.")
WRONG_CREDENTIALS = N_("Wrong username or password.")
WRONG_CURRENT_PASSWORD = N_("The current password is wrong.")


@dataclass(frozen=True)
class SignIn:
    account_id: int | None
    error: str | None
    needs_totp: bool = False


async def check_password(username: str, password: str) -> SignIn:
    username = username.strip().lower()[:64]
    attempt = await attempts.begin(username, attempts.PASSWORD)
    if attempt is None:
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
        # The attempt's row stays: it is the failure.
        return SignIn(None, WRONG_CREDENTIALS)
    assert account is not None
    await attempts.forgive(username, attempts.PASSWORD)
    updates: dict[Column | str, Any] = {StaffAccount.last_login_at: datetime.now(UTC)}
    if needs_rehash(stored):
        updates[StaffAccount.password_hash] = await hashed(password)
    async with write_transaction():
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
    if account is None:
        return WRONG_CURRENT_PASSWORD
    # Someone who finds a signed-in browser must not get unlimited guesses at the
    # password here: the tries count with the account's sign-in failures.
    attempt = await attempts.begin(account["username"], attempts.PASSWORD)
    if attempt is None:
        return TOO_MANY_FAILURES
    if not await matches(account["password_hash"], current):
        return WRONG_CURRENT_PASSWORD
    await attempts.succeeded(attempt)
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


def totp_step(secret: str, code: str) -> int | None:
    """The time step whose code this is, near enough to now; None if it is none of them."""
    code = "".join(ch for ch in code if ch.isdigit())
    if not secret or len(code) != 6:
        return None
    try:
        totp = pyotp.TOTP(secret)
        now = totp.timecode(datetime.now(UTC))
        # One step either way forgives a phone clock that is a little off.
        for step in (now + 1, now, now - 1):
            if hmac.compare_digest(totp.generate_otp(step), code):
                return step
    except (binascii.Error, ValueError):
        # Not base32, or too short for pyotp: no code can match it.
        return None
    return None


async def enrol_totp(account_id: int, secret: str, code: str) -> bool:
    step = totp_step(secret, code) if is_totp_secret(secret) else None
    if step is None:
        return False
    async with write_transaction():
        # Only an account without a secret enrols: a second form sent at the same
        # moment cannot replace the secret the first one stored.
        enrolled = (
            await StaffAccount.update(
                {
                    StaffAccount.totp_secret: secret,
                    StaffAccount.totp_enabled: True,
                    StaffAccount.totp_last_step: step,
                }
            )
            .where((StaffAccount.id == account_id) & (StaffAccount.totp_enabled == False))  # noqa: E712
            .returning(StaffAccount.id)
        )
    return bool(enrolled)


class SecondStep(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    # No tries left: the half-signed-in session is over.
    LOCKED_OUT = "locked out"


async def check_totp(account_id: int, code: str) -> SecondStep:
    """Check a code from the account's enrolled app: right, once, and within the tries left."""
    account = (
        await StaffAccount.select(
            StaffAccount.username, StaffAccount.totp_secret, StaffAccount.totp_enabled
        )
        .where(StaffAccount.id == account_id)
        .first()
    )
    if account is None or not account["totp_enabled"]:
        return SecondStep.WRONG
    username = account["username"]
    attempt = await attempts.begin(username, attempts.TOTP_CODE)
    if attempt is None:
        return SecondStep.LOCKED_OUT
    step = totp_step(account["totp_secret"], code)
    if step is not None and await _use_step(account_id, step):
        await attempts.forgive(username, attempts.TOTP_CODE)
        return SecondStep.ACCEPTED
    # A code already used counts as wrong: it is what a replay looks like.
    if await attempts.recent(username, attempts.TOTP_CODE) >= attempts.FAILURES_ALLOWED:
        return SecondStep.LOCKED_OUT
    return SecondStep.WRONG


async def _use_step(account_id: int, step: int) -> bool:
    """Claim the code's step; False if it, or a later one, was used already.

    One conditional statement: of two browsers sending the same code at the
    same moment, only one changes the row.
    """
    async with write_transaction():
        claimed = (
            await StaffAccount.update({StaffAccount.totp_last_step: step})
            .where((StaffAccount.id == account_id) & (StaffAccount.totp_last_step < step))
            .returning(StaffAccount.id)
        )
    return bool(claimed)


async def totp_secret_of(account_id: int) -> tuple[str, bool]:
    row = (
        await StaffAccount.select(StaffAccount.totp_secret, StaffAccount.totp_enabled)
        .where(StaffAccount.id == account_id)
        .first()
    )
    return (row["totp_secret"], row["totp_enabled"]) if row else ("", False)
