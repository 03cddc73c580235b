"""The button sets several flows end with: topics, regions, follow-ups, and the general phone numbers."""
from __future__ import annotations

from dataclasses import replace

from ..knowledge.model import Policy
from . import render
from .context import Ctx
from .session import Action, Button, Do, Session, State

# the topics offered first (most asked), before the rest in topics.yaml order
FEATURED_TOPICS = ("unemployment_benefit", "internship", "startup_loan", "job_retention_refund",
                   "training_subsidy", "personal_si_subsidy")


def featured_names(ctx: Ctx) -> list[str]:
    return [ctx.kb.topics[t].name for t in FEATURED_TOPICS if t in ctx.kb.topics]


def topic_buttons(ctx: Ctx, topic_ids: list[str]) -> tuple[Button, ...]:
    return tuple(Button(ctx.kb.topics[t].name, Action(Do.TOPIC, t)) for t in topic_ids)


def offer_topics(ctx: Ctx, s: Session, limit: int | None) -> Session:
    """Topic buttons (those of the person's region, featured first); a fallback stays a fallback."""
    ids = list(FEATURED_TOPICS) + [t for t in ctx.kb.topics if t not in FEATURED_TOPICS]
    if s.region:
        ids = [t for t in ids if s.region in ctx.kb.regions_for_topic(t)]
    if limit:
        ids = ids[:limit]
    return replace(s, pending=topic_buttons(ctx, ids), state=State.FALLBACK if s.state == State.FALLBACK else State.IDLE)


def region_buttons(ctx: Ctx, regions: list[str], elsewhere: Button | None) -> tuple[Button, ...]:
    buttons = tuple(Button(ctx.kb.regions[r].short, Action(Do.REGION, r)) for r in regions)
    return buttons + ((elsewhere,) if elsewhere else ())


ELSEWHERE_BUTTON = Button(render.ELSEWHERE_LABEL, Action(Do.ELSEWHERE))
OTHER_BUTTON = Button(render.OTHER_LABEL, Action(Do.OTHER))
TOPICS_BUTTON = Button(render.TOPICS_LABEL, Action(Do.TOPICS))
RESTART_BUTTON = Button(render.RESTART_LABEL, Action(Do.RESTART))
HUMAN_BUTTON = Button(render.HUMAN_LABEL, Action(Do.HUMAN))
NONE_BUTTON = Button(render.NONE_LABEL, Action(Do.NONE))


def policy_buttons(policies: list[Policy]) -> tuple[Button, ...]:
    return tuple(Button(p.button, Action(Do.POLICY, p.id)) for p in policies)


def follow_ups(ctx: Ctx, s: Session, policy: Policy, done: str | set[str] | None = None) -> Session:
    """What can come after an answer about `policy`: the check (if not done yet), the aspects the answer
    did not already hold (`done`), the other policies of the topic, or something else."""
    shown = {done} if isinstance(done, str) else set(done or ())
    buttons: list[Button] = []
    if policy.conditions and not s.answers and not ctx.ended(policy):
        buttons.append(Button(render.CHECK_LABEL, Action(Do.CHECK)))
    buttons += [Button(label, Action(Do.ASPECT, aspect)) for label, aspect in render.FOLLOW_UPS if aspect not in shown]
    if any(pid != policy.id for pid in s.related):
        buttons.append(Button(render.RELATED_LABEL, Action(Do.RELATED)))
    buttons.append(OTHER_BUTTON)
    return replace(s, state=State.ANSWERED, pending=tuple(buttons))


def general_contacts(ctx: Ctx, region: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The general phone numbers (the person's region's, or all): lines and their citations."""
    contacts = ctx.kb.general_contacts()
    mine = [c for c in contacts if c[0] == region]
    chosen = mine or contacts
    return (tuple(render.general_contact(r, entry) for r, entry, _ in chosen),
            tuple(render.cite_table(table, ctx.kb) for _, _, table in chosen))
