"""route() end to end: the issue's examples, calculators, follow-ups, bad input."""

from datetime import datetime

import pytest

from intents.answer import RouteContext
from intents.router import answer_intent, route

NOW = datetime.fromisoformat("2026-11-21T10:00:00+09:00")  # Saturday; Monday 11/23 is a holiday


def test_pwp_question_with_a_date_runs_the_calculator():
    a = route("保証終了日が2027年3月31日ですが、ポストワランティはいつから発注できますか", NOW)
    assert (a.kind, a.intent, a.calculator) == ("calculation", "pwp", "pwp")
    result = a.calculation["result"]
    assert result["order_window_start"] == "2026-12-31"
    assert result["order_window_end"] == "2027-03-31"
    assert "Q22" in a.source


def test_relative_end_date_is_resolved_from_now():
    a = route("来月末で保守が切れるけどPWP間に合う？", NOW)
    assert a.intent == "pwp"
    assert a.calculation["inputs"]["coverage_end"] == "2026-12-31"
    assert a.calculation["result"]["orderable_today"] is True


def test_broken_switch_now_is_routed_to_the_network_repair_desk():
    a = route("スイッチが壊れた、今電話して修理頼める？", NOW)
    assert a.intent == "contact"
    result = a.calculation["result"]
    assert result["center"] == "修理依頼（ネットワーク製品用）"
    assert result["open_now"] is False
    assert result["next_open"].startswith("2026-11-24T09:00")
    alternative = result["matches"][0]["after_hours_alternative"]
    assert alternative["open_now"] is True
    assert "0120-065-591" in a.lead


@pytest.mark.parametrize(
    "text, intent",
    [("ﾎﾟｽﾄﾜﾗﾝﾃｨっていつまで買える", "Q23"), ("CSNのID欲しい", "Q12"), ("こんにちは", "smalltalk.greeting")],
)
def test_faq_and_smalltalk(text, intent):
    a = route(text, NOW)
    assert a.intent == intent
    assert a.kind in ("answer", "smalltalk")


def test_out_of_scope_is_declined_with_a_human_offered():
    a = route("Zoomのリンク送って", NOW)
    assert a.kind == "out_of_scope" and a.intent is None and a.offer_human


def test_faq_answer_cites_the_handbook():
    a = route("ﾎﾟｽﾄﾜﾗﾝﾃｨっていつまで買える", NOW)
    assert a.source == "Q23 / ハンドブック P18 / Rev.20181101（2018年11月時点）"
    assert "supportservices-pwp-end" in a.as_text()  # the site, once, among the details
    assert "/pwp" in a.lead  # invites the date for the calculator


def test_start_date_from_a_sentence():
    a = route("2026/5/10に購入したサーバーに5年の保守を付けたらいつまで？", NOW)
    assert a.intent == "start-date"
    assert a.calculation["result"]["start_date"] == "2026-05-10"
    assert a.calculation["result"]["end_date"] == "2031-05-09"


def test_follow_up_recomputes_with_a_two_year_term():
    first = route("保証が2027/3/31で切れます。PWPはいつから？", NOW)
    second = route("2年なら？", NOW, RouteContext(last=first))
    assert second.intent == "pwp"
    assert second.calculation["inputs"]["years"] == 2
    assert second.calculation["result"]["term_end"] == "2029-03-31"


def test_follow_up_with_a_date_after_the_faq_entry():
    first = route("ポストワランティの発注期間を教えて", NOW)
    assert first.intent == "Q22"
    second = route("2027/4/30です", NOW, RouteContext(last=first))
    assert second.intent == "pwp"
    assert second.calculation["result"]["order_window_start"] == "2027-01-30"


def test_a_new_question_in_a_thread_is_not_taken_as_a_follow_up():
    first = route("保証が2027/3/31で切れます。PWPはいつから？", NOW)
    second = route("CSNのIDはどうやって取るの？", NOW, RouteContext(last=first))
    assert second.intent == "Q12"


