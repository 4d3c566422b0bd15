"""Bringing pupils' writing to one spelling before features are taken.

Children write the same word many ways: "ДУРАК", "дурааак", "д у р а к",
"д.у.р.а.к", "дyp@k" (Latin look-alikes), "қорқам" and "коркам" (Kazakh
letters typed on a Russian keyboard). Each rule below makes two spellings
meet; none tries to be a spell checker. The function runs once per text on
the classification path, so it sticks to str.translate and a few regexes.
"""

from __future__ import annotations

import re
import unicodedata

# Kazakh-specific letters fold onto the Russian letter children type instead.
# A chain of str.replace is several times faster than str.translate here.
_FOLDS = tuple(zip("ёәғқңөұүһі", "еагкноуухи", strict=True))

# Latin letters that look like Cyrillic ones: used only inside words that are
# mostly Cyrillic, so English stays English.
_LATIN_LOOKALIKE_TO_CYRILLIC = str.maketrans("aceopxykmthb", "асеорхукмтнв")
# Digits and symbols used as letters ("л0х", "с@ка"), Cyrillic and Latin readings.
_LEET_IN_CYRILLIC = str.maketrans(
    {"0": "о", "3": "з", "4": "ч", "6": "б", "@": "а", "$": "с", "€": "е"}
)
# "3" stands for "з" and for "е" ("ум3р3ть", "табл3тки"): a Cyrillic word with one
# gets its "е" reading too, kept beside the other, as spaced-out letters are.
_THREE_AS_E = str.maketrans({"3": "е"})
_LEET_IN_LATIN = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)

_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")
# Three or more of the same letter: "дураааак", "nooooo" (doubles are real spelling).
_STRETCHED = re.compile(r"(\w)\1{2,}")
# Single letters separated by spaces, dots, dashes or stars: "с у к а", "д.у.р.а.к".
_SPACED_OUT = re.compile(r"(?<!\w)(?:\w[ .\-_*]{1,2}){2,}\w(?!\w)")
_SEPARATORS = re.compile(r"[ .\-_*]+")
# One-letter words that often stand just before a spaced-out word ("о с у и ц и д е",
# "я р е ж у с ь"): the joined word is also kept without them.
_ONE_LETTER_WORDS = frozenset("авикосуяi")
_NOT_WORD = re.compile(r"[^\w\s]+")


def _join_spaced_letters(text: str) -> str:
    # Keep the letters as they were too: "а я в шоке" is three real words, and
    # telling it from "с у к а" is not worth a dictionary.
    def join(match: re.Match[str]) -> str:
        joined = _SEPARATORS.sub("", match.group(0))
        if joined[:1] in _ONE_LETTER_WORDS and len(joined) > 4:
            return f"{match.group(0)} {joined} {joined[1:]}"
        return f"{match.group(0)} {joined}"

    return _SPACED_OUT.sub(join, text)


def _suspect(token: str) -> bool:
    """Worth a closer look: not plain letters of one script (most are, and skipping is fast)."""
    if not token.isalpha():
        return True
    return not token.isascii() and _LATIN.search(token) is not None


def _fix_token(token: str) -> str:
    has_digit_or_symbol = any(ch in "0123456789@$*€" for ch in token)
    cyrillic = len(_CYRILLIC.findall(token))
    latin = len(_LATIN.findall(token))
    if cyrillic and (latin or has_digit_or_symbol):
        token = token.translate(_LATIN_LOOKALIKE_TO_CYRILLIC)
        readings = [token.translate(_LEET_IN_CYRILLIC)]
        if "3" in token:
            readings.append(token.translate(_THREE_AS_E).translate(_LEET_IN_CYRILLIC))
        token = " ".join(readings)
    elif latin and has_digit_or_symbol and not token.isdigit():
        token = token.translate(_LEET_IN_LATIN)
    # A star hides a letter ("с*ка"); dropping it keeps the rest of the word together.
    return token.replace("*", "")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    for letter, folded in _FOLDS:
        if letter in text:
            text = text.replace(letter, folded)
    text = _join_spaced_letters(text)
    text = " ".join([_fix_token(token) if _suspect(token) else token for token in text.split()])
    text = _STRETCHED.sub(r"\1", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())
