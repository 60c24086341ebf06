"""The reply's shape: the asked fact first, a few details, the source; nothing said twice."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from intents.evaluation import fact_key, lead_paragraph, load_labelled, states_facts
from intents.router import default_pipeline, route
from intents.warranty_models import WarrantyModels
from knowledge.loader import load_knowledge
from knowledge.passages import warranty_years

NOW = datetime.fromisoformat("2026-11-24T10:00:00+09:00")
DATA = Path(__file__).resolve().parents[1] / "data"
URL = re.compile(r"https?://[^\s）)」、]+")
# A sentence ends with 。; list rows (a desk's hours, a phone line) may repeat across desks.
SENTENCE = re.compile(r"[^。\n]+。")


def _sentences(text: str) -> list[str]:
    keys = [re.sub(r"[\s・※■。、:：()（）]+", "", unicodedata.normalize("NFKC", s)) for s in SENTENCE.findall(text)]
    return [k for k in keys if len(k) >= 8]


def _replies():
    for name in ("dev.jsonl", "holdout.jsonl"):
        for item in load_labelled(DATA / name):
            now = datetime.fromisoformat(item.now) if item.now else NOW
            yield item.text, default_pipeline().route(item.text, now).as_text()


def test_no_reply_says_a_sentence_or_a_url_twice():
    repeated = []
    for text, reply in _replies():
        sentences = [s for s, n in Counter(_sentences(reply)).items() if n > 1]
        urls = [u for u, n in Counter(URL.findall(reply)).items() if n > 1]
        if sentences or urls:
            repeated.append((text, sentences, urls))
    assert not repeated, repeated[:5]


def _lead(question: str) -> str:
    return lead_paragraph(route(question, NOW).as_text())


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("MSL 2024の保証は？", ["MSL 2024", "パーツ交換1年", "オンサイトなし", "Q4 / P5"]),
        ("StoreVirtual 4000のオンサイト保証は何年？", ["StoreVirtual 4000", "パーツ交換3年", "オンサイト3年"]),
        ("RDX 3TBのオンサイト保証は？", ["RDX 3TB以上", "オンサイトなし"]),
        ("コラボティブコールマネジメントはファウンデーションケアでも付く？", ["はい", "ProLiantのみ提供"]),
        ("インシデントレポートはファウンデーションケアにもある？", ["いいえ", "年4回"]),
        ("ベーシックソフトウェア電話サポートはプロアクティブケアだけ？", ["いいえ", "ProLiantのみ"]),
        ("ファウンデーションケアのハードウェアサービスのサービスレベルは？", ["9×5 (翌日対応)", "Q1 / P3"]),
        ("FWアップデートオプションはMoonshotでも使える？", ["いいえ", "Moonshot", "対象外"]),
        ("ファームウェアアップデートオプションで作業前のバックアップは誰がやる？", ["お客様の責任範囲", "バックアップ"]),
        ("佐渡島の設置先でもオンサイト対応してもらえる？", ["離島を除く", "佐渡島"]),
        ("クイック・レスキュー・センターは何時まで？", ["9:00~17:00", "0120-802-075"]),
    ],
)
def test_the_lead_states_the_asked_fact(question, facts):
    lead = _lead(question)
    assert all(fact_key(f) in fact_key(lead) for f in facts), lead


def test_a_model_the_table_does_not_list_is_not_guessed():
    answer_text = route("DL380 Gen9の標準保証は何年？", NOW).as_text()
    lead = lead_paragraph(answer_text)
    assert "DL380 Gen9" in lead and "載っていません" in lead and "www.hpe.com/jp/selection" in lead
    assert "3年" not in answer_text and "ProLiant DL380 Gen10" not in answer_text


def test_the_reply_is_short_and_the_whole_entry_is_behind_it():
    answer = route("ポストワランティはいつまで買える？", NOW)
    assert answer.as_text().count("\n") + 1 <= 14
    whole = answer.full_text()
    assert "確定" in whole and "予定" in whole and len(whole) > len(answer.as_text())
    assert answer.sections and all(isinstance(h, str) and t for h, t in answer.sections)
    assert answer.passages and all(p.entry == "Q23" for p in answer.passages)


def test_a_calculation_keeps_its_lead_and_moves_the_rule_behind_it():
    answer = route("保証終了日が2027年3月31日ですが、ポストワランティはいつから発注できますか", NOW)
    assert answer.kind == "calculation" and "2026年12月31日" in lead_paragraph(answer.as_text())
    assert "適用したルール" not in answer.as_text() and "適用したルール" in answer.full_text()
    assert "読み取った条件" in answer.as_text()


def test_warranty_models_follow_the_table_text():
    models = WarrantyModels(load_knowledge().tables)
    assert [s.name for s in models.match("msl 2024の保証").series] == ["MSL 2024/3040/4048 テープライブラリ"]
    assert [s.name for s in models.match("rdx 1tb").series] == ["RDX 2TB以下"]
    assert models.match("dl360 gen9").unlisted and not models.match("dl360 gen9").series
    assert {s.name for s in models.match("storeeasyの保証").series} >= {"StoreEasy 1450", "StoreEasy 3850"}


def test_facts_are_matched_by_width_case_and_spacing():
    assert states_facts((("0120-802-075",), ("9:00", "９：００")), "電話 ０１２０－８０２－０７５、受付 9 : 00")
    assert not states_facts((("年2回",), ("対象外",)), "年2回です")
    assert lead_paragraph("一行目\n二行目\n\n詳細") == "一行目\n二行目"


def test_both_label_formats_are_read(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text(
        '{"text": "a", "intent": "Q1", "tags": ["short"]}\n'
        '{"text": "b", "expect": ["Q22", "pwp"], "facts": [["90日"]], "style": "casual"}\n'
        '{"text": "c", "expect": null, "facts": [], "style": "oos"}\n',
        encoding="utf-8",
    )
    old, new, oos = load_labelled(path)
    assert old.accepts("Q1") and not old.accepts("Q2") and not old.facts
    assert new.accepts("pwp") and new.accepts("Q22") and new.facts == (("90日",),) and new.tags == ("casual",)
    assert oos.accepts(None) and not oos.accepts("Q1")


def test_every_series_of_the_warranty_table_is_answered_by_its_own_row():
    knowledge = load_knowledge()
    wrong = []
    for row in knowledge.tables.standard_warranty:
        want = f"パーツ交換{warranty_years(row.parts_years)}・オンサイト{warranty_years(row.onsite_years)}"
        for name in row.series:
            answer = route(f"{name}のオンサイト保証は何年？", NOW)
            lead = lead_paragraph(answer.as_text())
            if answer.intent != "Q4" or name not in lead or want not in lead:
                wrong.append((name, lead))
    assert not wrong, wrong[:3]


def test_a_pointer_or_a_title_never_answers():
    from intents.passage_ranking import answers_nothing

    passages = {p.id: p for items in default_pipeline().replies.index.passages.values() for p in items}
    pointer = next(p for p in passages.values() if p.text == "納品物に関してはQ5をご参照ください。")
    title = next(p for p in passages.values() if p.text.startswith("サポートサービスセントラル ご利用方法"))
    fact_with_reference = next(p for p in passages.values() if p.text.startswith("・登録完了通知は送付されません"))
    assert answers_nothing(pointer) and answers_nothing(title)
    assert not answers_nothing(fact_with_reference)


def test_a_line_pointing_to_a_url_leads_with_the_url_and_no_bracket_touches_a_url():
    lead = _lead("HD返却不要サービスの詳しい説明はどこ？")
    assert "http://www.hpe.com/jp/dmr" in lead
    assert not re.search(r"https?://\S+（", lead)
    assert not re.search(r"https?://\S+（", _lead("サポートサービスセントラルのURLは？"))


def test_a_desk_is_named_by_its_own_words_not_by_words_every_desk_has():
    """「連絡先の電話番号」 names no desk: the list, never one desk's phone chosen by 「先」."""
    assert "0120-" not in _lead("連絡先の電話番号を教えて")
    assert "licensing.apj@hpe.com" in _lead("ライセンスの問い合わせ窓口は？")


def test_a_long_message_is_answered_for_its_asking_sentence():
    message = (
        "お世話になっております。東西システムの佐藤です。お客様がRHELのサブスクリプションを使っています。"
        "2年目も使い続けるには何を買えばいいですか？"
    )
    assert "Red Hat Enterprise Linux用" in _lead(message)


def test_a_firmware_spec_line_out_of_its_place_says_its_section():
    reply = route("ファームウェアアップデートオプションでOSやミドルウェアのアップデートもやってもらえる？", NOW).as_text()
    assert "【対象外】" in lead_paragraph(reply)


def test_a_tool_the_lead_names_comes_with_its_link():
    lead = _lead("ハードの製品番号から対応するサポートサービスを探せるツールある？")
    assert "サポートサービスセントラル" in lead and "http://www.hpe.com/jp/supportservices-ssc" in lead
