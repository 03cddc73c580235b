"""What the staff debug panel shows: how the bot read a message and where its answer comes from.

Read-only use of the engine's knowledge base and matcher; nothing here changes a conversation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...dialog.reply import Reply
from ...engine import PolicyBot
from ...knowledge.model import Policy
from ...knowledge.passages import Passage, section_passage
from ...reports.unanswered import intent_names

ASPECT_NAMES = {"amount": "金额/标准", "eligibility": "条件/能不能领", "materials": "材料", "process": "流程",
                "deadline": "时限", "contact": "电话/地点", "validity": "有效期"}
OUTCOME_NAMES = {"match": "识别为话题", "clarify": "两个话题接近，需澄清", "vague": "太笼统，列出话题",
                 "out_of_scope": "超出范围", "empty": "没有内容"}


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
