"""The application factory: assembles every domain's routes with the shared web layer."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException
from litestar.handlers import BaseRouteHandler
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE
from litestar.template.config import TemplateConfig

import school_safety.db  # noqa: F401 - points Piccolo at our configuration
from school_safety.admin.pages import AdminPages
from school_safety.audit.pages import AuditPages
from school_safety.cases.pages import CasePages
from school_safety.classifier.store import warm_up
from school_safety.config import get_settings
from school_safety.db.engine import close_pool, open_pool
from school_safety.reports.api import ReportsApi
from school_safety.reports.pages import ReportPages
from school_safety.schools.api import SchoolsApi
from school_safety.schools.pages import SchoolPages
from school_safety.staff.pages import AccountPages, SignInPages
from school_safety.web.access_log import log_response
from school_safety.web.access_log import write_directly as write_access_log_directly
from school_safety.web.errors import (
    SignInRedirect,
    handle_http_exception,
    handle_sign_in_redirect,
    handle_undecodable,
    handle_unexpected,
)
from school_safety.web.headers import add_security_headers
from school_safety.web.language import switch_language
from school_safety.web.locale import LocaleMiddleware
from school_safety.web.site import favicon, health
from school_safety.web.templating import template_engine

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
# A week: static files change only with a release, and pupils pay for their data.
STATIC_MAX_AGE = 7 * 24 * 3600

__version__ = "0.1.0"


async def _startup(app: Litestar) -> None:
    settings = get_settings()
    # Loads in a worker thread while the app starts answering.
    app.state.model_warm_up = asyncio.get_running_loop().run_in_executor(None, warm_up)
    if settings.db_pool:
        await open_pool()
    if settings.jobs_enabled:
        from school_safety.jobs.scheduler import build_scheduler

        app.state.scheduler = build_scheduler()
        app.state.scheduler.start()


async def _shutdown(app: Litestar) -> None:
    await app.state.model_warm_up
    scheduler = getattr(app.state, "scheduler", None)
    if scheduler is not None:
        scheduler.shutdown(wait=False)
    await close_pool()


API_PATHS = "^/api/"
_API_PATH = re.compile(API_PATHS)
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})


def api_bodies_are_json(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    """Refuse an API request whose body is not declared JSON, with a 415.

    The API is exempt from CSRF tokens. A browser sends a cross-site form or
    text/plain post without asking first; a cross-site JSON post needs a CORS
    preflight, which this server never grants. Without this check the API
    would read such a post's body as JSON all the same.
    """
    if connection.scope.get("method") in _BODYLESS or not _API_PATH.match(connection.url.path):
        return
    media_type = connection.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE)


# The route option that keeps a response uncompressed: set for the whole app,
# cleared for static files (see the compression settings below).
UNCOMPRESSED = "uncompressed"


def create_app() -> Litestar:
    settings = get_settings()
    logging.getLogger("school_safety").setLevel(logging.INFO)
    write_access_log_directly()
    return Litestar(
        route_handlers=[
            SchoolPages,
            ReportPages,
            SchoolsApi,
            ReportsApi,
            SignInPages,
            AccountPages,
            AdminPages,
            AuditPages,
            CasePages,
            switch_language,
            health,
            favicon,
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                name="static",
                cache_control=CacheControlHeader(max_age=STATIC_MAX_AGE, public=True),
                opt={UNCOMPRESSED: False},
            ),
        ],
        template_config=TemplateConfig(instance=template_engine()),
        plugins=[HTMXPlugin()],
        csrf_config=CSRFConfig(
            secret=settings.secret_key.decode(),
            # The JSON API takes no cookies and is called by other services, not browsers.
            # Anchored: unanchored, it matched anywhere, e.g. the school code in /s/api/report.
            exclude=[API_PATHS],
            cookie_samesite="strict",
            cookie_httponly=True,
            cookie_secure=settings.https,
        ),
        guards=[api_bodies_are_json],
        middleware=[LocaleMiddleware()],
        # Static files only (htmx is 52 kB, 17 kB gzipped, on slow mobile data).
        # Pages are left alone: compressing a page that holds a secret (a CSRF
        # token, a receipt) beside text the visitor chose lets response sizes
        # leak the secret (BREACH).
        compression_config=CompressionConfig(
            backend="gzip", gzip_compress_level=9, exclude_opt_key=UNCOMPRESSED
        ),
        opt={UNCOMPRESSED: True},
        before_send=[add_security_headers, log_response],
        exception_handlers={
            HTTPException: handle_http_exception,
            UnicodeDecodeError: handle_undecodable,
            SignInRedirect: handle_sign_in_redirect,
            Exception: handle_unexpected,
        },
        request_max_body_size=settings.request_max_bytes,
        openapi_config=OpenAPIConfig(
            title="school_safety",
            version=__version__,
            path="/api/schema",
            # Only the JSON document: the interactive viewers load scripts from other hosts.
            render_plugins=[JsonRenderPlugin()],
        ),
        on_startup=[_startup],
        on_shutdown=[_shutdown],
        debug=False,
    )
