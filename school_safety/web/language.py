"""Switching the language: a plain link that works without JavaScript."""

from __future__ import annotations

from litestar import get
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from school_safety.i18n import LANGUAGES
from school_safety.web.locale import LANGUAGE_COOKIE

ONE_YEAR = 365 * 24 * 3600


def safe_next(target: str) -> str:
    """Only a path on this site: never an open redirect."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@get("/language/{language:str}", name="language", include_in_schema=False)
async def switch_language(language: FromPath[str], next: FromQuery[str] = "/") -> Redirect:
    response = Redirect(path=safe_next(next), status_code=303)
    if language in LANGUAGES:
        response.cookies.append(language_cookie(language))
    return response


def language_cookie(language: str) -> Cookie:
    return Cookie(key=LANGUAGE_COOKIE, value=language, max_age=ONE_YEAR, samesite="lax", path="/")
