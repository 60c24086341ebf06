"""The domain object every front end renders: Slack Block Kit, the CLI, evaluation."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from knowledge.models import Link
from knowledge.passages import Passage

# answer        a confident FAQ / websites / fw-option answer
# calculation   a calculator ran on inputs found in the question
# did_you_mean  the top candidates were close or confidence middling: offer them
# out_of_scope  below the threshold: say so plainly and offer a human
# smalltalk     greetings, thanks, "what can you do"
Kind = Literal["answer", "calculation", "did_you_mean", "out_of_scope", "smalltalk"]


class Candidate(BaseModel):
    model_config = ConfigDict(frozen=True)

    intent: str
    score: float
    title: str


class Answer(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Kind
    # The chosen intent id, or None when the bot abstains (out_of_scope, did_you_mean).
    intent: str | None
    confidence: float
    title: str
    # The direct answer, first thing a partner reads.
    lead: str
    # Details under the lead, plain text with Slack-compatible bullets.
    details: str = ""
    # "Q23 / ハンドブック P18 / Rev.20181101（2018年11月時点）"
    source: str | None = None
    links: list[Link] = []
    # Ranked candidates (best first, the chosen one included).
    alternatives: list[Candidate] = []
    # Which calculator ran, with its inputs and result (model_dump of the pydantic result).
    calculator: (
        Literal["pwp", "start-date", "contact", "firmware-deadline", "installation-window", "registration-deadline"]
        | None
    ) = None
    calculation: dict[str, Any] | None = None
    # Whether escalation to a human should be offered prominently.
    offer_human: bool = False
    # The handbook passages the lead and details quote (evaluation, the staff card).
    passages: list[Passage] = []
    # The whole entry as (heading, text) sections, for a 「全文を見る」 view; empty when
    # the reply is all there is (calculations, notices). A heading may be "".
    sections: list[tuple[str, str]] = []

    def as_text(self) -> str:
        """Plain text of the reply as the first Slack message shows it: lead, details, links, source."""
        parts = [self.lead]
        if self.details:
            parts.append(self.details)
        if self.links:
            parts.append("\n".join(f"・{link.title}: {link.url}" for link in self.links))
        if self.source:
            parts.append(f"出典: {self.source}")
        return "\n\n".join(parts)

    def full_text(self) -> str:
        """The whole of it (`faqbot ask --full`): an entry's title and every section, or a calculation
        with its assumptions and rule; then the source. The reply itself when there is no more."""
        if not self.sections:
            return self.as_text()
        title = [self.title] if self.kind == "answer" else []
        parts = [*title, *(f"【{heading}】\n{text}" if heading else text for heading, text in self.sections)]
        if self.source:
            parts.append(f"出典: {self.source}")
        return "\n\n".join(parts)


class RouteContext(BaseModel):
    """What a thread remembers between turns, so a follow-up can be answered.

    `last` is the previous answer in the thread; a follow-up like 「2年なら？」
    recomputes its calculation with the changed input.
    """

    model_config = ConfigDict(frozen=True)

    last: Answer | None = None
