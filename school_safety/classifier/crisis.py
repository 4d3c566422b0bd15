"""Crisis phrases: hits always raise suicide_risk.

A statistical model can slip on a plain "I want to die"; these lists cannot.
They are data, one file per language under `crisis_phrases/`, reviewed by
people: one phrase per line, `#` starts a comment. Phrases are matched after
the same normalisation as the model's input, on word boundaries, so "өлгім
келеді" also matches "олгим келеди" and "ӨЛГІМ КЕЛЕДІІІ".
"""

from __future__ import annotations

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
def _phrases_by_first_word() -> dict[str, list[tuple[str, ...]]]:
    """Phrases as word tuples, indexed by their first word: one dict look-up per word of a text."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for language in LANGUAGES:
        for phrase in read_phrases(language):
            words = tuple(normalise(phrase).split())
            if words and words not in index.get(words[0], []):
                index.setdefault(words[0], []).append(words)
    return index


def crisis_hits(normalised_text: str) -> list[str]:
    """The crisis phrases found, as whole words, in an already normalised text."""
    index = _phrases_by_first_word()
    words = normalised_text.split()
    hits = set()
    for position, word in enumerate(words):
        for phrase in index.get(word, ()):
            if tuple(words[position : position + len(phrase)]) == phrase:
                hits.add(" ".join(phrase))
    return sorted(hits)
