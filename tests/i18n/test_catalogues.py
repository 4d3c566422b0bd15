"""The catalogues against the sources: complete, consistent and current.

Messages are extracted afresh from the sources with the method map and
keywords of babel.cfg, so a string added to a template or a module fails here
until it is translated. The fix is always the same: run
`python -m school_safety.i18n.extract`, then translate what it lists.
"""

from __future__ import annotations

import contextvars
import re
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from school_safety.i18n import LANGUAGES, catalogue_path, gettext, set_language, translations

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "babel.cfg"
TEMPLATE = ROOT / "school_safety" / "i18n" / "messages.pot"
FIX = "Run `python -m school_safety.i18n.extract` and translate what it lists."

# A printf-style conversion: %(name)s, %(count)d, %s, %%...
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")

Key = tuple[str, str | None]  # (msgid, context)


@cache
def extracted() -> dict[Key, str | tuple[str, ...]]:
    """Every message in the sources, keyed like a catalogue (singular id, context)."""
    with CONFIG.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(CONFIG))
    found: dict[Key, str | tuple[str, ...]] = {}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        singular = message if isinstance(message, str) else message[0]
        found[(singular, context)] = message
    assert found, "babel.cfg extracted nothing: check its patterns"
    return found


@cache
def catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def key(message: Message) -> Key:
    singular = message.id if isinstance(message.id, str) else message.id[0]
    return (singular, message.context)


def strings(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return [""]
    return [value] if isinstance(value, str) else list(value)


def placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text) if match.group(0) != "%%"}


def show(keys: list[Key]) -> str:
    return "\n".join(
        f"    {msgid!r}" + (f" (context {ctx!r})" if ctx else "") for msgid, ctx in keys
    )


def _gettext_as(language: str, message: str, variables: dict[str, object]) -> str:
    set_language(language)
    return gettext(message, **variables)


def gettext_as(language: str, message: str, **variables: object) -> str:
    """The message as the application renders it in a language, leaking nothing to later tests."""
    return contextvars.copy_context().run(_gettext_as, language, message, variables)


def test_every_message_is_translated_in_every_language() -> None:
    missing: dict[str, list[Key]] = {}
    for language in LANGUAGES:
        catalog = catalogue(language)
        for msgkey in extracted():
            message = catalog.get(*msgkey)
            if message is None or message.fuzzy or not all(strings(message.string)):
                missing.setdefault(language, []).append(msgkey)
    report = "\n".join(
        f"{language}: {len(keys)} missing, empty or fuzzy\n{show(keys)}"
        for language, keys in missing.items()
    )
    assert not missing, f"Untranslated messages.\n{report}\n{FIX}"


def test_english_catalogue_repeats_the_source() -> None:
    different = [
        key(message)
        for message in entries(catalogue("en"))
        if strings(message.string) != strings(message.id)
    ]
    assert not different, (
        "English is the source language; these English msgstr differ from their msgid "
        f"(change the source string instead):\n{show(different)}"
    )


def test_translations_keep_the_placeholders() -> None:
    wrong: list[str] = []
    for language in LANGUAGES:
        for message in entries(catalogue(language)):
            expected = set().union(*(placeholders(text) for text in strings(message.id)))
            values = {name: 1 for name in PLACEHOLDER.findall(" ".join(strings(message.id)))}
            values.pop("", None)
            for text in strings(message.string):
                if not text:
                    continue
                if placeholders(text) != expected:
                    wrong.append(
                        f"{language}: {message.id!r}: has {sorted(placeholders(text))}, "
                        f"needs {sorted(expected)}"
                    )
                    continue
                # Jinja's newstyle gettext always %-formats: a stray % would break the page.
                try:
                    _formatted = text % values
                except (KeyError, TypeError, ValueError) as error:
                    wrong.append(f"{language}: {message.id!r}: {text!r} does not format ({error})")
    report = "\n".join(f"    {line}" for line in wrong)
    assert not wrong, f"Translations whose %(name)s placeholders do not match:\n{report}"


