"""Where a button, a command or a flow's `GoTo` leads, and the machinery that runs the flows of one turn.

The route table (`router.ROUTES`) decides what a typed message is; this module carries out the rest:
`ACTIONS` (a button press), `COMMAND_FLOWS` (/start, 你好, 转人工 …) and `FLOWS` (one flow handing on to
another).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from . import menus, render
from .flows import answer, check, contacts, help, topics
from .session import Action, Do, Session
from .step import Go, GoTo, Step, say
from .tuning import TOPIC_BUTTONS
from .turn import Turn

# ---- the machinery ------------------------------------------------------------------------------------
MAX_HOPS = 8  # a turn passes through at most this many flows; more means two flows hand on in a circle


def run(t: Turn, go: GoTo) -> None:
    step = FLOWS[go.to](t, go)
    if step is not None:
        run_step(t, step)


def run_step(t: Turn, step: Step) -> None:
    for _ in range(MAX_HOPS):
        t.apply(step)
        if step.then is None:
            return
        nxt = FLOWS[step.then.to](t, step.then)
        if nxt is None:
            return
        step = nxt
    raise RuntimeError(f"对话流程循环：超过 {MAX_HOPS} 步仍未结束（最后一步：{step.then}）")


def act(t: Turn, action: Action) -> None:
    t.session = replace(t.session, retries=0)
    ACTIONS[action.kind](t, action)


def check_again(t: Turn) -> None:
    """"核对申领条件" / "重新核对": start the check afresh (an ended policy only gets its validity)."""
    t.session = replace(t.session, answers={}, prefilled={})
    policy = t.ctx.policy(t.session.policy)
    if policy and t.ctx.ended(policy):
        run(t, GoTo(Go.ANSWER, aspect="validity"))
    elif policy:
        run(t, GoTo(Go.BEGIN_CHECK, policy=policy.id))


def command(t: Turn, name: str) -> None:
    flow = COMMAND_FLOWS.get(name)
    if flow is None:
        t.apply(help.out_of_scope(t.ctx, t.session, t.understanding))
    else:
        flow(t)


def restart(t: Turn) -> None:
    t.session = Session(history=t.session.history)
    t.intent = "restart"
    t.apply(say(menus.offer_topics(t.ctx, t.session, TOPIC_BUTTONS), render.RESTARTED))


def back(t: Turn) -> None:
    t.intent = "go_back"
    s = t.session
    if not s.history:
        if s.pending:
            t.apply(say(s, render.FIRST_STEP, s.prompt, repeat=True))
        else:
            t.apply(say(menus.offer_topics(t.ctx, s, TOPIC_BUTTONS), render.FIRST_STEP, render.ASK_ANYTHING,
                        repeat=True))
        return
    previous = s.back()
    t.apply(say(previous, render.BACK, previous.prompt, repeat=True))


# where a button leads
ACTIONS: dict[Do, Callable[[Turn, Action], None]] = {
    Do.TOPIC: lambda t, a: run(t, GoTo(Go.START_TOPIC, topic=a.arg, aspect=t.session.aspect, check=t.session.check)),
    Do.POLICY: lambda t, a: run(t, GoTo(Go.ANSWER, policy=a.arg, aspect=t.session.aspect, opening=True)),
    Do.REGION: lambda t, a: run_step(t, topics.chose_region(t.ctx, t.session, a.arg)),
    Do.ELSEWHERE: lambda t, a: t.apply(help.other_region(t.ctx, t.session)),
    Do.ANSWER: lambda t, a: run_step(t, check.answered(t.ctx, t.session, a.arg, a.option)),
    Do.DISTRICT: lambda t, a: run_step(t, contacts.district(t.ctx, t.session, a.arg)),
    Do.ASPECT: lambda t, a: run(t, GoTo(Go.ANSWER, aspect=a.arg)),
    Do.CHECK: lambda t, a: check_again(t),
    Do.RELATED: lambda t, a: t.apply(topics.related(t.ctx, t.session)),
    Do.OTHER: lambda t, a: t.apply(help.something_else(t.ctx, t.session)),
    Do.NONE: lambda t, a: t.apply(help.none_of_these(t.ctx, t.session)),
    Do.RESTART: lambda t, a: command(t, "restart"),
    Do.HUMAN: lambda t, a: command(t, "human"),
    Do.TOPICS: lambda t, a: command(t, "topics"),
}

# commands, typed ("/help") or recognised ("你好", "转人工")
COMMAND_FLOWS: dict[str, Callable[[Turn], None]] = {
    "start": lambda t: t.apply(help.welcome(t.ctx, t.session)),
    "greeting": lambda t: t.apply(help.greeting(t.ctx, t.session)),
    "thanks": lambda t: t.apply(help.thanks(t.ctx, t.session)),
    "help": lambda t: t.apply(help.usage(t.ctx, t.session)),
    "about_bot": lambda t: t.apply(help.about(t.ctx, t.session)),
    "topics": lambda t: t.apply(help.about(t.ctx, t.session)),
    "region": lambda t: t.apply(help.pick_region(t.ctx, t.session)),
    "human": lambda t: run(t, GoTo(Go.HUMAN)),
    "restart": lambda t: restart(t),
    "go_back": lambda t: back(t),
}

# where a flow may hand on to
FLOWS: dict[Go, Callable[[Turn, GoTo], Step | None]] = {
    Go.START_TOPIC: lambda t, go: topics.start_topic(t.ctx, t.session, go),
    Go.ANSWER: lambda t, go: answer.answer(t.ctx, t.session, go, t.understanding),
    Go.BEGIN_CHECK: lambda t, go: check.begin_check(t.ctx, t.session, go),
    Go.SHOW_CONTACT: lambda t, go: contacts.show_contact(t.ctx, t.session, go),
    Go.HUMAN: lambda t, go: help.human(t.ctx, t.session, go),
    Go.OUT_OF_SCOPE: lambda t, go: help.out_of_scope(t.ctx, t.session, t.understanding),
    Go.RESTART: lambda t, go: restart(t),
}


