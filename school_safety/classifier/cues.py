"""Risk cues: the evidence a low suicide_risk score needs before it flags.

The suicide_risk threshold must find 95% of the suicide-risk texts scored
out of fold (training.py), and the quietest of those score low: at that threshold the
model alone also flags ordinary first-person writing (complaints, reviews)
that merely shares everyday words with them. So suicide_risk has two
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


def read_cues(language: str) -> list[str]:
    cues = read_list(cues_file(language))
    for cue in cues:
        # A one-letter beginning would match most words of most texts.
        if len((normalise(cue).split() or [""])[0]) < 2:
            raise ValueError(f"{cues_file(language).name}: {cue!r}: starts with one letter")
    return cues


@cache
def _cues_by_first_word() -> dict[str, list[tuple[str, ...]]]:
    """Cues as tuples of word beginnings, indexed by their first word."""
    return by_first_word(cue for language in LANGUAGES for cue in read_cues(language))


# A text's words repeat across texts: which cues each word can start is worked out once.
_starting: dict[str, tuple[tuple[str, ...], ...]] = {}


def _cues_starting(word: str) -> tuple[tuple[str, ...], ...]:
    found = _starting.get(word)
    if found is None:
        index = _cues_by_first_word()
        found = tuple(cue for end in range(2, len(word) + 1) for cue in index.get(word[:end], ()))
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
        for cue in _cues_starting(word):
            if _matches(words, position, cue):
                yield cue


def risk_cues(normalised_text: str) -> list[str]:
    """The risk cues found in an already normalised text, each as its normalised words."""
    return sorted({" ".join(cue) for cue in _found(normalised_text)})


def has_risk_cue(normalised_text: str) -> bool:
    # Stops at the first cue: this runs for every text between the two thresholds.
    return next(_found(normalised_text), None) is not None
