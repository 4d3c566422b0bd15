"""Finding schools: by code for a school's own link, by words for the search box."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from school_safety.i18n import LANGUAGES, current_language
from school_safety.schools.tables import Region, School

SEARCH_LIMIT = 20


@dataclass(frozen=True)
class SchoolCard:
    id: int
    code: str
    names: dict[str, str]
    towns: dict[str, str]
    region_code: str
    region_names: dict[str, str]

    def name(self, language: str | None = None) -> str:
        return _in_language(self.names, language)

    def town(self, language: str | None = None) -> str:
        return _in_language(self.towns, language)

    def region(self, language: str | None = None) -> str:
        return _in_language(self.region_names, language)


def _in_language(values: Mapping[str, Any], language: str | None) -> str:
    language = language or current_language()
    # Kazakh and Russian names are always filled in; English may be missing.
    return str(values.get(language) or values.get("ru") or values.get("kk") or "")


def localised(row: Mapping[str, Any], prefix: str, language: str | None = None) -> str:
    """A row's `<prefix>_kk|ru|en` column in the page's language ("name", "school.name")."""
    return _in_language({lang: row.get(f"{prefix}_{lang}") for lang in LANGUAGES}, language)


# Pupils often type Kazakh words on a Russian keyboard: "Актобе" must find "Ақтөбе".
_KAZAKH_TO_RUSSIAN_LETTERS = str.maketrans("әғқңөұүһі", "агкноуухи")


def fold(text: str) -> str:
    return text.casefold().replace("ё", "е").translate(_KAZAKH_TO_RUSSIAN_LETTERS)


def search_text_for(*parts: str) -> str:
    """The folded text a school is found by (see School.search_text)."""
    return " ".join(fold(part) for part in parts if part)


_COLUMNS = (
    School.id,
    School.code,
    School.name_kk,
    School.name_ru,
    School.name_en,
    School.town_kk,
    School.town_ru,
    School.town_en,
    School.region.code,
    School.region.name_kk,
    School.region.name_ru,
    School.region.name_en,
)


def _card(row: dict[str, Any]) -> SchoolCard:
    return SchoolCard(
        id=row["id"],
        code=row["code"],
        names={lang: row[f"name_{lang}"] for lang in ("kk", "ru", "en")},
        towns={lang: row[f"town_{lang}"] for lang in ("kk", "ru", "en")},
        region_code=row["region.code"],
        region_names={lang: row[f"region.name_{lang}"] for lang in ("kk", "ru", "en")},
    )


# Every submission looks its school up; schools change rarely. Each process
# keeps what it looked up for a minute, so a renamed or closed school shows
# everywhere within that minute.
SCHOOL_CACHE_SECONDS = 60.0
_by_code: dict[str, tuple[float, SchoolCard | None]] = {}


def forget_schools() -> None:
    """Drop cached lookups: after an administrator changes schools (and in tests)."""
    _by_code.clear()


async def school_by_code(code: str) -> SchoolCard | None:
    code = code.strip().upper()
    cached = _by_code.get(code)
    now = time.monotonic()
    if cached and cached[0] > now:
        return cached[1]
    row = (
        await School.select(*_COLUMNS)
        .where((School.code == code) & (School.active == True))  # noqa: E712
        .first()
    )
    card = _card(row) if row else None
    if len(_by_code) > 50_000:
        _by_code.clear()
    _by_code[code] = (now + SCHOOL_CACHE_SECONDS, card)
    return card


# LIKE's wildcards are dropped rather than escaped: the engines disagree on
# escaping, and no name searched for needs them.
_NO_WILDCARDS = str.maketrans({"%": " ", "_": " ", "\\": " "})


def without_wildcards(query: str) -> str:
    return query.translate(_NO_WILDCARDS)


def search_words(query: str) -> list[str]:
    """The words a school is searched by (see School.search_text): folded, at most six."""
    return without_wildcards(fold(query)).split()[:6]


async def search_schools(query: str, limit: int = SEARCH_LIMIT) -> list[SchoolCard]:
    """Schools whose names, town or code contain every word of the query."""
    words = search_words(query)
    if not words:
        return []
    condition: Any = School.active == True  # noqa: E712
    for word in words:
        condition &= School.search_text.like(f"%{word}%")
    rows = await School.select(*_COLUMNS).where(condition).order_by(School.code).limit(limit)
    return [_card(row) for row in rows]


async def regions() -> list[dict[str, Any]]:
    return await Region.select().order_by(Region.code)
