"""The pupil's rate limits hold when requests arrive together, and lock no one else out."""

from __future__ import annotations

import asyncio
import html
import logging
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest

from school_safety.reports import api, limits, pages
from school_safety.reports.tables import Evidence, Message, Report
from school_safety.web.ratelimit import SlidingWindowLimiter, client_key
from tests import support

TEXT = "Меня толкают в коридоре и отбирают деньги"
# Per client, per window (SCHOOL_SAFETY_RECEIPT_FAILURES).
GUESSES_ALLOWED = 10
CLIENT_HEADER = "x-test-client"


@pytest.fixture
async def together(schools) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests really overlap.

    The test client answers one request at a time (each runs to the end on the
    app's own loop before the next starts), so it cannot show a race; this one
    runs the app on the test's loop, where requests interleave at every await.
    """
    from school_safety.app import create_app

    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        yield http


@pytest.fixture
def many_clients(monkeypatch):
    """Requests name the client they come from in a header: the test client has one address."""

    def key(request) -> str:
        return request.headers.get(CLIENT_HEADER) or client_key(request)

    monkeypatch.setattr(pages, "client_key", key)
    monkeypatch.setattr(api, "client_key", key)


def statuses(responses) -> Counter[int]:
    return Counter(response.status_code for response in responses)


async def file(client, **fields):
    body = {"school": "AST-001", "text": TEXT, "language": "ru", **fields}
    return await client.post("/api/v1/reports", json=body)


async def follow_up_token(client) -> str:
    return support.csrf_token_from((await client.get("/follow-up")).text)


# --- the limiter ---------------------------------------------------------------------------


def test_try_hit_checks_and_counts_in_one_step_and_gives_back():
    limiter = SlidingWindowLimiter(limit=2, window=60)
    first, second = limiter.try_hit("a"), limiter.try_hit("a")
    assert first and second
    assert limiter.try_hit("a") is None
    assert limiter.try_hit("b") is not None
    limiter.give_back(first)
    assert limiter.try_hit("a") is not None
    assert limiter.try_hit("a") is None


def test_a_limit_of_zero_never_refuses():
    limiter = SlidingWindowLimiter(limit=0, window=60)
    hits = [limiter.try_hit("a") for _ in range(5)]
    assert all(hit is not None for hit in hits)
    for hit in hits:
        assert hit is not None
        limiter.give_back(hit)


# --- reports sent together -----------------------------------------------------------------


async def test_reports_sent_together_through_the_api_are_held_to_the_limit(together, monkeypatch):
    monkeypatch.setattr(limits.submissions(), "limit", 5)
    responses = await asyncio.gather(*(file(together, text=f"{TEXT} {n}") for n in range(30)))
    assert statuses(responses) == {201: 5, 429: 25}
    assert await Report.count() == 5


async def test_reports_sent_together_by_form_are_held_to_the_limit(together, monkeypatch):
    monkeypatch.setattr(limits.submissions(), "limit", 5)
    token = support.csrf_token_from((await together.get("/s/AST-001")).text)

    async def send(n: int):
        return await together.post(
            "/s/AST-001/report",
            data={"_csrf_token": token, "text": f"{TEXT} {n}"},
            files={"evidence": ("", b"", "application/octet-stream")},
        )

    responses = await asyncio.gather(*(send(n) for n in range(30)))
    assert statuses(responses) == {201: 5, 429: 25}
    assert await Report.count() == 5


async def test_a_refused_report_does_not_use_up_the_limit(client, schools, monkeypatch):
    monkeypatch.setattr(limits.submissions(), "limit", 2)
    for _ in range(3):
        assert (await file(client, text=" ")).status_code == 422
        assert (await support.submit_form(client, "AST-001", {"text": " "})).status_code == 422
    assert (await file(client)).status_code == 201
    assert (await support.submit_form(client, "AST-001", {"text": TEXT})).status_code == 201
    assert (await file(client)).status_code == 429


# --- receipt guesses sent together ---------------------------------------------------------


async def test_wrong_receipts_sent_together_on_the_page_are_held_to_the_limit(together):
    token = await follow_up_token(together)

    async def guess(n: int):
        return await together.post(
            "/follow-up", data={"_csrf_token": token, "receipt": f"{n:016d}"}
        )

    responses = await asyncio.gather(*(guess(n) for n in range(40)))
    assert statuses(responses) == {422: GUESSES_ALLOWED, 429: 40 - GUESSES_ALLOWED}


async def test_wrong_receipts_sent_together_to_the_api_are_held_to_the_limit(together):
    filed = (await file(together)).json()

    async def guess(n: int):
        return await together.get(
            f"/api/v1/reports/{filed['case']}", headers={"X-Receipt": f"{n:016d}"}
        )

    responses = await asyncio.gather(*(guess(n) for n in range(40)))
    assert statuses(responses) == {404: GUESSES_ALLOWED, 429: 40 - GUESSES_ALLOWED}


async def test_the_right_receipt_is_not_counted_as_a_guess(client, schools):
    filed = (await file(client)).json()
    path = f"/api/v1/reports/{filed['case']}"
    for _ in range(GUESSES_ALLOWED + 5):
        assert (await client.get(path, headers={"X-Receipt": filed["receipt"]})).status_code == 200
    wrong = [
        (await client.get(path, headers={"X-Receipt": f"{n:016d}"})).status_code
        for n in range(GUESSES_ALLOWED + 1)
    ]
    assert wrong == [404] * GUESSES_ALLOWED + [429]


# --- nobody can lock every pupil out ---------------------------------------------------------


async def test_a_flood_of_wrong_receipts_from_many_clients_locks_no_one_else_out(
    client, schools, many_clients, caplog
):
    filed = (await file(client)).json()
    case, receipt = filed["case"], filed["receipt"]
    # Far past what the old site-wide block allowed (1,000 a window), each
    # client up to its own limit and past it.
    flooders = 120
    guesses_each = GUESSES_ALLOWED + 1

    async def flood(n: int) -> list[int]:
        answers = []
        for guess in range(guesses_each):
            response = await client.get(
                f"/api/v1/reports/{case}",
                headers={"X-Receipt": f"{n:08d}{guess:08d}", CLIENT_HEADER: f"flooder-{n}"},
            )
            answers.append(response.status_code)
        return answers

    with caplog.at_level(logging.WARNING, logger="school_safety.reports"):
        for batch in range(0, flooders, 20):
            for answers in await asyncio.gather(*(flood(n) for n in range(batch, batch + 20))):
                assert answers == [404] * GUESSES_ALLOWED + [429]

    pupil = {CLIENT_HEADER: "the-pupil"}
    read = await client.get(f"/api/v1/reports/{case}", headers={"X-Receipt": receipt, **pupil})
    assert read.status_code == 200 and read.json()["case"] == case
    replied = await client.post(
        f"/api/v1/reports/{case}/messages",
        json={"text": "Мне плохо, ответьте"},
        headers={"X-Receipt": receipt, **pupil},
    )
    assert replied.status_code == 201
    token = await follow_up_token(client)
    opened = await client.post(
        "/follow-up", data={"_csrf_token": token, "receipt": receipt}, headers=pupil
    )
    assert opened.status_code == 200 and case in opened.text
    replied = await client.post(
        "/follow-up/reply",
        data={"_csrf_token": token, "receipt": receipt, "reply": "Спасибо"},
        headers=pupil,
    )
    assert replied.status_code == 200

    # Operators hear of it, with counts and nothing about any client, once a window.
    warnings = [r.getMessage() for r in caplog.records if "wrong receipts" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert "1000 wrong receipts in the last 900 seconds" in warnings[0]
    assert "flooder" not in warnings[0]


# --- replies and pictures ----------------------------------------------------------------


async def test_api_replies_past_the_hourly_limit_are_refused_in_the_callers_language(
    client, schools
):
    filed = (await file(client)).json()
    headers = {"X-Receipt": filed["receipt"], "accept-language": "ru"}
    path = f"/api/v1/reports/{filed['case']}/messages"
    # The default: 60 an hour (SCHOOL_SAFETY_FOLLOW_UP_LIMIT_PER_HOUR).
    for n in range(60):
        sent = await client.post(path, json={"text": f"ответ {n}"}, headers=headers)
        assert sent.status_code == 201, (n, sent.text)
    refused = await client.post(path, json={"text": "ещё"}, headers=headers)
    assert refused.status_code == 429
    assert refused.json()["error"] == support.in_language(
        "ru", "Too many attempts. Please wait a few minutes and try again."
    )
    assert await Message.count() == 60


async def test_api_replies_sent_together_are_held_to_the_limit(together, monkeypatch):
    monkeypatch.setattr(limits.follow_ups(), "limit", 3)
    filed = (await file(together)).json()

    async def reply(n: int):
        return await together.post(
            f"/api/v1/reports/{filed['case']}/messages",
            json={"text": f"ответ {n}"},
            headers={"X-Receipt": filed["receipt"]},
        )

    responses = await asyncio.gather(*(reply(n) for n in range(12)))
    assert statuses(responses) == {201: 3, 429: 9}
    assert await Message.count() == 3


async def test_page_replies_past_the_limit_are_refused_keeping_what_was_written(
    client, schools, monkeypatch
):
    monkeypatch.setattr(limits.follow_ups(), "limit", 2)
    sent = await support.submit_form(client, "AST-001", {"text": TEXT})
    case, receipt = support.receipt_from(sent.text)
    client.cookies.set("lang", "ru")
    token = await follow_up_token(client)

    async def reply(text: str):
        return await client.post(
            "/follow-up/reply", data={"_csrf_token": token, "receipt": receipt, "reply": text}
        )

    assert [(await reply(f"ответ {n}")).status_code for n in range(2)] == [200, 200]
    refused = await reply("третий ответ")
    assert refused.status_code == 429
    page = html.unescape(refused.text)
    assert (
        support.in_language("ru", "Too many attempts. Please wait a few minutes and try again.")
        in page
    )
    assert "третий ответ" in page and case in page
    assert await Message.count() == 2
    # Opening the case is still possible: only sending is limited.
    opened = await client.post("/follow-up", data={"_csrf_token": token, "receipt": receipt})
    assert opened.status_code == 200


async def test_pictures_added_together_past_the_limit_are_refused(together, monkeypatch):
    monkeypatch.setattr(limits.follow_ups(), "limit", 2)
    sent = await support.submit_form(together, "AST-001", {"text": TEXT})
    _case, receipt = support.receipt_from(sent.text)
    token = await follow_up_token(together)

    async def add():
        return await together.post(
            "/follow-up/evidence",
            data={"_csrf_token": token, "receipt": receipt},
            files={"evidence": ("p.jpg", support.jpeg_with_gps((16, 16)), "image/jpeg")},
        )

    responses = await asyncio.gather(*(add() for _ in range(6)))
    assert statuses(responses) == {200: 2, 429: 4}
    assert await Evidence.count() == 2
    refused = next(response for response in responses if response.status_code == 429)
    assert support.in_language(
        "kk", "Too many attempts. Please wait a few minutes and try again."
    ) in html.unescape(refused.text)
