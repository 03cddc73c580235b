"""`policybot record`: a clerk talks to the bot in the console and the conversation becomes a dialog test.

Assertions are chosen to survive rewording of the bot's sentences: a few short, stable fragments per reply
(phone numbers, amounts such as 1530元/月, the title in 「」, dates) plus `state` and `policy`. The dialog is
*appended* as text, so whatever the file already holds — other dialogs, comments — stays untouched.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

import yaml

from ..channels.console import run_console
from ..dialog.reply import Reply
from ..engine import PolicyBot
from ..knowledge.yamlio import display_path, read_yaml, report_problems
from .format import load_dialog_file

MAX_FRAGMENTS = 3
_PHONE = re.compile(r"(?<![\d-])(?:0\d{2,3}-\d{7,8}(?:-\d{1,4})?|400-?\d{3}-?\d{4}|1[3-9]\d{9}|\d{7,8}|12333)(?![\d])")
_FIGURE = re.compile(r"\d+(?:\.\d+)?(?:万元|元/人/月|元/月|元/人次|元/人|元/年|元|%|％)")
_TITLE = re.compile(r"「[^「」\n]{2,30}」")
_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
NEW_FILE_HEADER = "# 对话测试：格式见 README.md 的 “Scripted dialogs for staff”。运行：policybot test 本文件\n"


def pick_fragments(text: str, limit: int = MAX_FRAGMENTS) -> list[str]:
    """Up to `limit` short facts from a reply: phones and amounts first, then the title in 「」, then dates."""
    def unique(items: list[str]) -> list[str]:
        return list(dict.fromkeys(items))

    facts = unique(_PHONE.findall(text) + _FIGURE.findall(text))
    titles = unique(_TITLE.findall(text))[:1]
    dates = unique(_DATE.findall(text))
    chosen = facts[:2] + titles
    for extra in facts[2:] + dates:
        if len(chosen) >= limit:
            break
        if extra not in chosen:
            chosen.append(extra)
    return chosen[:limit]


def yaml_text(value: str) -> str:
    """A scalar as YAML: plain when it reads back unchanged (also inside [ ]), else double-quoted."""
    try:
        plain_ok = (yaml.safe_load(f"k: {value}") == {"k": value} and yaml.safe_load(f"[{value}]") == [value])
    except yaml.YAMLError:
        plain_ok = False
    if plain_ok and value == value.strip() and "\n" not in value:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@dataclass
class Recorder:
    """Collects the turns of one console session (the console's on_turn callback)."""

    turns: list[tuple[str, Reply]] = field(default_factory=list)

    def __call__(self, text: str, reply: Reply) -> None:
        self.turns.append((text, reply))


def render_dialog(name: str, today: date, turns: list[tuple[str, Reply]], recorded_at: datetime) -> str:
    """The dialog as YAML text (a list item), with the bot's first line as a comment on each step."""
    lines = [
        "",
        f"# 由 policybot record 录制于 {recorded_at:%Y-%m-%d %H:%M}。不需要的步骤或检查可以删掉；"
        "改好后运行 policybot test 检查。",
        f"- name: {yaml_text(name)}",
        f"  today: {today.isoformat()}   # 按这一天判断政策是否有效",
        "  steps:",
    ]
    for text, reply in turns:
        lines.append(f"    - user: {yaml_text(text)}")
        first = (reply.text.strip().splitlines() or [""])[0]
        lines.append(f"      # 机器人：{first[:60]}{'…' if len(first) > 60 else ''}")
        fragments = pick_fragments(reply.text)
        if fragments:
            lines.append("      contains: [" + ", ".join(yaml_text(f) for f in fragments) + "]")
        else:
            lines.append("      # （回复里没有电话、金额或「标题」这类固定片段，只检查状态）")
        if reply.policy:
            lines.append(f"      policy: {yaml_text(reply.policy)}")
        lines.append(f"      state: {reply.state}")
    return "\n".join(lines) + "\n"


def append_dialog(path: Path, text: str) -> int:
    """Append `text` to the file (creating it with a header); return the line where the dialog starts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if not existing:
        prefix = NEW_FILE_HEADER
    else:
        prefix = "" if existing.endswith("\n") else "\n"
    start = (existing + prefix + text[:text.index("- name:")]).count("\n") + 1
    with path.open("a", encoding="utf-8") as fh:
        fh.write(prefix + text)
    return start


def existing_names(path: Path, err: TextIO) -> set[str] | None:
    """Names already in the file; None (after telling the clerk) when the file cannot take another dialog."""
    if not path.exists():
        return set()
    data, errors = read_yaml(path)
    if not errors and data is None:  # empty, or only comments
        return set()
    dialogs, problems = load_dialog_file(path)
    if problems:
        report_problems(f"{display_path(path)} 里有错误，先改好再录制（录制的对话会追加到文件末尾）：", problems, err)
        return None
    return {d.name for d in dialogs}


def record(bot: PolicyBot, path: Path, name: str | None, today: date,
           out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the console; on exit append what was said as a dialog to `path`. 0 ok, 2 the file is unusable."""
    out = out or sys.stdout
    err = err or sys.stderr
    path = Path(path)
    names = existing_names(path, err)
    if names is None:
        return 2
    now = datetime.now()
    name = name or f"录制 {now:%Y-%m-%d %H:%M:%S}"
    if name in names:
        print(f"{display_path(path)} 里已经有叫“{name}”的对话了；请用 --name 换一个名字。", file=err)
        return 2
    recorder = Recorder()
    print(f"正在录制对话“{name}”，结束时（/quit 或 Ctrl-D）追加到 {display_path(path)}。", file=out)
    run_console(bot, session_id="record", on_turn=recorder, out=out)
    if not recorder.turns:
        print("没有说任何话，文件没有改动。", file=out)
        return 0
    line = append_dialog(path, render_dialog(name, today, recorder.turns, now))
    dialogs, problems = load_dialog_file(path)
    if problems:  # should not happen; say so rather than leave a silently broken file
        report_problems("追加后文件读不通，请检查：", problems, err)
        return 2
    print(f"已把 {len(recorder.turns)} 步对话“{name}”追加到 {display_path(path)} 第 {line} 行。"
          f"删掉不需要的检查后运行：policybot test {display_path(path)} -k \"{name}\"", file=out)
    return 0
