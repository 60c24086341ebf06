"""`faqbot serve`: the real HTTP server process over a socket, and its start-up checks."""

from __future__ import annotations

import json
import time

import pytest
from serve_process import free_port, request, serve_argv, serve_env, start, stop
from slack_support import command_body, event_body, mention, signed_headers

from bot.cli import main as cli


@pytest.fixture
def server(recorder, tmp_path):
    port = free_port()
    env = serve_env(recorder.api_url, tmp_path / "server.db")
    process = start(serve_argv(port), port, env, tmp_path, tmp_path / "server.log")
    yield port
    stop(process)


def test_slack_http_server_process_answers_over_a_socket(server, recorder):
    port = server
    status, body = request(port, "GET", "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"

    challenge = json.dumps({"type": "url_verification", "token": "legacy", "challenge": "abc123"})
    status, body = request(
        port, "POST", "/slack/events", challenge, signed_headers(challenge, "application/json")
    )
    assert status == 200 and b"abc123" in body

    event = event_body(mention("CSNのIDはどうやって取るの？", ts="500.000001"), "EvHTTP1")
    started = time.monotonic()
    status, _ = request(port, "POST", "/slack/events", event, signed_headers(event, "application/json"))
    assert status == 200 and time.monotonic() - started < 3.0
    [reply] = recorder.wait_for("chat.postMessage")
    assert reply.params["thread_ts"] == "500.000001" and reply.params["blocks"]

    # Slack's retry of the same event: acknowledged, not answered again (decided before the ack).
    retry_headers = signed_headers(event, "application/json") | {
        "X-Slack-Retry-Num": "1",
        "X-Slack-Retry-Reason": "http_timeout",
    }
    status, _ = request(port, "POST", "/slack/events", event, retry_headers)
    assert status == 200

    forged = signed_headers(event, "application/json", secret="wrong-secret")
    status, _ = request(port, "POST", "/slack/events", event, forged)
    assert status == 401

    command = command_body("/pwp", "2027-03-31 2年", response_url=recorder.url + "/response/http")
    status, body = request(
        port, "POST", "/slack/events", command, signed_headers(command, "application/x-www-form-urlencoded")
    )
    assert status == 200
    answer = json.loads(body)
    assert answer["response_type"] == "ephemeral" and "発注可能期間" in answer["text"]

    second = event_body(mention("修理の電話番号は？", ts="500.000002"), "EvHTTP2")
    request(port, "POST", "/slack/events", second, signed_headers(second, "application/json"))
    posts = recorder.wait_for("chat.postMessage", 2)
    assert [p.params["thread_ts"] for p in posts] == ["500.000001", "500.000002"]


def test_slack_serve_says_what_is_missing(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and "SLACK_APP_TOKEN" in err and "Socket Mode" in err

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-x")
    assert cli.main(["serve", "--http", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_SIGNING_SECRET" in err and "SLACK_BOT_TOKEN" not in err and "xoxb-x" not in err


def test_slack_serve_refuses_a_token_slack_rejects(monkeypatch, tmp_path, capsys, recorder):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_API_URL", recorder.api_url)
    recorder.fail("auth.test", error="invalid_auth")
    assert cli.main(["serve", "--http", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "invalid_auth" in err and "xoxb-revoked" not in err


def test_slack_configured_decides_between_serve_and_shell():
    from bot.cli.serve import slack_configured
    from bot.runtime.settings import from_mapping

    assert not slack_configured(from_mapping({}))
    assert not slack_configured(from_mapping({"SLACK_BOT_TOKEN": "xoxb"}))
    assert slack_configured(from_mapping({"SLACK_BOT_TOKEN": "xoxb", "SLACK_APP_TOKEN": "xapp"}))
    assert slack_configured(from_mapping({"SLACK_BOT_TOKEN": "xoxb", "SLACK_SIGNING_SECRET": "s"}))


def test_healthcheck_probes_healthz_in_http_mode(server, monkeypatch, tmp_path):
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the checkout: the environment alone decides
    assert cli.main(["healthcheck", "--port", str(server)]) == 0
    assert cli.main(["healthcheck", "--port", str(free_port())]) == 1
