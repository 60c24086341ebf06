"""Benchmark the Slack front end over HTTP, on loopback only.

1. Latency and throughput: N signed app_mention events are sent from a pool of
   client threads to (a) a bare Bolt app that replies a constant string and
   (b) faqbot (`faqbot serve --http`), both under the same ASGI + uvicorn
   stack and both replying to the same Web API recorder. Latency is from
   sending the event to the recorder receiving chat.postMessage; under load,
   each server's CPU time per answered mention is printed too (from /proc).
2. Deduplication: 1,000 questions delivered with 30% retries (same event_id,
   X-Slack-Retry-Num) and 10% app_mention/message pairs; each must be answered
   exactly once.

Targets (issue 4): faqbot's p50 within 1.5x the bare app's; >= 200 answered
mentions per second; exactly one answer per question. Exit status 1 if any
target is missed.

    .venv/bin/python scripts/bench_slack.py [--requests 1000] [--clients 8]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bot" / "support")]

import serve_process  # noqa: E402  (a `faqbot serve --http` process, as the tests start it)
from slack_support import (  # noqa: E402  (the test suite's recorder and signer)
    BOT_TOKEN,
    BOT_USER,
    SIGNING_SECRET,
    Recorder,
    event_body,
    mention,
    message,
    signed_headers,
)

QUESTIONS = [
    "CSNのIDはどうやって取るの？",
    "修理の電話番号は？",
    "保証終了日が2027年3月31日ですが、ポストワランティはいつから発注できますか",
    "ケアパックの登録方法を教えてください",
    "2026/5/10に購入したサーバーに5年の保守を付けたら、いつまで？",
    "プロアクティブケアとファウンデーションケアの違いは？",
    "初期不良の連絡先は？",
    "サポートサービスってそもそも何？",
]
START_TIMEOUT = 60.0
REPLY_TIMEOUT = 60.0
LATENCY_RATIO_TARGET = 1.5
THROUGHPUT_TARGET = 200.0


def run_bare_server(port: int, api_url: str) -> None:
    """(a): the smallest Bolt app that answers a mention, on faqbot's HTTP stack."""
    from concurrent.futures import ThreadPoolExecutor

    from slack_bolt import App
    from slack_sdk import WebClient

    from bot.slack.app import LISTENER_THREADS
    from bot.slack.http_server import serve

    app = App(
        client=WebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        token_verification_enabled=False,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS),
    )

    @app.event("app_mention")
    def reply(event: dict, say) -> None:
        say(text="pong", thread_ts=event.get("thread_ts") or event["ts"])

    serve(app, lambda: (200, {"status": "ok"}), address=("127.0.0.1", port))


def send_all(port: int, bodies: list[tuple[str, dict[str, str]]], clients: int) -> None:
    """POST every (body, extra headers) from `clients` keep-alive connections, without waiting for replies."""
    jobs = iter(enumerate(bodies))
    lock = threading.Lock()
    errors: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                job = next(jobs, None)
            if job is None:
                break
            _, (body, extra) = job
            headers = signed_headers(body, "application/json") | extra
            conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"HTTP {response.status}")
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{len(errors)} requests failed: {Counter(errors)}")


def measure(
    name: str, port: int, recorder: Recorder, requests: int, clients: int, prefix: str
) -> dict[str, float]:
    """Closed loop: each client sends a mention and waits for its reply before the next,
    so latency is service time under `clients`-way concurrency, not queueing."""
    recorder.clear()
    jobs = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = next(jobs, None)
            if i is None:
                break
            ts = f"{prefix}.{i:06d}"
            body = event_body(
                mention(QUESTIONS[i % len(QUESTIONS)], ts=ts, channel="CBENCH"), f"Ev{prefix}{i}"
            )
            sent = time.monotonic()
            conn.request(
                "POST", "/slack/events", body=body.encode(), headers=signed_headers(body, "application/json")
            )
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"HTTP {response.status}")
                continue
            replied = recorder.wait_reply(ts, timeout=REPLY_TIMEOUT)
            with lock:
                latencies.append((replied - sent) * 1000)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    if errors or len(latencies) != requests:
        raise SystemExit(f"{name}: {requests - len(latencies)} mentions not answered ({Counter(errors)})")
    latencies.sort()
    result = {
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "rate": requests / elapsed,
    }
    print(
        f"  {name:<10} p50 {result['p50']:7.2f} ms   p99 {result['p99']:7.2f} ms   {result['rate']:7.1f} answered mentions/s"
    )
    return result


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of a process and its children (a worker pool); None without /proc.

    On a VM whose speed drifts between runs, CPU per mention is the steadier
    figure: throughput is the cores over it."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    total = 0.0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def measure_load(
    name: str, pid: int, port: int, recorder: Recorder, requests: int, clients: int, prefix: str
) -> dict[str, float]:
    """`measure` with the server's CPU time per answered mention."""
    before = cpu_seconds(pid)
    result = measure(name, port, recorder, requests, clients, prefix)
    after = cpu_seconds(pid)
    if before is not None and after is not None:
        print(f"  {'':<10} server CPU {(after - before) / requests * 1000:.2f} ms per answered mention")
    return result


