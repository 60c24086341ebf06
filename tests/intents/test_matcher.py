"""The matcher is knowledge-agnostic: any (intent, examples, answer text) list builds one."""

from intents.matcher import IntentDoc, Matcher
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
