"""Crisis phrases: hits always raise suicide_risk.

A statistical model can slip on a plain "I want to die"; these lists cannot.
They are data, one file per language under `crisis_phrases/`, reviewed by
people: one phrase per line, `#` starts a comment. Phrases are matched after
the same normalisation as the model's input, on word boundaries, so "өлгім
келеді" also matches "олгим келеди" and "ӨЛГІМ КЕЛЕДІІІ".
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from school_safety.classifier.normalise import normalise

PHRASES_DIR = Path(__file__).parent / "crisis_phrases"
LANGUAGES = ("kk", "ru", "en")


def phrases_file(language: str) -> Path:
    return PHRASES_DIR / f"{language}.txt"


def read_list(path: Path) -> list[str]:
    """The entries of a reviewed list file (phrases, cues): one per line, `#` starts a comment."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def by_first_word(entries: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    """Entries as normalised word tuples, indexed by their first word, each once.

    A text is then searched with one dict look-up per word.
    """
    index: dict[str, list[tuple[str, ...]]] = {}
    for entry in entries:
        words = tuple(normalise(entry).split())
        if words and words not in index.get(words[0], []):
            index.setdefault(words[0], []).append(words)
    return index


def read_phrases(language: str) -> list[str]:
    return read_list(phrases_file(language))


@cache
def _phrases_by_first_word() -> dict[str, list[tuple[str, ...]]]:
    return by_first_word(phrase for language in LANGUAGES for phrase in read_phrases(language))


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
