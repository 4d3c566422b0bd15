"""Receipts and case codes: the right shape, and every symbol used in every place."""

from __future__ import annotations

from school_safety.reports.receipts import (
    RECEIPT_DIGITS,
    new_case_code,
    new_receipt,
    normalise_case_code,
    normalise_receipt,
)


def test_receipts_are_16_digits_drawn_over_every_position():
    receipts = [new_receipt() for _ in range(3000)]
    assert all(len(r) == RECEIPT_DIGITS and normalise_receipt(r) == r for r in receipts)
    # Leading zeros are kept, and no position is stuck: each sees all ten digits.
    for position in range(RECEIPT_DIGITS):
        assert {r[position] for r in receipts} == set("0123456789")
    assert len(set(receipts)) == len(receipts)


def test_case_codes_use_the_whole_alphabet_in_every_position():
    codes = [new_case_code() for _ in range(3000)]
    assert all(normalise_case_code(code) == code for code in codes)
    letters = [code.replace("-", "") for code in codes]
    for position in range(8):
        # 31 symbols, 3000 draws: missing one by chance is far below one in a million.
        assert len({code[position] for code in letters}) == 31
