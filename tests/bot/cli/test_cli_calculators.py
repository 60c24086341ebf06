"""The calculator subcommands, through a parser built the way bot/cli.py builds it."""

import argparse
import json
import re
import shutil

import pytest

from bot.cli import calculators as cli_calculators
from knowledge.loader import DATA_DIR

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faqbot")
    subparsers = parser.add_subparsers(dest="command", required=True)
    cli_calculators.register(subparsers)
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


@pytest.fixture(autouse=True)
def _no_frozen_clock(monkeypatch):
    monkeypatch.delenv("FAQBOT_NOW", raising=False)


def test_register_adds_the_four_subcommands():
    parser = build_parser()
    for argv in (["knowledge", "check"], ["pwp", "2027-03-31"], ["start-date", "--purchase", "2026-05-10"], ["contact", "修理"]):
        assert callable(parser.parse_args(argv).func)


# --- pwp ------------------------------------------------------------------------------------


def test_pwp_example_text(capsys):
    assert run(["pwp", "2027-03-31", "--today", "2026-11-21"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert "2026年12月31日" in first and "2027年3月31日" in first and "40日" in first
    assert "発注可能期間前です（あと40日）" in first
    assert "ルール:" in out
    assert "出典: Q22 / ハンドブック P17 / Rev.20181101（2018年11月時点）" in out


def test_pwp_example_json(capsys):
    assert run(["pwp", "2027-03-31", "--today", "2026-11-21", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["order_window_start"] == "2026-12-31"
    assert data["order_window_end"] == "2027-03-31"
    assert data["orderable_today"] is False
    assert data["state"] == "not_yet_open"
    assert data["days_until_open"] == 40
    assert data["citation"]["faq"] == "Q22" and data["citation"]["page"] == 17
    for key in ("rule", "warnings", "reasons", "next_action", "verdict"):
        assert key in data


def test_pwp_json_is_not_ascii_escaped(capsys):
    run(["pwp", "2027-03-31", "--today", "2026-11-21", "--json"])
    out = capsys.readouterr().out
    assert "\\u" not in out and "発注" in out


def test_pwp_all_options(capsys):
    argv = ["pwp", "令和9年3月31日", "--years", "2", "--care", "foundation", "--pwp-end", "2028/12/31",
            "--pwp-status", "fixed", "--today", "2027-01-15", "--json"]
    assert run(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "not_orderable"
    assert data["orderable_today"] is False
    assert data["pwp_status"] == "fixed"


def test_pwp_closed_window_offers_a_person_not_the_contact_center(capsys):
    # Q23 names the contact center only for renewals with under a year to the PWP end date (issue 15, defect 5).
    assert run(["pwp", "2027-03-31", "--today", "2027-04-01"]) == 0
    out = capsys.readouterr().out
    assert "apj-JP.supportcontracts@hpe.com" not in out
    assert "担当者におつなぎ" in out.splitlines()[0]
    assert "無効" not in out


def test_pwp_today_defaults_to_faqbot_now(capsys, monkeypatch):
    monkeypatch.setenv("FAQBOT_NOW", "2026-11-21T10:00:00+09:00")
    assert run(["pwp", "2027-03-31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["today"] == "2026-11-21"


def test_faqbot_now_in_utc_is_read_as_a_japan_date(capsys, monkeypatch):
    monkeypatch.setenv("FAQBOT_NOW", "2026-11-20T23:30:00Z")  # Saturday 08:30 JST
    assert run(["pwp", "2027-03-31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["today"] == "2026-11-21"


# --- start-date ---------------------------------------------------------------------------


def test_start_date_example(capsys):
    assert run(["start-date", "--purchase", "2026-05-10", "--years", "5", "--today", "2026-11-21"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert "2026年5月10日" in first and "2031年5月9日" in first
    assert "2027年5月9日" in out
    assert "出典: Q19 / ハンドブック P15" in out


def test_start_date_json(capsys):
    argv = ["start-date", "--purchase", "2026-05-10", "--years", "5", "--delivered", "2026-06-01",
            "--today", "2026-11-21", "--json"]
    assert run(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["start_date"] == "2026-05-10"
    assert data["end_date"] == "2031-05-09"
    assert data["purchase_deadline"] == "2027-05-09"
    assert data["registration_deadline"] == "2026-07-01"
    assert data["registration_overdue"] is True


def test_start_date_ship_date_only(capsys):
    assert run(["start-date", "--ship-date", "2026-04-20", "--years", "3", "--today", "2026-11-21", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["basis"] == "ship_date"
    assert data["start_date"] == "2026-04-20"


# --- contact -----------------------------------------------------------------------------


def test_contact_json(capsys):
    assert run(["contact", "修理", "--product", "network", "--at", "2026-11-21T10:00:00+09:00", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("center", "phones", "email", "open_now", "next_open"):
        assert key in data
    assert data["center"] == "修理依頼（ネットワーク製品用）"
    assert data["open_now"] is False
    assert data["next_open"] == "2026-11-24T09:00:00+09:00"
    assert data["matches"][0]["after_hours_alternative"]["open_now"] is True


def test_contact_text(capsys):
    assert run(["contact", "修理", "--product", "server", "--at", "2026-11-21T10:00:00+09:00"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert "修理依頼（サーバー、ストレージ製品用）" in first and "0120-220-119" in first
    assert "2026年11月24日（火） 8:45" in first
    assert "前提:" in out and "出典:" in out


def test_contact_at_in_utc(capsys):
    assert run(["contact", "repair", "--product", "server", "--at", "2026-11-20T23:30:00Z", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["at"] == "2026-11-21T08:30:00+09:00"
    assert data["open_now"] is False


def test_contact_delivered_after_a_week_names_no_other_desk(capsys):
    # P20 names only the quick rescue center (納品後一週間以内); no desk for later, never repair (issue 15, defect 1).
    argv = ["contact", "初期不良", "--product", "server", "--delivered", "2026-11-01",
            "--at", "2026-11-20T10:00:00+09:00", "--json"]
    assert run(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["purpose"] == "missing_or_defective"
    assert data["center"] == "クイック・レスキュー・センター"
    assert data["offer_human"] is True
    assert "修理" not in json.dumps(data, ensure_ascii=False).replace("修理依頼", "")


@pytest.mark.parametrize("argv", [["contact"], ["contact", "all"], ["contact", "一覧"]])
def test_contact_without_purpose_lists_every_desk(capsys, argv):
    assert run([*argv, "--at", "2026-11-21T10:00:00+09:00", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    ids = {c["id"] for c in data["contacts"]}
    assert {"pic", "cic", "repair-network-after-hours", "contact-center-contracts"} <= ids


def test_contact_at_defaults_to_faqbot_now(capsys, monkeypatch):
    monkeypatch.setenv("FAQBOT_NOW", "2026-11-20T12:30:00+09:00")
    assert run(["contact", "購入前", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["center"].startswith("パートナー・インフォメーション・センター")
    assert data["open_now"] is False
    assert data["next_open"] == "2026-11-20T13:00:00+09:00"


# --- knowledge check ----------------------------------------------------------------------------


def test_knowledge_check(capsys, seeds_path):
    assert run(["knowledge", "check"]) == 0
    out = capsys.readouterr().out
    assert "FAQ: 23件" in out
    for label in ("窓口:", "ウェブサイト:", "用語", "例文のある意図:", "例文:"):
        assert label in out
    # Every sentence the bot can say, checked against the seeds (knowledge/grounding.py).
    assert "根拠も印もない文: 0件" in out
    assert re.search(r"根拠のある文（ハンドブックに見つかる）: \d{3,}件", out)
    assert re.search(r"本ボットの解釈（※印つき）: \d{2,}件", out)


def test_knowledge_check_fails_on_an_unmarked_sentence(capsys, monkeypatch, tmp_path, seeds_path):
    for path in DATA_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    faq = (tmp_path / "faq.yaml").read_text(encoding="utf-8")
    invented = "それ以降は修理の窓口へ回してください。"
    (tmp_path / "faq.yaml").write_text(faq.replace("    納品物に関してはQ5をご参照ください。\n", f"    {invented}\n", 1), encoding="utf-8")
    monkeypatch.setattr(cli_calculators, "DATA_DIR", tmp_path)
    assert run(["knowledge", "check"]) == 1
    captured = capsys.readouterr()
    assert "根拠も印もない文: 1件" in captured.out and "問題はありません" not in captured.out
    assert "faq.yaml Q10 body" in captured.err and invented in captured.err


def test_knowledge_check_without_seeds_says_so(capsys, monkeypatch):
    monkeypatch.setattr("knowledge.grounding.seeds_dir", lambda: None)
    assert run(["knowledge", "check"]) == 0
    assert "FAQBOT_SEEDS_DIR" in capsys.readouterr().out


def test_knowledge_check_reports_broken_data(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(cli_calculators, "DATA_DIR", tmp_path)
    assert run(["knowledge", "check"]) == 1
    err = capsys.readouterr().err
    assert "知識データにエラーがあります" in err and "faq.yaml" in err
    assert len(err.strip().splitlines()) == 1


# --- bad input: exit 2, one Japanese line with an example call, no traceback ----------------------


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["pwp", "2027-02-30"], "存在しない日付"),
        (["pwp", "令和99年1月1日"], "対象外"),
        (["pwp", "令和0年1月1日"], "令和0年"),
        (["pwp", "2027-03-31", "--years", "3"], "1年または2年"),
        (["pwp", "2027-03-31", "--years", "0"], "1年または2年"),
        (["pwp", "2027-03-31", "--years", "two"], "整数"),
        (["pwp", "2027-03-31", "--care", "gold"], "foundation"),
        (["pwp", "2027-03-31", "--pwp-status", "fixed"], "--pwp-end"),
        (["pwp", "2027-03-31", "--pwp-end", "2027-13-01"], "13月"),
        (["pwp", "2027-03-31", "--today", "tomorrow"], "--today"),
        (["start-date", "--purchase", "2026-05-10", "--years", "0"], "1年以上"),
        (["start-date", "--purchase", "2026-05-10", "--years", "-2"], "1年以上"),
        (["start-date", "--purchase", "2026-05-10", "--years", "9"], "最長7年"),
        (["start-date", "--purchase", "2026-02-30"], "存在しない日付"),
        (["start-date", "--years", "5"], "--purchase"),
        (["start-date", "--purchase", "2026-05-10", "--delivered", "3/31"], "年がありません"),
        (["contact", "謎の用件"], "目的として認識できません"),
        (["contact", "修理", "--product", "toaster"], "認識できません"),
        (["contact", "修理", "--at", "yesterday"], "--at"),
        (["contact", "修理", "--at", "2026-11-21"], "時刻がありません"),
        (["contact", "修理", "--at", "2026-02-30T10:00"], "存在しない日付"),
    ],
)
def test_bad_input_exit_2_with_one_japanese_line(capsys, argv, fragment):
    assert run(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert fragment in lines[0]
    assert JAPANESE.search(lines[0])
    assert "例: faqbot " in lines[0]
    assert lines[0].count("例:") == 1
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["pwp"], "必須の引数がありません"),
        (["pwp", "2027-03-31", "--years"], "--years に値を指定してください"),
        (["knowledge"], "必須の引数がありません"),
    ],
)
def test_argparse_errors_are_one_japanese_line(capsys, argv, fragment):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "例: faqbot" in lines[0]


def test_bad_faqbot_now_is_exit_2(capsys, monkeypatch):
    monkeypatch.setenv("FAQBOT_NOW", "not-a-time")
    assert run(["pwp", "2027-03-31"]) == 2
    err = capsys.readouterr().err
    assert "FAQBOT_NOW" in err and len(err.strip().splitlines()) == 1
