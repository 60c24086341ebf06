"""`faqbot ask`, `classify`, `shell`, `eval` and `run`: the question pipeline from a terminal.

All of them go through intents.router — the same route() Slack uses.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.runtime import settings as settings_module
from bot.runtime.clock import ClockError, from_environment
from knowledge.dates import DateInputError, parse_moment

DEV_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "dev.jsonl"
SHELL_HELP = "質問を入力してください。/reset で話題をリセット、/quit で終了します。"


def register(subparsers: argparse._SubParsersAction) -> None:
    ask = subparsers.add_parser("ask", help="質問に1回答える")
    ask.add_argument("question")
    _now_option(ask)
    ask.add_argument("--json", action="store_true", help="回答を JSON で出力")
    ask.add_argument("--full", action="store_true", help="回答の元になった項目の全文を出力")
    ask.set_defaults(func=_ask)

    classify = subparsers.add_parser("classify", help="標準入力の質問（1行1問）を分類して JSON Lines で出力")
    _now_option(classify)
    classify.set_defaults(func=_classify)

    shell = subparsers.add_parser("shell", help="Slack なしでボットと会話する")
    _now_option(shell)
    shell.set_defaults(func=_shell)

    evaluate = subparsers.add_parser("eval", help="ラベル付き質問集で精度を測る")
    evaluate.add_argument("file", nargs="?", type=Path, help="ラベル付き質問集（既定 tests/data/dev.jsonl）")
    evaluate.add_argument(
        "--from-log",
        action="store_true",
        help="ボットのデータベース（FAQBOT_DB）の質問のうち、担当者が判断したものを回帰セットとして再生する",
    )
    evaluate.add_argument("--errors", type=int, default=40, help="表示する誤答の最大数")
    evaluate.set_defaults(func=_eval)

    run = subparsers.add_parser("run", help="Slack の設定があればボットを起動、なければ faqbot shell")
    run.set_defaults(func=_run)


def _now_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--now", help="現在時刻を固定する（ISO 8601、例: 2026-11-21T10:00:00+09:00）")


def _now(args: argparse.Namespace) -> datetime:
    """--now, else FAQBOT_NOW, else the current time in JST. Exits 2 on a bad value."""
    try:
        if getattr(args, "now", None):
            return parse_moment(args.now)
        return from_environment().now()
    except (DateInputError, ClockError) as exc:
        print(f"faqbot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _ask(args: argparse.Namespace) -> int:
    from intents.router import route

    answer = route(args.question, _now(args))
    if args.json:
        print(answer.model_dump_json(indent=2))
    else:
        print(answer.full_text() if args.full else answer.as_text())
    return 0


def _classify(args: argparse.Namespace) -> int:
    from intents.evaluation import predicted_intent
    from intents.router import route

    now = _now(args)
    for line in sys.stdin:
        text = line.rstrip("\n")
        answer = route(text, now)
        record = {
            "text": text,
            "intent": predicted_intent(answer),
            "score": round(answer.confidence, 4),
            "alternatives": [{"intent": c.intent, "score": c.score} for c in answer.alternatives],
            "answer": answer.as_text(),
        }
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


def _shell(args: argparse.Namespace) -> int:
    """A local chat over Slack's pipeline and store: what staff taught applies, questions are logged."""
    from bot.desk import teaching
    from bot.store import Store

    store = Store(settings_module.load().db_path)
    try:
        teaching.restore(store)
        print("faqbot shell — HPE サポートサービス FAQ ボット（ローカル）")
        print(SHELL_HELP)
        return _converse(store, getattr(args, "now", None))
    finally:
        store.close()


def _converse(store, fixed_now: str | None) -> int:
    from intents.answer import RouteContext
    from intents.router import route

    session = f"shell-{int(time.time())}"
    context = RouteContext()
    read_line = _line_reader()
    while True:
        try:
            text = read_line()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        command = text.strip()
        if command in ("/quit", "/exit", "/q"):
            return 0
        if command == "/reset":
            context = RouteContext()
            print("話題をリセットしました。")
            continue
        if command in ("/help", "/?"):
            print(SHELL_HELP)
            continue
        now = _now(argparse.Namespace(now=fixed_now))
        answer = route(text, now, context)
        store.log_question(
            channel="shell", ts=None, thread_ts=session, user=None, text=text, via="shell", answer=answer, at=now
        )
        print(f"\nfaqbot> {answer.as_text()}")
        if answer.alternatives and answer.kind in ("did_you_mean", "out_of_scope"):
            print("\n（候補: " + " / ".join(f"{c.intent} {c.score:.2f}" for c in answer.alternatives) + "）")
        if answer.kind in ("answer", "calculation"):
            context = RouteContext(last=answer)


