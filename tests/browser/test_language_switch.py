"""A pupil changes language halfway through writing, and keeps what they wrote."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from playwright.async_api import Browser, Page, expect

from school_safety.i18n import LANGUAGE_NAMES, translations
from tests.browser.helpers import horizontal_overflow, phone
from tests.running_server import RunningServer

HALF_WRITTEN = "мені 8 сыныптағы екі бала күнде"


@asynccontextmanager
async def report_form(
    browser: Browser, server: RunningServer, language: str, javascript: bool
) -> AsyncIterator[Page]:
    """A phone on the school's report form, htmx loaded when JavaScript is on."""
    async with phone(browser, language, javascript=javascript) as page:
        await page.goto(f"{server.base_url}/s/AST-001", wait_until="load")
        if javascript:
            await page.wait_for_function("() => window.htmx !== undefined")
        yield page


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
async def test_changing_language_keeps_the_half_written_report(
    browser: Browser, server: RunningServer, javascript: bool
) -> None:
    async with report_form(browser, server, "kk", javascript) as page:
        await page.locator("#text").fill(HALF_WRITTEN)
        await page.locator("#location").select_option("canteen")

        await page.locator("nav.languages button", has_text=LANGUAGE_NAMES["ru"]).tap()

        ru = translations("ru").gettext
        await expect(page.locator("#report h1")).to_have_text(ru("What happened?"))
        await expect(page.locator("#page")).to_have_attribute("lang", "ru")
        # The whole document's language too, not only the swapped part's.
        await expect(page.locator("html")).to_have_attribute("lang", "ru")
        await expect(page.locator("nav.languages strong")).to_have_text(LANGUAGE_NAMES["ru"])
        await expect(page.locator("#text")).to_have_value(HALF_WRITTEN)
        await expect(page.locator("#location")).to_have_value("canteen")
        await expect(page).to_have_title(f"{ru('Report')} · " + "Школа-гимназия № 1")
        assert await horizontal_overflow(page) <= 0

        # Still one form to send, in the new language; and back again works the same way.
        await page.locator("nav.languages button", has_text=LANGUAGE_NAMES["en"]).tap()
        await expect(page.locator("#report h1")).to_have_text("What happened?")
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.locator("#text")).to_have_value(HALF_WRITTEN)
        await page.locator("#text").fill(HALF_WRITTEN + " мазақтайды")
        await page.locator("#report button[type=submit]").tap()
        await expect(page.locator('[data-testid="receipt"]')).to_be_visible()
        await expect(page.locator("#report h1")).to_have_text("Thank you. Your report was sent.")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
async def test_enter_in_a_field_sends_the_report_not_a_language_switch(
    browser: Browser, server: RunningServer, javascript: bool
) -> None:
    async with report_form(browser, server, "ru", javascript) as page:
        await page.locator("#text").fill("в раздевалке отбирают телефон")
        await page.locator("#location_detail").fill("раздевалка у спортзала")
        # The language buttons come first in the page; Enter must still send the report.
        await page.locator("#location_detail").press("Enter")
        await expect(page.locator('[data-testid="receipt"]')).to_be_visible()
        await expect(page.locator("#page")).to_have_attribute("lang", "ru")
