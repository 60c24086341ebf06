"""What every listener needs, built once per app and handed to each `register`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answering import Answerer
from bot.clock import Clock
from bot.escalation import Escalations
from bot.home import Home
from bot.intake import Intake
from bot.outbox import Outbox
from bot.reminders import Reminders
from bot.settings import Settings
from bot.sla import ServiceLevel, SlaWatch
from bot.slack_api import create_client
from bot.staff import Staff
from bot.store import Store
from bot.teaching import Teacher

# Staff checks run before Slack is acknowledged: a slow group look-up must give up early.
STAFF_LOOKUP_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    clock: Clock
    outbox: Outbox
    staff: Staff
    answerer: Answerer
    escalations: Escalations
    intake: Intake
    # The staff's workbench (App Home, teaching, the SLA watch) and PWP reminders.
    home: Home
    teacher: Teacher
    sla: SlaWatch
    reminders: Reminders

    @classmethod
    def build(cls, settings: Settings, store: Store, clock: Clock) -> Services:
        outbox = Outbox(store, create_client(settings))
        staff = Staff(settings, create_client(settings, timeout=STAFF_LOOKUP_TIMEOUT_SECONDS))
        answerer = Answerer(store, clock, outbox)
        escalations = Escalations(settings, store, clock, outbox, staff)
        # `faqbot serve` checks FAQBOT_SLA_MINUTES first and says what is wrong with it.
        level = ServiceLevel.from_setting(settings.sla_minutes)
        return cls(
            settings=settings,
            store=store,
            clock=clock,
            outbox=outbox,
            staff=staff,
            answerer=answerer,
            escalations=escalations,
            intake=Intake(settings, store, clock, staff, outbox, answerer, escalations),
            home=Home(store, clock, staff, level, answerer, escalations, outbox),
            teacher=Teacher(store, clock, staff, outbox),
            sla=SlaWatch(settings, store, clock, level, outbox),
            reminders=Reminders(store, clock, outbox),
        )
