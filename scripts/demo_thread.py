"""One partner thread end to end, as Slack's Web API sees it.

Drives the real Bolt app with signed requests (the test suite's harness) and
prints every Web API call the recorder on 127.0.0.1 received: a question, the
answer in its thread, a follow-up without a mention, the 担当者に相談 button,
a staff member claiming the case and resolving it; then a question about one
row of a table and its 「全文を見る」 modal. Nothing leaves this machine.

    .venv/bin/python scripts/demo_thread.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bot" / "support")]

from slack_harness import STAFF, STAFF_CHANNEL, Harness, action_value, make_settings  # noqa: E402
from slack_support import Recorder, TrackingExecutor, mention, message  # noqa: E402

from bot.desk.controls import CASE_CLAIM, CASE_RESOLVE, ESCALATE, FULL_ENTRY  # noqa: E402
from bot.runtime.clock import Clock  # noqa: E402
from bot.slack.app import create_app  # noqa: E402
from bot.store import Store  # noqa: E402

ROOT_TS = "1700000100.000100"


def show(recorder: Recorder, since: int, step: str) -> int:
    print(f"\n## {step}")
    for call in recorder.calls[since:]:
        params = call.params
        where = params.get("channel", "")
        if params.get("thread_ts"):
            where += f" thread {params['thread_ts']}"
        text = (params.get("text") or "").splitlines()[0] if params.get("text") else ""
        if call.method == "views.open":
            view = params["view"]
            first = [b["text"]["text"].splitlines()[0] for b in view["blocks"][1:4] if "text" in b]
            text = f"modal 「{view['blocks'][0]['text']['text']}」, {len(view['blocks'])} blocks: " + " / ".join(first)
        print(f"{call.method:20s} {where:40s} {text}")
    return len(recorder.calls)


def main() -> int:
    recorder = Recorder().start()
    workdir = Path(tempfile.mkdtemp(prefix="faqbot-demo-"))
    settings = make_settings(recorder, workdir)
    store = Store(settings.db_path)
    executor = TrackingExecutor()
    app = create_app(settings, store, Clock.from_setting(settings.now), listener_executor=executor)
    harness = Harness(app, recorder, store, executor)
    try:
        seen = 0
        harness.event(mention("保証が2027/3/31で切れます。PWPはいつから発注できますか？", ts=ROOT_TS))
        harness.drain()
        seen = show(recorder, seen, "partner: @faqbot 保証が2027/3/31で切れます。PWPはいつから発注できますか？")

        harness.event(message("2年なら？", ts="1700000200.000200", thread_ts=ROOT_TS))
        harness.drain()
        seen = show(recorder, seen, "partner, in the thread, no mention: 2年なら？")

        reply = harness.replies_in("C0001", ROOT_TS)[-1]
        question_id = action_value(reply["blocks"], ESCALATE)
        reply_ts = store.question(int(question_id))["reply_ts"]
        harness.click(ESCALATE, question_id, message_ts=reply_ts, thread_ts=ROOT_TS)
        harness.drain()
        seen = show(recorder, seen, "partner presses 担当者に相談")

        case = store.case_for_thread("C0001", ROOT_TS)
        for action, step in ((CASE_CLAIM, "staff presses 担当する"), (CASE_RESOLVE, "staff presses 解決済み")):
            harness.click(action, str(case.id), user=STAFF, channel=STAFF_CHANNEL, message_ts=store.case(case.id).staff_ts)
            harness.drain()
            seen = show(recorder, seen, step)
        print(f"\ncase #{case.id}: {store.case(case.id).status.value}")

        row_ts = "1700000300.000300"
        harness.event(mention("MSL 2024の保証は？", ts=row_ts))
        harness.drain()
        seen = show(recorder, seen, "partner: @faqbot MSL 2024の保証は？")
        reply = harness.replies_in("C0001", row_ts)[-1]
        question_id = action_value(reply["blocks"], FULL_ENTRY)
        reply_ts = store.question(int(question_id))["reply_ts"]
        harness.click(FULL_ENTRY, question_id, message_ts=reply_ts, thread_ts=row_ts)
        harness.drain()
        show(recorder, seen, "partner presses 全文を見る")
    finally:
        executor.drain()
        executor.shutdown()
        store.close()
        recorder.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
