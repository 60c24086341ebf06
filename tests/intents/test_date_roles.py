"""Dates read with their roles, chained calculations, moments and named desks (issue 14's examples)."""

from datetime import date, datetime

import pytest

from intents import date_roles
from intents.date_roles import Role
from intents.entities import extract
from intents.normalize import normalize
from intents.router import default_pipeline, route
from knowledge.calculators.standard_warranty import find_series_warranty
from knowledge.loader import load_knowledge

NOW = datetime.fromisoformat("2026-11-24T10:00:00+09:00")  # Tuesday


def _roles(text: str) -> list[tuple[Role | None, date]]:
    normalized = default_pipeline().analyzer.analyze(text).normalized
    dated = date_roles.roles(extract(normalized, NOW), normalized, NOW.date())
    return [(d.role, d.day) for d in dated]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024年3月5日に購入したDL20 Gen9", [(Role.purchase, date(2024, 3, 5))]),
        ("11/1に注文して11/20に出荷されたサーバー", [(Role.order, date(2026, 11, 1)), (Role.ship, date(2026, 11, 20))]),
        (
            "PWP終了日確認サイトでは「確定」2027年9月30日、保証終了日は2027年5月31日",
            [(Role.pwp_end, date(2027, 9, 30)), (Role.coverage_end, date(2027, 5, 31))],
        ),
        ("2027/3/31に保証が切れる", [(Role.coverage_end, date(2027, 3, 31))]),
        ("納品から10日たって初期不良", [(Role.delivery, date(2026, 11, 14))]),
        ("購入から半年のサーバー", [(Role.purchase, date(2026, 5, 24))]),
        ("保守が残り8か月", [(Role.coverage_end, date(2027, 7, 24))]),
        ("12月29日の朝に修理の電話", [(Role.moment, date(2026, 12, 29))]),
    ],
)
def test_each_date_gets_the_role_of_the_words_around_it(text, expected):
    assert _roles(text) == expected


def test_a_rule_phrase_is_no_elapsed_time():
    normalized = normalize("納品から1ヶ月以内に登録が必要ですか")
    assert extract(normalized, NOW).dates == ()


def test_terms_are_told_apart_by_what_they_measure():
    normalized = default_pipeline().analyzer.analyze("標準保証3年のサーバーに5年のケアパック、2年のPWPは？").normalized
    terms = date_roles.terms(normalized, ())
    assert (terms.warranty, terms.care, terms.pwp) == (3, 5, 2)


def test_q4_row_of_a_named_model():
    rows = load_knowledge().tables.standard_warranty
    assert find_series_warranty("dl20 gen9を買った", rows).parts_years == 3
    assert find_series_warranty("microserver gen10", rows).parts_years == 1
    assert find_series_warranty("dl360", rows).series == "ProLiant DL360 Gen10"
    assert find_series_warranty("サーバー", rows) is None


# --- the examples, end to end ---------------------------------------------------


def test_purchase_date_plus_standard_warranty_gives_the_pwp_window():
    a = route("2024年3月5日に購入したDL20 Gen9（標準保証3年）。ポストワランティはいつから発注できますか？", NOW)
    result = a.calculation["result"]
    assert (result["coverage_end"], result["order_window_start"]) == ("2027-03-04", "2026-12-04")
    assert result["days_until_open"] == 10
    assert "2027年3月4日" in a.lead and "あと10日" in a.lead
    assert "読み取った条件" in a.details and "ハードウェアのご購入日" in a.details


def test_purchase_date_and_model_alone_use_the_q4_row():
    a = route("2024年3月5日に購入したDL20 Gen9、ポストワランティはいつから発注できますか？", NOW)
    assert a.calculation["result"]["coverage_end"] == "2027-03-04"
    assert "Q4" in a.details


def test_purchase_date_without_any_term_asks_for_it():
    a = route("2024年3月5日に購入したサーバー、ポストワランティはいつから発注できますか？", NOW)
    assert a.calculation is None and a.intent == "Q22" and "年数" in a.as_text()


def test_the_fixed_pwp_end_date_is_not_the_warranty_end():
    a = route("PWP終了日確認サイトでは「確定」2027年9月30日、保証終了日は2027年5月31日。1年のPWPは買える？", NOW)
    result = a.calculation["result"]
    assert (result["coverage_end"], result["pwp_end"], result["pwp_status"]) == ("2027-05-31", "2027-09-30", "fixed")
    assert result["verdict"] == "not_orderable"


def test_order_date_is_not_the_ship_date():
    a = route("11/1に注文して11/20に出荷されたサーバー、3年のケアパック付けてます。保守っていつから？", NOW)
    result = a.calculation["result"]
    assert (result["basis"], result["start_date"], result["end_date"]) == ("ship_date", "2026-11-20", "2029-11-19")
    assert "2026年11月20日" in a.lead and "ご注文日" in a.details


