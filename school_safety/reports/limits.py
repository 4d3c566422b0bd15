"""How often an anonymous client may submit, and may get a receipt wrong."""

from __future__ import annotations

from functools import cache

from school_safety.config import get_settings
from school_safety.i18n import N_
from school_safety.web.ratelimit import SlidingWindowLimiter

TOO_MANY_SUBMISSIONS = N_(
    "Too many reports were sent from this connection. Please wait a while and try again. "
    "If you are in danger, call 112."
)
TOO_MANY_GUESSES = N_("Too many wrong codes. Please wait a few minutes and try again.")

# Across all clients: guessing receipts from many addresses at once is still bounded.
RECEIPT_FAILURES_ALL_CLIENTS_FACTOR = 100


@cache
def submissions() -> SlidingWindowLimiter:
    return SlidingWindowLimiter(get_settings().submit_limit_per_hour, 3600)


@cache
def receipt_failures() -> SlidingWindowLimiter:
    settings = get_settings()
    return SlidingWindowLimiter(
        settings.receipt_failures_per_window, settings.receipt_failure_window_seconds
    )


@cache
def receipt_failures_all_clients() -> SlidingWindowLimiter:
    settings = get_settings()
    return SlidingWindowLimiter(
        settings.receipt_failures_per_window * RECEIPT_FAILURES_ALL_CLIENTS_FACTOR,
        settings.receipt_failure_window_seconds,
    )


ALL_CLIENTS = "all"


def receipt_guessing_blocked(client: str) -> bool:
    return receipt_failures().blocked(client) or receipt_failures_all_clients().blocked(ALL_CLIENTS)


def record_receipt_failure(client: str) -> None:
    receipt_failures().hit(client)
    receipt_failures_all_clients().hit(ALL_CLIENTS)


def reset_all() -> None:
    """Forget every count (tests, and nothing else)."""
    for limiter in (submissions(), receipt_failures(), receipt_failures_all_clients()):
        limiter.clear()