def test_no_catalogue_holds_messages_gone_from_the_sources() -> None:
    current = set(extracted())
    stale: dict[str, list[Key]] = {}
    for language in LANGUAGES:
        catalog = catalogue(language)
        keys = [key(message) for message in entries(catalog) if key(message) not in current]
        keys += [key(message) for message in catalog.obsolete.values()]
        if keys:
            stale[language] = keys
    with TEMPLATE.open("rb") as handle:
        template = read_po(handle)
    template_keys = {key(message) for message in entries(template)}
    if template_keys != current:
        stale["messages.pot (out of date)"] = sorted(
            template_keys ^ current, key=lambda item: (item[0], item[1] or "")
        )
    report = "\n".join(f"{where}:\n{show(keys)}" for where, keys in stale.items())
    assert not stale, f"Catalogue entries no longer in the sources.\n{report}\n{FIX}"


KEY_MESSAGES = (
    "Safe School",
    "Send anonymously",
    "Your secret code",
    "What happened?",
    "You are not alone. Help is free and anonymous.",
    "If someone is in danger right now.",
)


def test_kazakh_and_russian_are_really_translated() -> None:
    gone = [message for message in KEY_MESSAGES if (message, None) not in extracted()]
    assert not gone, f"Key messages no longer in the sources; update KEY_MESSAGES: {gone}"
    english = {message: gettext_as("en", message) for message in KEY_MESSAGES}
    assert english == {message: message for message in KEY_MESSAGES}
    for language in ("kk", "ru"):
        for message in KEY_MESSAGES:
            translated = gettext_as(language, message)
            assert translated and translated != message, (language, message)
    for message in KEY_MESSAGES:
        kazakh = gettext_as("kk", message)
        russian = gettext_as("ru", message)
        assert kazakh != russian, message
    assert gettext_as("kk", "Safe School") == "Қауіпсіз мектеп"
    assert gettext_as("ru", "Safe School") == "Безопасная школа"


def test_kazakh_catalogue_is_not_russian() -> None:
    """Short Kazakh can do without ә ғ қ ң ө ұ ү һ і ("Не болды?"); a whole catalogue cannot."""
    russian = {key(message): message.string for message in entries(catalogue("ru"))}
    kazakh = [message for message in entries(catalogue("kk")) if message.string]
    same = [key(m) for m in kazakh if m.string == russian.get(key(m)) and m.string != m.id]
    assert not same, f"Kazakh translations identical to the Russian ones:\n{show(same)}"
    with_letters = [m for m in kazakh if KAZAKH_LETTERS & set("".join(strings(m.string)))]
    assert len(with_letters) >= 0.75 * len(kazakh), (
        f"Only {len(with_letters)} of {len(kazakh)} Kazakh translations use a Kazakh letter"
    )


def test_placeholders_are_filled_in_every_language() -> None:
    message = "A school psychologist will answer within %(hours)s hours."
    for language in LANGUAGES:
        text = gettext_as(language, message, hours=48)
        assert "48" in text and "%" not in text, (language, text)


PLURALS = {
    # n: index of the plural form
    "kk": (2, {0: 1, 1: 0, 2: 1, 5: 1, 11: 1, 21: 1}),
    "en": (2, {0: 1, 1: 0, 2: 1, 5: 1, 11: 1, 21: 1}),
    "ru": (
        3,
        {0: 2, 1: 0, 2: 1, 4: 1, 5: 2, 11: 2, 12: 2, 14: 2, 21: 0, 22: 1, 25: 2, 101: 0, 111: 2},
    ),
}


def test_headers_name_the_language_and_plural_forms_parse() -> None:
    assert set(PLURALS) == set(LANGUAGES)
    for language, (count, samples) in PLURALS.items():
        catalog = catalogue(language)
        assert str(catalog.locale) == language
        assert not catalog.fuzzy, f"{language}: the header is marked fuzzy"
        # What the application really loads: the header of the compiled catalogue.
        compiled = translations(language)
        info = compiled.info()
        assert info.get("language") == language, info
        match = re.fullmatch(r"nplurals=(\d+); plural=(.+);", info.get("plural-forms", ""))
        assert match, f"{language}: Plural-Forms {info.get('plural-forms')!r} does not parse"
        assert int(match.group(1)) == count == catalog.num_plurals
        plural = compiled.plural  # type: ignore[attr-defined]
        assert {n: plural(n) for n in samples} == samples, language
        assert all(0 <= plural(n) < count for n in range(1000)), language
