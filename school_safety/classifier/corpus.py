"""Labelled texts: the project's own corpus, and CSV files in the same format.

Format: UTF-8 CSV with a header `text,labels`; `labels` holds zero or more
label names separated by `;` (empty means none). The project corpus lives in
`corpus/` beside this file; its data card is `corpus/README.md`.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from school_safety.classifier.labels import LABELS, parse_labels

CORPUS_DIR = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]
    source: str

    def targets(self) -> list[int]:
        return [int(label in self.labels) for label in LABELS]


class CorpusError(ValueError):
    pass


def corpus_files() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.csv"))


def read_examples(path: Path) -> list[Example]:
    """Every row of a labelled CSV; a bad row is an error naming its line."""
    examples = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"text", "labels"} <= set(reader.fieldnames):
            raise CorpusError(f"{path.name}: the header must have the columns text,labels")
        for row in reader:
            text = (row.get("text") or "").strip()
            if not text:
                raise CorpusError(f"{path.name}:{reader.line_num}: empty text")
            try:
                labels = parse_labels(row.get("labels") or "")
            except ValueError as exc:
                raise CorpusError(f"{path.name}:{reader.line_num}: {exc}") from exc
            examples.append(Example(text=text, labels=labels, source=path.name))
    return examples


def load_examples(paths: Iterable[Path]) -> list[Example]:
    return [example for path in paths for example in read_examples(path)]


def files_hash(paths: Sequence[Path]) -> str:
    """One hash over the files' names and bytes: names a corpus version."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
