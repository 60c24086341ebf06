"""A knowledge-agnostic intent matcher.

Built from any list of `IntentDoc(intent, examples, answer_text)`, it scores a
question against every example (nearest neighbour) and against every intent
as a whole (keyword evidence), and returns ranked intents with raw scores.
Calibration to a probability and the answer/abstain decision live in
`intents.policy`, so the engine can be evaluated on other FAQ collections.

Similarity signals, each in 0..1:
- word: TF-IDF cosine over Sudachi content tokens (synonyms folded);
- char: TF-IDF cosine over character 2/3-grams of the fuzzy key, which
  survives typos, half-width kana and Sudachi splitting a word differently;
- fuzz: rapidfuzz's token_sort_ratio over the token strings, rewarding
  near-identical phrasing;
- centroid: the word+char cosine against the intent's summed examples and
  answer text, so an unseen phrasing that shares the intent's vocabulary
  still scores.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import repeat
from typing import NamedTuple

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel

from intents.tokens import Analysis, Analyzer


@dataclass(frozen=True)
class IntentDoc:
    intent: str
    examples: list[str]
    # Text the intent answers with (title, summary …): extra keyword evidence.
    answer_text: str = ""


@dataclass(frozen=True)
class Weights:
    word: float = 0.35
    char: float = 0.35
    fuzz: float = 0.30
    neighbour: float = 0.70  # share of the best example in an intent's score
    centroid: float = 0.30


class Scored(NamedTuple):  # one per intent per question: a tuple is ~30x cheaper to make
    intent: str
    score: float
    example: str  # the nearest example, for explanations and debugging


# A long message's rarest character n-grams carry its topic; the rest only cost time.
MAX_QUERY_NGRAMS = 120

# Raw counts of features (tokens or character n-grams).
Vector = Mapping[str, int]


def _char_ngrams(key: str) -> list[str]:
    return [key[i : i + n] for n in (2, 3) for i in range(len(key) - n + 1)]


def _features(analysis: Analysis) -> tuple[Vector, Vector]:
    return Counter(analysis.tokens), Counter(_char_ngrams(analysis.fuzzy))


class _Postings:
    """A feature -> (row, weight) inverted index in compressed form (CSR by feature).

    A query's scores are one bincount over the gathered postings of its
    features: a fixed number of numpy calls, whatever the query's length.
    """

    def __init__(self, features: np.ndarray, rows: np.ndarray, weights: np.ndarray, n_features: int, n_rows: int):
        order = np.argsort(features, kind="stable")
        self.rows = rows[order].astype(np.int32)
        self.weights = weights[order]
        self.pointers = np.concatenate(([0], np.cumsum(np.bincount(features, minlength=n_features))))
        self.n_rows = n_rows

    def scores(self, query: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Every row's dot product with the query's (feature ids, weights)."""
        positions, query_weights = self._gather(query)
        return np.bincount(self.rows[positions], weights=self.weights[positions] * query_weights, minlength=self.n_rows)

    def overlap(self, query: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Every row's shared count with the query's (feature ids, counts): the sum of per-feature minima."""
        positions, query_counts = self._gather(query)
        return np.bincount(
            self.rows[positions], weights=np.minimum(self.weights[positions], query_counts), minlength=self.n_rows
        )

    def _gather(self, query: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Positions of every posting of every query feature, and the query's value repeated
        alongside, without a Python loop."""
        ids, values = query
        starts = self.pointers[ids]
        lengths = self.pointers[ids + 1] - starts
        ends = np.cumsum(lengths)
        total = int(ends[-1]) if len(ends) else 0
        positions = np.repeat(starts - ends + lengths, lengths) + np.arange(total)
        return positions, np.repeat(values, lengths)


class _Space:
    """One TF-IDF space (words or character n-grams): vocabulary, idf and one inverted
    index over the examples and the intent centroids, the centroids as rows after the
    examples, so that a query's two kinds of scores are one gather and one bincount."""

    def __init__(self, raw: list[Vector], example_intent: np.ndarray, answers: list[tuple[int, Vector]], n_intents: int):
        df: dict[str, int] = defaultdict(int)
        for counts in raw:
            for f in counts:
                df[f] += 1
        self.ids = {f: i for i, f in enumerate(df)}
        n = len(raw)
        self.idf = np.log1p(n / np.fromiter(df.values(), dtype=np.float64, count=len(df)))
        weighed = [self.weigh(counts) for counts in raw]
        features = np.concatenate([ids for ids, _ in weighed])
        weights = np.concatenate([w for _, w in weighed])
        rows = np.repeat(np.arange(n), [len(ids) for ids, _ in weighed])
        # An intent's centroid: its examples' vectors and its answer text's, summed, then normalised.
        answer_vectors = [(intent, self.weigh(counts)) for intent, counts in answers]
        pairs = np.concatenate([example_intent[rows], *[np.full(len(ids), i) for i, (ids, _) in answer_vectors]])
        pair_features = np.concatenate([features, *[ids for _, (ids, _) in answer_vectors]])
        pair_weights = np.concatenate([weights, *[w for _, (_, w) in answer_vectors]])
        keys, inverse = np.unique(pairs.astype(np.int64) * len(df) + pair_features, return_inverse=True)
        summed = np.bincount(inverse, weights=pair_weights)
        centroid_intent, centroid_feature = keys // len(df), keys % len(df)
        norms = np.sqrt(np.bincount(centroid_intent, weights=summed * summed, minlength=n_intents))
        self.n_examples = n
        self._index = _Postings(
            np.concatenate([features, centroid_feature]),
            np.concatenate([rows, n + centroid_intent]),
            np.concatenate([weights, summed / norms[centroid_intent]]),
            len(df),
            n + n_intents,
        )

    def scores(self, query: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The query's cosine with every example, and with every intent's centroid."""
        scores = self._index.scores(query)
        return scores[: self.n_examples], scores[self.n_examples :]

    def weigh(self, counts: Vector, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The unit TF-IDF vector of raw counts as (feature ids, weights); unknown features drop out."""
        ids = np.fromiter(map(self.ids.get, counts, repeat(-1)), dtype=np.int64, count=len(counts))
        known = ids >= 0
        ids = ids[known]
        raw = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))[known]
        weights = (1.0 + np.log(raw)) * self.idf[ids]
        if limit is not None and len(ids) > limit:
            keep = np.argsort(-weights, kind="stable")[:limit]  # ties: first written wins
            ids, weights = ids[keep], weights[keep]
        norm = math.sqrt(float(weights @ weights))
        return (ids, weights / norm) if norm else (ids[:0], weights[:0])


