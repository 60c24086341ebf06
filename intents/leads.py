"""The lead: one or two sentences that state what was asked, built from structured data.

Templates only, never generated text. A product model selects its Q4 row, a
Q3 row answers for the care the question names, a line of the firmware spec
under 対象外 says no; a yes/no question the passage decides starts with
はい／いいえ. Any other passage that clearly answers the question leads with
its own words (a ご注意 note after the entry's main sentence, which it
qualifies). None when nothing clearly wins: the reply then leads with the
entry's summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intents.passage_ranking import Ranking
from intents.warranty_models import ModelMatch
from knowledge.loader import Knowledge
from knowledge.passages import Passage, warranty_years

CARES = ("プロアクティブケア", "ファウンデーションケア")
WARRANTY_TABLE = frozenset({"standard_warranty"})
# A question a yes or no settles: it ends by asking whether (…できる？ …付く？ …だけ？), with no wh-word.
_YES_NO_END = re.compile(r"(?:でき|使え|付|つ|要|い|あ|必要|可能|対象|含|だけ|のみ|受けられ|もらえ|ok|大丈夫|入|か)[^?？。]{0,6}[?？]?$")
_WH = re.compile(r"いつ|何|なに|なん|どこ|どう|どれ|どの|誰|だれ|いくら|how|what|when|which|where|who")
_ONLY = re.compile(r"だけ|のみ|only")
_SENTENCE_END = re.compile(r"(?<=。)")
# A line of the spec this short names a thing (Moonshot, Superdome X) rather than saying a sentence.
NAME_CHARS = 30


@dataclass(frozen=True)
class Lead:
    text: str
    passages: list[Passage]
    # Tables the lead settles (their other rows answer for other models or items): kept out of the details.
    tables: frozenset[str] = frozenset()


def is_yes_no(normalized: str) -> bool:
    text = normalized.strip()
    return bool(_YES_NO_END.search(text)) and not _WH.search(text)


def warranty_lead(knowledge: Knowledge, match: ModelMatch, ranking: Ranking) -> Lead | None:
    """Q4: the named series' rows; or, for a model the table does not list, where to look."""
    rows = {p.ref: p for p in ranking.passages}
    if match.series:
        by_row: dict[int, list[str]] = {}
        for s in match.series:
            by_row.setdefault(s.row, []).append(s.name)
        parts = []
        for row, names in by_row.items():
            w = knowledge.tables.standard_warranty[row]
            parts.append(
                f"{'、'.join(names)}はパーツ交換{warranty_years(w.parts_years)}・オンサイト{warranty_years(w.onsite_years)}"
            )
        text = f"標準保証は、{'、'.join(parts)}です。"
        return Lead(text, [rows[f"standard_warranty/{row}"] for row in by_row], WARRANTY_TABLE)
    if match.unlisted:
        selection = knowledge.websites["product-selection"]
        text = (
            f"「{match.unlisted.upper().replace('GEN', 'Gen')}」はハンドブックの標準保証表（2018年11月現在販売中の主な製品の抜粋）に載っていません。"
            f"総合カタログ「{selection.title.split('「')[-1].rstrip('」')}」の最新号（{selection.url}）またはHPEウェブサイトでご確認ください。"
        )
        return Lead(text, [], WARRANTY_TABLE)
    return None


def named_row(rows: list[tuple[str, Passage]], normalized: str) -> Passage | None:
    """The row whose name the question contains (the longest, when one name holds another)."""
    named = [(name, p) for name, p in rows if name in normalized]
    return max(named, key=lambda pair: len(pair[0]))[1] if named else None


def comparison_lead(knowledge: Knowledge, passage: Passage, normalized: str) -> Lead:
    """Q3: one row, answered for the care the question names (はい／いいえ when it asks whether)."""
    row = knowledge.tables.care_comparison[int(passage.ref.split("/")[1])]
    values = {"プロアクティブケア": row.proactive_care, "ファウンデーションケア": row.foundation_care}
    note = f"（{row.note}）" if row.note else ""
    both = f"{row.item}は、プロアクティブケア「{row.proactive_care}」、ファウンデーションケア「{row.foundation_care}」です{note}。"
    named = [care for care in CARES if care in normalized]
    if not (named and is_yes_no(normalized)):
        return Lead(both, [passage])
    care = named[0]
    other = next(c for c in CARES if c != care)
    if _ONLY.search(normalized):
        alone = values[other] == "×"
        answer = f"はい、{care}のみです。" if alone else f"いいえ、{care}だけでなく{other}でも提供されます。"
    else:
        answer = f"いいえ、{care}では提供されません。" if values[care] == "×" else f"はい、{care}でも提供されます。"
    return Lead(answer + both, [passage])


