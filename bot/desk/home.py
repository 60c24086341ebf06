"""App Home: the support staff's workbench, and the partners' guide.

Staff (bot/staff.py) see the open cases oldest first with their age,
today's numbers, and the most frequent questions of the last 7 days that the
bot did not settle, each with a button to teach it. Partners see what the bot
can do, the FAQ index (each button sends them that entry as a direct
message), the slash commands and their own cases still with the staff.

The tab is rebuilt from the store on every app_home_opened and after every
button pressed in it, with a one-line notice saying what the press did.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.desk import stats, teaching, texts
from bot.desk.answering import Answerer
from bot.desk.case_state import Case, TransitionError
from bot.desk.escalation import Escalations, StaffAction
from bot.desk.ports import DEAD, Json, SlackPort, WebApi
from bot.desk.sla import ServiceLevel, opened_at
from bot.runtime.clock import Clock
from bot.store import Store
from intents.router import answer_intent

MAX_UNANSWERED = 10
UNANSWERED_DAYS = 7


@dataclass(frozen=True)
class StaffHome:
    """What the staff's tab shows; the adapter draws it (bot/slack/home_view.py)."""

    now: datetime
    # The unresolved cases, oldest first, each with the moment it was (re)opened.
    cases: list[tuple[Case, datetime]]
    today: stats.Numbers
    unanswered: list[stats.Abstained]
    level: ServiceLevel
    notice: str | None


class HomeViews(Protocol):
    """App Home as Slack shows it (bot/slack/views.py)."""

    def staff_home(self, home: StaffHome) -> Json: ...

    def partner_home(self, cases: list[Case], notice: str | None) -> Json: ...


class Home:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        staff: Container[str],
        level: ServiceLevel,
        answerer: Answerer,
        escalations: Escalations,
        outbox: SlackPort,
        views: HomeViews,
    ) -> None:
        self.store = store
        self.clock = clock
        self.staff = staff
        self.level = level
        self.answerer = answerer
        self.escalations = escalations
        self.outbox = outbox
        self.views = views

    def view(self, user: str, notice: str | None = None) -> Json:
        now = self.clock.now()
        if user in self.staff:
            start, end = stats.period(now, 1)
            week_start, _ = stats.period(now, UNANSWERED_DAYS)
            found = stats.abstained(self.store, week_start, end, teaching.decided_keys(self.store))
            return self.views.staff_home(
                StaffHome(
                    now=now,
                    cases=[(c, opened_at(self.store, c)) for c in self.store.unresolved_cases()],
                    today=stats.numbers(self.store, start, end),
                    unanswered=[a for a in found if not a.decided][:MAX_UNANSWERED],
                    level=self.level,
                    notice=notice,
                )
            )
        mine = [c for c in self.store.unresolved_cases() if user in (c.asked_by, c.escalated_by)]
        return self.views.partner_home(mine, notice)

    def publish(self, client: WebApi, user: str, notice: str | None = None) -> None:
        self.outbox.call("views.publish (App Home)", client.views_publish, user_id=user, view=self.view(user, notice))

    def claim(self, *, case_id: int, user: str) -> list[int]:
        """「担当する」 in App Home: the case claimed as from its card; the writes to send.
        Raises TransitionError (Japanese message) to refuse."""
        case = self.store.case(case_id)
        if case is None:
            raise TransitionError(texts.INVALID_BUTTON)
        # The tab has no card to check the id against: being staff is what the claim needs.
        return self.escalations.act(
            case_id=case_id,
            user=user,
            action=StaffAction.claim,
            channel=case.staff_channel,
            message_ts=case.staff_ts,
            on_card=False,
        )

    def send_answer(self, client: WebApi, *, user: str, intent: str) -> str:
        """An FAQ index button: the entry as a direct message, which starts a thread the partner can
        follow up in. What to tell them in the tab."""
        try:
            answer = answer_intent(intent, self.clock.now())
        except KeyError:
            return texts.INVALID_BUTTON
        channel = self.outbox.open_dm(client, user)
        if channel is None:
            return texts.ANSWER_FAILED
        writes = self.answerer.answer_top_level(
            channel=channel, user=user, question=answer.title or intent, answer=answer, via="home"
        )
        return texts.ANSWER_FAILED if DEAD in self.outbox.send(writes).values() else texts.HOME_ANSWER_SENT
