"""What a session may skip, how long it lasts, and how often a live one may guess the password."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pyotp
from litestar.testing import AsyncTestClient

from school_safety.config import get_settings
from school_safety.db.engine import write_transaction
from school_safety.staff import attempts, auth
from school_safety.staff.tables import RolePolicy, StaffAccount, StaffSession
from tests import support

RIGHT = "correct horse battery staple"


async def test_a_role_policy_set_later_asks_signed_in_sessions_for_a_code(client, schools):
    await support.make_staff("aigerim", "psychologist", ("AST-001",))
    assert (await support.sign_in(client, "aigerim")).headers["location"] == "/staff/"
    assert (await client.get("/staff/account")).status_code == 200
    async with write_transaction():
        await RolePolicy(role="psychologist", require_totp=True).save()
    asked = await client.get("/staff/account", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/staff/2fa"


async def test_a_new_role_that_requires_a_code_asks_signed_in_sessions(client, schools):
    account_id = await support.make_staff("aigerim", "psychologist", ("AST-001",))
    async with write_transaction():
        await RolePolicy(role="officer", require_totp=True).save()
    await support.sign_in(client, "aigerim")
    assert (await client.get("/staff/account")).status_code == 200
    async with write_transaction():
        await StaffAccount.update({StaffAccount.role: "officer"}).where(
            StaffAccount.id == account_id
        )
    asked = await client.get("/staff/account", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/staff/2fa"


async def test_enrolling_a_code_signs_out_other_browsers(client, schools):
    from school_safety.app import create_app

    await support.make_staff("aigerim", "psychologist", ("AST-001",))
    await support.sign_in(client, "aigerim")
    async with AsyncTestClient(app=create_app(), base_url="http://127.0.0.1:8000") as other:
        await support.sign_in(other, "aigerim")
        assert (await other.get("/staff/account")).status_code == 200
        page = await client.get("/staff/2fa?enrol=1")
        secret = page.text.split('data-testid="totp-secret">')[1].split("<")[0]
        enrolled = await client.post(
            "/staff/2fa",
            data={
                "_csrf_token": support.csrf_token_from(page.text),
                "secret": secret,
                "code": pyotp.TOTP(secret).now(),
            },
            follow_redirects=False,
        )
        assert enrolled.status_code == 303
        assert (await client.get("/staff/account")).status_code == 200
        gone = await other.get("/staff/account", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"].startswith("/staff/login")
    assert await StaffSession.count() == 1


async def test_a_busy_session_still_ends_after_its_lifetime(client, schools):
    await support.make_staff("aigerim", "psychologist")
    await support.sign_in(client, "aigerim")
    lifetime = timedelta(hours=get_settings().staff_session_hours)

    async def began(ago: timedelta) -> None:
        # Seen a moment ago, as a queue tab that refreshes itself is.
        now = datetime.now(UTC)
        async with write_transaction():
            await StaffSession.update(
                {StaffSession.created_at: now - ago, StaffSession.last_seen_at: now}
            ).where(StaffSession.id > 0)

    await began(lifetime - timedelta(minutes=5))
    assert (await client.get("/staff/account")).status_code == 200
    await began(lifetime + timedelta(minutes=1))
    over = await client.get("/staff/account", follow_redirects=False)
    assert over.status_code == 303 and over.headers["location"].startswith("/staff/login")
    assert await StaffSession.count() == 0


async def change_password(client, current: str):
    page = await client.get("/staff/password")
    return await client.post(
        "/staff/password",
        data={
            "_csrf_token": support.csrf_token_from(page.text),
            "current": current,
            "new": "a much longer passphrase 2026",
        },
        follow_redirects=False,
    )


async def test_a_signed_in_browser_cannot_guess_the_password_without_limit(client, schools):
    await support.make_staff("aigerim", "psychologist")
    await support.sign_in(client, "aigerim")
    for n in range(attempts.FAILURES_ALLOWED):
        assert (await change_password(client, f"guess {n}")).status_code == 422
    refused = await change_password(client, RIGHT)
    assert refused.status_code == 429
    assert support.in_language("kk", auth.TOO_MANY_FAILURES) in refused.text
    # The guesses count with the sign-in failures: signing in is refused too.
    from school_safety.app import create_app

    async with AsyncTestClient(app=create_app(), base_url="http://127.0.0.1:8000") as other:
        assert (await support.sign_in(other, "aigerim")).status_code == 429


async def test_password_guesses_sent_at_the_same_moment_stay_within_the_limit(schools):
    account_id = await support.make_staff("aigerim", "psychologist")
    new = "a long new passphrase"
    problems = await asyncio.gather(
        *(auth.change_password(account_id, f"guess {n}", new) for n in range(30))
    )
    checked = problems.count(auth.WRONG_CURRENT_PASSWORD)
    # Tries refused at the same moment may briefly count too, leaving tries for later.
    for _ in range(attempts.FAILURES_ALLOWED):
        if await auth.change_password(account_id, "later guess", new) == auth.TOO_MANY_FAILURES:
            break
        checked += 1
    assert checked == attempts.FAILURES_ALLOWED
    assert await auth.change_password(account_id, RIGHT, new) == auth.TOO_MANY_FAILURES
