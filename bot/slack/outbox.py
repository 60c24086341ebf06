"""The outbox: Slack writes that must be neither lost nor doubled.

Every write that matters (answers, staff cards and their updates, thread
notices) is a row in the store before it is sent and is marked sent once
Slack accepted it. The listener that caused it tries at once; a write that
fails for a reason that can pass (5xx, timeouts, Slack unreachable, a 429
the client's own retries could not wait out) stays pending and the worker
thread tries again with backoff, also after a restart. Writes in one lane
(one thread, one staff card) go out in the order they were recorded.

Resending safely: chat.postMessage has no idempotency key, so every message
posted here carries message metadata naming its row's key
(`event_type: faqbot_outbox`, `event_payload: {"key": ...}`). When an attempt
failed in a way Slack may have acted on (a 5xx, a timeout or reset while
waiting for the answer, a restart in the middle of a send), the next attempt
first reads the conversation back (conversations.replies in a thread,
conversations.history otherwise, with include_all_metadata) and takes a
message carrying the key as the one sent. chat.update is idempotent and is
simply repeated.

A look proves nothing while the call may still be running at Slack: after a
timeout, a dropped connection or a gateway timeout (and after a restart, for
writes the dead process was sending) Slack may post the message seconds
later. Such a write is looked for only once SETTLE_SECONDS have passed since
the attempt began, so a message posted late is found, not posted again.

Rows are of a kind. "message" is built in: chat.postMessage with the
recorded arguments (posted as plain text if Slack refuses the blocks), then
the named after-hook (bot/answering.py records a reply). Other kinds bring
their own sender (bot/escalation.py: the staff card, rendered from the case
when sent). A sender or hook may run twice for one write (after a restart),
so what it records must be idempotent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.desk.ports import DEAD, PENDING, SENT, Row, SlackPort, WebApi
from bot.runtime import logs
from bot.slack import direct_messages
from bot.slack.web_api import WEB_API_TIMEOUT_SECONDS, classify, describe, try_call
from bot.store import Store

log = logging.getLogger("faqbot.outbox")

MARKER_EVENT = "faqbot_outbox"
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0
# A write still failing after a day is given up (and logged): an answer that late helps nobody.
GIVE_UP_SECONDS = 24 * 3600.0
# Idle wake-up of the worker; writes left pending and freed lanes wake it sooner.
IDLE_SECONDS = 5.0
BATCH = 100
# How far back to look for a write that may have been posted: Slack's ts and our
# clock can differ a little, and Slack may post late under load.
LOOKBACK_SLACK_SECONDS = 120.0
LOOKUP_PAGES = 5
# How long Slack may still act on a call whose answer never came, counted from when it was sent:
# twice the client's timeout (bot/slack/web_api.py), so well after the client gave up.
SETTLE_SECONDS = 2.0 * WEB_API_TIMEOUT_SECONDS
MESSAGE = "message"
# Slack's refusals of a message's blocks (rather than of the message): plain text may pass.
BLOCK_ERRORS = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long", "msg_too_long"})


def settle_seconds(setting: str | None) -> float:
    """FAQBOT_SLACK_SETTLE_SECONDS (default SETTLE_SECONDS); ValueError unless a positive number."""
    if setting is None:
        return SETTLE_SECONDS
    seconds = float(setting)
    if not 0 < seconds < float("inf"):
        raise ValueError(setting)
    return seconds


# A kind's sender: does the Slack call(s), returns the ts of the message written.
Sender = Callable[[SlackPort, Row], str]
# After-hook of a message: (the data recorded with it, the posted message's ts).
AfterHook = Callable[[dict[str, Any], str], None]


def lane_of(channel: str, thread_ts: str | None, key: str) -> str:
    """Messages in one thread keep their order; a top-level message needs no company."""
    return f"thread:{channel}:{thread_ts}" if thread_ts else f"post:{key}"


class Outbox:
    def __init__(self, store: Store, client: WebClient) -> None:
        self.store = store
        self.client = client
        # The retry schedule, in seconds (tests shorten it).
        self.first_retry = FIRST_RETRY_SECONDS
        self.max_retry = MAX_RETRY_SECONDS
        self.give_up = GIVE_UP_SECONDS
        self.settle = SETTLE_SECONDS
        # Real time, not the bot's Clock: FAQBOT_NOW must not freeze the retries.
        self._now = time.time
        self._senders: dict[str, Sender] = {MESSAGE: _send_message}
        self._after: dict[str, AfterHook] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, kind: str, sender: Sender) -> None:
        self._senders[kind] = sender

    def on_sent(self, name: str, hook: AfterHook) -> None:
        self._after[name] = hook

    # --- recording and sending ------------------------------------------------------------

    def add(self, *, key: str, lane: str, kind: str, payload: dict[str, Any]) -> int:
        """Record a write (inside the caller's transaction, if any); the same key is the same write."""
        return self.store.outbox_add(
            key=key, lane=lane, kind=kind, payload=payload, at=self._now(), request_id=logs.REQUEST_ID.get()
        )

    def add_message(
        self,
        *,
        key: str,
        channel: str,
        thread_ts: str | None,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        fallback: str | None = None,
        after: tuple[str, dict[str, Any]] | None = None,
    ) -> int:
        """A chat.postMessage write. `fallback`: plain text if Slack refuses the blocks;
        `after`: (hook name, data) to run once it is posted."""
        args: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
        if thread_ts:
            args["thread_ts"] = thread_ts
        if blocks is not None:
            args["blocks"] = blocks
        payload: dict[str, Any] = {"args": args, "fallback": fallback}
        if after:
            payload["after"] = {"hook": after[0], "data": after[1]}
        return self.add(key=key, lane=lane_of(channel, thread_ts, key), kind=MESSAGE, payload=payload)

    def send(self, ids: Iterable[int]) -> dict[int, str]:
        """Try recorded writes now, in order; their states afterwards (sent / pending / dead).

        A write behind an unsent one in its lane, or backing off, is left to the worker.
        The worker is woken only for what it has to do: waking it after every send
        made it race the listeners for their own fresh writes (a store round each).
        """
        states = {}
        for outbox_id in ids:
            state = self._attempt(outbox_id)
            if state is None:
                row = self.store.outbox_row(outbox_id)
                state = row["state"] if row else DEAD
            states[outbox_id] = state
        if PENDING in states.values():
            self._wake.set()
        return states

    def deliver_due(self) -> float:
        """Send every write that is due, lane by lane; seconds until the next one is.

        A write waiting behind an unsent one in its lane is not "next": whoever
        settles the one in front wakes the worker (`_settled`).
        """
        for _ in range(BATCH):
            due = self.store.outbox_due(self._now(), BATCH)
            if not due or all([self._attempt(outbox_id) is None for outbox_id in due]):
                break
        next_at = self.store.outbox_next_at()
        return IDLE_SECONDS if next_at is None else max(0.0, next_at - self._now())

    def recover(self) -> int:
        """At start: writes the last process was sending are looked for before being resent."""
        # The last process may have died waiting for Slack's answer: give the call time to land.
        recovered = self.store.outbox_recover(self._now() + self.settle)
        if recovered:
            log.warning("%d write(s) were in flight when the last process stopped: checking them", recovered)
        return recovered

    def _attempt(self, outbox_id: int) -> str | None:
        """One attempt at one write: its state after, or None when it was not this caller's to send now."""
        taken = self.store.outbox_take(outbox_id, self._now())
        if taken is None:
            return None
        row = Row.of(taken)
        started = self._now()
        with logs.request(taken["request_id"]):
            try:
                result_ts = self._senders[row.kind](self, row)
            except Exception as error:  # every failure is classified, bugs included
                return self._failed(row, error, started)
            try:
                with self.store.transaction():
                    self._run_after(row, result_ts)
                    followed = self.store.outbox_sent(row.id, result_ts, self._now())
            except Exception:
                # Slack has it: only what the bot records about it is missing. Never send it again.
                log.exception("%s was delivered but recording its result failed", row.key)
                followed = self.store.outbox_sent(row.id, result_ts, self._now())
            self._settled(followed)
            if row.attempts > 1:
                log.info("delivered %s after %d attempts", row.key, row.attempts)
        return SENT

    def _run_after(self, row: Row, ts: str) -> None:
        after = row.payload.get("after")
        if after:
            self._after[after["hook"]](after["data"], ts)

    def _failed(self, row: Row, error: Exception, started: float) -> str:
        failure = classify(error)
        age = self._now() - row.created
        if failure.retry and age < self.give_up:
            delay = min(self.first_retry * 2 ** (row.attempts - 1), self.max_retry)
            if failure.retry_after:
                delay = max(delay, failure.retry_after)
            if failure.in_flight:
                delay = max(delay, started + self.settle - self._now())
            self.store.outbox_later(row.id, failure.text, self._now() + delay, failure.maybe_sent)
            log.warning(
                "%s not delivered (attempt %d: %s); retrying in %.1fs", row.key, row.attempts, failure.text, delay
            )
            return PENDING
        self._settled(self.store.outbox_dead(row.id, failure.text))
        if failure.retry:
            log.error("%s given up after %d attempts over %.0fs: %s", row.key, row.attempts, age, failure.text)
        elif isinstance(error, SlackClientError):
            log.error("%s refused by Slack: %s", row.key, failure.text)
        else:
            log.exception("%s failed: %s", row.key, describe(error))
        return DEAD

    def _settled(self, followed: bool) -> None:
        """A write is sent or given up: writes waiting behind it in its lane are the worker's now."""
        if followed:
            self._wake.set()

    # --- direct calls, for the workflows (bot/desk/ports.py) ----------------------------------

    def call(self, what: str, method: Callable[..., Any], **kwargs: Any) -> Any | None:
        return try_call(what, method, **kwargs)

    def refusal(self, error: BaseException) -> str | None:
        if not isinstance(error, SlackApiError):
            return None
        data = error.response.data if isinstance(error.response.data, dict) else {}
        return data.get("error")

    def failed(self, error: BaseException) -> bool:
        return isinstance(error, SlackClientError | OSError)

    def describe(self, error: BaseException) -> str:
        return describe(error)

    def open_dm(self, client: WebApi, user: str) -> str | None:
        return direct_messages.open_dm(client, user)

    # --- what senders call ------------------------------------------------------------------

    def post(self, row: Row, **args: Any) -> str:
        """chat.postMessage carrying the row's key, unless an earlier attempt already posted it. The ts."""
        if row.maybe_sent:
            found = self._find(row, args["channel"], args.get("thread_ts"))
            if found:
                log.info("%s was already posted (ts %s): not posting again", row.key, found)
                return found
        marker = {"event_type": MARKER_EVENT, "event_payload": {"key": row.key}}
        response = self.client.chat_postMessage(**args, metadata=marker)
        return str(response["ts"])

    def _find(self, row: Row, channel: str, thread_ts: str | None) -> str | None:
        oldest = f"{row.created - LOOKBACK_SLACK_SECONDS:.6f}"
        cursor = None
        for _ in range(LOOKUP_PAGES):
            if thread_ts:
                page = self.client.conversations_replies(
                    channel=channel, ts=thread_ts, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
                )
            else:
                page = self.client.conversations_history(
                    channel=channel, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
                )
            for message in page.get("messages") or []:
                metadata = message.get("metadata") or {}
                if (
                    metadata.get("event_type") == MARKER_EVENT
                    and (metadata.get("event_payload") or {}).get("key") == row.key
                ):
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    # --- the worker -------------------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="faqbot-outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.deliver_due()
            except Exception:
                # A store or sender bug must not end deliveries for good.
                log.exception("outbox worker step failed")
                wait = IDLE_SECONDS
            self._wake.wait(min(wait, IDLE_SECONDS))
            self._wake.clear()


def _send_message(outbox: SlackPort, row: Row) -> str:
    args = row.payload["args"]
    fallback = row.payload.get("fallback")
    try:
        ts = outbox.post(row, **args)
    except SlackApiError as error:
        if not fallback or "blocks" not in args or outbox.refusal(error) not in BLOCK_ERRORS:
            raise
        # Blocks Slack refuses would be refused again: the plain text gets through.
        log.error("Slack refused the blocks of %s (%s): posting it as plain text", row.key, describe(error))
        ts = outbox.post(row, **{k: v for k, v in args.items() if k != "blocks"} | {"text": fallback})
    return ts
