"""Case codes and receipts.

The case code names a report; the receipt proves the holder wrote it. Only a
keyed hash of the receipt is stored: a stolen database does not let anyone read
a pupil's conversation, and the receipt itself never reaches a log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from school_safety.config import get_settings

RECEIPT_DIGITS = 16
# No 0/O, 1/I/L: case codes are read aloud and typed from paper.
_CASE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CASE_LENGTH = 8


def new_receipt() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(RECEIPT_DIGITS))


def format_receipt(receipt: str) -> str:
    """Groups of four, as shown to the pupil: 1234 5678 9012 3456."""
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def normalise_receipt(typed: str) -> str | None:
    """The digits of a typed receipt, tolerant of spaces and dashes; None if malformed."""
    digits = "".join(ch for ch in typed if not ch.isspace() and ch != "-")
    if len(digits) != RECEIPT_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def receipt_hash(receipt: str) -> str:
    key = get_settings().secret_key
    return hmac.new(key, b"receipt:" + receipt.encode(), hashlib.sha256).hexdigest()


def new_case_code() -> str:
    code = "".join(secrets.choice(_CASE_ALPHABET) for _ in range(_CASE_LENGTH))
    return f"{code[:4]}-{code[4:]}"


def normalise_case_code(typed: str) -> str | None:
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(cleaned) != _CASE_LENGTH or any(ch not in _CASE_ALPHABET for ch in cleaned):
        return None
    return f"{cleaned[:4]}-{cleaned[4:]}"
