"""THE ANSWER SEAM: what the bot says about one policy for what was asked.

`answer(ctx, session, go)` is the only function the router calls to answer a policy — for the first answer
about a policy (`go.opening`: notice, "您咨询的是…", other policies, overview or the asked aspect) and for a
follow-up about one aspect (standard, validity, materials, process, deadline, contact, eligibility).
Everything about *composing* an answer lives here; the words themselves come from `render`.

To replace the composition (e.g. with an answer planner giving multi-part, FAQ-level answers), replace this
module's `answer`: it receives the session, the `GoTo` (policy, aspect, other policies, opening or not) and
the `Understanding` of the message when the turn has one (None for a button press), and returns a `Step`
(lines, sources, new session with its buttons) — or a `GoTo` in `Step.then` to hand on to the check or the
offices. Nothing else in the dialog composes what is said about a policy.
"""
from __future__ import annotations

from dataclasses import replace

from ...knowledge.model import Policy
from ...nlu.matcher import Understanding
from .. import menus, render
from ..context import Ctx
from ..session import Session
from ..step import Go, GoTo, Step, say


def answer(ctx: Ctx, s: Session, go: GoTo, understanding: Understanding | None = None) -> Step:
    """Answer `go.policy` (or, for a follow-up, the policy under discussion) about `go.aspect`."""
    if go.opening and go.policy:
        return _opening(ctx, s, ctx.kb.policies[go.policy], go.others, go.aspect)
    return _follow_up(ctx, s, go.aspect or "")


def _opening(ctx: Ctx, s: Session, policy: Policy, others_ids: tuple[str, ...] | None,
             aspect: str | None) -> Step:
    """The first answer about a policy the person picked or the dialog chose for them."""
    kb, today = ctx.kb, ctx.today
    if others_ids is None:  # picked from a list: keep offering the ones not picked
        others = [kb.policies[pid] for pid in s.related if pid in kb.policies]
        if s.policy in kb.policies and kb.policies[s.policy] not in others:
            others.insert(0, kb.policies[s.policy])
    else:
        others = [kb.policies[pid] for pid in others_ids]
    s = replace(s, policy=policy.id, topic=policy.topic)
    ended = ctx.ended(policy)
    head = (render.standing_notice(policy, kb, today), render.asked_about(policy))
    common = {"intent": policy.topic, "sources": (render.cite(policy, kb),)}
    if s.check and policy.conditions and not ended:
        return say(s, *head, then=GoTo(Go.BEGIN_CHECK, policy=policy.id), **common)
    related = [o for o in others if o.id != policy.id]
    lines = [*head, render.also(kb, related, today) if related else None]
    s = replace(s, related=tuple(o.id for o in related))
    if aspect == "contact":
        return say(s, *lines, then=GoTo(Go.SHOW_CONTACT, policy=policy.id), **common)
    if aspect and aspect != "eligibility":
        lines.append(render.aspect_text(policy, aspect, kb, today))
    elif s.check and policy.conditions and ended:
        lines += [render.ENDED_NO_CHECK, *render.overview(policy, kb, today)]
    else:
        lines += render.overview(policy, kb, today)
    lines.append(render.source(policy, kb))
    return say(menus.follow_ups(ctx, s, policy, done=aspect), *lines, **common)


def _follow_up(ctx: Ctx, s: Session, aspect: str) -> Step:
    """"那要带什么材料？" — one aspect of the policy under discussion."""
    policy = ctx.policy(s.policy)
    if policy is None:
        if s.topic:
            return Step(s, then=GoTo(Go.START_TOPIC, topic=s.topic, aspect=aspect, check=aspect == "eligibility"))
        return Step(s, then=GoTo(Go.OUT_OF_SCOPE))
    common = {"intent": policy.topic, "sources": (render.cite(policy, ctx.kb),)}
    if aspect == "contact":
        return Step(s, then=GoTo(Go.SHOW_CONTACT, policy=policy.id), **common)
    ended = ctx.ended(policy)
    if aspect == "eligibility" and policy.conditions and not ended:
        s = replace(s, answers={}, prefilled={})
        return Step(s, then=GoTo(Go.BEGIN_CHECK, policy=policy.id), **common)
    notice = render.standing_notice(policy, ctx.kb, ctx.today) if ended else None
    lines = (notice, render.aspect_head(policy, aspect), render.aspect_text(policy, aspect, ctx.kb, ctx.today),
             render.source(policy, ctx.kb))
    return say(menus.follow_ups(ctx, s, policy, done=aspect), *lines, **common)
