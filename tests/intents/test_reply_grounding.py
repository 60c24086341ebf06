"""Every sentence of every reply about the handbook is the handbook's or marked as the bot's reading.

Renders each intent's answer and the table of calculator cases in
intents/inventory.py (PWP, start date, contact at several moments, firmware
deadline, installation window) and checks each sentence with
knowledge/grounding.py (see its docstring for the normalisation and the
thresholds). An offender is listed with the case and part of the reply it came
from; its source in the data is found by searching knowledge/data for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.inventory import answer_texts, rendered
from intents.router import Pipeline
from knowledge.grounding import Seeds, check, knowledge_texts, normalise
from knowledge.loader import load_knowledge
from knowledge.models import INTERPRETATION_MARK


@pytest.fixture(scope="module")
def seeds(seeds_path: Path) -> Seeds:
    return Seeds.load(seeds_path)


@pytest.fixture(scope="module")
def answers():
    return list(rendered(Pipeline.build()))


def _where_in_data(sentence: str) -> str:
    """The place in knowledge/data holding the sentence, or the calculator code."""
    key = normalise(sentence)
    for source, text in knowledge_texts(load_knowledge()):
        if key and key in normalise(text):
            return source
    return "calculator / reply template (knowledge/calculators, intents/calculations.py, intents/replies.py)"


def test_every_rendered_sentence_is_grounded_or_marked(seeds: Seeds, answers) -> None:
    texts = [text for name, answer in answers for text in answer_texts(name, answer)]
    report = check(texts, seeds, load_knowledge().provenance.guidance)
    offenders = [f"- {f.source} [{_where_in_data(f.sentence)}]: {f.sentence}" for f in report.unmarked]
    assert not offenders, "sentences neither in the seeds nor marked:\n" + "\n".join(offenders)
    assert report.counts["grounded"] > 600


def test_the_table_covers_every_intent_and_calculator(answers) -> None:
    names = [name for name, _ in answers]
    for intent in [f"Q{n}" for n in range(1, 24)] + ["websites", "fw-option", "contact"]:
        assert f"intent {intent}" in names
    for prefix in ("pwp:", "start-date:", "contact:", "fw-option:", "Q17:"):
        assert sum(name.startswith(prefix) for name in names) >= 3, prefix


def test_every_registered_interpretation_and_guidance_is_rendered_by_some_case(answers) -> None:
    """The case table reaches every calculator sentence that is not the handbook's."""
    provenance = load_knowledge().provenance
    # In the thread or in the whole view (「全文を見る」), where the assumptions behind a result live.
    shown = "\n".join(answer.lead + "\n" + answer.details + "\n" + answer.full_text() for _, answer in answers)
    key = normalise(shown)
    for item in [*provenance.interpretations, *provenance.guidance]:
        # The fixed words before the first placeholder are enough to find it.
        fixed = item.text.split("{")[0].rstrip("。")
        assert normalise(fixed) in key, f"no case shows {item.id}: {item.text}"


def test_the_mark_is_in_the_text_every_front_end_shows(answers) -> None:
    marked = [(name, answer) for name, answer in answers if INTERPRETATION_MARK in answer.lead]
    assert marked, "some lead carries an interpretation"
    for name, answer in marked:
        assert INTERPRETATION_MARK in answer.as_text(), name  # the CLI and `classify`