def route_p50(now: str, rounds: int = 50) -> float:
    """route() alone over the benchmark's questions, in this process: the part of
    faqbot's reply the bare app has no counterpart for, however lean the rest."""
    from datetime import datetime

    from intents.router import default_pipeline

    pipeline, moment = default_pipeline(), datetime.fromisoformat(now)
    samples = []
    for _ in range(rounds):
        for question in QUESTIONS:
            started = time.perf_counter()
            pipeline.route(question, moment)
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def dedupe_plan(questions: int, seed: int = 4) -> tuple[list[tuple[str, dict[str, str]]], list[str], Counter]:
    """1,000 questions: 10% also arrive as a message event, 30% of deliveries are retried."""
    rng = random.Random(seed)
    deliveries: list[tuple[str, dict[str, str]]] = []
    kinds: Counter = Counter()
    stamps = []
    ids = itertools.count(1)
    for i in range(questions):
        ts = f"1900000000.{i:06d}"
        stamps.append(ts)
        text = QUESTIONS[i % len(QUESTIONS)]
        events = [mention(text, ts=ts, channel="CDEDUPE")]
        if rng.random() < 0.10:
            events.append(message(f"<@{BOT_USER}> {text}", ts=ts, channel="CDEDUPE"))
            kinds["app_mention/message pairs"] += 1
        rng.shuffle(events)
        for event in events:
            body = event_body(event, f"EvD{next(ids)}")
            deliveries.append((body, {}))
            kinds["first deliveries"] += 1
            if rng.random() < 0.30:
                retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
                deliveries.append((body, retry))
                kinds["retries"] += 1
    # Retries and duplicates arrive close to, but not always right after, the original.
    window = 16
    for start in range(0, len(deliveries), window):
        chunk = deliveries[start : start + window]
        rng.shuffle(chunk)
        deliveries[start : start + window] = chunk
    return deliveries, stamps, kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, default=1000, help="mentions per app in the throughput run (default 1000)"
    )
    parser.add_argument(
        "--latency-requests",
        type=int,
        default=300,
        help="sequential mentions per app for latency (default 300)",
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent client connections (default 8)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="faqbot serve --workers (default: the number of cores, as deploy/ runs it)",
    )
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        run_bare_server(args.bare_server, args.api_url)
        return 0

    recorder = Recorder().start()
    workdir = Path(tempfile.mkdtemp(prefix="faqbot-bench-"))
    env = serve_process.serve_env(recorder.api_url, workdir / "bench.db")
    bare_port, bot_port = serve_process.free_port(), serve_process.free_port()
    bare_argv = [sys.executable, __file__, "--bare-server", str(bare_port), "--api-url", recorder.api_url]
    bare = serve_process.start(bare_argv, bare_port, env, workdir, workdir / "bare.log", timeout=START_TIMEOUT)
    bot_argv = [*serve_process.serve_argv(bot_port), "--workers", str(args.workers)]
    bot = serve_process.start(bot_argv, bot_port, env, workdir, workdir / "faqbot.log", timeout=START_TIMEOUT)
    failures: list[str] = []
    try:
        print(
            "Request -> reply over HTTP on 127.0.0.1 (time until the recorder sees chat.postMessage); "
            f"faqbot with {args.workers} worker(s), the bare app in one process"
        )
        # A short warm-up so neither side pays for first-request imports and auth.test.
        measure("warm-up", bare_port, recorder, 50, 1, "1700000001")
        measure("warm-up", bot_port, recorder, 50, 1, "1700000002")
        print(f"Latency: {args.latency_requests} mentions one after another")
        base = measure("bare Bolt", bare_port, recorder, args.latency_requests, 1, "1700000003")
        ours = measure("faqbot", bot_port, recorder, args.latency_requests, 1, "1700000004")
        ratio = ours["p50"] / base["p50"]
        print(f"  p50 ratio faqbot / bare: {ratio:.2f} (target <= {LATENCY_RATIO_TARGET})")
        routing = route_p50(env["FAQBOT_NOW"])
        print(
            f"  route() alone on these questions: p50 {routing:.2f} ms; bare + route() would already be "
            f"{(base['p50'] + routing) / base['p50']:.2f}x the bare app"
        )
        print(f"Throughput: {args.requests} mentions from {args.clients} concurrent clients")
        measure_load("bare Bolt", bare.pid, bare_port, recorder, args.requests, args.clients, "1700000005")
        loaded = measure_load("faqbot", bot.pid, bot_port, recorder, args.requests, args.clients, "1700000006")
        print(f"  faqbot: {loaded['rate']:.1f} answered mentions/s (target >= {THROUGHPUT_TARGET:.0f})")
        if ratio > LATENCY_RATIO_TARGET:
            failures.append("latency ratio")
        if loaded["rate"] < THROUGHPUT_TARGET:
            failures.append("throughput")

        recorder.clear()
        deliveries, stamps, kinds = dedupe_plan(1000)
        print(f"Deduplication: {len(stamps)} questions in {len(deliveries)} deliveries ({dict(kinds)})")
        send_all(bot_port, deliveries, args.clients)
        recorder.wait_for("chat.postMessage", len(stamps), timeout=REPLY_TIMEOUT)
        time.sleep(1.0)  # anything extra would arrive now
        per_thread = Counter(call.params.get("thread_ts") for call in recorder.of("chat.postMessage"))
        answered = sum(per_thread[ts] for ts in stamps)
        twice = sum(1 for ts in stamps if per_thread[ts] > 1)
        missing = sum(1 for ts in stamps if per_thread[ts] == 0)
        print(
            f"  answers counted: {answered}, expected: {len(stamps)} (answered twice: {twice}, unanswered: {missing})"
        )
        if answered != len(stamps) or twice or missing:
            failures.append("dedupe")
    finally:
        serve_process.stop(bot)
        serve_process.stop(bare)
        recorder.stop()
    print("targets met" if not failures else f"targets missed: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
