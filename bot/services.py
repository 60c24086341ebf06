"""What every listener needs, built once per app and handed to each `register`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answering import Answerer
from bot.clock import Clock
from bot.escalation import Escalations
from bot.settings import Settings
from bot.store import Store


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    clock: Clock
    answerer: Answerer
    escalations: Escalations

    @classmethod
    def build(cls, settings: Settings, store: Store, clock: Clock) -> Services:
        return cls(
            settings=settings,
            store=store,
            clock=clock,
            answerer=Answerer(store, clock),
            escalations=Escalations(settings, store, clock),
        )
