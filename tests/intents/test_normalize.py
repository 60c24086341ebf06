from hypothesis import given
from hypothesis import strategies as st

from intents.normalize import fuzzy_key, normalize


def test_slack_markup_is_removed_but_link_text_kept():
    text = "<@U012AB3CD> <#C0123ABCD|sales> <https://www.hpe.com/jp|FAQ>見た :pray: `CSN` ```x```"
    assert normalize(text) == "sales faq 見た csn x"


def test_half_width_kana_long_vowels_and_dots_fold_together():
    assert normalize("ﾎﾟｽﾄﾜﾗﾝﾃｨｰ") == normalize("ポスト・ワランティー") == "ポストワランティ"
    assert normalize("ＣＳＮ") == "csn"


def test_times_survive_emoji_stripping():
    assert "10:30" in normalize("10:30に電話 :phone:")


def test_zero_width_and_bidi_characters_are_dropped():
    assert normalize("保\u200b守\u202e開始日") == "保守開始日"


def test_fuzzy_key_forgives_small_kana_and_voicing_typos():
    assert fuzzy_key(normalize("ポストワランテイ")) == fuzzy_key(normalize("ポストワランティー"))
    assert fuzzy_key(normalize("ファンデーション")) != fuzzy_key(normalize("プロアクティブ"))


@given(st.text(max_size=200))
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(max_size=200))
def test_fuzzy_key_is_idempotent(text):
    once = fuzzy_key(normalize(text))
    assert fuzzy_key(once) == once


def test_pleasantries_are_dropped_only_around_substance():
    from intents.normalize import strip_pleasantries

    text = normalize("いつもお世話になっております。CSNのIDの取り方を教えてください。よろしくお願いいたします。")
    assert strip_pleasantries(text) == "csnのidの取り方を教えてください。"
    assert strip_pleasantries(normalize("お疲れ様です！")) == normalize("お疲れ様です！")


def test_a_short_katakana_variant_folds_only_as_a_whole_word():
    """「デル」 (Dell) is another vendor; 「モデル」 (a model) is not, nor 「アルバイト」 Aruba."""
    from intents.tokens import default_analyzer

    fold = default_analyzer().fold_synonyms
    assert "他社製品" in fold("デルのサーバー")
    assert "他社製品" not in fold("rdxの1tbモデル")
    assert "aruba" in fold("アルバのスイッチ") and "aruba" not in fold("アルバイト")


def test_a_question_about_a_model_is_not_declined_as_another_vendors():
    from datetime import datetime

    from intents.router import route

    answer = route("RDXの1TBモデルの標準保証は何年？", datetime.fromisoformat("2026-11-24T10:00:00+09:00"))
    assert (answer.kind, answer.intent) == ("answer", "Q4")
