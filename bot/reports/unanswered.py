"""Noticing unanswered questions at the channel level, and the grouped report staff read.

The recorder watches what goes in and out of `PolicyBot.handle` — it needs no hook in the engine:
- an out-of-scope reply (state `fallback`, no intent) to a message that was not a button press;
- "都不是" pressed on a clarification: the question that led to the clarification is recorded;
- a clarification walked away from: the person wrote something else and the bot left the clarification,
  or never answered it within `abandon_after` seconds.
Any channel (web, Telegram) can wrap its calls with it. It keeps, per conversation and in memory only, the
question that is waiting for a clarification; what it stores carries no session id.
"""
from __future__ import annotations

import csv
import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Callable, Iterable, TextIO

from rapidfuzz import fuzz

from ..dialog.reply import Reply
from ..privacy import mask
from ..stores.base import Clock, StoreError, wall_clock
from ..stores.unanswered import (KIND_LABELS, NONE_OF_THESE, OUT_OF_SCOPE, WALKED_AWAY, UnansweredQuestion,
                                 UnansweredStore)

NONE_LABEL = "都不是"
CLARIFYING = "clarifying"
FALLBACK = "fallback"
MAX_TEXT = 200
MAX_WATCHED = 10_000

Candidates = Callable[[str], tuple[tuple[str, float], ...]]


@dataclass
class _Waiting:
    text: str           # the masked question the clarification was about
    options: tuple[str, ...]
    since: float
    candidates: tuple[tuple[str, float], ...]


class UnansweredRecorder:
    """Call `observe(session, text, reply)` after every engine call; misses go to the store."""

    def __init__(self, store: UnansweredStore, candidates: Candidates, clock: Clock = wall_clock,
                 abandon_after: float = 30 * 60):
        self.store = store
        self._candidates = candidates
        self._clock = clock
        self._abandon_after = abandon_after
        self._waiting: OrderedDict[str, _Waiting] = OrderedDict()
        self._lock = threading.Lock()

    def observe(self, session_id: str, text: str, reply: Reply) -> None:
        now = self._clock()
        with self._lock:
            waiting = self._waiting.pop(session_id, None)
            expired = self._expired(now)
        for old in expired:
            self._save(WALKED_AWAY, old.text, old.candidates, old.since)
        picked = waiting is not None and _picks_option(text, waiting.options)
        if waiting is not None:
            if picked and text.strip() in (NONE_LABEL, _number_of(NONE_LABEL, waiting.options)):
                self._save(NONE_OF_THESE, waiting.text, waiting.candidates, now)
            elif not picked and reply.state == CLARIFYING and tuple(reply.options) == waiting.options:
                self._watch(session_id, waiting)  # a re-prompt of the same clarification
                return
            elif not picked:
                self._save(WALKED_AWAY, waiting.text, waiting.candidates, now)
        if reply.state == CLARIFYING and NONE_LABEL in reply.options:
            masked = mask(text.strip()[-MAX_TEXT:])
            self._watch(session_id, _Waiting(masked, tuple(reply.options), now, self._candidates(text)))
        elif reply.state == FALLBACK and reply.intent is None and not picked and text.strip():
            self._save(OUT_OF_SCOPE, mask(text.strip()[-MAX_TEXT:]), self._candidates(text), now)

    def flush_walked_away(self) -> None:
        """Record clarifications nobody answered for `abandon_after` seconds (also done on every message)."""
        with self._lock:
            expired = self._expired(self._clock())
        for old in expired:
            self._save(WALKED_AWAY, old.text, old.candidates, old.since)

    def _watch(self, session_id: str, waiting: _Waiting) -> None:
        with self._lock:
            self._waiting[session_id] = waiting
            while len(self._waiting) > MAX_WATCHED:
                self._waiting.popitem(last=False)

    def _expired(self, now: float) -> list[_Waiting]:
        gone = [sid for sid, w in self._waiting.items() if w.since <= now - self._abandon_after]
        return [self._waiting.pop(sid) for sid in gone]

    def _save(self, kind: str, text: str, candidates: tuple[tuple[str, float], ...], when: float) -> None:
        try:
            self.store.add(UnansweredQuestion(when, kind, text, candidates))
        except StoreError:
            pass  # losing one report line must never cost the citizen an answer


