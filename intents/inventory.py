"""Every kind of reply the bot gives about the handbook, rendered: each intent's
answer and a table of calculator cases (PWP, start date, contact, firmware
deadline, installation window).

Used by the grounding test (tests/intents/test_reply_grounding.py) and by
`faqbot knowledge check` to check every sentence against the seed texts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from intents import calculations
from intents.answer import Answer
from intents.router import Pipeline
from knowledge.calendar import JST
from knowledge.grounding import reply_texts
from knowledge.models import ProductFamily, Purpose

# A weekday (Friday) morning; the cases below move around it.
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=JST)

# (name, coverage_end, years, care, pwp_end, status)
PWP_CASES = [
    ("発注可能期間内", "2027-01-31", 1, None, None, None),
    ("発注可能期間前", "2027-06-30", 1, None, None, None),
    ("終了日後", "2026-10-31", 1, None, None, None),
    ("終了日当日", "2026-11-20", 1, None, None, None),
    ("プロアクティブケア2年", "2027-01-31", 2, "proactive", None, None),
    ("保守レベル不明2年", "2027-01-31", 2, None, None, None),
    ("ファウンデーションケア2年", "2027-01-31", 2, "foundation", None, None),
    ("確定・1年未満", "2027-01-31", 1, None, "2027-06-30", "fixed"),
    ("確定・2年が超える", "2027-01-31", 2, "foundation", "2028-06-30", "fixed"),
    ("確定・収まる", "2027-01-31", 1, None, "2030-06-30", "fixed"),
    ("予定・1年未満", "2027-01-31", 1, None, "2027-06-30", "planned"),
    ("予定・超える", "2027-01-31", 2, "foundation", "2028-06-30", "planned"),
    ("予定・収まる", "2027-01-31", 1, None, "2030-06-30", "planned"),
    ("空欄・超える", "2027-01-31", 2, "foundation", "2028-06-30", "blank"),
    ("終了日のみ・超える", "2027-01-31", 1, None, "2027-06-30", None),
    ("期間前・確定・1年未満", "2027-06-30", 1, None, "2027-12-31", "fixed"),
]

# (name, purchase, ship_date, years, delivered)
START_CASES = [
    ("購入日と年数", "2026-05-10", None, 5, None),
    ("年数なし", "2026-05-10", None, None, None),
    ("出荷日のみ", None, "2026-05-10", 3, None),
    ("購入日と出荷日", "2026-05-10", "2026-05-01", 3, None),
    ("購入日が出荷日より前", "2026-04-10", "2026-05-01", 3, None),
    ("購入から1年超", "2025-05-10", None, 5, None),
    ("登録期限内", "2026-11-01", None, 3, "2026-11-10"),
    ("登録期限切れ", "2026-05-10", None, 5, "2026-06-01"),
    ("1年", "2026-05-10", None, 1, None),
    ("7年", "2026-05-10", None, 7, None),
    ("未来の購入日", "2027-01-10", None, 3, "2027-01-20"),
    ("うるう日", "2024-02-29", None, 1, None),
]

CONTACT_MOMENTS = {
    "平日午前": NOW,
    "平日昼休み": NOW.replace(hour=12, minute=30),
    "平日夜": NOW.replace(hour=22),
    "土曜": datetime(2026, 11, 21, 10, 0, tzinfo=JST),
    "祝日（月）": datetime(2026, 11, 23, 10, 0, tzinfo=JST),
    "12/30（平日）": datetime(2026, 12, 30, 10, 0, tzinfo=JST),
    "1/4（年始明け）": datetime(2027, 1, 4, 8, 0, tzinfo=JST),
}
PRODUCTS = [None, *ProductFamily]


def rendered(pipeline: Pipeline | None = None) -> Iterator[tuple[str, Answer]]:
    """(case name, Answer) for each intent and each calculator case."""
    pipeline = pipeline or Pipeline.build()
    for intent in [*pipeline.knowledge.faq, "websites", "fw-option", "contact"]:
        yield f"intent {intent}", pipeline.answer_intent(intent, NOW)
    for name, end, years, care, pwp_end, status in PWP_CASES:
        inputs = {"coverage_end": end, "years": years, "care_level": care, "pwp_end": pwp_end, "pwp_status": status}
        yield f"pwp: {name}", calculations.pwp_answer(inputs, NOW, 1.0, [])
    for name, purchase, ship, term, delivered in START_CASES:
        inputs = {"purchase": purchase, "ship_date": ship, "years": term, "delivered": delivered}
        yield f"start-date: {name}", calculations.start_date_answer(inputs, NOW, 1.0, [])
    for moment_name, at in CONTACT_MOMENTS.items():
        base = {"at": at.isoformat(), "delivered": None, "warranty_24h": False}
        yield f"contact: 一覧 {moment_name}", calculations.contact_answer({**base, "purpose": None, "product": None}, at, 1.0, [])
        for purpose in Purpose:
            for product in PRODUCTS:
                inputs = {**base, "purpose": purpose.value, "product": product.value if product else None}
                yield (f"contact: {purpose.value} {product.value if product else '-'} {moment_name}",
                       calculations.contact_answer(inputs, at, 1.0, []))
        for product in (ProductFamily.network, ProductFamily.aruba):
            inputs = {**base, "purpose": "repair", "product": product.value, "warranty_24h": True}
            yield f"contact: repair 24時間保証 {product.value} {moment_name}", calculations.contact_answer(inputs, at, 1.0, [])
    for days, name in ((3, "一週間以内"), (7, "7日目"), (19, "一週間超")):
        delivered = (NOW.date() - timedelta(days=days)).isoformat()
        inputs = {"at": NOW.isoformat(), "delivered": delivered, "warranty_24h": False, "product": None}
        for purpose_id in ("missing_or_defective", "repair"):
            yield (f"contact: {purpose_id} 納品{name}",
                   calculations.contact_answer({**inputs, "purpose": purpose_id}, NOW, 1.0, []))
    for name, work in (("期限前", date(2027, 3, 1)), ("期限後", date(2026, 11, 25)), ("年末年始またぎ", date(2027, 1, 12))):
        yield f"fw-option: 作業予定日 {name}", calculations.firmware_answer(work, NOW, 1.0, [])
    for name, at in (("受付時間内", NOW), ("受付時間後", NOW.replace(hour=18)),
                     ("祝日", datetime(2026, 11, 23, 10, 0, tzinfo=JST)),
                     ("年末", datetime.combine(date(2026, 12, 29), time(18, 0), tzinfo=JST))):
        yield f"Q17: 申込 {name}", calculations.installation_answer(at, 1.0, [])


def answer_texts(name: str, answer: Answer) -> list[tuple[str, str]]:
    """The texts of a rendered answer to check (see knowledge.grounding.reply_texts): the reply,
    and the whole entry its 「全文を見る」 view shows."""
    texts = reply_texts(name, answer.lead, answer.details, [link.title for link in answer.links])
    for heading, text in answer.sections:
        texts += reply_texts(f"{name} full {heading}", "", text)[1:]
    return texts


def all_texts(pipeline: Pipeline | None = None) -> list[tuple[str, str]]:
    return [text for name, answer in rendered(pipeline) for text in answer_texts(name, answer)]
