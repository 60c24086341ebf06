"""The escalation workflow: store the case, show it to the staff, keep the
partner's thread informed.

Recording and delivering are separate steps. `record` and `act` store the
case and the Slack writes it needs (bot/outbox.py) in one transaction and
make no Slack call, so a listener can do them before acknowledging Slack: an
acknowledged escalation or staff action is never lost, even to SIGKILL. The
caller then sends the writes.

The staff card is rendered from the case when it is sent, so a card posted
late after an outage shows the case as it is by then. The thread is told
「担当者に引き継ぎました」 once the card is posted, not before: a card Slack
refused (a wrong FAQBOT_STAFF_CHANNEL) leaves the case stored, the escalator
told, and the next escalation of the thread posts the card.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.desk import case_state, texts
from bot.desk.case_state import Case, CaseStatus, Resolution, TransitionError, Via
from bot.desk.controls import escape, truncate
from bot.desk.ports import DEAD, PENDING, Json, Row, SlackPort, WebApi
from bot.desk.staff import Staff
from bot.runtime.clock import Clock
from bot.runtime.settings import Settings
from bot.store import Store

log = logging.getLogger("faqbot.escalation")

CARD = "card"


class Outcome(StrEnum):
    created = "created"  # a new case; the thread was told
    reopened = "reopened"  # the thread's resolved case is open again; the thread was told
    already = "already"  # the thread's case is still open or claimed: tell only the escalator
    no_staff_channel = "no_staff_channel"  # stored, but there is nowhere to show it
    card_failed = "card_failed"  # stored, but Slack refused the staff card: try again later
    card_delayed = "card_delayed"  # stored; Slack is unreachable, the outbox will post the card


@dataclass(frozen=True)
class Escalation:
    case: Case
    outcome: Outcome
    # Outbox writes to send, the staff card's first.
    writes: tuple[int, ...] = ()


class CardViews(Protocol):
    """A case's staff card as Slack shows it (bot/slack/views.py)."""

    def staff_card(self, case: Case) -> list[Json]: ...

    def staff_card_fallback(self, case: Case) -> str: ...


@dataclass(frozen=True)
class ModalTarget:
    """The thread an escalation modal was opened on, as stored when it opened."""

    channel: str
    thread_ts: str
    text: str
    author: str | None


class StaffAction(StrEnum):
    claim = "claim"
    resolve = "resolve"
    bot_correct = "bot_correct"


