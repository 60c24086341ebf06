"""Events API: questions (app_mention, message) and the escalation reaction.

The intake middleware runs before Bolt acknowledges the event: it decides
whether the event is for the bot and journals it (bot/intake.py), so an
acknowledged question or escalation survives a crash, and a duplicate
delivery is acknowledged and dropped. The listeners then run the job in
Bolt's listener threads, so routing and Web API calls never hold up Slack's
3-second deadline.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.slack.services import Services

# Where the intake middleware leaves the journalled job for the listener.
JOB = "faqbot_job"


def register(app: App, services: Services) -> None:
    intake = services.intake

    @app.middleware
    def journal_events(body: dict, context: BoltContext, next: Any) -> BoltResponse | None:
        if body.get("type") != "event_callback":
            return next()
        found = intake.job_for(body, context.bot_user_id or _installed_bot(body))
        if found is None:
            return next()
        if not intake.receive(*found):
            # Slack's retry, or the other event of one message: the original is handled.
            return BoltResponse(status=200, body="")
        context[JOB] = found
        return next()

    def run_job(client: WebClient, context: BoltContext) -> None:
        found = context.get(JOB)
        if found is not None:
            key, job = found
            intake.run(key, job, client)

    # Each listener runs the job the middleware journalled for its event, if any.
    for event_type in ("app_mention", "message", "reaction_added"):
        app.event(event_type)(run_job)

    @app.event("app_home_opened")
    def on_home_opened(event: dict, client: WebClient) -> None:
        # Rebuilt on every visit: the tab shows the store as it is now (the messages tab needs nothing).
        if event.get("tab", "home") == "home" and isinstance(event.get("user"), str):
            services.home.publish(client, event["user"])


def _installed_bot(body: dict) -> str | None:
    """The bot's user id as the event names it, for while auth.test has not answered yet
    (bot/slack/identity.py): Slack lists the app's installation under `authorizations`."""
    for authorization in body.get("authorizations") or []:
        if isinstance(authorization, dict) and authorization.get("is_bot") and isinstance(authorization.get("user_id"), str):
            return str(authorization["user_id"])
    return None
