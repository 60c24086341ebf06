"""Which desk to contact for a purpose, product family and moment (P20 and the contacts named in the FAQ).

Rules and the readings chosen where the sources are vague:
- "月～金" hours (Hours.kind == "weekdays") are open on weekdays within their
  ranges, less the days off the source names (Hours.days_off):
    unstated (P20): P20 gives 月～金 and the hours only. The bot assumes public
      holidays (incl. 振替休日) and 12/30-1/3 closed — its reading (年末年始 is
      named for Q17's installation desk, the dates 12/30-1/3 by the firmware
      spec). Whenever that assumption changes the answer (closed instead of open,
      a later next opening), the result's lead_notes say so, marked.
    holidays_year_end (Q17, the firmware spec): weekends, holidays, 12/30-1/3.
    holidays_company (Q23's contact center, 「土日祝日、弊社休業日をのぞく」):
      weekends and public holidays; the company holidays are not dated anywhere,
      so they are not computed, and the desk's notes say so. The P20 assumption
      is not applied to it.
- Time ranges are half-open [start, end): a desk "9:00~17:00" is closed at 17:00:00.
- "outside_of" hours (上記以外（夜間,土日祝）) are open exactly when the referenced
  desk is closed.
- next_open is the first moment after `at` at which the desk is open; it is None
  when the desk is open now, always open, never open, or its hours are not given.
  closes_at is when an open desk next closes (None when always open / unknown).
- 欠品・初期不良: P20 names the クイック・レスキュー・センター（納品後一週間以内）,
  day 7 included. It names no desk for later: with an older delivery date the
  answer still shows what P20 says, says that the week has passed and that the
  handbook names no desk for it (marked), and offers a person (offer_human).
- Audience: for the same relevance, partner-facing desks rank before all-audience
  desks, which rank before customer-facing ones (this bot serves partners); all
  are listed.
- Product filter: contacts with no products serve every family. With a product,
  desks naming it rank first; with no product, generic desks rank first.
- A desk the source gives no phone, mail or URL for (the Advanced Solution
  Center, the installation desk) also offers a person.
- Without a purpose, list_contacts groups the desks as P20 does (購入後: 目的,
  購入前: 対象), then the desks named in the FAQ and the firmware spec.
- All times are JST whatever the server's time zone (`at` is converted).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from functools import cache

from pydantic import BaseModel, ConfigDict

from knowledge.calculators.common import (
    WEEKDAYS_JA,
    CalculatorInputError,
    CalculatorResult,
    Citation,
    PhoneInfo,
    firmware_spec_citation,
    fmt_date,
    handbook_citation,
    phone_infos,
)
from knowledge.calendar import (
    JST,
    closure_reason,
    is_business_day,
    is_public_holiday,
    is_year_end_closure,
    to_jst,
)
from knowledge.models import Contact, Hours, ProductFamily, Purpose
from knowledge.provenance import interpretation

CONTACT_EXAMPLE = "例: faqbot contact 修理 --product server --at 2026-11-21T10:00:00+09:00"

# In the sources' words (P20's 目的 / 対象 column, the FAQ entries naming the desk).
PURPOSE_LABELS: dict[Purpose, str] = {
    Purpose.missing_or_defective: "欠品や初期不良",
    Purpose.usage: "製品使用方法",
    Purpose.repair: "修理",
    Purpose.repair_billing: "有償修理請求",
    Purpose.general: "お問い合わせ全般（購入前）",
    Purpose.directplus: "ダイレクトプラスでのご購入について",
    Purpose.registration: "サービス登録",
    Purpose.registration_change: "登録内容の変更",
    Purpose.csn: "オンライン契約管理システム（CSN）",
    Purpose.software_registration: "ソフトウェアサポートの保守登録",
    Purpose.license: "ライセンス取得",
    # Q23 names the contact center for this case only, not for post-warranty questions in general.
    Purpose.contract_renewal: "ポストワランティサービス終了日まで1年未満の場合の契約更新",
    Purpose.firmware: "ファームウェアアップデートオプション",
    Purpose.installation: "インストレーションサービス、スタートアップサービスのお申込み",
    Purpose.proactive_care: "プロアクティブケアの「ハンドブック」",
}

# P20's own grouping of its rows, in its order: 購入後 by 目的, 購入前 by 対象.
P20_GROUPS: tuple[tuple[str, str, Purpose], ...] = (
    ("購入後", "欠品や初期不良", Purpose.missing_or_defective),
    ("購入後", "製品使用方法", Purpose.usage),
    ("購入後", "修理", Purpose.repair),
    ("購入後", "有償修理請求", Purpose.repair_billing),
    ("購入前", "お問い合わせ全般", Purpose.general),
    ("購入前", "ダイレクトプラスでのご購入について", Purpose.directplus),
)
OTHER_DESKS_TITLE = "FAQ、ファームウェアアップデートオプション用 付表"

PRODUCT_LABELS: dict[ProductFamily, str] = {
    ProductFamily.server: "サーバー",
    ProductFamily.storage: "ストレージ",
    ProductFamily.network: "ネットワーク",
    ProductFamily.aruba: "Aruba",
}


def assumptions(contacts: list[Contact] | None = None) -> str:
    """The readings the open states rest on, marked: P20's 月～金 (when a P20 desk is shown), and JST.

    `contacts`: the desks shown; None means every desk (a listing).
    """
    parts = []
    if contacts is None or any(c.hours.kind == "weekdays" and c.hours.days_off == "unstated" for c in contacts):
        parts.append(interpretation("p20-days-off"))
    parts.append(interpretation("jst"))
    return "".join(parts)

# Words users type -> purpose. Longer matches win; generic words (weight 0) only when nothing else matches.
_PURPOSE_WORDS: dict[str, Purpose] = {
    "欠品": Purpose.missing_or_defective,
    "初期不良": Purpose.missing_or_defective,
    "欠品・初期不良": Purpose.missing_or_defective,
    "欠品や初期不良": Purpose.missing_or_defective,
    "doa": Purpose.missing_or_defective,
    # A part missing from a delivery, as partners write it (電源ユニットが1個足りない).
    "足りない": Purpose.missing_or_defective,
    "足りてない": Purpose.missing_or_defective,
    "同梱されていない": Purpose.missing_or_defective,
    "使い方": Purpose.usage,
    "使用方法": Purpose.usage,
    "製品使用方法": Purpose.usage,
    "操作方法": Purpose.usage,
    "設定方法": Purpose.usage,
    "修理": Purpose.repair,
    "修理依頼": Purpose.repair,
    "故障": Purpose.repair,
    "壊れた": Purpose.repair,
    "壊れ": Purpose.repair,
    "止まっ": Purpose.repair,
    "停止": Purpose.repair,
    "ダウン": Purpose.repair,
    "動かない": Purpose.repair,
    "障害": Purpose.repair,
    "請求": Purpose.repair_billing,
    "有償修理": Purpose.repair_billing,
    "有償修理請求": Purpose.repair_billing,
    "購入前": Purpose.general,
    "問い合わせ": Purpose.general,
    "問合せ": Purpose.general,
    "問合わせ": Purpose.general,
    "お問い合わせ全般": Purpose.general,
    "全般": Purpose.general,
    "一般": Purpose.general,
    "pic": Purpose.general,
    "cic": Purpose.general,
    "ダイレクトプラス": Purpose.directplus,
    "directplus": Purpose.directplus,
    "direct plus": Purpose.directplus,
    "登録": Purpose.registration,
    "サービス登録": Purpose.registration,
    "保守登録": Purpose.registration,
    "登録変更": Purpose.registration_change,
    "登録内容の変更": Purpose.registration_change,
    "登録内容変更": Purpose.registration_change,
    "移転": Purpose.registration_change,
    "社名変更": Purpose.registration_change,
    "住所変更": Purpose.registration_change,
    "csn": Purpose.csn,
    "オンライン契約管理システム": Purpose.csn,
    "ソフトウェア登録": Purpose.software_registration,
    "ソフトウェアサポート": Purpose.software_registration,
    "ソフトウェア保守登録": Purpose.software_registration,
    "アクティベーション": Purpose.software_registration,
    "ライセンス": Purpose.license,
    "license": Purpose.license,
    "契約更新": Purpose.contract_renewal,
    "更新": Purpose.contract_renewal,
    "更新保守": Purpose.contract_renewal,
    "保守延長": Purpose.contract_renewal,
    "pwp": Purpose.contract_renewal,
    "ポストワランティ": Purpose.contract_renewal,
    "ポストワランティー": Purpose.contract_renewal,
    "ファームウェア": Purpose.firmware,
    "ファームウェアアップデート": Purpose.firmware,
    "firmware": Purpose.firmware,
    "fw": Purpose.firmware,
    "spp": Purpose.firmware,
    "インストレーション": Purpose.installation,
    "スタートアップ": Purpose.installation,
    "installation": Purpose.installation,
    "startup": Purpose.installation,
    "設置": Purpose.installation,
    "プロアクティブケア": Purpose.proactive_care,
    "proactive care": Purpose.proactive_care,
}
_GENERIC_PURPOSE_WORDS = {"問い合わせ", "問合せ", "問合わせ", "全般", "一般"}
# Latin words match whole words only ("fw" not inside "fwd"); Japanese ones anywhere.
# Compiled once: find_purpose reads every question the bot is asked.
_PURPOSE_PATTERNS = [
    (re.compile(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])") if word.isascii() else None, word, purpose)
    for word, purpose in _PURPOSE_WORDS.items()
]

_PRODUCT_PATTERNS: list[tuple[re.Pattern, ProductFamily]] = [
    # Aruba first: "aruba switch" is Aruba, not generic network.
    (re.compile(r"aruba|アルバ|アルーバ"), ProductFamily.aruba),
    (re.compile(r"サーバ|server|proliant|synergy|apollo|blade|microserver|(?<![a-z])(dl|ml|bl|sy|xl)\d"), ProductFamily.server),
    (
        re.compile(
            r"ストレージ|storage|(?<![a-z])msa|3par|storeonce|storeeasy|storevirtual|storeever|nimble|primera|テープ|(?<![a-z])lto|(?<![a-z])rdx"
        ),
        ProductFamily.storage,
    ),
    (re.compile(r"ネットワーク|network|スイッチ|switch|ルーター|ルータ|router|flexnetwork|flexfabric|^nw$"), ProductFamily.network),
]


def _norm(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"\s+", " ", s)


def _valid_purposes_text() -> str:
    return "、".join(f"{p.value}（{PURPOSE_LABELS[p]}）" for p in Purpose)


def find_purpose(text: str) -> Purpose | None:
    """The purpose a sentence names (its longest specific purpose word wins), or None.

    Generic words alone (問い合わせ, 全般 …) name no purpose: 「お問い合わせ窓口の電話番号は？」
    asks for the overview of every desk, not for P20's 購入前 お問い合わせ全般 row.
    """
    s = _norm(text)
    best: tuple[int, Purpose] | None = None
    for pattern, word, purpose in _PURPOSE_PATTERNS:
        if not (pattern.search(s) if pattern else word in s):
            continue
        weight = 0 if word in _GENERIC_PURPOSE_WORDS else len(word)
        if best is None or weight > best[0]:
            best = (weight, purpose)
    return best[1] if best and best[0] > 0 else None


def parse_purpose(text: str | Purpose) -> Purpose:
    """Map what a user typed (修理, 故障, 初期不良, PWP, repair, …) to a Purpose.

    Raises CalculatorInputError (one Japanese line listing the valid purposes) when nothing matches.
    """
    if isinstance(text, Purpose):
        return text
    s = _norm(text or "")
    if not s:
        raise CalculatorInputError(f"目的を指定してください。指定できる目的: {_valid_purposes_text()}。{CONTACT_EXAMPLE}")
    compact = s.replace("-", "_").replace(" ", "_")
    for p in Purpose:
        if compact == p.value:
            return p
    found = _PURPOSE_WORDS.get(s) or find_purpose(s)
    if found is not None:
        return found
    raise CalculatorInputError(
        f"「{text.strip()}」は目的として認識できません。指定できる目的: {_valid_purposes_text()}。{CONTACT_EXAMPLE}"
    )


def find_product(text: str) -> ProductFamily | None:
    """The product family a sentence names (サーバー, DL360, MSA, スイッチ, Aruba …), or None."""
    s = _norm(text)
    return next((family for pattern, family in _PRODUCT_PATTERNS if pattern.search(s)), None)


def parse_product(text: str | ProductFamily | None) -> ProductFamily | None:
    """Map サーバー / server / ProLiant / DL360 / MSA / スイッチ / Aruba … to a ProductFamily (None stays None)."""
    if text is None or isinstance(text, ProductFamily):
        return text
    s = _norm(text)
    for p in ProductFamily:
        if s == p.value:
            return p
    found = find_product(s)
    if found is not None:
        return found
    raise CalculatorInputError(
        f"製品「{text.strip()}」は認識できません。server（サーバー）、storage（ストレージ）、network（ネットワーク）、"
        f"aruba（Aruba）のいずれかを指定してください。{CONTACT_EXAMPLE}"
    )


# --- opening hours ---------------------------------------------------------------


class OpenState(BaseModel):
    model_config = ConfigDict(frozen=True)

    open_now: bool | None  # None: hours not given by the source
    next_open: datetime | None
    closes_at: datetime | None


def _merged_ranges(hours: Hours) -> list[tuple]:
    """Sorted (start, end) times with touching / overlapping ranges merged."""
    ranges = sorted((r.start, r.end) for r in hours.ranges)
    merged: list[list] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [tuple(r) for r in merged]


_MAX_SCAN_DAYS = 400


def _weekday(d: date) -> bool:
    return d.weekday() < 5


def _weekday_not_holiday(d: date) -> bool:
    return d.weekday() < 5 and not is_public_holiday(d)


def open_day(hours: Hours, assume: bool = True) -> Callable[[date], bool]:
    """Whether a desk with `hours` can be open on a day (see the module docstring).

    assume=False drops the bot's reading of P20's 月～金 (holidays and 12/30-1/3
    closed) and keeps only what the source says, to see whether the reading
    changes an answer.
    """
    if hours.days_off == "holidays_company":
        return _weekday_not_holiday
    if hours.days_off == "unstated" and not assume:
        return _weekday
    return is_business_day


def _weekdays_state(hours: Hours, at: datetime, assume: bool = True) -> OpenState:
    ranges = _merged_ranges(hours)
    day = at.date()
    now = at.time().replace(tzinfo=None)
    is_open_day = open_day(hours, assume)
    if is_open_day(day):
        for start, end in ranges:
            if start <= now < end:
                return OpenState(open_now=True, next_open=None, closes_at=datetime.combine(day, end, tzinfo=JST))
    for offset in range(_MAX_SCAN_DAYS):
        d = day + timedelta(days=offset)
        if not is_open_day(d):
            continue
        for start, _end in ranges:
            candidate = datetime.combine(d, start, tzinfo=JST)
            if candidate > at:
                return OpenState(open_now=False, next_open=candidate, closes_at=None)
    return OpenState(open_now=False, next_open=None, closes_at=None)  # pragma: no cover


def open_state(
    contact: Contact, at: datetime, contacts: Mapping[str, Contact], _depth: int = 0, assume: bool = True
) -> OpenState:
    """Whether `contact` is open at `at` (aware), when it next opens and when it closes.

    assume=False: without the bot's reading of P20's 月～金 (see open_day).
    """
    at = to_jst(at)
    hours = contact.hours
    if hours.kind == "always":
        return OpenState(open_now=True, next_open=None, closes_at=None)
    if hours.kind == "unspecified":
        return OpenState(open_now=None, next_open=None, closes_at=None)
    if hours.kind == "weekdays":
        return _weekdays_state(hours, at, assume)
    # outside_of: the complement of another desk's hours.
    if _depth > 3 or hours.complement_of is None or hours.complement_of not in contacts:
        raise ValueError(f"contact {contact.id!r}: cannot resolve complement_of {hours.complement_of!r}")
    ref = open_state(contacts[hours.complement_of], at, contacts, _depth + 1, assume)
    if ref.open_now is None:
        return OpenState(open_now=None, next_open=None, closes_at=None)
    if ref.open_now:
        # Closed now; opens when the referenced desk closes (None if it never closes).
        return OpenState(open_now=False, next_open=ref.closes_at, closes_at=None)
    return OpenState(open_now=True, next_open=None, closes_at=ref.next_open)


def is_open(contact: Contact, at: datetime, contacts: Mapping[str, Contact]) -> bool | None:
    return open_state(contact, at, contacts).open_now


def assumed_days_off(contact: Contact, at: datetime, contacts: Mapping[str, Contact]) -> list[date]:
    """The weekdays the bot takes as closed although P20 says only 月～金 (holidays, 12/30-1/3)
    whenever that reading changes the answer for `contact` at `at` (open now, or the next
    opening); [] when it changes nothing."""
    if contact.hours.kind != "weekdays" or contact.hours.days_off != "unstated":
        return []
    at = to_jst(at)
    assumed = open_state(contact, at, contacts)
    literal = open_state(contact, at, contacts, assume=False)
    if (assumed.open_now, assumed.next_open) == (literal.open_now, literal.next_open):
        return []
    until = assumed.next_open.date() if assumed.next_open else at.date() + timedelta(days=1)
    days = []
    d = at.date()
    while d < max(until, at.date() + timedelta(days=1)):
        if d.weekday() < 5 and not is_business_day(d):
            days.append(d)
        d += timedelta(days=1)
    return days


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日（{WEEKDAYS_JA[d.weekday()]}）"


def days_text(days: list[date]) -> str:
    """Consecutive days with the same reason as one range: 「12月30日（水）～1月1日（金）（年末年始）、1月11日（月）（祝日）」"""
    runs: list[tuple[date, date, str]] = []
    for d in days:
        reason = "年末年始" if is_year_end_closure(d) else "祝日"
        if runs and runs[-1][2] == reason and (d - runs[-1][1]).days <= 3:
            runs[-1] = (runs[-1][0], d, reason)
        else:
            runs.append((d, d, reason))
    return "、".join(
        f"{_day(first)}（{reason}）" if first == last else f"{_day(first)}～{_day(last)}（{reason}）"
        for first, last, reason in runs
    )


# --- results -------------------------------------------------------------------------


class ContactMatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    center: str
    purpose_label: str
    phones: list[PhoneInfo] = []
    email: str | None = None
    fax: str | None = None
    url: str | None = None
    hours_text: str
    hours_kind: str
    audience: str
    products: list[ProductFamily] = []
    requires_24h_warranty: bool = False
    open_now: bool | None
    next_open: datetime | None
    closes_at: datetime | None
    after_hours_alternative: ContactMatch | None = None
    notes: list[str] = []
    source: str

    @property
    def reachable(self) -> bool:
        """The source gives a phone, mail, FAX or URL for it."""
        return bool(self.phones or self.email or self.fax or self.url)


class ContactRoutingResult(CalculatorResult):
    requested_purpose: Purpose
    # The purpose routed (the requested one: 欠品・初期不良 after a week is not re-routed).
    purpose: Purpose
    purpose_label: str
    product: ProductFamily | None
    at: datetime  # JST
    delivered: date | None
    matches: list[ContactMatch]
    # Mirrors of matches[0] (the CLI JSON contract relies on these keys).
    center: str
    phones: list[PhoneInfo]
    email: str | None
    open_now: bool | None
    next_open: datetime | None
    closes_at: datetime | None
    assumptions: str
    notes: list[str] = []
    # Sentences that change the direct answer (said in the lead): the week after delivery
    # has passed, the P20 days-off reading decides the open state.
    lead_notes: list[str] = []
    # Offer a person: no desk in the sources for the case, or no way given to reach it.
    offer_human: bool = False


class ContactGroup(BaseModel):
    model_config = ConfigDict(frozen=True)

    section: str  # 購入後 / 購入前 / "" (desks named in the FAQ and the firmware spec)
    title: str
    ids: list[str]


class ContactListResult(CalculatorResult):
    at: datetime  # JST
    contacts: list[ContactMatch]
    # The desks as P20 groups them, then the FAQ's and the firmware spec's desks.
    groups: list[ContactGroup] = []
    assumptions: str


@cache  # a handful of distinct sources, read for every contact of every answer
def _citations_for(source: str) -> tuple[Citation, ...]:
    """Citations from a contact's `source` text ("P20", "Q23 (P18)", "P20, Q16 (P13)", "ファームウェア…付表")."""
    out: list[Citation] = []
    for part in (p.strip() for p in source.split(",")):
        if m := re.fullmatch(r"(Q\d+) \(P(\d+)\)", part):
            out.append(handbook_citation(m.group(1), int(m.group(2))))
        elif part == "P20":
            out.append(handbook_citation(None, 20, label="お問い合わせ窓口情報"))
        elif part == "P19":
            out.append(handbook_citation(None, 19, label="各種ツール、ウェブサイト情報"))
        elif m := re.fullmatch(r"P(\d+)", part):
            out.append(handbook_citation(None, int(m.group(1))))
        elif "ファームウェア" in part:
            out.append(firmware_spec_citation())
        elif part:
            out.append(Citation(source=part))
    return tuple(out)


