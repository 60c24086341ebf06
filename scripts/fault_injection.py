"""Inject Slack's faults into a real `faqbot serve --http` and count what was lost or doubled.

Each scenario starts the bot as a process on loopback with a fresh database,
pointed at the test suite's Web API recorder (tests/bot/support/slack_support.py),
drives it with signed requests as Slack sends them, injects one fault, waits
until /healthz shows the outbox empty, then counts, per question or
escalation, the messages Slack holds. The goal: nothing lost, nothing doubled.

    .venv/bin/python scripts/fault_injection.py                 # every scenario, Markdown table
    .venv/bin/python scripts/fault_injection.py --only sigkill  # one of them
    .venv/bin/python scripts/fault_injection.py --scale 2       # twice the load

Exit status 1 if anything was lost or doubled. Nothing leaves 127.0.0.1.
The same faults, smaller, are tests in tests/bot/ (the `reproduce` column names them).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bot" / "support")]

from rel_corpus import BAD_COMMANDS, BAD_MESSAGES  # noqa: E402
from rel_server import Server, reaction  # noqa: E402
from slack_harness import NOW, STAFF_CHANNEL  # noqa: E402
from slack_support import (  # noqa: E402
    BOT_USER,
    Recorder,
    block_actions,
    command_body,
    mention,
    message,
    payload_body,
    signed_headers,
)

from bot.desk import controls, texts  # noqa: E402
from bot.store import Store  # noqa: E402
from knowledge.dates import parse_moment  # noqa: E402

QUESTIONS = ["CSNのIDはどうやって取るの？", "修理の電話番号は？", "ケアパックの登録方法を教えてください", "こんにちは"]


@dataclass
class Result:
    fault: str
    load: str
    acknowledged: str
    lost: int
    doubled: int
    seconds: float
    command: str
    test: str


@dataclass(frozen=True)
class Scenario:
    name: str
    fault: str
    test: str
    run: Callable[[Recorder, Path, int], tuple[str, str, int, int]]


SCENARIOS: list[Scenario] = []


def scenario(name: str, fault: str, test: str) -> Callable:
    def register(run: Callable[[Recorder, Path, int], tuple[str, str, int, int]]) -> Callable:
        SCENARIOS.append(Scenario(name, fault, test, run))
        return run

    return register


# --- counting ------------------------------------------------------------------------------------


def ask_burst(server: Server, prefix: str, count: int, clients: int = 8) -> dict[str, int | None]:
    events = [(mention(QUESTIONS[i % len(QUESTIONS)], ts=f"{prefix}.{i:06d}"), f"Ev{prefix}x{i}") for i in range(count)]
    return server.burst(events, clients=clients)


def answers(recorder: Recorder, prefix: str, count: int, channel: str = "C0001") -> tuple[int, int]:
    """(lost, doubled) among the threads `prefix`.000000 … : each must hold exactly one bot reply."""
    per_thread = Counter(m.get("thread_ts") for m in recorder.messages_in(channel))
    expected = [f"{prefix}.{i:06d}" for i in range(count)]
    return sum(per_thread[t] == 0 for t in expected), sum(per_thread[t] > 1 for t in expected)


def acked(statuses: dict[str, int | None]) -> str:
    return f"{sum(s == 200 for s in statuses.values())}/{len(statuses)}"


def press_body(answer: dict, action_id: str = controls.ESCALATE) -> str:
    """A press of a button under a posted answer, as Slack sends it."""
    value = next(e["value"] for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id)
    surface = {
        "container": {"type": "message", "message_ts": answer["ts"], "channel_id": "C0001", "thread_ts": answer["thread_ts"]},
        "channel": {"id": "C0001"},
        "message": {"type": "message", "ts": answer["ts"], "thread_ts": answer["thread_ts"], "text": "x"},
        "response_url": "http://127.0.0.1:9/unused",
    }
    return payload_body(block_actions(action_id, value, user="UPARTNER", surface=surface))


def in_time(server: Server, bodies: list[str], clients: int = 16) -> int:
    """Send signed form posts (commands, presses) at once; how many got a 200 within Slack's 3 s."""

    def send(body: str) -> bool:
        started = time.monotonic()
        status = server.send_payload(body)
        return status == 200 and time.monotonic() - started <= 3.0

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return sum(pool.map(send, bodies))