class _CharacterCounts:
    """How many characters a query shares with each of some strings (multiset intersection)."""

    def __init__(self, texts: list[str]):
        self.ids: dict[str, int] = {}
        features, rows, counts = [], [], []
        for row, text in enumerate(texts):
            for ch, n in Counter(text).items():
                features.append(self.ids.setdefault(ch, len(self.ids)))
                rows.append(row)
                counts.append(n)
        self._postings = _Postings(
            np.array(features, dtype=np.int64), np.array(rows), np.array(counts, dtype=np.float64), len(self.ids), len(texts)
        )
        self.lengths = np.array([len(t) for t in texts], dtype=np.float64)

    def shared(self, query: str) -> np.ndarray:
        counts = Counter(query)
        ids = np.fromiter(map(self.ids.get, counts, repeat(-1)), dtype=np.int64, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        known = ids >= 0
        return self._postings.overlap((ids[known], values[known]))


def _sorted_tokens(analysis: Analysis) -> str:
    return " ".join(sorted(analysis.tokens))


class _ByIntent:
    """Per-example values reduced to each intent's best, by segment maxima over the
    examples grouped by intent: a handful of linear numpy calls where an argsort of
    every example costs several times as much."""

    def __init__(self, example_intent: np.ndarray):
        # Stable: within an intent's segment, examples keep their order.
        self.order = np.argsort(example_intent, kind="stable")
        self.intents, self.starts, sizes = np.unique(example_intent[self.order], return_index=True, return_counts=True)
        self.segment = np.repeat(np.arange(len(self.intents)), sizes)
        self.positions = np.arange(len(example_intent))

    def best(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each intent's (of `intents`) highest value and the example holding it, the later
        example of equals (the last position holding its segment's maximum)."""
        grouped = values[self.order]
        best = np.maximum.reduceat(grouped, self.starts)
        last = np.maximum.reduceat(np.where(grouped == best[self.segment], self.positions, -1), self.starts)
        return best, self.order[last]


class Matcher:
    def __init__(self, docs: list[IntentDoc], analyzer: Analyzer, weights: Weights | None = None):
        if not docs:
            raise ValueError("a matcher needs at least one intent")
        self.analyzer = analyzer
        self.weights = weights or Weights()
        self.intents = [d.intent for d in docs]
        self._intent_index = {intent: i for i, intent in enumerate(self.intents)}
        self._example_intent: list[str] = []
        self._example_text: list[str] = []
        self._example_tokens: list[str] = []
        # (intent, example as given, its synonym-folded text) of every example
        self.example_folded: list[tuple[str, str, str]] = []
        raw_words: list[Vector] = []
        raw_chars: list[Vector] = []
        for doc in docs:
            for text in doc.examples:
                analysis = analyzer.analyze(text)
                words, chars = _features(analysis)
                self._example_intent.append(doc.intent)
                self._example_text.append(text)
                self._example_tokens.append(_sorted_tokens(analysis))
                self.example_folded.append((doc.intent, text, analysis.normalized))
                raw_words.append(words)
                raw_chars.append(chars)
        self._example_intent_index = np.array([self._intent_index[i] for i in self._example_intent], dtype=np.int32)
        answers = [(self._intent_index[d.intent], _features(analyzer.analyze(d.answer_text))) for d in docs if d.answer_text]
        n_intents = len(self.intents)
        self._words = _Space(raw_words, self._example_intent_index, [(i, w) for i, (w, _) in answers], n_intents)
        self._chars = _Space(raw_chars, self._example_intent_index, [(i, c) for i, (_, c) in answers], n_intents)
        self._token_chars = _CharacterCounts(self._example_tokens)
        self._by_intent = _ByIntent(self._example_intent_index)

    def rank(self, analysis: Analysis) -> list[Scored]:
        """Every intent with a raw score in 0..1, best first."""
        words, chars = _features(analysis)
        qw = self._words.weigh(words)
        qc = self._chars.weigh(chars, limit=MAX_QUERY_NGRAMS)
        w = self.weights
        n_intents = len(self.intents)

        word_examples, word_centroids = self._words.scores(qw)
        char_examples, char_centroids = self._chars.scores(qc)
        example_scores = w.word * word_examples
        example_scores += w.char * char_examples
        query_tokens = _sorted_tokens(analysis)
        if query_tokens:
            example_scores = self._with_fuzz(query_tokens, example_scores)

        best_score = np.full(n_intents, 0.0)
        best_example = np.full(n_intents, -1)
        # The later of equal examples, as the explanations have always named it.
        by_intent = self._by_intent
        best_score[by_intent.intents], best_example[by_intent.intents] = by_intent.best(example_scores)
        centroid = 0.5 * (word_centroids + char_centroids)
        scores = np.minimum(1.0, w.neighbour * best_score + w.centroid * centroid)
        ranked = np.argsort(-scores, kind="stable").tolist()
        score_of, example_of = scores.tolist(), best_example.tolist()
        return [
            Scored(self.intents[i], score_of[i], self._example_text[example_of[i]] if example_of[i] >= 0 else "")
            for i in ranked
        ]

    def _with_fuzz(self, query_tokens: str, scores: np.ndarray) -> np.ndarray:
        """`scores` plus the fuzz signal, exact wherever it can decide an intent's best example.

        The fuzz signal is token_sort_ratio: the normalised Indel similarity of the
        sorted token strings, 2·LCS / (|a| + |b|), the examples' side sorted at build
        time. An LCS is at most the characters both strings hold, which one bincount
        gives for every example. An example that could not beat its intent's most
        promising one even at that bound keeps its score without the signal: it is
        nobody's best, and rapidfuzz runs on ~100 examples instead of ~1,200.
        """
        fuzz = self.weights.fuzz
        shared = self._token_chars.shared(query_tokens)
        # rapidfuzz returns float32: the slack keeps its rounding under the bound.
        upper = scores + fuzz * (2 * shared / (len(query_tokens) + self._token_chars.lengths)) + 1e-6
        # Any example's exact score bars its intent; the most promising one's bars the most.
        _, promising = self._by_intent.best(upper)
        bar = np.full(len(self.intents), np.inf)
        bar[self._by_intent.intents] = scores[promising] + fuzz * self._ratios(query_tokens, promising)
        candidates = np.flatnonzero(upper >= bar[self._example_intent_index])
        out = scores.copy()
        out[candidates] += fuzz * self._ratios(query_tokens, candidates)
        return out

    def _ratios(self, query_tokens: str, rows: np.ndarray) -> np.ndarray:
        choices = [self._example_tokens[i] for i in rows.tolist()]
        return process.cdist([query_tokens], choices, scorer=Indel.normalized_similarity)[0]
