"""Every answerable entry as citable passages, derived from the structured knowledge.

A passage is the smallest piece of the handbook a reply can quote on its own:
a line or bullet of an entry's body (with its indented sub-lines), a step, a
ご注意 note, a site with its URL, a table row (lineup, Proactive/Foundation
comparison, standard warranty), a desk with its phones and hours, a line of
the firmware option spec. Each knows its entry, page and seed, and where the
data gives one its provenance (P20, 付表 対象外 …), so a reply can cite
exactly what it quotes.

Tables (knowledge/data/tables.yaml) are the single source of their rows: the
FAQ bodies do not restate them, and their passages are placed after the
entry's first paragraph, where the handbook prints them.

`sections()` turns an entry's passages back into the whole entry as
(heading, text) pairs, for a 「全文を見る」 view and `faqbot ask --full`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from knowledge.loader import Knowledge
from knowledge.models import Contact, FaqEntry, Tables

HANDBOOK_SEED = "000_351cc6fff081056d.txt"
FIRMWARE_SEED = "003_fb7ac302dc6c9815.txt"

Kind = Literal["summary", "line", "bullet", "step", "note", "site", "row", "desk", "spec"]

# A line that opens a numbered step ("1. ", "4-① ").
_STEP = re.compile(r"^\d+(?:-[①-⑳])?[.．]?\s")
_PAGE = re.compile(r"\(P(\d+)\)|^P(\d+)")
# The body paragraph a table follows, where the handbook prints it (default: the first).
_TABLE_AFTER = {"Q23": 1}
URL = re.compile(r"https?://[^\s）)」、。]+")


class Passage(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str  # "Q4#7": entry and position, stable for one version of the data
    entry: str  # the intent it answers: "Q4", "contact", "websites", "fw-option"
    page: int | None  # handbook page; None for the firmware spec
    seed: str
    kind: Kind
    heading: str  # the section of the entry it sits in ("" = the entry's opening)
    text: str  # as shown, marks kept ("・", "1."); sub-lines after "\n"
    # Where a structured row comes from: "standard_warranty/5", "care_comparison/8",
    # "lineup/3", "contacts/quick-rescue", "firmware/exclusions/5". Empty for prose.
    ref: str = ""
    source: str | None = None  # provenance the data gives beyond entry and page

    @property
    def position(self) -> int:
        return int(self.id.rsplit("#", 1)[1])

    @property
    def plain(self) -> str:
        """The text without its leading list mark, sub-lines joined: for a lead sentence."""
        first, *rest = self.text.split("\n")
        head = re.sub(r"^(?:[・※■]|\d+(?:-[①-⑳])?[.．]?\s)\s*", "", first.strip())
        return " ".join([head, *(line.strip() for line in rest)])


def build_passages(knowledge: Knowledge) -> dict[str, list[Passage]]:
    """Passages of every entry, by intent id, in the order the entry reads."""
    out = {entry.id: _faq_passages(entry, knowledge.tables) for entry in knowledge.faq.values()}
    out["contact"] = _numbered("contact", [_desk(c) for c in knowledge.contacts.values()])
    out["websites"] = _numbered(
        "websites",
        [
            dict(page=_page(w.source), seed=HANDBOOK_SEED, kind="site", heading="各種ツール、ウェブサイト情報",
                 text=f"・{w.title}: {w.url}" + (f"\n{w.description}" if w.description else ""),
                 ref=f"websites/{w.id}", source=w.source)
            for w in knowledge.websites.values()
        ],
    )
    out["fw-option"] = _numbered("fw-option", _firmware(knowledge))
    return out


def sections(passages: Iterable[Passage]) -> list[tuple[str, str]]:
    """The whole entry as (heading, text) sections, consecutive passages of one heading together."""
    out: list[tuple[str, list[str]]] = []
    for p in passages:
        lines = p.text.split("\n")
        shown = "\n".join([lines[0], *(f"　{line}" for line in lines[1:])])
        if out and out[-1][0] == p.heading:
            out[-1][1].append(shown)
        else:
            out.append((p.heading, [shown]))
    return [(heading, "\n".join(lines)) for heading, lines in out]


# --- FAQ entries ---------------------------------------------------------------------


def _faq_passages(entry: FaqEntry, tables: Tables) -> list[Passage]:
    base = dict(page=entry.page, seed=HANDBOOK_SEED)
    items = [dict(base, kind="summary", heading="回答", text=entry.summary.strip())]
    blocks = entry.body.strip().split("\n\n")
    for number, block in enumerate(blocks):
        items += [dict(base, **item) for item in _block(block)]
        if number == _TABLE_AFTER.get(entry.id, 0):
            items += [dict(base, **row) for row in _table_rows(entry.id, tables)]
    items += [dict(base, kind="note", heading="ご注意", text=f"・{note}") for note in entry.notes]
    shown = " ".join(str(item["text"]) for item in items)
    items += [
        dict(base, kind="site", heading="リンク", text=f"・{link.title}: {link.url}")
        for link in entry.links
        if link.url not in shown
    ]
    return _numbered(entry.id, items)


def _block(block: str) -> list[dict]:
    """A paragraph of a body: a heading line, then one passage per line or bullet with its sub-lines."""
    lines = [line for line in block.split("\n") if line.strip()]
    heading = ""
    first = lines[0].strip()
    if first.startswith(("■", "【")) or (
        len(lines) > 1 and not first.endswith(("。", "）", ")")) and not first.startswith(("・", "※")) and not _STEP.match(first)
    ):
        heading = first.lstrip("■").strip()
        lines = lines[1:]
    items: list[dict] = []
    for line in lines:
        if line[:1] in (" ", "　", "\t") and items:
            items[-1]["text"] += "\n" + line.strip()
            continue
        text = line.strip()
        kind = "step" if _STEP.match(text) else "bullet" if text.startswith(("・", "※")) else "line"
        items.append(dict(kind=kind, heading=heading, text=text))
    return items


# Q3's vertical labels; a row the flattened PDF does not place says so in its note.
_CARE_GROUP_HEADINGS = {"proactive": "プロアクティブ", "reactive": "リアクティブ", "unclear": "プロアクティブ／リアクティブ"}


def _table_rows(entry_id: str, tables: Tables) -> list[dict]:
    """The rows of the table an entry prints, in the handbook's layout."""
    if entry_id == "Q1":
        return [
            dict(kind="row", heading=row.service, ref=f"lineup/{i}", source=f"A1 表（{tables.lineup_note}）",
                 text="\n".join(line for line in _lineup_lines(row) if line))
            for i, row in enumerate(tables.lineup)
        ]
    if entry_id == "Q3":
        return [
            dict(kind="row", heading=_CARE_GROUP_HEADINGS[row.group],
                 ref=f"care_comparison/{i}", source="A3 表",
                 text=f"・{row.item}" + (f"（{row.note}）" if row.note else "")
                 + f"：{row.proactive_care}／{row.foundation_care}")
            for i, row in enumerate(tables.care_comparison)
        ]
    if entry_id == "Q11":
        return [
            dict(kind="row", heading=row.audience, ref=f"registration_methods/{i}", source="A11 表",
                 text=f"・{row.method} → {row.faq}へ\nこんな方へ：{'／'.join(row.suited_for)}")
            for i, row in enumerate(tables.registration_methods)
        ]
    if entry_id == "Q23":
        return [
            dict(kind="row", heading="備考欄の表記", ref=f"pwp_states/{i}", source="A23 表",
                 text=f"・{row.label}：{row.meaning}")
            for i, row in enumerate(tables.pwp_states)
        ]
    if entry_id == "Q4":
        return [
            dict(kind="row", heading="サーバー製品" if row.family == "server" else "ストレージ製品",
                 ref=f"standard_warranty/{i}", source="A4 表（2018年11月現在）",
                 text=f"・{warranty_years(row.parts_years)}／{warranty_years(row.onsite_years)}：" + "、".join(row.series))
            for i, row in enumerate(tables.standard_warranty)
        ]
    return []