@pytest.mark.parametrize(
    "text, at, open_now, next_open",
    [
        ("12月29日の朝にサーバーの修理依頼の電話したい、つながる？", "2026-12-29T09:00:00+09:00", True, None),
        ("1/2の午前中に修理の電話つながる？", "2027-01-02T10:00:00+09:00", False, "2027-01-04T08:45:00+09:00"),
    ],
)
def test_the_moment_asked_about_decides_open_or_closed(text, at, open_now, next_open):
    a = route(text, NOW)
    result = a.calculation["result"]
    assert (result["at"], result["open_now"], result["next_open"]) == (at, open_now, next_open)
    assert "8:45~17:30" in a.lead  # the desk's hours range, not only its state


def test_a_defect_ten_days_after_delivery_is_past_the_quick_rescue_week():
    a = route("納品から10日たって初期不良が見つかりました", NOW)
    result = a.calculation["result"]
    assert result["delivered"] == "2026-11-14"
    # P20's row says 納品後一週間以内 and names no desk for later (issue 15): said, and a person offered.
    assert "10日" in a.lead and "納品後一週間以内ではありません" in a.lead and a.offer_human
    assert "修理" not in a.lead


def test_a_named_desk_is_answered_as_asked():
    a = route("カスタマー・ケア・センター（ネットワーク製品用）の番号は？", NOW)
    assert a.calculation["result"]["center"] == "カスタマー・ケア・センター（ネットワーク製品用）"
    assert "0120-101-589" in a.lead and "0570-064-235" in a.lead and "9:00~21:00" in a.lead


@pytest.mark.parametrize(
    "text, center",
    [
        ("PICの電話番号は？", "パートナー・インフォメーション・センター（PIC）"),
        ("CICって何時まで？", "カスタマー・インフォメーション・センター（CIC）"),
        ("ArubaのCICの番号を教えて", "カスタマー・インフォメーション・センター（CIC） Aruba製品専用"),
        ("クイックレスキューセンターの受付時間は？", "クイック・レスキュー・センター"),
    ],
)
def test_named_desks(text, center):
    assert route(text, NOW).calculation["result"]["center"] == center


# --- long messages ------------------------------------------------------------------------


def test_the_asking_sentence_of_a_long_message():
    from intents.question import focus

    text = "お世話になっております。株式会社サンプルの山田です。先月お客様にサーバーを納品しました。CSNのIDはどうやって取得すればいいですか？"
    assert focus(text) == "CSNのIDはどうやって取得すればいいですか？"
    assert focus("CSNのIDはどう取る？") is None


def test_a_long_polite_message_decides_like_the_short_question():
    short = default_pipeline().classify("CSNのIDはどうやって取得すればいいですか？", NOW)
    long = default_pipeline().classify(
        "お世話になっております。株式会社サンプルの山田です。いつも大変お世話になっております。"
        "先月お客様の本社にサーバーを3台納品し、現在ラックへの設置とOSの構築作業を進めているところです。"
        "お客様からの要望で弊社側で管理を行うことになりました。CSNのIDはどうやって取得すればいいですか？",
        NOW,
    )
    assert long.top[0] == short.top[0] == "Q12"
    assert long.decision == short.decision == "answer"


# --- more chains and readings of dates ------------------------------------------------------


def test_delivery_date_alone_gives_the_registration_deadline():
    a = route("明日ファウンデーションケア5年の納品物が届く予定です。登録期限はいつになりますか？", NOW)
    assert (a.intent, a.calculator) == ("start-date", "registration-deadline")
    assert a.calculation["result"]["registration_deadline"] == "2026-12-25"
    assert "2026年12月25日" in a.lead


def test_years_ago_today_is_one_date():
    a = route("ちょうど2年前の今日に購入したDL380 Gen10（標準保証のみ）、PWPの発注期間は？", NOW)
    result = a.calculation["result"]
    assert (result["coverage_end"], result["order_window_start"]) == ("2027-11-23", "2027-08-25")


def test_hiragana_date_and_term_units():
    a = route("ほしょうが2027ねん1がつ31にちにおわります。ぽすとわらんてぃはいつからはっちゅうできますか", NOW)
    assert a.calculation["result"]["order_window_start"] == "2026-11-02"
    a = route("ｺｳﾆｭｳﾋﾞ 2026/7/7 ﾉ ｻｰﾊﾞｰ ﾆ 5ﾈﾝ ﾉ ｹｱﾊﾟｯｸ｡ ﾎｼｭ ﾊ ｲﾂｶﾗ ｲﾂﾏﾃﾞ?", NOW)
    assert a.calculation["result"]["end_date"] == "2031-07-06"


def test_a_row_naming_two_models_matches_either():
    rows = load_knowledge().tables.standard_warranty
    assert find_series_warranty("msa 2050を買った", rows).parts_years == 3


