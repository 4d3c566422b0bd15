"""Crisis phrases: hits always raise suicide_risk.

A statistical model can slip on a plain "I want to die"; these lists cannot.
They are data, one file per language under `crisis_phrases/`, reviewed by
people: one phrase per line, `#` starts a comment. Phrases are matched after
the same normalisation as the model's input, on word boundaries, so "өлгім
келеді" also matches "олгим келеди" and "ӨЛГІМ КЕЛЕДІІІ".
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from school_safety.classifier.normalise import normalise

PHRASES_DIR = Path(__file__).parent / "crisis_phrases"
LANGUAGES = ("kk", "ru", "en")


def phrases_file(language: str) -> Path:
    return PHRASES_DIR / f"{language}.txt"


def read_phrases(language: str) -> list[str]:
    lines = phrases_file(language).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@cache
def _pattern() -> re.Pattern[str]:
    normalised = {normalise(phrase) for language in LANGUAGES for phrase in read_phrases(language)}
    # Longest first, so the reported hit is the most specific phrase.
    alternatives = sorted((p for p in normalised if p), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, alternatives)) + r")(?!\w)")


def crisis_hits(normalised_text: str) -> list[str]:
    """The crisis phrases found in an already normalised text."""
    return sorted(set(_pattern().findall(normalised_text)))
