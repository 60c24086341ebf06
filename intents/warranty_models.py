"""A product model in a question -> its row of the Q4 standard-warranty table.

The table lists series as printed ("ProLiant DL360 Gen10", "MSL 2024/3040/4048
テープライブラリ", "RDX 3TB以上"). Their keys are derived from that text, so a
row added to tables.yaml is found without code: a model key is a latin word
with letters and digits (dl360, c7000) or a brand word followed by numbers
(msl2024, storeonce3100); a brand word (storeeasy, 3par, microserver) alone
selects every series of that brand. A model the table does not list is
reported as such: the reply says so instead of guessing a row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from intents.tokens import MODEL_PATTERN
from knowledge.models import Tables

_CHUNK = re.compile(r"[a-z0-9]+(?:/\d+)*")
_GEN = re.compile(r"gen(\d+)")
_CAPACITY = re.compile(r"(\d+)tb(以下|以上)")
# Words of series names that name no model.
_NOT_BRANDS = {"proliant", "hpe"}


@dataclass(frozen=True)
class Series:
    name: str
    row: int  # index in Tables.standard_warranty
    keys: frozenset[str]
    brands: frozenset[str]
    gen: str | None
    capacity: tuple[int, str] | None  # (TB, 以下/以上) of "RDX 2TB以下"


@dataclass(frozen=True)
class ModelMatch:
    series: list[Series]  # the rows' series the question names, table order
    unlisted: str | None  # a model named in the question that the table does not list


def _compact(text: str) -> str:
    return re.sub(r"[\s\-‐]", "", unicodedata.normalize("NFKC", text).lower())


def _series(name: str, row: int) -> Series:
    text = unicodedata.normalize("NFKC", name).lower()
    keys, brands, brand = set(), set(), None
    for chunk in _CHUNK.findall(text):
        letters = sum(c.isalpha() for c in chunk)
        if chunk in _NOT_BRANDS or _GEN.fullmatch(chunk) or re.fullmatch(r"\d+tb", chunk):
            continue
        if letters >= 3:
            brands.add(chunk.rstrip("0123456789/") or chunk)
            brand = chunk
        if letters and any(c.isdigit() for c in chunk):
            keys.add(chunk)
        elif not letters and brand:
            keys.update(brand + number for number in chunk.split("/"))
    gen = _GEN.search(text)
    capacity = _CAPACITY.search(text)
    return Series(name, row, frozenset(keys), frozenset(brands), gen.group(1) if gen else None,
                  (int(capacity.group(1)), capacity.group(2)) if capacity else None)


class WarrantyModels:
    def __init__(self, tables: Tables):
        self.series = [_series(name, i) for i, row in enumerate(tables.standard_warranty) for name in row.series]
        self._brands = {b for s in self.series for b in s.brands}

    def match(self, normalized: str) -> ModelMatch:
        q = _compact(normalized)
        exact = [s for s in self.series if any(self._names(q, key, s) for key in s.keys)]
        if exact:
            return ModelMatch(exact, None)
        named = [b for b in self._brands if b in q]
        if named:
            numbered = next((m.group(0) for b in named if (m := re.search(re.escape(b) + r"\d{2,}", q))), None)
            by_capacity = [s for s in self.series if s.capacity and set(named) & s.brands and _fits(q, s)]
            if by_capacity:
                return ModelMatch(by_capacity, None)
            if numbered:
                return ModelMatch([], numbered)
            return ModelMatch([s for s in self.series if s.brands & set(named)], None)
        model = MODEL_PATTERN.search(normalized)
        if model is None or model.group(0).startswith("gen"):
            return ModelMatch([], None)
        gen = re.match(r"\s?gen\s?\d+", normalized[model.end() :])
        return ModelMatch([], model.group(0) + (gen.group(0) if gen else ""))

    @staticmethod
    def _names(q: str, key: str, s: Series) -> bool:
        at = q.find(key)
        if at < 0 or q[at + len(key) : at + len(key) + 1].isdigit():
            return False
        gen = _GEN.match(q, at + len(key))
        return not (gen and s.gen and gen.group(1) != s.gen)


def _fits(q: str, s: Series) -> bool:
    asked = re.search(r"(\d+)tb", q)
    if not asked or not s.capacity:
        return False
    size, side = s.capacity
    return int(asked.group(1)) <= size if side == "以下" else int(asked.group(1)) >= size
