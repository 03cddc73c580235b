"""What a flow hands back to the router: a `Step` (words, buttons, the new session) and maybe a `GoTo`.

Flows never call one another: when one flow's answer continues in another ("the check passed — now the
office"), it returns a step with `then=GoTo(...)` and the router runs the next flow. The router keeps the
table of where each `Go` leads (`router.FLOWS`).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from .session import Session

# `Step.intent` when the step does not decide the intent: the reply then names the topic under discussion
SAME: Final = ""


class Go(StrEnum):
    """Where a flow may hand the turn on to."""

    START_TOPIC = "start_topic"      # topics.start_topic(topic, aspect, check)
    ANSWER = "answer"                # answer.answer(policy, aspect, others)
    BEGIN_CHECK = "begin_check"      # check.begin_check(policy)
    SHOW_CONTACT = "show_contact"    # contacts.show_contact(policy, after_answer)
    HUMAN = "human"                  # help.human()
    OUT_OF_SCOPE = "out_of_scope"    # help.out_of_scope()
    RESTART = "restart"              # the router starts over


@dataclass(frozen=True)
class GoTo:
    to: Go
    topic: str | None = None
    policy: str | None = None
    aspect: str | None = None
    check: bool = False
    others: tuple[str, ...] | None = None   # other policies to mention; None: those offered before
    opening: bool = False                    # answer: first answer about this policy (not a follow-up)
    after_answer: bool = False               # show_contact: right under an answer (no heading)
    region_guessed: bool = False             # answer: the region was read from the question's words


@dataclass(frozen=True)
class Step:
    session: Session
    lines: tuple[str, ...] = ()
    question: str | None = None          # the question asked (also among `lines`): shown again on 返回
    sources: tuple[str, ...] = ()
    intent: str | None = SAME
    repeat: bool = False                 # only repeats the pending question: keep the stored prompt
    then: GoTo | None = None


def ask(session: Session, *lines: str | None, question: str, **kw) -> Step:
    """A step that says `lines`, then asks `question`."""
    return Step(session, (*(line for line in lines if line), question), question=question, **kw)


def say(session: Session, *lines: str | None, **kw) -> Step:
    """A step that says the non-empty `lines`."""
    return Step(session, tuple(line for line in lines if line), **kw)
