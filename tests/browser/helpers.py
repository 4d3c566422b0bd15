"""What the browser tests share: a phone's screen and what is checked on every page."""

from __future__ import annotations

from playwright.async_api import Page

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
