"""A real server and a real (Debian) Chromium, driven by Playwright's async API.

No browser is ever downloaded: the system Chromium is used, or the tests are
skipped; with SCHOOL_SAFETY_REQUIRE_BROWSER=1 a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.running_server import RunningServer, running_server

if TYPE_CHECKING:
    from playwright.async_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every Playwright wait is bounded by this (milliseconds).
TIMEOUT_MS = 10_000
LAUNCH_TIMEOUT_MS = 15_000


def _browser_missing(reason: str) -> None:
    if os.environ.get("SCHOOL_SAFETY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (SCHOOL_SAFETY_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        _browser_missing(f"{CHROMIUM} does not exist: install Debian's chromium package")
    return CHROMIUM


@pytest.fixture
def server(tmp_path: Path, schools: dict[str, object]) -> Iterator[RunningServer]:
    with running_server(tmp_path / "server.log") as running:
        yield running


@pytest.fixture
async def browser(chromium_path: Path) -> AsyncIterator[Browser]:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium_path),
            args=CHROMIUM_ARGS,
            timeout=LAUNCH_TIMEOUT_MS,
        )
        try:
            yield launched
        finally:
            await launched.close()