def _time_text(dt: datetime) -> str:
    return f"{fmt_date(dt.date())} {dt.hour}:{dt.minute:02d}"


def _match(contact: Contact, at: datetime, contacts: Mapping[str, Contact], nested: bool = False) -> ContactMatch:
    state = open_state(contact, at, contacts)
    alternative = None
    notes = list(contact.notes)
    if not nested and contact.after_hours_alternative and contact.after_hours_alternative in contacts:
        alternative = _match(contacts[contact.after_hours_alternative], at, contacts, nested=True)
        if state.open_now is False and alternative.open_now:
            notes.insert(
                0,
                f"24時間保証ネットワーク製品は「{alternative.center}」"
                f"（{'、'.join(p.number for p in alternative.phones)}）が受付中です。",
            )
    return ContactMatch(
        id=contact.id,
        center=contact.name,
        purpose_label=contact.purpose_label,
        phones=phone_infos(contact),
        email=contact.email,
        fax=contact.fax,
        url=contact.url,
        hours_text=contact.hours.text,
        hours_kind=contact.hours.kind,
        audience=contact.audience,
        products=list(contact.products),
        requires_24h_warranty=contact.requires_24h_warranty,
        open_now=state.open_now,
        next_open=state.next_open,
        closes_at=state.closes_at,
        after_hours_alternative=alternative,
        notes=notes,
        source=contact.source,
    )


