"""Pydantic models of the handbook data in knowledge/data/*.yaml.

Every model forbids unknown fields so that a typo in a YAML key fails loudly
instead of silently dropping content.
"""

from __future__ import annotations

import re
from datetime import time
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

PHONE_RE = re.compile(r"^0\d{1,4}-\d{2,4}-\d{3,4}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
URL_RE = re.compile(r"^https?://[^\s]+$")


def _matching(pattern: re.Pattern[str], what: str):
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{what}, got {value!r}")
        return value

    return AfterValidator(check)


# Phone and FAX numbers are stored clean: the PDF text has stray spaces and en dashes.
PhoneNumber = Annotated[str, _matching(PHONE_RE, "phone number must be clean digits and hyphens")]
MailAddress = Annotated[str, _matching(EMAIL_RE, "not a mail address")]
Url = Annotated[str, _matching(URL_RE, "not an http(s) URL")]
INTENT_RE = re.compile(r"^(Q([1-9]|1[0-9]|2[0-3])|contact|websites|fw-option|pwp|start-date|smalltalk\.[a-z]+)$")

SECTIONS = ("サポートサービスとは", "購入前", "購入後", "契約や保証が終了するとき")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Link(Strict):
    title: str = Field(min_length=1)
    url: Url


# --- Provenance ----------------------------------------------------------------
#
# Every sentence the bot can say is the handbook's (its text, or a restructuring
# of it, under the entry / page the item cites) or the bot's own reading. The
# bot's readings are declared next to the text they occur in, with why and the
# seed lines they rest on, and are shown with INTERPRETATION_MARK right after
# them, so Slack, the CLI and the staff card all show the mark with the sentence.
# knowledge/grounding.py checks the rest against the seed texts.

INTERPRETATION_MARK = "※ハンドブックに明記はなく、本ボットの解釈です"
SEED_FILES = {"handbook": "000_351cc6fff081056d.txt", "firmware": "003_fb7ac302dc6c9815.txt"}
_OPENING = "（(「『【［"
_CLOSING = "）)」』】］"


def split_sentences(line: str) -> list[str]:
    """One line cut after each 。！？ that is not inside brackets (「…？」 and （例: …。） stay whole)."""
    out: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(line):
        if ch in _OPENING:
            depth += 1
        elif ch in _CLOSING:
            depth = max(0, depth - 1)
        elif ch in "。！？" and depth == 0:
            out.append(line[start : i + 1])
            start = i + 1
    if line[start:].strip():
        out.append(line[start:])
    return [s.strip() for s in out if s.strip()]


def _is_one_sentence(text: str) -> bool:
    return "\n" not in text.strip() and len(split_sentences(text)) == 1


def with_mark(sentence: str) -> str:
    """The sentence with the interpretation mark inside its final 。: 「…です（※…）。」"""
    body = sentence.rstrip()
    end = "。" if body.endswith("。") else ""
    body = body.removesuffix("。")
    if body.endswith(f"（{INTERPRETATION_MARK}）"):
        return body + end
    return f"{body}（{INTERPRETATION_MARK}）{end}"


class SeedRef(Strict):
    """Lines of a seed text an interpretation rests on (1-based, as `cat -n` numbers them)."""

    seed: Literal["handbook", "firmware"]
    lines: str = Field(pattern=r"^\d+(-\d+)?$")
    # Where it is in the document: "Q23 (P18)", "P20", "付表 前提条件".
    where: str = Field(min_length=1)
    # Words printed on those lines (whitespace and PDF line breaks aside); checked by
    # tests/knowledge/test_grounding.py, so a reference cannot point at the wrong lines.
    quote: str = Field(min_length=2)

    @property
    def line_range(self) -> tuple[int, int]:
        first, _, last = self.lines.partition("-")
        return int(first), int(last or first)


class Interpretation(Strict):
    """A sentence (or clause) that is the bot's reading, not the handbook's statement."""

    # Exactly as it occurs in the item's texts; one sentence at most. In
    # knowledge/data/provenance.yaml it may hold {placeholders} a calculator fills.
    text: str = Field(min_length=2)
    why: str = Field(min_length=2)
    rests_on: list[SeedRef] = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _one_sentence(cls, v: str) -> str:
        if not _is_one_sentence(v):
            raise ValueError(f"an interpretation is one sentence (mark each sentence on its own): {v!r}")
        return v


def _mark_in(value: Any, interpretation: Interpretation, found: list[bool]) -> Any:
    """`value` (YAML data: str / list / dict) with the mark after each occurrence of the interpretation."""
    if isinstance(value, str):
        core = interpretation.text.rstrip().removesuffix("。")
        pattern = re.compile(re.escape(core) + rf"(?!（{re.escape(INTERPRETATION_MARK)}）)(。?)")
        if core in value:
            found[0] = True  # marked now, or already (an item validated again from its dump)
        return pattern.sub(lambda m: with_mark(core + m.group(1)), value)
    if isinstance(value, list):
        return [_mark_in(v, interpretation, found) for v in value]
    if isinstance(value, dict):
        return {k: v if k in _UNMARKED_KEYS else _mark_in(v, interpretation, found) for k, v in value.items()}
    return value


# Keys whose values are identifiers or addresses, never prose.
_UNMARKED_KEYS = frozenset({"interpretations", "id", "url", "email", "fax", "number", "source", "see_also", "contacts"})


class Interpreted(Strict):
    """An item whose texts may contain the bot's interpretations (declared in `interpretations`).

    On load, each interpretation's text gets INTERPRETATION_MARK right after it,
    wherever it occurs in the item's texts; an interpretation whose text occurs
    nowhere fails loudly (the text was edited and the declaration not).
    """

    interpretations: list[Interpretation] = []

    @model_validator(mode="before")
    @classmethod
    def _apply_marks(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not data.get("interpretations"):
            return data
        out = dict(data)
        for raw in data["interpretations"]:
            interpretation = raw if isinstance(raw, Interpretation) else Interpretation.model_validate(raw)
            found = [False]
            out = _mark_in(out, interpretation, found)
            if not found[0]:
                raise ValueError(f"interpretation text not found in this item's texts: {interpretation.text!r}")
        return out


# --- FAQ entries -----------------------------------------------------------


class FaqEntry(Interpreted):
    id: str  # "Q1" … "Q23"
    section: Literal["サポートサービスとは", "購入前", "購入後", "契約や保証が終了するとき"]
    page: int = Field(ge=3, le=18)
    title: str = Field(min_length=1)
    # Other titles the handbook uses for the same entry (Q2: index vs body).
    alt_titles: list[str] = []
    # The direct answer, one or two sentences, shown first in a reply.
    summary: str = Field(min_length=1)
    # The whole answer restructured as readable text (lists, not flattened PDF tables).
    body: str = Field(min_length=1)
    # The handbook's ご注意 boxes, one item each.
    notes: list[str] = []
    links: list[Link] = []
    # Other FAQ entries the text refers to ("Q10参照").
    see_also: list[str] = []
    # Contact ids (contacts.yaml) the entry names.
    contacts: list[str] = []

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not re.fullmatch(r"Q([1-9]|1[0-9]|2[0-3])", v):
            raise ValueError(f"FAQ id must be Q1..Q23, got {v!r}")
        return v

    @property
    def number(self) -> int:
        return int(self.id[1:])


# --- Structured tables -----------------------------------------------------


class LineupItem(Strict):
    """A row of the Q1 lineup table."""

    service: str
    family: Literal["proactive_care", "foundation_care", "software_rhel", "installation_startup"]
    kind: str  # ハードウェアサービス / ポストワランティサービス / ソフトウェアサポート / 設置、導入作業
    contents: list[str] = []
    levels: list[str] = []
    terms: list[str] = []
    notes: list[str] = []


class CareComparisonRow(Strict):
    """A row of the Q3 Proactive / Foundation comparison.

    group: the vertical label the row sits under (プロアクティブ / リアクティブ);
    "unclear" where the flattened PDF text does not settle it (the row's `note` says so).
    """

    group: Literal["proactive", "reactive", "unclear"]
    item: str
    proactive_care: str
    foundation_care: str
    note: str | None = None


class WarrantyRow(Strict):
    """A row of the Q4 standard-warranty table. onsite_years 0 means なし."""

    family: Literal["server", "storage"]
    parts_years: int = Field(ge=0, le=7)
    onsite_years: int = Field(ge=0, le=7)
    series: list[str] = Field(min_length=1)


class RegistrationMethod(Strict):
    """A row of the Q11 registration-method table."""

    method: str
    audience: str
    suited_for: list[str]
    faq: str


class DesignatedRegistration(Strict):
    """Q11: a row of the table of services, products or purchase methods whose registration method is prescribed.

    `purchase` names the product or purchase method the row is about (3PAR StoreServ,
    HPE Directplus); None for a row about services alone (installation etc., Proactive Care).
    """

    purchase: str | None = None
    services: list[str] = []
    rule: str


class PwpStatus(StrEnum):
    blank = "blank"
    planned = "planned"
    fixed = "fixed"


class PwpStateRow(Strict):
    """Q23 備考 column states."""

    status: PwpStatus
    label: str  # 空欄 / 予定 / 確定
    meaning: str
    term_past_end_buyable: bool


class Tables(Interpreted):
    lineup: list[LineupItem] = Field(min_length=1)
    lineup_note: str | None = None
    care_comparison: list[CareComparisonRow] = Field(min_length=1)
    care_comparison_note: str | None = None
    standard_warranty: list[WarrantyRow] = Field(min_length=1)
    standard_warranty_note: str | None = None
    registration_methods: list[RegistrationMethod] = Field(min_length=1)
    designated_registration: list[DesignatedRegistration] = []
    pwp_states: list[PwpStateRow] = Field(min_length=3, max_length=3)


# --- Contacts --------------------------------------------------------------


class Purpose(StrEnum):
    missing_or_defective = "missing_or_defective"  # 欠品・初期不良 (within a week of delivery)
    usage = "usage"  # 製品使用方法
    repair = "repair"  # 修理
    repair_billing = "repair_billing"  # 有償修理請求
    general = "general"  # お問い合わせ全般 (購入前)
    directplus = "directplus"  # ダイレクトプラスでの購入
    registration = "registration"  # サービス登録
    registration_change = "registration_change"  # 登録内容の変更
    csn = "csn"  # CSN (template, ID, desk)
    software_registration = "software_registration"  # ソフトウェアサポート保守登録
    license = "license"  # ライセンス取得
    contract_renewal = "contract_renewal"  # PWP 更新 / 契約更新 (HPE コンタクトセンター)
    firmware = "firmware"  # ファームウェアアップデートオプション
    installation = "installation"  # インストレーション / スタートアップサービス申込
    proactive_care = "proactive_care"  # プロアクティブケアのハンドブック等


class ProductFamily(StrEnum):
    server = "server"
    storage = "storage"
    network = "network"
    aruba = "aruba"


class Phone(Strict):
    number: PhoneNumber
    kind: Literal["toll_free", "ip_phone_mobile", "landline", "fax"]


class TimeRange(Strict):
    start: time
    end: time

    @model_validator(mode="after")
    def _order(self) -> TimeRange:
        if self.end <= self.start:
            raise ValueError(f"time range ends before it starts: {self.start}-{self.end}")
        return self


class Hours(Strict):
    """When a contact answers.

    kind:
      weekdays     Mon-Fri within `ranges`, less the days off `days_off` describes.
      always       24 hours, every day.
      outside_of   open exactly when contact `complement_of` is closed
                   (P20: 上記以外（夜間,土日祝）).
      unspecified  the source gives no hours (email-only desks); `text` is empty.

    days_off (weekdays only): what the source says about days off besides weekends.
      unstated           P20 gives 月～金 and the hours only. The bot assumes public
                         holidays and the year end (12/30-1/3) closed — its reading,
                         said in the lead whenever it changes the answer.
      holidays_year_end  the source names public holidays and 年末年始 (Q17's
                         installation desk; the firmware spec, with 12/30-1/3).
      holidays_company   the source names 祝日 and 弊社休業日 (Q23's contact center):
                         closed on weekends and public holidays; the company
                         holidays are not dated, so they cannot be computed.
    """

    kind: Literal["weekdays", "always", "outside_of", "unspecified"]
    ranges: list[TimeRange] = []
    complement_of: str | None = None
    days_off: Literal["unstated", "holidays_year_end", "holidays_company"] = "unstated"
    # The hours as the source writes them, for display ("" when the source gives none).
    text: str

    @model_validator(mode="after")
    def _shape(self) -> Hours:
        if self.kind == "weekdays" and not self.ranges:
            raise ValueError("weekday hours need at least one time range")
        if self.kind == "outside_of" and not self.complement_of:
            raise ValueError("outside_of hours need complement_of")
        if self.kind != "outside_of" and self.complement_of:
            raise ValueError("complement_of is only for outside_of hours")
        if self.kind != "weekdays" and self.days_off != "unstated":
            raise ValueError("days_off is only for weekdays hours")
        if (self.kind == "unspecified") != (not self.text):
            raise ValueError("hours text must be empty exactly when the source gives no hours (unspecified)")
        return self


class Contact(Interpreted):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    # What the contact is for, in the source's words (P20 目的 / 対象 column).
    purpose_label: str
    purposes: list[Purpose] = Field(min_length=1)
    # Empty means every product family.
    products: list[ProductFamily] = []
    audience: Literal["all", "customer", "partner"] = "all"
    phones: list[Phone] = []
    email: MailAddress | None = None
    fax: PhoneNumber | None = None
    url: Url | None = None
    hours: Hours
    # 24-hour-warranty network products only (the after-hours lines).
    requires_24h_warranty: bool = False
    # Contact id to suggest when this one is closed (the after-hours line).
    after_hours_alternative: str | None = None
    # Within how many days of delivery this contact applies (欠品・初期不良: 7).
    within_days_of_delivery: int | None = None
    notes: list[str] = []
    source: str  # "P20", "Q12 (P11)", "ファームウェアアップデートオプション付表" …

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        # Some desks are named by the source without a number (the Advanced
        # Solution Center, the installation desk): the notes must then say how
        # to reach them, never an invented number.
        if not (self.phones or self.email or self.fax or self.url or self.notes):
            raise ValueError("a contact needs a phone, mail, FAX, URL, or notes on how to reach it")
        return self


# --- Websites (P19) --------------------------------------------------------


class Website(Interpreted):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    url: Url
    description: str | None = None
    source: str = "P19"



# --- Firmware update option spec -------------------------------------------


class FirmwareService(Strict):
    name: str
    description: str
    hours: str


class FirmwareOption(Interpreted):
    title: str
    summary: str
    services: list[FirmwareService] = Field(min_length=1)
    prerequisites: list[str] = Field(min_length=1)
    exclusions: list[str] = Field(min_length=1)
    customer_responsibilities: list[str] = Field(min_length=1)
    lead_time_business_days: int = Field(ge=1)
    links: list[Link] = []
    contacts: list[str] = []


# --- Calculator texts ---------------------------------------------------------------


class NamedInterpretation(Interpretation):
    """An interpretation the calculators say (knowledge/data/provenance.yaml), by id.

    `text` may hold {placeholders} (dates, names) the calculator fills in; the
    mark is added by knowledge.provenance.interpretation().
    """

    id: str = Field(pattern=r"^[a-z0-9-]+$")


class Guidance(Strict):
    """A sentence about the bot itself, not about the handbook: how to ask it for a
    calculation, or that a person will take over. It states no rule, so it is
    neither the handbook's nor an interpretation; knowledge/grounding.py counts it apart."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    text: str = Field(min_length=2)

    @field_validator("text")
    @classmethod
    def _one_sentence(cls, v: str) -> str:
        if not _is_one_sentence(v):
            raise ValueError(f"a guidance text is one sentence: {v!r}")
        return v


class Provenance(Strict):
    interpretations: list[NamedInterpretation] = []
    guidance: list[Guidance] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> Provenance:
        ids = [i.id for i in self.interpretations] + [g.id for g in self.guidance]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"ids used twice: {', '.join(duplicates)}")
        return self


# --- Glossary ---------------------------------------------------------------


class GlossaryTerm(Strict):
    """A term and the ways partners (and the handbook) write it.

    The matcher rewrites every variant to `canonical` before scoring.
    """

    canonical: str = Field(min_length=1)
    variants: list[str] = Field(min_length=1)
    meaning: str


# --- Intent examples ---------------------------------------------------------


class IntentExamples(Strict):
    intent: str
    examples: list[str] = Field(min_length=12)

    @field_validator("intent")
    @classmethod
    def _intent(cls, v: str) -> str:
        if v != "null" and not INTENT_RE.match(v):
            raise ValueError(f"unknown intent id {v!r}")
        return v

    @field_validator("examples")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        seen = set()
        for text in v:
            if text in seen:
                raise ValueError(f"duplicate example {text!r}")
            seen.add(text)
        return v
