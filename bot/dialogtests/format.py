"""The dialog-test file format: plain YAML a clerk can copy and edit, checked strictly so that every mistake
is reported with file, line and what was expected (in Chinese) instead of silently testing nothing.

A file is a YAML *list* of dialogs (a top-level `dialogs:` mapping is refused with a hint):

    - name: 失业金·乌鲁木齐·天山区电话
      today: 2026-11-22          # optional; default DEFAULT_TODAY
      tags: [失业金, 乌鲁木齐]     # optional; `policybot test -k 失业金`
      steps:
        - user: 我被公司裁员了，能领失业金吗？
          intent: unemployment_benefit
          state: asking_region
        - user: 乌鲁木齐市
          contains: 1530元/月
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import yaml

from ..dialog.reply import Reply
from ..dialog.session import STATES
from ..knowledge.yamlio import LineDict, Problem, describe_value as _kind, display_path, parse_day, read_yaml

# A fixed default "today" keeps the suite stable: whether a policy has ended depends on the date.
DEFAULT_TODAY = date(2026, 11, 22)

DIALOG_KEYS: Mapping[str, str] = MappingProxyType({
    "name": "对话的名字（必填）",
    "today": "把哪一天当作今天，YYYY-MM-DD（可不写，默认 2026-11-22）",
    "tags": "标签，一个或一串文字（可不写）",
    "steps": "对话的每一步（必填）",
})
CHECK_KEYS: Mapping[str, str] = MappingProxyType({
    "intent": "识别出的意图；范围外写 null",
    "policy": "政策编号，例如 urumqi.unemployment_benefit；没有写 null",
    "state": "对话状态：" + "、".join(STATES),
    "contains": "回复里必须都有的文字（一段或一串）",
    "contains_any": "回复里至少要有其中一段",
    "not_contains": "回复里不能有的文字",
    "matches": "回复要匹配的正则表达式",
    "options": "按钮，必须一模一样（顺序也一样）；没有按钮写 []",
    "options_include": "按钮里必须有的几个",
})
STEP_KEYS: Mapping[str, str] = MappingProxyType({"user": "用户说的话（必填）", **CHECK_KEYS})

_EXAMPLE = "（参考 tests/dialogs/smoke.yaml 或 README.md 的 “Scripted dialogs for staff”）"


def _show(value: Any) -> str:
    if value is None:
        return "null（无）"
    if isinstance(value, (list, tuple)):
        return "[" + "、".join(f"「{v}」" for v in value) + "]" if value else "[]（无）"
    return f"「{value}」"


@dataclass(frozen=True)
class Expectation:
    """One check on the bot's reply to one step; keeps its own line so a failure points at it."""

    kind: str                                   # one of CHECK_KEYS
    value: str | None | tuple[str, ...]
    line: int
    patterns: tuple[re.Pattern[str], ...] = field(default=(), compare=False, repr=False)

    def describe(self) -> str:
        return f"{self.kind}: {_show(self.value)}"

    def check(self, reply: Reply) -> str | None:
        """None when the reply meets the expectation, otherwise what actually came (in Chinese)."""
        text = reply.text
        if self.kind in ("intent", "policy", "state"):
            got = getattr(reply, self.kind)
            return None if got == self.value else f"{self.kind} 是 {_show(got)}"
        values = self.value if isinstance(self.value, tuple) else ()
        if self.kind == "contains":
            missing = [v for v in values if v not in text]
            return f"回复里没有 {_show(missing)}" if missing else None
        if self.kind == "contains_any":
            return None if any(v in text for v in values) else f"回复里一个都没有：{_show(values)}"
        if self.kind == "not_contains":
            found = [v for v in values if v in text]
            return f"回复里不该有却出现了 {_show(found)}" if found else None
        if self.kind == "matches":
            bad = [p.pattern for p in self.patterns if not p.search(text)]
            return f"回复不匹配正则 {_show(bad)}" if bad else None
        if self.kind == "options":
            return None if list(reply.options) == list(values) else f"按钮是 {_show(reply.options)}"
        if self.kind == "options_include":
            missing = [v for v in values if v not in reply.options]
            return f"按钮里没有 {_show(missing)}；实际按钮是 {_show(reply.options)}" if missing else None
        raise ValueError(f"unknown expectation kind {self.kind!r}")


