"""Scoring texts without scikit-learn's per-call overhead.

A single `transform` through the fitted FeatureUnion costs about a
millisecond of validation and bookkeeping for a one-line report. The features
are simple enough to compute directly: each vectorizer marks which n-grams
are present (binary), weighs them by idf and scales its block to unit length;
the union puts the blocks side by side. Character n-grams never cross a word
boundary, so each distinct word's n-grams are looked up once and cached, and
a batch is assembled from the cached pieces in a few whole-array steps.
The tests check that the result equals the pipeline's own.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
from scipy import sparse

_WORD_CACHE_LIMIT = 200_000
_NONE = np.zeros(0, dtype=np.int32)


class _Block:
    """One fitted TfidfVectorizer's vocabulary and weights."""

    def __init__(self, vectorizer: Any, weights: np.ndarray):
        self.analyzer = vectorizer.build_analyzer()
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.weights = weights

    def scores(self, indices: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Rows given as concatenated feature indices (repeats allowed) and their lengths."""
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        ones = np.ones(indices.size)
        matrix = sparse.csr_matrix((ones, indices, indptr), shape=(lengths.size, self.idf.size))
        # Repeats become one entry each: presence, not counts.
        matrix.sum_duplicates()
        values = self.idf[matrix.indices]
        row_lengths = np.diff(matrix.indptr)
        nonempty = row_lengths > 0
        squared = np.ones(lengths.size)
        if values.size:
            # Segments start only at non-empty rows: reduceat misreads empty ones.
            squared[nonempty] = np.add.reduceat(values**2, matrix.indptr[:-1][nonempty])
        matrix.data = values / np.repeat(np.sqrt(squared), row_lengths)
        return np.asarray(matrix @ self.weights)

    def values(self, present: set[int]) -> dict[int, float]:
        """Each present feature's value in the text's row: idf over the row's length."""
        if not present:
            return {}
        index = np.fromiter(present, dtype=np.int64, count=len(present))
        idf = self.idf[index]
        return dict(zip(index.tolist(), (idf / np.sqrt(idf @ idf)).tolist(), strict=True))

    def score_one(self, present: set[int]) -> np.ndarray:
        if not present:
            return np.zeros(self.weights.shape[1])
        index = np.fromiter(present, dtype=np.int64, count=len(present))
        values = self.idf[index]
        return (values @ self.weights[index]) / np.sqrt(values @ values)


class LinearScorer:
    """Raw linear scores (texts × labels) of normalised texts."""

    def __init__(self, features: Any, weights: np.ndarray):
        (_, chars), (_, words) = features.transformer_list
        split = len(chars.vocabulary_)
        self._chars = _Block(chars, weights[:split])
        self._words = _Block(words, weights[split:])
        self._word_ngrams: dict[str, np.ndarray] = {}

    def _ngrams_of_word(self, word: str) -> np.ndarray:
        found = self._word_ngrams.get(word)
        if found is None:
            vocabulary = self._chars.vocabulary
            known = {vocabulary[g] for g in self._chars.analyzer(word) if g in vocabulary}
            found = np.fromiter(sorted(known), dtype=np.int32, count=len(known)) if known else _NONE
            if len(self._word_ngrams) >= _WORD_CACHE_LIMIT:
                self._word_ngrams.clear()
            self._word_ngrams[word] = found
        return found

    def _word_features(self, words: list[str]) -> set[int]:
        # Normalised text is word characters and single spaces, so splitting
        # gives exactly the vectorizer's tokens; its n-grams are (1, 2).
        vocabulary = self._words.vocabulary
        grams = [*words, *map(" ".join, pairwise(words))]
        return {vocabulary[g] for g in grams if g in vocabulary}

    def word_contributions(self, text: str) -> dict[str, np.ndarray]:
        """Per distinct word of a normalised text: how much it added to each label's score.

        A word adds its own character n-grams and itself as a one-word
        feature; an n-gram two words share counts for both, and two-word
        features are left out (they belong to no single word).
        """
        words = text.split()
        char_values = self._chars.values(
            set().union(*(self._ngrams_of_word(word).tolist() for word in words))
        )
        word_values = self._words.values(self._word_features(words))
        vocabulary = self._words.vocabulary
        result = {}
        for word in dict.fromkeys(words):
            ngrams = self._ngrams_of_word(word)
            total = (
                np.array([char_values[i] for i in ngrams.tolist()]) @ self._chars.weights[ngrams]
                if ngrams.size
                else np.zeros(self._chars.weights.shape[1])
            )
            if (column := vocabulary.get(word)) is not None:
                total = total + word_values[column] * self._words.weights[column]
            result[word] = total
        return result

    def scores(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            words = texts[0].split()
            chars = set().union(*(self._ngrams_of_word(word).tolist() for word in words))
            total = self._chars.score_one(chars) + self._words.score_one(self._word_features(words))
            return total[np.newaxis, :]
        cached = self._word_ngrams
        char_pieces: list[np.ndarray] = []
        char_lengths: list[int] = []
        word_rows: list[set[int]] = []
        for text in texts:
            words = text.split()
            pieces = [
                piece if (piece := cached.get(word)) is not None else self._ngrams_of_word(word)
                for word in words
            ]
            char_pieces.extend(pieces)
            char_lengths.append(sum(map(len, pieces)))
            word_rows.append(self._word_features(words))
        char_indices = np.concatenate(char_pieces) if char_pieces else _NONE
        word_lengths = np.fromiter(map(len, word_rows), dtype=np.int64, count=len(word_rows))
        word_indices = np.fromiter(
            (index for row in word_rows for index in row),
            dtype=np.int32,
            count=int(word_lengths.sum()),
        )
        return self._chars.scores(
            char_indices, np.array(char_lengths, dtype=np.int64)
        ) + self._words.scores(word_indices, word_lengths)