def slow_slack_acks(recorder: Recorder, work: Path, prefix: str, mentions: int, post_seconds: float, commands: int, presses: int) -> tuple[str, int, int]:
    """Questions to press on, then Slack slows down to `post_seconds` a post, a burst of mentions
    and, while their jobs wait on Slack, commands and presses: (acks in time, lost, doubled)."""
    server = Server(recorder, work).start()
    pressed = server.burst([(mention(QUESTIONS[0], ts=f"{prefix}1.{i:06d}"), f"Ev{prefix}p{i}") for i in range(presses)])
    server.wait_delivered(60)
    answered = sorted((m for m in recorder.messages_in("C0001") if m.get("blocks")), key=lambda m: m["thread_ts"])
    recorder.slow("chat.postMessage", seconds=post_seconds, times=1_000_000)
    with ThreadPoolExecutor(max_workers=1) as background:
        burst = background.submit(ask_burst, server, prefix + "2", mentions)
        time.sleep(1.0)
        bodies = [command_body("/pwp", "2027-03-31", response_url=recorder.url + "/response/x") for _ in range(commands)]
        ok = in_time(server, bodies + [press_body(a) for a in answered[:presses]])
        statuses = burst.result()
    server.wait_delivered(600)
    server.stop()
    lost, doubled = answers(recorder, prefix + "2", mentions)
    cards = Counter(m["metadata"]["event_payload"]["key"] for m in recorder.messages_in(STAFF_CHANNEL) if m.get("metadata"))
    # An unacknowledged mention or press would be resent by Slack; here it counts as lost.
    unacknowledged = sum(s != 200 for s in [*statuses.values(), *pressed.values()])
    lost += presses - len(cards) + unacknowledged
    doubled += sum(n > 1 for n in cards.values())
    return f"{ok}/{commands + presses} within 3 s", lost, doubled


# --- the scenarios -------------------------------------------------------------------------------


