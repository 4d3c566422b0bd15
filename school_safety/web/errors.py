"""Every error answers in the user's language: a page for browsers, JSON for the API.

No stack trace or exception text ever reaches the client; unexpected errors
are logged (without anything about the client) and answered with a plain 500.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, PermissionDeniedException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from school_safety.i18n import N_, gettext, set_language
from school_safety.web.locale import language_for

logger = logging.getLogger("school_safety.errors")

MESSAGES: dict[int, str] = {
    400: N_("Something in what was sent is not right. Please check it and try again."),
    403: N_("This page was open for too long. Please go back, reload the page and try again."),
    404: N_("This page does not exist."),
    405: N_("This page cannot be used like that."),
    413: N_("What you sent is too large. Please attach fewer or smaller pictures."),
    429: N_("Too many attempts. Please wait a few minutes and try again."),
    500: N_("Something went wrong on our side. Please try again in a minute."),
}


@dataclass
class FieldName:
    field: str


@dataclass
class JsonError:
    """What error_response answers the API with, for the OpenAPI schema to show."""

    error: str
    status: int
    # Present on a 400 for fields missing or of the wrong type: their names only.
    detail: list[FieldName] | None = None


# A missing field is named only in the decoder's message (its key is then the whole
# body, "data"). The name comes from our own schema, never from what was sent.
_MISSING_FIELD = re.compile(r"missing required field `([a-z_]{1,40})`")


def _field_name(item: dict[str, Any]) -> str | None:
    missing = _MISSING_FIELD.search(str(item.get("message", "")))
    return missing.group(1) if missing else item.get("key")


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str, detail: object = None) -> Response:
    headers = {}
    if wants_json(request):
        body: dict[str, object] = {"error": message, "status": status}
        if detail:
            body["detail"] = detail
        return Response(body, status_code=status, media_type=MediaType.JSON)
    template = "errors/_error.html" if request.headers.get("hx-request") else "errors/error.html"
    if request.headers.get("hx-request"):
        # Let htmx show the message in the page's error area instead of swapping a fragment.
        headers["hx-retarget"] = "#page-error"
        headers["hx-reswap"] = "innerHTML"
    return Template(
        template_name=template,
        context={"status": status, "message": message},
        status_code=status,
        headers=headers,
    )


NOT_YOUR_ROLE = N_("Your account does not have access to this page.")


class RoleForbidden(PermissionDeniedException):
    """A signed-in user whose role may not use the page (CSRF failures are 403s too)."""


class SignInRedirect(Exception):
    """Send the browser to a sign-in step (sign in, second factor, password change)."""

    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


def _message_for(exc: HTTPException) -> str:
    if isinstance(exc, RoleForbidden):
        return NOT_YOUR_ROLE
    return MESSAGES.get(exc.status_code, MESSAGES[400])


def handle_sign_in_redirect(request: Request, exc: SignInRedirect) -> Response:
    """To the sign-in step; htmx gets a client-side redirect instead of a page in a fragment."""
    location = exc.location
    if request.headers.get("hx-request"):
        return Response(content=b"", status_code=200, headers={"hx-redirect": location})
    return Redirect(path=location, status_code=303)


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    # Unknown paths never pass the locale middleware, so decide the language here too.
    set_language(language_for(request))
    status = exc.status_code
    if status >= 500:
        return handle_unexpected(request, exc)
    detail = None
    if isinstance(exc, ValidationException) and wants_json(request):
        # Field names only: Litestar's own messages are English and may echo input.
        detail = [
            {"field": name}
            for item in (exc.extra or [])
            if isinstance(item, dict) and (name := _field_name(item))
        ]
    message = gettext(_message_for(exc))
    response = error_response(request, status, message, detail)
    if status == 429 and exc.headers:
        response.headers.update(exc.headers)
    return response


def handle_unexpected(request: Request, exc: Exception) -> Response:
    set_language(language_for(request))
    logger.error(
        "Unhandled %s on %s %s",
        type(exc).__name__,
        request.method,
        request.scope.get("path_template", "(no route)"),
        exc_info=exc,
    )
    return error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, gettext(MESSAGES[500]))


def handle_undecodable(request: Request, exc: UnicodeDecodeError) -> Response:
    """Form fields that are not UTF-8: the client's fault, so a 400, not a 500."""
    set_language(language_for(request))
    return error_response(request, 400, gettext(MESSAGES[400]))
