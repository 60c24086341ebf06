"""Sudachi tokens for matching, with the knowledge glossary's synonyms folded in.

Search engines index Sudachi's C units (whole compounds such as
ポストワランティサービス) together with their A sub-units (ポスト, ワランティ,
サービス) so that a query matches whichever granularity the other side used;
we do the same. Normalized forms fold spelling (買える -> 買う, 下さい -> 下さる).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from sudachipy import Dictionary, SplitMode

from intents.normalize import fuzzy_key, normalize, strip_pleasantries
from knowledge.models import GlossaryTerm

# Parts of speech that carry the question's content. 感動詞 keeps こんにちは /
# ありがとう for small talk; 代名詞 keeps いつ / どこ / 誰, which separate
# "until when" from "where to call".
_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "代名詞", "副詞", "感動詞", "接尾辞"}
# Verbs present in nearly every polite question: they only add noise.
_STOP_LEMMAS = {"為る", "成る", "有る", "居る", "下さる", "頂く", "致す", "御座る", "言う", "思う", "申す", "お願い", "願う"}
# English function words (Sudachi tags them 名詞). Question words stay, as いつ / どこ do.
_STOP_LEMMAS |= {
    "a", "an", "the", "is", "are", "was", "be", "do", "does", "did", "i", "we", "you", "it", "our", "my",
    "your", "on", "in", "of", "for", "to", "at", "by", "with", "and", "or", "can", "could", "should",
    "this", "that", "there", "any", "me", "us", "if", "so", "please",
}
_ASCII_WORD = re.compile(r"^[a-z0-9][a-z0-9 ./+-]*$")


# Product model identifiers become one placeholder for matching: "ML110 Gen10"
# and "DL380 Gen10" ask the same thing, and a rare model number must not
# outweigh the words that carry the question (保証, 何年). Entity extraction
# still reads the models from `normalized`.
MODEL_PATTERN = re.compile(
    r"(?<![a-z0-9])(?:(?:dl|ml|bl|sy|xl|ws)\s?\d{2,3}[a-z]?|gen\s?\d{1,2}(?:\s?plus)?|"
    r"(?:msa|storeonce|storeeasy|storevirtual|msl|apollo|primera|alletra|nimble)\s?\d{2,4}[a-z]?|c[37]000)(?![a-z0-9])"
)
MODEL_PLACEHOLDER = "機種"


@dataclass(frozen=True)
class Analysis:
    normalized: str  # after normalisation, pleasantry stripping and glossary folding
    tokens: tuple[str, ...]  # content tokens, each C unit followed by its A sub-units, deduplicated
    fuzzy: str  # coarse character key for typo-tolerant n-grams


class Analyzer:
    def __init__(self, glossary: list[GlossaryTerm]):
        self._dictionary = Dictionary(dict="core")
        # A Sudachi tokenizer may not be used by two threads at once ("Tokenizer
        # is already in use"), and Slack's listeners answer in several threads:
        # each thread gets its own over the one shared dictionary.
        self._local = threading.local()
        self._rewrite = _Glossary(glossary)
        self._content_pos = self._dictionary.pos_matcher(lambda pos: pos[0] in _CONTENT_POS)

    def _units(self, folded: str):
        """Each C unit, then its A sub-units (a single-character unit has none)."""
        tokenizer = getattr(self._local, "tokenizer", None)
        if tokenizer is None:
            tokenizer = self._local.tokenizer = self._dictionary.tokenizer(mode=SplitMode.C)
        for m in tokenizer.tokenize(folded):
            yield m
            if m.end() - m.begin() > 1:
                yield from m.split(SplitMode.A)

    def is_word(self, text: str) -> bool:
        """Whether Sudachi's dictionary holds `text` as one word (本日 yes; 登禄, a misconversion, no)."""
        first = next(self._units(text), None)
        return first is not None and first.end() - first.begin() == len(text) and not first.is_oov()

    def fold_synonyms(self, normalized: str) -> str:
        return self._rewrite(normalized)

    def analyze(self, text: str) -> Analysis:
        folded = self.fold_synonyms(strip_pleasantries(normalize(text)))
        matched = MODEL_PATTERN.sub(MODEL_PLACEHOLDER, folded)
        return Analysis(normalized=folded, tokens=self.tokens(matched), fuzzy=fuzzy_key(matched))

    def tokens(self, folded: str) -> tuple[str, ...]:
        out: dict[str, None] = {}
        for m in self._units(folded):
            if not self._content_pos(m):
                continue
            lemma = m.normalized_form()
            if lemma in _STOP_LEMMAS or not lemma.strip():
                continue
            out.setdefault(lemma.lower(), None)
        return tuple(out)

    def terms(self, text: str) -> set[str]:
        """Nouns of two or more characters, numbers excluded: the words that name things."""
        out = set()
        for m in self._units(self.fold_synonyms(normalize(text))):
            pos = m.part_of_speech()
            lemma = m.normalized_form().lower()
            if pos[0] == "名詞" and pos[1] != "数詞" and len(lemma) >= 2 and not lemma.isdigit():
                out.add(lemma)
        return out


