import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.calculators.common import CalculatorInputError
from knowledge.calculators.contact_routing import (
    describe_state,
    find_purpose,
    list_contacts,
    open_state,
    parse_product,
    parse_purpose,
    route_contact,
)
from knowledge.calendar import JST
from knowledge.loader import load_knowledge
from knowledge.models import INTERPRETATION_MARK, ProductFamily, Purpose

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


@pytest.fixture(scope="module")
def contacts():
    return load_knowledge().contacts


# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("修理", Purpose.repair),
        ("故障", Purpose.repair),
        ("壊れた", Purpose.repair),
        ("修理の問い合わせ", Purpose.repair),  # a generic word does not win over a specific one
        ("初期不良", Purpose.missing_or_defective),
        ("欠品", Purpose.missing_or_defective),
        ("使い方", Purpose.usage),
        ("使用方法", Purpose.usage),
        ("請求", Purpose.repair_billing),
        ("有償修理", Purpose.repair_billing),
        ("購入前", Purpose.general),
        ("問い合わせ", Purpose.general),
        ("登録", Purpose.registration),
        ("登録変更", Purpose.registration_change),
        ("移転", Purpose.registration_change),
        ("社名変更", Purpose.registration_change),
        ("契約更新", Purpose.contract_renewal),
        ("更新", Purpose.contract_renewal),
        ("PWP", Purpose.contract_renewal),
        ("ＰＷＰ", Purpose.contract_renewal),
        ("ポストワランティ", Purpose.contract_renewal),
        ("ライセンス", Purpose.license),
        ("ファームウェア", Purpose.firmware),
        ("インストレーション", Purpose.installation),
        ("スタートアップ", Purpose.installation),
        ("CSN", Purpose.csn),
        ("ダイレクトプラス", Purpose.directplus),
        ("repair", Purpose.repair),
        ("missing-or-defective", Purpose.missing_or_defective),
        ("contract_renewal", Purpose.contract_renewal),
        (Purpose.usage, Purpose.usage),
    ],
)
def test_parse_purpose(text, purpose):
    assert parse_purpose(text) == purpose


@pytest.mark.parametrize("text", ["謎", "hello", "", "xcsnx"])
def test_parse_purpose_unknown_lists_valid_purposes(text):
    with pytest.raises(CalculatorInputError) as info:
        parse_purpose(text)
    message = str(info.value)
    assert "repair（修理）" in message and "usage" in message
    assert "\n" not in message and JAPANESE.search(message)


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("server", ProductFamily.server),
        ("サーバー", ProductFamily.server),
        ("サーバ", ProductFamily.server),
        ("ProLiant", ProductFamily.server),
        ("DL360 Gen10", ProductFamily.server),
        ("ストレージ", ProductFamily.storage),
        ("MSA 2050", ProductFamily.storage),
        ("3PAR", ProductFamily.storage),
        ("StoreOnce", ProductFamily.storage),
        ("ネットワーク", ProductFamily.network),
        ("スイッチ", ProductFamily.network),
        ("switch", ProductFamily.network),
        ("Aruba", ProductFamily.aruba),
        ("アルバ", ProductFamily.aruba),
        ("Aruba switch", ProductFamily.aruba),
        (None, None),
    ],
)
def test_parse_product(text, family):
    assert parse_product(text) == family


def test_parse_product_unknown():
    with pytest.raises(CalculatorInputError) as info:
        parse_product("toaster")
    assert "server" in str(info.value) and "\n" not in str(info.value)


# --- the brief's examples ------------------------------------------------------------------


def test_network_repair_on_a_saturday_before_a_monday_holiday(contacts):
    # 2026-11-21 is a Saturday; Monday 2026-11-23 is 勤労感謝の日.
    result = route_contact("修理", "network", jst("2026-11-21T10:00"), contacts=contacts)
    first = result.matches[0]
    assert first.id == "repair-network"
    assert result.open_now is False
    assert result.next_open == jst("2026-11-24T09:00")
    assert result.center == first.center
    assert [p.number for p in result.phones] == ["0120-101-589", "0570-064-235"]
    alt = first.after_hours_alternative
    assert alt is not None and alt.id == "repair-network-after-hours"
    assert alt.open_now is True
    assert alt.closes_at == jst("2026-11-24T09:00")
    assert alt.next_open is None
    assert any("受付中" in n for n in first.notes)
    assert any("勤労感謝の日" in n for n in result.notes)


