"""The desk a question names (「カスタマー・ケア・センター（ネットワーク製品用）の番号は？」, 「PICって何時まで？」).

A named desk is answered as asked, not as the desk for a purpose. Desk names
come from the contacts data, folded like the question; several desks share a
name (カスタマー・ケア・センター for servers, for network products, after hours),
told apart by the qualifier words of their names the question also uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from knowledge.models import Contact

# Words that tell desks of one name apart, as they read after folding.
_QUALIFIERS = ("サーバ", "ストレージ", "ネットワーク", "24時間", "時間外", "aruba")
# What partners call some desks besides their printed names (folded forms).
_ALIASES: dict[str, str] = {
    "quick-rescue": r"クイックレスキュ",
    "directplus": r"ダイレクトプラス|direct ?plus",
    "repair-billing": r"有償修理請求",
    "cic-aruba": r"aruba.{0,8}cic|cic.{0,8}aruba",
    "customer-care-network-after-hours": r"24時間.{0,12}(?:時間外|夜間)(?!.*修理)",
    "repair-network-after-hours": r"修理.{0,16}24時間.{0,12}(?:時間外|夜間)|24時間.{0,12}(?:時間外|夜間).{0,12}修理",
}
# A base name this short is a word, not a name (修理依頼 folds to 修理).
_MIN_NAME = 3


@dataclass(frozen=True)
class _Desk:
    id: str
    name: str  # folded base name, spaces removed
    qualifiers: frozenset[str]
    alias: re.Pattern[str] | None


class DeskNames:
    def __init__(self, contacts: Mapping[str, Contact], fold: Callable[[str], str]):
        self.desks = []
        for contact in contacts.values():
            folded = fold(contact.name)
            base = re.split(r"[(（]", folded)[0].replace(" ", "")
            base = base.removeprefix("hpe")
            alias = re.compile(_ALIASES[contact.id]) if contact.id in _ALIASES else None
            self.desks.append(
                _Desk(
                    contact.id,
                    base if len(base) >= _MIN_NAME else "",
                    frozenset(q for q in _QUALIFIERS if q in folded),
                    alias,
                )
            )

    def find(self, normalized: str) -> str | None:
        """The id of the desk the (normalised, folded) question names, or None."""
        compact = normalized.replace(" ", "")
        by_alias = [d for d in self.desks if d.alias and d.alias.search(normalized)]
        if by_alias:
            return by_alias[0].id
        named = [(i, d) for i, d in enumerate(self.desks) if d.name and d.name in compact]
        if not named:
            return None

        def fit(item: tuple[int, _Desk]) -> tuple[int, int, int, int]:
            index, desk = item
            matched = sum(q in compact for q in desk.qualifiers)
            return (len(desk.name), matched, -int(matched < len(desk.qualifiers)), -index)

        return max(named, key=fit)[1].id
