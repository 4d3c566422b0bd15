"""Cleaning free text typed by people before it is stored."""

from __future__ import annotations

import unicodedata

_KEEP_CONTROLS = {"\n", "\t"}


def clean_text(raw: str) -> str:
    """NFC, Unix line ends, no control characters, no outer blank space.

    PostgreSQL refuses NUL in text, and other control characters only ever
    come from broken clients or attempts to confuse a reader.
    """
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(
        ch
        for ch in text
        if ch in _KEEP_CONTROLS or unicodedata.category(ch) not in {"Cc", "Cs", "Co"}
    )
    return text.strip()


def clean_line(raw: str) -> str:
    """A single-line field: clean_text with every run of white space folded to one space."""
    return " ".join(clean_text(raw).split())
