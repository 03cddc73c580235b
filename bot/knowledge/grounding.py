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

from .loader import OFFICES_FILE
from .model import Correction, KnowledgeBase, OfficeTable, Policy
from .yamlio import Problem

_FOLD = str.maketrans("０１２３４５６７８９％．－", "0123456789%.-")

_DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?|底|初)?")
_PHONE = re.compile(r"(?<![\d.])(?:0\d{2,3}-)?\d{7,8}(?![\d.])|(?<!\d)1\d{10}(?!\d)")
_MONEY = re.compile(r"\d+(?:\.\d+)?(?:万|亿)?元")
_PERCENT = re.compile(r"\d+(?:\.\d+)?%")
_COUNT = re.compile(r"\d+(?:\.\d+)?(?:个工作日|个月|周岁|小时|人次|年|月|日|天|人|次|岁|个|倍|户|家)")


def fold(text: str) -> str:
    """The comparison form: no whitespace, ASCII digits and percent signs."""
    return re.sub(r"\s+", "", text.translate(_FOLD))


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


def corrected_source(source_text: str, corrections: Iterable[Correction]) -> str:
    text = fold(source_text)
    for c in corrections:
        text = text.replace(fold(c.wrong), fold(c.right))
    return text


def _strings(policy: Policy) -> Iterable[tuple[str, str]]:
    """Every human-readable field of a policy with its field name."""
    simple = ("title", "button", "section_title", "audience", "summary", "standard", "process", "deadline", "contact_text")
    for name in simple:
        value = getattr(policy, name)
        if value:
            yield name, value
    if policy.validity.text:
        yield "validity.text", policy.validity.text
    for name in ("materials", "notes", "channels_online", "channels_onsite"):
        for value in getattr(policy, name):
            yield name.replace("channels_", "channels."), value
    for i, cond in enumerate(policy.conditions, 1):
        for name, value in (("ask", cond.ask), ("fail", cond.fail), ("remedy", cond.remedy)):
            if value:
                yield f"conditions[{i}].{name}", value
        for option in cond.options:
            yield f"conditions[{i}].options", option
        for _, phrases in cond.cues:
            for phrase in phrases:
                yield f"conditions[{i}].cues", phrase


def check_policy(policy: Policy, kb: KnowledgeBase) -> list[Problem]:
    source = kb.sources.get(policy.source)
    if source is None:
        return []  # reported by the reference check
    problems = []
    raw = fold(source.text)
    for c in policy.corrections:
        if fold(c.wrong) not in raw:
            problems.append(Problem(policy.file, policy.line, policy.id, "corrections",
                                    f"更正的原文“{c.wrong}”在来源 {source.file} 里找不到"))
    text = corrected_source(source.text, policy.corrections)
    for field, value in _strings(policy):
        for fact in extract_facts(value):
            if fact.text not in text:
                problems.append(Problem(policy.file, policy.line, policy.id, field,
                                        f"{fact.kind}“{fact.text}”在来源 {source.file} 里找不到"))
    for name, day in (("validity.from", policy.validity.start), ("validity.until", policy.validity.until)):
        if day and not any(form in text for form in date_forms(day)):
            problems.append(Problem(policy.file, policy.line, policy.id, name,
                                    f"日期 {day.isoformat()} 在来源 {source.file} 里找不到"
                                    f"（找过：{'、'.join(date_forms(day))}）"))
    return problems


def check_table(table: OfficeTable, kb: KnowledgeBase) -> list[Problem]:
    source = kb.sources.get(table.source)
    if source is None:
        return []
    text = fold(source.text)
    problems = []
    for entry in table.entries:
        for phone in entry.phones:
            if fold(phone) not in text:
                problems.append(Problem(OFFICES_FILE, table.line, table.id, "entries.phones",
                                        f"电话“{phone}”在来源 {source.file} 里找不到"))
        for name, value in (("office", entry.office), ("address", entry.address)):
            if value and fold(value) not in text:
                problems.append(Problem(OFFICES_FILE, table.line, table.id, f"entries.{name}",
                                        f"“{value}”在来源 {source.file} 里找不到（办事处名称和地址要和原文一字不差）"))
    return problems


def check_grounding(kb: KnowledgeBase) -> list[Problem]:
    problems: list[Problem] = []
    for policy in kb.policies.values():
        problems += check_policy(policy, kb)
    for table in kb.tables.values():
        problems += check_table(table, kb)
    return problems


def record_texts(policy: Policy) -> Iterable[tuple[str, str]]:
    """Every human-readable field of a record with its name (for coverage reports beside the figure check)."""
    return _strings(policy)