_AUDIENCE_RANK = {"partner": 0, "all": 1, "customer": 2}


def _load_contacts(contacts: Mapping[str, Contact] | None) -> Mapping[str, Contact]:
    if contacts is not None:
        return contacts
    from knowledge.loader import load_knowledge

    return load_knowledge().contacts


def _aware_jst(at: datetime) -> datetime:
    try:
        return to_jst(at)
    except ValueError:
        raise CalculatorInputError(f"日時にタイムゾーンがありません。{CONTACT_EXAMPLE}") from None


def route_contact(
    purpose: Purpose | str,
    product: ProductFamily | str | None,
    at: datetime,
    delivered: date | None = None,
    contacts: Mapping[str, Contact] | None = None,
    warranty_24h: bool = False,
) -> ContactRoutingResult:
    """Ranked desks for a purpose and product family at moment `at` (aware; converted to JST).

    delivered:    delivery date, used for the 欠品・初期不良 one-week rule.
    contacts:     contacts by id; defaults to load_knowledge().contacts.
    warranty_24h: the product has a 24-hour warranty (24時間保証): when the desk is
                  closed and its after-hours line is open, that line is the answer.
    """
    requested = parse_purpose(purpose)
    family = parse_product(product)
    at_jst = _aware_jst(at)
    contacts = _load_contacts(contacts)
    notes: list[str] = []
    lead_notes: list[str] = []
    warnings: list[str] = []
    offer_human = False

    window = max(
        (c.within_days_of_delivery for c in contacts.values()
         if Purpose.missing_or_defective in c.purposes and c.within_days_of_delivery),
        default=7,
    )
    week_passed = False
    if delivered is not None:
        elapsed = (at_jst.date() - delivered).days
        if elapsed < 0:
            warnings.append(f"納品日 {fmt_date(delivered)} が問い合わせ日時より後です。日付をご確認ください。")
        if requested == Purpose.missing_or_defective and elapsed > window:
            # P20 names no desk after the first week: say so and offer a person, never another desk.
            week_passed = True
            offer_human = True
            lead_notes.append(f"納品から{elapsed}日で、納品後一週間以内ではありません（納品日 {fmt_date(delivered)}）。")
            lead_notes.append(interpretation("defective-after-week"))
        elif requested == Purpose.repair and 0 <= elapsed <= window:
            notes.append("納品後一週間以内の欠品や初期不良は、クイック・レスキュー・センターへご連絡ください（P20）。")
    elif requested == Purpose.missing_or_defective:
        notes.append(interpretation("defective-after-week"))

    candidates = [(i, c) for i, c in enumerate(contacts.values()) if requested in c.purposes]
    if not candidates:
        raise CalculatorInputError(f"目的「{PURPOSE_LABELS[requested]}」の窓口がデータにありません。{CONTACT_EXAMPLE}")
    if family is not None:
        fitting = [(i, c) for i, c in candidates if not c.products or family in c.products]
        if fitting:
            candidates = fitting
        else:
            warnings.append(
                interpretation("no-desk-for-product", product=PRODUCT_LABELS[family], purpose=PURPOSE_LABELS[requested])
            )

    # After-hours lines are shown nested under the desk they complement, not as separate matches.
    nested_ids = {c.after_hours_alternative for _, c in candidates if c.after_hours_alternative}
    primary = [(i, c) for i, c in candidates if c.id not in nested_ids] or candidates

    def rank(item: tuple[int, Contact]) -> tuple[int, int, int]:
        index, c = item
        if family is None:
            specificity = 0 if not c.products else 1
        else:
            specificity = 0 if family in c.products else 1
        return (specificity, _AUDIENCE_RANK.get(c.audience, 1), index)

    primary.sort(key=rank)
    matches = [_match(c, at_jst, contacts) for _, c in primary]
    alternative = matches[0].after_hours_alternative
    if warranty_24h and matches[0].open_now is False and alternative is not None and alternative.open_now:
        matches.insert(0, alternative)
        notes.append(
            f"24時間保証ネットワーク製品は、上記以外（夜間,土日祝）は「{alternative.center}」へご連絡ください"
            f"（「{matches[1].center}」は受付時間外（次の受付開始: {_time_text(matches[1].next_open)}））。"
            if matches[1].next_open
            else f"24時間保証ネットワーク製品は、上記以外（夜間,土日祝）は「{alternative.center}」へご連絡ください。"
        )
    first = matches[0]
    if not first.reachable:
        # The source names no phone, mail or URL for it: never another desk in its place.
        offer_human = True
        lead_notes.append(interpretation("no-contact-details", center=first.center))

    # The bot's reading of P20's 月～金, in the lead whenever it decides the answer.
    first_contact = contacts.get(first.id)
    if first_contact is not None and not week_passed and (days := assumed_days_off(first_contact, at_jst, contacts)):
        lead_notes.append(interpretation("p20-days-off-here", days=days_text(days)))

    # Citations are frozen models: a dict keeps the first of equal ones, in order.
    citations = list(dict.fromkeys(cit for m in matches for cit in _citations_for(m.source)))
    p20 = handbook_citation(None, 20, label="お問い合わせ窓口情報")
    if not citations:
        citations = [p20]

    if first.open_now is False and first.next_open is not None:
        closed_days = closed_days_between(at_jst.date(), first.next_open.date())
        if closed_days:
            notes.append(f"休業日: {closed_days}。")

    rule_parts = []
    if Purpose.missing_or_defective == requested or (requested == Purpose.repair and delivered is not None):
        rule_parts.append("欠品や初期不良の窓口は、クイック・レスキュー・センター（納品後一週間以内）です（P20）。")
    if any(m.after_hours_alternative is not None for m in matches):
        rule_parts.append(
            "24時間保証ネットワーク製品は、上記以外（夜間,土日祝）は24時間保証ネットワーク製品用時間外の窓口へご連絡ください（P20）。"
        )
    if not rule_parts:
        rule_parts.append(f"目的：{PURPOSE_LABELS[requested]}（{'、'.join(m.center for m in matches)}）")
    rule = "".join(rule_parts)
    return ContactRoutingResult(
        requested_purpose=requested,
        purpose=requested,
        purpose_label=PURPOSE_LABELS[requested],
        product=family,
        at=at_jst,
        delivered=delivered,
        matches=matches,
        center=first.center,
        phones=list(first.phones),
        email=first.email,
        open_now=first.open_now,
        next_open=first.next_open,
        closes_at=first.closes_at,
        assumptions=assumptions([contacts[m.id] for m in matches if m.id in contacts]),
        notes=notes,
        lead_notes=lead_notes,
        offer_human=offer_human,
        rule=rule,
        citation=citations[0],
        citations=citations,
        warnings=warnings,
    )