def test_server_repair_saturday(contacts):
    result = route_contact("修理", "server", jst("2026-11-21T10:00"), contacts=contacts)
    assert [m.id for m in result.matches] == ["repair-server-storage"]
    assert result.open_now is False
    assert result.next_open == jst("2026-11-24T08:45")
    assert result.email is None
    assert result.matches[0].after_hours_alternative is None


def test_utc_moment_that_is_another_day_in_jst(contacts):
    # 2026-11-20T23:30Z is Saturday 2026-11-21 08:30 in Japan (Friday evening in UTC).
    at = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    result = route_contact("repair", "server", at, contacts=contacts)
    assert result.at == jst("2026-11-21T08:30")
    assert result.at.utcoffset() == timedelta(hours=9)
    assert result.open_now is False
    assert result.next_open == jst("2026-11-24T08:45")
    # Saturday morning in Japan: the network after-hours line is the one answering.
    net = route_contact("repair", "network", at, contacts=contacts)
    assert net.matches[0].after_hours_alternative.open_now is True


def test_moment_from_another_zone_is_converted(contacts):
    # 2026-11-23 19:00 in New York = 2026-11-24 09:00 JST: the network repair desk opens exactly then.
    at = datetime(2026, 11, 23, 19, 0, tzinfo=ZoneInfo("America/New_York"))
    result = route_contact("repair", "network", at, contacts=contacts)
    assert result.open_now is True
    assert result.closes_at == jst("2026-11-24T21:00")
    assert result.matches[0].after_hours_alternative.open_now is False
    assert result.matches[0].after_hours_alternative.next_open == jst("2026-11-24T21:00")


@pytest.mark.parametrize(
    ("at", "open_now", "next_open", "closes_at"),
    [
        ("2026-11-20T11:59", True, None, "2026-11-20T12:00"),
        ("2026-11-20T12:00", False, "2026-11-20T13:00", None),
        ("2026-11-20T12:30", False, "2026-11-20T13:00", None),  # PIC lunch break
        ("2026-11-20T13:00", True, None, "2026-11-20T19:00"),
        ("2026-11-20T19:00", False, "2026-11-24T09:00", None),  # Friday evening before the holiday
        ("2026-11-20T08:59", False, "2026-11-20T09:00", None),
    ],
)
def test_pic_hours_with_lunch_break(contacts, at, open_now, next_open, closes_at):
    result = route_contact("general", None, jst(at), contacts=contacts)
    pic = result.matches[0]
    assert pic.id == "pic"  # partner-facing first
    assert pic.open_now is open_now
    assert pic.next_open == (jst(next_open) if next_open else None)
    assert pic.closes_at == (jst(closes_at) if closes_at else None)


def test_general_lists_partner_and_customer_desks(contacts):
    result = route_contact("問い合わせ", None, jst("2026-11-20T12:30"), contacts=contacts)
    ids = [m.id for m in result.matches]
    assert ids.index("pic") < ids.index("cic")
    # CIC (customer-facing) is open during the PIC's lunch break.
    cic = next(m for m in result.matches if m.id == "cic")
    assert cic.open_now is True
    assert result.email == "jp-partner-IC@hpe.com"


def test_aruba_general_prefers_the_aruba_desk(contacts):
    result = route_contact("general", "aruba", jst("2026-11-20T10:00"), contacts=contacts)
    assert result.matches[0].id == "cic-aruba"
    assert {"pic", "cic"} <= {m.id for m in result.matches}


