"""The scripted-dialog format, runner, recorder and pytest plugin (tests/dialogs/conftest.py)."""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.dialogtests import runner as runner_module
from bot.dialogtests.format import DEFAULT_TODAY, load_dialog_file
from bot.dialogtests.record import pick_fragments, yaml_text
from bot.dialogtests.runner import Runner
from bot.knowledge import validate
from bot.knowledge.loader import DEFAULT_INTENTS_DIR, DEFAULT_KNOWLEDGE_DIR, PACKAGE_ROOT

PHONE = "0991-2337209"   # 天山区社保分中心, printed in the 乌鲁木齐 source next to 申领失业保险金

GOOD = """\
# 头部注释可以随便写
- name: 失业金天山区电话
  tags: [失业金, 乌鲁木齐]
  steps:
    - user: 乌鲁木齐失业金去哪里办
      intent: unemployment_benefit
      policy: urumqi.unemployment_benefit
      state: asking_district
      options_include: 天山区
    - user: 天山区
      contains: [天山区社保分中心, 0991-2337209]
      contains_any: [0991-2337209, 0991-0000000]
      not_contains: 0991-3305028
      matches: '电话\\s*0991-\\d{7}'
      state: answered

- name: 范围外
  tags: 范围外
  steps:
    - user: 今天天气怎么样
      intent: null
      policy: null
      state: fallback
      options: [看看能问什么, 人工咨询电话]
"""

FAILING = """\
- name: 电话写错了
  steps:
    - user: 乌鲁木齐失业金去哪里办
      state: asking_district
    - user: 天山区
      contains: 0991-2330000
      state: answered
    - user: 这一步不会执行
"""


