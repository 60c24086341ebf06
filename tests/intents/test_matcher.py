"""The matcher is knowledge-agnostic: any (intent, examples, answer text) list builds one."""

import json
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel

from intents.matcher import IntentDoc, Matcher, _sorted_tokens
from intents.router import default_pipeline
from intents.tokens import Analyzer

OTHER_FAQ = [
    IntentDoc("reset-password", ["パスワードを忘れました", "パスワードの再設定方法", "ログインできない"], "パスワード再設定"),
    IntentDoc("invoice", ["請求書を再発行したい", "請求書のダウンロード", "領収書がほしい"], "請求書"),
    IntentDoc("hours", ["営業時間は？", "何時まで開いてる？", "土日もやってる？"], "営業時間"),
]


def test_ranks_every_intent_best_first():
    m = Matcher(OTHER_FAQ, Analyzer([]))
    ranked = m.rank(m.analyzer.analyze("パスワード忘れちゃった"))
    assert [s.intent for s in ranked][0] == "reset-password"
    assert {s.intent for s in ranked} == {"reset-password", "invoice", "hours"}
    assert all(0.0 <= s.score <= 1.0 for s in ranked)
    assert ranked[0].score > ranked[1].score
    assert ranked[0].example in OTHER_FAQ[0].examples


def test_typo_and_half_width_still_match():
    m = Matcher(OTHER_FAQ, Analyzer([]))
    assert m.rank(m.analyzer.analyze("ﾘｮｳｼｭｳｼｮがほしい"))[0].intent == "invoice"
    assert m.rank(m.analyzer.analyze("請求署をダウンロード"))[0].intent == "invoice"


def test_unrelated_text_scores_low():
    m = Matcher(OTHER_FAQ, Analyzer([]))
    assert m.rank(m.analyzer.analyze("量子コンピュータの原理"))[0].score < 0.3


def test_fuzz_is_computed_exactly_wherever_it_decides_an_intent_best():
    """The matcher skips rapidfuzz for examples its character bound rules out; every
    intent's best score must still be what scoring every example gives."""
    matcher = default_pipeline().matcher
    dev = Path(__file__).resolve().parents[1] / "data" / "dev.jsonl"
    questions = [json.loads(line)["text"] for line in dev.open()][::3]
    for question in questions:
        query = _sorted_tokens(matcher.analyzer.analyze(question))
        if not query:
            continue
        base = np.random.default_rng(len(question)).random(len(matcher._example_tokens))
        every = base + matcher.weights.fuzz * process.cdist([query], matcher._example_tokens, scorer=Indel.normalized_similarity)[0]
        pruned = matcher._with_fuzz(query, base)
        intents = matcher._example_intent_index
        for intent in np.unique(intents):
            assert pruned[intents == intent].max() == every[intents == intent].max(), (question, intent)
        assert np.all(pruned <= every)