def _lineup_lines(row) -> list[str]:
    contents = f"（{'、'.join(row.contents)}）" if row.contents else ""
    return [
        f"・{row.kind}{contents}",
        f"サービスレベル：{'／'.join(row.levels)}" if row.levels else "",
        f"期間：{'／'.join(row.terms)}" if row.terms else "",
        *row.notes,
    ]


def warranty_years(years: int) -> str:
    return f"{years}年" if years else "なし"


# --- desks, sites, the firmware spec ------------------------------------------------------


def _desk(contact: Contact) -> dict:
    reach = [f"{'FAX' if p.kind == 'fax' else '電話'} {p.number}" for p in contact.phones]
    if contact.email:
        reach.append(f"Eメール {contact.email}")
    if contact.fax:
        reach.append(f"FAX {contact.fax}")
    if contact.url:
        reach.append(contact.url)
    label = f"（{contact.purpose_label}）" if contact.purpose_label != contact.name else ""
    text = f"・{contact.name}{label}\n" + " / ".join([*reach, f"受付時間 {contact.hours.text}"])
    seed = FIRMWARE_SEED if contact.source.startswith("ファームウェア") else HANDBOOK_SEED
    return dict(page=_page(contact.source), seed=seed, kind="desk", heading="お問い合わせ窓口",
                text=text, ref=f"contacts/{contact.id}", source=contact.source)


def _firmware(knowledge: Knowledge) -> list[dict]:
    fw = knowledge.firmware
    base = dict(page=None, seed=FIRMWARE_SEED, kind="spec")
    items = [dict(base, kind="summary", heading="回答", text=fw.summary.strip())]
    items += [
        dict(base, heading="サービス内容", text=f"・{s.name}: {s.description}（提供時間: {s.hours}）",
             ref=f"firmware/services/{i}", source="付表 サービス内容")
        for i, s in enumerate(fw.services)
    ]
    for field, heading in (("prerequisites", "前提条件"), ("exclusions", "対象外"),
                           ("customer_responsibilities", "お客様の責任範囲")):
        items += [
            dict(base, heading=heading, text=f"・{text}", ref=f"firmware/{field}/{i}", source=f"付表 {heading}")
            for i, text in enumerate(getattr(fw, field))
        ]
    items += [dict(base, kind="site", heading="リンク", text=f"・{link.title}: {link.url}") for link in fw.links]
    return items


def _page(source: str) -> int | None:
    match = _PAGE.search(source)
    return int(match.group(1) or match.group(2)) if match else None


def _numbered(entry: str, items: list[dict]) -> list[Passage]:
    return [Passage(id=f"{entry}#{n}", entry=entry, **item) for n, item in enumerate(items)]
