"""The staff console and the JSONL interface, run as a clerk or a script would run them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_cli(args: list[str], stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_console_numbers_options_and_debug_shows_slots(tmp_path):
    result = run_cli(["chat", "--store", f"sqlite:{tmp_path / 's.sqlite3'}", "--today", "2026-11-22", "--debug",
                      "--history", str(tmp_path / "h")],
                     "失业金一个月多少钱\n1\n/quit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] 乌鲁木齐市" in out and "1530元/月" in out
    assert "intent=unemployment_benefit" in out and '"region": "乌鲁木齐市"' in out and "state=answered" in out


def test_console_remembers_the_conversation_across_restarts(tmp_path):
    store = f"sqlite:{tmp_path / 's.sqlite3'}"
    first = run_cli(["chat", "--store", store, "--today", "2026-11-22"], "我被公司裁员了，能领失业金吗？\n乌鲁木齐市\n核对申领条件\n")
    assert "（1/2）" in first.stdout
    second = run_cli(["chat", "--store", store, "--today", "2026-11-22"], "是\n已办理\n")
    assert "您符合申领条件" in second.stdout


def test_jsonl_one_reply_per_line_and_errors_as_objects():
    lines = "\n".join([
        json.dumps({"session": "a", "text": "失业金一个月多少钱"}, ensure_ascii=False),
        json.dumps({"session": "b", "text": "你好"}, ensure_ascii=False),
        "not json",
        json.dumps({"session": "a", "text": "乌鲁木齐市"}, ensure_ascii=False),
    ]) + "\n"
    result = run_cli(["chat", "--jsonl", "--store", "memory", "--today", "2026-11-22"], lines)
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(replies) == 4
    assert replies[0]["state"] == "asking_region" and replies[0]["options"][0] == "乌鲁木齐市"
    assert replies[1]["intent"] == "greeting"
    assert "error" in replies[2] and "第3行" in replies[2]["error"]
    assert "1530元/月" in replies[3]["text"] and replies[3]["policy"] == "urumqi.unemployment_benefit"
    assert set(replies[3]) == {"text", "options", "intent", "policy", "confidence", "state", "sources"}


def test_broken_knowledge_refuses_to_start_with_the_reason(tmp_path):
    import shutil

    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    path = tmp_path / "knowledge/policies/000_urumqi.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("contacts: [urumqi.000-3]", "contacts: [nope]"),
                    encoding="utf-8")
    result = run_cli(["chat", "--knowledge", str(tmp_path / "knowledge"), "--store", "memory"], "")
    assert result.returncode == 2
    assert "nope" in result.stderr and "000_urumqi.yaml" in result.stderr and "Traceback" not in result.stderr
