"""faqbot ask / classify / eval / shell through the real console script entry point."""

import json
import subprocess
import sys
from pathlib import Path

from bot.cli.main import main

NOW = "2026-11-21T10:00:00+09:00"


def test_ask_prints_the_answer_with_its_source(capsys):
    assert main(["ask", "ﾎﾟｽﾄﾜﾗﾝﾃｨっていつまで買える", "--now", NOW]) == 0
    out = capsys.readouterr().out
    assert "ポストワランティサービス終了日確認サイト" in out
    assert "出典: Q23 / ハンドブック P18" in out


def test_ask_json_is_the_answer_object(capsys):
    assert main(["ask", "保証終了日が2027年3月31日ですが、PWPはいつから？", "--now", NOW, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["intent"] == "pwp"
    assert data["calculation"]["result"]["order_window_start"] == "2026-12-31"


def test_bad_now_is_one_japanese_line_and_exit_2(capsys):
    try:
        main(["ask", "PWP", "--now", "someday"])
    except SystemExit as exc:
        assert exc.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("faqbot: ") and "\n" not in err and "例" in err


def test_unknown_command_exits_2(capsys):
    try:
        main(["frobnicate"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "faqbot" in capsys.readouterr().err


def test_classify_contract_one_json_object_per_line():
    lines = "CSNのID欲しい\nZoomのリンク送って\n"
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "classify", "--now", NOW], input=lines, capture_output=True, text=True, check=True
    )
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["intent"] for r in records] == ["Q12", None]
    for r in records:
        assert set(r) == {"text", "intent", "score", "alternatives", "answer"}
        assert 0.0 <= r["score"] <= 1.0
        assert all(set(a) == {"intent", "score"} for a in r["alternatives"])
        assert r["answer"]


def test_eval_reports_the_figures(tmp_path, capsys):
    labelled = tmp_path / "mini.jsonl"
    rows = [
        {"text": "CSNのID欲しい", "intent": "Q12"},
        {"text": "Zoomのリンク送って", "intent": None},
        {"text": "保証終了日2027/3/31、PWPいつから？", "intent": "pwp", "expect": {"order_window_start": "2026-12-31"}},
    ]
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert main(["eval", str(labelled)]) == 0
    out = capsys.readouterr().out
    assert "top-1 accuracy (in scope)        1.000" in out
    assert "out-of-scope recall              1.000" in out
    assert "calculator figures wrong         0 of 1" in out
    assert "threshold sweep" in out and "misclassified (0)" in out


def test_eval_missing_file_exits_2(capsys):
    assert main(["eval", str(Path("/nonexistent/dev.jsonl"))]) == 2


def test_shell_keeps_thread_context_and_logs_to_the_store(tmp_path):
    import os

    from bot.store import Store

    db = tmp_path / "shell.db"
    script = "保証が2027/3/31で切れます。PWPはいつから？\n2年なら？\n/quit\n"
    env = {**os.environ, "FAQBOT_DB": str(db)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "shell", "--now", NOW],
        input=script, capture_output=True, text=True, check=True, env=env,
    )
    assert proc.stdout.count("発注可能期間") >= 2
    assert "2029年3月31日" in proc.stdout  # the 2-year term's end
    store = Store(db)
    logged = [row["text"] for row in store.db.query("SELECT text FROM questions WHERE via = 'shell' ORDER BY id")]
    store.close()
    assert logged == ["保証が2027/3/31で切れます。PWPはいつから？", "2年なら？"]


def test_shell_at_a_terminal_edits_lines_and_keeps_history(tmp_path):
    """Arrow keys move the cursor (no escape codes in the question); ↑ recalls the last line."""
    import os
    import pty
    import select
    import time

    from bot.store import Store

    db = tmp_path / "shell.db"
    env = {**os.environ, "FAQBOT_DB": str(db), "HOME": str(tmp_path), "TERM": "xterm"}
    fd, tty = pty.openpty()
    # A session of its own, the pseudo-terminal as its controlling terminal: as at a real prompt.
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "shell", "--now", NOW],
        stdin=tty, stdout=tty, stderr=tty, env=env, start_new_session=True, close_fds=True,
    )
    os.close(tty)

    def read_until(marker: bytes, timeout: float = 120) -> bytes:
        seen = b""
        deadline = time.monotonic() + timeout
        while marker not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
        assert marker in seen, (proc.poll(), seen[-500:])
        return seen

    try:
        read_until("あなた>".encode())
        # "CSNのID" typed as "CSNID", then ← ← and "の" inserted before "ID".
        os.write(fd, "CSNID\x1b[D\x1b[Dの\r".encode())
        read_until(b"faqbot>")
        read_until("あなた>".encode())
        os.write(fd, b"\x1b[A\r")  # the previous question again, from history
        read_until(b"faqbot>")
        read_until("あなた>".encode())
        os.write(fd, b"/quit\r")
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(fd)
    store = Store(db)
    logged = [row["text"] for row in store.db.query("SELECT text FROM questions WHERE via = 'shell' ORDER BY id")]
    store.close()
    assert logged == ["CSNのID", "CSNのID"]
    assert (tmp_path / ".faqbot_shell_history").exists()


def test_eval_defaults_to_the_dev_set():
    from bot.cli.chat import DEV_SET

    assert DEV_SET.is_file() and DEV_SET.name == "dev.jsonl"