class Escalations:
    def __init__(
        self, settings: Settings, store: Store, clock: Clock, outbox: SlackPort, staff: Staff, views: CardViews
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.outbox = outbox
        self.staff = staff
        self.views = views
        outbox.register(CARD, self._send_card)

    def record(
        self,
        *,
        channel: str,
        thread_ts: str,
        by: str,
        via: Via,
        note: str = "",
        question: str = "",
        asked_by: str | None = None,
        settles: str | None = None,
    ) -> Escalation:
        """Store an escalation of a thread and queue its card. `question` / `asked_by` are used
        when the bot never answered in it; `settles` is the journal entry this completes."""
        now = self.clock.now()
        state = self.store.thread(channel, thread_ts)
        with self.store.transaction():
            if settles:
                self.store.settle(settles)
            case, created = self.store.open_case(
                channel=channel,
                thread_ts=thread_ts,
                escalated_by=by,
                via=via,
                asked_by=(state.asked_by if state else None) or asked_by,
                question=(state.question if state else "") or question,
                answer=state.last_answer if state else None,
                note=note,
                at=now,
            )
            if created:
                event_id = self.store.add_case_event(case.id, by, "escalated", now, via)
                outcome = Outcome.created
            else:
                was_resolved = case.status is CaseStatus.resolved
                case = self.store.change_case(case.id, lambda c: case_state.escalate_again(c, by, now)) or case
                action = "reopened" if was_resolved else "escalated_again"
                event_id = self.store.add_case_event(case.id, by, action, now, via)
                outcome = Outcome.reopened if was_resolved else Outcome.already
            if not self.settings.staff_channel:
                log.error("case #%s stored but FAQBOT_STAFF_CHANNEL is not set: no staff card posted", case.id)
                return Escalation(case, Outcome.no_staff_channel)
            writes = [self._card(case, event_id)]
            if outcome is Outcome.reopened:
                writes.append(self._notice(case, event_id, texts.REOPENED))
                # Updating the old card notifies nobody: the staff channel hears of it as of a new case.
                writes.append(
                    self.outbox.add_message(
                        key=f"reopened:{case.id}:{event_id}",
                        channel=self.settings.staff_channel,
                        thread_ts=None,
                        text=texts.case_reopened(
                            case.id, by, escape(truncate(case.question or "（本文なし）", 200)), case.permalink
                        ),
                    )
                )
        return Escalation(case, outcome, tuple(writes))

    def deliver(self, escalation: Escalation) -> Outcome:
        """Send what `record` queued; what the escalator still needs to be told."""
        if not escalation.writes:
            return escalation.outcome
        card = self.outbox.send(escalation.writes)[escalation.writes[0]]
        if card == DEAD:
            return Outcome.card_failed
        if card == PENDING:
            return Outcome.card_delayed
        if escalation.outcome is Outcome.already and escalation.case.staff_ts is None:
            # The repair path: the card failed before and is posted now, and the thread was told.
            return Outcome.created
        return escalation.outcome

    def act(
        self,
        *,
        case_id: int,
        user: str,
        action: StaffAction,
        channel: str | None,
        message_ts: str | None,
        on_card: bool = True,
    ) -> list[int]:
        """A staff member's button on the card at (channel, message_ts), or in App Home (`on_card`
        False: being staff is what it takes there): the case changed and the writes to send.
        Raises TransitionError (Japanese message) to refuse."""
        case_state.require_staff(user, self.staff)
        now = self.clock.now()
        before = self.store.case(case_id)
        # Checked against the card the button was pressed on: a forged id cannot reach another case,
        # nor a press that names no card a case whose card is not posted yet.
        pressed = (channel, message_ts)
        if before is None or (on_card and (None in pressed or (before.staff_channel, before.staff_ts) != pressed)):
            raise TransitionError(texts.INVALID_BUTTON)

        def change(case: Case) -> Case:
            if action is StaffAction.claim:
                return case_state.claim(case, user, now)
            resolution = Resolution.bot_correct if action is StaffAction.bot_correct else Resolution.staff
            return case_state.resolve(case, user, now, resolution)

        with self.store.transaction():
            case = self.store.change_case(case_id, change)
            assert case is not None
            event_id = self.store.add_case_event(case.id, user, action.value, now)
            if action is StaffAction.claim:
                reassigned = before.status is CaseStatus.claimed
                notice = texts.reassigned(user) if reassigned else texts.claimed(user)
            elif action is StaffAction.bot_correct:
                notice = texts.bot_answer_confirmed(user)
            else:
                notice = texts.resolved(user)
            return [self._card(case, event_id), self._notice(case, event_id, notice)]

    def remember_modal(
        self, view_id: str, *, user: str, channel: str, thread_ts: str, text: str, author: str | None
    ) -> None:
        """The message shortcut's modal is open: what its submission will escalate, kept here."""
        self.store.save_escalation_modal(
            view_id, user=user, channel=channel, thread_ts=thread_ts, text=text, author=author, at=self.clock.now()
        )

    def modal_target(self, view_id: object, user: str) -> ModalTarget:
        """What a submitted modal escalates: the thread `user` opened it on. Raises TransitionError
        (Japanese message) for a non-staff submitter or a modal this bot did not open for them."""
        case_state.require_staff(user, self.staff)
        found = self.store.take_escalation_modal(view_id, user) if isinstance(view_id, str) else None
        if found is None:
            raise TransitionError(texts.INVALID_BUTTON)
        return ModalTarget(found["channel"], found["thread_ts"], found["text"] or "", found["author"])

    def tell_escalator(self, client: WebApi, case: Case, outcome: Outcome, *, channel: str, user: str) -> None:
        """What the thread notice does not already say, told to the escalator alone."""
        message = {
            Outcome.already: texts.ALREADY_HANDED_OVER,
            Outcome.no_staff_channel: texts.STAFF_NOT_CONFIGURED,
            Outcome.card_failed: texts.HANDOVER_FAILED,
            Outcome.card_delayed: texts.HANDOVER_DELAYED,
        }.get(outcome)
        if message:
            self.outbox.call(
                "chat.postEphemeral (escalation)",
                client.chat_postEphemeral,
                channel=channel,
                user=user,
                thread_ts=case.thread_ts,
                text=message,
            )

    def locate(self, client: WebApi, channel: str, ts: str) -> tuple[str, str, str | None]:
        """The thread root of any message, with the root's text and author when Slack tells them.

        The store knows the threads the bot took part in; for any other message
        conversations.replies returns the thread's parent first.
        """
        known = self.store.thread_of_message(channel, ts)
        if known:
            return known, "", None
        root = self._root_message(client, channel, ts)
        if root is None:
            return ts, "", None
        return root.get("thread_ts") or root.get("ts") or ts, root.get("text") or "", root.get("user")

    def _root_message(self, client: WebApi, channel: str, ts: str) -> dict | None:
        """The thread's parent of the message at `ts`, or None when Slack could not say."""
        replies = self.outbox.call(
            "conversations.replies", client.conversations_replies, channel=channel, ts=ts, limit=1
        )
        messages = replies.get("messages") if replies is not None else None
        return messages[0] if messages else None

    def _with_question(self, outbox: SlackPort, case: Case) -> Case:
        """A case escalated while Slack could not say what its thread asked (a reaction during an
        outage) gets its question whenever its card is drawn, until Slack answers."""
        if case.question:
            return case
        root = self._root_message(outbox.client, case.channel, case.thread_ts)
        if root is None or not root.get("text"):
            return case
        update = {"question": root["text"], "asked_by": case.asked_by or root.get("user")}
        return self.store.change_case(case.id, lambda c: c.model_copy(update=update)) or case

    # --- outbox writes ------------------------------------------------------------------------

    def _card(self, case: Case, event_id: int) -> int:
        """Make the card show the case: posted the first time, updated in place after."""
        return self.outbox.add(
            key=f"card:{case.id}:{event_id}",
            lane=_card_lane(case.id),
            kind=CARD,
            payload={"case_id": case.id, "channel": self.settings.staff_channel},
        )

    def _notice(self, case: Case, event: int | str, text: str) -> int:
        return self.outbox.add_message(
            key=f"notice:{case.id}:{event}", channel=case.channel, thread_ts=case.thread_ts, text=text
        )

    def _send_card(self, outbox: SlackPort, row: Row) -> str:
        case = self.store.case(row.payload["case_id"])
        if case is None:
            raise LookupError(f"case #{row.payload['case_id']} is gone")
        case = self._with_question(outbox, case)
        if not case.staff_ts and (posted := self.store.outbox_last_posted(_card_lane(case.id))):
            # Posted before, but where was not recorded (the store failed right after): that card it is.
            where = {"staff_channel": row.payload["channel"], "staff_ts": posted}
            case = self.store.change_case(case.id, lambda c: c.model_copy(update=where)) or case
        if case.staff_ts and case.staff_channel:
            outbox.client.chat_update(
                channel=case.staff_channel,
                ts=case.staff_ts,
                blocks=self.views.staff_card(case),
                text=self.views.staff_card_fallback(case),
            )
            return case.staff_ts
        if case.permalink is None:
            link = outbox.call(
                "chat.getPermalink", outbox.client.chat_getPermalink, channel=case.channel, message_ts=case.thread_ts
            )
            if link is not None:
                update = {"permalink": link["permalink"]}
                case = self.store.change_case(case.id, lambda c: c.model_copy(update=update)) or case
        channel = row.payload["channel"]
        ts = outbox.post(
            row, channel=channel, blocks=self.views.staff_card(case), text=self.views.staff_card_fallback(case)
        )
        try:
            with self.store.transaction():
                self.store.change_case(
                    case.id, lambda c: c.model_copy(update={"staff_channel": channel, "staff_ts": ts})
                )
                notice = self._notice(case, "handed_over", texts.HANDED_OVER)
        except Exception:
            # Slack has the card: a failure to record where must not mark it undelivered (dead).
            # The outbox records its ts as sent, and the next write of this card finds it there.
            log.exception("staff card of case #%s posted (ts %s) but not recorded", case.id, ts)
            return ts
        outbox.send([notice])
        return ts


def _card_lane(case_id: int) -> str:
    """The outbox lane of a case's staff card: its post and every update, in order."""
    return f"card:{case_id}"
