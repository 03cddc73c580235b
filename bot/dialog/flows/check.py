"""The eligibility check: the conditions one by one (skipping those the person's words already answer),
then the verdict."""
from __future__ import annotations

from dataclasses import replace

from ...knowledge.model import Policy
from .. import menus, render
from ..context import Ctx
from ..session import Action, Button, Do, Session, State, Verdict
from ..step import Go, GoTo, Step, ask, say
from ...answers.conditions import story_answers
from ...answers.story import Quantity, Subject


def begin_check(ctx: Ctx, s: Session, go: GoTo) -> Step:
    """Start the check of `go.policy`; conditions the person already answered in words are filled in."""
    policy = ctx.kb.policies[go.policy or ""]
    answers, prefilled = dict(s.answers), dict(s.prefilled)
    found = {(c.number, c.option): c.words for c in s.cues if c.policy == policy.id}
    for number, cond in enumerate(policy.conditions, 1):
        key = str(number)
        if key in answers:
            continue
        option = next((o for o, _ in cond.cues if (number, o) in found), None)
        if option is not None:
            answers[key], prefilled[key] = option, found[(number, option)]
    # figures of the story answer conditions too, and a figure that fails one overrides a cue that passes it
    story = tuple(Quantity(Subject(f.subject), f.value, f.said) for f in s.story)
    for key, (option, why) in story_answers(policy, story).items():
        answers[key], prefilled[key] = option, why
    s = replace(s, check=True, answers=answers, prefilled=prefilled)
    lines = [render.CHECK_FIRST + (ctx.planner.short_tag(policy, ctx.today) or "")]
    for key, phrase in prefilled.items():
        lines.append(render.prefilled(phrase, policy.conditions[int(key) - 1].ask, answers[key]))
    step = next_condition(ctx, s)
    return replace(step, lines=(*lines, *step.lines))


def answered(ctx: Ctx, s: Session, number: str, option: str) -> Step:
    """A button (or typed answer) for condition `number`."""
    return next_condition(ctx, replace(s, answers={**s.answers, number: option}))


def next_condition(ctx: Ctx, s: Session) -> Step:
    policy = ctx.policy(s.policy)
    if policy is None:
        return Step(s, then=GoTo(Go.RESTART))
    to_ask = [n for n in range(1, len(policy.conditions) + 1) if str(n) not in s.prefilled]
    for position, number in enumerate(to_ask, 1):
        if str(number) not in s.answers:
            cond = policy.conditions[number - 1]
            buttons = tuple(Button(option, Action(Do.ANSWER, str(number), option)) for option in cond.options)
            s = replace(s, state=State.CHECKING, pending=buttons)
            return ask(s, question=render.condition_question(cond.ask, position, len(to_ask)))
    return _verdict(ctx, s, policy)


def _verdict(ctx: Ctx, s: Session, policy: Policy) -> Step:
    kb, today = ctx.kb, ctx.today
    verdicts = [(cond, Verdict(cond.outcome(s.answers.get(str(n), "")))) for n, cond in enumerate(policy.conditions, 1)]
    failed = [cond for cond, v in verdicts if v is Verdict.FAIL]
    unsure = [cond for cond, v in verdicts if v is Verdict.UNKNOWN]
    notice = render.standing_notice(policy, kb, today)
    if failed:
        lines = [notice, *render.not_eligible(policy, failed), render.source(policy, kb)]
        if not policy.contacts:
            lines.append(render.contact_text(policy))
        buttons = (Button(render.CONTACT_LABEL, Action(Do.ASPECT, "contact")),
                   Button(render.RECHECK_LABEL, Action(Do.CHECK)), menus.OTHER_BUTTON)
        return say(replace(s, state=State.ANSWERED, pending=buttons), *lines)
    lines = [notice, *render.eligible(unsure), *render.full_answer(policy, kb, today), render.source(policy, kb)]
    return say(replace(s, aspect=None), *lines, then=GoTo(Go.SHOW_CONTACT, policy=policy.id, after_answer=True))
