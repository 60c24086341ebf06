"""Questions typed in romaji or with a wrongly converted kanji, brought back to the words
the examples use through their readings.

- Romaji (「hosyu kaishibi itsu?」): converted to hiragana with jaconv when every word
  of it reads as romaji syllables; Sudachi then reads the hiragana as words
  (ほしゅ -> 保守), as it already does for kana-only questions.
- A misconverted kanji word (登禄 for 登録, an IME's wrong candidate): a run of kanji
  that is no handbook term is replaced by the handbook term of the same length that
  differs in one character and reads the same (pykakasi: とうろく = とうろく).

Both run only when the question shows the sign (latin words; an unknown kanji run
with a one-character neighbour among the terms), so ordinary questions pay
nothing; pykakasi (~0.9 s to load its dictionary) is imported on first need.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache, lru_cache

# One romaji syllable (Hepburn and kunrei): consonant clusters, a doubled consonant
# before its syllable (っ), a syllabic n, the long-vowel dash.
_SYLLABLE = (
    r"(?:(?:ky|gy|sh|sy|ch|ty|cy|ts|ny|hy|by|py|my|ry|jy|dy|zy|[kgsztdnhbpmyrwfjv])?[aiueo]"
    r"|n(?![aiueoy])|([kgsztdhbpmrjfc])(?=\1)|-)"
)
_ROMAJI_WORD = re.compile(rf"(?:{_SYLLABLE})+")
_LATIN_WORD = re.compile(r"[a-z][a-z-]*")
# A romaji question has at least this many romaji words.
_MIN_ROMAJI_WORDS = 2
_ROMAJI_SHARE = 0.6
_KANJI_RUN = re.compile(r"[\u4e00-\u9fff々]{2,}")


def romaji_to_kana(normalized: str) -> str | None:
    """The question with its romaji words in hiragana (abbreviations such as PWP or CSN
    kept), when it is typed in romaji; else None."""
    words = _LATIN_WORD.findall(normalized)
    romaji = [w for w in words if _ROMAJI_WORD.fullmatch(w)]
    # English has short words that read as romaji (do, a, no, to): a romaji question is
    # mostly romaji words, one of them longer than those.
    if len(romaji) < _MIN_ROMAJI_WORDS or len(romaji) < _ROMAJI_SHARE * len(words) or max(map(len, romaji)) < 4:
        return None
    import jaconv

    # Words apart: Sudachi reads the hiragana in context (「ほしゅ かいしび」 -> 保守 開始 日).
    return _LATIN_WORD.sub(
        lambda m: jaconv.alphabet2kana(m.group(0)) if _ROMAJI_WORD.fullmatch(m.group(0)) else m.group(0), normalized
    )


@cache
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


@lru_cache(maxsize=4096)  # the handbook's terms come back question after question
def _reading(word: str) -> str:
    return "".join(part["hira"] for part in _kakasi().convert(word))


def correct_misconversions(normalized: str, terms: Iterable[str], is_word: Callable[[str], bool]) -> str | None:
    """The text with each misconverted kanji word replaced by the term it sounds like, or None.

    `is_word` tells a dictionary word (本日, 株式会社: not misconverted, only not a
    handbook term) from a string no dictionary holds as one word (登禄)."""
    known = frozenset(terms)
    corrected = normalized
    for run in {m.group(0) for m in _KANJI_RUN.finditer(normalized)}:
        for piece in _unknown_pieces(run, known):
            neighbours = _neighbours(piece, known)
            if not neighbours or is_word(piece):
                continue
            sound = _reading(piece)
            same = [t for t in neighbours if _reading(t) == sound]
            if len(same) == 1:
                corrected = corrected.replace(piece, same[0])
    return corrected if corrected != normalized else None


def _unknown_pieces(run: str, known: frozenset[str]) -> list[str]:
    """The parts of a kanji run no known term of two or more characters covers (保守登禄 -> 登禄)."""
    pieces, rest, i = [], "", 0
    while i < len(run):
        word = next((run[i:j] for j in range(len(run), i + 1, -1) if run[i:j] in known), None)
        if word is None:
            rest += run[i]
            i += 1
            continue
        if len(rest) >= 2:
            pieces.append(rest)
        rest = ""
        i += len(word)
    if len(rest) >= 2:
        pieces.append(rest)
    return pieces


@cache
def _by_mask(known: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The kanji terms by each of their one-character-masked forms (登録 -> ?録, 登?):
    a word's neighbours one character apart are a look-up per position, not a scan."""
    out: dict[str, list[str]] = {}
    for term in known:
        if _KANJI_RUN.fullmatch(term):
            for i in range(len(term)):
                out.setdefault(f"{term[:i]}?{term[i + 1:]}", []).append(term)
    return {mask: tuple(sorted(terms)) for mask, terms in out.items()}


def _neighbours(piece: str, known: frozenset[str]) -> list[str]:
    """The terms of the same length that differ from `piece` (no term itself) in exactly one character."""
    masks = _by_mask(known)
    found = {t for i in range(len(piece)) for t in masks.get(f"{piece[:i]}?{piece[i + 1:]}", ())}
    return sorted(found)
