"""How often an anonymous client may submit, reply, add pictures, and get a receipt wrong.

Every limit is taken with `try_hit` before the request awaits anything, so
requests sent together cannot all pass a check made before any was counted.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import cache

from school_safety.config import get_settings
from school_safety.i18n import N_
from school_safety.reports.followup import find_report_id
from school_safety.web.ratelimit import SlidingWindowLimiter

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


@dataclass(frozen=True)
class ReceiptCheck:
    """What a receipt opened: a report, nothing, or nothing yet (the client must wait)."""

    report_id: int | None
    must_wait: bool = False


async def check_receipt(client: str, receipt: str, case_code: str | None = None) -> ReceiptCheck:
    """The report a well-formed receipt opens, against the client's limit of wrong ones.

    The try is counted before the look-up, so that tries sent together cannot all
    pass, and given back when the receipt was right: only wrong ones count.
    """
    attempt = receipt_failures().try_hit(client)
    if attempt is None:
        return ReceiptCheck(None, must_wait=True)
    report_id = await find_report_id(receipt, case_code=case_code)
    if report_id is None:
        _note_wrong_receipt()
    else:
        receipt_failures().give_back(attempt)
    return ReceiptCheck(report_id)


def _note_wrong_receipt() -> None:
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
