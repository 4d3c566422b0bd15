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
    # One draw for all the digits (uniform over every 16-digit string, leading
    # zeros included): a draw per digit cost 16 reads of the system's randomness.
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


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
    # One draw, written in base len(_CASE_ALPHABET): uniform over all codes.
    number = secrets.randbelow(len(_CASE_ALPHABET) ** _CASE_LENGTH)
    letters = []
    for _ in range(_CASE_LENGTH):
        number, digit = divmod(number, len(_CASE_ALPHABET))
        letters.append(_CASE_ALPHABET[digit])
    code = "".join(letters)
    return f"{code[:4]}-{code[4:]}"


def normalise_case_code(typed: str) -> str | None:
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(cleaned) != _CASE_LENGTH or any(ch not in _CASE_ALPHABET for ch in cleaned):
        return None
    return f"{cleaned[:4]}-{cleaned[4:]}"
