"""The conditions of a measure held against what the person said: listed at once, each marked where the
person's words or figures answer it, and the answers the one-by-one check starts from."""
from __future__ import annotations

import re

from typing import Callable

from ..knowledge.model import Condition, FaqEntry, Policy
from .faq_index import bigrams
from .story import (Quantity, StoryFinding, Verdict, condition_thresholds, falls_short, judge, meets_threshold,
                    text_thresholds)

STORY_ENTRY_SHARED = 3   # word pairs a clause the story's figures fit must share with the question


def conditions_lines(policy: Policy, story: tuple[Quantity, ...],
                     prefilled: dict[str, tuple[str, str]]) -> tuple[list[str], list[StoryFinding]]:
    """The conditions as a short list, each marked where the person's words or figures answer it."""
    if not policy.conditions:
        return ["原文没有列出申领条件。" if not policy.audience else f"适用对象：{policy.audience}"], []
    findings = judge(policy.conditions, list(story))
    said = {f.condition: f for f in findings}
    lines = ["条件（需同时满足）："]
    for number, cond in enumerate(policy.conditions, 1):
        line = f"{number}. {requirement(cond)}"
        finding = said.get(number)
        if finding:
            line += f"（{finding.explanation}，{'这一条不符合' if finding.verdict is Verdict.FAILED else '这一条符合'}）"
        elif str(number) in prefilled:
            words, option = prefilled[str(number)]
            line += f"（您说“{words}”，这一条{'符合' if option in cond.passing else '不符合'}）"
        lines.append(line)
    for finding in (f for f in findings if f.verdict is Verdict.FAILED):
        cond = policy.conditions[finding.condition - 1]
        lines.append(f"按您说的情况，第{finding.condition}条不符合：{cond.fail}")
        if cond.remedy:
            lines.append(f"怎么办：{cond.remedy}")
    return lines, findings


def story_answers(policy: Policy, story: tuple[Quantity, ...]) -> dict[str, tuple[str, str]]:
    """Conditions a story's figures already answer: number → (the option it amounts to, why).

    The eligibility check starts from these, so it can never end in "您符合" against the story."""
    out = {}
    for finding in judge(policy.conditions, list(story)):
        cond = policy.conditions[finding.condition - 1]
        said = "”“".join(re.findall(r"您说“([^”]+)”", finding.explanation)) or finding.explanation
        if finding.verdict is Verdict.MET:
            out[str(finding.condition)] = (cond.passing[0], said)
            continue
        failing = [o for o in cond.options if o not in cond.passing and o not in cond.unknown]
        if failing:
            out[str(finding.condition)] = (failing[0], said)
    return out


# 是否 wherever it stands ("累计缴费是否不超过15年"); 有没有 only near the start, where it asks (later it can
# be part of what is required)
_QUESTION_WORD = re.compile(r"^(.*?)是否|^(.{0,8}?)有没有")


_NO = frozenset({"否", "没有", "无", "不是", "不属于"})
_NOT_CONCERNED = "不涉及"   # an option for those the condition does not apply to: neither yes nor no


def requirement(cond: Condition) -> str:
    """The condition as a line of the list: a requirement, or — when the answer that passes is 否 (僵尸企业,
    失信记录) — the question with the answer it needs, so an exclusion never reads as a requirement."""
    passing = [option for option in cond.passing if _NOT_CONCERNED not in option]   # "个人申请不涉及"
    if passing and all(option in _NO for option in passing):
        return f"{cond.ask.rstrip('？?')}（须为“{passing[0]}”）"
    return statement(cond.ask)


def statement(ask: str) -> str:
    """A condition's question read as a requirement: "您和单位是否按规定参加…？" → "您和单位按规定参加…"."""
    text = ask.rstrip("？?").rstrip("吗")
    return _QUESTION_WORD.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text, count=1)


