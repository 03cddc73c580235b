"""YAML reading that remembers line numbers, so every error can point a clerk at the exact line."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, TextIO

import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file, phrased so that a person editing YAML can fix it."""

    file: str
    line: int | None
    record: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [where]
        if self.record:
            parts.append(f"记录 {self.record}")
        if self.field:
            parts.append(f"字段 {self.field}")
        return "，".join(parts) + f"：{self.message}"


class DataError(Exception):
    """Raised when data files cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class LineDict(dict):
    """A mapping that knows the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that knows the line of each item, so a problem in item 3 points at item 3."""

    line: int = 0
    item_lines: list[int]

    def line_at(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


# libyaml's parser (8× faster than the pure-Python one) with the project's own constructors on top:
# the same data and the same line numbers. The pure-Python loader is the fallback when PyYAML was
# built without libyaml.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if str(key) in result.key_lines:
            raise yaml.constructor.ConstructorError(
                None, None, f"字段 {key} 写了两次（第 {result.key_lines[str(key)]} 行已经有了），后一个会悄悄盖掉前一个",
                key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode):
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"“{node.value}”不是一个真实的日期（{exc}），要写成 YYYY-MM-DD", node.start_mark) from exc


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def display_path(path: Path) -> str:
    """Paths relative to the working directory read better in error messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# PyYAML's (and libyaml's) English problems, in words a clerk editing the file can act on.
_PROBLEMS_ZH = (
    ("could not find expected ':'", "这一行应该是“字段: 值”，但找不到英文冒号加空格“: ”"),
    ("mapping values are not allowed", "这里不能出现“字段: 值”：多半是缩进不对，或者一段文字里有“: ”需要加引号"),
    ("did not find expected '-' indicator", "缩进不一致：这一行和上面的列表项（以“- ”开头）没有对齐"),
    ("did not find expected key", "缩进不一致：这一行和上面同一层的字段没有对齐"),
    ("expected <block end>", "缩进不一致：这一行和上面同一层的字段没有对齐"),
    ("found unexpected end of stream", "引号没有成对：从这里开始的引号直到文件末尾都没有结束"),
    ("found a tab character", "不能用 Tab 键缩进，请用空格"),
    ("found character '\\t'", "不能用 Tab 键缩进，请用空格"),
    ("did not find expected ',' or ']'", "方括号 [ ] 没有成对，或者列表项之间少了英文逗号"),
    ("did not find expected ',' or '}'", "花括号 { } 没有成对，或者两项之间少了英文逗号"),
    ("found undefined alias", "“*”开头的文字会被当作引用：如果是普通文字，请加引号"),
    ("found character that cannot start any token", "这一行开头的符号（如 @ ` % |）不能直接写，请给整段文字加引号"),
)
# A key followed by a full-width colon: `section：一` or `- id：x`.
_FULLWIDTH_KEY = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w.]*\s*：")
# Problems whose context mark (where the key or the quote began) is the line to fix.
_CONTEXT_FIRST = ("while scanning a simple key", "while scanning a quoted scalar", "while parsing a flow")


def _syntax_problem(name: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """One Chinese message at the line to fix, naming `：` when a full-width colon is the cause."""
    use_context = exc.context_mark is not None and (exc.context or "").startswith(_CONTEXT_FIRST)
    mark = exc.context_mark if use_context or exc.problem_mark is None else exc.problem_mark
    line = mark.line + 1 if mark else None
    lines = text.splitlines()
    low = min((m.line for m in (exc.context_mark, exc.problem_mark) if m), default=0)
    high = max((m.line for m in (exc.context_mark, exc.problem_mark) if m), default=0)
    for number in range(low, min(high, len(lines) - 1) + 1):
        if _FULLWIDTH_KEY.match(lines[number]):
            key = lines[number].split("：", 1)[0].strip().lstrip("- ").strip()
            return Problem(name, number + 1, None, None,
                           f"YAML 格式错误：字段名 {key} 后面用了中文全角冒号“：”，要改成英文半角冒号加一个空格“: ”"
                           f"（例如 {key}: …）")
    what = exc.problem or str(exc)
    for english, chinese in _PROBLEMS_ZH:
        if english in what:
            what = chinese
            break
    else:
        if not isinstance(exc, yaml.constructor.ConstructorError):
            what = f"{what}（常见原因：缩进不一致、冒号后少了空格、引号没有成对）"
    return Problem(name, line, None, None, f"YAML 格式错误：{what}")


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Parse one file; a syntax error becomes a Problem with its line, never a traceback."""
    text, problems = read_text(path)
    return (None, problems) if text is None else parse_yaml(text, display_path(path))


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """A data file's text, or None and why it cannot be read."""
    name = display_path(path)
    try:
        return path.read_text(encoding="utf-8"), []
    except FileNotFoundError:
        return None, [Problem(name, None, None, None, "文件不存在")]
    except UnicodeDecodeError as exc:
        return None, [Problem(name, None, None, None, f"不是 UTF-8 编码的文本（{exc.reason}）")]


def parse_yaml(text: str, name: str) -> tuple[Any, list[Problem]]:
    """Parse text already read (the caller may also hash it); `name` is the path shown in problems."""
    try:
        return yaml.load(text, Loader=_LineLoader), []
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(name, text, exc)]
    except yaml.YAMLError as exc:
        return None, [Problem(name, None, None, None, f"YAML 格式错误：{exc}")]
    except ValueError as exc:  # any other value YAML cannot build
        return None, [Problem(name, None, None, None, f"有一个值无法识别（{exc}）")]


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """“是不是想写 X？” for a mistyped id, or nothing when no known id is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"是不是想写 {close[0]}？" if close else ""


def describe_value(value: Any) -> str:
    """What a value is, in words a person editing YAML recognises (for "应该是…，现在是…")."""
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "一组“字段: 值”"
    if isinstance(value, bool):
        return f"是/否值 {value}（如果是文字，请加引号，例如 \"yes\"）"
    if isinstance(value, (int, float)):
        return f"数字 {value}"
    if value is None:
        return "空的"
    return f"文字 {value!r}"


def parse_day(value: Any) -> date | None:
    """A date written as YYYY-MM-DD (YAML may already have read it as a date); None when it is not one."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def report_problems(header: str, problems: Iterable[Problem], out: TextIO) -> None:
    """The one way problems are shown on a terminal: a header, then one indented line each."""
    print(header, file=out)
    for problem in problems:
        print(f"  {problem}", file=out)
