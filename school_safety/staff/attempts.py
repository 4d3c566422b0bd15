"""How many tries at a password or a code an account has left, kept in the database.

Every process counts the same rows. Every try is counted before it is
checked, never after: checking a password takes tens of milliseconds, and
tries sent at the same moment would otherwise all be checked before any of
them was counted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from piccolo.custom_types import Combinable

from school_safety.db.engine import write_transaction
from school_safety.staff.tables import LoginFailure

# Per account, across every process: enough for typos, too few for guessing.
FAILURES_ALLOWED = 5
FAILURE_WINDOW = timedelta(minutes=15)

# What is being tried. Wrong codes are counted apart from wrong passwords, so
# that signing in again with the password gives no new tries at the code.
PASSWORD: Final = "password"  # noqa: S105 - the name of a kind of attempt
TOTP_CODE: Final = "totp"


async def begin(username: str, kind: str) -> int | None:
    """Count a try; its id (a failure until `succeeded`), or None when no try is left.

    The row is committed before anything is counted, so of the tries made at
    the same moment each counts every try committed before its own: at most
    FAILURES_ALLOWED of them see room left.
    """
    attempt = LoginFailure(username=username, kind=kind)
    async with write_transaction():
        await attempt.save()
    if await recent(username, kind) > FAILURES_ALLOWED:
        # A refused try is not a guess, and keeping it would let a flood grow the table.
        await _remove(LoginFailure.id == attempt.id)
        return None
    return int(attempt.id)


async def recent(username: str, kind: str) -> int:
    """Tries within the window that failed or are still being checked."""
    since = datetime.now(UTC) - FAILURE_WINDOW
    return await LoginFailure.count().where(
        (LoginFailure.username == username)
        & (LoginFailure.kind == kind)
        & (LoginFailure.at > since)
    )


async def succeeded(attempt_id: int) -> None:
    """The try was right: it was not a failure."""
    await _remove(LoginFailure.id == attempt_id)


async def forgive(username: str, kind: str) -> None:
    """A right password or code wipes the slate: the typos before it no longer count."""
    await _remove((LoginFailure.username == username) & (LoginFailure.kind == kind))


async def _remove(condition: Combinable) -> None:
    async with write_transaction():
        await LoginFailure.delete().where(condition)


async def forget_old_failures(now: datetime | None = None) -> int:
    """Delete failures older than the window, which no longer count; how many went.

    Each wrong sign-in, even for a name that does not exist, leaves a row.
    """
    since = (now or datetime.now(UTC)) - FAILURE_WINDOW
    async with write_transaction():
        gone = await LoginFailure.delete().where(LoginFailure.at < since).returning(LoginFailure.id)
    return len(gone)
