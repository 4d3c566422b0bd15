"""Each normalisation rule makes two spellings of the same word meet."""

from __future__ import annotations

import pytest

from school_safety.classifier.normalise import normalise


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("ДУРАК", "дурак"),
        ("Ёлка", "елка"),
        ("дураааак", "дурак"),
        ("nooooo", "no"),
        ("класс", "класс"),  # real double letters stay
        ("дyp@k", "дурак"),  # Latin look-alikes and @ inside a Cyrillic word
        ("л0х", "лох"),
        ("k1ll y0urself", "kill yourself"),
        ("l0ser", "loser"),
        ("с*ка", "ска"),
        ("қорқамын", "коркамын"),
        ("ӨЛГІМ КЕЛЕДІ", "олгим келеди"),
        ("әңгіме ұят үй һ ғ", "ангиме уят уй х г"),
        ("хочу умереть!!! 😭😭", "хочу умереть"),
        ("привет,как дела?", "привет как дела"),
        ("в 9А классе", "в 9а классе"),
        ("2024 жыл", "2024 жыл"),  # plain numbers are not letters
        ("  a\n\tb  ", "a b"),
    ],
)
def test_rules(written, expected):
    assert normalise(written) == expected


@pytest.mark.parametrize(
    "spaced", ["д у р а к", "д.у.р.а.к", "д-у-р-а-к", "д*у*р*а*к", "Д У Р А К"]
)
def test_spaced_out_letters_are_joined_and_kept(spaced):
    words = normalise(spaced).split()
    assert "дурак" in words


def test_ordinary_short_words_survive_joining():
    assert normalise("а я в шоке").split()[:3] == ["а", "я", "в"]


def test_english_is_left_english():
    assert normalise("I was bullied at school") == "i was bullied at school"


def test_both_kazakh_spellings_meet():
    assert normalise("мені мазақтайды") == normalise("мени мазактайды")
