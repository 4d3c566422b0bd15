"""A pupil writes in Russian that they do not want to live, and sees the crisis card at once."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from school_safety.i18n import translations
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import CSP_LISTENER, PHONE, horizontal_overflow
from tests.running_server import RunningServer

REPORT_TEXT = (
    "надо мной смеются всем классом, пишут гадости в беседе. я устала и больше не хочу жить"
)


def ru(message: str) -> str:
    return translations("ru").gettext(message)


async def test_crisis_card_appears_before_the_receipt(
    browser: Browser, server: RunningServer, tmp_path: Path
) -> None:
    problems: list[str] = []
    context = await browser.new_context(
        viewport=PHONE,
        screen=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="ru-RU",
        extra_http_headers={"Accept-Language": "ru"},
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = await context.new_page()
        page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
        page.on(
            "console",
            lambda message: problems.append(message.text) if message.type == "error" else None,
        )
        await page.expose_function("reportCspViolation", lambda d: problems.append(f"CSP: {d}"))
        await page.add_init_script(CSP_LISTENER)

        await page.goto(f"{server.base_url}/s/AST-002", wait_until="load")
        await expect(page.locator("html")).to_have_attribute("lang", "ru")
        await page.wait_for_function("() => window.htmx !== undefined")
        await page.locator("#text").fill(REPORT_TEXT)
        await page.locator("#report button[type=submit]").tap()

        card = page.locator('[data-testid="crisis-card"]')
        await expect(card).to_be_visible()
        await expect(card.locator("h2")).to_have_text(ru("You are not alone."))
        for href in ("sms:111", "tel:111", "tel:150", "tel:112"):
            await expect(card.locator(f'a[href="{href}"]')).to_be_visible()
        # The card comes first, and the report was not replaced: the receipt is there too.
        receipt = page.locator('[data-testid="receipt"]')
        await expect(receipt).to_be_visible()
        card_box = await card.bounding_box()
        receipt_box = await receipt.bounding_box()
        assert card_box and receipt_box and card_box["y"] < receipt_box["y"]
        # Full width of the phone's content column.
        assert card_box["width"] >= PHONE["width"] - 48
        assert await horizontal_overflow(page) <= 0
        await page.screenshot(path=tmp_path / "crisis.png", full_page=True)
    finally:
        await context.close()
    assert problems == []