def _number_of(label: str, options: tuple[str, ...]) -> str | None:
    return str(options.index(label) + 1) if label in options else None


def _picks_option(text: str, options: tuple[str, ...]) -> bool:
    text = text.strip()
    return text in options or (text.isdigit() and 1 <= int(text) <= len(options))


# ---------------------------------------------------------------- the report

CONVERSATIONAL_NAMES = {"greeting": "问候", "thanks": "感谢", "about_bot": "问机器人是谁", "help": "求助/怎么用",
                        "restart": "重新开始", "go_back": "返回上一步", "human": "找人工",
                        "out_of_scope": "超出范围（反例）"}


def intent_names(topics: dict) -> dict[str, str]:
    """Chinese names for every intent id: the topics' own names plus the conversational ones."""
    return {**CONVERSATIONAL_NAMES, **{tid: t.name for tid, t in topics.items()}}


@dataclass(frozen=True)
class QuestionGroup:
    """Similar wordings of one question, the most frequent first."""

    wordings: tuple[tuple[str, int], ...]
    count: int
    kinds: tuple[tuple[str, int], ...]
    candidates: tuple[tuple[str, float], ...]
    last: float

    @property
    def text(self) -> str:
        return self.wordings[0][0]


def _key(text: str) -> str:
    """What two wordings are compared on: NFKC-folded, lower case, punctuation and spaces removed."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).lower())


def group_questions(questions: Iterable[UnansweredQuestion], similarity: float = 75) -> list[QuestionGroup]:
    """Greedy grouping: a question joins the first group whose first wording is at least `similarity` alike."""
    heads: list[str] = []
    members: list[list[UnansweredQuestion]] = []
    for q in questions:
        key = _key(q.text)
        for i, head in enumerate(heads):
            if key == head or fuzz.ratio(key, head) >= similarity:
                members[i].append(q)
                break
        else:
            heads.append(key)
            members.append([q])
    groups = [_summarise(m) for m in members]
    return sorted(groups, key=lambda g: (-g.count, -g.last))


def _summarise(questions: list[UnansweredQuestion]) -> QuestionGroup:
    best: dict[str, float] = {}
    for q in questions:
        for intent, score in q.candidates:
            best[intent] = max(score, best.get(intent, 0.0))
    top = sorted(best.items(), key=lambda kv: -kv[1])[:3]
    return QuestionGroup(wordings=tuple(Counter(q.text for q in questions).most_common()),
                         count=len(questions), kinds=tuple(Counter(q.kind for q in questions).most_common()),
                         candidates=tuple(top), last=max(q.when for q in questions))


def kind_summary(group: QuestionGroup) -> str:
    return "，".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in group.kinds)


def candidate_summary(group: QuestionGroup, names: dict[str, str]) -> str:
    return "，".join(f"{names.get(i, i)} {s:.2f}" for i, s in group.candidates) or "—"


def format_report(groups: list[QuestionGroup], names: dict[str, str], period: str) -> str:
    total = sum(g.count for g in groups)
    lines = [f"未答问题报告（{period}）：{total} 条，{len(groups)} 组"]
    for number, g in enumerate(groups, 1):
        lines.append(f"{number:>3}. {g.count} 次  {g.text}")
        others = [f"{w}（{n}）" for w, n in g.wordings[1:4]]
        if others:
            lines.append("       相似说法：" + "；".join(others))
        lines.append(f"       类型：{kind_summary(g)}    最接近的意图：{candidate_summary(g, names)}")
    return "\n".join(lines)


def write_csv(groups: list[QuestionGroup], names: dict[str, str], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(["次数", "问题", "相似说法", "类型", "最接近的意图"])
    for g in groups:
        writer.writerow([g.count, g.text, "；".join(f"{w}（{n}）" for w, n in g.wordings[1:]),
                         kind_summary(g), candidate_summary(g, names)])
