"""A model's standard warranty from the Q4 table, and the warranty end it gives.

Q4 lists, per series, the years of parts warranty (部品) and on-site service
(オンサイト). The standard warranty end a PWP window counts from is the parts
warranty's: purchase date + N years - 1 day (the bot's reading of an N-year
term, as for support services). A question naming a model without its
generation (DL380) is read only when every generation in the table has the same
years.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.models import WarrantyRow

# Brand words partners leave out: 「DL20 Gen9」 for ProLiant DL20 Gen9.
_BRANDS = re.compile(r"^(?:hpe\s+)?(?:proliant|bladesystem|synergy)\s+")


@dataclass(frozen=True)
class SeriesWarranty:
    series: str  # as the handbook prints it
    parts_years: int
    onsite_years: int


def _key(text: str) -> str:
    return _BRANDS.sub("", unicodedata.normalize("NFKC", text).lower()).strip()


def _patterns(rows: Sequence[WarrantyRow]) -> list[tuple[re.Pattern[str], str, SeriesWarranty]]:
    # Built per call: only a chained PWP question (purchase date, no end date) asks, and re caches the patterns.
    out = []
    for row in rows:
        for series in row.series:
            key = _key(series)
            # 「MSA 2050/2052」 is two models: either number names the row.
            words = ["(?:" + "|".join(map(re.escape, w.split("/"))) + ")" for w in key.split()]
            pattern = re.compile(r"(?<![a-z0-9])" + r"\s*".join(words) + r"(?![0-9])")
            out.append((pattern, key, SeriesWarranty(series, row.parts_years, row.onsite_years)))
    return out


def find_series_warranty(text: str, rows: Sequence[WarrantyRow]) -> SeriesWarranty | None:
    """The Q4 row of the model `text` names (normalised, lower case), or None."""
    patterns = _patterns(rows)
    hits = [(len(key), found) for pattern, key, found in patterns if pattern.search(text)]
    if hits:
        return max(hits, key=lambda h: h[0])[1]
    # A model without its generation: 「DL380」 matches 「DL380 Gen10」 when the years agree.
    model = re.search(r"(?<![a-z0-9])((?:dl|ml|bl|sy|xl)\d{2,3}[a-z]?)(?![0-9a-z])", text)
    if model is None:
        return None
    same = {
        (found.parts_years, found.onsite_years): found
        for _pattern, key, found in patterns
        if key.split()[0] == model.group(1)
    }
    return next(iter(same.values())) if len(same) == 1 else None
