"""The pupil's pages against WCAG 2.1 AA, in Kazakh, Russian and English.

What a screen reader, a thumb or a zoomed-in screen meets: where the focus lands after
each answer htmx swaps in, messages tied to the controls they are about, emergency links
large enough to hit, form controls that can be seen, nothing scrolling sideways at 200%
zoom, and headings in order.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Browser, FilePayload, Page, expect

from school_safety.i18n import LANGUAGE_NAMES, LANGUAGES, translations
from school_safety.web.errors import MESSAGES
from tests.browser.helpers import (
    SMALL_PHONE,
    TEXT_SPACING_CSS,
    ZOOMED_PHONE,
    contrast_ratio,
    focused,
    horizontal_overflow,
    phone,
)
from tests.running_server import RunningServer
from tests.support import jpeg_with_gps

# Reports that need no help lines, and ones that must bring them (crisis phrases).
CALM = {
    "kk": "Сыныптағы екі бала мені күнде үзілісте мазақтайды, телефонымды тартып алады.",
    "ru": "Меня толкают в коридоре и отбирают деньги",
    "en": "Two boys from my class take my money in the corridor every day.",
}
DANGEROUS = {
    "kk": "өлгім келеді",
    "ru": "я больше не хочу жить",
    "en": "I want to die. I will kill myself tonight.",
}
THANKS = {"kk": "Рақмет, келемін.", "ru": "Спасибо, приду.", "en": "Thank you, I will come."}
NOT_A_PICTURE = FilePayload(name="photo.png", mimeType="image/png", buffer=b"not a picture")
RECEIPT_SHAPE = re.compile(r"^\d{4} \d{4} \d{4} \d{4}$")
# Touch targets (WCAG 2.5.5, and what phone makers ask for): CSS pixels, with rounding.
TARGET = 44 - 0.01
# What comes next in the list, to switch to and back.
OTHER = {"kk": "ru", "ru": "en", "en": "kk"}

# Every control of a form that carries aria-invalid or aria-describedby, each with
# whether the elements it names exist and are the field messages.
TIED_JS = """(scope) => [...document.querySelectorAll(
    `${scope} input:not([type=hidden]), ${scope} select, ${scope} textarea`
  )].map((control) => {
    const ids = (control.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean);
    return {
      control: control.id || `${control.name}=${control.value}`,
      invalid: control.getAttribute("aria-invalid"),
      described: ids,
      messages: ids.map((id) => {
        const message = document.getElementById(id);
        return message && message.classList.contains("field-error")
          ? message.textContent.trim() : null;
      }),
    };
  })"""
# Every field message on the page, with the controls that point at it.
MESSAGES_JS = """() => [...document.querySelectorAll(".field-error")].map((message) =>
  [message.id, [...document.querySelectorAll("[aria-describedby]")].filter((control) =>
    control.getAttribute("aria-describedby").split(/\\s+/).includes(message.id)).length])"""
HEADINGS_JS = """() => {
  const card = document.querySelector('[data-testid="crisis-card"]');
  const h1 = [...document.querySelectorAll("h1")];
  return {
    h1: h1.length,
    first: document.querySelector("main :is(h1, h2, h3, h4)").tagName,
    h1BeforeCard: !!(card && h1.length &&
      (h1[0].compareDocumentPosition(card) & Node.DOCUMENT_POSITION_FOLLOWING)),
  };
}"""
# Each group of digits of the receipt, and whether it was broken across lines.
RECEIPT_JS = """() => {
  const code = document.querySelector('[data-testid="receipt"]');
  const text = code.firstChild;
  const groups = [...text.textContent.matchAll(/\\d+/g)].map((match) => {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
  });
  const box = code.getBoundingClientRect();
  const parent = code.parentElement.getBoundingClientRect();
  return {
    linesPerGroup: groups,
    fontSize: parseFloat(getComputedStyle(code).fontSize),
    rem: parseFloat(getComputedStyle(document.documentElement).fontSize),
    overflow: Math.max(code.scrollWidth - code.clientWidth, box.right - parent.right),
    caseWrap: getComputedStyle(document.querySelector(".receipt-box p.case")).whiteSpace,
  };
}"""
# The elements that reach past the right edge of the screen.
WIDE_JS = """(width) => [...document.querySelectorAll("body *")]
  .filter((element) => element.getBoundingClientRect().right > width + 0.5)
  .map((element) => `${element.tagName}#${element.id}.${element.className} ` +
    `${Math.round(element.getBoundingClientRect().right)}`)"""
# Each visible form control's border colour, its own background and the background
# around it (the first ancestor with an opaque one).
BORDERS_JS = """() => {
  const rgb = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const around = (element) => {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length < 4 || colour[3] === 1) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll(
    "input[type=text], input[type=search], select, textarea"
  )].filter((control) => control.getClientRects().length).map((control) => {
    const style = getComputedStyle(control);
    return {
      control: control.id,
      border: rgb(style.borderTopColor).slice(0, 3),
      width: parseFloat(style.borderTopWidth),
      inside: rgb(style.backgroundColor).slice(0, 3),
      outside: around(control),
    };
  });
}"""


def say(language: str, message: str) -> str:
    return translations(language).gettext(message)


async def open_form(page: Page, server: RunningServer, javascript: bool = True) -> None:
    await page.goto(f"{server.base_url}/s/AST-001", wait_until="load")
    if javascript:
        await page.wait_for_function("() => window.htmx !== undefined")


async def send_report(page: Page, server: RunningServer, text: str) -> str:
    """Sends a report from the form; the receipt it answers with."""
    await open_form(page, server)
    await page.locator("#text").fill(text)
    await page.locator("#report button[type=submit]").tap()
    receipt = page.locator('[data-testid="receipt"]')
    await expect(receipt).to_be_visible()
    return (await receipt.inner_text()).strip()


async def open_case(page: Page, server: RunningServer, receipt: str) -> None:
    await page.goto(f"{server.base_url}/follow-up", wait_until="load")
    await page.wait_for_function("() => window.htmx !== undefined")
    await page.locator("#receipt").fill(receipt)
    await page.locator("#follow-up button[type=submit].primary").tap()
    await expect(page.locator('[data-testid="status"]')).to_be_visible()


async def reply(page: Page, text: str) -> None:
    await page.locator("#reply").fill(text)
    await page.locator('form[hx-post="/follow-up/reply"] button[type=submit]').tap()


async def add_pictures(page: Page, files: list[FilePayload]) -> None:
    await page.locator("#more-evidence").set_input_files(files)
    await page.locator('form[hx-post="/follow-up/evidence"] button[type=submit]').tap()


async def tied(page: Page, scope: str) -> dict[str, dict[str, Any]]:
    controls = await page.evaluate(TIED_JS, scope)
    return {control["control"]: control for control in controls}


def assert_tied(controls: dict[str, dict[str, Any]], invalid: set[str], where: str) -> None:
    """The controls named are invalid and described by their field's message; no other is."""
    marked = {name for name, control in controls.items() if control["invalid"] == "true"}
    assert marked == invalid, f"{where}: aria-invalid on {sorted(marked)}, not {sorted(invalid)}"
    for name in invalid:
        control = controls[name]
        assert control["described"], f"{where}: {name} has no aria-describedby"
        assert all(control["messages"]), f"{where}: {name} points at {control['described']}"


