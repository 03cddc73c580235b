"""What every flow may read: the knowledge base, today's date, and lookups worked out once at load time."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import date
from typing import TYPE_CHECKING, Callable

from ..knowledge.model import KnowledgeBase, OfficeEntry, Policy
from ..nlu.phrases import GAP, find_affirmed, phrase_pattern
from . import render
from .session import Cue, Mark
from .tuning import NAMED_TOPIC_CHARS

if TYPE_CHECKING:
    from ..answers.planner import AnswerPlanner

# words in titles that say nothing about which of several measures is meant
GENERIC_BIGRAMS = frozenset({"政策", "补贴", "实施", "继续", "关于", "进一步", "加大", "力度", "有关"})


def bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


class Index:
    """Lookups over the knowledge base that every turn would otherwise recompute.

    `hear` turns the person's words about a topic into what the dialog keeps of them (`Cue`s and title
    bigrams), so the session never stores the words themselves.
    """

    def __init__(self, kb: KnowledgeBase, clean: Callable[[str], str], compact: Callable[[str], str]):
        self.kb = kb
        self.clean = clean
        self._compact = compact
        # which policies cite each office table (for "天山区社保分中心电话")
        self.table_users = {tid: [p for p in kb.policies.values() if tid in p.contacts] for tid in kb.tables}

    # the lookups below are built on first use, so that loading the bot stays as fast as before
    @cached_property
    def title_bigrams(self) -> dict[str, frozenset[str]]:
        return {pid: frozenset(bigrams(self.clean(p.title))) for pid, p in self.kb.policies.items()}

    @cached_property
    def _all_title_bigrams(self) -> frozenset[str]:
        return frozenset().union(*self.title_bigrams.values())

    @cached_property
    def _cue_patterns(self) -> "CueIndex":
        compact = self._compact
        return CueIndex([(p.id, number, option, [compact(ph) for ph in phrases if compact(ph)])
                         for p in self.kb.policies.values() for number, cond in enumerate(p.conditions, 1)
                         for option, phrases in cond.cues])

    @cached_property
    def office_names(self) -> dict[tuple[str, int], str]:
        return {(tid, i): self.clean(e.office).replace(" ", "")
                for tid, t in self.kb.tables.items() for i, e in enumerate(t.entries) if e.office}

    def writes_topic(self, topic_id: str | None, normalized: str) -> bool:
        """The text writes out the topic's own name ("就业见习", "稳岗返还"): a name this long names its topic."""
        topic = self.kb.topics.get(topic_id or "")
        name = self._compact(topic.name) if topic else ""
        return len(name) >= NAMED_TOPIC_CHARS and name in normalized.replace(" ", "")

    def hear(self, normalized: str, before: Mark | None = None) -> tuple[tuple[Cue, ...], tuple[str, ...]]:
        """The condition cues and title bigrams in `normalized`, added to those of `before` if given."""
        text = normalized.replace(" ", "")
        cues = list(before.cues) if before else []
        seen = {(c.policy, c.number, c.option) for c in cues}
        cues += [Cue(*key, hit) for key, hit in self._cue_patterns.found(text) if key not in seen]
        words = set(before.title_words) if before else set()
        words |= bigrams(text) & self._all_title_bigrams
        return tuple(cues), tuple(sorted(words))


class CueIndex:
    """Every condition cue of every policy, each distinct phrase tried once per message.

    A phrase can only match a text holding its longest literal piece, so a substring test comes before
    the regular expression; a phrase shared by many policies is matched once for all of them."""

    def __init__(self, entries: list[tuple[str, int, str, list[str]]]):
        self.entries = [((pid, number, option), list(dict.fromkeys(phrases))) for pid, number, option, phrases in entries]
        self.users: dict[str, list[int]] = {}
        for k, (_, phrases) in enumerate(self.entries):
            for phrase in phrases:
                self.users.setdefault(phrase, []).append(k)
        self.patterns = {ph: (max(ph.split(GAP), key=len), phrase_pattern(ph)) for ph in self.users}

    def found(self, text: str) -> list[tuple[tuple[str, int, str], str]]:
        """(policy, condition number, option) → the words that said it, in the order of the policies."""
        hits: dict[str, str] = {}
        for phrase, (needle, pattern) in self.patterns.items():
            if needle in text and (match := find_affirmed(pattern, text)):
                hits[phrase] = match.group()
        chosen = sorted({k for phrase in hits for k in self.users[phrase]})
        out = []
        for k in chosen:
            key, phrases = self.entries[k]
            out.append((key, next(hits[ph] for ph in phrases if ph in hits)))
        return out


@dataclass(frozen=True)
class Ctx:
    """One turn's read-only surroundings."""

    kb: KnowledgeBase
    index: Index
    today: date
    planner: "AnswerPlanner"

    def contact_entries(self, policy: Policy, place: str | None) -> list[OfficeEntry]:
        return render.contact_entries(policy, self.kb, place)

    def contact_places(self, policy: Policy) -> list[str]:
        return render.contact_places(policy, self.kb)

    def policy(self, policy_id: str | None) -> Policy | None:
        return self.kb.policies.get(policy_id) if policy_id else None

    def ended(self, policy: Policy) -> bool:
        return self.kb.standing(policy, self.today).ended