def contact_groups(contacts: Mapping[str, Contact]) -> list[ContactGroup]:
    """Every desk once: P20's rows in P20's groups and order, then the FAQ's and the firmware spec's desks."""
    groups = []
    placed: set[str] = set()
    for section, title, purpose in P20_GROUPS:
        ids = [c.id for c in contacts.values()
               if "P20" in c.source and c.purposes[0] == purpose and c.id not in placed]
        placed |= set(ids)
        if ids:
            groups.append(ContactGroup(section=section, title=title, ids=ids))
    rest = [c.id for c in contacts.values() if c.id not in placed]
    if rest:
        groups.append(ContactGroup(section="", title=OTHER_DESKS_TITLE, ids=rest))
    return groups


def list_contacts(at: datetime, contacts: Mapping[str, Contact] | None = None) -> ContactListResult:
    """Every contact with its open state at `at`, grouped as P20 groups them (the overview without a purpose)."""
    at_jst = _aware_jst(at)
    contacts = _load_contacts(contacts)
    groups = contact_groups(contacts)
    order = [cid for g in groups for cid in g.ids]
    rows = [_match(contacts[cid], at_jst, contacts, nested=True) for cid in order]
    p20 = handbook_citation(None, 20, label="お問い合わせ窓口情報")
    citations = list(dict.fromkeys([p20, *(cit for row in rows for cit in _citations_for(row.source))]))
    return ContactListResult(
        at=at_jst,
        contacts=rows,
        groups=groups,
        assumptions=assumptions(),
        rule="お問い合わせ窓口情報（P20）、FAQ、ファームウェアアップデートオプション用 付表",
        citation=citations[0],
        citations=citations,
        warnings=[],
    )


