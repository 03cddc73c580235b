"""YAML reading that remembers line numbers, so every error can point a clerk at the exact line."""
from __future__ import annotations

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


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode):
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"“{node.value}”不是一个真实的日期（{exc}），要写成 YYYY-MM-DD", node.start_mark) from exc


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def display_path(path: Path) -> str:
    """Paths relative to the working directory read better in error messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Parse one file; a syntax error becomes a Problem with its line, never a traceback."""
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(name, None, None, None, "文件不存在")]
    except UnicodeDecodeError as exc:
        return None, [Problem(name, None, None, None, f"不是 UTF-8 编码的文本（{exc.reason}）")]
    try:
        return yaml.load(text, Loader=_LineLoader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or str(exc)
        hint = "" if isinstance(exc, yaml.constructor.ConstructorError) else "（常见原因：缩进不一致、冒号后少了空格、引号没有成对）"
        return None, [Problem(name, line, None, None, f"YAML 格式错误：{what}{hint}")]
    except yaml.YAMLError as exc:
        return None, [Problem(name, None, None, None, f"YAML 格式错误：{exc}")]
    except ValueError as exc:  # any other value YAML cannot build
        return None, [Problem(name, None, None, None, f"有一个值无法识别（{exc}）")]


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