@pytest.mark.parametrize(
    ("at", "next_open", "why"),
    [
        ("2026-12-29T17:30", "2027-01-04T08:45", "year-end closure 12/30-1/3"),
        ("2026-12-30T10:00", "2027-01-04T08:45", "inside the closure"),
        ("2027-01-03T23:00", "2027-01-04T08:45", "last closure day"),
        ("2027-05-03T10:00", "2027-05-06T08:45", "Golden Week 2027"),
        ("2027-04-30T18:00", "2027-05-06T08:45", "before Golden Week"),
        ("2026-05-06T10:00", "2026-05-07T08:45", "振替休日 2026-05-06"),
        ("2027-03-22T10:00", "2027-03-23T08:45", "振替休日 2027-03-22"),
        ("2028-02-28T17:45", "2028-02-29T08:45", "leap day is a business day"),
    ],
)
def test_closures_for_weekday_desks(contacts, at, next_open, why):
    result = route_contact("repair", "server", jst(at), contacts=contacts)
    assert result.open_now is False, why
    assert result.next_open == jst(next_open), why


def test_after_hours_line_open_through_the_year_end_closure(contacts):
    result = route_contact("使い方", "network", jst("2026-12-31T14:00"), contacts=contacts)
    first = result.matches[0]
    assert first.id == "customer-care-network"
    assert first.open_now is False
    assert first.after_hours_alternative.open_now is True
    assert first.after_hours_alternative.closes_at == jst("2027-01-04T09:00")


@pytest.mark.parametrize(
    ("delivered", "week_passed"),
    [
        ("2026-11-13", False),  # 7 days: still the first week
        ("2026-11-12", True),  # 8 days: P20 names no desk any more
        ("2026-11-20", False),
    ],
)
def test_missing_or_defective_only_within_a_week(contacts, delivered, week_passed):
    # P20: クイック・レスキュー・センター（納品後一週間以内）, and no desk for later. Never a repair desk.
    result = route_contact("初期不良", "server", jst("2026-11-20T10:00"), delivered=date.fromisoformat(delivered), contacts=contacts)
    assert result.requested_purpose == result.purpose == Purpose.missing_or_defective
    assert result.matches[0].id == "quick-rescue"
    assert all(m.id.startswith("quick-rescue") for m in result.matches)
    assert result.offer_human is week_passed
    lead_notes = "".join(result.lead_notes)
    assert ("納品後一週間以内ではありません" in lead_notes) is week_passed
    assert ("担当者におつなぎします" in lead_notes and INTERPRETATION_MARK in lead_notes) is week_passed
    assert "修理" not in result.rule + "".join(result.notes) + lead_notes


def test_missing_or_defective_without_delivery_date_says_the_rule(contacts):
    result = route_contact("欠品", None, jst("2026-11-20T10:00"), contacts=contacts)
    assert result.matches[0].id == "quick-rescue"
    assert result.open_now is True and result.closes_at == jst("2026-11-20T17:00")
    # What P20 says, and that it names no desk after the first week (the bot's statement, marked).
    assert "クイック・レスキュー・センター（納品後一週間以内）" in result.rule
    assert any("一週間を過ぎた" in n and INTERPRETATION_MARK in n for n in result.notes)
    assert not result.offer_human


def test_email_only_desk_has_unknown_state(contacts):
    result = route_contact("ライセンス", None, jst("2026-11-20T10:00"), contacts=contacts)
    assert result.matches[0].id == "license-center"
    assert result.open_now is None and result.next_open is None
    assert result.email == "licensing.apj@hpe.com"
    assert describe_state(result.matches[0]) == ""  # no hours in the source: no state, no sentence about it
    assert any(c.faq == "Q20" for c in result.citations)


def test_contract_renewal_desk(contacts):
    result = route_contact("PWP", None, jst("2026-11-20T12:15"), contacts=contacts)
    assert result.matches[0].id == "contact-center-contracts"
    assert result.email == "apj-JP.supportcontracts@hpe.com"
    assert result.open_now is False and result.next_open == jst("2026-11-20T13:00")