def write(tmp_path: Path, text: str, name: str = "d.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------- format

def test_good_file_parses_with_lines_and_null_intent(tmp_path):
    dialogs, problems = load_dialog_file(write(tmp_path, GOOD))
    assert problems == []
    assert [d.name for d in dialogs] == ["失业金天山区电话", "范围外"]
    first, second = dialogs
    assert first.line == 2 and first.tags == ("失业金", "乌鲁木齐") and first.today is None
    assert first.steps[1].line == 10
    assert [e.kind for e in first.steps[1].expectations] == ["contains", "contains_any", "not_contains", "matches",
                                                             "state"]
    assert second.tags == ("范围外",)
    intent = second.steps[0].expectations[0]
    assert (intent.kind, intent.value, intent.line) == ("intent", None, 21)


def test_single_string_numbers_and_dates_are_text(tmp_path):
    path = write(tmp_path, "- name: x\n  today: 2023-06-01\n  steps:\n    - user: 1\n      contains: 1530\n"
                           "      not_contains: 2023-12-31\n")
    [dialog], problems = load_dialog_file(path)
    assert problems == []
    assert dialog.today == date(2023, 6, 1)
    step = dialog.steps[0]
    assert step.user == "1"
    assert [e.value for e in step.expectations] == [("1530",), ("2023-12-31",)]


MISTAKES = [
    # (what, file text, line, words the message must contain)
    ("unknown key in a step", "- name: x\n  steps:\n    - user: 你好\n      contians: 乌鲁木齐\n",
     4, ["contians", "不认识", "是不是想写 contains"]),
    ("check written at dialog level", "- name: x\n  state: idle\n  steps:\n    - user: 你好\n",
     2, ["state", "steps 下面", "user 同一层"]),
    ("wrong type", "- name: x\n  steps:\n    - user: 你好\n      contains:\n        a: b\n",
     4, ["contains", "应该是一段文字"]),
    ("bad indentation", "- name: x\n  steps:\n    - user: 你好\n      contains: a\n     state: idle\n",
     5, ["YAML 格式错误", "缩进"]),
    ("dialogs: mapping", "dialogs:\n  - name: x\n    steps:\n      - user: 你好\n",
     1, ["dialogs", "删掉"]),
    ("missing dash", "name: x\nsteps:\n  - user: 你好\n", 1, ["少了“- ”"]),
    ("check on its own dash", "- name: x\n  steps:\n    - user: 你好\n    - state: idle\n",
     4, ["缺少 user", "同一个“- ”"]),
    ("unknown state", "- name: x\n  steps:\n    - user: 你好\n      state: anwsered\n",
     4, ["是不是想写 answered", "asking_region"]),
    ("bad regex", "- name: x\n  steps:\n    - user: 你好\n      matches: '([a'\n", 4, ["正则表达式"]),
    ("impossible date", "- name: x\n  today: 2026-13-01\n  steps:\n    - user: 你好\n", 2, ["不是一个真实的日期"]),
    ("date as text", "- name: x\n  today: 明天\n  steps:\n    - user: 你好\n", 2, ["YYYY-MM-DD"]),
    ("duplicate key", "- name: x\n  steps:\n    - user: 你好\n      contains: a\n      contains: b\n",
     5, ["两次", "第 4 行"]),
    ("full-width colon", "- name: x\n  steps:\n    - user：你好\n", 3, ["半角冒号"]),
    ("yes/no word", "- name: x\n  steps:\n    - user: yes\n", 3, ["是/否值", "引号"]),
    ("empty list", "- name: x\n  steps:\n    - user: 你好\n      contains: []\n", 4, ["空列表"]),
    ("no steps", "- name: x\n  tags: [a]\n", 1, ["缺少 steps"]),
    ("no name", "- steps:\n    - user: 你好\n", 1, ["名字"]),
    ("duplicate name", "- name: x\n  steps:\n    - user: a\n- name: x\n  steps:\n    - user: b\n",
     4, ["重复", "第 1 行"]),
]


@pytest.mark.parametrize("what,text,line,words", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_reported_with_file_line_and_what_was_expected(tmp_path, capsys, what, text, line, words):
    path = write(tmp_path, text, "mistake.yaml")
    dialogs, problems = load_dialog_file(path)
    assert problems, what
    first = str(problems[0])
    assert f"mistake.yaml:{line}" in first, first
    for word in words:
        assert word in first, (word, first)
    code, out, err = run_cli(capsys, "test", str(path))
    assert code == 2
    assert f"mistake.yaml:{line}" in err and out == ""


def test_empty_file_and_missing_path_are_format_errors(tmp_path, capsys):
    empty = write(tmp_path, "# 只有注释\n", "empty.yaml")
    code, _, err = run_cli(capsys, "test", str(empty))
    assert code == 2 and "没有对话" in err
    code, _, err = run_cli(capsys, "test", str(tmp_path / "nowhere.yaml"))
    assert code == 2 and "不存在" in err


# ---------------------------------------------------------------- runner

def test_good_file_passes(tmp_path, capsys):
    code, out, err = run_cli(capsys, "test", str(write(tmp_path, GOOD)))
    assert code == 0, out + err
    assert "✓ 失业金天山区电话" in out and "✓ 范围外" in out
    assert "通过 2 个，没通过 0 个" in out


def test_failing_dialog_prints_the_transcript_up_to_the_failing_step(tmp_path, capsys):
    path = write(tmp_path, GOOD + "\n" + FAILING)
    code, out, _ = run_cli(capsys, "test", str(path))
    assert code == 1
    assert "✓ 失业金天山区电话" in out and "✗ 电话写错了" in out
    report = out[out.index("✗ 电话写错了（"):]
    assert "d.yaml:26" in report                       # where the dialog starts
    assert "第 1 步  用户：乌鲁木齐失业金去哪里办" in report
    assert "按钮：[1] 天山区" in report                  # the options the bot offered
    assert "▶ 第 2 步  用户：天山区" in report
    assert f"电话 {PHONE}" in report                     # what the bot actually said
    assert "第 2 步（" in report and "d.yaml:30）没有通过" in report
    assert "期望：contains: [「0991-2330000」]（" in report and "d.yaml:31）" in report
    assert "实际：回复里没有 [「0991-2330000」]" in report
    assert "这一步不会执行" not in report               # stops at the failing step
    assert "没通过 1 个" in out


def test_junit_xml_is_valid_and_counts(tmp_path, capsys):
    path = write(tmp_path, GOOD + "\n" + FAILING)
    junit = tmp_path / "out" / "dialogs.xml"
    code, _, _ = run_cli(capsys, "test", str(path), "--junit", str(junit))
    assert code == 1
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "1"
    [suite] = root.findall("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"失业金天山区电话", "范围外", "电话写错了"}
    failure = cases["电话写错了"].find("failure")
    assert failure is not None and "0991-2330000" in failure.get("message")
    assert "▶ 第 2 步" in failure.text
    assert cases["范围外"].find("failure") is None


def test_k_selects_by_name_or_tag(tmp_path, capsys):
    path = write(tmp_path, GOOD + "\n" + FAILING)
    code, out, _ = run_cli(capsys, "test", str(path), "-k", "天山")
    assert code == 0 and "失业金天山区电话" in out and "范围外" not in out and "电话写错了" not in out
    code, out, _ = run_cli(capsys, "test", str(path), "-k", "范围外")   # a tag
    assert code == 0 and "✓ 范围外" in out and "共 1 个对话" in out
    code, out, _ = run_cli(capsys, "test", str(path), "-k", "写错")
    assert code == 1 and "✗ 电话写错了" in out
    code, _, err = run_cli(capsys, "test", str(path), "-k", "没有这个名字")
    assert code == 2 and "没有选中任何对话" in err


def test_directory_and_default_dir(tmp_path, capsys, monkeypatch):
    write(tmp_path, GOOD, "a.yaml")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", FAILING, "b.yml")
    code, out, _ = run_cli(capsys, "test", str(tmp_path))
    assert code == 1 and "共 3 个对话" in out
    monkeypatch.chdir(PACKAGE_ROOT)                       # default: tests/dialogs/
    code, out, _ = run_cli(capsys, "test")
    assert code == 0 and "✓" in out


def test_each_dialog_gets_its_day_and_a_fresh_session(tmp_path, capsys):
    text = """\
- name: 2023年时有效
  today: 2023-06-01
  steps:
    - user: 稳岗返还
    - user: 新疆其他地州
      policy: xinjiang2023.job_retention_refund
      not_contains: 已经结束
- name: 默认日期时已结束
  steps:
    - user: 稳岗返还
    - user: 新疆其他地州
      policy: xinjiang2023.job_retention_refund
      contains: 已经结束
- name: 新会话从头开始
  steps:
    - user: 你好
      policy: null
      state: idle
"""
    code, out, err = run_cli(capsys, "test", str(write(tmp_path, text)))
    assert code == 0, out + err
    assert DEFAULT_TODAY == date(2026, 11, 22)


def test_bot_is_loaded_once_and_shared(tmp_path, monkeypatch):
    calls = []
    real_load = runner_module.PolicyBot.load

    def counting_load(*args, **kwargs):
        calls.append(args)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(runner_module.PolicyBot, "load", counting_load)
    dialogs, _ = load_dialog_file(write(tmp_path, GOOD))
    runner = Runner()
    results = [runner.run(d) for d in dialogs + dialogs]
    assert all(r.passed for r in results), [r.report() for r in results if not r.passed]
    assert len(calls) == 1


def test_engine_crash_is_a_failed_dialog_not_a_crashed_suite(tmp_path, monkeypatch):
    dialogs, _ = load_dialog_file(write(tmp_path, GOOD))
    runner = Runner()
    base = runner.base_bot()

    def boom(*args, **kwargs):
        raise RuntimeError("引擎坏了")

    monkeypatch.setattr(base.dialog, "respond", boom)
    result = runner.run(dialogs[0])
    assert not result.passed and "RuntimeError: 引擎坏了" in result.report()
    assert "机器人出错" in result.message()


# ---------------------------------------------------------------- acceptance: a changed phone number

def test_changing_one_phone_in_the_knowledge_base_stops_every_dialog_from_running(tmp_path, capsys):
    knowledge = tmp_path / "knowledge"
    intents = tmp_path / "intents"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, knowledge)
    shutil.copytree(DEFAULT_INTENTS_DIR, intents)
    dialog = write(tmp_path, """\
- name: 乌鲁木齐失业保险金·天山区电话
  steps:
    - user: 我想领失业保险金，在乌鲁木齐，去哪里办
      policy: urumqi.unemployment_benefit
    - user: 天山区
      contains: [天山区社保分中心, 0991-2337209]
""")
    code, out, err = run_cli(capsys, "test", str(dialog), "--knowledge", str(knowledge), "--intents", str(intents))
    assert code == 0, out + err

    # change the 天山区 phone in the office table that 申领失业保险金 cites, and nothing else
    bot = Runner(knowledge, intents).base_bot()
    [table_id] = bot.kb.policies["urumqi.unemployment_benefit"].contacts
    offices = knowledge / "offices.yaml"
    text = offices.read_text(encoding="utf-8")
    table_at = text.index(f"- id: {table_id}\n")
    phone_at = text.index(PHONE, table_at)
    offices.write_text(text[:phone_at] + "0991-2337299" + text[phone_at + len(PHONE):], encoding="utf-8")
    assert offices.read_text(encoding="utf-8").count(PHONE) == text.count(PHONE) - 1

    # a phone that no source prints: the bot refuses to start, so no dialog can run on it (issue 11);
    # the message names the copy's offices.yaml with the line of the phone
    assert any("0991-2337299" in str(p) for p in validate(knowledge, intents).problems)
    phone_line = text[:phone_at].count("\n") + 1

    code, out, err = run_cli(capsys, "test", str(dialog), "--knowledge", str(knowledge), "--intents", str(intents))
    assert code == 2, out + err
    assert f"{offices}:{phone_line}，记录 {table_id}，字段 entries.phones" in err or \
        f"offices.yaml:{phone_line}，记录 {table_id}，字段 entries.phones" in err, err
    assert "0991-2337299" in err and "✓" not in out


# ---------------------------------------------------------------- record

def test_pick_fragments_prefers_phones_amounts_and_the_title():
    text = "您咨询的是「申领失业保险金」（乌鲁木齐市）。\n标准1530元/月。有效期至2023年12月31日"
    assert pick_fragments(text) == ["1530元/月", "「申领失业保险金」", "2023年12月31日"]
    assert pick_fragments("天山区社保分中心：人民路2号，电话 0991-2337209") == ["0991-2337209"]
    assert pick_fragments("好的，已重新开始。") == []
    assert len(pick_fragments("电话 0991-1111111、0991-2222222、0991-3333333、0991-4444444「甲乙」")) == 3


@pytest.mark.parametrize("value", ["1", "yes", "a: b", "#x", "[x]", "a, b", " x", '"q"', "是", "1530元/月", "null"])
def test_yaml_text_reads_back_as_the_same_text(value):
    import yaml

    assert yaml.safe_load(f"k: {yaml_text(value)}") == {"k": value}
    assert yaml.safe_load(f"[{yaml_text(value)}]") == [value]


def test_record_appends_a_dialog_that_then_passes(tmp_path, capsys, monkeypatch):
    existing = "# 我的对话（这行注释要保留）\n\n" + GOOD.rstrip("\n")   # no final newline on purpose
    path = write(tmp_path, existing, "recorded.yaml")
    said = "乌鲁木齐失业金去哪里办\n天山区\n今天天气怎么样\n/quit\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(said))
    code, out, err = run_cli(capsys, "record", str(path), "--name", "录的: 天山区")
    assert code == 0, out + err
    assert "追加到" in out
    text = path.read_text(encoding="utf-8")
    assert text.startswith(existing + "\n")                       # nothing before was touched
    added = text[len(existing):]
    assert '- name: "录的: 天山区"' in added and "today: 2026-11-22" in added
    assert PHONE in added and "policy: urumqi.unemployment_benefit" in added
    assert "state: asking_district" in added and "state: fallback" in added
    assert "/quit" not in added
    dialogs, problems = load_dialog_file(path)
    assert problems == [] and [d.name for d in dialogs][-1] == "录的: 天山区"
    code, out, err = run_cli(capsys, "test", str(path), "-k", "录的")
    assert code == 0, out + err
    assert "✓ 录的: 天山区" in out


def test_record_into_new_file_default_name_and_nothing_said(tmp_path, capsys, monkeypatch):
    path = tmp_path / "new" / "rec.yaml"
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, _ = run_cli(capsys, "record", str(path))
    assert code == 0 and not path.exists() and "没有改动" in out
    monkeypatch.setattr(sys, "stdin", io.StringIO("你好\n"))
    code, out, _ = run_cli(capsys, "record", str(path))
    assert code == 0
    [dialog], problems = load_dialog_file(path)
    assert problems == [] and dialog.name.startswith("录制 ")
    assert path.read_text(encoding="utf-8").startswith("# 对话测试")


def test_record_refuses_a_broken_file_before_the_conversation(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "dialogs:\n  - name: x\n", "broken.yaml")
    monkeypatch.setattr(sys, "stdin", io.StringIO("你好\n"))
    code, _, err = run_cli(capsys, "record", str(path))
    assert code == 2 and "broken.yaml:1" in err
    assert path.read_text(encoding="utf-8") == "dialogs:\n  - name: x\n"


# ---------------------------------------------------------------- pytest collects the same files

def test_pytest_collects_one_item_per_dialog_and_reports_the_transcript(tmp_path):
    suite = tmp_path / "dialogs"
    suite.mkdir()
    shutil.copy(PACKAGE_ROOT / "tests" / "dialogs" / "conftest.py", suite / "conftest.py")
    write(suite, GOOD + "\n" + FAILING, "mixed.yaml")
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rN", str(suite)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 2 passed" in run.stdout
    assert "▶ 第 2 步  用户：天山区" in run.stdout and "实际：回复里没有 [「0991-2330000」]" in run.stdout

    (suite / "mixed.yaml").write_text("dialogs:\n  - name: x\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(suite)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert run.returncode != 0
    assert "mixed.yaml:1" in run.stdout and "dialogs" in run.stdout