def test_network_products_point_to_their_warranty_page():
    a = route("Arubaのスイッチを2024年5月10日に購入しました。PWPはいつから発注できますか？", NOW)
    assert a.calculation is None and "networking/support/warranty" in a.as_text()


def test_the_latest_end_date_is_the_running_one():
    a = route("製品保証は2025年4月30日に終わり、その後の契約の終了日が2027年4月30日です。次のPWPはいつから発注？", NOW)
    assert a.calculation["result"]["coverage_end"] == "2027-04-30"


def test_a_named_desk_with_a_word_of_reaching_is_a_contact_question():
    a = route("24時間保証ネットワーク製品の時間外窓口の番号を教えて", NOW)
    assert a.intent == "contact" and "0120-065-591" in a.lead


def test_a_long_topic_before_a_date_is_read_whole():
    # 「ポストワランティサービス終了日は予定で」 is longer than the verb reach: no cue read cut in half.
    a = route("保証切れ 2027/2/28 の案件、PWP終了日は予定で 2030/3/31 表示です。1年PWP今日発注できる？", NOW)
    result = a.calculation["result"]
    assert (result["coverage_end"], result["pwp_end"], result["pwp_status"]) == ("2027-02-28", "2030-03-31", "planned")


def test_last_weeks_weekday_is_a_date_with_a_role():
    a = route("先週金曜に保守の納品物が届きました。いつまでに登録すればいい？", NOW)
    assert a.calculation["result"]["registration_deadline"] == "2026-12-20"


def test_the_day_of_a_call_is_no_work_date():
    a = route("ファームウェアアップデートオプションの相談を今日アドバンストソリューションセンターにしたいけど受け付けてもらえる？", NOW)
    assert a.calculator != "firmware-deadline"
    a = route("12月10日にファームウェアアップデートしたい", NOW)
    assert a.calculation["inputs"]["work_date"] == "2026-12-10"


def test_tonight_and_a_delivery_before_the_moment_asked_about():
    result = route("今夜サーバーの修理依頼の電話できる？", NOW).calculation["result"]
    assert (result["at"], result["open_now"]) == ("2026-11-24T20:00:00+09:00", False)
    result = route("12/30に初期不良の連絡したい、納品は12/25", NOW).calculation["result"]
    assert (result["delivered"], result["at"][:10]) == ("2026-12-25", "2026-12-30")


def test_a_delivery_date_in_a_question_read_as_pwp_gets_the_registration_deadline():
    a = route("納品日が2026年9月30日のサポートサービス、サービス登録の期限は？", NOW)
    assert a.calculator == "registration-deadline"
    assert a.calculation["result"]["registration_deadline"] == "2026-10-30"


# --- a sequence of dates, registration dates, hiragana and short terms ---------------------


def test_a_month_and_day_after_a_dated_one_keep_its_year():
    """Not the occurrence nearest to today: 7月10日 after 2025年7月3日 is 2025-07-10."""
    assert _roles("2025年7月3日受注、7月8日HPE出荷、7月10日お客様へ納品") == [
        (Role.order, date(2025, 7, 3)),
        (Role.ship, date(2025, 7, 8)),
        (Role.delivery, date(2025, 7, 10)),
    ]


def test_the_day_of_registering_is_not_the_purchase():
    roles = _roles("今日（11/24）登録するんですが、ハードの購入日は2026年8月20日")
    assert (Role.registration, date(2026, 11, 24)) in roles
    assert [day for role, day in roles if role is Role.purchase] == [date(2026, 8, 20)]


def test_a_date_typed_in_hiragana_is_a_date():
    assert _roles("2024ねん5がつ20にちに かいました") == [(Role.purchase, date(2024, 5, 20))]


@pytest.mark.parametrize("text", ["FC5y 購入 2026/3/16", "5 yrs のケアパック、購入 2026/3/16"])
def test_a_term_written_short_in_english_is_a_term(text):
    assert extract(normalize(text), NOW).years == 5


def test_the_start_date_lead_gives_the_purchase_and_registration_deadlines():
    lead = route("注文 2026/10/20、サポートサービスの納品 2026/10/28、保証書の購入日 2026/10/30。保守開始日は？", NOW).lead
    assert "2026年10月30日" in lead  # the start
    assert "2027年10月29日" in lead  # the last day to buy (purchase + 1 year)
    assert "2026年11月28日" in lead  # registration: delivery + one month


def test_a_sequence_across_the_new_year_moves_to_the_next_year():
    assert _roles("2025年12月20日に注文、1月10日に納品") == [
        (Role.order, date(2025, 12, 20)),
        (Role.delivery, date(2026, 1, 10)),
    ]
    assert _roles("保証終了は2027年3月31日、3/1に発注した") == [
        (Role.coverage_end, date(2027, 3, 31)),
        (Role.order, date(2027, 3, 1)),
    ]