@dataclass(frozen=True)
class Step:
    """What the user says, and every check on the bot's reply to it."""

    user: str
    expectations: tuple[Expectation, ...]
    line: int


@dataclass(frozen=True)
class Dialog:
    """One scripted conversation; it runs in a fresh session with the clock at `today`."""

    name: str
    steps: tuple[Step, ...]
    file: str
    line: int
    today: date | None = None                  # None: the runner's default day
    tags: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def selected_by(self, keyword: str) -> bool:
        """`-k TEXT`: the name or one of the tags contains TEXT (case-insensitive)."""
        k = keyword.casefold()
        return k in self.name.casefold() or any(k in t.casefold() for t in self.tags)


def _as_text(value: Any) -> str | None:
    """Numbers and dates written without quotes are still meant as text: `contains: 1530`."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (str, int, float)):
        return str(value).strip() or None
    return None


class _Parser:
    """Reads one file; files a Problem (file, line, dialog, field, message) for each mistake."""

    def __init__(self, file: str, text: str):
        self.file = file
        self.lines = text.splitlines()
        self.problems: list[Problem] = []

    def line_of_text(self, value: Any, after: int) -> int | None:
        """Lists of plain text carry no line numbers; find the item's line by its words."""
        words = str(value).strip()
        for number in range(max(after, 1), len(self.lines) + 1):
            if words and words in self.lines[number - 1]:
                return number
        return after or None

    def problem(self, line: int | None, record: str | None, field_: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, record, field_, message))

    def unknown_key(self, node: LineDict, key: Any, record: str, prefix: str, known: Mapping[str, str],
                    where: str) -> None:
        key_s = str(key)
        other = STEP_KEYS if where == "dialog" else DIALOG_KEYS
        close = difflib.get_close_matches(key_s, list(known) + list(other), n=1, cutoff=0.6)
        meant = key_s if key_s in other else (close[0] if close else None)
        hint = f"是不是想写 {meant}？" if meant and meant != key_s else ""
        if where == "dialog" and meant in STEP_KEYS:
            hint += (f"{meant} 是对某一步回复的检查，要写在 steps 下面、和那一步的 user 同一层"
                     f"（多缩进几格，对齐 user）。")
        elif where == "step" and meant in DIALOG_KEYS:
            hint += f"{meant} 属于整个对话，要写在对话那一层（和 steps 对齐），不能写在某一步里。"
        known_s = "、".join(known)
        self.problem(node.line_of(key_s), record, prefix + key_s,
                     f"不认识这个字段。{hint}{_where_name(where)}可用的字段有：{known_s}")

    def texts(self, node: LineDict, key: str, record: str, prefix: str, allow_empty: bool) -> tuple[str, ...] | None:
        value = node.get(key)
        line = node.line_of(key)
        if isinstance(value, list):
            out = []
            for item in value:
                text = _as_text(item)
                if text is None:
                    self.problem(line, record, prefix + key, f"列表里每一项都应该是一段文字，有一项是 {_kind(item)}")
                    return None
                out.append(text)
            if not out and not allow_empty:
                self.problem(line, record, prefix + key, "不能是空列表；不需要这个检查就把这一行删掉")
                return None
            return tuple(out)
        text = _as_text(value)
        if text is None:
            self.problem(line, record, prefix + key,
                         f"应该是一段文字，或一串文字（[甲, 乙] 或每行“- 文字”），现在是 {_kind(value)}")
            return None
        return (text,)

    def expectation(self, node: LineDict, key: str, record: str, prefix: str) -> Expectation | None:
        value = node[key]
        line = node.line_of(key)
        if key in ("intent", "policy"):
            if value is None:
                return Expectation(key, None, line)
            text = _as_text(value)
            if text is None:
                self.problem(line, record, prefix + key, f"应该是一个编号（范围外写 null），现在是 {_kind(value)}")
                return None
            return Expectation(key, text, line)
        if key == "state":
            text = _as_text(value)
            if text not in STATES:
                close = difflib.get_close_matches(text or "", STATES, n=1, cutoff=0.6)
                hint = f"是不是想写 {close[0]}？" if close else ""
                self.problem(line, record, prefix + key,
                             f"{hint}应该是这些状态之一：{'、'.join(STATES)}；现在是 {_kind(value)}")
                return None
            return Expectation(key, text, line)
        values = self.texts(node, key, record, prefix, allow_empty=(key == "options"))
        if values is None:
            return None
        if key == "matches":
            patterns = []
            for v in values:
                try:
                    patterns.append(re.compile(v))
                except re.error as exc:
                    self.problem(line, record, prefix + key, f"正则表达式 {v!r} 写错了：{exc}")
                    return None
            return Expectation(key, values, line, tuple(patterns))
        return Expectation(key, values, line)

    def step(self, item: Any, index: int, record: str, steps_line: int) -> Step | None:
        prefix = f"steps[{index}]."
        if not isinstance(item, LineDict):
            self.problem(self.line_of_text(item, steps_line), record, f"steps[{index}]",
                         f"第 {index} 步应该是“- user: 用户说的话”，下面再写检查；现在是 {_kind(item)}"
                         + _colon_hint(item, STEP_KEYS))
            return None
        for key in item:
            if key not in STEP_KEYS:
                self.unknown_key(item, key, record, prefix, STEP_KEYS, "step")
        user = _as_text(item.get("user"))
        if "user" not in item:
            self.problem(item.line, record, prefix + "user",
                         "这一步缺少 user:（用户说的话）。检查（contains、state …）要和 user 写在同一个“- ”下面，"
                         "不要另起一个“- ”")
        elif user is None:
            self.problem(item.line_of("user"), record, prefix + "user",
                         f"user 应该是用户说的一句话，现在是 {_kind(item['user'])}")
        expectations = []
        for key in CHECK_KEYS:
            if key in item:
                exp = self.expectation(item, key, record, prefix)
                if exp is not None:
                    expectations.append(exp)
        if user is None:
            return None
        return Step(user, tuple(sorted(expectations, key=lambda e: e.line)), item.line)

    def dialog(self, item: Any, index: int, names: dict[str, int]) -> Dialog | None:
        if not isinstance(item, LineDict):
            self.problem(self.line_of_text(item, 1) if isinstance(item, str) else None, f"第 {index} 个对话", None,
                         f"每个对话应该是一组字段（name、steps …），以“- name: 名字”开头；现在是 {_kind(item)}"
                         + _colon_hint(item, DIALOG_KEYS))
            return None
        name = _as_text(item.get("name"))
        record = name or f"第 {index} 个对话"
        for key in item:
            if key not in DIALOG_KEYS:
                self.unknown_key(item, key, record, "", DIALOG_KEYS, "dialog")
        if name is None:
            self.problem(item.line_of("name"), record, "name", "每个对话都要有名字：name: 一句说明这段对话的话")
        elif name in names:
            self.problem(item.line_of("name"), record, "name", f"名字和第 {names[name]} 行的对话重复了；请改一个名字")
        else:
            names[name] = item.line_of("name")
        today = self.day(item, record)
        tags: tuple[str, ...] = ()
        if item.get("tags") is not None:
            tags = self.texts(item, "tags", record, "", allow_empty=True) or ()
        raw_steps = item.get("steps")
        steps: list[Step] = []
        if "steps" not in item:
            self.problem(item.line, record, "steps", "缺少 steps:（对话的每一步，每步以“- user: ”开头）")
        elif not isinstance(raw_steps, list) or not raw_steps:
            self.problem(item.line_of("steps"), record, "steps",
                         f"steps 应该是一串步骤，每步以“- user: 用户说的话”开头（比 steps 多缩进两格）；现在是 {_kind(raw_steps)}")
        else:
            for i, raw in enumerate(raw_steps, 1):
                step = self.step(raw, i, record, item.line_of("steps"))
                if step is not None:
                    steps.append(step)
        if name is None or not steps:
            return None
        return Dialog(name, tuple(steps), self.file, item.line, today, tags)

    def day(self, item: LineDict, record: str) -> date | None:
        value = item.get("today")
        if value is None:
            return None
        day = parse_day(value)
        if day is not None:
            return day
        self.problem(item.line_of("today"), record, "today", f"日期要写成 YYYY-MM-DD，例如 2026-11-22；现在是 {_kind(value)}")
        return None

    def top(self, data: Any) -> list:
        if isinstance(data, list):
            if not data:
                self.problem(None, None, None, "文件里没有对话（空列表）" + _EXAMPLE)
            return data
        if data is None:
            self.problem(None, None, None,
                         "文件里没有对话：文件顶层应该是对话列表，每个对话以“- name: 名字”开头" + _EXAMPLE)
        elif isinstance(data, LineDict) and "dialogs" in data:
            self.problem(data.line_of("dialogs"), None, "dialogs",
                         "这里不用 dialogs:。文件顶层直接写对话列表：删掉 dialogs: 这一行，"
                         "把下面的“- name: …”连同它的内容一起向左移，让“- ”顶格")
        elif isinstance(data, LineDict) and ("name" in data or "steps" in data):
            self.problem(data.line, None, None,
                         "这里像是一个对话，但前面少了“- ”：第一行写成“- name: 名字”，下面的 today、tags、steps 等"
                         "各行再缩进两格，和 name 对齐")
        else:
            self.problem(getattr(data, "line", None), None, None,
                         f"文件顶层应该是对话列表，每个对话以“- name: 名字”开头；现在是 {_kind(data)}" + _EXAMPLE)
        return []


