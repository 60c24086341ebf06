"""The bot wired together: the desk's workflows over the store, with this package's outbox,
Web API client and Block Kit views as their ports. Built once per app and handed to each
listener's `register`; the scheduler's jobs run over the same services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.desk.answering import Answerer
from bot.desk.escalation import Escalations
from bot.desk.home import Home
from bot.desk.intake import Intake
from bot.desk.reminders import Reminders
from bot.desk.sla import ServiceLevel, SlaWatch
from bot.desk.staff import Staff
from bot.desk.teaching import Teacher
from bot.runtime.clock import Clock
from bot.runtime.scheduler import Job, daily, every_minute
from bot.runtime.settings import Settings
from bot.slack.outbox import Outbox, settle_seconds
from bot.slack.views import BlockKitViews
from bot.slack.web_api import create_client, try_call
from bot.store import Store

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
        views = BlockKitViews()
        staff = Staff(settings, _group_members(create_client(settings, timeout=STAFF_LOOKUP_TIMEOUT_SECONDS)))
        answerer = Answerer(store, clock, outbox, views)
        escalations = Escalations(settings, store, clock, outbox, staff, views)
        # `faqbot serve` checks FAQBOT_SLA_MINUTES first and says what is wrong with it.
        level = ServiceLevel.from_setting(settings.sla_minutes)
        # And FAQBOT_SLACK_SETTLE_SECONDS, likewise.
        outbox.settle = settle_seconds(settings.slack_settle_seconds)
        return cls(
            settings=settings,
            store=store,
            clock=clock,
            outbox=outbox,
            staff=staff,
            answerer=answerer,
            escalations=escalations,
            intake=Intake(settings, store, clock, staff, outbox, answerer, escalations),
            home=Home(store, clock, staff, level, answerer, escalations, outbox, views),
            teacher=Teacher(store, clock, staff, outbox, views),
            sla=SlaWatch(settings, store, clock, level, outbox),
            reminders=Reminders(store, clock, outbox, views),
        )


def _group_members(client: WebClient) -> Callable[[str], list[str] | None]:
    """A user group's members as Slack lists them, or None when Slack could not be asked."""

    def members_of(group: str) -> list[str] | None:
        listed = try_call("usergroups.users.list", client.usergroups_users_list, usergroup=group)
        return None if listed is None else list(listed.get("users") or [])

    return members_of


def bot_jobs(services: Services) -> list[Job]:
    """The scheduler's jobs: PWP reminders handed to Slack daily, the SLA watch every minute."""
    client = services.outbox.client
    return [
        Job("reminders.schedule_due", daily, lambda: services.reminders.schedule_due(client)),
        Job("sla.remind", every_minute, services.sla.remind),
    ]
