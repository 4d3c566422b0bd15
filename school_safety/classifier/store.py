"""Where the shipped model lives, and building it when it is missing.

The model is built from the repository's corpus by `school-safety classifier
train`, or by `serve` on first start, into `<data dir>/classifier/`. A model
built from another corpus than the repository's is rebuilt the same way.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from school_safety.classifier import model
from school_safety.classifier.corpus import corpus_files, files_hash, load_examples
from school_safety.classifier.model import ModelFileError, ReportClassifier
from school_safety.classifier.training import TRAINING_REVISION, Progress, cues_hash, train
from school_safety.config import get_settings

_log = logging.getLogger("school_safety.classifier")
_lock = threading.Lock()
_loaded: ReportClassifier | None = None


def model_dir() -> Path:
    return get_settings().data_dir / "classifier"


def build(extra: Sequence[Path] = (), progress: Progress = print) -> ReportClassifier:
    paths = [*corpus_files(), *extra]
    classifier = train(load_examples(paths), paths, progress=progress)
    classifier.card.extra_files = [path.name for path in extra]
    model.save(classifier, model_dir())
    forget()
    return classifier


def needs_building() -> str | None:
    """Why the model must be (re)built, or None.

    A model trained with a deployment's extra labels is kept even when it is
    out of date: an operator chose it, and only they have the files to
    rebuild it with. It is kept with a warning naming what changed.
    """
    card = model.read_card(model_dir())
    if card is None or not (model_dir() / model.MODEL_FILE).exists():
        return "there is no classifier model yet"
    reason = _out_of_date(card)
    if reason and card.extra_files:
        _log.warning(
            "The classifier model was trained with extra labelled files (%s), and %s. It is "
            "kept; rebuild it with `school-safety classifier train --extra FILE` to update it.",
            ", ".join(card.extra_files),
            reason,
        )
        return None
    return reason


def _out_of_date(card: model.ModelCard) -> str | None:
    corpus = files_hash(corpus_files())
    if card.extra_files:
        # corpus_hash covers the extra files too; the project's own is kept beside it
        # (cards older than that have none: for them a change cannot be told).
        corpus_changed = card.project_corpus_hash not in ("", corpus)
    else:
        corpus_changed = card.corpus_hash != corpus
    if corpus_changed:
        return "the project corpus has changed since the model was built"
    if card.cues_hash != cues_hash():
        # The cue thresholds were chosen with the lists as they were.
        return "the risk-cue lists have changed since the model was built"
    if not card.version.startswith(f"{TRAINING_REVISION}."):
        return "training has changed since the model was built"
    return None


def ensure_model(progress: Progress = print) -> None:
    reason = needs_building()
    if reason:
        progress(f"Building the classifier model: {reason}.")
        build(progress=progress)


def get_classifier() -> ReportClassifier:
    """The loaded model, shared by every request of this process."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = model.load(model_dir())
        return _loaded


def is_loaded() -> bool:
    """Whether get_classifier() will answer from memory, without reading a file."""
    return _loaded is not None


def warm_up() -> None:
    """Load the model ahead of the first report, so that report does not wait for it."""
    try:
        get_classifier()
        # The model's vocabularies are dicts of a million n-grams that live as long
        # as the process: every full garbage collection walked them, a pause of
        # tens of milliseconds for whichever requests were in flight. Frozen, the
        # collector leaves them (and everything loaded before them) alone.
        gc.freeze()
    except Exception:  # no model yet: the first report is classified by the retry job
        _log.warning("No classifier model could be loaded at start", exc_info=True)


def forget() -> None:
    global _loaded
    with _lock:
        _loaded = None


__all__ = ["ModelFileError", "build", "ensure_model", "get_classifier", "needs_building"]
