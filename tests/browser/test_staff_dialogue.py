"""A psychologist on a tablet and a pupil on a phone talk about a suicide-risk report.

Three reports reach school AST-001 through the JSON API. The psychologist signs
in on a tablet, finds the suicide-risk case at the top of the queue, reads it
with the classifier's evidence, confirms its labels and writes to the pupil.
The pupil, on a phone, opens the follow-up page with the receipt, reads the
answer and replies; the psychologist sees the reply marked new.

For both sessions: no request leaves the server's origin, no console error, no
uncaught exception, no Content-Security-Policy violation, and the phone's
pages never scroll sideways.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, Request, expect

from school_safety.classifier.tables import LabelReview
from school_safety.i18n import translations
from school_safety.reports.tables import Report
from tests import support
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import CSP_LISTENER, PHONE, horizontal_overflow
from tests.running_server import RunningServer

TABLET = {"width": 820, "height": 1180}
MILD_TEXT = "в столовой толкались в очереди"
BULLYING_TEXT = (
    "одноклассники каждый день обзывают меня, отбирают рюкзак и толкают на переменах, "
    "смеются всем классом"
)
SUICIDE_TEXT = "меня травят каждый день, я больше не хочу жить"
STAFF_MESSAGE = (
    "Здравствуй! Спасибо, что написал(а). Я школьный психолог. "
    "Ты не один. Можешь завтра на второй перемене прийти в кабинет 214?"
)
PUPIL_REPLY = "Да, приду. Спасибо."
PSYCHOLOGIST = "aigerim"
PASSWORD = "correct horse battery staple"


def ru(message: str) -> str:
    """What the Russian catalogue says (the English source while it is untranslated)."""
    return translations("ru").gettext(message)


async def file_report(client: httpx.AsyncClient, text: str) -> dict[str, object]:
    answer = await client.post(
        "/api/v1/reports", json={"school": "AST-001", "text": text, "language": "ru"}
    )
    assert answer.status_code == 201, answer.text
    filed: dict[str, object] = answer.json()
    return filed


async def file_first_report(client: httpx.AsyncClient, text: str) -> str:
    """File the server's first report and return its case code.

    The server loads its classifier (a ~90 MB file) only when the first report
    arrives, which can take longer than a bounded wait: if the answer is late,
    the report is looked for in the database instead, classified.
    """
    try:
        return str((await file_report(client, text))["case"])
    except httpx.ReadTimeout:
        pass
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        row = (
            await Report.select(Report.case_code)
            .where((Report.text == text) & (Report.classification == "classified"))
            .first()
        )
        if row:
            return str(row["case_code"])
        await asyncio.sleep(0.2)
    raise AssertionError(f"the first report was not filed and classified: {text!r}")


async def new_context(browser: Browser, viewport: dict[str, int]) -> BrowserContext:
    context = await browser.new_context(
        viewport=viewport,
        screen=viewport,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="ru-RU",
        extra_http_headers={"Accept-Language": "ru"},
        service_workers="block",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


async def watched_page(
    context: BrowserContext, who: str, requests: list[str], problems: list[str]
) -> Page:
    """A page whose requests are recorded and whose errors and CSP violations are collected."""
    page = await context.new_page()

    def on_request(request: Request) -> None:
        requests.append(request.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"{who}: console error: {message.text} ({message.location})")

    def on_page_error(error: Exception) -> None:
        problems.append(f"{who}: uncaught exception: {error}")

    def on_csp_violation(description: str) -> None:
        problems.append(f"{who}: CSP violation: {description}")

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    await page.expose_function("reportCspViolation", on_csp_violation)
    await page.add_init_script(CSP_LISTENER)
    return page


async def overflow(page: Page, width: int) -> int:
    """How many CSS pixels the page is wider than a screen of this width."""
    return await horizontal_overflow(page) + PHONE["width"] - width


async def test_psychologist_on_a_tablet_answers_a_pupil_on_a_phone(
    browser: Browser, server: RunningServer, tmp_path: Path
) -> None:
    origin = urlsplit(server.base_url).netloc
    requests: list[str] = []
    problems: list[str] = []

    # (1) Three reports through the JSON API, the dangerous one last: the queue
    # must put it first although it is the newest.
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10.0) as api:
        mild_case = await file_first_report(api, MILD_TEXT)
        bullying = await file_report(api, BULLYING_TEXT)
        suicide = await file_report(api, SUICIDE_TEXT)
    assert suicide["crisis"] is True, suicide
    assert bullying["crisis"] is False, bullying
    case = str(suicide["case"])
    receipt = str(suicide["receipt"])
    report_id = await support.report_id_for(case)
    psychologist_id = await support.make_staff(PSYCHOLOGIST, "psychologist", ("AST-001",))

    tablet = await new_context(browser, TABLET)
    phone = await new_context(browser, PHONE)
    try:
        # (2) The psychologist signs in on the tablet and lands on the queue.
        staff = await watched_page(tablet, "tablet", requests, problems)
        answer = await staff.goto(f"{server.base_url}/staff/login", wait_until="load")
        assert answer is not None and answer.status == 200
        await expect(staff.locator("html")).to_have_attribute("lang", "ru")
        await expect(staff.locator("h1")).to_have_text(ru("Sign in"))
        await staff.locator("#username").tap()
        await staff.locator("#username").fill(PSYCHOLOGIST)
        await staff.locator("#password").tap()
        await staff.locator("#password").fill(PASSWORD)
        await staff.locator("form[action='/staff/login'] button[type=submit]").tap()
        await staff.wait_for_url(f"{server.base_url}/staff/")
        await expect(staff.locator("h1")).to_have_text(ru("Cases"))

        rows = staff.locator("#queue tr[data-priority]")
        await expect(rows).to_have_count(3)
        first = rows.first
        await expect(first).to_have_attribute("data-priority", "critical")
        await expect(first.locator("a.case-link")).to_have_text(case)
        badge = first.locator(".priority")
        await expect(badge).to_have_text(ru("Critical"))
        await expect(badge).to_have_class("priority priority-critical")
        await expect(first.locator(".preview")).to_contain_text(SUICIDE_TEXT)
        # The other two follow, each with its own code; none of them is critical.
        codes = [
            (await row.locator("a.case-link").inner_text()).strip() for row in await rows.all()
        ]
        assert sorted(codes[1:]) == sorted([mild_case, str(bullying["case"])]), codes
        for row in (await rows.all())[1:]:
            assert await row.get_attribute("data-priority") != "critical"
        tablet_overflow = await overflow(staff, TABLET["width"])
        if tablet_overflow > 0:
            problems.append(f"layout: the queue scrolls sideways by {tablet_overflow} px")
        await staff.screenshot(path=tmp_path / "queue.png", full_page=True)

        # The psychologist opens the case by tapping its code.
        case_url = f"{server.base_url}/staff/cases/{case}"
        await first.locator("a.case-link").tap()
        await staff.wait_for_url(case_url)
        await expect(staff.locator('[data-testid="case-code"]')).to_have_text(case)
        await expect(staff.locator("h1 .priority")).to_have_text(ru("Critical"))
        await expect(staff.locator('[data-testid="report-text"]')).to_have_text(SUICIDE_TEXT)
        scores = staff.locator('[data-testid="scores"]')
        await expect(scores.locator("h2")).to_have_text(ru("Classifier scores"))
        await expect(scores.locator(".scores li")).to_have_count(3)
        suicide_score = scores.locator(".scores li").filter(
            has=staff.locator("strong", has_text=ru("Suicide risk"))
        )
        await expect(suicide_score.locator(".tag")).to_have_text(ru("above threshold"))
        await expect(suicide_score.locator(".words")).to_contain_text(
            ru("Words that weighed most:")
        )
        await expect(scores.locator(".words").first).to_be_visible()

        # Labels: bullying and suicide risk, confirmed.
        for label in ("bullying", "suicide_risk"):
            box = staff.locator(f'input[name="labels"][value="{label}"]')
            await scores.locator("label.check").filter(has=box).tap()
            await expect(scores.locator(box)).to_be_checked()
        await expect(
            scores.locator('input[name="labels"][value="cyberbullying"]')
        ).not_to_be_checked()
        async with staff.expect_response(
            lambda r: r.url == f"{case_url}/labels" and r.request.method == "POST"
        ) as posted:
            await scores.locator("button[type=submit]").tap()
        assert (await posted.value).status == 303
        await staff.wait_for_url(case_url)
        await expect(
            scores.locator(".hint").filter(has_text=ru("Labels confirmed."))
        ).to_be_visible()
        for label in ("bullying", "suicide_risk"):
            await expect(scores.locator(f'input[name="labels"][value="{label}"]')).to_be_checked()
        reviews = await LabelReview.select(
            LabelReview.report, LabelReview.labels, LabelReview.model_flags, LabelReview.reviewer
        )
        assert len(reviews) == 1, reviews
        assert reviews[0]["report"] == report_id
        assert reviews[0]["labels"] == "bullying;suicide_risk"
        assert reviews[0]["reviewer"] == psychologist_id
        assert "suicide_risk" in reviews[0]["model_flags"].split(";"), reviews

        # A message to the pupil joins the conversation.
        dialogue = staff.locator("#dialogue")
        await expect(dialogue.locator(".empty")).to_have_text(ru("No messages yet."))
        await dialogue.locator("#message").tap()
        await dialogue.locator("#message").fill(STAFF_MESSAGE)
        async with staff.expect_response(
            lambda r: r.url == f"{case_url}/messages" and r.request.method == "POST"
        ) as posted:
            await dialogue.locator("button[type=submit]").tap()
        assert (await posted.value).status == 303
        await staff.wait_for_url(case_url)
        mine = dialogue.locator(".thread li.mine")
        await expect(mine).to_have_count(1)
        await expect(mine.locator(".body")).to_have_text(STAFF_MESSAGE)
        await expect(mine.locator(".who")).to_contain_text(PSYCHOLOGIST.title())
        await expect(mine.locator(".who .hint")).to_contain_text(ru("not read by the pupil yet"))
        await expect(staff.locator('[data-testid="case-status"]')).to_have_text(ru("In review"))
        tablet_overflow = await overflow(staff, TABLET["width"])
        if tablet_overflow > 0:
            problems.append(f"layout: the case page scrolls sideways by {tablet_overflow} px")
        await staff.screenshot(path=tmp_path / "case.png", full_page=True)

        # (3) The pupil, on a phone, opens the follow-up page with the receipt.
        pupil = await watched_page(phone, "phone", requests, problems)
        answer = await pupil.goto(f"{server.base_url}/follow-up", wait_until="load")
        assert answer is not None and answer.status == 200
        await expect(pupil.locator("html")).to_have_attribute("lang", "ru")
        await pupil.wait_for_function("() => window.htmx !== undefined")
        assert await horizontal_overflow(pupil) <= 0, "the follow-up form scrolls sideways"
        receipt_box = pupil.locator("#receipt")
        await receipt_box.tap()
        await receipt_box.press_sequentially(receipt)
        await expect(receipt_box).to_have_value(receipt)
        await pupil.locator("#follow-up button[type=submit].primary").tap()

        await expect(pupil.locator("#follow-up h1 .case")).to_have_text(case)
        from_staff = pupil.locator(".thread li.staff")
        await expect(from_staff).to_have_count(1)
        await expect(from_staff.locator(".body")).to_have_text(STAFF_MESSAGE)
        await expect(from_staff.locator(".who")).to_contain_text(ru("School psychologist"))
        await expect(from_staff.locator(".badge")).to_have_text(ru("new"))
        assert await horizontal_overflow(pupil) <= 0, "the conversation scrolls sideways"

        reply_box = pupil.locator("#reply")
        await reply_box.tap()
        await reply_box.fill(PUPIL_REPLY)
        await pupil.locator('form[hx-post="/follow-up/reply"] button[type=submit]').tap()
        pupil_mine = pupil.locator(".thread li.mine")
        await expect(pupil_mine).to_have_count(1)
        await expect(pupil_mine.locator(".body")).to_have_text(PUPIL_REPLY)
        await expect(pupil.locator(".thread li .body")).to_have_text([STAFF_MESSAGE, PUPIL_REPLY])
        await expect(pupil.locator(".notice")).to_have_text(ru("Your message was sent."))
        assert pupil.url == f"{server.base_url}/follow-up"
        assert await horizontal_overflow(pupil) <= 0, "the follow-up scrolls sideways"
        await pupil.screenshot(path=tmp_path / "follow_up.png", full_page=True)

        # (4) The psychologist reloads the case: the reply is there, marked new;
        # the pupil has read the psychologist's message.
        answer = await staff.reload(wait_until="load")
        assert answer is not None and answer.status == 200
        thread = dialogue.locator(".thread li")
        await expect(thread.locator(".body")).to_have_text([STAFF_MESSAGE, PUPIL_REPLY])
        reply = dialogue.locator(".thread li.pupil")
        await expect(reply).to_have_count(1)
        await expect(reply).to_have_class("pupil unread")
        await expect(reply.locator(".who")).to_contain_text(ru("Pupil"))
        await expect(reply.locator(".badge")).to_have_text(ru("new"))
        await expect(mine.locator(".who .hint")).to_have_count(0)
        await staff.screenshot(path=tmp_path / "case_reply.png", full_page=True)
        # Seen once, the reply is no longer new.
        await staff.reload(wait_until="load")
        await expect(reply.locator(".badge")).to_have_count(0)
    finally:
        await tablet.close()
        await phone.close()

    for path in ("/staff/login", "/staff/", f"/staff/cases/{case}", "/follow-up/reply"):
        assert f"{server.base_url}{path}" in requests, (path, requests)
    elsewhere = [url for url in requests if urlsplit(url).netloc != origin]
    assert elsewhere == [], f"requests left {origin}: {elsewhere}"
    assert problems == [], "\n".join(problems)
