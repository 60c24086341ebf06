"""Unauthenticated requests to the real HTTP server: bounded, refused with 4xx, never logged whole."""

from __future__ import annotations

import json
import socket
import time

import pytest
from serve_process import free_port, request, serve_argv, serve_env, start, stop
from slack_support import event_body, mention, signed_headers

from bot.slack.request_gate import MAX_BODY_BYTES

MARKER = "ZZ-UNAUTHENTICATED-BODY-ZZ"


@pytest.fixture
def server(recorder, tmp_path):
    port = free_port()
    log = tmp_path / "server.log"
    process = start(serve_argv(port), port, serve_env(recorder.api_url, tmp_path / "server.db"), tmp_path, log)
    yield port, log
    stop(process)


def raw_post(port: int, headers: dict[str, str], body: bytes, chunked: bool = False) -> int:
    """POST without waiting to be allowed to send the body; the status line, even when the server
    answers before reading it all (and closes the connection on the rest)."""
    head = ["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        piece = 64 * 1024
        try:
            for start_at in range(0, len(body), piece):
                chunk = body[start_at : start_at + piece]
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            if chunked:
                conn.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and stopped reading: what we want to see
        answer = b""
        while b"\r\n" not in answer:
            data = conn.recv(4096)
            if not data:
                break
            answer += data
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "streamed"])
def test_rel_oversized_bodies_get_413_unread_and_unlogged(server, chunked):
    port, log = server
    body = (MARKER * (5 * 1024 * 1024 // len(MARKER))).encode()
    headers = signed_headers("x", "application/json")
    assert raw_post(port, headers, body, chunked=chunked) == 413
    status, _ = request(port, "GET", "/healthz")
    assert status == 200
    assert MARKER not in log.read_text()
    assert log.stat().st_size < 200_000


def test_rel_badly_signed_body_is_refused_without_being_logged(server):
    port, log = server
    body = json.dumps({"type": "event_callback", "padding": MARKER * 1000})
    status, _ = request(port, "POST", "/slack/events", body, signed_headers(body, "application/json", secret="nope"))
    assert status == 401
    text = log.read_text()
    assert MARKER not in text and "bad, stale or missing signature" in text


@pytest.mark.parametrize(
    ("timestamp", "body"),
    [
        ("not-a-number", b'{"type": "event_callback"}'),
        ("1700000000.5", b'{"type": "event_callback"}'),
        ("1e9", b'{"type": "event_callback"}'),
        (None, b'{"type": "event_callback", "text": "\xff\xfe\xfd"}'),
    ],
    ids=["word", "float", "exponent", "not-utf8"],
)
def test_rel_malformed_requests_get_400_without_a_traceback(server, timestamp, body):
    port, log = server
    headers = {"Content-Type": "application/json", "X-Slack-Signature": "v0=" + "0" * 64}
    headers["X-Slack-Request-Timestamp"] = timestamp if timestamp is not None else str(int(time.time()))
    status, _ = request(port, "POST", "/slack/events", body, headers)
    assert status == 400
    assert "Traceback" not in log.read_text()


def test_rel_a_signed_event_still_passes_the_gate(server, recorder):
    port, _ = server
    event = event_body(mention("CSNのIDはどうやって取るの？", ts="1950.000001"), "EvGate1")
    assert len(event) < MAX_BODY_BYTES
    status, _ = request(port, "POST", "/slack/events", event, signed_headers(event, "application/json"))
    assert status == 200
    [reply] = recorder.wait_for("chat.postMessage")
    assert reply.params["thread_ts"] == "1950.000001"