def closed_days_between(start: date, end: date) -> str:
    """Non-business days in [start, end) with their reasons: 「11月22日（日）日曜日、11月23日（月）祝日（勤労感謝の日）」."""
    parts = []
    d = start
    while d < end:
        reason = closure_reason(d)
        if reason:
            parts.append(f"{d.month}月{d.day}日（{WEEKDAYS_JA[d.weekday()]}）{reason}")
        d += timedelta(days=1)
    return "、".join(parts)


def describe_state(m: ContactMatch) -> str:
    """「受付中（17:30まで）」/「受付時間外（次の受付開始: …）」 in Japanese; "" when the source gives no hours."""
    if m.open_now is None:
        return ""
    if m.open_now:
        if m.closes_at is None:
            return "受付中（24時間）"
        return f"受付中（{_time_text(m.closes_at)}まで）"
    if m.next_open is None:
        return "受付時間外"
    return f"受付時間外（次の受付開始: {_time_text(m.next_open)}）"


# --- a desk named by the partner ------------------------------------------------------


def route_desk(
    contact_id: str,
    at: datetime,
    contacts: Mapping[str, Contact] | None = None,
    delivered: date | None = None,
) -> ContactRoutingResult:
    """The one desk a partner named (「PICの番号は？」), with its state at `at`: answered as asked,
    whatever purpose it serves. A named 欠品・初期不良 desk with a delivery date older than its
    window says so (P20); no other desk is put in its place."""
    at_jst = _aware_jst(at)
    contacts = _load_contacts(contacts)
    if contact_id not in contacts:
        raise CalculatorInputError(f"窓口「{contact_id}」はデータにありません。{CONTACT_EXAMPLE}")
    contact = contacts[contact_id]
    match = _match(contact, at_jst, contacts)
    purpose = contact.purposes[0]
    warnings: list[str] = []
    lead_notes: list[str] = []
    offer_human = False
    week_passed = False
    if delivered is not None and contact.within_days_of_delivery:
        if (elapsed := (at_jst.date() - delivered).days) > contact.within_days_of_delivery:
            # P20 names no desk after the first week (route_contact says the same).
            week_passed = offer_human = True
            lead_notes.append(f"納品から{elapsed}日で、納品後一週間以内ではありません（納品日 {fmt_date(delivered)}）。")
            lead_notes.append(interpretation("defective-after-week"))
    if not match.reachable:
        offer_human = True
        lead_notes.append(interpretation("no-contact-details", center=match.center))
    if not week_passed and (days := assumed_days_off(contact, at_jst, contacts)):
        lead_notes.append(interpretation("p20-days-off-here", days=days_text(days)))
    notes = []
    if match.open_now is False and match.next_open is not None:
        closed_days = closed_days_between(at_jst.date(), match.next_open.date())
        if closed_days:
            notes.append(f"休業日: {closed_days}。")
    citations = list(_citations_for(contact.source)) or [
        handbook_citation(None, 20, label="お問い合わせ窓口情報")
    ]
    return ContactRoutingResult(
        requested_purpose=purpose,
        purpose=purpose,
        purpose_label=PURPOSE_LABELS[purpose],
        product=None,
        at=at_jst,
        delivered=delivered,
        matches=[match],
        center=match.center,
        phones=list(match.phones),
        email=match.email,
        open_now=match.open_now,
        next_open=match.next_open,
        closes_at=match.closes_at,
        assumptions=assumptions([contact]),
        notes=notes,
        lead_notes=lead_notes,
        offer_human=offer_human,
        rule=f"ご質問で名前が挙がった窓口「{contact.name}」を、記載元（{contact.source}）のとおりご案内しています。",
        citation=citations[0],
        citations=citations,
        warnings=warnings,
    )
