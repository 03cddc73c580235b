"""Coverage: every numbered section of every source maps to record(s) or to a written reason for leaving it out.

How a document numbers its sections is declared in sources/index.yaml (`numbering`):
  top     一、二、… at the start of a line (000: one benefit per item)
  sub     （一）（二）… anywhere, also inside scraped run-on text (001, 002)
  nested  一、 then （一）（二）… under it, written 一（一） (003, 004)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .model import KnowledgeBase, SourceDoc
from .yamlio import Problem

_NUM = "一二三四五六七八九十"
_TOP = re.compile(rf"^\s*([{_NUM}]+)、", re.MULTILINE)
_SUB = re.compile(rf"[（(]([{_NUM}]+)[）)]")
_SUB_LINE = re.compile(rf"^\s*[（(]([{_NUM}]+)[）)]")
NUMBERINGS = ("top", "sub", "nested")


def _value(numeral: str) -> int:
    """一 → 1, 十一 → 11, 二十七 → 27 (enough for section numbers)."""
    digits = {c: i for i, c in enumerate(_NUM, 1)}
    if "十" not in numeral:
        return digits[numeral]
    tens, _, ones = numeral.partition("十")
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


def normalise(section: str) -> str:
    """"(三)" and "（三）" are the same section."""
    return section.replace("(", "（").replace(")", "）").strip()


def sections_in(doc: SourceDoc) -> list[str]:
    """The numbered sections printed in a source, in number order, each once."""
    found: list[str] = []
    if doc.numbering == "top":
        found = [m.group(1) for m in _TOP.finditer(doc.text)]
    elif doc.numbering == "sub":
        found = [f"（{m.group(1)}）" for m in _SUB.finditer(doc.text)]
    else:
        top = ""
        for line in doc.text.splitlines():
            if m := _TOP.match(line):
                top = m.group(1)
            elif (m := _SUB_LINE.match(line)) and top:
                found.append(f"{top}（{m.group(1)}）")
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda s: [_value(n) for n in re.findall(rf"[{_NUM}]+", s)])


@dataclass(frozen=True)
class Row:
    source: str
    section: str
    records: tuple[str, ...]
    excluded: tuple[str, ...]   # reasons
    printed: bool               # False: a record cites a section whose heading the source lost

    @property
    def covered(self) -> bool:
        return bool(self.records or self.excluded)


def coverage(kb: KnowledgeBase) -> list[Row]:
    rows = []
    for key, doc in kb.sources.items():
        printed = sections_in(doc)
        records: dict[str, list[str]] = {}
        for p in kb.policies.values():
            if p.source == key:
                records.setdefault(normalise(p.section), []).append(p.id)
        reasons: dict[str, list[str]] = {}
        for e in kb.excluded:
            if e.source == key:
                reasons.setdefault(normalise(e.section), []).append(f"{e.what}：{e.why}" if e.what else e.why)
        cited = [s for s in list(records) + list(reasons) if s not in printed]
        for section in printed + list(dict.fromkeys(cited)):
            rows.append(Row(key, section, tuple(records.get(section, ())), tuple(reasons.get(section, ())),
                            section in printed))
    return rows


def coverage_problems(kb: KnowledgeBase, rows: list[Row]) -> list[Problem]:
    problems = []
    files = {p.source: p.file for p in kb.policies.values()}
    for row in rows:
        if not row.covered:
            problems.append(Problem(files.get(row.source, "knowledge/policies"), None, None, "excluded",
                                    f"来源 {row.source} 的 {row.section} 既没有记录，也没有写在 excluded: 里"
                                    "（写一条 section: / why: 说明为什么不收录）"))
    return problems


def coverage_lines(rows: list[Row]) -> list[str]:
    """One line per section: → records, or 不收录：why."""
    lines = ["来源各节的覆盖情况（→ 记录；✗ 不收录及原因）："]
    for row in rows:
        mark = "" if row.printed else "（原文标题缺失）"
        parts = []
        if row.records:
            parts.append("→ " + "、".join(row.records))
        parts += [f"✗ {why}" for why in row.excluded]
        lines.append(f"  {row.source} {row.section}{mark} " + ("；".join(parts) if parts else "？未覆盖"))
    return lines