async def assert_every_message_is_pointed_at(page: Page, where: str) -> None:
    alone = [name for name, pointing in await page.evaluate(MESSAGES_JS) if not pointing]
    assert alone == [], f"{where}: no control is described by {alone}"


async def assert_h1_before_crisis_card(page: Page, where: str) -> None:
    headings = await page.evaluate(HEADINGS_JS)
    assert headings == {"h1": 1, "first": "H1", "h1BeforeCard": True}, (where, headings)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_focus_lands_on_each_answer_htmx_swaps_in(
    browser: Browser, server: RunningServer, language: str
) -> None:
    t = translations(language).gettext
    async with phone(browser, language) as page:
        await open_form(page, server)
        # A first visit focuses nothing (and so does not scroll).
        assert await focused(page) == "BODY"
        await expect(page.locator("[autofocus]")).to_have_count(0)

        # Sent back with errors: the summary that says so.
        await page.locator("#text").fill("   ")
        await page.locator("#report button[type=submit]").tap()
        await expect(page.locator("#report .error-box")).to_be_focused()
        await expect(page.locator("#report .error-box")).to_have_text(
            t("Please check the fields marked below.")
        )

        # Another language, and back: the page's heading, in the new language.
        other = OTHER[language]
        await page.locator("nav.languages button", has_text=LANGUAGE_NAMES[other]).tap()
        await expect(page.locator("#report h1")).to_have_text(say(other, "What happened?"))
        await expect(page.locator("#report h1")).to_be_focused()
        await page.locator("nav.languages button", has_text=LANGUAGE_NAMES[language]).tap()
        await expect(page.locator("#report h1")).to_have_text(t("What happened?"))
        await expect(page.locator("#report h1")).to_be_focused()

        # The receipt: its heading.
        receipt = await send_report(page, server, CALM[language])
        assert RECEIPT_SHAPE.match(receipt), receipt
        await expect(page.locator("#report h1")).to_have_text(t("Thank you. Your report was sent."))
        await expect(page.locator("#report h1")).to_be_focused()
        await expect(page.locator('[data-testid="crisis-card"]')).to_have_count(0)

        # Help needed: the crisis card's heading, which comes right after the page's h1.
        await send_report(page, server, DANGEROUS[language])
        await expect(page.locator("#crisis-title")).to_be_focused()
        await expect(page.locator("#crisis-title")).to_have_text(t("You are not alone."))
        await assert_h1_before_crisis_card(page, f"receipt in {language}")

        # Follow-up: a wrong code focuses the box to correct it.
        await page.goto(f"{server.base_url}/follow-up", wait_until="load")
        await page.wait_for_function("() => window.htmx !== undefined")
        assert await focused(page) == "BODY"
        await page.locator("#receipt").fill("0000 0000 0000 0000")
        await page.locator("#follow-up button[type=submit].primary").tap()
        await expect(page.locator("#receipt")).to_be_focused()
        await expect(page.locator("#receipt")).to_have_attribute("aria-invalid", "true")

        # The case opened: its heading.
        await page.locator("#receipt").fill(receipt)
        await page.locator("#follow-up button[type=submit].primary").tap()
        await expect(page.locator('[data-testid="status"]')).to_be_visible()
        await expect(page.locator("#follow-up h1")).to_be_focused()

        # A reply sent: the notice that says so.
        await reply(page, THANKS[language])
        await expect(page.locator(".notice")).to_have_text(t("Your message was sent."))
        await expect(page.locator(".notice")).to_be_focused()

        # An empty reply, and a file that is no picture: the box that was refused.
        await reply(page, "   ")
        await expect(page.locator("#reply")).to_be_focused()
        await add_pictures(page, [NOT_A_PICTURE])
        await expect(page.locator("#more-evidence")).to_be_focused()

        # Pictures added: the notice.
        photo = FilePayload(name="photo.jpg", mimeType="image/jpeg", buffer=jpeg_with_gps())
        await add_pictures(page, [photo])
        await expect(page.locator(".notice")).to_have_text(t("Your pictures were added."))
        await expect(page.locator(".notice")).to_be_focused()

        # A reply that signals danger: the crisis card's heading, after the page's h1.
        await reply(page, DANGEROUS[language])
        await expect(page.locator("#crisis-title")).to_be_focused()
        await assert_h1_before_crisis_card(page, f"follow-up in {language}")


