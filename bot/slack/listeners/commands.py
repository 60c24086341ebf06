"""Slash commands /faq, /pwp, /contact, and `/pwp reminders` (one's own PWP reminders).

Routing and the calculators take well under a millisecond, so the answer goes
back in the acknowledgement itself: no response_url round trip, and nothing
can miss Slack's 3-second deadline. Answers are ephemeral, with a button to
share them in the channel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from slack_bolt import Ack, App

from bot.desk import controls, reminders, texts
from bot.desk.command_args import UsageError, contact_inputs, pwp_inputs
from bot.slack import blocks
from bot.slack.services import Services
from intents import calculations
from intents.answer import Answer
from intents.router import route
from knowledge.calculators.common import CalculatorInputError

log = logging.getLogger("faqbot.commands")

# Direct commands are not guesses: the partner named the calculator.
COMMAND_CONFIDENCE = 1.0


def _faq(text: str, now: datetime) -> Answer:
    if len(text) > texts.MAX_QUESTION_CHARS:
        raise UsageError(texts.TOO_LONG_QUESTION)
    return route(text, now)


def _pwp(text: str, now: datetime) -> Answer:
    return calculations.pwp_answer(pwp_inputs(text), now, COMMAND_CONFIDENCE, [])


def _contact(text: str, now: datetime) -> Answer:
    return calculations.contact_answer(contact_inputs(text, now), now, COMMAND_CONFIDENCE, [])


# command -> (answers it, whether empty text is valid)
COMMANDS: dict[str, tuple[Callable[[str, datetime], Answer], bool]] = {
    "/faq": (_faq, False),
    "/pwp": (_pwp, False),
    "/contact": (_contact, True),
}


def register(app: App, services: Services) -> None:
    store, clock = services.store, services.clock

    def handle(ack: Ack, command: dict) -> None:
        name = command["command"]
        text = (command.get("text") or "").strip()
        answer_for, empty_ok = COMMANDS[name]
        if name == "/pwp" and reminders.is_list_request(text):
            listing = services.reminders.listing(command["user_id"])
            ack(blocks=listing, text=texts.REMINDERS_TITLE, response_type="ephemeral")
            return
        if not text and not empty_ok:
            ack(blocks=blocks.usage_blocks(name), text=blocks.USAGE[name], response_type="ephemeral")
            return
        now = clock.now()
        try:
            answer = answer_for(text, now)
        except (UsageError, CalculatorInputError) as problem:
            ack(
                blocks=blocks.usage_blocks(name, str(problem)),
                text=controls.escape(str(problem)),
                response_type="ephemeral",
            )
            return
        except Exception:
            log.exception("%s failed for %r", name, text)
            ack(text=texts.INTERNAL_ERROR, response_type="ephemeral")
            return
        user, channel = str(command.get("user_id") or ""), str(command.get("channel_id") or "")
        store.log_question(
            channel=channel,
            ts=None,
            thread_ts=None,
            user=user,
            text=text,
            via=name.lstrip("/"),
            answer=answer,
            at=now,
        )
        answer_id = store.save_command_answer(
            user=user, channel=channel, command=name, text=text, answer=answer, at=now
        )
        ack(
            blocks=blocks.command_answer_blocks(answer, answer_id),
            text=blocks.fallback_text(answer),
            response_type="ephemeral",
        )

    for name in COMMANDS:
        app.command(name)(handle)
