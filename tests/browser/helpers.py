"""What the browser tests share: a phone's screen and what is checked on every page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playwright.async_api import Browser, Page

from tests.browser.conftest import TIMEOUT_MS

PHONE = {"width": 360, "height": 740}
# The narrowest phones still sold cheaply, and older ones handed down.
SMALL_PHONE = {"width": 320, "height": 568}

CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


async def horizontal_overflow(page: Page, screen: dict[str, int] = PHONE) -> int:
    """How many CSS pixels the page is wider than the phone's screen."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    return int(width) - screen["width"]


# 200% zoom on a 360 px phone: the page is laid out for 180 CSS pixels.
ZOOMED_PHONE = {"width": 180, "height": 370}

# WCAG 2.1 success criterion 1.4.12 (text spacing): what a reader's style sheet may set.
TEXT_SPACING_CSS = """
* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important; }
p { margin-bottom: 2em !important; }
"""


async def focused(page: Page) -> str:
    """The focused element as `tag#id.class` (BODY when nothing is focused)."""
    return str(
        await page.evaluate(
            """() => {
              const element = document.activeElement;
              if (!element) return "";
              return element.tagName + (element.id ? "#" + element.id : "") +
                [...element.classList].map((name) => "." + name).join("");
            }"""
        )
    )


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: tuple[float, float, float], second: tuple[float, float, float]) -> float:
    """WCAG contrast ratio of two opaque sRGB colours (0-255 channels)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@asynccontextmanager
async def phone(
    browser: Browser,
    language: str,
    screen: dict[str, int] = PHONE,
    javascript: bool = True,
    bypass_csp: bool = False,
) -> AsyncIterator[Page]:
    """A page on a touch phone whose browser asks for `language`."""
    context = await browser.new_context(
        viewport=screen,
        screen=screen,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=javascript,
        bypass_csp=bypass_csp,
        extra_http_headers={"Accept-Language": language},
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield await context.new_page()
    finally:
        await context.close()
