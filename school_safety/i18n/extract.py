"""Re-extract every translatable message and bring the catalogues up to date.

    python -m school_safety.i18n.extract

Reads `babel.cfg` at the repository root (which files, which keywords), writes
`school_safety/i18n/messages.pot`, and merges it into
`locales/{kk,ru,en}/LC_MESSAGES/messages.po`:

* a new message arrives with an empty translation in kk and ru, so
  tests/i18n fails until someone translates it;
* a reworded message keeps its old translation marked fuzzy, as a hint for
  the translator; fuzzy entries are never shown and the tests reject them;
* a message no longer in the sources is dropped;
* English is the source language: its catalogue is filled with msgstr = msgid
  (a deliberate English correction, non-empty and not fuzzy, is kept).

Files are rewritten only when something other than their dates changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import metadata
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from school_safety.i18n import LANGUAGE_NAMES, LANGUAGES, catalogue_path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "babel.cfg"
TEMPLATE = Path(__file__).resolve().parent / "messages.pot"
SOURCE_LANGUAGE = "en"
PROJECT = "school_safety"
WIDTH = 76
COMMAND = "python -m school_safety.i18n.extract"

# Header lines that change on every run; ignored when deciding whether to write.
_DATES = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"\n', re.MULTILINE)


def _version() -> str:
    try:
        return metadata.version(PROJECT)
    except metadata.PackageNotFoundError:
        return "0"


def load_mapping(config: Path = CONFIG) -> tuple[list[tuple[str, str]], dict[str, dict]]:
    """The method map and per-pattern options (keywords included) from babel.cfg."""
    with config.open(encoding="utf-8") as handle:
        return parse_mapping_cfg(handle, str(config))


def extract_template(root: Path = ROOT, config: Path = CONFIG) -> Catalog:
    """Every message in the sources, as a catalogue template."""
    method_map, options_map = load_mapping(config)
    template = Catalog(
        project=PROJECT,
        version=_version(),
        msgid_bugs_address="",
        copyright_holder="",
        header_comment=(
            "# Messages of Safe School (school_safety), extracted from the sources.\n"
            "# Do not edit by hand; regenerate with:\n"
            f"#   {COMMAND}"
        ),
        charset="utf-8",
    )
    template.msgid_bugs_address = ""
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map
    ):
        template.add(
            message,
            None,
            [(filename, lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def _new_catalogue(language: str) -> Catalog:
    name = Locale.parse(language).english_name
    catalog = Catalog(
        locale=language,
        project=PROJECT,
        version=_version(),
        copyright_holder="",
        last_translator=PROJECT,
        language_team=f"{name} ({LANGUAGE_NAMES[language]})",
        header_comment=(
            f"# {name} messages of Safe School (school_safety).\n"
            "# Translate msgstr only. After changing the sources, run:\n"
            f"# {COMMAND}"
        ),
        fuzzy=False,
        charset="utf-8",
    )
    catalog.msgid_bugs_address = ""
    return catalog


def _fill_source_language(catalog: Catalog) -> None:
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy or not _translated(message):
            message.string = message.id
            message.flags.discard("fuzzy")


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return all(strings)


def _render(catalog: Catalog, *, omit_locations: bool = False) -> bytes:
    buffer = BytesIO()
    write_po(
        buffer,
        catalog,
        width=WIDTH,
        no_location=omit_locations,
        include_lineno=False,
        ignore_obsolete=True,
        # A reworded message shows its old msgid next to the fuzzy translation.
        include_previous=True,
    )
    return buffer.getvalue()


def _write_if_changed(path: Path, content: bytes) -> bool:
    if path.exists() and _DATES.sub(b"", path.read_bytes()) == _DATES.sub(b"", content):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def update_catalogue(language: str, template: Catalog) -> Catalog:
    """The language's catalogue merged with the template (not yet written)."""
    path = catalogue_path(language)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
    else:
        catalog = _new_catalogue(language)
    catalog.update(template)
    catalog.fuzzy = False
    if language == SOURCE_LANGUAGE:
        _fill_source_language(catalog)
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    return [
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id and (message.fuzzy or not _translated(message))
    ]


def main(languages: Iterable[str] = LANGUAGES) -> int:
    template = extract_template()
    now = datetime.now(UTC)
    template.creation_date = now
    changed = _write_if_changed(TEMPLATE, _render(template))
    print(
        f"{TEMPLATE.relative_to(ROOT)}: {len(template)} messages{'' if changed else ' (unchanged)'}"
    )
    for language in languages:
        catalog = update_catalogue(language, template)
        catalog.revision_date = now
        path = catalogue_path(language)
        changed = _write_if_changed(path, _render(catalog))
        todo = untranslated(catalog)
        state = f"{len(todo)} to translate" if todo else "complete"
        print(f"{path.relative_to(ROOT)}: {state}{'' if changed else ' (unchanged)'}")
        for msgid in todo:
            print(f"    {msgid!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
