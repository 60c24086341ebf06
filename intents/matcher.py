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
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

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


@dataclass(frozen=True)
class Scored:
    intent: str
    score: float
    example: str  # the nearest example, for explanations and debugging


# A long message's rarest character n-grams carry its topic; the rest only cost time.
MAX_QUERY_NGRAMS = 120

# Raw counts and weights alike: a sparse vector keyed by feature.
Vector = dict[str, float]


def _char_ngrams(key: str) -> Iterable[str]:
    for n in (2, 3):
        for i in range(len(key) - n + 1):
            yield key[i : i + n]


def _features(analysis: Analysis) -> tuple[Vector, Vector]:
    words: Vector = defaultdict(float)
    for tok in analysis.tokens:
        words[tok] += 1.0
    chars: Vector = defaultdict(float)
    for gram in _char_ngrams(analysis.fuzzy):
        chars[gram] += 1.0
    return words, chars


@dataclass
class _Space:
    """One TF-IDF space (words or character n-grams) with its inverted indices.

    Postings are numpy arrays so a query's scores are one bincount over the
    concatenated postings of its features instead of a Python loop per entry.
    """

    idf: dict[str, float] = field(default_factory=dict)
    examples: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    centroids: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def weigh(self, counts: Mapping[str, float], limit: int | None = None) -> Vector:
        vec = {f: (1.0 + math.log(c)) * self.idf[f] for f, c in counts.items() if f in self.idf}
        if limit is not None and len(vec) > limit:
            vec = dict(sorted(vec.items(), key=lambda item: item[1], reverse=True)[:limit])
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {f: v / norm for f, v in vec.items()} if norm else {}


def _sorted_tokens(analysis: Analysis) -> str:
    return " ".join(sorted(analysis.tokens))


def _postings(lists: dict[str, list[tuple[int, float]]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per feature, (indices, weights) as views into two arrays built in one pass."""
    features = list(lists)
    sizes = [len(lists[f]) for f in features]
    indices = np.fromiter((i for f in features for i, _ in lists[f]), dtype=np.int32, count=sum(sizes))
    weights = np.fromiter((w for f in features for _, w in lists[f]), dtype=np.float64, count=sum(sizes))
    ends = np.cumsum(sizes).tolist()
    starts = [0, *ends[:-1]]
    return {f: (indices[a:b], weights[a:b]) for f, a, b in zip(features, starts, ends, strict=True)}


def _accumulate(postings: dict[str, tuple[np.ndarray, np.ndarray]], query: Vector, size: int) -> np.ndarray:
    indices, weights = [], []
    for f, qv in query.items():
        hit = postings.get(f)
        if hit is not None:
            indices.append(hit[0])
            weights.append(hit[1] * qv)
    if not indices:
        return np.zeros(size)
    return np.bincount(np.concatenate(indices), weights=np.concatenate(weights), minlength=size)


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
        self._words = self._build_space(raw_words, docs, word_space=True)
        self._chars = self._build_space(raw_chars, docs, word_space=False)

    def _build_space(self, raw: list[Vector], docs: list[IntentDoc], word_space: bool) -> _Space:
        space = _Space()
        df: dict[str, int] = defaultdict(int)
        for counts in raw:
            for f in counts:
                df[f] += 1
        n = len(raw)
        space.idf = {f: math.log(1.0 + n / d) for f, d in df.items()}
        example_lists: dict[str, list[tuple[int, float]]] = defaultdict(list)
        per_intent: dict[str, Vector] = defaultdict(lambda: defaultdict(float))
        for idx, counts in enumerate(raw):
            for f, w in space.weigh(counts).items():
                example_lists[f].append((idx, w))
                per_intent[self._example_intent[idx]][f] += w
        for doc in docs:
            if doc.answer_text:
                words, chars = _features(self.analyzer.analyze(doc.answer_text))
                for f, w in space.weigh(words if word_space else chars).items():
                    per_intent[doc.intent][f] += w
        centroid_lists: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for intent, summed in per_intent.items():
            norm = math.sqrt(sum(v * v for v in summed.values()))
            for f, w in summed.items():
                centroid_lists[f].append((self._intent_index[intent], w / norm))
        space.examples = _postings(example_lists)
        space.centroids = _postings(centroid_lists)
        return space

    def rank(self, analysis: Analysis) -> list[Scored]:
        """Every intent with a raw score in 0..1, best first."""
        words, chars = _features(analysis)
        qw = self._words.weigh(words)
        qc = self._chars.weigh(chars, limit=MAX_QUERY_NGRAMS)
        w = self.weights
        n_examples, n_intents = len(self._example_intent), len(self.intents)

        example_scores = w.word * _accumulate(self._words.examples, qw, n_examples)
        example_scores += w.char * _accumulate(self._chars.examples, qc, n_examples)
        query_tokens = _sorted_tokens(analysis)
        if query_tokens:
            # token_sort_ratio with the examples' side sorted once at build time.
            ratios = process.cdist([query_tokens], self._example_tokens, scorer=fuzz.ratio, dtype=np.float32)
            example_scores += (w.fuzz / 100.0) * ratios[0]

        best_score = np.full(n_intents, 0.0)
        best_example = np.full(n_intents, -1)
        order = np.argsort(example_scores)  # ascending: the best example of an intent is written last
        best_score[self._example_intent_index[order]] = example_scores[order]
        best_example[self._example_intent_index[order]] = order
        centroid = 0.5 * (
            _accumulate(self._words.centroids, qw, n_intents) + _accumulate(self._chars.centroids, qc, n_intents)
        )
        scores = np.minimum(1.0, w.neighbour * best_score + w.centroid * centroid)
        ranked = np.argsort(-scores, kind="stable")
        return [
            Scored(self.intents[i], float(scores[i]), self._example_text[best_example[i]] if best_example[i] >= 0 else "")
            for i in ranked
        ]
