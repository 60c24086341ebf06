"""The desk's door to Slack: what a workflow may ask of Slack, as Protocols bot/slack implements.

A workflow records the Slack writes it needs and has them delivered (`SlackPort`, the
adapter's outbox) and makes the odd direct Web API call through it with Slack's failures
handled (`SlackPort.call`). What it shows is rendered by a views port each workflow
declares beside itself (AnswerViews, CardViews, HomeViews, TeachViews, ReminderViews),
all implemented by bot/slack/views.py. Nothing here imports slack_sdk: `WebApi` is typed
structurally, so the adapter's WebClient fits it and a test can hand in anything alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

Json = dict[str, Any]

# An outbox write's states, as the store keeps them.
PENDING = "pending"
SENT = "sent"
DEAD = "dead"


class WebApi(Protocol):
    """The Web API methods the workflows call (slack_sdk's WebClient has them all)."""

    @property
    def chat_postMessage(self) -> Callable[..., Any]: ...
    @property
    def chat_postEphemeral(self) -> Callable[..., Any]: ...
    @property
    def chat_update(self) -> Callable[..., Any]: ...
    @property
    def chat_getPermalink(self) -> Callable[..., Any]: ...
    @property
    def chat_scheduleMessage(self) -> Callable[..., Any]: ...
    @property
    def chat_deleteScheduledMessage(self) -> Callable[..., Any]: ...
    @property
    def conversations_open(self) -> Callable[..., Any]: ...
    @property
    def conversations_replies(self) -> Callable[..., Any]: ...
    @property
    def conversations_history(self) -> Callable[..., Any]: ...
    @property
    def usergroups_users_list(self) -> Callable[..., Any]: ...
    @property
    def views_open(self) -> Callable[..., Any]: ...
    @property
    def views_publish(self) -> Callable[..., Any]: ...


@dataclass(frozen=True)
class Row:
    """An outbox write being sent."""

    id: int
    key: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    created: float
    # An earlier attempt may have reached Slack: look before sending again.
    maybe_sent: bool

    @classmethod
    def of(cls, taken: dict[str, Any]) -> Row:
        return cls(
            id=taken["id"],
            key=taken["key"],
            kind=taken["kind"],
            payload=taken["payload"],
            attempts=taken["attempts"],
            created=taken["created"],
            maybe_sent=bool(taken["maybe_sent"]),
        )


class SlackPort(Protocol):
    """Slack writes recorded before they are sent and delivered exactly once (bot/slack/outbox.py)."""

    @property
    def client(self) -> WebApi: ...

    def add(self, *, key: str, lane: str, kind: str, payload: dict[str, Any]) -> int: ...

    def add_message(
        self,
        *,
        key: str,
        channel: str,
        thread_ts: str | None,
        text: str,
        blocks: list[Json] | None = None,
        fallback: str | None = None,
        after: tuple[str, dict[str, Any]] | None = None,
    ) -> int: ...

    def send(self, ids: Iterable[int]) -> dict[int, str]: ...

    def register(self, kind: str, sender: Callable[[SlackPort, Row], str]) -> None: ...

    def on_sent(self, name: str, hook: Callable[[dict[str, Any], str], None]) -> None: ...

    def post(self, row: Row, **args: Any) -> str: ...

    def call(self, what: str, method: Callable[..., Any], **kwargs: Any) -> Any | None:
        """`method(**kwargs)`, or None (logged) when Slack or the network failed."""
        ...

    def refusal(self, error: BaseException) -> str | None:
        """Slack's error code when `error` is Slack refusing a call (`ok: false`), else None."""
        ...

    def failed(self, error: BaseException) -> bool:
        """Whether `error` is Slack or the network failing, rather than a bug."""
        ...

    def describe(self, error: BaseException) -> str: ...

    def open_dm(self, client: WebApi, user: str) -> str | None:
        """The bot's direct-message channel with `user`, or None when Slack refused."""
        ...
