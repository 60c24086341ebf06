"""The Slack app manifest (deploy/slack-app-manifest.yaml) against Slack's public schema.

deploy/manifest.schema.json is slackapi/manifest-schema's schemas/manifest.schema.1.0.0.json
(see deploy/manifest.schema.SOURCE.md): the schema the repository's root schema selects for a
manifest with ``_metadata.major_version: 1`` (or without ``_metadata``), which is what Slack's
app-config pages export and accept for a Bolt app.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from jsonschema.validators import validator_for

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
MANIFEST_PATH = DEPLOY / "slack-app-manifest.yaml"
SCHEMA_PATH = DEPLOY / "manifest.schema.json"

EVENTS_URL = "https://example.invalid/slack/events"

# Bot event -> the bot scope Slack requires for it (app_home_opened needs none).
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "message.mpim": "mpim:history",
    "reaction_added": "reactions:read",
}
# Web API method the bot calls -> the bot scopes that allow it (any one; none listed: no scope).
METHOD_SCOPES = {
    "chat_postMessage": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_scheduleMessage": {"chat:write"},
    "chat_deleteScheduledMessage": {"chat:write"},
    "chat_getPermalink": set(),
    "conversations_replies": {"channels:history", "groups:history", "im:history", "mpim:history"},
    "conversations_history": {"channels:history", "groups:history", "im:history", "mpim:history"},
    "conversations_open": {"im:write"},
    "usergroups_users_list": {"usergroups:read"},
    "views_open": set(),
    "views_publish": set(),
    "auth_test": set(),
}
BOT = Path(__file__).resolve().parents[2] / "bot"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema):
    cls = validator_for(schema)  # draft-07, from the schema's own "$schema"
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture(scope="module")
def manifest() -> dict:
    data = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _errors(validator, instance) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


def test_schema_is_draft7(schema, validator):
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert isinstance(validator, jsonschema.Draft7Validator)


def test_manifest_is_valid(validator, manifest):
    assert _errors(validator, manifest) == []


def test_display_information(manifest):
    info = manifest["display_information"]
    assert info["name"] == "faqbot"
    assert manifest["features"]["bot_user"]["display_name"] == "faqbot"
    # A Japanese description (hiragana/katakana/kanji present).
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in info["description"])


def test_slash_commands(manifest):
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/pwp", "/contact", "/faq"}
    assert commands["/pwp"]["usage_hint"] == "2027-03-31 2年 終了日=2029-01-31 確定"
    assert commands["/contact"]["usage_hint"] == "修理 サーバー"
    assert commands["/faq"]["usage_hint"] == "質問"
    for c in commands.values():
        assert c["url"] == EVENTS_URL
        assert c["should_escape"] is False


def test_message_shortcut(manifest):
    shortcuts = manifest["features"]["shortcuts"]
    matches = [s for s in shortcuts if s["callback_id"] == "escalate_message"]
    assert len(matches) == 1
    assert matches[0]["type"] == "message"
    assert matches[0]["name"] == "担当者へエスカレーション"


def test_events_and_scopes(manifest):
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mention", "message.im", "reaction_added"} <= events
    assert {"message.channels", "message.groups", "message.mpim", "app_home_opened"} <= events
    assert {"chat:write", "commands"} <= scopes
    missing = {ev: sc for ev, sc in EVENT_SCOPES.items() if ev in events and sc not in scopes}
    assert missing == {}, f"events without their required scope: {missing}"


def test_scopes_are_the_ones_the_code_uses(manifest):
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    source = "\n".join(p.read_text(encoding="utf-8") for p in BOT.rglob("*.py"))
    called = set(re.findall(r"\.(chat_\w+|conversations_\w+|usergroups_\w+|views_\w+|users_\w+|auth_\w+)\b", source))
    assert called <= METHOD_SCOPES.keys(), f"Web API methods without a known scope: {called - METHOD_SCOPES.keys()}"
    needed = {"commands"} | set(EVENT_SCOPES.values()) & scopes
    for method in called:
        allowed = METHOD_SCOPES[method]
        assert not allowed or allowed & scopes, f"{method} needs one of {allowed}"
        needed |= allowed & scopes
    assert scopes <= needed, f"scopes requested but unused: {scopes - needed}"


def test_settings(manifest):
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    assert settings["interactivity"]["is_enabled"] is True
    # HTTP mode serves events, commands and interactivity on one path.
    assert settings["interactivity"]["request_url"] == EVENTS_URL
    assert settings["event_subscriptions"]["request_url"] == EVENTS_URL
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_header_comment_explains_modes():
    head = MANIFEST_PATH.read_text(encoding="utf-8").split("\n_metadata:", 1)[0]
    assert "socket_mode_enabled: true" in head
    assert "socket_mode_enabled: false" in head
    assert "example.invalid" in head


def _drop_name(m):
    del m["display_information"]["name"]


def _drop_display_information(m):
    del m["display_information"]


def _socket_mode_as_string(m):
    m["settings"]["socket_mode_enabled"] = "yes"


def _unknown_top_level_key(m):
    m["slash_commands"] = m["features"]["slash_commands"]


def _command_without_slash(m):
    m["features"]["slash_commands"][0]["command"] = "pwp"


def _shortcut_name_too_long(m):
    m["features"]["shortcuts"][0]["name"] = "担当者へエスカレーション" * 3


def _shortcut_bad_type(m):
    m["features"]["shortcuts"][0]["type"] = "action"


def _interactivity_without_is_enabled(m):
    del m["settings"]["interactivity"]["is_enabled"]


def _bad_request_url(m):
    m["settings"]["event_subscriptions"]["request_url"] = "example.invalid/slack/events"


@pytest.mark.parametrize(
    "breaker",
    [
        _drop_name,
        _drop_display_information,
        _socket_mode_as_string,
        _unknown_top_level_key,
        _command_without_slash,
        _shortcut_name_too_long,
        _shortcut_bad_type,
        _interactivity_without_is_enabled,
        _bad_request_url,
    ],
)
def test_broken_manifest_is_rejected(validator, manifest, breaker):
    broken = copy.deepcopy(manifest)
    breaker(broken)
    assert _errors(validator, broken), f"{breaker.__name__}: schema accepted a broken manifest"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)