def test_a_question_for_another_calculator_is_not_a_follow_up():
    first = route("保証が2027/3/31で切れます。PWPはいつから？", NOW)
    second = route("修理の電話ばんごう教えて、今日つながる？", NOW, RouteContext(last=first))
    assert second.intent == "contact"
    assert second.calculation["inputs"]["purpose"] == "repair"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_input_gets_a_japanese_prompt(text):
    a = route(text, NOW)
    assert a.kind == "out_of_scope" and "空" in a.lead


def test_mentions_only():
    a = route("<@U012AB3CD> :pray:", NOW)
    assert "読み取れません" in a.lead


def test_impossible_date_is_named():
    a = route("保証が2027-02-30で切れるけどPWPは？", NOW)
    assert "2027-02-30" in a.lead and "存在しない" in a.lead


def test_huge_message_is_answered():
    a = route("ポストワランティはいつまで買える？" + "あ" * 40_000, NOW)
    assert a.intent == "Q23"


def test_answer_intent_directly():
    a = answer_intent("Q5", NOW)
    assert a.intent == "Q5" and a.source.startswith("Q5 / ハンドブック P6")
    with pytest.raises(KeyError):
        answer_intent("Q99", NOW)


def test_rebuild_with_taught_examples_changes_the_answer_at_once():
    from intents import router

    question = "見積書の宛名を変えたいんだけど"
    before = route(question, NOW)
    assert before.intent != "Q18"
    try:
        router.rebuild({"Q18": [question]})
        assert route(question, NOW).intent == "Q18"
    finally:
        router.rebuild({})
    assert route(question, NOW).intent == before.intent


def test_rebuild_rejects_unknown_intents():
    from intents import router

    with pytest.raises(KeyError):
        router.rebuild({"Q99": ["何か"]})


def test_firmware_work_date_gives_the_contact_deadline():
    a = route("来月15日にファームウェアアップデートの作業をしたいけど、いつまでに連絡すればいい？", NOW)
    assert (a.intent, a.calculator) == ("fw-option", "firmware-deadline")
    # 15 business days before Tue 2026-12-15, skipping weekends and Mon 11/23 (勤労感謝の日).
    assert a.calculation["result"]["contact_deadline"] == "2026-11-24"


def test_installation_application_today_gives_the_work_window():
    a = route("今日インストレーションサービスを申し込んだら、作業はいつ頃になりますか？", NOW)
    assert (a.intent, a.calculator) == ("Q17", "installation-window")
    result = a.calculation["result"]
    assert result["received_on"] == "2026-11-24"  # Saturday -> next business day
    assert (result["earliest"], result["latest"]) == ("2026-11-27", "2026-12-08")


def test_firmware_question_without_a_date_is_the_spec():
    a = route("ファームウェアアップデートオプションって何をしてくれるの？", NOW)
    assert a.intent == "fw-option" and a.calculator is None


def test_route_is_safe_from_many_threads_at_once():
    from concurrent.futures import ThreadPoolExecutor

    questions = ["CSNのID欲しい", "ﾎﾟｽﾄﾜﾗﾝﾃｨっていつまで買える", "スイッチが壊れた、今電話して修理頼める？"] * 40
    with ThreadPoolExecutor(max_workers=8) as pool:
        intents = list(pool.map(lambda q: route(q, NOW).intent, questions))
    assert intents == [route(q, NOW).intent for q in questions]


def test_a_past_day_dates_the_delivery_not_the_call():
    tuesday = datetime.fromisoformat("2026-11-24T10:00:00+09:00")
    a = route("初期不良っぽい、納品は一昨日。どこに電話？", tuesday)
    result = a.calculation["result"]
    assert result["center"] == "クイック・レスキュー・センター"
    assert result["at"].startswith("2026-11-24T10:00") and result["open_now"] is True
    assert result["delivered"] == "2026-11-22"
