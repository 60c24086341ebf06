"""The question in a long message: the sentence that asks, without the greeting, the
self-introduction and the background around it.

A partner's message often reads 「お世話になっております。〇〇社の△△です。
お客様のサーバーで…しました。…はいつまでですか？」. Its intent is in the asking
sentence; the rest dilutes the similarity to short examples, so a long message
scored lower than the same question asked briefly. The background still gives
the entities (dates, products), read from the whole message.
"""

from __future__ import annotations

import re

# Messages shorter than this are matched whole: they are the question.
MIN_CHARS = 50
# A question sentence this short leans on the sentence before it (「いつからですか？」).
SHORT_QUESTION = 16
_SENTENCE = re.compile(r"[^。．！？!?\n]+[。．！？!?\n]*")
_ASKS = re.compile(
    r"[?？]|(?:ます|です|でしょう|ません|ない|ある|いい|良い|できる|可能)か|教えて|ください|下さい|ほしい|欲しい|"
    r"いつ|どこ|どう|どの|どちら|何|なに|誰|いくら|可能|でき(?:る|ます)|知りたい|確認したい"
)


def focus(text: str) -> str | None:
    """The asking sentence of a multi-sentence message (with the one before it when it is
    short), or None when the message is short or has one sentence."""
    if len(text) < MIN_CHARS:
        return None
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    if len(sentences) < 2:
        return None
    index = max((i for i, s in enumerate(sentences) if _ASKS.search(s)), default=len(sentences) - 1)
    chosen = sentences[index]
    if len(chosen) < SHORT_QUESTION and index > 0:
        chosen = sentences[index - 1] + chosen
    return chosen if len(chosen) < len(text) else None
