"""A real `faqbot serve --http` process for tests and benchmarks: its environment,
its start once /healthz answers, its stop, and plain HTTP requests to it."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from slack_harness import NOW, STAFF, STAFF_CHANNEL
from slack_support import BOT_TOKEN, SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "bot.cli.main", "serve", "--http", "--host", "127.0.0.1", "--port", str(port)]


def serve_env(api_url: str, db: Path, **extra: str) -> dict[str, str]:
    """This process's environment without its Slack and faqbot settings, plus a bot that
    talks to the Web API recorder at `api_url` and keeps its state in `db`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FAQBOT_"))}
    return env | {
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "FAQBOT_DB": str(db),
        "FAQBOT_STAFF_CHANNEL": STAFF_CHANNEL,
        "FAQBOT_STAFF_USERS": STAFF,
        "FAQBOT_NOW": NOW,
        **extra,
    }


def request(
    port: int,
    method: str,
    path: str,
    body: str | bytes = "",
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start(
    argv: list[str],
    port: int,
    env: dict[str, str],
    workdir: Path,
    log: Path,
    *,
    timeout: float = 60.0,
    ready: tuple[int, ...] = (200,),
) -> subprocess.Popen:
    """Run `argv` (a server on `port`, its output in `log`) and return once /healthz answers
    one of the `ready` statuses; a server that exits or never answers fails with its log."""
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if request(port, "GET", "/healthz", timeout=5)[0] in ready:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise AssertionError(f"server did not start:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.1)


def stop(process: subprocess.Popen, timeout: float = 10) -> int:
    """SIGTERM, as systemd or docker stop do, then SIGKILL after `timeout`; the exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