async def test_without_javascript_only_answers_to_a_post_take_the_focus(
    browser: Browser, server: RunningServer
) -> None:
    async with phone(browser, "ru", javascript=False) as page:
        # First visits: nothing focused, nothing scrolled.
        for path in ("/", "/s/AST-001", "/follow-up"):
            await page.goto(f"{server.base_url}{path}", wait_until="load")
            await expect(page.locator("[autofocus]")).to_have_count(0)
            assert await focused(page) == "BODY", path
            assert await page.evaluate("window.scrollY") == 0, path

        # The page after a POST: what it says, as with htmx.
        await open_form(page, server, javascript=False)
        await page.locator("#text").fill(CALM["ru"])
        await page.locator("#report button[type=submit]").tap()
        await expect(page.locator('[data-testid="receipt"]')).to_be_visible()
        await expect(page.locator("#report h1")).to_be_focused()

        await open_form(page, server, javascript=False)
        await page.locator("#text").fill(DANGEROUS["ru"])
        await page.locator("#report button[type=submit]").tap()
        await expect(page.locator("#crisis-title")).to_be_focused()
        await assert_h1_before_crisis_card(page, "receipt without JavaScript")


async def test_every_control_with_an_error_is_tied_to_its_message(
    browser: Browser, server: RunningServer
) -> None:
    for language in LANGUAGES:
        t = translations(language).gettext
        async with phone(browser, language) as page:
            await open_form(page, server)
            # The asterisk is for the eye: the field is named without a "star".
            await expect(page.locator("#text")).to_have_accessible_name(
                t("Tell us in your own words")
            )
            # Every field wrong at once (values no form offers, texts past their limits).
            await page.evaluate(
                """() => {
                  const pick = (selector, value) => {
                    const control = document.querySelector(selector);
                    control.value = value;
                    control.checked = true;
                  };
                  pick('input[name="quick_choices"]', "nonsense");
                  pick('input[name="reporter_role"]', "nonsense");
                  for (const id of ["location", "happened"]) {
                    const select = document.getElementById(id);
                    select.options[1].value = "nonsense";
                    select.selectedIndex = 1;
                  }
                  document.getElementById("text").value = "   ";
                  document.getElementById("location_detail").value = "x".repeat(400);
                  document.getElementById("people_involved").value = "x".repeat(1200);
                  document.getElementById("signed_name").value = "Асель Маратовна";
                }"""
            )
            await page.locator("#report button[type=submit]").tap()
            await expect(page.locator("#report .error-box")).to_be_visible()
            controls = await tied(page, "#report-form")
            checkboxes = {name for name in controls if name.startswith("quick_choices=")}
            radios = {name for name in controls if name.startswith("reporter_role=")}
            assert len(checkboxes) > 1 and len(radios) > 1, controls
            assert_tied(
                controls,
                {
                    "text",
                    "location",
                    "happened",
                    "location_detail",
                    "people_involved",
                    "signed_name",
                    "signed_contact",
                }
                | checkboxes
                | radios,
                f"report form in {language}",
            )
            assert controls["signed_contact"]["messages"] == [
                t("Only teachers sign reports. Pupils stay anonymous.")
            ]
            await assert_every_message_is_pointed_at(page, f"report form in {language}")

            # Pictures are checked once the rest is right.
            await open_form(page, server)
            await page.locator("#text").fill(CALM[language])
            await page.locator("#evidence").set_input_files([NOT_A_PICTURE])
            await page.locator("#report button[type=submit]").tap()
            await expect(page.locator("#evidence-error")).to_be_visible()
            assert_tied(await tied(page, "#report-form"), {"evidence"}, f"pictures in {language}")
            await assert_every_message_is_pointed_at(page, f"pictures in {language}")

            # The follow-up page: the code, a reply, pictures.
            receipt = await send_report(page, server, CALM[language])
            await page.goto(f"{server.base_url}/follow-up", wait_until="load")
            await page.wait_for_function("() => window.htmx !== undefined")
            await page.locator("#receipt").fill("1234")
            await page.locator("#follow-up button[type=submit].primary").tap()
            await expect(page.locator("#receipt-error")).to_be_visible()
            assert_tied(await tied(page, "#follow-up"), {"receipt"}, f"code in {language}")
            await open_case(page, server, receipt)
            await reply(page, "   ")
            await expect(page.locator("#reply-error")).to_have_text(t("Please write a message."))
            assert_tied(await tied(page, "#follow-up"), {"reply"}, f"reply in {language}")
            await assert_every_message_is_pointed_at(page, f"reply in {language}")
            await add_pictures(page, [NOT_A_PICTURE])
            await expect(page.locator("#evidence-error")).to_be_visible()
            assert_tied(
                await tied(page, "#follow-up"), {"more-evidence"}, f"pictures later in {language}"
            )
            await assert_every_message_is_pointed_at(page, f"pictures later in {language}")


