"""An access log with nothing in it that could identify a pupil.

Method, the route's template (so `/api/v1/reports/{case}` rather than the case
code), status and time taken. No address, user agent, referrer, query string
or cookie is ever written, on any route. The server's own access log is off.
"""

from __future__ import annotations

import logging
import sys
import time

from litestar.types import Message, Scope

logger = logging.getLogger("school_safety.access")

_STARTED = "school_safety_started"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def write_directly() -> None:
    """Send access lines straight to stderr rather than through the logging queue.

    Litestar's logging hands every record to a queue that a thread of its own
    writes out; for a line per request, that thread taking the interpreter lock
    from the requests cost a tenth of a report's time. A line is one short
    write, as with uvicorn's own access log.
    """
    if any(getattr(handler, "_school_safety_access", False) for handler in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler._school_safety_access = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.propagate = False


def mark_request_start(scope: Scope) -> None:
    scope.setdefault("state", {})[_STARTED] = time.perf_counter()


async def log_response(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start" or scope.get("type") != "http":
        return
    route = scope.get("path_template") or "(no route)"
    started = scope.get("state", {}).get(_STARTED)
    took = f" {1000 * (time.perf_counter() - started):.1f}ms" if started else ""
    logger.info("%s %s %s%s", scope.get("method", "-"), route, message["status"], took)
