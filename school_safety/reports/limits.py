"""How often an anonymous client may submit, reply, add pictures, and get a receipt wrong.

Every limit is taken with `try_hit` before the request awaits anything, so
requests sent together cannot all pass a check made before any was counted.
"""

from __future__ import annotations

import logging
import time
from functools import cache

from school_safety.config import get_settings
from school_safety.i18n import N_
from school_safety.web.ratelimit import Hit, SlidingWindowLimiter

TOO_MANY_SUBMISSIONS = N_(
    "Too many reports were sent from this connection. Please wait a while and try again. "
    "If you are in danger, call 112."
)
TOO_MANY_GUESSES = N_("Too many wrong codes. Please wait a few minutes and try again.")
TOO_MANY_FOLLOW_UPS = N_("Too many attempts. Please wait a few minutes and try again.")

# Wrong receipts from all clients together, per window, above which operators
# are warned. Nobody is blocked by it: a site-wide block would let anyone lock
# every pupil out of their case, and with 10^16 receipts the per-client limit
# is what makes guessing hopeless.
RECEIPT_FAILURES_WARNING_FACTOR = 100

_log = logging.getLogger("school_safety.reports")


@cache
def submissions() -> SlidingWindowLimiter:
    return SlidingWindowLimiter(get_settings().submit_limit_per_hour, 3600)


@cache
def follow_ups() -> SlidingWindowLimiter:
    """Replies and added pictures: each costs a write, pictures cost decoding too."""
    return SlidingWindowLimiter(get_settings().follow_up_limit_per_hour, 3600)


@cache
def receipt_failures() -> SlidingWindowLimiter:
    settings = get_settings()
    return SlidingWindowLimiter(
        settings.receipt_failures_per_window, settings.receipt_failure_window_seconds
    )


@cache
def _receipt_failures_everywhere() -> SlidingWindowLimiter:
    # Used only to notice a high rate; being "full" bounds its memory.
    settings = get_settings()
    return SlidingWindowLimiter(
        settings.receipt_failures_per_window * RECEIPT_FAILURES_WARNING_FACTOR,
        settings.receipt_failure_window_seconds,
    )


_EVERYWHERE = "all"
_last_warning: float | None = None


def receipt_attempt(client: str) -> Hit | None:
    """Count a receipt attempt as wrong until it proves right; None when the client must wait."""
    return receipt_failures().try_hit(client)


def receipt_was_right(attempt: Hit) -> None:
    receipt_failures().give_back(attempt)


def receipt_was_wrong() -> None:
    """Note a wrong receipt site-wide, to warn operators of guessing (counts only)."""
    global _last_warning
    if _receipt_failures_everywhere().try_hit(_EVERYWHERE) is not None:
        return
    window = get_settings().receipt_failure_window_seconds
    now = time.monotonic()
    if _last_warning is None or now - _last_warning >= window:
        _last_warning = now
        _log.warning(
            "At least %d wrong receipts in the last %d seconds from all clients together: "
            "someone may be guessing receipts (each client is still limited on its own)",
            _receipt_failures_everywhere().limit,
            window,
        )


def reset_all() -> None:
    """Forget every count (tests, and nothing else)."""
    global _last_warning
    _last_warning = None
    for limiter in (
        submissions(),
        follow_ups(),
        receipt_failures(),
        _receipt_failures_everywhere(),
    ):
        limiter.clear()
