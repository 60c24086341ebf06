"""Romaji and misconverted kanji read back into the handbook's words (issue 14's examples)."""

from datetime import datetime

import pytest

from intents import readings
from intents.normalize import normalize
from intents.router import default_pipeline, route

NOW = datetime.fromisoformat("2026-11-24T10:00:00+09:00")


@pytest.mark.parametrize(
    "text, kana",
    [
        ("hosyu kaishibi itsu?", "ほしゅ かいしび いつ?"),
        ("suma-to touroku no yarikata", "すまーと とうろく の やりかた"),
        ("csn no id ha dou toru", "csn の id は どう とる"),  # abbreviations stay
    ],
)
def test_romaji_becomes_hiragana(text, kana):
    assert readings.romaji_to_kana(normalize(text)) == kana


@pytest.mark.parametrize("text", ["How do I extend the warranty?", "do i need it", "Is the repair center open?"])
def test_english_is_not_romaji(text):
    assert readings.romaji_to_kana(normalize(text)) is None


def test_a_misconverted_word_becomes_the_term_that_reads_the_same():
    pipeline = default_pipeline()
    terms, is_word = pipeline.vocabulary, pipeline.analyzer.is_word
    assert readings.correct_misconversions("保守の登禄ってどうやる", terms, is_word) == "保守の登録ってどうやる"
    assert readings.correct_misconversions("保守の登録ってどうやる", terms, is_word) is None
    assert readings.correct_misconversions("株式会社山田の件です", terms, is_word) is None


@pytest.mark.parametrize(
    "text, intent",
    [
        ("hosyu kaishibi itsu?", "Q19"),
        ("suma-to touroku no yarikata", "Q13"),
        ("保守の登禄ってどうやる", "Q11"),
        ("ほしゅかいしびはいつ", "Q19"),  # kana-only questions keep working
    ],
)
def test_kana_romaji_and_misconverted_questions_reach_their_intent(text, intent):
    a = route(text, NOW)
    assert (a.kind, a.intent) == ("answer", intent)
