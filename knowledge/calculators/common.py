"""Shared pieces of the calculators: input errors, citations, date arithmetic and formatting.

Everything here is pure: no I/O, no clock. Callers pass `today` / `at`.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from knowledge.loader import HANDBOOK_AS_OF, HANDBOOK_REVISION
from knowledge.models import Contact

FIRMWARE_SPEC_TITLE = "サービス仕様 プロアクティブケア ファームウェアアップデートオプション用 付表"

WEEKDAYS_JA = ("月", "火", "水", "木", "金", "土", "日")


class CalculatorInputError(ValueError):
    """Invalid calculator input. str(error) is one Japanese line for the user."""


class Citation(BaseModel):
    """Where a rule comes from.

    faq:    handbook FAQ entry id ("Q22"), None for the contact table / other documents
    page:   handbook page (P17 -> 17), None for documents without pages
    source: the line shown to the user, e.g.
            "Q22 / ハンドブック P17 / Rev.20181101（2018年11月時点）"
    """

    model_config = ConfigDict(frozen=True)

    faq: str | None = None
    page: int | None = None
    source: str


def handbook_citation(faq: str | None, page: int, label: str | None = None) -> Citation:
    """A citation of the partner handbook. `label` replaces the FAQ id in the text (e.g. お問い合わせ窓口情報)."""
    head = label or faq or "ハンドブック"
    return Citation(faq=faq, page=page, source=f"{head} / ハンドブック P{page} / {HANDBOOK_REVISION}（{HANDBOOK_AS_OF}）")


def firmware_spec_citation() -> Citation:
    return Citation(faq=None, page=None, source=FIRMWARE_SPEC_TITLE)


def sources_line(citations: list[Citation]) -> str:
    """All citations as one line: "Q22 / ハンドブック P17 / …、Q23 / …"."""
    return "、".join(c.source for c in citations)


class CalculatorResult(BaseModel):
    """Fields every calculator result carries."""

    model_config = ConfigDict(frozen=True)

    # The rule applied, in Japanese, as the handbook states it (with our reading where it is vague).
    rule: str
    # The main citation, and every citation used (the main one first).
    citation: Citation
    citations: list[Citation]
    # Cautions the user should read (Japanese).
    warnings: list[str] = []


# --- date arithmetic ---------------------------------------------------------


def add_years(d: date, years: int) -> date:
    """Same month and day `years` later; Feb 29 becomes Mar 1 when the target year is not a leap year.

    Used for "N years from d": the N-year period from d ends on add_years(d, N) - 1 day,
    so a term starting on 2028-02-29 ends on 2029-02-28 (1 year) or 2032-02-28 (4 years).
    """
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        # Only Feb 29 -> a non-leap year gets here.
        return date(d.year + years, 3, 1)


def end_of_term(start: date, years: int) -> date:
    """Last day of a term of `years` years starting on `start` (start + N years - 1 day)."""
    return add_years(start, years) - timedelta(days=1)


def add_months_clamped(d: date, months: int) -> date:
    """Same day `months` later, clamped to the month's last day (1/31 + 1 month -> 2/28 or 2/29)."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    for day in range(d.day, 27, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, d.day)


def fmt_date(d: date | None) -> str:
    """2027年3月31日（水）"""
    if d is None:
        return "—"
    return f"{d.year}年{d.month}月{d.day}日（{WEEKDAYS_JA[d.weekday()]}）"


# --- contacts ------------------------------------------------------------------

# As P20's header names the two lines: 電話番号（下段はIP phone, 携帯等）.
PHONE_KIND_LABELS = {
    "toll_free": "電話番号",
    "ip_phone_mobile": "電話番号（IP phone, 携帯等）",
    "landline": "電話番号",
    "fax": "FAX",
}


class PhoneInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: str
    kind: str  # toll_free / ip_phone_mobile / landline / fax
    label: str  # Japanese label of the kind


class ContactRef(BaseModel):
    """A contact as a calculator result names it (who to ask, and how)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    phones: list[PhoneInfo] = []
    email: str | None = None
    fax: str | None = None
    url: str | None = None
    hours_text: str
    source: str

    def how_to_reach(self) -> str:
        """「Eメール: …／電話: …（受付時間 …）」"""
        parts = [f"{p.label} {p.number}" for p in self.phones]
        if self.email:
            parts.append(f"Eメール {self.email}")
        if self.fax:
            parts.append(f"FAX {self.fax}")
        if self.url:
            parts.append(self.url)
        reach = "、".join(parts) if parts else "連絡先の記載なし"
        return f"{self.name}（{reach}／{self.hours_text}）"


def phone_infos(contact: Contact) -> list[PhoneInfo]:
    return [PhoneInfo(number=p.number, kind=p.kind, label=PHONE_KIND_LABELS.get(p.kind, p.kind)) for p in contact.phones]


def contact_ref(contact: Contact) -> ContactRef:
    return ContactRef(
        id=contact.id,
        name=contact.name,
        phones=phone_infos(contact),
        email=contact.email,
        fax=contact.fax,
        url=contact.url,
        hours_text=contact.hours.text,
        source=contact.source,
    )
