"""Retrieval down to the passage: which passages of the chosen entry the question is about.

Okapi BM25 (bm25s: sparse term-frequency weighting, ~20 µs a query per entry)
over the same Sudachi + glossary tokens the matcher uses, each passage indexed
with its section heading (a line under 対象外 is about exclusions).

Two scores per passage: BM25 of the whole question, to order the details, and
BM25 of the question's words that the entry's summary does not already say
(`specific`): a passage deserves the lead only when it answers something the
summary does not, and clearly better than the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import bm25s
import numpy as np

from intents.tokens import Analysis, Analyzer
from knowledge.passages import URL, Passage

# The best passage leads when its specific score is at least this share above the runner-up's.
CLEAR_MARGIN = 1.3
# What a question asks for, by its wording (何時まで, 年何回, 何営業日前, 電話番号, どのサイト, 何年),
# and what a passage stating it contains: such a passage is worth more, as much as this share
# of the best word score (at least ANSWER_TYPE_FLOOR), since the words alone cannot tell
# 「作業は何時から」 from 「作業時には…」.
ANSWER_TYPES = (
    (re.compile(r"何時|なんじ|時間帯|受付時間|営業時間|what time|hours"), re.compile(r"\d{1,2}[:：]\d{2}|24時間|年中無休")),
    (re.compile(r"何回|頻度|年に?何|how often|times a year"), re.compile(r"[0-9０-９一二三四]+\s*回")),
    (re.compile(r"何日|何営業日|何日前|how many days"), re.compile(r"[0-9０-９]+\s*(?:営業日|日)|一週間|[0-9０-９一]+\s*(?:ヶ|か|カ)月")),
    (re.compile(r"電話|番号|phone|number"), re.compile(r"\d{2,4}-\d{2,4}-\d{3,4}")),
    (
        re.compile(r"url|(?<!オン)サイト|ページ|どこで確認|どこで見|どこ[?？]?$|詳細|詳しい説明|link|website|(?<!on)site"),
        re.compile(r"https?://"),
    ),
    (re.compile(r"何年|年数|how long|how many years"), re.compile(r"[0-9０-９]+\s*年")),
)
ANSWER_TYPE_SHARE = 0.5
ANSWER_TYPE_FLOOR = 1.0
# A line that only sends the reader to another entry (「納品物に関してはQ5をご参照ください。」).
_CROSS_REFERENCE = re.compile(r"^[^。]*Q\d+[^。]*(?:をご参照|をご覧)(?:ください|下さい)。?$")
# A line this short without a sentence's end titles what follows (「… ご利用方法（画面は…）」).
TITLE_CHARS = 40


def answers_nothing(passage: Passage) -> bool:
    """Whether a passage says nothing on its own: a pointer to another entry, or a title."""
    text = passage.plain
    if URL.search(text):
        return False
    if _CROSS_REFERENCE.match(text):
        return True
    return passage.kind == "line" and "\n" not in passage.text and "。" not in text and len(text) < TITLE_CHARS


@dataclass(frozen=True)
class Ranking:
    passages: list[Passage]  # the entry's passages, in entry order
    scores: np.ndarray  # BM25 of the whole question, per passage
    specific: np.ndarray  # BM25 of the words the summary does not cover, per passage

    def winner(self) -> Passage | None:
        """The passage that clearly answers what the summary does not, if one does."""
        if not self.specific.any():
            return None
        order = np.argsort(-self.specific, kind="stable")
        best = self.specific[order[0]]
        second = self.specific[order[1]] if len(order) > 1 else 0.0
        if best >= CLEAR_MARGIN * second:
            return self.passages[order[0]]
        # A near tie on the specific words: the whole question decides, if it clearly does.
        combined = self.scores + self.specific
        ranked = np.argsort(-combined, kind="stable")
        first, runner = combined[ranked[0]], combined[ranked[1]] if len(ranked) > 1 else 0.0
        tied = self.specific >= best / CLEAR_MARGIN
        return self.passages[ranked[0]] if tied[ranked[0]] and first >= CLEAR_MARGIN * runner else None

    def best_specific(self) -> Passage | None:
        """The passage that best answers the words the summary does not cover, clear winner or not."""
        if not self.specific.any():
            return None
        return self.passages[int(np.argmax(self.specific))]

    def best_first(self) -> list[Passage]:
        """Passages the question shares words with, best first (ties: entry order)."""
        combined = self.scores + self.specific
        order = np.argsort(-combined, kind="stable")
        return [self.passages[i] for i in order if combined[i] > 0]


class PassageIndex:
    def __init__(self, passages: dict[str, list[Passage]], analyzer: Analyzer):
        self.analyzer = analyzer
        self.passages = passages
        self._retrievers: dict[str, bm25s.BM25] = {}
        self._summary_tokens: dict[str, frozenset[str]] = {}
        self._can_answer: dict[str, np.ndarray] = {}
        # Whether each passage states each of ANSWER_TYPES' answers (a row per type):
        # the passages do not change, so the questions do not search them again.
        self._states: dict[str, np.ndarray] = {}
        for intent, items in passages.items():
            ranked = [p for p in items if p.kind != "summary"]
            corpus = [list(analyzer.analyze(f"{p.heading} {p.text}").tokens) or ["_"] for p in ranked]
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
            self._retrievers[intent] = retriever
            self._can_answer[intent] = np.array([not answers_nothing(p) for p in ranked], dtype=float)
            self._states[intent] = np.array(
                [[bool(answer.search(p.text)) for p in ranked] for _, answer in ANSWER_TYPES]
            )
            summary = next((p.text for p in items if p.kind == "summary"), "")
            self._summary_tokens[intent] = frozenset(analyzer.analyze(summary).tokens)

    def rank(self, intent: str, analysis: Analysis) -> Ranking:
        items = [p for p in self.passages.get(intent, []) if p.kind != "summary"]
        if not items or not analysis.tokens:
            zeros = np.zeros(len(items))
            return Ranking(items, zeros, zeros)
        retriever = self._retrievers[intent]
        matches = [asked.search(analysis.normalized) for asked, _ in ANSWER_TYPES]
        asking = [m for m in matches if m]
        # The words of a question word (何時 → 何, 時) ask; they are not what the answer is about.
        wh = "".join(m.group(0) for m in asking if "何" in m.group(0))
        tokens = [t for t in analysis.tokens if not (wh and t in wh)]
        specific = [t for t in tokens if t not in self._summary_tokens[intent]]
        scores = retriever.get_scores(tokens) if tokens else np.zeros(len(items))
        specific_scores = retriever.get_scores(specific) if specific else np.zeros(len(items))
        if asking:
            states = self._states[intent][[m is not None for m in matches]].any(axis=0).astype(float)
            bonus = ANSWER_TYPE_SHARE * max(ANSWER_TYPE_FLOOR, float(specific_scores.max()), float(scores.max()))
            scores = scores + bonus * states
            specific_scores = specific_scores + bonus * states
        # What says nothing on its own cannot be what answers the question.
        specific_scores = specific_scores * self._can_answer[intent]
        return Ranking(items, scores, specific_scores)
