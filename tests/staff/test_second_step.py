"""The TOTP second step: each code works once, and wrong codes run out."""

from __future__ import annotations

import asyncio

import pyotp
from litestar.testing import AsyncTestClient

from school_safety.db.engine import write_transaction
from school_safety.staff import attempts, auth
from school_safety.staff.sessions import COOKIE
from school_safety.staff.tables import LoginFailure, StaffAccount, StaffSession
from tests import support


async def officer_with_totp() -> tuple[int, str]:
    account_id = await support.make_staff("officer1", "officer", ("AST-001",))
    secret = auth.new_totp_secret()
    async with write_transaction():
        await StaffAccount.update(
            {StaffAccount.totp_secret: secret, StaffAccount.totp_enabled: True}
        ).where(StaffAccount.id == account_id)
    return account_id, secret


async def send_code(client, code: str):
    assert (await support.sign_in(client, "officer1")).headers["location"] == "/staff/2fa"
    token = await support.csrf_for(client, "/staff/2fa")
    return await client.post(
        "/staff/2fa", data={"_csrf_token": token, "code": code}, follow_redirects=False
    )


async def test_a_code_lets_in_one_browser_only(client, schools):
    from school_safety.app import create_app

    _account, secret = await officer_with_totp()
    code = pyotp.TOTP(secret).now()
    assert (await send_code(client, code)).status_code == 303
    assert (await client.get("/staff/account")).status_code == 200
    # Someone who saw the code over a shoulder tries it in a second browser.
    async with AsyncTestClient(app=create_app(), base_url="http://127.0.0.1:8000") as other:
        replayed = await send_code(other, code)
        assert replayed.status_code == 422
        blocked = await other.get("/staff/account", follow_redirects=False)
        assert blocked.headers["location"] == "/staff/2fa"


async def test_one_code_sent_at_the_same_moment_is_accepted_once(schools):
    account_id, secret = await officer_with_totp()
    code = pyotp.TOTP(secret).now()
    # Fewer browsers than the tries allowed, so that none is refused for that.
    outcomes = await asyncio.gather(*(auth.check_totp(account_id, code) for _ in range(4)))
    assert outcomes.count(auth.SecondStep.ACCEPTED) == 1


async def test_wrong_codes_run_out_and_end_the_half_signed_in_session(client, schools):
    _account, secret = await officer_with_totp()
    right = pyotp.TOTP(secret).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert (await send_code(client, wrong)).status_code == 422
    token = await support.csrf_for(client, "/staff/2fa")
    for _ in range(attempts.FAILURES_ALLOWED - 2):
        again = await client.post("/staff/2fa", data={"_csrf_token": token, "code": wrong})
        assert again.status_code == 422
    last = await client.post("/staff/2fa", data={"_csrf_token": token, "code": wrong})
    assert last.status_code == 429
    assert support.in_language("kk", auth.TOO_MANY_FAILURES) in last.text
    # This browser is signed out: it starts again from the password.
    assert not client.cookies.get(COOKIE)
    assert await StaffSession.count() == 0
    # The password again does not give new tries at the code, not even the right one.
    locked = await send_code(client, right)
    assert locked.status_code == 429
    assert await StaffSession.count() == 0


async def test_wrong_codes_sent_at_the_same_moment_stay_within_the_limit(schools):
    account_id, secret = await officer_with_totp()
    right = pyotp.TOTP(secret).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    outcomes = await asyncio.gather(*(auth.check_totp(account_id, wrong) for _ in range(30)))
    assert auth.SecondStep.ACCEPTED not in outcomes
    failures = LoginFailure.count().where(LoginFailure.kind == attempts.TOTP_CODE)
    assert await failures <= attempts.FAILURES_ALLOWED
    # Tries refused at the same moment may briefly count too, leaving tries for later.
    for _ in range(attempts.FAILURES_ALLOWED):
        if await auth.check_totp(account_id, wrong) is auth.SecondStep.LOCKED_OUT:
            break
    assert await failures == attempts.FAILURES_ALLOWED
    assert await auth.check_totp(account_id, right) is auth.SecondStep.LOCKED_OUT


async def test_wrong_codes_do_not_use_up_the_password_tries(client, schools):
    _account, secret = await officer_with_totp()
    right = pyotp.TOTP(secret).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(attempts.FAILURES_ALLOWED - 1):
        client.cookies.clear()
        assert (await send_code(client, wrong)).status_code == 422
    # A right code wipes the slate, as a right password does.
    client.cookies.clear()
    assert (await send_code(client, right)).status_code == 303
    assert await LoginFailure.count() == 0