def lineup_lead(knowledge: Knowledge, passage: Passage) -> Lead:
    """Q1: one row of the lineup, every column it has."""
    row = knowledge.tables.lineup[int(passage.ref.split("/")[1])]
    parts = []
    if row.levels:
        parts.append(f"サービスレベルは{'／'.join(row.levels)}")
    if row.terms:
        parts.append(f"期間は{'／'.join(row.terms)}")
    said = "、".join(parts) if parts else "、".join(row.contents)
    return Lead(f"{row.service}の{row.kind}の{said}です。", [passage])


def desk_lead(knowledge: Knowledge, passage: Passage) -> Lead:
    """A desk named by name: how to reach it and when (P20 and the desks the FAQ names)."""
    desk = knowledge.contacts[passage.ref.split("/", 1)[1]]
    reach = [f"電話 {p.number}" for p in desk.phones]
    if desk.email:
        reach.append(f"Eメール {desk.email}")
    if desk.fax:
        reach.append(f"FAX {desk.fax}")
    how = f"{'、'.join(reach)}、" if reach else ""
    hours = desk.hours.text.removeprefix("受付時間").strip()
    label = f"（{desk.purpose_label}）" if desk.purpose_label != desk.name else ""
    return Lead(f"{desk.name}{label}は、{how}受付時間 {hours}です。", [passage])


def firmware_lead(passage: Passage, normalized: str) -> Lead:
    """fw-option: an exclusion says no, a customer responsibility says yes, to a yes/no question."""
    text = passage.plain.rstrip("。")
    if passage.heading == "対象外" and is_yes_no(normalized):
        said = f"{text}は対象外です。" if len(text) <= NAME_CHARS else f"対象外です（{text}）。"
        return Lead(f"いいえ、{said}", [passage])
    if passage.heading == "お客様の責任範囲" and is_yes_no(normalized):
        return Lead(f"はい、お客様の責任範囲です: {text}。", [passage])
    said = f"{text}。" if not text.endswith(("）", ")")) else text
    return Lead(f"{section(passage)}{said}", [passage])


# The firmware spec's sections that say what a line is (excluded, the customer's to do, required).
SPEC_SECTIONS = frozenset({"対象外", "お客様の責任範囲", "前提条件"})


def section(passage: Passage) -> str:
    """「【対象外】」 for a spec line said out of its place: its section is part of what it says
    (whether the option covers the OS; who takes the backup)."""
    return f"【{passage.heading}】" if passage.kind == "spec" and passage.heading in SPEC_SECTIONS else ""


def registration_lead(knowledge: Knowledge, passages: list[Passage], normalized: str, question: str) -> Lead | None:
    """Q11: いいえ when the question asks whether a service may use a method its row rules out
    (the message names them; its asking sentence asks whether)."""
    if not is_yes_no(question):
        return None
    for row in knowledge.tables.designated_registration:
        refused, said, rest = row.rule.partition("はご利用いただけません。")
        if row.purchase or not said:
            continue
        service = next((s for s in row.services if s.lower() in normalized), None)
        methods = [m for m in refused.split("、") if m.removesuffix("登録").lower() in normalized]
        note = next((p for p in passages if p.kind == "note" and row.rule in p.text), None)
        if service and methods and note:
            return Lead(f"いいえ、{service}は{'、'.join(methods)}はご利用いただけません。{rest}", [note])
    return None


def passage_lead(passage: Passage, summary: str) -> Lead:
    """Any other passage in its own words; a ご注意 note after the main sentence it qualifies."""
    text = passage.plain
    if passage.kind == "note":
        first = _SENTENCE_END.split(summary.strip(), maxsplit=1)[0]
        if first and first not in text:
            text = f"{first}{text}"
    return Lead(text, [passage])
