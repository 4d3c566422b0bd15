"""Cleaning free text typed by people before it is stored."""

from __future__ import annotations

import re
import unicodedata

# Control (Cc, except tab and line feed), surrogate (Cs) and private-use (Co)
# characters: fixed ranges by Unicode's stability policy. One regex pass costs
# a fraction of asking unicodedata about every character of a long report.
_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff"
    "\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)


def clean_text(raw: str) -> str:
    """NFC, Unix line ends, no control characters, no outer blank space.

    PostgreSQL refuses NUL in text, and other control characters only ever
    come from broken clients or attempts to confuse a reader.
    """
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return _UNWANTED.sub("", text).strip()


def clean_line(raw: str) -> str:
    """A single-line field: clean_text with every run of white space folded to one space."""
    return " ".join(clean_text(raw).split())


def parse_id(raw: str) -> int | None:
    """A row id typed or chosen in a form or query string; None if it cannot be one.

    ASCII digits only ("²" is a digit to Python, not to int()), and at most nine
    of them, so that it fits PostgreSQL's integer.
    """
    value = raw.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None