class _Glossary:
    """Rewrites every glossary variant to its canonical form, longest match first.

    A character trie, not one regex of ~1,700 alternatives: Python's re tries
    alternatives one by one at every position, the trie walks each position
    once. Latin variants match as whole words only, so "pc" never fires
    inside "spp" or "pcs"; so do katakana variants of up to three characters
    (「デル」 never inside 「モデル」); other Japanese variants match anywhere (no spaces).
    Canonical forms map to themselves: being longest, they win over a variant
    they contain (ポストワランティサービス over ポストワランティ), which keeps
    folding idempotent.
    """

    _END = ""  # trie key marking that a variant ends here

    def __init__(self, glossary: list[GlossaryTerm]):
        self._trie: dict = {}
        for term in glossary:
            canonical = normalize(term.canonical)
            for variant in (term.canonical, *term.variants):
                key = normalize(variant)
                if not key:
                    continue
                node = self._trie
                for ch in key:
                    node = node.setdefault(ch, {})
                node.setdefault(self._END, (canonical, _word_kind(key)))

    def __call__(self, text: str) -> str:
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            match = self._longest(text, i)
            if match is None:
                out.append(text[i])
                i += 1
            else:
                end, canonical = match
                out.append(canonical)
                i = end
        return "".join(out)

    def _longest(self, text: str, start: int) -> tuple[int, str] | None:
        before = text[start - 1] if start > 0 else ""
        node, best, i = self._trie, None, start
        while i < len(text) and text[i] in node:
            node = node[text[i]]
            i += 1
            if self._END in node:
                canonical, kind = node[self._END]
                after = text[i] if i < len(text) else ""
                if kind is None or not (_in_word(before, kind) or _in_word(after, kind)):
                    best = (i, canonical)
        return best


# Variants that match as whole words only: Latin ones ("pc" not inside "spp"), and short
# katakana ones inside a katakana word (「デル」 not inside 「モデル」, 「アルバ」 not inside 「アルバイト」).
_LATIN, _KATAKANA = "latin", "katakana"
_SHORT_KATAKANA = re.compile(r"^[ァ-ヴー]{1,3}$")


def _word_kind(key: str) -> str | None:
    if _ASCII_WORD.match(key):
        return _LATIN
    return _KATAKANA if _SHORT_KATAKANA.match(key) else None


def _in_word(ch: str, kind: str) -> bool:
    """Whether `ch` continues a word of that kind, so a variant next to it would cut the word."""
    if not ch:
        return False
    if kind == _LATIN:
        return ch.isascii() and ch.isalnum()
    return "ァ" <= ch <= "ヴ" or ch == "ー"


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    from knowledge.loader import load_knowledge

    return Analyzer(load_knowledge().glossary)
