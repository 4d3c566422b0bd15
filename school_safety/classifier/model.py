"""A trained classifier, its card, and how it is kept on disk.

The pipeline is stored with skops, never pickle: loading checks that the file
holds nothing but the types listed in ALLOWED_TYPES. A JSON card beside it
records version, training date, corpus hash, thresholds and validation
metrics, and the SHA-256 of the model file it describes.

Predicting goes through a linear fast path taken from the fitted pipeline
(fast.py, then a sigmoid per label); the tests check that it agrees with the
pipeline's own predict_proba.

A label is flagged when its probability reaches the label's threshold. For
suicide_risk the card may also hold a lower threshold that counts only for
texts holding a risk cue (cues.py), and a crisis phrase always flags it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as skops_io
from sklearn.pipeline import Pipeline

from school_safety.classifier.crisis import crisis_hits
from school_safety.classifier.cues import has_risk_cue
from school_safety.classifier.fast import LinearScorer
from school_safety.classifier.labels import LABELS, SUICIDE_RISK, priority_for
from school_safety.classifier.normalise import normalise

MODEL_FILE = "model.skops"
CARD_FILE = "model.json"

# Everything a model file may contain beyond skops' own defaults. Anything
# else in a file refuses to load.
ALLOWED_TYPES = frozenset(
    {
        "builtins.float",
        "builtins.int",
        "builtins.str",
        "builtins.tuple",
        "builtins.list",
        "builtins.dict",
        "numpy.dtype",
        "numpy.float64",
        "numpy.int64",
        "numpy.ndarray",
        "scipy.sparse._csr.csr_matrix",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.multioutput.MultiOutputClassifier",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._function_transformer.FunctionTransformer",
        "school_safety.classifier.pipeline.normalise_texts",
    }
)


class ModelFileError(RuntimeError):
    pass


@dataclass
class ModelCard:
    version: str
    trained_at: str
    corpus_hash: str
    seed: int
    thresholds: dict[str, float]
    validation: dict[str, Any]
    sizes: dict[str, int]
    library_versions: dict[str, str]
    model_sha256: str = ""
    # Labelled files beyond the project corpus (a deployment's confirmed labels).
    extra_files: list[str] = field(default_factory=list)
    # The project corpus alone: with extra files, corpus_hash covers those too,
    # and this is how a model trained with them still notices a new corpus.
    # Empty in cards written before it existed.
    project_corpus_hash: str = ""
    # Per label, a lower threshold that counts only for texts holding a risk cue
    # (cues.py); empty in cards written before it existed: one threshold per label.
    cue_thresholds: dict[str, float] = field(default_factory=dict)
    # The cue lists the cue thresholds were chosen with.
    cues_hash: str = ""


@dataclass(frozen=True)
class Prediction:
    probabilities: dict[str, float]
    flags: list[str]
    priority: str
    model: str
    crisis_phrases: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "labels": self.probabilities,
            "flags": self.flags,
            "priority": self.priority,
            "model": self.model,
            "crisis_phrases": self.crisis_phrases,
        }


class ReportClassifier:
    def __init__(self, pipeline: Pipeline, card: ModelCard):
        self.pipeline = pipeline
        self.card = card
        weights, bias, scale, shift = [], [], [], []
        for calibrated in pipeline.named_steps["labels"].estimators_:
            (pair,) = calibrated.calibrated_classifiers_
            linear = pair.estimator
            sigmoid = pair.calibrators[0]
            weights.append(linear.coef_.ravel())
            bias.append(float(linear.intercept_[0]))
            scale.append(float(sigmoid.a_))
            shift.append(float(sigmoid.b_))
        self._bias = np.array(bias)
        self._scale = np.array(scale)
        self._shift = np.array(shift)
        self._thresholds = np.array([card.thresholds[label] for label in LABELS])
        self._suicide_risk = LABELS.index(SUICIDE_RISK)
        # Columns with a lower threshold for texts that hold a risk cue, and that threshold.
        self._cue_thresholds = [
            (LABELS.index(label), value)
            for label, value in card.cue_thresholds.items()
            if value < card.thresholds[label]
        ]
        # Weights: features × labels.
        self._scorer = LinearScorer(pipeline.named_steps["features"], np.vstack(weights).T)

    @property
    def version(self) -> str:
        return self.card.version

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities, texts × labels, from already normalised texts."""
        scores = self._scorer.scores(texts) + self._bias
        # CalibratedClassifierCV's sigmoid: 1 / (1 + exp(a·f + b)).
        return 1.0 / (1.0 + np.exp(self._scale * scores + self._shift))

    def flagged(
        self,
        probabilities: np.ndarray,
        normalised: list[str],
        phrase_hits: Sequence[bool] | np.ndarray,
    ) -> np.ndarray:
        """Texts × labels: which labels are flagged. The flagging rule, in one place.

        `phrase_hits` says which texts hold a crisis phrase: those always flag
        suicide_risk. Otherwise a probability at or above its label's threshold
        flags it; one below it but at or above the label's cue threshold flags
        it when the text holds a risk cue. Only those few in-between texts are
        searched for cues.
        """
        above = probabilities >= self._thresholds
        above[:, self._suicide_risk] |= np.asarray(phrase_hits, dtype=bool)
        for column, lower in self._cue_thresholds:
            between = np.flatnonzero((probabilities[:, column] >= lower) & ~above[:, column])
            for row in between.tolist():
                above[row, column] = has_risk_cue(normalised[row])
        return above

    def predict_many(self, texts: list[str]) -> list[Prediction]:
        normalised = [normalise(text) for text in texts]
        probabilities = self.probabilities(normalised)
        hits = [crisis_hits(text) for text in normalised]
        # Whole-array steps first: per text, only plain Python values are left to handle.
        above = self.flagged(probabilities, normalised, [bool(found) for found in hits]).tolist()
        rounded = np.round(probabilities, 4).tolist()
        predictions = []
        for values, flagged, found in zip(rounded, above, hits, strict=True):
            flags = [label for label, on in zip(LABELS, flagged, strict=True) if on]
            by_label = dict(zip(LABELS, values, strict=True))
            predictions.append(
                Prediction(
                    probabilities=by_label,
                    flags=flags,
                    priority=priority_for(flags, by_label),
                    model=self.version,
                    crisis_phrases=found,
                )
            )
        return predictions

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def weighty_words(self, text: str, limit: int = 6) -> dict[str, list[tuple[str, float]]]:
        """Per label, the words of the text that pushed its score most, up or down.

        A word's weight is what its features (its character n-grams and the
        word itself) added to the label's linear score, on the text's own
        feature values.
        """
        contributions = self._scorer.word_contributions(normalise(text))
        result = {}
        for column, label in enumerate(LABELS):
            ranked = sorted(
                ((word, float(weights[column])) for word, weights in contributions.items()),
                key=lambda item: abs(item[1]),
                reverse=True,
            )
            result[label] = [(word, round(weight, 3)) for word, weight in ranked[:limit] if weight]
        return result


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _packed(vocabulary: dict[str, int]) -> str:
    terms = sorted(vocabulary, key=vocabulary.__getitem__)
    if [vocabulary[term] for term in terms] != list(range(len(terms))):
        raise ValueError("the vocabulary's columns are not numbered 0 to n-1")
    if any("\n" in term for term in terms):
        # Normalised text has no line breaks; a term with one would split in two.
        raise ValueError("a vocabulary term holds a line break")
    return "\n".join(terms)