def _where_name(where: str) -> str:
    return "对话这一层" if where == "dialog" else "每一步"


def _colon_hint(item: Any, known: Mapping[str, str]) -> str:
    """`user：你好` or `user:你好` parse as plain text; say so instead of a puzzling type error."""
    if isinstance(item, str):
        head = re.split(r"[:：]", item, maxsplit=1)[0].strip()
        if head in known and (("：" in item) or re.match(rf"{head}:\S", item)):
            return "。看起来是冒号写错了：要用英文半角冒号，冒号后面空一格，例如“user: 你好”"
    return ""


def _duplicate_keys(text: str, file: str) -> list[Problem]:
    """The same key twice in one mapping silently drops the first; a clerk must be told."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    problems: list[Problem] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in seen:
                    problems.append(Problem(file, line, None, key,
                                            f"同一层里写了两次（另一次在第 {seen[key]} 行），后一个会把前一个盖掉；"
                                            "要检查好几段文字，请写成一个列表：[甲, 乙]"))
                else:
                    seen[key] = line
                stack.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(problems, key=lambda p: p.line or 0)


def _impossible_dates(path: Path) -> list[Problem]:
    """Find the scalars PyYAML takes for a date but cannot build (2026-13-01), with their lines."""
    file = display_path(path)
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    problems: list[Problem] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif node.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(node)
            except ValueError as exc:
                problems.append(Problem(file, node.start_mark.line + 1, None, None,
                                        f"“{node.value}”不是一个真实的日期（{exc}）；日期写成 YYYY-MM-DD，例如 2026-11-22"))
    return sorted(problems, key=lambda p: p.line or 0) or [Problem(file, None, None, None, "文件读不通（日期写错了？）")]


def load_dialog_file(path: Path) -> tuple[list[Dialog], list[Problem]]:
    """Every dialog of one file, and every mistake found in it (dialogs are unusable when there are any)."""
    path = Path(path)
    try:
        data, errors = read_yaml(path)
    except ValueError:  # PyYAML raises, unmarked, on an impossible date such as 2026-13-01
        return [], _impossible_dates(path)
    if errors:
        return [], errors
    text = path.read_text(encoding="utf-8")
    parser = _Parser(display_path(path), text)
    parser.problems.extend(_duplicate_keys(text, parser.file))
    names: dict[str, int] = {}
    dialogs = [d for i, item in enumerate(parser.top(data), 1) if (d := parser.dialog(item, i, names))]
    return dialogs, sorted(parser.problems, key=lambda p: p.line or 10**9)


def find_dialog_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Directories are searched for *.yaml / *.yml (sorted, including sub-folders); files are taken as given."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                problems.append(Problem(display_path(path), None, None, None, "这个文件夹里没有 .yaml 对话文件"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(display_path(path), None, None, None, "文件或文件夹不存在"))
    return files, problems


def load_dialogs(paths: Iterable[Path]) -> tuple[list[Dialog], list[Problem]]:
    files, problems = find_dialog_files(paths)
    dialogs: list[Dialog] = []
    for path in files:
        found, errs = load_dialog_file(path)
        dialogs.extend(found)
        problems.extend(errs)
    return dialogs, problems
