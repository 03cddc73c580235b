"""What the bot remembers about one conversation: immutable values, stored as JSON with a schema version.

Nothing here keeps what the person typed: only what the dialog needs later (the condition cues and the
title words already found in their words, see `Cue`), so the stores never hold an ID-card or phone number.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from .tuning import MAX_HISTORY

# 2: typed buttons, cues instead of the person's words, compact history. Older sessions start afresh.
SCHEMA_VERSION = 3


class State(StrEnum):
    """Where the conversation stands (the values are the public `Reply.state` strings)."""

    IDLE = "idle"                        # nothing pending; waiting for a question
    CLARIFYING = "clarifying"            # two topics were close, or the words were vague; asked which
    ASKING_REGION = "asking_region"      # the topic differs by region; asked where
    CHOOSING = "choosing_policy"         # a region has several policies on the topic; asked which
    CHECKING = "checking"                # asking the eligibility conditions one by one
    ASKING_DISTRICT = "asking_district"  # the office differs by district; asked which
    ANSWERED = "answered"                # gave an answer; offering follow-ups
    FALLBACK = "fallback"                # could not help (out of scope / unrecognised); offered a human
    ERROR = "error"                      # the session store failed


STATES = tuple(s.value for s in State)
# states in which the bot has asked a question and waits for one of its buttons
QUESTION_STATES = frozenset({State.CHECKING, State.ASKING_REGION, State.ASKING_DISTRICT, State.CLARIFYING,
                             State.CHOOSING})
# states in which a reply is about one policy (Reply.policy is filled in)
POLICY_STATES = frozenset({State.CHECKING, State.ASKING_DISTRICT, State.ANSWERED})


class Do(StrEnum):
    """What pressing a button does (the `kind` of an `Action`)."""

    TOPIC = "topic"          # arg: topic id — start that topic
    POLICY = "policy"        # arg: policy id — open one of several policies
    REGION = "region"        # arg: region name — the person is there
    ELSEWHERE = "elsewhere"  # none of our regions
    ANSWER = "answer"        # arg: condition number, option: the chosen option
    DISTRICT = "district"    # arg: place name — show that district's office
    ASPECT = "aspect"        # arg: aspect — a follow-up about the policy under discussion
    CHECK = "check"          # start (again) the eligibility check
    RELATED = "related"      # list the other policies of the topic
    OTHER = "other"          # nothing more on this topic
    NONE = "none"            # none of the offered topics
    RESTART = "restart"
    HUMAN = "human"
    TOPICS = "topics"        # what can I ask?


@dataclass(frozen=True)
class Action:
    kind: Do
    arg: str = ""
    option: str = ""

    def encode(self) -> str:
        """The stored form, "kind:arg[:option]" — only the session JSON uses it."""
        parts = [self.kind.value]
        if self.arg or self.option:
            parts.append(self.arg)
        if self.option:
            parts.append(self.option)
        return ":".join(parts)

    @classmethod
    def decode(cls, text: str) -> "Action":
        kind, _, rest = text.partition(":")
        if kind == Do.ANSWER:
            number, _, option = rest.partition(":")
            return cls(Do.ANSWER, number, option)
        return cls(Do(kind), rest)


@dataclass(frozen=True)
class Button:
    label: str
    action: Action


class Verdict(StrEnum):
    """How one answer stands against an eligibility condition (`Condition.outcome` in the knowledge base)."""

    PASS = "pass"
    UNKNOWN = "unknown"
    FAIL = "fail"


@dataclass(frozen=True)
class Cue:
    """Words of the person's that already answer condition `number` of `policy` with `option`."""

    policy: str
    number: int
    option: str
    words: str


@dataclass(frozen=True)
class Figure:
    """One figure of a story, as the answer planner reads it: what it measures, its value, the words."""

    subject: str
    value: float
    said: str


