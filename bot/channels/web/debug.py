"""What the staff debug panel shows: how the bot read a message and where its answer comes from.

Read-only use of the engine's knowledge base and matcher; nothing here changes a conversation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ...dialog.reply import Reply
from ...engine import PolicyBot
from ...knowledge.model import KnowledgeBase, Policy
from ...reports.unanswered import intent_names

ASPECT_NAMES = {"amount": "金额/标准", "eligibility": "条件/能不能领", "materials": "材料", "process": "流程",
                "deadline": "时限", "contact": "电话/地点", "validity": "有效期"}
OUTCOME_NAMES = {"match": "识别为话题", "clarify": "两个话题接近，需澄清", "vague": "太笼统，列出话题",
                 "out_of_scope": "超出范围", "empty": "没有内容"}
_TOP_HEADING = re.compile(r"(?:^|(?<=[。；]))\s*[一二三四五六七八九十]+、", re.M)
_SUB_MARK = re.compile(r"[（(]\s*[一二三四五六七八九十]+\s*[）)]")
_ANY_MARK = re.compile(r"[（(]\s*[一二三四五六七八九十]+\s*[）)]|[一二三四五六七八九十]+、")
PASSAGE_CAP = 3000


@dataclass(frozen=True)
class Passage:
    """A source document cut in three, so the cited section can be highlighted in place."""

    title: str
    before: str
    passage: str
    after: str
    found: bool


@dataclass(frozen=True)
class DebugInfo:
    normalized: str
    tokens: tuple[str, ...]
    region: str | None
    place: str | None
    entities: str
    aspect: str
    outcome: str
    candidates: tuple[tuple[str, str, float], ...]   # (intent id, topic name, score)
    reply_intent: str | None
    confidence: float
    state: str
    policy: Policy | None
    policy_label: str | None
    passage: Passage | None


def section_passage(kb: KnowledgeBase, policy: Policy) -> Passage:
    """Find the policy's section in its document: from its heading to the next heading of the same rank."""
    doc = kb.sources[policy.source]
    text = doc.text
    start = _heading_start(text, policy)
    if start is None:
        return Passage(doc.title, text[:PASSAGE_CAP], "", "", False)
    sub = bool(_SUB_MARK.match(text, start))
    after = start + 1 + (len(_SUB_MARK.match(text, start).group()) if sub else 0)
    ends = [m.start() for m in (_SUB_MARK.search(text, after) if sub else None, _TOP_HEADING.search(text, after))
            if m is not None]
    end = min([*ends, len(text), start + PASSAGE_CAP])
    return Passage(doc.title, text[max(0, start - PASSAGE_CAP):start], text[start:end],
                   text[end:end + PASSAGE_CAP], True)


def _heading_start(text: str, policy: Policy) -> int | None:
    """Where the section starts: its title as printed (with the numbering just before it, if any), else
    the first place its own numbering appears. Sources are not uniform (some print several headings on
    one line, some use half-width brackets), so this searches rather than parses."""
    chunks = [c.strip() for c in re.split(r"[；;·【】]|[（(]\d[）)]|政策对象", policy.section_title or "")]
    for chunk in (c for c in chunks if len(c) >= 4):
        found = text.find(chunk)
        if found < 0:
            continue
        found -= 1 if found and text[found - 1] == "【" else 0
        window = text[max(0, found - 12):found]
        marks = list(_ANY_MARK.finditer(window))
        return found - len(window) + marks[-1].start() if marks else found
    numbering = re.findall(r"[一二三四五六七八九十]+", policy.section)
    if not numbering:
        return None
    last = numbering[-1]
    pattern = rf"[（(]\s*{last}\s*[）)]" if "（" in policy.section or "(" in policy.section else rf"(?m)^\s*{last}、"
    match = re.search(pattern, text)
    return match.start() if match else None


def explain(bot: PolicyBot, text: str, reply: Reply, today: date) -> DebugInfo:
    u = bot.matcher.understand(text)
    kb = bot.kb
    policy = kb.policies.get(reply.policy) if reply.policy else None
    entities = "，".join(f"{k}：{'、'.join(map(str, v)) if isinstance(v, (list, tuple)) else v}"
                        for k, v in u.entities.items()) or "—"
    names = intent_names(kb.topics)
    return DebugInfo(
        normalized=u.normalized, tokens=u.tokens, region=u.region, place=u.place, entities=entities,
        aspect=ASPECT_NAMES.get(u.aspect or "", u.aspect or "—"), outcome=OUTCOME_NAMES.get(u.outcome, u.outcome),
        candidates=tuple((c.intent, names.get(c.intent, c.intent), c.score) for c in u.candidates[:5]),
        reply_intent=reply.intent, confidence=reply.confidence, state=reply.state, policy=policy,
        policy_label=kb.standing(policy, today).label if policy else None,
        passage=section_passage(kb, policy) if policy else None)