def test_product_without_a_specific_desk_falls_back_with_a_warning(contacts):
    result = route_contact("proactive_care", "network", jst("2026-11-20T10:00"), contacts=contacts)
    assert result.matches  # still answers
    assert any("記載されていない" in w and INTERPRETATION_MARK in w for w in result.warnings)


def test_naive_moment_is_rejected(contacts):
    with pytest.raises(CalculatorInputError):
        route_contact("repair", None, datetime(2026, 11, 21, 10, 0), contacts=contacts)


def test_assumptions_and_citation(contacts):
    result = route_contact("repair", "server", jst("2026-11-21T10:00"), contacts=contacts)
    assert "12/30～1/3" in result.assumptions and "祝日" in result.assumptions
    assert result.citation.page == 20
    data = result.model_dump(mode="json")
    for key in ("center", "phones", "email", "open_now", "next_open", "matches", "assumptions", "rule", "citation", "warnings"):
        assert key in data
    assert data["next_open"] == "2026-11-24T08:45:00+09:00"


def test_list_contacts(contacts):
    listing = list_contacts(datetime(2026, 11, 20, 23, 30, tzinfo=UTC), contacts=contacts)
    by_id = {m.id: m for m in listing.contacts}
    assert set(by_id) == set(contacts)
    assert listing.at == jst("2026-11-21T08:30")
    assert by_id["repair-network-after-hours"].open_now is True
    assert by_id["repair-network"].open_now is False
    assert by_id["registration-center"].open_now is None
    assert "12/30～1/3" in listing.assumptions


# --- properties -------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)).map(lambda d: d.replace(tzinfo=JST))


@settings(max_examples=150)
@given(moments)
def test_next_open_is_open_and_closes_at_is_closed(at):
    contacts = load_knowledge().contacts
    for contact in contacts.values():
        state = open_state(contact, at, contacts)
        if state.next_open is not None:
            assert state.open_now is False
            assert state.next_open > at
            assert open_state(contact, state.next_open, contacts).open_now is True, contact.id
            just_before = state.next_open - timedelta(minutes=1)
            if just_before > at:
                assert open_state(contact, just_before, contacts).open_now is False, contact.id
        if state.closes_at is not None:
            assert state.open_now is True
            assert state.closes_at > at
            assert open_state(contact, state.closes_at, contacts).open_now is False, contact.id
            assert open_state(contact, state.closes_at - timedelta(minutes=1), contacts).open_now is True, contact.id
        if contact.hours.kind == "weekdays" and state.open_now is False:
            assert state.next_open is not None


@settings(max_examples=100)
@given(moments)
def test_after_hours_line_is_the_exact_complement(at):
    contacts = load_knowledge().contacts
    for contact in contacts.values():
        if contact.hours.kind == "outside_of":
            ref = contacts[contact.hours.complement_of]
            assert open_state(contact, at, contacts).open_now is (not open_state(ref, at, contacts).open_now)


def test_24h_warranty_puts_the_open_after_hours_line_first():
    at = datetime.fromisoformat("2026-11-21T10:00:00+09:00")  # Saturday
    plain = route_contact("修理", "network", at)
    assert plain.open_now is False and plain.matches[0].id == "repair-network"
    covered = route_contact("修理", "network", at, warranty_24h=True)
    assert covered.matches[0].id == "repair-network-after-hours"
    assert covered.open_now is True and covered.phones[0].number == "0120-065-591"
    assert any("24時間保証" in n for n in covered.notes)


def test_24h_warranty_changes_nothing_while_the_desk_is_open():
    at = datetime.fromisoformat("2026-11-24T10:00:00+09:00")  # Tuesday
    covered = route_contact("修理", "network", at, warranty_24h=True)
    assert covered.matches[0].id == "repair-network" and covered.open_now is True


@pytest.mark.parametrize("text", ["電源ユニットが1個足りてない", "ケーブルが足りない", "マニュアルが同梱されていない"])
def test_a_part_missing_from_a_delivery_is_the_missing_or_defective_purpose(text):
    assert find_purpose(text) == Purpose.missing_or_defective