STORY_RULES = 1    # clauses of a standard quoted for a story's figures that no condition's figure judges
TIMED_SHARED = 2   # word pairs a counted condition must share with the question to answer "多少个月"
_TIME_SPAN = re.compile(r"\d+\s*(?:个月|年|周岁|天|个工作日)")


def timed_conditions(policy: Policy, said: set[str], prepare: Callable[[str], str]) -> list[Condition]:
    """Conditions that count months or years and share words (`said`: the question's word pairs beyond
    the measure's name) with the question ("足额交多少个月" → 足额缴纳失业保险费12个月以上; not "缴费多久能
    办好" → 累计缴费不超过15年)."""
    return [c for c in policy.conditions if _TIME_SPAN.search(c.ask)
            and len(said & bigrams(prepare(c.ask))) >= TIMED_SHARED]


def story_rules(policy: Policy, story: tuple[Quantity, ...], judged: set[int], said: set[str],
                prepare: Callable[[str], str]) -> list[str]:
    """"本科毕业干技术3年了，想直接报中级": the story's years meet no condition's figure (the condition
    says 满规定年限), so the clause of the standard that sets years for it is quoted beside the list."""
    judged_subjects = {t.subject for n, c in enumerate(policy.conditions, 1) if n in judged
                       for t in condition_thresholds(c)}
    told = {f.subject for f in story} - judged_subjects
    if not told:
        return []
    pieces = [p.strip("；;。 ") for p in re.split(r"[；;。\n]", policy.standard or "")]
    setting = [p for p in pieces if any(t.subject in told for t in text_thresholds(p))]
    setting.sort(key=lambda p: -len(said & bigrams(prepare(p))))
    lines = [f"原文的相关规定：{'；'.join(setting[:STORY_RULES])}。"] if setting else []
    # "学徒签的都是8个月的合同": the figure may stand only in a document to bring (签订1年以上劳动合同复印件)
    listed = [m.strip("；;。 ") for m in policy.materials if any(t.subject in told for t in text_thresholds(m))]
    if not listed or setting:
        return lines
    subjects = {t.subject for m in listed for t in text_thresholds(m)}
    yours = "、".join(f"“{f.said}”" for f in story if f.subject in subjects)
    return [f"所需材料中写明：{'；'.join(listed[:STORY_RULES])}（您说{yours}）。"]


def shortfall_line(entry: FaqEntry, story: tuple[Quantity, ...]) -> str | None:
    """"您说“干了4年”，这一条写的是“5年以上”": a clause shown whose figure the story does not reach."""
    short = falls_short(entry.answer, story)
    if not short:
        return None
    said = "、".join(f"“{q.said}”" for q, _ in short)
    wanted = "、".join(f"“{t.said}”" for _, t in short)
    return f"（「{entry.label}」：您说{said}，这一条写的是{wanted}，按您说的还不够。）"


def entries_for_story(entries: list[FaqEntry], story: tuple[Quantity, ...], said: set[str],
                      prepare: Callable[[str], str]) -> list[FaqEntry]:
    """"我们就20来个人，裁员率不超过多少": the clause for a firm of the story's size ("30人（含）以下的…
    20%"), or one whose figure the story meets ("登记失业一年多" → 连续失业一年以上的…) or falls short of
    ("本科…干了4年" → …5年以上), when it is about what was asked (it shares words with the question)."""
    if not story:
        return []
    fitting = [(-len(said & grams) / len(grams), not falls_short(e.answer, story), e) for e in entries
               if (meets_threshold(e.answer, story) or falls_short(e.answer, story))
               and len(said & (grams := bigrams(prepare(e.answer)))) >= STORY_ENTRY_SHARED]
    # the clause the question's words cover most of (长期失业 (一年以上) before 低保 and 连续失业半年以上);
    # between two alike, the one the story falls short of (it decides "能不能")
    return [e for *_, e in sorted(fitting, key=lambda triple: triple[:2])]
