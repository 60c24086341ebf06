"""`faqbot stats` and App Home's numbers: what the log, the feedback and the cases say."""

from __future__ import annotations

from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from slack_harness import STAFF

from bot.cli.main import main
from bot.desk import stats
from bot.desk.sla import ServiceLevel
from bot.desk.stats_html import render_html
from bot.store import Store
from intents.answer import Answer
from knowledge.calendar import JST

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=JST)  # a Tuesday
YESTERDAY = NOW - timedelta(days=1)  # 勤労感謝の日, a public holiday
FRIDAY_4PM = datetime(2026, 11, 20, 16, 0, tzinfo=JST)


def answer(kind: str, intent: str | None = None) -> Answer:
    return Answer(kind=kind, intent=intent, confidence=0.5, title="t", lead="l")


def log(
    store: Store, text: str, kind: str, intent: str | None = None, at: datetime = NOW, via: str = "mention"
) -> int:
    return store.log_question(
        channel="C1",
        ts=None,
        thread_ts=None,
        user="UP",
        text=text,
        via=via,
        answer=answer(kind, intent),
        at=at,
    )


def case(
    store: Store, thread: str, at: datetime, claimed_after: float | None, resolved_after: float | None
) -> int:
    opened, _ = store.open_case(
        channel="C1",
        thread_ts=thread,
        escalated_by="UP",
        via="button",
        asked_by="UP",
        question=f"質問 {thread}",
        answer=None,
        note="",
        at=at,
    )
    store.add_case_event(opened.id, "UP", "escalated", at, "button")
    if claimed_after is not None:
        store.add_case_event(opened.id, STAFF, "claim", at + timedelta(minutes=claimed_after))
    if resolved_after is not None:
        store.add_case_event(opened.id, STAFF, "resolve", at + timedelta(minutes=resolved_after))
    return opened.id


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "stats.db")
    yield s
    s.close()


@pytest.fixture
def week(store: Store) -> Store:
    """Two days of traffic."""
    csn = log(store, "CSNのIDは？", "answer", "Q12")
    log(store, "PWPいつから 2027/3/31", "calculation", "pwp")
    log(store, "Zoomのリンク", "out_of_scope")
    log(store, "ｚｏｏｍ の リンク！", "out_of_scope", at=YESTERDAY)
    log(store, "登録のこと", "did_you_mean")
    log(store, "こんにちは", "smalltalk", "smalltalk.greeting")
    log(store, "Q12 CSNで登録", "answer", "Q12", via="choice")  # picked from a did-you-mean: not typed
    store.record_feedback(csn, "UP", True, NOW)
    store.record_feedback(csn, "UQ", False, NOW)
    case(store, "1.0", NOW - timedelta(hours=2), claimed_after=10, resolved_after=50)
    case(store, "2.0", FRIDAY_4PM, claimed_after=120, resolved_after=None)
    case(store, "3.0", NOW - timedelta(minutes=5), claimed_after=None, resolved_after=None)
    return store


def test_wb_numbers_of_a_day(week):
    start, end = stats.period(NOW, 1)
    assert (start.isoformat(), end.isoformat()) == ("2026-11-24T00:00:00+09:00", "2026-11-25T00:00:00+09:00")
    assert stats.numbers(week, start, end) == stats.Numbers(
        questions=5,
        answered=2,
        did_you_mean=1,
        out_of_scope=1,
        smalltalk=1,
        escalated=2,
        helpful=1,
        unhelpful=1,
    )


def test_wb_abstained_groups_wordings_and_knows_decided_ones(week):
    start, end = stats.period(NOW, 7)
    found = stats.abstained(week, start, end, decided={"登録のこと"})
    assert [(a.text, a.count, a.reasons, a.decided) for a in found] == [
        ("Zoomのリンク", 2, ("out_of_scope",), False),
        ("登録のこと", 1, ("did_you_mean",), True),
        ("CSNのIDは？", 1, ("unhelpful",), False),
    ]
    assert found[0].last_at == NOW


def test_wb_case_times_and_service_level(week):
    start, end = stats.period(NOW, 7)
    times = stats.case_times(week, start, end, NOW, ServiceLevel(30))
    assert (times.cases, times.claimed, times.resolved) == (3, 2, 1)
    assert sorted(times.to_claim) == [10.0, 120.0] and times.to_resolve == [50.0]
    # Friday 16:00, claimed at 18:00: 90 business minutes (till 17:30) > 30. The 5-minute-old one is not late.
    assert times.sla_breaches == 1
    assert (
        stats.median([10.0, 120.0]) == 65.0
        and stats.p90([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]) == 9.0
    )
    assert stats.median([]) is None and stats.p90([]) is None


def test_wb_report_text(week):
    report = stats.report(week, NOW, 7, ServiceLevel(30))
    text = stats.render_text(report)
    assert text.startswith("# faqbot 利用状況 2026-11-18〜2026-11-24（7日間）")
    assert "質問                    6" in text  # the full-width Zoom one was yesterday
    assert "👍 1 / 👎 1（👍の割合 50.0%）" in text
    assert "\n    1  👍1 👎1  Q12 オンライン契約管理システム" in text  # the choice is not typed: 1, not 2
    assert "2026-11-23     1    0    0    1    0    0    0    0" in text
    assert "    2    対象外  Zoomのリンク" in text
    assert "案件 3（担当決定 2、解決 1）" in text and "中央値 1時間5分" in text
    assert "目標（営業時間内 30分以内に担当決定）を超えた案件  1" in text


class _Checker(HTMLParser):
    """Collects tags, and fails on a tag closed that was not open (void elements aside)."""

    VOID = {"meta", "br", "rect", "line"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def test_wb_html_report_is_one_self_contained_page_with_charts(week):
    week.log_question(
        channel="C1",
        ts=None,
        thread_ts=None,
        user="UP",
        text="<script>alert(1)</script>",
        via="mention",
        answer=answer("out_of_scope"),
        at=NOW,
    )
    page = render_html(stats.report(week, NOW, 7, ServiceLevel(30)))
    checker = _Checker()
    checker.feed(page)
    assert checker.stack == []
    assert checker.tags.count("svg") == 4
    assert "script" not in checker.tags and "link" not in checker.tags and "img" not in checker.tags
    assert not [v for k, v in checker.attrs if k in ("src", "href")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # The daily chart stacks today's four kinds: one bar each for answered (2), did-you-mean, out of scope, small talk.
    assert page.count("<title>11/24 回答: 2</title>") == 1


def test_wb_stats_cli(week, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FAQBOT_DB", week.path)
    monkeypatch.setenv("FAQBOT_NOW", NOW.isoformat())
    html = tmp_path / "report.html"
    assert main(["stats", "--days", "2", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# faqbot 利用状況 2026-11-23〜2026-11-24（2日間）")
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["stats", "--days", "0"]) == 2
    monkeypatch.setenv("FAQBOT_SLA_MINUTES", "abc")
    assert main(["stats"]) == 2
    assert "FAQBOT_SLA_MINUTES" in capsys.readouterr().err
    monkeypatch.delenv("FAQBOT_SLA_MINUTES")
    monkeypatch.setenv("FAQBOT_DB", str(tmp_path / "missing.db"))
    assert main(["stats"]) == 2
    assert not (tmp_path / "missing.db").exists()
