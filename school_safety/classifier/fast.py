"""Scoring texts without scikit-learn's per-call overhead.

A single `transform` through the fitted FeatureUnion costs about a
millisecond of validation and bookkeeping for a one-line report. The features
are simple enough to compute directly: each vectorizer marks which n-grams
are present (binary), weighs them by idf and scales its block to unit length;
the union puts the blocks side by side. Character n-grams never cross a word
boundary, so each distinct word's n-grams are looked up once and cached.
`tests/classifier` check that the result equals the pipeline's own.
"""

from __future__ import annotations

from itertools import chain, pairwise
from typing import Any

import numpy as np
from scipy import sparse

_WORD_CACHE_LIMIT = 200_000


class _Block:
    """One fitted TfidfVectorizer's vocabulary and weights."""

    def __init__(self, vectorizer: Any, weights: np.ndarray):
        self.analyzer = vectorizer.build_analyzer()
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.weights = weights

    def matrix(self, rows: list[Any]) -> sparse.csr_matrix:
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        indices = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(indptr[-1]))
        values = self.idf[indices]
        squared = np.zeros(len(rows))
        nonempty = lengths > 0
        if indices.size:
            sums = np.add.reduceat(values**2, indptr[:-1][nonempty])
            squared[nonempty] = sums
        norms = np.sqrt(squared)
        norms[norms == 0] = 1.0
        values = values / np.repeat(norms, lengths)
        return sparse.csr_matrix((values, indices, indptr), shape=(len(rows), len(self.vocabulary)))


class LinearScorer:
    """Raw linear scores (texts × labels) of normalised texts."""

    def __init__(self, features: Any, weights: np.ndarray):
        (_, chars), (_, words) = features.transformer_list
        split = len(chars.vocabulary_)
        self._chars = _Block(chars, weights[:split])
        self._words = _Block(words, weights[split:])
        self._word_ngrams: dict[str, frozenset[int]] = {}

    def _ngrams_of_word(self, word: str) -> frozenset[int]:
        found = self._word_ngrams.get(word)
        if found is None:
            vocabulary = self._chars.vocabulary
            found = frozenset(vocabulary[g] for g in self._chars.analyzer(word) if g in vocabulary)
            if len(self._word_ngrams) >= _WORD_CACHE_LIMIT:
                self._word_ngrams.clear()
            self._word_ngrams[word] = found
        return found

    def _score_one(self, text: str) -> np.ndarray:
        """One text without building sparse matrices: most of the cost of a single report."""
        words = text.split()
        chars = set().union(*[self._ngrams_of_word(word) for word in words])
        vocabulary = self._words.vocabulary
        grams = [*words, *map(" ".join, pairwise(words))]
        total = np.zeros(self._chars.weights.shape[1])
        for block, present in (
            (self._chars, chars),
            (self._words, {vocabulary[g] for g in grams if g in vocabulary}),
        ):
            if present:
                index = np.fromiter(present, dtype=np.int64, count=len(present))
                values = block.idf[index]
                total += (values @ block.weights[index]) / np.sqrt(values @ values)
        return total[np.newaxis, :]

    def scores(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            return self._score_one(texts[0])
        char_rows: list[set[int]] = []
        word_rows: list[set[int]] = []
        cached = self._word_ngrams
        ngrams_of_word = self._ngrams_of_word
        vocabulary = self._words.vocabulary
        for text in texts:
            words = text.split()
            char_rows.append(
                set().union(*[cached.get(word) or ngrams_of_word(word) for word in words])
            )
            # Normalised text is word characters and single spaces, so splitting
            # gives exactly the vectorizer's tokens; its n-grams are (1, 2).
            grams = [*words, *map(" ".join, pairwise(words))]
            word_rows.append({vocabulary[g] for g in grams if g in vocabulary})
        return np.asarray(
            self._chars.matrix(char_rows) @ self._chars.weights
            + self._words.matrix(word_rows) @ self._words.weights
        )
