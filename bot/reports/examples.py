"""Saving a citizen's wording as a new example of an intent, from the unanswered-questions report.

The line is inserted as text (not by re-dumping the YAML), so every comment and the order of the file stay
as the maintainers wrote them; a comment above the line says where it came from. The intent files are
then loaded and checked exactly as `PolicyBot.load` would; on any problem the file is put back as it was.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ..knowledge import DEFAULT_INTENTS_DIR, load_knowledge
from ..knowledge.yamlio import DataError, Problem
from ..nlu.lexicon import load_lexicon

EXAMPLES_FILE = "examples.yaml"


@dataclass
class SaveResult:
    ok: bool
    message: str
    problems: list[Problem] = field(default_factory=list)


def _scalar(text: str) -> str:
    """The example as YAML: plain when that reads back unchanged, otherwise double-quoted."""
    try:
        plain_ok = "#" not in text and yaml.safe_load(f"- {text}") == [text]
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok else json.dumps(text, ensure_ascii=False)


def _insert_at(lines: list[str], intent: str) -> int | None:
    """The index just after the last `    - ` item of `  intent:`; None when the intent has no block."""
    try:
        start = lines.index(f"  {intent}:")
    except ValueError:
        return None
    last = start
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.strip() and len(line) - len(line.lstrip(" ")) < 4:
            break
        if line.startswith("    - "):
            last = i
    return last + 1


def _check(knowledge_dir: Path | None, intents_dir: Path) -> list[Problem]:
    kb, problems = load_knowledge(knowledge_dir, intents_dir)
    if problems:
        return problems
    try:
        load_lexicon(intents_dir, tuple(kb.topics), kb.regions)
    except DataError as exc:
        return exc.problems
    return []


def add_example(intent: str, text: str, today: date, *, intents_dir: Path | None = None,
                knowledge_dir: Path | None = None) -> SaveResult:
    """Append `text` to the examples of `intent` with a dated comment, then validate (undo on failure)."""
    text = " ".join(text.split())
    if not text or len(text) > 60:
        return SaveResult(False, "例句不能为空，也不能超过60个字。")
    path = Path(intents_dir or DEFAULT_INTENTS_DIR) / EXAMPLES_FILE
    original = path.read_text(encoding="utf-8")
    data = yaml.safe_load(original) or {}
    existing = (data.get("intents") or {}).get(intent)
    if existing is None:
        return SaveResult(False, f"{path.name} 里没有意图 {intent}。")
    if text in existing:
        return SaveResult(False, f"“{text}”已经是 {intent} 的例句了。")
    lines = original.splitlines()
    at = _insert_at(lines, intent)
    if at is None:
        return SaveResult(False, f"{path.name} 里找不到 “  {intent}:” 这一行，请手工添加。")
    lines[at:at] = [f"    # 来自未答问题报告，{today.isoformat()} 由员工添加", f"    - {_scalar(text)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = _check(knowledge_dir, path.parent)
    if problems:
        path.write_text(original, encoding="utf-8")
        return SaveResult(False, "添加后检查没有通过，已撤销：", problems)
    return SaveResult(True, f"已把“{text}”加为 {intent} 的例句（{path.name} 第{at + 2}行），检查通过；"
                            "重启服务后生效。")
