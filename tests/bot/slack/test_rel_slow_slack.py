"""A slow Slack: commands, buttons, modals and shortcuts are acknowledged in time while event jobs
wait on Slack's answers (the production listener pools, bot/slack/app.py: ListenerPools)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from slack_harness import STAFF, STAFF_CHANNEL, Harness, action_value, make_settings
from slack_support import mention

from bot.desk import controls
from bot.runtime.clock import Clock
from bot.slack.app import LISTENER_THREADS, ListenerPools, build_app
from bot.slack.services import Services
from bot.store import Store

# Longer than Slack's 3 s for an acknowledgement: a request queued behind the event jobs misses it.
SLACK_SECONDS = 5.0


def test_rel_interactive_requests_are_acknowledged_while_event_jobs_wait_on_slack(recorder, tmp_path):
    settings = make_settings(recorder, tmp_path)
    store = Store(settings.db_path)
    pools = ListenerPools()
    app = build_app(Services.build(settings, store, Clock.from_setting(settings.now)), listener_executor=pools)
    harness = Harness(app, recorder, store, pools)  # type: ignore[arg-type]  # drained by shutdown below
    try:
        # Three answered questions whose 「担当者に相談」 will be pressed.
        for i in range(3):
            assert harness.event(mention("CSNのIDはどうやって取るの？", ts=f"700.00000{i}")).status == 200
        answers = [c.params for c in recorder.wait_for("chat.postMessage", 3)]

        recorder.slow("chat.postMessage", seconds=SLACK_SECONDS, times=10_000)
        # More questions than event threads: every one of them waits on Slack, more are queued.
        for i in range(LISTENER_THREADS + 8):
            assert harness.event(mention("修理の電話番号は？", ts=f"701.{i:06d}")).status == 200

        def press(answer: dict) -> int:
            value = action_value(answer["blocks"], controls.ESCALATE)
            return harness.click(
                controls.ESCALATE, value, message_ts="1800000000.999999", thread_ts=answer["thread_ts"]
            ).status

        def shortcut() -> int:
            return harness.payload(
                {
                    "type": "message_action",
                    "callback_id": controls.ESCALATE_SHORTCUT,
                    "trigger_id": "trigger.3",
                    "user": {"id": STAFF},
                    "team": {"id": "T0001"},
                    "channel": {"id": "C0001"},
                    "message": {"type": "message", "ts": "702.000001", "user": "UPARTNER", "text": "質問"},
                    "response_url": recorder.url + "/response/shortcut",
                }
            ).status

        with ThreadPoolExecutor(max_workers=10) as clients:
            commands = [clients.submit(harness.command, "/pwp", "2027-03-31") for _ in range(5)]
            presses = [clients.submit(press, answer) for answer in answers]
            shortcuts = [clients.submit(shortcut) for _ in range(2)]
            # Bolt answers 404 when a listener has not acknowledged within Slack's 3 seconds.
            assert [f.result().status for f in commands] == [200] * 5
            assert [b'"response_type": "ephemeral"' in f.result().body.encode() for f in commands] == [True] * 5
            assert [f.result() for f in presses] == [200] * 3
            assert [f.result() for f in shortcuts] == [200] * 2
    finally:
        pools.shutdown(wait=True)
        store.close()
    # The work behind the acknowledgements was done too: a staff card for each press.
    assert len(recorder.messages_in(STAFF_CHANNEL)) == 3
