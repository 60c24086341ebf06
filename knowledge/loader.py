"""Load and cross-check knowledge/data/*.yaml.

A broken file fails with a KnowledgeError naming the file, the entry and the
field, so a reviewer can fix the YAML without reading a pydantic traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.models import (
    Contact,
    FaqEntry,
    FirmwareOption,
    GlossaryTerm,
    IntentExamples,
    Provenance,
    Tables,
    Website,
)

DATA_DIR = Path(__file__).parent / "data"
HANDBOOK_REVISION = "Rev.20181101"
HANDBOOK_AS_OF = "2018年11月時点"

M = TypeVar("M", bound=BaseModel)
# libyaml's parser when PyYAML was built with it: several times faster at start-up.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KnowledgeError(ValueError):
    pass


@dataclass(frozen=True)
class Knowledge:
    faq: dict[str, FaqEntry]
    tables: Tables
    contacts: dict[str, Contact]
    websites: dict[str, Website]
    firmware: FirmwareOption
    glossary: list[GlossaryTerm]
    examples: dict[str, list[str]]
    # The calculators' interpretations and the bot's guidance sentences (provenance.yaml).
    provenance: Provenance = dataclass_field(default_factory=Provenance)

    def counts(self) -> dict[str, int]:
        return {
            "faq": len(self.faq),
            "contacts": len(self.contacts),
            "websites": len(self.websites),
            "glossary": len(self.glossary),
            "intents_with_examples": len(self.examples),
            "examples": sum(len(v) for v in self.examples.values()),
            "lineup_rows": len(self.tables.lineup),
            "warranty_rows": len(self.tables.standard_warranty),
            "interpretations": sum(len(item.interpretations) for item in self._interpreted())
            + len(self.provenance.interpretations),
        }

    def _interpreted(self) -> list:
        return [*self.faq.values(), self.tables, *self.contacts.values(), *self.websites.values(), self.firmware]


def _read(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)
    except FileNotFoundError:
        raise KnowledgeError(f"{path.name}: file is missing") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML: {exc}") from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(entry)"
        parts.append(f"field '{field}': {err['msg']}")
    return "; ".join(parts)


def _one(path: Path, model: type[M], raw: Any) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError(f"{path.name}: {_describe(exc)}") from None


def _many(path: Path, model: type[M], raw: Any, key: str = "id") -> list[M]:
    if not isinstance(raw, list):
        raise KnowledgeError(f"{path.name}: expected a list of entries at the top level")
    items = []
    for index, entry in enumerate(raw):
        name = entry.get(key, f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        try:
            items.append(model.model_validate(entry))
        except ValidationError as exc:
            raise KnowledgeError(f"{path.name}: entry '{name}': {_describe(exc)}") from None
    return items


def _unique(path: Path, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise KnowledgeError(f"{path.name}: entry '{i}' appears twice")
        seen.add(i)


def load_from(data_dir: Path) -> Knowledge:
    p = data_dir
    faq_list = _many(p / "faq.yaml", FaqEntry, _read(p / "faq.yaml"))
    _unique(p / "faq.yaml", [e.id for e in faq_list])
    missing = {f"Q{n}" for n in range(1, 24)} - {e.id for e in faq_list}
    if missing:
        raise KnowledgeError(f"faq.yaml: entries missing: {', '.join(sorted(missing, key=lambda q: int(q[1:])))}")
    faq = {e.id: e for e in sorted(faq_list, key=lambda e: e.number)}

    tables = _one(p / "tables.yaml", Tables, _read(p / "tables.yaml"))
    contacts_list = _many(p / "contacts.yaml", Contact, _read(p / "contacts.yaml"))
    _unique(p / "contacts.yaml", [c.id for c in contacts_list])
    contacts = {c.id: c for c in contacts_list}
    websites_list = _many(p / "websites.yaml", Website, _read(p / "websites.yaml"))
    _unique(p / "websites.yaml", [w.id for w in websites_list])
    firmware = _one(p / "firmware_option.yaml", FirmwareOption, _read(p / "firmware_option.yaml"))
    glossary = _many(p / "glossary.yaml", GlossaryTerm, _read(p / "glossary.yaml"), key="canonical")
    examples_list = _many(p / "examples.yaml", IntentExamples, _read(p / "examples.yaml"), key="intent")
    _unique(p / "examples.yaml", [e.intent for e in examples_list])
    provenance = _one(p / "provenance.yaml", Provenance, _read(p / "provenance.yaml"))

    _cross_check(faq, contacts, firmware, tables)
    return Knowledge(
        faq=faq,
        tables=tables,
        contacts=contacts,
        websites={w.id: w for w in websites_list},
        firmware=firmware,
        glossary=glossary,
        examples={e.intent: e.examples for e in examples_list},
        provenance=provenance,
    )


def _cross_check(
    faq: dict[str, FaqEntry], contacts: dict[str, Contact], firmware: FirmwareOption, tables: Tables
) -> None:
    for entry in faq.values():
        for ref in entry.see_also:
            if ref not in faq:
                raise KnowledgeError(f"faq.yaml: entry '{entry.id}': field 'see_also': unknown entry {ref!r}")
        for cid in entry.contacts:
            if cid not in contacts:
                raise KnowledgeError(f"faq.yaml: entry '{entry.id}': field 'contacts': unknown contact {cid!r}")
    for cid in firmware.contacts:
        if cid not in contacts:
            raise KnowledgeError(f"firmware_option.yaml: field 'contacts': unknown contact {cid!r}")
    for c in contacts.values():
        for field, named in (("hours.complement_of", c.hours.complement_of), ("after_hours_alternative", c.after_hours_alternative)):
            if named is not None and named not in contacts:
                raise KnowledgeError(f"contacts.yaml: entry '{c.id}': field '{field}': unknown contact {named!r}")
    for row in tables.registration_methods:
        if row.faq not in faq:
            raise KnowledgeError(f"tables.yaml: registration_methods '{row.method}': field 'faq': unknown entry {row.faq!r}")


@lru_cache(maxsize=1)
def load_knowledge() -> Knowledge:
    return load_from(DATA_DIR)
