"""Listeners split by the kind of request they answer; each module registers itself."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, commands, events, shortcuts, views
from bot.slack.services import Services


def register(app: App, services: Services) -> None:
    for module in (events, commands, actions, shortcuts, views):
        module.register(app, services)