@scenario("429", "429 + Retry-After: 1 on chat.postMessage (10 times)", "slack/test_rel_outbox.py -k rate_limit")
def rate_limited(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    server = Server(recorder, work).start()
    count = 20 * scale
    recorder.rate_limit("chat.postMessage", times=10, retry_after=1)
    statuses = ask_burst(server, "2001", count)
    server.wait_delivered(120)
    server.stop()
    return f"{count} mentions, 8 clients", acked(statuses), *answers(recorder, "2001", count)


@scenario("5xx", "every Web API call answers 503 for 10 s", "slack/test_rel_outbox.py -k 5xx")
def server_errors(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    server = Server(recorder, work).start()
    count = 30 * scale
    recorder.outage(10, status=503)
    statuses = ask_burst(server, "2002", count)
    server.wait_delivered(180)
    server.stop()
    return f"{count} mentions during the outage", acked(statuses), *answers(recorder, "2002", count)


@scenario("unreachable", "Slack unreachable (connection refused) for 10 s", "slack/test_rel_outbox.py -k unreachable")
def unreachable(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    server = Server(recorder, work).start()
    count = 30 * scale
    recorder.down()
    started = time.monotonic()
    statuses = ask_burst(server, "2003", count)
    time.sleep(max(0.0, 10 - (time.monotonic() - started)))
    recorder.up()
    server.wait_delivered(180)
    server.stop()
    return f"{count} mentions while down", acked(statuses), *answers(recorder, "2003", count)


@scenario("lost", "responses lost after Slack posted (10 chat.postMessage)", "slack/test_rel_outbox.py -k lost_response")
def lost_responses(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    server = Server(recorder, work).start()
    count = 20 * scale
    recorder.lose_responses("chat.postMessage", times=10)
    statuses = ask_burst(server, "2004", count)
    server.wait_delivered(120)
    server.stop()
    return f"{count} mentions", acked(statuses), *answers(recorder, "2004", count)


@scenario("start-outage", "every Web API call answers 503 from before the start until 30 s after", "cli/test_rel_start.py -k 503")
def start_outage(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    count = 20 * scale
    recorder.outage(30, status=503)
    server = Server(recorder, work)
    try:
        server.start()
    except AssertionError:
        # Exited at start: nothing it would have been sent is answered (Slack retries for a while only).
        return f"{count} mentions during the outage", "did not start", count, 0
    statuses = ask_burst(server, "2011", count)
    server.wait_delivered(240)
    server.stop()
    return f"{count} mentions during the outage", acked(statuses), *answers(recorder, "2011", count)


@scenario(
    "late",
    "Slack posts 5 answers 35 s late and only then answers: the client gives up first",
    "slack/test_rel_outbox.py -k late",
)
def late_posts(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    server = Server(recorder, work).start()
    count = 20 * scale
    recorder.slow_to_act("chat.postMessage", seconds=35, times=5)
    started = time.monotonic()
    statuses = ask_burst(server, "2012", count)
    server.wait_delivered(240)
    # A post sent again while the first was still under way lands up to 35 s after it was sent.
    time.sleep(max(0.0, started + 40 - time.monotonic()))
    server.stop()
    return f"{count} mentions", acked(statuses), *answers(recorder, "2012", count)


@scenario(
    "restart-backlog",
    "restart with 8 escalations acknowledged but not done, Slack taking 3 s a call",
    "cli/test_rel_start.py -k listens",
)
def restart_backlog(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    server = Server(recorder, work)
    count = 8 * scale
    threads = [f"2013.{i:06d}" for i in range(count)]
    store = Store(server.db)
    for i, ts in enumerate(threads):
        store.claim(f"event:EvB{i}", parse_moment(NOW), {"kind": "reaction", "channel": "C0100", "ts": ts, "user": "UPARTNER"})
    store.close()
    for method in ("conversations.replies", "chat.postMessage", "chat.postEphemeral"):
        recorder.slow(method, seconds=3.0, times=1_000_000)
    started = time.monotonic()
    server.start(timeout=600)
    listening = time.monotonic() - started
    deadline = time.monotonic() + 600
    while len(recorder.messages_in(STAFF_CHANNEL)) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    server.wait_delivered(240)
    server.stop()
    cards = Counter(m["metadata"]["event_payload"]["key"].split(":")[1] for m in recorder.messages_in(STAFF_CHANNEL) if m.get("metadata"))
    notices = Counter(m["thread_ts"] for m in recorder.messages_in("C0100") if m.get("text") == texts.HANDED_OVER)
    lost = (count - len(cards)) + sum(notices[t] == 0 for t in threads)
    doubled = sum(n > 1 for n in cards.values()) + sum(n > 1 for n in notices.values())
    return f"{count} journalled :sos: escalations, Slack 3 s a call", f"listening after {listening:.0f} s", lost, doubled


@scenario("restart", "SIGTERM with answers pending (Slack down), restart with Slack up", "cli/test_rel_process.py -k restart")
def restart_mid_flight(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    server = Server(recorder, work).start()
    count = 30 * scale
    recorder.outage(3600)
    statuses = ask_burst(server, "2005", count)
    server.stop()
    recorder.outage(0)
    server.start()
    server.wait_delivered(180)
    server.stop()
    return f"{count} mentions, then a restart", acked(statuses), *answers(recorder, "2005", count)


@scenario("sigkill", "SIGKILL after a third of a burst of escalations, restart", "cli/test_rel_process.py -k sigkill")
def sigkill(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    recorder.slow("chat.postMessage", seconds=0.03, times=1_000_000)
    server = Server(recorder, work).start()
    count = 100 * scale
    events = [(reaction("C0100", f"2006.{i:06d}"), f"EvK{i}") for i in range(count)]
    statuses = server.burst(events, clients=8, kill_after_acks=count // 3)
    server.start()
    done = {eid for eid, status in statuses.items() if status == 200}
    # Slack resends what it saw no acknowledgement for, and some of what it did.
    for event, event_id in [(e, i) for e, i in events if i not in done] + events[:10]:
        server.send_event(event, event_id, retry_num=1)
    server.wait_delivered(180)
    server.stop()
    conn = sqlite3.connect(server.db)
    cases = dict(conn.execute("SELECT thread_ts, escalations FROM cases").fetchall())
    conn.close()
    threads = [e["item"]["ts"] for e, _ in events]
    cards = Counter(
        m["metadata"]["event_payload"]["key"].split(":")[1] for m in recorder.messages_in(STAFF_CHANNEL) if m.get("metadata")
    )
    notices = Counter(m["thread_ts"] for m in recorder.messages_in("C0100") if m.get("text") == texts.HANDED_OVER)
    lost = sum(t not in cases for t in threads) + (len(cases) - len(cards)) + sum(notices[t] == 0 for t in threads)
    doubled = (
        sum(n > 1 for n in cases.values()) + sum(n > 1 for n in cards.values()) + sum(n > 1 for n in notices.values())
    )
    return f"{count} :sos: escalations, 8 clients, 30 ms per post", f"{len(done)}/{count} before the kill", lost, doubled


@scenario(
    "slow-acks",
    "Slack answers chat.postMessage after 20 s; commands and 「担当者に相談」 presses while mention jobs wait",
    "slack/test_rel_slow_slack.py",
)
def slow_acks(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    count = 40 * scale
    acknowledged, lost, doubled = slow_slack_acks(recorder, work, "2009", count, 20.0, 20, 12)
    return f"{count} mentions, then 20 /pwp + 12 presses at once", acknowledged, lost, doubled


@scenario(
    "busy-acks",
    "Slack answers chat.postMessage after 0.5 s; commands and presses during a burst of mentions",
    "slack/test_rel_slow_slack.py",
)
def busy_acks(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    count = 300 * scale
    acknowledged, lost, doubled = slow_slack_acks(recorder, work, "2010", count, 0.5, 10, 5)
    return f"{count} mentions, then 10 /pwp + 5 presses at once", acknowledged, lost, doubled


@scenario("load", "concurrent load: 30% Slack retries, 10% app_mention+message pairs", "slack/test_rel_load.py")
def load(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    server = Server(recorder, work).start()
    count = 500 * scale
    rng = random.Random(7)
    deliveries = []
    for i in range(count):
        text, ts = QUESTIONS[i % len(QUESTIONS)], f"2007.{i:06d}"
        deliveries.append((mention(text, ts=ts), f"EvL{i}", None))
        if rng.random() < 0.3:
            deliveries.append((mention(text, ts=ts), f"EvL{i}", 1))
        if rng.random() < 0.1:
            deliveries.append((message(f"<@{BOT_USER}> {text}", ts=ts), f"EvLM{i}", None))
    rng.shuffle(deliveries)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda d: server.send_event(*d), deliveries))
    server.wait_delivered(180)
    elapsed = time.monotonic() - started
    server.stop()
    ok = f"{sum(s == 200 for s in statuses)}/{len(statuses)}"
    return f"{count} questions in {len(deliveries)} deliveries, 16 clients, {count / elapsed:.0f} answered/s", ok, *answers(
        recorder, "2007", count
    )


@scenario("bad-input", "the bad-input corpus (messages as mentions, command arguments)", "slack/test_rel_bad_input.py")
def bad_input(recorder: Recorder, work: Path, scale: int) -> tuple[str, str, int, int]:
    server = Server(recorder, work).start()
    statuses = {}
    for i, (_, text) in enumerate(BAD_MESSAGES):
        statuses[f"m{i}"] = server.send_event(mention(text, ts=f"2008.{i:06d}"), f"EvB{i}")
    commands_ok = 0
    for command, text in BAD_COMMANDS:
        body = command_body(command, text, response_url=recorder.url + "/response/bad")
        status, reply = server.request("POST", "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded"))
        commands_ok += status == 200 and "ephemeral" in reply.decode()
    server.wait_delivered(120)
    server.stop()
    lost, doubled = answers(recorder, "2008", len(BAD_MESSAGES))
    internal = sum(m.get("text") == texts.INTERNAL_ERROR for m in recorder.messages_in("C0001"))
    load_text = f"{len(BAD_MESSAGES)} messages + {len(BAD_COMMANDS)} commands"
    return load_text, f"{acked(statuses)} + {commands_ok}/{len(BAD_COMMANDS)}", lost + internal, doubled


# --- running -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=[s.name for s in SCENARIOS], action="append")
    parser.add_argument("--scale", type=int, default=1, help="multiply every scenario's load")
    args = parser.parse_args(argv)
    results = []
    for item in SCENARIOS:
        if args.only and item.name not in args.only:
            continue
        recorder = Recorder().start()
        try:
            with tempfile.TemporaryDirectory(prefix=f"faqbot-{item.name}-") as work:
                started = time.monotonic()
                load_text, acknowledged, lost, doubled = item.run(recorder, Path(work), args.scale)
                results.append(
                    Result(
                        item.fault,
                        load_text,
                        acknowledged,
                        lost,
                        doubled,
                        time.monotonic() - started,
                        f"scripts/fault_injection.py --only {item.name}",
                        f"pytest tests/bot/{item.test}",
                    )
                )
        finally:
            recorder.stop()
        print(f"{item.name}: lost {results[-1].lost}, doubled {results[-1].doubled}", file=sys.stderr)
    print("| fault injected | load | acknowledged | lost | doubled | time | reproduce |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.fault} | {r.load} | {r.acknowledged} | {r.lost} | {r.doubled} | {r.seconds:.0f} s "
            f"| `{r.command}`; `{r.test}` |"
        )
    return 1 if any(r.lost or r.doubled for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
