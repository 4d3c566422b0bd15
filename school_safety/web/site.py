"""Site-wide routes that belong to no domain: health check and favicon."""

from __future__ import annotations

from litestar import get
from litestar.response import Redirect


@get("/healthz", name="health", include_in_schema=False, sync_to_thread=False)
def health() -> str:
    """A trivial endpoint: monitoring, and the baseline the benchmarks measure against."""
    return "ok"


@get("/favicon.ico", name="favicon", include_in_schema=False, sync_to_thread=False)
def favicon() -> Redirect:
    """For clients that ask for the icon without reading the page's link to it."""
    return Redirect(path="/static/favicon.svg", status_code=301)
