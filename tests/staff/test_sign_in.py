"""Signing in: passwords, throttling, forced password change, TOTP, sessions that end."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pyotp

from school_safety.db.engine import write_transaction
from school_safety.staff import auth
from school_safety.staff.sessions import COOKIE
from school_safety.staff.tables import RolePolicy, StaffAccount, StaffSession
from tests import support


async def test_sign_in_and_out(client, schools):
    await support.make_staff("aigerim", "psychologist", ("AST-001",))
    # Not signed in: the staff area sends the browser to sign in.
    first = await client.get("/staff/account", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/staff/login")
    signed = await support.sign_in(client, "aigerim")
    assert signed.status_code == 303 and signed.headers["location"] == "/staff/"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/staff" in cookie
    account = await client.get("/staff/account")
    assert account.status_code == 200 and "Aigerim" in account.text
    # The database holds the token's hash, never the token.
    token = client.cookies.get(COOKIE)
    assert token and not await StaffSession.exists().where(StaffSession.token_hash == token)

    token_form = support.csrf_token_from(account.text)
    out = await client.post(
        "/staff/logout", data={"_csrf_token": token_form}, follow_redirects=False
    )
    assert out.status_code == 303
    assert await StaffSession.count() == 0
    client.cookies.set(COOKIE, token, path="/staff")
    again = await client.get("/staff/account", follow_redirects=False)
    assert again.status_code == 303


async def test_wrong_password_and_unknown_user_look_the_same(client, schools):
    await support.make_staff("aigerim", "psychologist")
    wrong = await support.sign_in(client, "aigerim", "not the password")
    unknown = await support.sign_in(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 422
    assert wrong.text.count("error-box") == unknown.text.count("error-box") == 1


async def test_failed_sign_ins_are_throttled_per_username(client, schools):
    await support.make_staff("serik", "officer")
    statuses = [
        (await support.sign_in(client, "serik", f"guess {n}")).status_code for n in range(6)
    ]
    assert statuses == [422] * 5 + [429]
    # Even the right password waits: otherwise throttling would confirm a guess.
    assert (await support.sign_in(client, "serik")).status_code == 429
    # Another user is not affected.
    await support.make_staff("aigerim", "psychologist")
    assert (await support.sign_in(client, "aigerim")).status_code == 303


async def test_throttling_is_kept_in_the_database_across_processes(client, schools):
    """Failures recorded by another worker process count here too."""
    from school_safety.staff.tables import LoginFailure

    await support.make_staff("serik", "officer")
    async with write_transaction():
        for _ in range(5):
            await LoginFailure(username="serik").save()
    assert (await support.sign_in(client, "serik")).status_code == 429


async def test_demo_and_first_passwords_must_be_changed(client, schools):
    await support.make_staff("newbie", "psychologist", ("AST-001",), must_change_password=True)
    assert (await support.sign_in(client, "newbie")).status_code == 303
    forced = await client.get("/staff/account", follow_redirects=False)
    assert forced.status_code == 303 and forced.headers["location"] == "/staff/password"
    page = await client.get("/staff/password")
    token = support.csrf_token_from(page.text)
    weak = await client.post(
        "/staff/password",
        data={"_csrf_token": token, "current": "correct horse battery staple", "new": "short"},
    )
    assert weak.status_code == 422
    changed = await client.post(
        "/staff/password",
        data={
            "_csrf_token": token,
            "current": "correct horse battery staple",
            "new": "a much longer passphrase 2026",
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert (await client.get("/staff/account")).status_code == 200
    row = await StaffAccount.select(StaffAccount.must_change_password).first()
    assert row["must_change_password"] is False


async def test_totp_required_by_role_enrols_then_asks_every_time(client, schools):
    await support.make_staff("officer1", "officer", ("AST-001",))
    async with write_transaction():
        await RolePolicy(role="officer", require_totp=True).save()
    assert (await support.sign_in(client, "officer1")).headers["location"] == "/staff/2fa"
    blocked = await client.get("/staff/account", follow_redirects=False)
    assert blocked.headers["location"] == "/staff/2fa"
    enrol = await client.get("/staff/2fa")
    secret = enrol.text.split('data-testid="totp-secret">')[1].split("<")[0]
    token = support.csrf_token_from(enrol.text)
    wrong = await client.post(
        "/staff/2fa", data={"_csrf_token": token, "secret": secret, "code": "000000"}
    )
    assert wrong.status_code == 422
    # The secret comes back from the form: a malformed or weak one is refused, never stored.
    weak = "ABCDEFGHIJKLMNOPQRSTUVWX"  # 120 bits: pyotp takes it; new_totp_secret gives 160
    for bad in ("1", "!!!!", "AAAAAAA", weak, secret.lower(), secret + "A"):
        answer = pyotp.TOTP(weak).now() if bad == weak else "123456"
        refused = await client.post(
            "/staff/2fa", data={"_csrf_token": token, "secret": bad, "code": answer}
        )
        assert refused.status_code == 422, bad
        # The page still offers a secret to enrol with, a fresh one if the sent one was mangled.
        shown = refused.text.split('data-testid="totp-secret">')[1].split("<")[0]
        assert auth.is_totp_secret(shown), bad
    enrolled = StaffAccount.select(StaffAccount.totp_enabled).where(
        StaffAccount.username == "officer1"
    )
    assert (await enrolled.first())["totp_enabled"] is False
    code = pyotp.TOTP(secret).now()
    done = await client.post(
        "/staff/2fa",
        data={"_csrf_token": token, "secret": secret, "code": code},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert (await client.get("/staff/account")).status_code == 200

    # Next sign-in: the code is asked for, and a made-up secret cannot replace the enrolled one.
    client.cookies.clear()
    assert (await support.sign_in(client, "officer1")).headers["location"] == "/staff/2fa"
    page = await client.get("/staff/2fa")
    assert 'data-testid="totp-secret"' not in page.text
    token = support.csrf_token_from(page.text)
    attacker_secret = pyotp.random_base32()
    forged = await client.post(
        "/staff/2fa",
        data={
            "_csrf_token": token,
            "secret": attacker_secret,
            "code": pyotp.TOTP(attacker_secret).now(),
        },
    )
    assert forged.status_code == 422
    # The code used to enrol is spent; the phone's next one (a step ahead is forgiven) works.
    spent = await client.post(
        "/staff/2fa", data={"_csrf_token": token, "code": code}, follow_redirects=False
    )
    assert spent.status_code == 422
    ok = await client.post(
        "/staff/2fa",
        data={"_csrf_token": token, "code": pyotp.TOTP(secret).at(time.time() + 30)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert (await client.get("/staff/account")).status_code == 200


async def test_idle_sessions_expire(client, schools):
    await support.make_staff("aigerim", "psychologist")
    await support.sign_in(client, "aigerim")
    assert (await client.get("/staff/account")).status_code == 200
    async with write_transaction():
        await StaffSession.update(
            {StaffSession.last_seen_at: datetime.now(UTC) - timedelta(minutes=31)}
        ).where(StaffSession.id > 0)
    assert (await client.get("/staff/account", follow_redirects=False)).status_code == 303
    assert await StaffSession.count() == 0


async def test_htmx_requests_get_a_client_redirect_not_a_login_page(client, schools):
    response = await client.get(
        "/staff/account", headers={"hx-request": "true"}, follow_redirects=False
    )
    assert response.status_code == 200
    assert response.headers["hx-redirect"].startswith("/staff/login")
    assert "<form" not in response.text


async def test_password_change_signs_out_other_browsers(client, schools):
    from litestar.testing import AsyncTestClient

    from school_safety.app import create_app

    await support.make_staff("aigerim", "psychologist")
    await support.sign_in(client, "aigerim")
    async with AsyncTestClient(app=create_app(), base_url="http://127.0.0.1:8000") as other:
        await support.sign_in(other, "aigerim")
        assert (await other.get("/staff/account")).status_code == 200
        page = await client.get("/staff/password")
        await client.post(
            "/staff/password",
            data={
                "_csrf_token": support.csrf_token_from(page.text),
                "current": "correct horse battery staple",
                "new": "another long passphrase 77",
            },
        )
        assert (await client.get("/staff/account")).status_code == 200
        assert (await other.get("/staff/account", follow_redirects=False)).status_code == 303


async def test_a_session_looks_up_only_what_can_matter(schools, monkeypatch):
    from school_safety.staff import sessions

    psychologist = await support.make_staff("psy", "psychologist", school_codes=("AST-001",))
    regional = await support.make_staff("reg", "region", region_code=schools["AST-001"].region_code)
    policy_lookups: list[str] = []
    real = sessions.role_requires_totp

    async def counting(role: str) -> bool:
        policy_lookups.append(role)
        return await real(role)

    monkeypatch.setattr(sessions, "role_requires_totp", counting)
    # Before the second step, the role's policy decides; once passed, it is not asked.
    token = await sessions.start_session(psychologist, totp_passed=False)
    found = await sessions.user_for_token(token)
    assert found is not None and policy_lookups == ["psychologist"]
    assert found[0].school_ids == {schools["AST-001"].id}
    await sessions.mark_totp_passed(token)
    found = await sessions.user_for_token(token)
    assert found is not None and found[1] is True and policy_lookups == ["psychologist"]
    assert found[0].school_ids == {schools["AST-001"].id}
    # A regional account works from its region, not from a list of schools.
    found = await sessions.user_for_token(await sessions.start_session(regional, True))
    assert found is not None and found[0].school_ids == frozenset()
