"""Which language a request is answered in: cookie, then Accept-Language, then Kazakh."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from school_safety.i18n import DEFAULT_LANGUAGE, LANGUAGES, parse_accept_language, set_language
from school_safety.web.access_log import mark_request_start

LANGUAGE_COOKIE = "lang"


def language_for(connection: ASGIConnection) -> str:
    chosen = connection.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return parse_accept_language(connection.headers.get("accept-language")) or DEFAULT_LANGUAGE


class LocaleMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        mark_request_start(scope)
        set_language(language_for(ASGIConnection(scope)))
        await next_app(scope, receive, send)
