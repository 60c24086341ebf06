"""Text normalisation shared by examples and incoming questions.

Two forms come out of here:
- `normalize(text)`: what Sudachi tokenises and entity extraction reads —
  Slack markup removed, NFKC (half-width kana and full-width latin folded),
  lower case, katakana spelling variants folded, noise punctuation collapsed.
- `fuzzy_key(text)`: a coarser form for character n-grams, folding what
  partners mistype (small kana, long-vowel marks, voiced marks), so
  「ポストワランテイ」 and 「ポストワランティー」 share their n-grams.
Both must be idempotent: a normalised text normalises to itself.
"""

from __future__ import annotations

import re
import unicodedata

# Slack markup (https://api.slack.com/reference/surfaces/formatting).
_USER_MENTION = re.compile(r"<[@!][A-Z0-9^|a-z]+(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+(?:\|([^>]*))?>")
_LINK_WITH_TEXT = re.compile(r"<(?:https?|mailto):[^|>]+\|([^>]+)>")
_BARE_LINK = re.compile(r"<((?:https?|mailto):[^>]+)>")
# Emoji names never start with a digit, which keeps times like 10:30:00 intact.
_EMOJI = re.compile(r":[a-z_+\-'][a-z0-9_+\-']*:")
_CODE_FENCE = re.compile(r"```+")
_BACKTICK = re.compile(r"`")
_FORMATTING = re.compile(r"(?<!\w)[*_~]+|[*_~]+(?!\w)")

# Characters that carry nothing for matching (zero-width, bidi controls, BOM).
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)

# Katakana word-final long vowel: ワランティー -> ワランティ, サーバー -> サーバ.
_FINAL_LONG_VOWEL = re.compile(r"(?<=[ァ-ヴ])ー+(?![ァ-ヴー])")
# Middle dots between katakana words: ポスト・ワランティ -> ポストワランティ.
_KATAKANA_DOT = re.compile(r"(?<=[ァ-ヴー])[・･](?=[ァ-ヴ])")
_WAVE = re.compile(r"[〜～~]")
_REPEAT_PUNCT = re.compile(r"([!?！？。、.,…])\1+")
_SPACES = re.compile(r"\s+")
# A date typed in hiragana (2024ねん5がつ20にち): its units as kanji, so dates read as dates.
_KANA_DATE_UNIT = re.compile(r"(?<=[0-9])\s?(ねん|がつ|にち)")
_KANA_UNITS = {"ねん": "年", "がつ": "月", "にち": "日"}

# Small kana and voiced marks partners mix up (テイ/ティ, ツ/ッ, バ/ハ is too far).
_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ", "アイウエオツヤユヨワカケあいうえおつやゆよわ")
_FUZZY_DROP = re.compile(r"[ー\-・\s、。,.!?！？「」『』()（）\[\]【】:：;；/／]")


def strip_slack_markup(text: str) -> str:
    text = _USER_MENTION.sub(" ", text)
    text = _CHANNEL.sub(lambda m: f" {m.group(1) or ''} ", text)
    text = _LINK_WITH_TEXT.sub(lambda m: f" {m.group(1)} ", text)
    text = _BARE_LINK.sub(" ", text)
    text = _EMOJI.sub(" ", text)
    text = _CODE_FENCE.sub(" ", text)
    text = _BACKTICK.sub(" ", text)
    return _FORMATTING.sub(" ", text)


def _strip_controls(text: str) -> str:
    text = text.translate(_INVISIBLE)
    if text.isprintable():  # no character of category C (nor a line break, nor a non-ASCII space)
        return text
    return "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" else " " for ch in text)


def normalize(text: str) -> str:
    text = _strip_controls(strip_slack_markup(text))
    text = unicodedata.normalize("NFKC", text).lower()
    text = _FINAL_LONG_VOWEL.sub("", text)
    text = _KANA_DATE_UNIT.sub(lambda m: _KANA_UNITS[m.group(1)], text)
    text = _KATAKANA_DOT.sub("", text)
    text = _WAVE.sub(" ", text)
    text = _REPEAT_PUNCT.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


# Business pleasantries that open or close a message. They carry no question,
# yet they look like small talk to the matcher and outweigh a long message's
# content; they are dropped when something substantive remains.
_PLEASANTRIES = re.compile(
    r"(?:いつも)?お世話になって(?:おり|い)ます[。、!]?|お世話になります[。、!]?|お疲れ(?:様|さま)です[。、!]?|"
    r"お忙しいところ(?:恐れ入りますが|すみませんが|申し訳ありませんが|失礼します)[。、]?|"
    r"(?:どうぞ)?(?:よろしく|宜しく)お願い(?:いた|致)?(?:します|します)[。!]?|以上(?:です|、)?よろしくお願いします[。]?"
)
# What must remain for the pleasantries to be dropped (a bare 「お疲れ様です」 stays small talk).
_SUBSTANCE_CHARS = 6


def strip_pleasantries(normalized: str) -> str:
    rest = _SPACES.sub(" ", _PLEASANTRIES.sub(" ", normalized)).strip()
    return rest if len(rest) >= _SUBSTANCE_CHARS else normalized


def fuzzy_key(normalized: str) -> str:
    """Coarse form of an already normalised text for typo-tolerant n-grams."""
    # Drop voiced/semi-voiced marks: バ/パ/ハ typos are common in half-width input.
    text = unicodedata.normalize("NFD", normalized.translate(_SMALL_TO_LARGE))
    text = "".join(ch for ch in text if ch not in "\u3099\u309a")
    return unicodedata.normalize("NFC", _FUZZY_DROP.sub("", text))
