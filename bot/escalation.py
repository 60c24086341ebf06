"""The escalation workflow: store the case, show it to the staff, keep the
partner's thread informed.

Order matters: the case is stored before anything is posted, so a failed
Slack call never loses an escalation; a case whose card could not be posted
gets its card on the next escalation of the thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from slack_sdk import WebClient

from bot import case_state, texts
from bot.blocks import staff_card_blocks, staff_card_fallback
from bot.case_state import Case, CaseStatus, Resolution, TransitionError, Via
from bot.clock import Clock
from bot.settings import Settings
from bot.slack_api import try_call
from bot.store import Store

log = logging.getLogger("faqbot.escalation")


class Outcome(StrEnum):
    created = "created"  # a new case; the thread was told
    reopened = "reopened"  # the thread's resolved case is open again; the thread was told
    already = "already"  # the thread's case is still open or claimed: tell only the escalator
    no_staff_channel = "no_staff_channel"  # stored, but there is nowhere to show it
    card_failed = "card_failed"  # stored, but the staff card could not be posted: try again later


@dataclass(frozen=True)
class Escalation:
    case: Case
    outcome: Outcome


class StaffAction(StrEnum):
    claim = "claim"
    resolve = "resolve"
    bot_correct = "bot_correct"


class Escalations:
    def __init__(self, settings: Settings, store: Store, clock: Clock) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock

    def escalate(
        self,
        client: WebClient,
        *,
        channel: str,
        thread_ts: str,
        by: str,
        via: Via,
        note: str = "",
        question: str = "",
        asked_by: str | None = None,
    ) -> Escalation:
        """Escalate a thread. `question` / `asked_by` are used when the bot never answered in it."""
        now = self.clock.now()
        state = self.store.thread(channel, thread_ts)
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
            self.store.add_case_event(case.id, by, "escalated", now, via)
            outcome = Outcome.created
        else:
            was_resolved = case.status is CaseStatus.resolved
            case = self.store.change_case(case.id, lambda c: case_state.escalate_again(c, by, now)) or case
            self.store.add_case_event(
                case.id, by, "reopened" if was_resolved else "escalated_again", now, via
            )
            outcome = Outcome.reopened if was_resolved else Outcome.already

        if not self.settings.staff_channel:
            log.error("case #%s stored but FAQBOT_STAFF_CHANNEL is not set: no staff card posted", case.id)
            return Escalation(case, Outcome.no_staff_channel)

        if case.permalink is None:
            link = try_call(
                "chat.getPermalink", client.chat_getPermalink, channel=channel, message_ts=thread_ts
            )
            if link is not None:
                case = (
                    self.store.change_case(
                        case.id, lambda c: c.model_copy(update={"permalink": link["permalink"]})
                    )
                    or case
                )
        had_card = case.staff_ts is not None
        case = self._show_card(client, case)
        if case.staff_ts is None:
            return Escalation(case, Outcome.card_failed)
        if outcome is Outcome.reopened:
            self._tell_thread(client, case, texts.REOPENED)
        elif not had_card:
            # Also the repair path: an earlier escalation stored the case but its card failed.
            self._tell_thread(client, case, texts.HANDED_OVER)
            outcome = Outcome.created
        return Escalation(case, outcome)

    def act(self, client: WebClient, *, case_id: int, user: str, action: StaffAction) -> Case:
        """A staff member's button on the card. Raises TransitionError (Japanese message) to refuse."""
        case_state.require_staff(user, self.settings.staff_users)
        now = self.clock.now()
        before = self.store.case(case_id)
        if before is None:
            raise TransitionError(f"エスカレーション #{case_id} が見つかりません。")

        def change(case: Case) -> Case:
            if action is StaffAction.claim:
                return case_state.claim(case, user, now)
            resolution = Resolution.bot_correct if action is StaffAction.bot_correct else Resolution.staff
            return case_state.resolve(case, user, now, resolution)

        case = self.store.change_case(case_id, change)
        assert case is not None
        self.store.add_case_event(case.id, user, action.value, now)
        case = self._show_card(client, case)
        if action is StaffAction.claim:
            reassigned = before.status is CaseStatus.claimed
            self._tell_thread(client, case, texts.reassigned(user) if reassigned else texts.claimed(user))
        elif action is StaffAction.bot_correct:
            self._tell_thread(client, case, texts.bot_answer_confirmed(user))
        else:
            self._tell_thread(client, case, texts.resolved(user))
        return case

    def tell_escalator(self, client: WebClient, escalation: Escalation, *, channel: str, user: str) -> None:
        """What the thread notice does not already say, told to the escalator alone."""
        message = {
            Outcome.already: texts.ALREADY_HANDED_OVER,
            Outcome.no_staff_channel: texts.STAFF_NOT_CONFIGURED,
            Outcome.card_failed: texts.HANDOVER_FAILED,
        }.get(escalation.outcome)
        if message:
            try_call(
                "chat.postEphemeral (escalation)",
                client.chat_postEphemeral,
                channel=channel,
                user=user,
                thread_ts=escalation.case.thread_ts,
                text=message,
            )

    def locate(self, client: WebClient, channel: str, ts: str) -> tuple[str, str, str | None]:
        """The thread root of any message, with the root's text and author when Slack tells them.

        The store knows the threads the bot took part in; for any other message
        conversations.replies returns the thread's parent first.
        """
        known = self.store.thread_of_message(channel, ts)
        if known:
            return known, "", None
        replies = try_call(
            "conversations.replies", client.conversations_replies, channel=channel, ts=ts, limit=1
        )
        messages = replies.get("messages") if replies is not None else None
        if not messages:
            return ts, "", None
        root = messages[0]
        return root.get("thread_ts") or root.get("ts") or ts, root.get("text") or "", root.get("user")

    def _show_card(self, client: WebClient, case: Case) -> Case:
        """Post the staff card, or update it in place once it exists."""
        blocks = staff_card_blocks(case)
        text = staff_card_fallback(case)
        if case.staff_ts and case.staff_channel:
            try_call(
                f"chat.update (case #{case.id})",
                client.chat_update,
                channel=case.staff_channel,
                ts=case.staff_ts,
                blocks=blocks,
                text=text,
            )
            return case
        channel = self.settings.staff_channel
        posted = try_call(
            f"chat.postMessage (case #{case.id} card)",
            client.chat_postMessage,
            channel=channel,
            blocks=blocks,
            text=text,
        )
        if posted is None:
            return case
        update = {"staff_channel": posted.get("channel") or channel, "staff_ts": posted["ts"]}
        return self.store.change_case(case.id, lambda c: c.model_copy(update=update)) or case

    def _tell_thread(self, client: WebClient, case: Case, text: str) -> None:
        try_call(
            f"chat.postMessage (case #{case.id} notice)",
            client.chat_postMessage,
            channel=case.channel,
            thread_ts=case.thread_ts,
            text=text,
        )
