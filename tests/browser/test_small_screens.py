"""The narrowest phones: nothing scrolls sideways, and what a send brings is in view."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from school_safety.i18n import translations
from tests.browser.helpers import SMALL_PHONE, horizontal_overflow, phone
from tests.running_server import RunningServer

LONG_REPORT = (
    "в раздевалке после физры двое из 9 класса каждый день забирают у меня телефон, "
    "смотрят переписку и смеются, вчера толкнули меня на скамейку. я никому не говорил. "
)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
async def test_pupil_pages_fit_a_320_px_screen(
    browser: Browser, server: RunningServer, language: str
) -> None:
    async with phone(browser, language, SMALL_PHONE) as page:
        for path in ("/", "/s/AST-001", "/follow-up", "/no-such-page"):
            await page.goto(f"{server.base_url}{path}", wait_until="load")
            await expect(page.locator("html")).to_have_attribute("lang", language)
            overflow = await horizontal_overflow(page, SMALL_PHONE)
            assert overflow <= 0, f"{path} in {language} is {overflow} px too wide"


async def test_after_sending_a_long_form_the_answer_is_in_view(
    browser: Browser, server: RunningServer, tmp_path: Path
) -> None:
    async with phone(browser, "ru", SMALL_PHONE) as page:
        await page.goto(f"{server.base_url}/s/AST-001", wait_until="load")
        await page.wait_for_function("() => window.htmx !== undefined")
        await page.locator("#text").fill(LONG_REPORT * 3)
        # The send button is at the bottom of the form: the page is scrolled down to it.
        await page.locator("#report button[type=submit]").tap()
        receipt = page.locator('[data-testid="receipt"]')
        await expect(receipt).to_be_visible()
        answer = await page.locator("#report").bounding_box()
        await page.screenshot(path=tmp_path / "sent.png")
        # The answer's first lines (help, when it is needed, then "sent") are on screen,
        # not far above it, without the pupil scrolling back.
        assert answer is not None
        assert 0 <= answer["y"] < SMALL_PHONE["height"] / 2, answer
        assert await horizontal_overflow(page, SMALL_PHONE) <= 0
        assert await page.title() == translations("ru").gettext("Report sent")
