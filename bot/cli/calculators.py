"""`faqbot` subcommands for the calculators and the data check.

    faqbot knowledge check
    faqbot pwp END_DATE [--years 1|2] [--care foundation|proactive] [--pwp-end DATE]
                        [--pwp-status blank|planned|fixed] [--today DATE] [--json]
    faqbot start-date --purchase DATE [--ship-date DATE] [--years N] [--delivered DATE] [--today DATE] [--json]
    faqbot contact [PURPOSE] [--product server|storage|network|aruba] [--at ISO8601] [--delivered DATE] [--json]

bot/cli.py calls register(subparsers), parses, then `return args.func(args)`:
the return value is the exit code (0 ok, 1 broken knowledge data, 2 bad input).
Bad input never raises: one Japanese line on stderr (what is wrong + an example
call) and exit code 2. Argument values are taken as plain strings and
validated here, so argparse's English messages only appear for errors of the
top-level parser (e.g. unrecognised options).

--today / --at default to FAQBOT_NOW (ISO 8601; a bare date means 00:00 JST)
when set, else the current time in JST.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, NoReturn

from bot.runtime.clock import ClockError, from_environment
from intents import calculations
from intents.answer import Answer
from knowledge import grounding
from knowledge.calculators.common import CalculatorInputError
from knowledge.calculators.contact_routing import parse_product, parse_purpose
from knowledge.calculators.post_warranty import CONTACT_CENTER_ID
from knowledge.calendar import JST
from knowledge.dates import DateInputError, parse_date, parse_moment
from knowledge.loader import DATA_DIR, KnowledgeError, load_from
from knowledge.models import Purpose

EXAMPLES = {
    "knowledge": "例: faqbot knowledge check",
    "pwp": "例: faqbot pwp 2027-03-31 --years 1 --today 2026-11-21",
    "start-date": "例: faqbot start-date --purchase 2026-05-10 --years 5",
    "contact": "例: faqbot contact 修理 --product server --at 2026-11-21T10:00:00+09:00",
}
ALL_PURPOSE_WORDS = {"all", "全部", "すべて", "全て", "一覧", "list"}


class InputProblem(Exception):
    """Bad CLI input: the message is one Japanese line including an example call."""


# --- argparse plumbing ------------------------------------------------------------


def _translate_argparse(message: str) -> str:
    if m := re.match(r"the following arguments are required: (.+)", message):
        return f"必須の引数がありません: {m.group(1)}"
    if m := re.match(r"argument (\S+?)(?:/\S+)?: expected one argument", message):
        return f"{m.group(1)} に値を指定してください"
    if m := re.match(r"argument (\S+?)(?:/\S+)?: invalid choice: (.+?) \(choose from (.+)\)", message):
        return f"{m.group(1)} に {m.group(2)} は指定できません（指定できる値: {m.group(3)}）"
    if m := re.match(r"unrecognized arguments: (.+)", message):
        return f"認識できない引数があります: {m.group(1)}"
    if m := re.match(r"argument (\S+?)(?:/\S+)?: ignored explicit argument (.+)", message):
        return f"{m.group(1)} に値 {m.group(2)} は指定できません"
    return f"引数を解釈できません（{message}）"


def _japanese_errors(parser: argparse.ArgumentParser, example: str) -> argparse.ArgumentParser:
    """Make parser.error print one Japanese line and exit 2 (instead of argparse's English usage)."""

    def error(message: str) -> NoReturn:
        sys.stderr.write(f"{_translate_argparse(message)}。{example}\n")
        raise SystemExit(2)

    parser.error = error  # type: ignore[method-assign]
    return parser


def _run(kind: str, body: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Wrap a handler: bad input -> one Japanese line on stderr, exit code 2; broken data -> exit 1."""

    def handler(args: argparse.Namespace) -> int:
        try:
            return body(args)
        except InputProblem as exc:
            _fail(str(exc))
            return 2
        except (CalculatorInputError, DateInputError) as exc:
            line = str(exc)
            if "例: faqbot" not in line:
                reason = getattr(exc, "reason", line)
                line = f"{reason} {EXAMPLES[kind]}"
            _fail(line)
            return 2
        except KnowledgeError as exc:
            _fail(f"知識データにエラーがあります: {exc}")
            return 1

    return handler


def _fail(line: str) -> None:
    sys.stderr.write(" ".join(line.split("\n")) + "\n")


def _emit(text: str) -> None:
    sys.stdout.write(text.rstrip("\n") + "\n")


def register(subparsers: Any) -> None:
    """Add `knowledge`, `pwp`, `start-date` and `contact` to the faqbot CLI's subparsers."""
    # knowledge check
    kp = _japanese_errors(
        subparsers.add_parser("knowledge", help="知識データ（knowledge/data/*.yaml）の操作", description="知識データの操作"),
        EXAMPLES["knowledge"],
    )
    ksub = kp.add_subparsers(dest="knowledge_command", metavar="check", required=True)
    kc = _japanese_errors(
        ksub.add_parser("check", help="すべてのデータを検証して件数を表示", description="すべてのデータを検証して件数を表示します"),
        EXAMPLES["knowledge"],
    )
    kc.set_defaults(func=_run("knowledge", _knowledge_check))

    # pwp
    pp = _japanese_errors(
        subparsers.add_parser(
            "pwp",
            help="ポストワランティサービスの発注可能期間と購入可否（Q22/Q23）",
            description="ポストワランティサービスの発注可能期間と購入可否を計算します（Q22、Q23、Q1）。",
        ),
        EXAMPLES["pwp"],
    )
    pp.add_argument("end_date", metavar="END_DATE", help="製品標準保証または保守契約の終了日（例: 2027-03-31、令和9年3月31日）")
    pp.add_argument("--years", default="1", help="ポストワランティサービスの期間: 1 または 2（既定 1）")
    pp.add_argument("--care", default=None, help="保守レベル: foundation（ファウンデーションケア）または proactive（プロアクティブケア）")
    pp.add_argument("--pwp-end", default=None, help="ポストワランティサービス終了日（終了日確認サイトの表示）")
    pp.add_argument("--pwp-status", default=None, help="終了日の備考欄: blank（空欄）、planned（予定）、fixed（確定）")
    pp.add_argument("--today", default=None, help="判定する日（既定: FAQBOT_NOW または今日、日本時間）")
    pp.add_argument("--json", action="store_true", help="結果をJSONで出力")
    pp.set_defaults(func=_run("pwp", _pwp))

    # start-date
    sp = _japanese_errors(
        subparsers.add_parser(
            "start-date",
            help="保守開始日・終了日・購入期限・登録期限（Q19）",
            description="サポートサービスの保守開始日・終了日・購入可能期間・登録期限を計算します（Q19、Q10、Q12、Q14）。",
        ),
        EXAMPLES["start-date"],
    )
    sp.add_argument("--purchase", default=None, help="保証書に記入されたハードウェアのご購入日（--ship-date がない場合は必須）")
    sp.add_argument("--ship-date", default=None, help="ハードウェアの当社出荷日（保証書がない場合）")
    sp.add_argument("--years", default="3", help="サービス期間（年、1～7、既定 3）")
    sp.add_argument("--delivered", default=None, help="サポートサービスの納品日（登録期限の計算に使用）")
    sp.add_argument("--today", default=None, help="判定する日（既定: FAQBOT_NOW または今日、日本時間）")
    sp.add_argument("--json", action="store_true", help="結果をJSONで出力")
    sp.set_defaults(func=_run("start-date", _start_date))

    # contact
    cp = _japanese_errors(
        subparsers.add_parser(
            "contact",
            help="目的・製品・日時に合う問い合わせ窓口（P20）",
            description="目的・製品・日時に合う問い合わせ窓口と受付状況を表示します（P20）。目的を省略すると全窓口の一覧です。",
        ),
        EXAMPLES["contact"],
    )
    cp.add_argument("purpose", metavar="PURPOSE", nargs="?", default=None, help="目的（例: 修理、初期不良、使い方、登録変更、PWP、ライセンス、all）")
    cp.add_argument("--product", default=None, help="製品: server、storage、network、aruba（DL360、MSA、スイッチ等も可）")
    cp.add_argument("--at", default=None, help="日時（ISO 8601、オフセットなしは日本時間。既定: FAQBOT_NOW または現在）")
    cp.add_argument("--delivered", default=None, help="納品日（欠品・初期不良は納品後一週間以内）")
    cp.add_argument("--json", action="store_true", help="結果をJSONで出力")
    cp.set_defaults(func=_run("contact", _contact))


# --- input helpers ----------------------------------------------------------------


def _env_now() -> datetime:
    try:
        return from_environment().now()
    except ClockError as exc:
        raise InputProblem(f"{exc} 例: FAQBOT_NOW=2026-11-21T10:00:00+09:00") from None


def _date_arg(value: str | None, option: str, kind: str) -> date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except DateInputError as exc:
        raise InputProblem(f"{option} の日付: {exc.reason} {EXAMPLES[kind]}") from None


def _today(value: str | None, kind: str) -> date:
    if value is not None:
        parsed = _date_arg(value, "--today", kind)
        assert parsed is not None
        return parsed
    return _env_now().date()


def _int_arg(value: str, option: str, kind: str) -> int:
    text = unicodedata.normalize("NFKC", value).strip().removesuffix("年")
    if not re.fullmatch(r"[+-]?\d+", text):
        raise InputProblem(f"{option} は整数で指定してください（「{value}」は数値ではありません）。{EXAMPLES[kind]}")
    return int(text)


# --- handlers ----------------------------------------------------------------------


def _knowledge_check(args: argparse.Namespace) -> int:
    knowledge = load_from(DATA_DIR)
    problems: list[str] = []
    if CONTACT_CENTER_ID not in knowledge.contacts:
        problems.append(f"contacts.yaml に '{CONTACT_CENTER_ID}'（HPEコンタクトセンター）がありません（pwp 計算で使用）")
    for purpose in Purpose:
        if not any(purpose in c.purposes for c in knowledge.contacts.values()):
            problems.append(f"contacts.yaml に目的 '{purpose.value}' の窓口がありません")
    if problems:
        raise KnowledgeError("; ".join(problems))
    counts = knowledge.counts()
    lines = [
        "知識データを検証しました。問題はありません。",
        f"FAQ: {counts['faq']}件",
        f"窓口: {counts['contacts']}件",
        f"ウェブサイト: {counts['websites']}件",
        f"用語（同義語）: {counts['glossary']}件",
        f"例文のある意図: {counts['intents_with_examples']}件",
        f"例文: {counts['examples']}件",
    ]
    # Every sentence the bot can say: the handbook's, or marked as the bot's reading (knowledge/grounding.py).
    from intents.inventory import all_texts
    from intents.router import Pipeline

    report = grounding.check_knowledge(knowledge, all_texts(Pipeline.build(knowledge)))
    lines += report.summary() if report else [grounding.SEEDS_MISSING]
    if report and report.unmarked:
        _emit("\n".join(lines[1:]))
        raise KnowledgeError(f"根拠も印もない文があります: {report.offenders()}")
    _emit("\n".join(lines))
    return 0


def _pwp(args: argparse.Namespace) -> int:
    end = _date_arg(args.end_date, "END_DATE", "pwp")
    assert end is not None
    pwp_end = _date_arg(args.pwp_end, "--pwp-end", "pwp")
    inputs = {
        "coverage_end": end.isoformat(),
        "years": _int_arg(args.years, "--years", "pwp"),
        "care_level": args.care,
        "pwp_end": pwp_end.isoformat() if pwp_end else None,
        "pwp_status": args.pwp_status,
    }
    return _show(calculations.pwp_answer(inputs, _at_day(_today(args.today, "pwp")), 1.0, []), args.json)


def _start_date(args: argparse.Namespace) -> int:
    purchase = _date_arg(args.purchase, "--purchase", "start-date")
    ship = _date_arg(args.ship_date, "--ship-date", "start-date")
    if purchase is None and ship is None:
        raise InputProblem(f"--purchase（ご購入日）を指定してください（保証書がない場合は --ship-date）。{EXAMPLES['start-date']}")
    delivered = _date_arg(args.delivered, "--delivered", "start-date")
    inputs = {
        "purchase": purchase.isoformat() if purchase else None,
        "ship_date": ship.isoformat() if ship else None,
        "years": _int_arg(args.years, "--years", "start-date"),
        "delivered": delivered.isoformat() if delivered else None,
    }
    now = _at_day(_today(args.today, "start-date"))
    return _show(calculations.start_date_answer(inputs, now, 1.0, []), args.json)


def _contact(args: argparse.Namespace) -> int:
    if args.at is not None:
        try:
            at = parse_moment(args.at)
        except DateInputError as exc:
            raise InputProblem(f"--at の日時: {exc.reason} {EXAMPLES['contact']}") from None
    else:
        at = _env_now()
    delivered = _date_arg(args.delivered, "--delivered", "contact")
    product = parse_product(args.product)
    purpose_text = (args.purpose or "").strip()
    listing = not purpose_text or unicodedata.normalize("NFKC", purpose_text).lower() in ALL_PURPOSE_WORDS
    inputs = {
        "purpose": None if listing else parse_purpose(purpose_text).value,
        "product": product.value if product else None,
        "at": at.isoformat(),
        "delivered": delivered.isoformat() if delivered else None,
    }
    return _show(calculations.contact_answer(inputs, at, 1.0, []), args.json)


def _at_day(day: date) -> datetime:
    """The calculators read only the date of `now`; noon JST keeps it on that day."""
    return datetime.combine(day, time(12, 0), tzinfo=JST)


def _show(answer: Answer, as_json: bool) -> int:
    """The same answer Slack and `faqbot ask` give; --json prints the calculator's result object."""
    if as_json and answer.calculation is not None:
        print(json.dumps(answer.calculation["result"], ensure_ascii=False, indent=2))
    else:
        _emit(answer.full_text())
    return 0
