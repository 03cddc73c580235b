"""The grounding check: every figure a record states must be printed in the document it cites.

A "figure" is a phone number, an amount of money, a percentage, a count with a unit or a date.
Both sides are compared without whitespace and with full-width digits folded, after applying the
record's own recorded OCR corrections to the source text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from .folding import fold
from .model import Correction, KnowledgeBase, OfficeTable, Policy, SourceDoc
from .yamlio import Problem

_DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?|底|初)?")
_PHONE = re.compile(r"(?<![\d.])(?:0\d{2,3}-)?\d{7,8}(?![\d.])|(?<!\d)1\d{10}(?!\d)")
_MONEY = re.compile(r"\d+(?:\.\d+)?(?:万|亿)?元")
_PERCENT = re.compile(r"\d+(?:\.\d+)?%")
_COUNT = re.compile(r"\d+(?:\.\d+)?(?:个工作日|个月|周岁|小时|人次|年|月|日|天|人|次|岁|个|倍|户|家)")


@dataclass(frozen=True)
class Fact:
    kind: str
    text: str


def extract_facts(text: str) -> list[Fact]:
    """Find the figures in a piece of text; dates are taken first so '2023年12月' is not read as '12月'."""
    text = fold(text)
    facts = [Fact("日期", m.group()) for m in _DATE.finditer(text)]
    rest = _DATE.sub(" ", text)
    for kind, pattern in (("电话", _PHONE), ("金额", _MONEY), ("百分比", _PERCENT)):
        facts += [Fact(kind, m.group()) for m in pattern.finditer(rest)]
        rest = pattern.sub(" ", rest)
    facts += [Fact("数量", m.group()) for m in _COUNT.finditer(rest)]
    return facts


_SHARE = re.compile(r"\d+/\d+|全额|减半")   # "实际缴费的2/3", "全额补贴": a rate written without %


def says_how_much(text: str) -> bool:
    """A sum or a rate in the text: "1年以上" in a clause on who qualifies says no amount."""
    return bool(_SHARE.search(text)) or any(f.kind in ("金额", "百分比") for f in extract_facts(text))


def date_forms(day: date) -> list[str]:
    """The ways a source may print a date we store as YYYY-MM-DD."""
    forms = [f"{day.year}年{day.month}月{day.day}日"]
    if day.month == 12 and day.day == 31:
        forms.append(f"{day.year}年底")
    if day.day == 1:
        forms.append(f"{day.year}年{day.month}月")
        if day.month == 1:
            forms += [f"{day.year}年开始", f"{day.year}年起"]
    return forms


def corrected_source(folded_source: str, corrections: Iterable[Correction]) -> str:
    """`folded_source`: the document as `SourceDoc.folded` holds it (folded once, when it was made)."""
    text = folded_source
    for c in corrections:
        text = text.replace(fold(c.wrong), fold(c.right))
    return text


def _strings(policy: Policy) -> Iterable[tuple[str, str]]:
    """Every human-readable field of a policy with its field path (the key of `Policy.line_of`)."""
    simple = ("title", "button", "section_title", "audience", "summary", "standard", "process", "deadline",
              "contact_text", "duration", "still_applies")
    for name in simple:
        value = getattr(policy, name)
        if value:
            yield name, value
    if policy.validity.text:
        yield "validity.text", policy.validity.text
    for name in ("materials", "notes", "channels_online", "channels_onsite"):
        path = name.replace("channels_", "channels.")
        for i, value in enumerate(getattr(policy, name), 1):
            yield f"{path}[{i}]", value
    for i, cond in enumerate(policy.conditions, 1):
        for name, value in (("ask", cond.ask), ("fail", cond.fail), ("remedy", cond.remedy)):
            if value:
                yield f"conditions[{i}].{name}", value
        for j, option in enumerate(cond.options, 1):
            yield f"conditions[{i}].options[{j}]", option
        for _, phrases in cond.cues:
            for phrase in phrases:
                yield f"conditions[{i}].cues", phrase
    for i, clause in enumerate(policy.clauses, 1):
        yield f"clauses[{i}].text", clause.text


class _Sources:
    """Each source folded once per check (folding 60 KB for each of 63 records was most of the cost), each
    corrected source made once per set of corrections, and the figures of each distinct string found once
    (many records of a large base share their sources, corrections and wording)."""

    def __init__(self, kb: KnowledgeBase):
        self.folded = {key: doc.folded for key, doc in kb.sources.items()}
        self._corrected: dict[tuple, str] = {}
        self._facts: dict[str, list[Fact]] = {}

    def text_for(self, policy: Policy) -> str:
        key = (policy.source, *((c.wrong, c.right) for c in policy.corrections))
        raw = self._corrected.get(key)
        if raw is None:
            raw = self._corrected[key] = corrected_source(self.folded[policy.source], policy.corrections)
        return raw

    def facts(self, text: str) -> list[Fact]:
        found = self._facts.get(text)
        if found is None:
            found = self._facts[text] = extract_facts(text)
        return found


def _day_problem(policy: Policy, field: str, day: date, text: str, source: SourceDoc) -> list[Problem]:
    if any(form in text for form in date_forms(day)):
        return []
    return [Problem(policy.file, policy.line_of(field), policy.id, field,
                    f"日期 {day.isoformat()} 在来源 {source.file} 里找不到（找过：{'、'.join(date_forms(day))}）")]


def check_policy(policy: Policy, kb: KnowledgeBase, sources: _Sources | None = None) -> list[Problem]:
    source = kb.sources.get(policy.source)
    if source is None:
        return []  # reported by the reference check
    sources = sources or _Sources(kb)
    problems = []
    raw = sources.folded[policy.source]
    for i, c in enumerate(policy.corrections, 1):
        if fold(c.wrong) not in raw:
            problems.append(Problem(policy.file, policy.line_of("corrections"), policy.id, f"corrections[{i}]",
                                    f"更正的原文“{c.wrong}”在来源 {source.file} 里找不到"))
    text = sources.text_for(policy)
    for field, value in _strings(policy):
        for fact in sources.facts(value):
            if fact.text not in text:
                problems.append(Problem(policy.file, policy.line_of(field), policy.id, field,
                                        f"{fact.kind}“{fact.text}”在来源 {source.file} 里找不到"))
    for name, day in (("validity.from", policy.validity.start), ("validity.until", policy.validity.until)):
        if day:
            problems += _day_problem(policy, name, day, text, source)
    year = policy.validity.year
    if year and f"{year}年" not in text:
        problems.append(Problem(policy.file, policy.line_of("validity.year"), policy.id, "validity.year",
                                f"“{year}年”在来源 {source.file} 里找不到"))
    shown = fold("\n".join((policy.standard or "", *policy.notes)))
    for i, clause in enumerate(policy.clauses, 1):
        problems += _day_problem(policy, f"clauses[{i}].until", clause.until, text, source)
        if fold(clause.text) not in shown:
            problems.append(Problem(policy.file, policy.line_of(f"clauses[{i}].text"), policy.id,
                                    f"clauses[{i}].text", "这句话要和 standard 或 notes 里的文字一字不差，"
                                    "机器人才知道回答引用它时要说明它的截止日期"))
    return problems


def check_table(table: OfficeTable, kb: KnowledgeBase, sources: _Sources | None = None) -> list[Problem]:
    source = kb.sources.get(table.source)
    if source is None:
        return []
    text = (sources or _Sources(kb)).folded[table.source]
    problems = []
    for entry in table.entries:
        row = entry.lines.get("", table.line)
        for i, phone in enumerate(entry.phones, 1):
            if fold(phone) not in text:
                line = entry.lines.get(f"entries.phones[{i}]", entry.lines.get("entries.phones", row))
                problems.append(Problem(table.file, line, table.id, "entries.phones",
                                        f"电话“{phone}”在来源 {source.file} 里找不到"))
        for name, value in (("office", entry.office), ("address", entry.address)):
            if value and fold(value) not in text:
                problems.append(Problem(table.file, entry.lines.get(f"entries.{name}", row), table.id,
                                        f"entries.{name}",
                                        f"“{value}”在来源 {source.file} 里找不到（办事处名称和地址要和原文一字不差）"))
    return problems


def check_grounding(kb: KnowledgeBase) -> list[Problem]:
    sources = _Sources(kb)
    problems: list[Problem] = []
    for policy in kb.policies.values():
        problems += check_policy(policy, kb, sources)
    for table in kb.tables.values():
        problems += check_table(table, kb, sources)
    return problems


def record_texts(policy: Policy) -> Iterable[tuple[str, str]]:
    """Every human-readable field of a record with its name (for coverage reports beside the figure check)."""
    return _strings(policy)