@dataclass(frozen=True)
class Mark:
    """Everything 返回 restores: the dialog as it stood when a question was asked (no history inside)."""

    state: State = State.IDLE
    topic: str | None = None
    policy: str | None = None
    region: str | None = None          # remembered for the rest of the session
    place: str | None = None           # remembered district / 旗县市 / 师市
    aspect: str | None = None          # what was asked, answered once the region is known
    check: bool = False                # the question asked for an eligibility check
    answers: dict[str, str] = field(default_factory=dict)    # condition number → chosen option
    prefilled: dict[str, str] = field(default_factory=dict)  # condition number → the words that answered it
    pending: tuple[Button, ...] = ()   # the buttons on offer
    retries: int = 0
    related: tuple[str, ...] = ()      # other policies of the topic offered as buttons
    prompt: str = ""                   # the last question asked, shown again on 返回 or a bad answer
    cues: tuple[Cue, ...] = ()         # condition cues found in the words about the current topic
    title_words: tuple[str, ...] = ()  # bigrams of those words that occur in some policy title
    question: str = ""                 # the question being answered, normalised and masked (≤ QUESTION_CHARS)
    story: tuple[Figure, ...] = ()     # figures the person's story gave (for the conditions' thresholds)
    warned: tuple[str, ...] = ()       # policies whose ended / draft warning was given in full


@dataclass(frozen=True)
class Session(Mark):
    history: tuple[Mark, ...] = ()     # earlier marks, newest last, at most MAX_HISTORY

    def mark(self) -> Mark:
        return Mark(**{f.name: getattr(self, f.name) for f in fields(Mark)})

    def remember(self, before: Mark) -> "Session":
        return replace(self, history=(*self.history, before)[-MAX_HISTORY:])

    def back(self) -> "Session":
        """The session as it stood at the last mark (the caller checks there is one)."""
        *rest, last = self.history
        return Session(**{f.name: getattr(last, f.name) for f in fields(Mark)}, history=tuple(rest))

    def to_json(self) -> dict:
        data = _mark_json(self)
        data["history"] = [_mark_json(m) for m in self.history]
        return {"version": SCHEMA_VERSION, **data}

    @classmethod
    def from_json(cls, data: dict | None) -> "Session":
        """Unknown, malformed or old-version state starts a fresh session rather than misreading it."""
        if not isinstance(data, dict) or data.get("version") != SCHEMA_VERSION:
            return cls()
        try:
            history = tuple(Mark(**_mark_fields(m)) for m in data.get("history") or [])
            return cls(**_mark_fields(data), history=history[-MAX_HISTORY:])
        except (TypeError, ValueError, KeyError, AttributeError):
            return cls()


def _mark_json(mark: Mark) -> dict[str, Any]:
    data: dict[str, Any] = {f.name: getattr(mark, f.name) for f in fields(Mark)}
    data["state"] = mark.state.value
    data["answers"], data["prefilled"] = dict(mark.answers), dict(mark.prefilled)
    data["pending"] = [[b.label, b.action.encode()] for b in mark.pending]
    data["related"] = list(mark.related)
    data["cues"] = [[c.policy, c.number, c.option, c.words] for c in mark.cues]
    data["title_words"] = list(mark.title_words)
    data["story"] = [[f.subject, f.value, f.said] for f in mark.story]
    data["warned"] = list(mark.warned)
    return data


def _mark_fields(data: dict) -> dict[str, Any]:
    known = {f.name for f in fields(Mark)}
    out = {k: v for k, v in data.items() if k in known}
    out["state"] = State(data.get("state", State.IDLE))
    out["pending"] = tuple(Button(str(label), Action.decode(action)) for label, action in data.get("pending") or [])
    out["related"] = tuple(data.get("related") or ())
    out["cues"] = tuple(Cue(str(p), int(n), str(o), str(w)) for p, n, o, w in data.get("cues") or [])
    out["title_words"] = tuple(data.get("title_words") or ())
    out["question"] = str(data.get("question") or "")
    out["story"] = tuple(Figure(str(k), float(v), str(w)) for k, v, w in data.get("story") or [])
    out["warned"] = tuple(str(p) for p in data.get("warned") or ())
    out["answers"], out["prefilled"] = dict(data.get("answers") or {}), dict(data.get("prefilled") or {})
    return out