def _line_reader() -> Callable[[], str]:
    """At a terminal, a line editor (arrow keys, history kept across sessions in
    ~/.faqbot_shell_history); from a pipe, plain lines."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return lambda: input("\nあなた> ")
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    prompt: PromptSession[str] = PromptSession(history=FileHistory(str(Path.home() / ".faqbot_shell_history")))
    return lambda: prompt.prompt("\nあなた> ")


def _eval(args: argparse.Namespace) -> int:
    from bot.desk import teaching
    from bot.store import Store
    from intents import evaluation
    from intents.router import rebuild

    # The bot is measured as it answers: the YAML examples plus those staff taught (bot/teaching.py).
    db = Path(settings_module.load().db_path)
    store = Store(db) if db.is_file() else None
    if args.from_log:
        if args.file is not None:
            print("faqbot: FILE と --from-log は同時に指定できません。例: faqbot eval --from-log", file=sys.stderr)
            return 2
        items = teaching.regression_set(store) if store else []
        name = f"{db.name} (logged questions with staff decisions)"
        if not items:
            print(
                f"faqbot: {db} に担当者が判断した質問がありません（「正しい回答を教える」か"
                "「ボットの回答で正しい」で判断すると加わります）。",
                file=sys.stderr,
            )
            return 2
    else:
        file = args.file or DEV_SET
        name = file.name
        if not file.is_file():
            print(f"faqbot: 評価ファイルが見つかりません: {file}", file=sys.stderr)
            return 2
        try:
            items = evaluation.load_labelled(file)
        except ValueError as exc:
            print(f"faqbot: {exc}", file=sys.stderr)
            return 2
    taught = teaching.taught_mapping(store.taught_examples()) if store else {}
    if store:
        store.close()
    started = time.perf_counter()
    pipeline = rebuild(taught)
    built = time.perf_counter()
    pipeline.route("ポストワランティはいつまで買える？", datetime.fromisoformat(evaluation.DEFAULT_NOW))
    first = time.perf_counter()
    outcomes = evaluation.evaluate(pipeline, items)
    s = evaluation.summarize(outcomes)
    p50, p99 = evaluation.latency(outcomes)

    print(f"# faqbot eval — {name}: {s.n} questions ({s.in_scope} in scope, {s.out_of_scope} out of scope)")
    if taught:
        print(f"taught examples merged: {sum(map(len, taught.values()))} (from {db})")
    print(f"top-1 accuracy (in scope)        {s.top1:.3f}")
    print(f"top-3 accuracy (in scope)        {s.top3:.3f}")
    print(f"answered right, no did-you-mean  {s.answered_right:.3f}")
    print(f"did-you-mean rate (all)          {s.did_you_mean:.3f}")
    print(f"did-you-mean rate (in scope)     {s.did_you_mean_in_scope:.3f}")
    print(f"  messages >= {evaluation.LONG_MESSAGE} characters     {s.did_you_mean_long:.3f} of {s.long_in_scope}")
    print(f"out-of-scope recall              {s.oos_recall:.3f}")
    print(f"out-of-scope precision           {s.oos_precision:.3f}")
    print(f"in-scope false rejections        {s.false_rejection:.3f}")
    if s.calc_checked:
        print(f"calculator figures wrong         {s.calc_wrong} of {s.calc_checked}")
    if s.facts_checked:
        print(f"fact in the lead paragraph       {s.fact_in_lead:.3f} (of {s.facts_checked} with facts)")
        print(f"fact anywhere in the reply       {s.fact_anywhere:.3f}")
    print(f"reply chars median / p90         {s.chars_median:.0f} / {s.chars_p90:.0f}")
    print(f"reply lines median / p90         {s.lines_median:.0f} / {s.lines_p90:.0f}")
    print(f"route() latency p50 / p99        {p50:.2f} ms / {p99:.2f} ms")
    print(f"cold start: build {1000 * (built - started):.0f} ms, first answer {1000 * (first - built):.0f} ms")

    print("\n## per intent (support, precision, recall)")
    for intent, support, precision, recall in evaluation.per_intent(outcomes):
        print(f"{intent:24s} {support:4d}  P {precision:.2f}  R {recall:.2f}")

    print("\n## by tag (count, share right)")
    for tag, (count, right) in evaluation.by_tag(outcomes).items():
        print(f"{tag:12s} {count:4d}  {right:.3f}")

    print("\n## threshold sweep (suggest floor: OOS recall, false rejections, did-you-mean, answered right)")
    policy = pipeline.policy
    for floor, recall, rejected, dym, right in evaluation.sweep(outcomes, pipeline):
        mark = "  <- current" if abs(floor - policy.suggest_threshold) < 1e-9 else ""
        print(f"{floor:.2f}  {recall:.3f}  {rejected:.3f}  {dym:.3f}  {right:.3f}{mark}")

    wrong = [o for o in outcomes if not o.right or o.calc_errors]
    print(f"\n## misclassified ({len(wrong)})")
    for o in wrong[: args.errors]:
        extra = f"  [{'; '.join(o.calc_errors)}]" if o.calc_errors else ""
        print(f"- gold {o.item.intent or 'null'} -> {o.predicted or 'null'} ({o.answer.kind}, {o.top_confidence:.2f}) {o.item.text}{extra}")
    if len(wrong) > args.errors:
        print(f"  … and {len(wrong) - args.errors} more (--errors N)")
    return 0


def _run(args: argparse.Namespace) -> int:
    from bot.cli import serve as cli_serve

    settings = settings_module.load()
    if cli_serve.slack_configured(settings):
        return cli_serve.serve_from_settings(settings)
    print("Slack のトークンが設定されていないため、ローカルの faqbot shell を起動します。")
    return _shell(argparse.Namespace(now=None))
