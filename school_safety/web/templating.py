"""The Jinja environment: translations, formatting and the names templates may use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel.dates import format_datetime, format_timedelta
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from litestar.plugins.jinja import JinjaTemplateEngine

from school_safety.config import get_settings
from school_safety.help.helplines import HELPLINES
from school_safety.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    current_language,
    translate,
    translate_plural,
    translations,
)
from school_safety.reports import choices
from school_safety.reports.receipts import format_receipt

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
# Kazakhstan has used one time zone, UTC+5, since March 2024.
KAZAKHSTAN = timezone(timedelta(hours=5), "UTC+5")


def local_time(value: datetime, pattern: str = "d MMMM y, HH:mm") -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value.astimezone(KAZAKHSTAN), pattern, locale=current_language())


def age(value: datetime) -> str:
    """How long ago, in words of the page's language ("3 hours")."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_timedelta(datetime.now(UTC) - value, threshold=1.5, locale=current_language())


def gettext_in(language: str, message: str) -> str:
    """A message in a given language, whatever the page's: the poster shows two at once."""
    return translations(language).gettext(message)


@pass_context
def language_switch_url(context: Any, language: str) -> str:
    """The link that switches language and comes back to this page.

    After a form was sent, the address it was sent to only answers a POST
    (coming back to it would be a 405). Then the link comes back to the page
    the view names as `language_return`, or else to the address one step up
    ("/staff/cases/X/status" → "/staff/cases/X"), where the forms live.
    """
    request = context["request"]
    if request.method == "GET":
        current = request.url.path
        if request.url.query:
            current = f"{current}?{request.url.query}"
    else:
        current = context.get("language_return") or request.url.path.rstrip("/").rsplit("/", 1)[0]
    return f"/language/{language}?next={quote(current or '/', safe='')}"


def build_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        translate, translate_plural, newstyle=True
    )
    environment.globals.update(
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        HELPLINES=HELPLINES,
        choices=choices,
        current_language=current_language,
        gettext_in=gettext_in,
        language_switch_url=language_switch_url,
        settings=get_settings(),
    )
    environment.filters.update(local_time=local_time, receipt=format_receipt, age=age)
    return environment


def template_engine() -> JinjaTemplateEngine:
    return JinjaTemplateEngine.from_environment(build_environment())
