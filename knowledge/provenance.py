"""The calculators' own sentences that are interpretations or guidance, by id.

The texts, with why and the seed lines each interpretation rests on, are in
knowledge/data/provenance.yaml; a calculator says one with
`interpretation("pwp-after-end", end=…)`, which fills the placeholders and adds
the mark (「※ハンドブックに明記はなく、本ボットの解釈です」). Guidance sentences
(how to ask the bot, a person takes over) state no rule and carry no mark.
"""

from __future__ import annotations

from functools import cache

from knowledge.models import Guidance, NamedInterpretation, with_mark


@cache
def _registry() -> tuple[dict[str, NamedInterpretation], dict[str, Guidance]]:
    from knowledge.loader import load_knowledge

    provenance = load_knowledge().provenance
    return {i.id: i for i in provenance.interpretations}, {g.id: g for g in provenance.guidance}


def interpretation(id: str, **values: object) -> str:
    """The interpretation `id` with its placeholders filled, marked as the bot's reading."""
    return with_mark(_registry()[0][id].text.format(**values))


def guidance(id: str, **values: object) -> str:
    """The guidance sentence `id` with its placeholders filled."""
    return _registry()[1][id].text.format(**values)