async def test_emergency_links_and_controls_are_large_enough_to_hit(
    browser: Browser, server: RunningServer
) -> None:
    async def too_small(page: Page, selector: str, width: bool = True) -> list[str]:
        small = []
        for element in await page.locator(selector).all():
            box = await element.bounding_box()
            assert box is not None, selector
            if box["height"] < TARGET or (width and box["width"] < TARGET):
                text = (await element.inner_text()) or selector
                small.append(f"{text.strip()} {box['width']:.0f}x{box['height']:.0f}")
        return small

    for language in LANGUAGES:
        t = translations(language).gettext
        async with phone(browser, language) as page:
            await open_form(page, server)
            await expect(page.locator(".help-strip a")).to_have_count(4)
            problems = await too_small(page, ".help-strip a")
            problems += await too_small(page, "nav.languages > *")
            problems += await too_small(page, "select, input[type=file], label.check", False)
            assert problems == [], f"{language}: {problems}"
            # Links are named with the number they reach, and what following them does.
            strip = page.locator(".help-strip")
            await expect(strip.locator('a[href="tel:150"]')).to_have_accessible_name(t("Call 150"))
            await expect(strip.locator('a[href="tel:112"]')).to_have_accessible_name(t("Call 112"))
            for number in ("111", "150", "112"):
                footer = page.locator(f'.helplines a[href="tel:{number}"]')
                await expect(footer).to_have_accessible_name(f"{t('Call')} {number}")
            await expect(page.locator('.helplines a[href="sms:111"]')).to_have_accessible_name(
                f"{t('Write a message')} 111"
            )
            # The current language is marked as such.
            await expect(page.locator('nav.languages [aria-current="true"]')).to_have_text(
                LANGUAGE_NAMES[language]
            )

            # In the crisis card, 112 is a button beside the others, not a word-sized link.
            await send_report(page, server, DANGEROUS[language])
            card = page.locator('[data-testid="crisis-card"]')
            await expect(card.locator('a[href="tel:112"]')).to_have_count(1)
            call = card.locator('.crisis-actions a.button[href="tel:112"]')
            await expect(call).to_have_text(t("Call 112"))
            problems = await too_small(page, ".crisis-actions a")
            problems += await too_small(page, ".help-strip a")
            assert problems == [], f"{language}, crisis card: {problems}"


