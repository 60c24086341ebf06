"""A question word says what kind of fact is wanted: passages stating one rank higher."""

from __future__ import annotations

from datetime import datetime

from intents.evaluation import lead_paragraph
from intents.passage_ranking import ANSWER_TYPES
from intents.router import route
from knowledge.calendar import JST

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=JST)


def test_what_time_leads_with_a_passage_that_gives_hours():
    # 「何時」 shares its 時 with 「作業時には…停止頂きます」: the question word must not decide.
    reply = route("ファームウェアアップデートオプションの作業は何時から何時まで？", NOW).as_text()
    assert "提供時間" in lead_paragraph(reply)
    assert not lead_paragraph(reply).startswith("作業時には")


def test_onsite_is_not_a_question_about_a_website():
    asking = [answer for asked, answer in ANSWER_TYPES if asked.search("オンサイト対応してもらえる?")]
    assert asking == []
    assert any(asked.search("終了日はどのサイトで調べる?") for asked, _ in ANSWER_TYPES)
