"""The scikit-learn pipeline: normalise, character and word n-grams, a calibrated model per label.

Character n-grams inside word boundaries survive Kazakh and Russian endings
("мазақтады", "мазақтайды", "мазақтап") and code-switching; word n-grams carry
phrases ("kill yourself", "в беседе"). Each label gets its own logistic
regression, calibrated so its probability means what it says.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from school_safety.classifier.normalise import normalise

SEED = 20261122


def normalise_texts(texts: Iterable[str]) -> list[str]:
    return [normalise(text) for text in texts]


def build_pipeline(seed: int = SEED) -> Pipeline:
    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=2,
                    # Presence, not counts: short texts rarely repeat an n-gram,
                    # and it keeps the fast scorer (fast.py) a set union.
                    binary=True,
                    lowercase=False,
                    dtype=np.float64,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    token_pattern=r"(?u)\b\w+\b",  # noqa: S106 - a regex, not a password
                    min_df=1,
                    binary=True,
                    lowercase=False,
                    dtype=np.float64,
                ),
            ),
        ]
    )
    per_label = CalibratedClassifierCV(
        LogisticRegression(C=8.0, class_weight="balanced", max_iter=5000, random_state=seed),
        method="sigmoid",
        cv=5,
        # One model per label (not an average of five) keeps its coefficients
        # readable: they are what staff see as "the words that weighed most".
        ensemble=False,
    )
    return Pipeline(
        [
            ("normalise", FunctionTransformer(normalise_texts)),
            ("features", features),
            ("labels", MultiOutputClassifier(per_label)),
        ]
    )