async def test_form_controls_have_borders_that_can_be_seen(
    browser: Browser, server: RunningServer
) -> None:
    async with phone(browser, "kk") as page:
        receipt = await send_report(page, server, CALM["kk"])
        seen = []
        for path in ("/", "/s/AST-001", "/follow-up", "open case"):
            if path == "open case":
                await open_case(page, server, receipt)
            else:
                await page.goto(f"{server.base_url}{path}", wait_until="load")
            for control in await page.evaluate(BORDERS_JS):
                border = tuple(control["border"])
                ratio = min(
                    contrast_ratio(border, tuple(control["inside"])),
                    contrast_ratio(border, tuple(control["outside"])),
                )
                seen.append(control["control"])
                assert control["width"] >= 1, (path, control)
                assert ratio >= 3, f"{path}: #{control['control']} border {ratio:.2f}:1 {control}"
        assert {"q", "text", "location", "receipt", "reply"} <= set(seen), seen


async def test_nothing_scrolls_sideways_at_200_percent_zoom(
    browser: Browser, server: RunningServer
) -> None:
    for language in LANGUAGES:
        async with phone(browser, language, ZOOMED_PHONE) as page:
            for path in ("/", "/s/AST-001", "/follow-up", "/no-such-page"):
                await page.goto(f"{server.base_url}{path}", wait_until="load")
                overflow = await horizontal_overflow(page, ZOOMED_PHONE)
                assert overflow <= 0, (
                    f"{path} in {language} is {overflow} px too wide at 180 px: "
                    f"{await page.evaluate(WIDE_JS, ZOOMED_PHONE['width'])}"
                )
            for text in (CALM[language], DANGEROUS[language]):
                receipt = await send_report(page, server, text)
                assert RECEIPT_SHAPE.match(receipt), receipt
                overflow = await horizontal_overflow(page, ZOOMED_PHONE)
                assert overflow <= 0, f"receipt in {language} is {overflow} px too wide"
                layout = await page.evaluate(RECEIPT_JS)
                # Zoomed in, the code grows with the text; it breaks only between groups.
                assert layout["fontSize"] >= 1.2 * layout["rem"] - 0.01, layout
                assert layout["linesPerGroup"] == [1, 1, 1, 1], layout
                assert layout["overflow"] <= 0, layout
                assert layout["caseWrap"] != "nowrap", layout
            await open_case(page, server, receipt)
            overflow = await horizontal_overflow(page, ZOOMED_PHONE)
            assert overflow <= 0, f"the case in {language} is {overflow} px too wide"

        # WCAG text spacing on the narrowest phone: the receipt still fits, in whole groups.
        async with phone(browser, language, SMALL_PHONE, bypass_csp=True) as page:
            await send_report(page, server, CALM[language])
            await page.add_style_tag(content=TEXT_SPACING_CSS)
            layout = await page.evaluate(RECEIPT_JS)
            assert layout["linesPerGroup"] == [1, 1, 1, 1], layout
            assert layout["overflow"] <= 0, layout
            assert await horizontal_overflow(page, SMALL_PHONE) <= 0


async def test_the_error_page_says_what_happened_in_its_heading_and_title(
    browser: Browser, server: RunningServer
) -> None:
    for language in LANGUAGES:
        message = say(language, MESSAGES[404])
        async with phone(browser, language) as page:
            response = await page.goto(f"{server.base_url}/no-such-page", wait_until="load")
            assert response is not None and response.status == 404
            await expect(page.locator("h1")).to_have_count(1)
            await expect(page.locator("main h1")).to_have_text(message)
            assert message in await page.title(), await page.title()
