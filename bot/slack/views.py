"""The desk's views ports (AnswerViews, CardViews, HomeViews, TeachViews, ReminderViews, each
declared beside its workflow in bot/desk) over this package's Block Kit builders.

Each method renders with slack_sdk's model classes, so Slack's limits are checked, and
hands the workflows JSON they can store in the outbox or pass to the Web API.
"""

from __future__ import annotations

from bot.desk.home import StaffHome
from bot.desk.ports import Json
from bot.desk.teaching import Target
from bot.slack import blocks, home_view, reminder_view, teach_view
from bot.slack.block_json import json_dict
from bot.store import Reminder
from bot.store.cases import Case
from intents.answer import Answer


class BlockKitViews:
    def answer_body(self, answer: Answer) -> list[Json]:
        return blocks.to_dicts(blocks.answer_body(answer))

    def answer_actions(self, answer: Answer, question_id: int) -> list[Json]:
        return blocks.to_dicts(blocks.answer_actions(answer, question_id))

    def fallback_text(self, answer: Answer) -> str:
        return blocks.fallback_text(answer)

    def shared_answer(self, answer: Answer, question_id: int, user: str, command: str) -> list[Json]:
        return blocks.to_dicts(blocks.shared_answer_blocks(answer, question_id, user, command))

    def staff_card(self, case: Case) -> list[Json]:
        return blocks.to_dicts(blocks.staff_card_blocks(case))

    def staff_card_fallback(self, case: Case) -> str:
        return blocks.staff_card_fallback(case)

    def reminder_listing(self, reminders: list[Reminder], notice: str | None) -> list[Json]:
        return blocks.to_dicts(reminder_view.listing_blocks(reminders, notice))

    def staff_home(self, home: StaffHome) -> Json:
        return json_dict(
            home_view.staff_view(
                now=home.now,
                cases=home.cases,
                today=home.today,
                unanswered=home.unanswered,
                level=home.level,
                notice=home.notice,
            )
        )

    def partner_home(self, cases: list[Case], notice: str | None) -> Json:
        return json_dict(home_view.partner_view(cases=cases, notice=notice))

    def teach_modal(self, target: Target, origin: str) -> Json:
        return json_dict(teach_view.teach_modal(target, origin))
