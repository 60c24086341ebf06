"""Slack events the bot acts on, journalled before Slack is acknowledged.

Slack stops resending an event once it has its acknowledgement, so an event
acknowledged and then lost to a crash would be lost for good. The intake
middleware (bot/listeners/events.py) therefore decides, before the ack,
whether an event is for the bot at all, and journals the ones that are under
a dedupe key in the store (`seen`):

- questions: a mention, a direct message, or a reply in a thread the bot
  answered that no staff member holds. Key `message:<channel>:<ts>`, so
  Slack's retries and the app_mention / message pair of one message meet.
- escalations by reaction (the escalation emoji). Key `event:<event_id>`.

Nothing else is stored: messages not addressed to the bot never reach the
database. A delivery whose key is already journalled is acknowledged and
dropped: the original is being handled in this process, or was, or (after a
crash) is replayed at the next start. The job runs in a listener thread and
settles its entry in the transaction that stores its effect (the answer in
the outbox, the case), so a replay after a crash does it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeGuard

from bot.desk.answering import Answerer, mentions, message_key
from bot.desk.case_state import CaseStatus
from bot.desk.escalation import Escalations
from bot.desk.ports import SlackPort, WebApi
from bot.desk.staff import Staff
from bot.runtime.clock import Clock
from bot.runtime.settings import Settings
from bot.store import Store

log = logging.getLogger("faqbot.intake")

# Message subtypes that are still a person's new message; every other subtype
# (message_changed, message_deleted, bot_message, channel_join …) is not a question.
QUESTION_SUBTYPES = {None, "thread_broadcast", "file_share"}
# A job that was running when the process died is replayed at most this often:
# an event that kills the process must not do so at every start.
MAX_REPLAYS = 3

Job = dict[str, Any]
# A journalled job never finished: (key, job, times replayed).
Unfinished = tuple[str, Job, int]


class Intake:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        clock: Clock,
        staff: Staff,
        outbox: SlackPort,
        answerer: Answerer,
        escalations: Escalations,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.staff = staff
        self.outbox = outbox
        self.answerer = answerer
        self.escalations = escalations

    def job_for(self, body: dict[str, Any], bot_user_id: str | None) -> tuple[str, Job] | None:
        """(journal key, job) for an event the bot acts on; None for every other event."""
        event = body.get("event")
        if not isinstance(event, dict):
            return None
        kind = event.get("type")
        if kind in ("app_mention", "message"):
            return self._question(event, bot_user_id)
        if kind == "reaction_added":
            return self._reaction(event, body.get("event_id"), bot_user_id)
        return None

    def receive(self, key: str, job: Job) -> bool:
        """Journal a job; False when its key was journalled before (a duplicate delivery)."""
        return self.store.claim(key, self.clock.now(), job)

    def run(self, key: str, job: Job, client: WebApi) -> None:
        if job["kind"] == "question":
            writes = self.answerer.answer_message(
                channel=job["channel"],
                ts=job["ts"],
                thread_ts=job["thread_ts"],
                user=job["user"],
                text=job["text"],
                via=job["via"],
                bot_user_id=job["bot_user_id"],
                settles=key,
            )
            self.outbox.send(writes)
        elif job["kind"] == "reaction":
            channel, user = job["channel"], job["user"]
            root, text, author = self.escalations.locate(client, channel, job["ts"])
            escalation = self.escalations.record(
                channel=channel, thread_ts=root, by=user, via="reaction", question=text, asked_by=author, settles=key
            )
            outcome = self.escalations.deliver(escalation)
            self.escalations.tell_escalator(client, escalation.case, outcome, channel=channel, user=user)
        else:
            raise ValueError(f"unknown job kind {job['kind']!r}")

    def replay(self, client: WebApi, unfinished: list[Unfinished], stopping: Callable[[], bool]) -> int:
        """After a start: run the jobs the last process acknowledged but never finished (taken from
        the store before this process served), one after the other until done or `stopping`."""
        replayed = 0
        for key, job, replays in unfinished:
            if stopping():
                break
            if replays >= MAX_REPLAYS:
                log.error("%s failed %d times: dropped", key, replays)
                self.store.settle(key)
                continue
            self.store.count_replay(key)
            log.warning("%s was acknowledged but not finished before the last stop: running it again", key)
            try:
                self.run(key, job, client)
            except Exception:
                log.exception("replaying %s failed", key)
            replayed += 1
        return replayed

    # --- which events are for the bot ------------------------------------------------------

    def _question(self, event: dict[str, Any], bot_user_id: str | None) -> tuple[str, Job] | None:
        channel, ts, user = event.get("channel"), event.get("ts"), event.get("user")
        text = event.get("text") or ""
        if not (_id(channel) and _id(ts) and _id(user) and isinstance(text, str)) or not _from_a_person(
            event, bot_user_id
        ):
            return None
        thread_ts = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else None
        via = self._via(event, channel, ts, thread_ts, user, text, bot_user_id)
        if via is None:
            return None
        job = {
            "kind": "question",
            "channel": channel,
            "ts": ts,
            "thread_ts": thread_ts,
            "user": user,
            "text": text,
            "via": via,
            "bot_user_id": bot_user_id,
        }
        return message_key(channel, ts), job

    def _via(
        self,
        event: dict[str, Any],
        channel: str,
        ts: str,
        thread_ts: str | None,
        user: str,
        text: str,
        bot_user_id: str | None,
    ) -> str | None:
        if event.get("type") == "app_mention":
            return "mention"
        if event.get("subtype") not in QUESTION_SUBTYPES:
            return None
        if event.get("channel_type") == "im":
            return "dm"
        if mentions(text, bot_user_id):
            # The same message's app_mention event carries the same key: one of them answers.
            return "mention"
        if thread_ts and thread_ts != ts and self._follows_up(channel, thread_ts, user):
            return "thread"
        return None

    def _follows_up(self, channel: str, thread_ts: str, user: str) -> bool:
        """An unmentioned reply is for the bot only in a thread it answered that no staff member has taken."""
        if user in self.staff or self.store.thread(channel, thread_ts) is None:
            return False
        case = self.store.case_for_thread(channel, thread_ts)
        return case is None or case.status is CaseStatus.resolved

    def _reaction(self, event: dict[str, Any], event_id: Any, bot_user_id: str | None) -> tuple[str, Job] | None:
        item = event.get("item")
        user = event.get("user")
        if event.get("reaction") != self.settings.escalation_emoji or not isinstance(item, dict):
            return None
        channel, ts = item.get("channel"), item.get("ts")
        if item.get("type") != "message" or not (_id(channel) and _id(ts) and _id(user)) or user == bot_user_id:
            return None
        # Without an event_id (never from Slack) one reaction by one user is one escalation.
        key = f"event:{event_id}" if isinstance(event_id, str) and event_id else f"reaction:{channel}:{ts}:{user}"
        return key, {"kind": "reaction", "channel": channel, "ts": ts, "user": user}


def _id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value)


def _from_a_person(event: dict[str, Any], bot_user_id: str | None) -> bool:
    return not event.get("bot_id") and event.get("user") != bot_user_id and "edited" not in event
