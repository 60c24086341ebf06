"""The desk's workflows over stand-in ports: no Bolt, no slack_sdk, no network.

What the desk asks of Slack is only what bot/desk/ports.py and each workflow's views port
declare, so a few lines of Python stand in for the adapter here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.desk.answering import Answerer
from bot.desk.ports import SENT, Row, WebApi
from bot.runtime.clock import Clock
from bot.store import Store
from intents.answer import Answer
from knowledge.dates import parse_moment


class Writes:
    """A SlackPort that keeps what the workflows record, and "delivers" it on send."""

    def __init__(self) -> None:
        self.recorded: dict[int, dict[str, Any]] = {}
        self.sent: list[int] = []
        self.hooks: dict[str, Callable[[dict[str, Any], str], None]] = {}

    @property
    def client(self) -> WebApi:
        raise AssertionError("no direct Web API call expected")

    def add(self, *, key: str, lane: str, kind: str, payload: dict[str, Any]) -> int:
        self.recorded[len(self.recorded) + 1] = {"key": key, "lane": lane, "kind": kind, **payload}
        return len(self.recorded)

    def add_message(self, *, key: str, channel: str, thread_ts: str | None, text: str, **rest: Any) -> int:
        return self.add(key=key, lane=channel, kind="message", payload={"text": text, "thread_ts": thread_ts, **rest})

    def send(self, ids: Any) -> dict[int, str]:
        for write_id in ids:
            self.sent.append(write_id)
            after = self.recorded[write_id].get("after")
            if after:
                self.hooks[after[0]](after[1], f"9{write_id}.000001")
        return dict.fromkeys(ids, SENT)

    def register(self, kind: str, sender: Callable[[Any, Row], str]) -> None: ...

    def on_sent(self, name: str, hook: Callable[[dict[str, Any], str], None]) -> None:
        self.hooks[name] = hook

    def post(self, row: Row, **args: Any) -> str:
        raise AssertionError("no post expected")

    def call(self, what: str, method: Callable[..., Any], **kwargs: Any) -> Any | None:
        raise AssertionError("no direct call expected")

    def refusal(self, error: BaseException) -> str | None:
        return None

    def failed(self, error: BaseException) -> bool:
        return False

    def describe(self, error: BaseException) -> str:
        return str(error)

    def open_dm(self, client: WebApi, user: str) -> str | None:
        return None


class PlainViews:
    def answer_body(self, answer: Answer) -> list[dict[str, Any]]:
        return [{"lead": answer.lead}]

    def answer_actions(self, answer: Answer, question_id: int) -> list[dict[str, Any]]:
        return [{"question": question_id}]

    def fallback_text(self, answer: Answer) -> str:
        return answer.lead

    def shared_answer(self, answer: Answer, question_id: int, user: str, command: str) -> list[dict[str, Any]]:
        return [{"shared_by": user}]


def test_answering_runs_without_slack():
    store = Store(":memory:")
    writes = Writes()
    answerer = Answerer(store, Clock(parse_moment("2026-11-24T10:00:00+09:00")), writes, PlainViews())
    ids = answerer.answer_message(
        channel="C1", ts="1.000001", thread_ts=None, user="UP", text="CSNのIDはどうやって取るの？",
        via="mention", bot_user_id=None,
    )
    [reply] = [writes.recorded[i] for i in ids]
    assert reply["thread_ts"] == "1.000001" and reply["blocks"][0]["lead"] == reply["text"]
    assert reply["blocks"][-1]["question"] >= 1
    writes.send(ids)
    # Once "Slack" has the reply, the thread remembers it: the follow-up's context.
    assert store.thread("C1", "1.000001").last_answer is not None
