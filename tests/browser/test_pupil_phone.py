"""A pupil on a phone: QR link, report in Kazakh, receipt, staff answer, reply.

Everything goes through a real server and the system Chromium, with htmx doing
the swaps. For the whole session: no request leaves the server's origin, no
console error, no uncaught exception and no Content-Security-Policy violation.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser, ConsoleMessage, Page, Request, expect

from school_safety.i18n import translations
from school_safety.reports.choices import STATUS_FOR_PUPIL
from tests import support
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import CSP_LISTENER, PHONE, horizontal_overflow
from tests.running_server import RunningServer

REPORT_TEXT = (
    "Сыныптағы екі бала мені күнде үзілісте мазақтайды, "
    "телефонымды тартып алып, чатқа суретімді салды."
)
STAFF_REPLY = (
    "Сәлем! Жазғаныңыз үшін рақмет. Мен мектеп психологымын. "
    "Ертең үшінші үзілісте 214-кабинетке келе аласыз ба?"
)
PUPIL_REPLY = "Иә, келемін. Рақмет."
RECEIPT_SHAPE = re.compile(r"^\d{4} \d{4} \d{4} \d{4}$")
CASE_SHAPE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")


# Registered before any page script runs, on every document: a CSP violation is
# reported through a Playwright binding, which the page's own policy cannot block.
def kk(message: str) -> str:
    """What the Kazakh catalogue says (the English source while it is untranslated)."""
    return translations("kk").gettext(message)


async def lines_of_text(page: Page, selector: str) -> int:
    """On how many lines the element's text is laid out."""
    return int(
        await page.evaluate(
            """(selector) => {
              const range = document.createRange();
              range.selectNodeContents(document.querySelector(selector));
              return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
            }""",
            selector,
        )
    )


