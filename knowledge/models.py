"""Pydantic models of the handbook data in knowledge/data/*.yaml.

Every model forbids unknown fields so that a typo in a YAML key fails loudly
instead of silently dropping content.
"""

from __future__ import annotations

import re
from datetime import time
from enum import StrEnum
from typing import Annotated, Literal

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


# --- FAQ entries -----------------------------------------------------------


class FaqEntry(Strict):
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
    """A row of the Q3 Proactive / Foundation comparison."""

    group: Literal["proactive", "reactive"]
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
    """Q11: purchases whose registration method is prescribed."""

    purchase: str
    services: list[str]
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


class Tables(Strict):
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
      weekdays     Mon-Fri within `ranges`; closed on public holidays and the
                   year-end closure (12/30-1/3) — the handbook's 月～金 read
                   conservatively, stated in answers.
      always       24 hours, every day.
      outside_of   open exactly when contact `complement_of` is closed
                   (P20: 上記以外（夜間,土日祝）).
      unspecified  the source gives no hours (email-only desks).
    """

    kind: Literal["weekdays", "always", "outside_of", "unspecified"]
    ranges: list[TimeRange] = []
    complement_of: str | None = None
    # Extra closures the source names (弊社休業日 …), shown verbatim.
    closed_note: str | None = None
    # The hours as the source writes them, for display.
    text: str

    @model_validator(mode="after")
    def _shape(self) -> Hours:
        if self.kind == "weekdays" and not self.ranges:
            raise ValueError("weekday hours need at least one time range")
        if self.kind == "outside_of" and not self.complement_of:
            raise ValueError("outside_of hours need complement_of")
        if self.kind != "outside_of" and self.complement_of:
            raise ValueError("complement_of is only for outside_of hours")
        return self


class Contact(Strict):
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


class Website(Strict):
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


class FirmwareOption(Strict):
    title: str
    summary: str
    services: list[FirmwareService] = Field(min_length=1)
    prerequisites: list[str] = Field(min_length=1)
    exclusions: list[str] = Field(min_length=1)
    customer_responsibilities: list[str] = Field(min_length=1)
    lead_time_business_days: int = Field(ge=1)
    links: list[Link] = []
    contacts: list[str] = []


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
