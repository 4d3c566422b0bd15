"""Cleaning typed text: every code point is kept or dropped exactly as Unicode says."""

from __future__ import annotations

import sys
import unicodedata

from school_safety.text import clean_line, clean_text, parse_id


def _dropped_by_category(ch: str) -> bool:
    return ch not in "\n\t" and unicodedata.category(ch) in {"Cc", "Cs", "Co"}


def test_exactly_the_control_surrogate_and_private_use_characters_are_dropped():
    # Every code point (but \r, which becomes a line end), spaced apart so that
    # NFC cannot combine neighbours; NFC may still replace a character by its
    # canonical equivalent, on both sides alike.
    for start in range(0, sys.maxunicode + 1, 4096):
        chars = [chr(c) for c in range(start, min(start + 4096, sys.maxunicode + 1)) if c != 13]
        expected = " ".join("" if _dropped_by_category(ch) else ch for ch in chars)
        assert clean_text(" ".join(chars)) == unicodedata.normalize("NFC", expected).strip()


def test_line_ends_nfc_and_outer_space():
    assert clean_text("  е\u0308ж\r\nтаңертең\rбүгін\x00\t!  ") == "ёж\nтаңертең\nбүгін\t!"
    assert clean_line(" бір \n\n екі\tүш ") == "бір екі үш"


def test_ids_are_ascii_digits_that_fit_an_integer_column():
    assert parse_id(" 42 ") == 42
    assert parse_id("999999999") == 999_999_999
    for bad in ("", "-1", "4.2", "²", "٣", "1" * 10, "12a"):
        assert parse_id(bad) is None, bad