async def test_pupil_reports_and_follows_up_on_a_phone(
    browser: Browser, server: RunningServer, tmp_path: Path
) -> None:
    origin = urlsplit(server.base_url).netloc
    requests: list[str] = []
    # Console errors, uncaught exceptions, CSP violations and layout faults: all
    # checked at the end, so that one of them does not hide the rest of the session.
    problems: list[str] = []

    context = await browser.new_context(
        viewport=PHONE,
        screen=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="kk-KZ",
        extra_http_headers={"Accept-Language": "kk"},
        service_workers="block",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        page = await context.new_page()

        def on_request(request: Request) -> None:
            requests.append(request.url)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                problems.append(f"console error: {message.text} ({message.location})")

        def on_page_error(error: Exception) -> None:
            problems.append(f"uncaught exception: {error}")

        def on_csp_violation(description: str) -> None:
            problems.append(f"CSP violation: {description}")

        page.on("request", on_request)
        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        await page.expose_function("reportCspViolation", on_csp_violation)
        await page.add_init_script(CSP_LISTENER)

        # The poster's QR code opens the school's form.
        form_url = f"{server.base_url}/s/AST-001"
        response = await page.goto(form_url, wait_until="load")
        assert response is not None and response.status == 200
        await expect(page.locator("html")).to_have_attribute("lang", "kk")
        await expect(page.locator("h1")).to_have_text(kk("What happened?"))
        await expect(page.locator(".school-chosen")).to_contain_text("№ 1 мектеп-гимназия")
        # htmx is loaded (from this server) before the pupil can send anything.
        await page.wait_for_function("() => window.htmx !== undefined")

        # The help lines, in the strip at the top and in the footer.
        for number in ("111", "150", "112"):
            await expect(page.locator(f'.help-strip a[href="tel:{number}"]')).to_be_visible()
            footer_line = page.locator(".helplines li").filter(
                has=page.locator(".number", has_text=re.compile(rf"^{number}$"))
            )
            await expect(footer_line).to_be_visible()
            await expect(footer_line.locator(f'a[href="tel:{number}"]')).to_be_visible()
        await expect(page.locator('.helplines a[href="sms:111"]')).to_be_visible()
        assert await horizontal_overflow(page) <= 0, "the form scrolls sideways at 360 px"
        await page.screenshot(path=tmp_path / "form.png", full_page=True)

        # The pupil writes in Kazakh, ticks a quick choice and sends.
        text_area = page.locator("#text")
        await text_area.tap()
        await text_area.press_sequentially(REPORT_TEXT)
        await expect(text_area).to_have_value(REPORT_TEXT)
        insults = page.locator('input[name="quick_choices"][value="insults"]')
        await page.locator("label.check").filter(has=insults).tap()
        await expect(insults).to_be_checked()
        await expect(page.locator("button[type=submit].primary")).to_have_text(
            kk("Send anonymously")
        )

        # A marker on the window survives an htmx swap but not a page load.
        await page.evaluate("window.__samePage = true")
        loads: list[str] = []
        page.on("load", lambda loaded: loads.append(loaded.url))
        async with page.expect_response(
            lambda answer: answer.url == f"{form_url}/report" and answer.request.method == "POST"
        ) as posted:
            await page.locator("button[type=submit].primary").tap()
        answer = await posted.value
        assert answer.status == 201
        assert answer.request.headers.get("hx-request") == "true", "not sent by htmx"

        receipt_box = page.locator('[data-testid="receipt"]')
        await expect(receipt_box).to_be_visible()
        await expect(page.locator('[data-testid="case"]')).to_be_visible()
        receipt = (await receipt_box.inner_text()).strip()
        case = (await page.locator('[data-testid="case"]').inner_text()).strip()
        assert RECEIPT_SHAPE.match(receipt), receipt
        assert CASE_SHAPE.match(case), case
        assert page.url == form_url, "the receipt should replace the form in place"
        assert await page.evaluate("window.__samePage === true"), "a full page load happened"
        assert loads == [], loads
        await expect(page.locator("#report form")).to_have_count(0)
        await expect(page.locator("h1")).to_have_text(kk("Thank you. Your report was sent."))
        await expect(page.locator("html")).to_have_attribute("lang", "kk")
        assert await horizontal_overflow(page) <= 0, "the receipt scrolls sideways at 360 px"
        # Copied by hand from the screen: the 16 digits must not break across lines.
        receipt_lines = await lines_of_text(page, '[data-testid="receipt"]')
        if receipt_lines != 1:
            problems.append(f"layout: the receipt {receipt!r} wraps onto {receipt_lines} lines")
        await page.screenshot(path=tmp_path / "receipt.png", full_page=True)

        # Later, a school psychologist answers from the staff workspace.
        await support.staff_message(await support.report_id_for(case), STAFF_REPLY)

        # The pupil follows the receipt page's link and types the receipt as copied.
        await page.locator('a.button[href="/follow-up"]').tap()
        await page.wait_for_url(f"{server.base_url}/follow-up")
        await expect(page.locator("html")).to_have_attribute("lang", "kk")
        receipt_input = page.locator("#receipt")
        await receipt_input.tap()
        await receipt_input.press_sequentially(receipt)
        await expect(receipt_input).to_have_value(receipt)
        await page.evaluate("window.__samePage = true")
        loads.clear()
        await page.locator("#follow-up button[type=submit].primary").tap()

        status = page.locator('[data-testid="status"]')
        await expect(status).to_have_text(kk(STATUS_FOR_PUPIL["new"]))
        await expect(page.locator("#follow-up h1 .case")).to_have_text(case)
        staff = page.locator(".thread li.staff")
        await expect(staff).to_have_count(1)
        await expect(staff.locator(".body")).to_have_text(STAFF_REPLY)
        await expect(staff.locator(".who")).to_contain_text(kk("School psychologist"))
        await expect(staff.locator(".badge")).to_have_text(kk("new"))
        assert page.url == f"{server.base_url}/follow-up"
        assert await page.evaluate("window.__samePage === true"), "a full page load happened"
        assert loads == [], loads

        # The pupil answers; the reply joins the thread under the psychologist's message.
        reply_box = page.locator("#reply")
        await reply_box.tap()
        await reply_box.fill(PUPIL_REPLY)
        await page.locator('form[hx-post="/follow-up/reply"] button[type=submit]').tap()
        mine = page.locator(".thread li.mine")
        await expect(mine).to_have_count(1)
        await expect(mine.locator(".body")).to_have_text(PUPIL_REPLY)
        await expect(mine.locator(".who")).to_contain_text(kk("You"))
        await expect(page.locator(".thread li .body")).to_have_text([STAFF_REPLY, PUPIL_REPLY])
        await expect(page.locator(".notice")).to_have_text(kk("Your message was sent."))
        await expect(page.locator("#reply")).to_have_value("")
        # Seen once, the psychologist's message is no longer new.
        await expect(staff.locator(".badge")).to_have_count(0)
        assert page.url == f"{server.base_url}/follow-up"
        assert await page.evaluate("window.__samePage === true"), "a full page load happened"
        assert loads == [], loads
        assert await horizontal_overflow(page) <= 0, "the follow-up scrolls sideways at 360 px"
        await page.screenshot(path=tmp_path / "follow_up.png", full_page=True)
    finally:
        await context.close()

    # The recording saw the page, its assets and every htmx call.
    for path in ("/s/AST-001", "/static/vendor/htmx/htmx.min.js", "/s/AST-001/report"):
        assert f"{server.base_url}{path}" in requests, (path, requests)
    for path in ("/follow-up", "/follow-up/reply"):
        assert f"{server.base_url}{path}" in requests, (path, requests)
    elsewhere = [url for url in requests if urlsplit(url).netloc != origin]
    assert elsewhere == [], f"requests left {origin}: {elsewhere}"
    assert problems == [], "\n".join(problems)
