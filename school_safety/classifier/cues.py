"""Risk cues: the evidence a low suicide_risk score needs before it flags.

The suicide_risk threshold must find 95% of the suicide-risk texts scored
out of fold (training.py), and the quietest of those score low: at that
threshold the model alone also flags ordinary first-person writing
(complaints, reviews) that merely shares everyday words with them. So suicide_risk has two
thresholds (training.py chooses both): a text is flagged when its probability
reaches the upper one, or reaches the lower one and the text holds a risk cue:
a word about death, self-harm, a means, a goodbye, being a burden,
disappearing (crisis phrases still flag whatever the score).

The cues are data, one file per language beside the crisis phrases
(`crisis_phrases/<language>-cues.txt`), reviewed by people: one cue per
line, `#` starts a comment. Each word of a cue is the beginning of a word,
matched after the model's normalisation: "асыл" matches "асылып",
"асыламын"; "жоқ бол" matches "жоқ болсам", "жок болгым". A cue's first
word has at least two letters; a one-letter word later in a cue ("i m
gone", "won t") must match whole.

A stem that is also the start of everyday words gets exceptions: a line
starting with `!` is matched the same way, and where it matches, no cue
starting at that word counts. "дәрі" (medicine) stays a cue, and
"!дәрігер" (doctor) keeps it off "дәрігерге жазылдым". An exception, not a
narrower stem, because a narrower stem also loses the forms of the risky
word nobody thought to list.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

from school_safety.classifier.crisis import LANGUAGES, PHRASES_DIR, by_first_word, read_list
from school_safety.classifier.normalise import normalise

_WORD_CACHE_LIMIT = 200_000


def cues_file(language: str) -> Path:
    return PHRASES_DIR / f"{language}-cues.txt"


def _entries(language: str) -> list[str]:
    entries = read_list(cues_file(language))
    for entry in entries:
        # A one-letter beginning would match most words of most texts.
        if len((normalise(entry.removeprefix("!")).split() or [""])[0]) < 2:
            raise ValueError(f"{cues_file(language).name}: {entry!r}: starts with one letter")
    return entries


def read_cues(language: str) -> list[str]:
    return [entry for entry in _entries(language) if not entry.startswith("!")]


def read_exceptions(language: str) -> list[str]:
    """Everyday words a cue's stem also begins (`!` lines), without the `!`."""
    return [entry[1:].strip() for entry in _entries(language) if entry.startswith("!")]


@cache
def _cues_by_first_word() -> dict[str, list[tuple[str, ...]]]:
    """Cues as tuples of word beginnings, indexed by their first word."""
    return by_first_word(cue for language in LANGUAGES for cue in read_cues(language))


@cache
def _exceptions_by_first_word() -> dict[str, list[tuple[str, ...]]]:
    return by_first_word(entry for language in LANGUAGES for entry in read_exceptions(language))


def _beginning(index: dict[str, list[tuple[str, ...]]], word: str) -> tuple[tuple[str, ...], ...]:
    return tuple(entry for end in range(2, len(word) + 1) for entry in index.get(word[:end], ()))


# A text's words repeat across texts: which cues and exceptions each word can
# start is worked out once.
_starting: dict[str, tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]] = {}


def _cues_starting(
    word: str,
) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """(cues, exceptions) whose first word begins this word."""
    found = _starting.get(word)
    if found is None:
        cues = _beginning(_cues_by_first_word(), word)
        found = (cues, _beginning(_exceptions_by_first_word(), word) if cues else ())
        if len(_starting) >= _WORD_CACHE_LIMIT:
            _starting.clear()
        _starting[word] = found
    return found


def _matches(words: list[str], position: int, cue: tuple[str, ...]) -> bool:
    following = words[position + 1 : position + len(cue)]
    return len(following) == len(cue) - 1 and all(
        have.startswith(want) if len(want) > 1 else have == want
        for have, want in zip(following, cue[1:], strict=True)
    )


def _found(normalised_text: str) -> Iterator[tuple[str, ...]]:
    words = normalised_text.split()
    for position, word in enumerate(words):
        cues, exceptions = _cues_starting(word)
        if cues and not any(_matches(words, position, entry) for entry in exceptions):
            for cue in cues:
                if _matches(words, position, cue):
                    yield cue


def risk_cues(normalised_text: str) -> list[str]:
    """The risk cues found in an already normalised text, each as its normalised words."""
    return sorted({" ".join(cue) for cue in _found(normalised_text)})


def has_risk_cue(normalised_text: str) -> bool:
    # Stops at the first cue: this runs for every text between the two thresholds.
    return next(_found(normalised_text), None) is not None
