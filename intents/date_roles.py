"""What each date and term in a question stands for: its role, read from the words around it.

ja-timex (intents/entities.py) finds the dates; this module says which is the
purchase, the ship date, the delivery, the warranty end, the PWP end date and
so on, so that 「2024年3月5日に購入した」 is never taken for a warranty end.

Japanese puts the verb after the date (「11/1に注文して」, 「3/31に切れる」) and
the topic noun before it (「保証終了日は2027/5/31」, 「確定 2027/9/30」). A date's
role is therefore, in this order:
1. the first cue after it in its own clause (up to 、。 or the next date);
2. the nearest cue before it in its clause (back to the previous date or sentence);
3. the first cue after it further on in the sentence.
A date written as an amount (納品から10日, 残り8か月) carries its cue in its own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from intents.entities import DateMention, Entities, Resolve
from knowledge.models import PwpStatus


class Role(StrEnum):
    purchase = "purchase"
    order = "order"
    ship = "ship"
    delivery = "delivery"
    coverage_end = "coverage_end"
    pwp_end = "pwp_end"
    work = "work"
    application = "application"
    registration = "registration"
    moment = "moment"


ROLE_LABELS = {
    Role.purchase: "ハードウェアのご購入日",
    Role.order: "ご注文日",
    Role.ship: "当社出荷日",
    Role.delivery: "納品日",
    Role.coverage_end: "保証・契約の終了日",
    Role.pwp_end: "ポストワランティサービス終了日",
    Role.work: "作業日",
    Role.application: "お申込み日",
    Role.registration: "ご登録日",
    Role.moment: "お問い合わせの日時",
}

# Which calendar date a date without a year means, by role: events happened, ends and moments are ahead.
_RESOLVE: dict[Role | None, Resolve] = {
    Role.purchase: "past",
    Role.order: "past",
    Role.ship: "past",
    Role.delivery: "past",
    Role.coverage_end: "nearest",
    Role.pwp_end: "future",
    Role.work: "future",
    Role.application: "future",
    Role.registration: "nearest",
    Role.moment: "future",
    None: "nearest",
}

# Cues as they read after normalisation and synonym folding (注文 -> 発注, PWP -> ポストワランティサービス).
# Longer cues first: at one position the longest wins.
_CUES: list[tuple[str, Role]] = [
    (
        r"ポストワランティサービス(?:の)?終了|終了日確認サイト|確認サイト|確定|予定日?(?!で|です)",
        Role.pwp_end,
    ),
    (
        r"保証終了|保証(?:期間)?が?(?:切れ|終わ|満了)|保守(?:契約)?終了|契約終了|満了|終了|切れ|終わ|期限切れ|期限が来|残り",
        Role.coverage_end,
    ),
    (r"購入|買っ|買い|買う|導入|仕入|こうにゅう|かいました", Role.purchase),
    (r"発注|注文|オーダ|受注", Role.order),
    (r"出荷", Role.ship),
    (r"納品|納入|届い|届く|到着|着荷|受け取", Role.delivery),
    (r"作業(?:予定)?日?|作業する|作業したい", Role.work),
    (r"申込|申し込", Role.application),
    (r"登録(?:する|した|し|日|予定)", Role.registration),
    (r"電話|連絡|つなが|繋が|問い合わせ|問合せ|かけ|受付|受け付け|相談|開いて|やって", Role.moment),
]
_CUE = re.compile("|".join(f"(?P<c{i}>{pattern})" for i, (pattern, _) in enumerate(_CUES)))
_CLAUSE_END = "、,。.?!？！\n"
_SENTENCE_END = "。.?!？！\n"
_REACH = 14  # characters a verb cue may stand after its date
# Characters of topic before a date: long enough for the longest cue
# (「ポストワランティサービス終了日は予定で」), so no cue is read cut in half.
_REACH_BEFORE = 32

# Times of day a partner writes without a clock (「12/29の朝」, 「1/2の午前中」): the hour asked about.
DAY_PARTS = (
    ("早朝", time(7, 0)),
    ("午前中", time(10, 0)),
    ("午前", time(10, 0)),
    ("朝", time(9, 0)),
    ("昼休み", time(12, 30)),
    ("昼", time(12, 0)),
    ("午後", time(14, 0)),
    ("夕方", time(17, 0)),
    ("深夜", time(23, 0)),
    ("今夜", time(20, 0)),
    ("今晩", time(20, 0)),
    ("夜", time(20, 0)),
)


@dataclass(frozen=True)
class RoledDate:
    mention: DateMention
    role: Role | None
    cue: str | None  # the words that gave the role, shown back to the partner
    day: date  # the calendar date, resolved for its role

    def describe(self) -> str:
        """「2024年3月5日（火）: ハードウェアのご購入日（「購入」から読み取り）」"""
        from knowledge.calculators.common import fmt_date

        if self.role is None:
            return f"{fmt_date(self.day)}: 役割を読み取れませんでした（「{self.mention.text}」）"
        written = (
            ""
            if self.mention.text == f"{self.day.year}年{self.day.month}月{self.day.day}日"
            else f"「{self.mention.text}」、"
        )
        return f"{fmt_date(self.day)}: {ROLE_LABELS[self.role]}（{written}「{self.cue}」から読み取り）"


def _first_cue(segment: str) -> tuple[Role, str] | None:
    for m in _CUE.finditer(segment):
        return _role_of(m)
    return None


def _last_cue(segment: str) -> tuple[Role, str] | None:
    found = None
    for m in _CUE.finditer(segment):
        found = _role_of(m)
    return found


def _role_of(m: re.Match[str]) -> tuple[Role, str]:
    index = int(m.lastgroup[1:])  # type: ignore[index]
    return _CUES[index][1], m.group(0)


def _cut(segment: str, stops: str) -> str:
    at = next((i for i, ch in enumerate(segment) if ch in stops), len(segment))
    return segment[:at]


def roles(entities: Entities, normalized: str, today: date) -> tuple[RoledDate, ...]:
    """Every date of the question with its role (None when no cue stands near it)."""
    mentions = entities.dates
    out = []
    for index, mention in enumerate(mentions):
        end = mention.start + len(mention.text)
        following = mentions[index + 1].start if index + 1 < len(mentions) else len(normalized)
        previous = mentions[index - 1].start + len(mentions[index - 1].text) if index else 0
        after = normalized[end : min(following, end + _REACH)]
        before = normalized[max(previous, mention.start - _REACH_BEFORE) : mention.start]
        before = before[max(before.rfind(ch) for ch in _SENTENCE_END) + 1 :]
        found = (
            _first_cue(mention.text)
            or _first_cue(_cut(after, _CLAUSE_END))
            or _last_cue(before[max(before.rfind(ch) for ch in "、,") + 1 :] or before)
            or _last_cue(before)
            or _first_cue(_cut(normalized[end:following], _SENTENCE_END))
        )
        role, cue = found if found else (None, None)
        out.append(RoledDate(mention, role, cue, mention.resolve(today, _RESOLVE[role])))
    return tuple(out)


def first(dated: tuple[RoledDate, ...], role: Role) -> RoledDate | None:
    return next((d for d in dated if d.role == role), None)


def pwp_status_of(date_: RoledDate, fallback: PwpStatus | None) -> PwpStatus | None:
    """The 予定 / 確定 written at the PWP end date itself, else the one of the whole question."""
    if date_.cue and date_.cue.startswith("確定"):
        return PwpStatus.fixed
    if date_.cue and date_.cue.startswith("予定"):
        return PwpStatus.planned
    return fallback


# --- terms ---------------------------------------------------------------------------

_TERM = re.compile(r"(?<![0-9和成rh.])([1-9]|10)\s*(?:年|ねん|ネン)(?:間|かん)?(?![0-9]+月|度|半|前|後|目)")
_TERM_CUES: list[tuple[str, str]] = [
    (r"ポストワランティサービス|延長|pwp", "pwp"),
    (r"標準保証|保証期間|保証", "warranty"),
    (r"サポートサービス|ケアパック|care ?pack|ファウンデーションケア|プロアクティブケア|保守|契約", "care"),
]
_TERM_CUE = re.compile("|".join(f"(?P<{kind}>{pattern})" for pattern, kind in _TERM_CUES))


@dataclass(frozen=True)
class Terms:
    """Years the question states, by what they are the length of."""

    warranty: int | None = None  # the hardware's standard warranty (標準保証3年)
    care: int | None = None  # a support service / contract (5年のケアパック, 保守3年)
    pwp: int | None = None  # the post-warranty term asked about (1年のPWP)
    warranty_text: str | None = None
    care_text: str | None = None


def terms(normalized: str, dated: tuple[RoledDate, ...]) -> Terms:
    """Each N年 with the nearest cue word around it (within its clause, the one after first when adjacent)."""
    amounts = [(d.mention.start, d.mention.start + len(d.mention.text)) for d in dated]
    found: dict[str, tuple[int, str]] = {}
    for m in _TERM.finditer(normalized):
        if any(a <= m.start() < b for a, b in amounts):
            continue
        before = normalized[max(0, m.start() - 12) : m.start()]
        before = before[max(before.rfind(ch) for ch in _CLAUSE_END + "(（") + 1 :]
        after = _cut(normalized[m.end() : m.end() + 20], _CLAUSE_END + ")）")
        kind = None
        if nxt := re.match(r"\s*の?\s*", after):
            if cue := _TERM_CUE.match(after, nxt.end()):
                kind = cue.lastgroup
        if kind is None:
            cues = list(_TERM_CUE.finditer(before))
            kind = cues[-1].lastgroup if cues else None
        if kind is None and (cue := _TERM_CUE.search(after)):
            kind = cue.lastgroup
        if kind and kind not in found:
            found[kind] = (int(m.group(1)), m.group(0))
    return Terms(
        warranty=found["warranty"][0] if "warranty" in found else None,
        care=found["care"][0] if "care" in found else None,
        pwp=found["pwp"][0] if "pwp" in found else None,
        warranty_text=found["warranty"][1] if "warranty" in found else None,
        care_text=found["care"][1] if "care" in found else None,
    )


# --- the moment of a contact question ----------------------------------------------------


def day_part(normalized: str) -> tuple[str, time] | None:
    return next(((word, t) for word, t in DAY_PARTS if word in normalized), None)


def contact_moment(
    entities: Entities, dated: tuple[RoledDate, ...], normalized: str, now: datetime
) -> datetime:
    """The moment a contact question is about: a date asked about (「12/29の朝」) at its time
    of day, else the entities' moment (明日の19時, 土曜), else now."""
    asked = first(dated, Role.moment) or next(
        (d for d in dated if d.role is None and d.day >= now.date()), None
    )
    part = day_part(normalized)
    if part is not None and part[0] in ("今夜", "今晩"):
        return datetime.combine(now.date(), part[1], tzinfo=now.tzinfo)
    if asked is not None:
        if asked.day == now.date() and entities.clock is None and part is None:
            return now  # 今日: the moment is now
        clock = entities.clock or (part[1] if part else time(10, 0))
        return datetime.combine(asked.day, clock, tzinfo=now.tzinfo)
    if entities.moment is not None:
        if entities.clock is None and part is not None and entities.moment.date() != now.date():
            return datetime.combine(entities.moment.date(), part[1], tzinfo=now.tzinfo)
        return entities.moment
    return now
