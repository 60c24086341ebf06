"""Passages: every entry as citable pieces, tables the single source of their rows."""

from __future__ import annotations

import pytest

from knowledge.loader import load_knowledge
from knowledge.passages import FIRMWARE_SEED, HANDBOOK_SEED, build_passages, sections


@pytest.fixture(scope="module")
def passages():
    return build_passages(load_knowledge())


def test_every_answerable_entry_has_passages(passages):
    knowledge = load_knowledge()
    assert set(passages) == {*knowledge.faq, "contact", "websites", "fw-option"}
    for intent, items in passages.items():
        assert items, intent
        assert len({p.id for p in items}) == len(items)
        assert all(p.entry == intent for p in items)


def test_passages_know_their_page_and_seed(passages):
    assert all(p.page == 5 and p.seed == HANDBOOK_SEED for p in passages["Q4"])
    assert all(p.seed == FIRMWARE_SEED and p.page is None for p in passages["fw-option"])
    quick = next(p for p in passages["contact"] if p.ref == "contacts/quick-rescue")
    assert quick.page == 20 and "0120-802-075" in quick.text and "9:00~17:00" in quick.text
    assert next(p for p in passages["contact"] if p.ref == "contacts/advanced-solution-center").seed == FIRMWARE_SEED


def test_table_rows_are_passages_and_the_body_does_not_restate_them(passages):
    knowledge = load_knowledge()
    rows = [p for p in passages["Q4"] if p.ref.startswith("standard_warranty/")]
    assert len(rows) == len(knowledge.tables.standard_warranty)
    assert any("StoreVirtual 4000" in p.text and p.text.startswith("・3年／3年") for p in rows)
    for entry, table in (
        ("Q1", knowledge.tables.lineup),
        ("Q3", knowledge.tables.care_comparison),
        ("Q11", knowledge.tables.registration_methods),
        ("Q23", knowledge.tables.pwp_states),
    ):
        assert sum(p.kind == "row" for p in passages[entry]) == len(table)
    # A row's words are in the entry once: in its row passage, not again in the body.
    assert "StoreVirtual" not in knowledge.faq["Q4"].body
    assert "コラボティブコールマネジメント" not in knowledge.faq["Q3"].body
    assert "延長1,2年" not in knowledge.faq["Q1"].body
    assert "こんな方へ" not in knowledge.faq["Q11"].body and "仮設定" not in knowledge.faq["Q23"].body


def test_a_url_is_a_passage_once_per_entry(passages):
    for intent, items in passages.items():
        urls = [u for p in items if p.kind != "summary" for u in p.text.split() if u.startswith("http")]
        assert len(urls) == len(set(urls)), intent


def test_sections_give_the_whole_entry_back(passages):
    q8 = sections(passages["Q8"])
    headings = [h for h, _ in q8]
    assert headings[0] == "回答" and "ご注意" in headings
    text = "\n".join(t for _, t in q8)
    assert "佐渡島" in text and "supportservices-areamap-nw" in text