def _unpacked(terms: str) -> dict[str, int]:
    return {term: index for index, term in enumerate(terms.split("\n"))}


def _for_disk(pipeline: Pipeline) -> Pipeline:
    """The pipeline with each vocabulary as one string of its terms, one per line, in order.

    skops writes a dict entry by entry as JSON nodes: the 130,000 n-grams took
    about 110 MB and six seconds to load. As one string they take about 2 MB.
    Shallow copies: the pipeline in use is not touched while it is written.
    """
    features = pipeline.named_steps["features"]
    blocks = []
    for name, vectorizer in features.transformer_list:
        packed = copy.copy(vectorizer)
        packed.vocabulary_ = _packed(vectorizer.vocabulary_)
        blocks.append((name, packed))
    features = copy.copy(features)
    features.transformer_list = blocks
    on_disk = copy.copy(pipeline)
    on_disk.steps = [
        (name, features if name == "features" else step) for name, step in pipeline.steps
    ]
    return on_disk


def _from_disk(pipeline: Pipeline) -> Pipeline:
    # Files written before vocabularies were packed hold dicts: they load as they are.
    for _name, vectorizer in pipeline.named_steps["features"].transformer_list:
        if isinstance(vectorizer.vocabulary_, str):
            vectorizer.vocabulary_ = _unpacked(vectorizer.vocabulary_)
    return pipeline


def save(classifier: ReportClassifier, directory: Path) -> None:
    """Write model and card atomically: a reader never sees half a model."""
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".skops.tmp", delete=False) as handle:
        model_tmp = Path(handle.name)
    skops_io.dump(_for_disk(classifier.pipeline), model_tmp, compression=zipfile.ZIP_DEFLATED)
    card = classifier.card
    card.model_sha256 = _sha256(model_tmp)
    with tempfile.NamedTemporaryFile(
        "w", dir=directory, suffix=".json.tmp", delete=False, encoding="utf-8"
    ) as handle:
        json.dump(asdict(card), handle, ensure_ascii=False, indent=2, sort_keys=True)
        card_tmp = Path(handle.name)
    os.replace(model_tmp, directory / MODEL_FILE)
    os.replace(card_tmp, directory / CARD_FILE)


def read_card(directory: Path) -> ModelCard | None:
    path = directory / CARD_FILE
    if not path.exists():
        return None
    return ModelCard(**json.loads(path.read_text(encoding="utf-8")))


def load(directory: Path) -> ReportClassifier:
    card = read_card(directory)
    model_path = directory / MODEL_FILE
    if card is None or not model_path.exists():
        raise ModelFileError(f"no model in {directory}")
    if _sha256(model_path) != card.model_sha256:
        raise ModelFileError("the model file does not match its card")
    untrusted = set(skops_io.get_untrusted_types(file=model_path))
    unexpected = untrusted - ALLOWED_TYPES
    if unexpected:
        raise ModelFileError(f"the model file holds unexpected types: {sorted(unexpected)}")
    pipeline = skops_io.load(model_path, trusted=sorted(untrusted))
    return ReportClassifier(_from_disk(pipeline), card)
