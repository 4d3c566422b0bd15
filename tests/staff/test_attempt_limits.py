"""Tries at a password or a code sent at the same moment cannot get past the limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from school_safety.staff import attempts, auth, pages
from school_safety.staff.tables import LoginFailure
from school_safety.web.ratelimit import SlidingWindowLimiter
from tests import support

RIGHT = "correct horse battery staple"


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """A client that runs the app on the test's own event loop.

    The test client hands each request to the app's loop in another thread and
    waits for the answer, so requests sent "together" are served one by one;
    here they really are in flight at the same moment, as on a server.
    """
    from school_safety.app import create_app

    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        yield client


async def test_simultaneous_wrong_passwords_are_checked_at_most_the_limit(schools, monkeypatch):
    await support.make_staff("serik", "officer")
    checked = 0
    real = auth.matches

    async def counting(stored: str, password: str) -> bool:
        nonlocal checked
        checked += 1
        return await real(stored, password)

    monkeypatch.setattr(auth, "matches", counting)
    results = await asyncio.gather(*(auth.check_password("serik", f"guess {n}") for n in range(60)))
    wrong = [r for r in results if r.error == auth.WRONG_CREDENTIALS]
    assert all(r.account_id is None for r in results)
    assert len(wrong) == checked <= attempts.FAILURES_ALLOWED
    # Tries refused at the same moment may briefly count too, leaving tries for later:
    # fewer checked is safe, more is not.
    for _ in range(attempts.FAILURES_ALLOWED):
        if (await auth.check_password("serik", "later guess")).error == auth.TOO_MANY_FAILURES:
            break
    assert checked == attempts.FAILURES_ALLOWED
    assert await LoginFailure.count() == attempts.FAILURES_ALLOWED
    # The right password then waits like any other try.
    assert (await auth.check_password("serik", RIGHT)).error == auth.TOO_MANY_FAILURES


async def test_simultaneous_sign_ins_for_one_account_stay_within_its_limit(browser, schools):
    client = browser
    await support.make_staff("serik", "officer")
    token = await support.csrf_for(client)

    async def attempt(username: str, password: str) -> int:
        form = {"_csrf_token": token, "username": username, "password": password}
        response = await client.post("/staff/login", data=form, follow_redirects=False)
        return response.status_code

    # One account: no more than its five tries are checked.
    statuses = await asyncio.gather(*(attempt("serik", f"guess {n}") for n in range(20)))
    checked = statuses.count(422)
    assert statuses.count(429) == 20 - checked
    for _ in range(attempts.FAILURES_ALLOWED):
        if await attempt("serik", "later guess") != 422:
            break
        checked += 1
    assert checked == attempts.FAILURES_ALLOWED
    assert await attempt("serik", RIGHT) == 429


async def test_simultaneous_sign_ins_from_one_address_stay_within_its_limit(
    browser, schools, monkeypatch
):
    client = browser
    # A smaller limit than the real 30 keeps the test quick; the logic is the same.
    monkeypatch.setattr(pages, "_sign_in_attempts", SlidingWindowLimiter(limit=6, window=900))
    token = await support.csrf_for(client)

    async def attempt(username: str) -> int:
        form = {"_csrf_token": token, "username": username, "password": "a guess"}
        response = await client.post("/staff/login", data=form, follow_redirects=False)
        return response.status_code

    # Each account is tried once, so only the address's limit can stop them.
    statuses = await asyncio.gather(*(attempt(f"nobody{n}") for n in range(20)))
    assert statuses.count(422) == 6
    assert statuses.count(429) == 14


async def test_a_right_sign_in_does_not_use_up_the_address_limit(client, schools, monkeypatch):
    monkeypatch.setattr(pages, "_sign_in_attempts", SlidingWindowLimiter(limit=3, window=900))
    await support.make_staff("aigerim", "psychologist")
    for _ in range(5):
        client.cookies.clear()
        assert (await support.sign_in(client, "aigerim")).status_code == 303
