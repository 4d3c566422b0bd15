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


@pytest.mark.parametrize(
    ("spaced", "word"),
    [("мысли о с у и ц и д е", "суициде"), ("я р е ж у с ь", "режусь"), ("i k i l l", "kill")],
)
def test_a_one_letter_word_before_spaced_out_letters_is_also_left_out(spaced, word):
    # "о", "я", "i" may be a word of their own or the first letter: both joins are kept.
    words = normalise(spaced).split()
    assert word in words
    assert normalise(spaced).startswith(spaced.split()[0])


def test_a_short_spaced_word_is_not_split_off_its_first_letter():
    assert normalise("с у к а").split()[-1] == "сука"


@pytest.mark.parametrize(
    ("written", "reading"),
    [
        ("ум3р3ть", "умереть"),
        ("табл3тки", "таблетки"),
        ("з3мля", "земля"),
        ("уб€й с€бя", "убей себя"),
    ],
)
def test_three_and_euro_read_as_e_in_cyrillic_words(written, reading):
    # "3" is also "з" ("ра3бил"): that reading is kept beside the "е" one.
    assert reading in normalise(written)


def test_three_keeps_its_ze_reading():
    assert "разбил" in normalise("ра3бил").split()


def test_ordinary_short_words_survive_joining():
    assert normalise("а я в шоке").split()[:3] == ["а", "я", "в"]


def test_english_is_left_english():
    assert normalise("I was bullied at school") == "i was bullied at school"


def test_both_kazakh_spellings_meet():
    assert normalise("мені мазақтайды") == normalise("мени мазактайды")
