"""Which FAQ entry, or which measure, a question means: a detail after an answer, a question no topic fits,
a choice between measures, and the other measures the same message asks about."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Callable

from ..knowledge.model import FaqEntry, KnowledgeBase, Policy
from .choose import GENERIC, PolicyChooser
from .cues import DetailCues
from .faq_index import FaqIndex, ScoredEntry, bigrams
from .sentences import asks_something

if TYPE_CHECKING:
    from .planner import Question

MAX_PARTS = 3          # parts of one message looked at for a second topic
MAX_COMPANIONS = 2     # measures answered beside the main one (another region, another topic)
SECOND_TOPIC_MIN = 0.55  # a part must match a second topic this well to be answered too
ANYWHERE_MIN = 0.5  # with no topic to go on, a FAQ entry must fit this well to be taken as the answer,
ANYWHERE_FLOOR, ANYWHERE_LEAD = 0.25, 1.4   # or at least this well and this far ahead of every other measure
ANYWHERE_SUBJECT = 3   # bigrams of what the question is about (not how it asks) that the entry must share
ELLIPTICAL_CHARS = 8   # "那副高呢": a follow-up this short leans on the answer before it
ELLIPTICAL_MIN = 0.12  # …so its few words may fit an entry loosely, as long as all of them stand in it
_ELLIPTICAL = re.compile(r"^(?:那么|那)|(?:呢|吗|呀)+$")
PREFER_MIN, PREFER_MARGIN = 0.5, 0.08   # a FAQ entry that decides between measures or topics


@dataclass(frozen=True)
class TextReader:
    """What the planner needs from the matcher, as plain functions (the planner never imports it)."""

    prepare: Callable[[str], str]                        # folded, places taken out, no spaces
    known: frozenset[str]                                # every bigram the bot's own data contains
    regions_in: Callable[[str], list[str]]               # the regions a text names, in order
    topic_of: Callable[[str], tuple[str, float] | None]  # the topic a part names confidently, if any


class FaqLookup:
    """Finds what a question means among the FAQ entries and measures (no reply is composed here)."""

    def __init__(self, kb: KnowledgeBase, index: FaqIndex, cues: DetailCues, chooser: PolicyChooser,
                 reader: TextReader):
        self.kb = kb
        self.index = index
        self.cues = cues
        self.chooser = chooser
        self.reader = reader

    def prepare(self, text: str) -> str:
        """Text as the FAQ and the chooser compare it: folded, no places, no spaces."""
        return self.reader.prepare(text)

    def _names(self, policy: Policy) -> str:
        topic = self.kb.topics.get(policy.topic)
        return " ".join((policy.title, policy.button, topic.name if topic else ""))

    def anywhere(self, text: str, region: str | None, today: date) -> ScoredEntry | None:
        """The FAQ entry that fits a question no topic matched, among the measures of the person's region
        (or all, when unknown; a year named narrows to that year's documents)."""
        policies = list(self.kb.policies.values())
        if region in self.kb.regions:
            covered = {region, *self.kb.regions[region].covered_by}
            policies = [p for p in policies if p.region in covered]
        policies = self.chooser.by_year(policies, self.prepare(text))
        ranked = self.index.leaders([p.id for p in policies], text, self.cues.asked(text).details)
        if not ranked:
            return None
        best = ranked[0]
        rival = next((h.score for h in ranked if h.entry.policy != best.entry.policy), 0.0)
        # a long question spreads its words thin: then the entry must stand well clear of every other measure's
        clear = best.score >= ANYWHERE_FLOOR and best.score >= ANYWHERE_LEAD * rival
        # the match must rest on what the question is about, not on how it asks (怎么办理, 多少钱)
        about = bigrams(self.cues.strip(self.prepare(text))) - GENERIC
        if self.index.shared(best.entry, about) < ANYWHERE_SUBJECT:
            return None
        return best if best.score >= ANYWHERE_MIN or clear else None

    def companions(self, policy: Policy, q: Question, region: str | None, today: date) -> list[tuple[Policy, str]]:
        """Other measures the same message asks about: the topic in another region named ("兵团和乌鲁木齐
        有啥区别"), or a second topic in another part of the question ("失业金多少，培训补贴怎么申请")."""
        said = self.prepare(q.text)
        found: list[tuple[Policy, str]] = []
        for other_region in dict.fromkeys(self.reader.regions_in(q.text)):
            if other_region != policy.region:
                other = self.chooser.pick(policy.topic, other_region, today, said, exact=True)
                if other and other.id != policy.id:
                    found.append((other, q.text))
        own = bigrams("".join(self._names(policy))) - GENERIC
        for part in q.parts[:MAX_PARTS] if len(q.parts) > 1 else ():
            if not asks_something(part) or own & bigrams(self.prepare(part)):
                continue  # tells rather than asks, or asks about this very measure
            named = self.reader.topic_of(part)
            if named and named[0] != policy.topic and named[1] >= SECOND_TOPIC_MIN:
                other = self.chooser.pick(named[0], region or policy.region, today, self.prepare(part))
                if other and other.id not in {p.id for p, _ in found} and other.id != policy.id:
                    found.append((other, part))
        return found[:MAX_COMPANIONS]

    def prefer_by_faq(self, policies: list[Policy], text: str) -> Policy | None:
        """Of several measures, the one whose FAQ clearly answers the question ("要自己先掏钱吗")."""
        best: dict[str, float] = {}
        for hit in self.index.rank([p.id for p in policies], text, self.cues.asked(text).details):
            best.setdefault(hit.entry.policy, hit.score)
        ranked = sorted(best.items(), key=lambda pair: -pair[1])
        if not ranked or ranked[0][1] < PREFER_MIN:
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < PREFER_MARGIN:
            return None
        return self.kb.policies[ranked[0][0]]

    def follow_up_entry(self, policy: Policy, text: str) -> FaqEntry | None:
        """A detail asked after an answer ("那展期呢") — only when it clearly fits this policy and the
        message is more than the measure's own name."""
        asked = self.cues.asked(text, ignore=self._names(policy))
        said = self.prepare(text)
        if said and said in self.prepare(self._names(policy)):
            return None
        # "企业呢" / "那副高呢": a few words that lean on the answer before; they fit less, and must name
        # something of the entry (not only 那…呢)
        core = _ELLIPTICAL.sub("", said)
        if len(said) <= ELLIPTICAL_CHARS and core != said and core:
            # every word left must stand in the entry; the closest such entry answers
            grams = bigrams(core)
            hits = [h for h in self.index.rank([policy.id], core, asked.details)
                    if h.score >= ELLIPTICAL_MIN and self.index.shared(h.entry, grams) == len(grams)]
            return hits[0].entry if hits else None
        hit = self.index.best([policy.id], text, asked.details)
        return hit.entry if hit else None
