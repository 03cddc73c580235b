"""Which FAQ entry, or which measure, a question means: a detail after an answer, a question no topic fits,
a choice between measures, and the other measures the same message asks about."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable

from ..knowledge.grounding import says_how_much
from ..knowledge.model import FaqEntry, KnowledgeBase, Policy
from .choose import GENERIC, PolicyChooser
from .companions import CompanionLookup
from .cues import DetailCues
from .documents import DocumentNames, NamedDocuments
from .faq_index import FaqIndex, ScoredEntry, bigrams
from .source_quotes import Quote, SourceQuotes


ANYWHERE_MIN = 0.5  # with no topic to go on, a FAQ entry must fit this well to be taken as the answer,
ANYWHERE_FLOOR, ANYWHERE_LEAD = 0.25, 1.4   # or at least this well and this far ahead of every other measure
SECOND_ENTRY_SHARE = 0.5   # how much a measure's second-best entry adds to how well it fits
ANYWHERE_SUBJECT = 3   # bigrams of what the question is about (not how it asks) that the entry must share
ELLIPTICAL_CHARS = 8   # "那副高呢": a follow-up this short leans on the answer before it
ELLIPTICAL_MIN = 0.12  # …so its few words may fit an entry loosely, as long as most of them stand in it
_ELLIPTICAL = re.compile(r"^(?:那么|那)|(?:呢|吗|呀)+$")
SUPPLEMENT_MISSED = 1 / 3   # an answer holding less than this of what was asked may have missed it
SUPPLEMENT_GAP = 0.3       # …when a source sentence holds this much more of it (dev sets' first replies)
PREFER_MIN, PREFER_MARGIN = 0.5, 0.08   # a FAQ entry that decides between measures or topics
TOPIC_FLOOR, TOPIC_LEAD = 0.2, 1.8      # or, between two topics, one that fits this well and this far ahead


@dataclass(frozen=True)
class TextReader:
    """What the planner needs from the matcher, as plain functions (the planner never imports it)."""

    prepare: Callable[[str], str]                        # folded, places taken out, no spaces
    known: frozenset[str]                                # every bigram the bot's own data contains
    regions_in: Callable[[str], list[str]]               # the regions a text names, in order
    topic_of: Callable[[str], tuple[str, float] | None]  # the topic a part names confidently, if any
    places_in: Callable[[str], list[str]]                # the districts (places of office tables) it names


def record_holds(policy: Policy, aspect: str) -> bool:
    """The measure's record has something on this aspect ("多少" wants a figure: a 标准 without one does not
    answer it)."""
    held = {"amount": lambda: policy.standard and says_how_much(policy.standard),
            "eligibility": lambda: policy.conditions, "materials": lambda: policy.materials,
            "process": lambda: policy.process or policy.channels_online or policy.channels_onsite,
            "deadline": lambda: policy.deadline, "contact": lambda: policy.contacts or policy.contact_text,
            "validity": lambda: True}
    return bool(held[aspect]()) if aspect in held else False


def _support(ranked: list[ScoredEntry]) -> dict[str, float]:
    """How well each measure fits: its best entry, plus half its second best."""
    scores: dict[str, list[float]] = {}
    for hit in ranked:
        kept = scores.setdefault(hit.entry.policy, [])
        if len(kept) < 2:
            kept.append(hit.score)
    return {pid: kept[0] + SECOND_ENTRY_SHARE * (kept[1] if len(kept) > 1 else 0.0) for pid, kept in scores.items()}


class FaqLookup(CompanionLookup):
    """Finds what a question means among the FAQ entries and measures (no reply is composed here)."""

    def __init__(self, kb: KnowledgeBase, index: FaqIndex, cues: DetailCues, chooser: PolicyChooser,
                 reader: TextReader, documents: DocumentNames, quotes: SourceQuotes):
        self.kb = kb
        self.documents = documents
        self.quotes = quotes
        self.index = index
        self.cues = cues
        self.chooser = chooser
        self.reader = reader
        # topic names as questions are read ("职业培训补贴" → 职业技能培训补贴), for "领过A还能领B吗"
        self.topic_names = {tid: self.prepare(t.name) for tid, t in kb.topics.items()}
        # each region's measures (its own and those of the regions above it), gathered once
        self._of_region = {name: [p for p in kb.policies.values() if p.region in {name, *region.covered_by}]
                           for name, region in kb.regions.items()}

    def prepare(self, text: str) -> str:
        """Text as the FAQ and the chooser compare it: folded, no places, no spaces."""
        return self.reader.prepare(text)

    def own_name(self, policy: Policy) -> frozenset[str]:
        """The word pairs of a measure's own name: they say nothing between its FAQ entries."""
        return frozenset(bigrams(self.prepare(self._names(policy))))

    def _names(self, policy: Policy) -> str:
        topic = self.kb.topics.get(policy.topic)
        return " ".join((policy.title, policy.button, topic.name if topic else ""))

    def _scope(self, text: str, region: str | None) -> tuple[NamedDocuments, list[Policy]]:
        """The document the question names, and the measures it may mean: of that document, else of the
        person's region (all, when unknown); a year named keeps that year's documents."""
        prepared = self.prepare(text)
        named = self.documents.read(prepared)
        if named.keys:
            policies = [p for p in self.kb.policies.values() if p.source in named.keys]
        elif region in self._of_region:
            policies = self._of_region[region]
        else:
            policies = list(self.kb.policies.values())
        return named, self.chooser.by_year(policies, prepared)

    def anywhere(self, text: str, region: str | None, today: date, named_only: bool = False) -> ScoredEntry | None:
        """The FAQ entry that fits a question no topic matched, among the measures in scope; the words
        naming a document are not held against the entries. `named_only`: only when a document is named."""
        named, scope = self._scope(text, region)
        if named_only and not named.any:
            return None
        asked = named.rest if named.any else text
        cued = self.cues.asked(text).details
        # the head of the ranking through the bigram index, then those few measures' entries scored whole
        leaders = self.index.leaders([p.id for p in scope], asked, cued)
        ranked = self.index.rank(dict.fromkeys(h.entry.policy for h in leaders), asked, cued)
        if not ranked:
            return None
        best = ranked[0]
        support = _support(ranked)
        rival = max((v for pid, v in support.items() if pid != best.entry.policy), default=0.0)
        # a long question spreads its words thin: then the measure must stand well clear of every other, by
        # its best entry and (a story asking two things) the next one of its own
        fit = support[best.entry.policy]
        clear = fit >= ANYWHERE_FLOOR and fit >= ANYWHERE_LEAD * rival
        # the match must rest on what the question is about, not on how it asks (怎么办理, 多少钱)
        if self.index.shared(best.entry, self._about(asked)) < ANYWHERE_SUBJECT:
            return None
        return best if best.score >= ANYWHERE_MIN or clear else None

    def _about(self, text: str) -> set[str]:
        """What a question is about: its word pairs without the ways of asking and the generic words."""
        return bigrams(self.cues.strip(self.prepare(text))) - GENERIC

    def quote(self, text: str, region: str | None) -> Quote | None:
        """The source sentence that clearly holds what a question no FAQ entry answers is about."""
        named, scope = self._scope(text, region)
        asked = named.rest if named.any else text
        return self.quotes.best(self._about(asked), {p.source for p in scope}, named.any,
                                whole=bigrams(self.prepare(asked)))

    def supplement(self, text: str, reply: str, region: str | None, policy: Policy) -> Quote | None:
        """A source sentence to add to an answer that missed what was asked (a clause the FAQ has no entry
        for): first from the measure's own section ("剩余期限见习补贴补发给见习单位"); else, when the reply
        holds less than SUPPLEMENT_MISSED of what the question is about, the one sentence of the documents
        in scope that holds clearly more (以单位形式参保的个体工商户)."""
        shown = bigrams(self.prepare(reply))
        about = self._about(text)
        own = self.quotes.best_of_section(policy.id, about - self.own_name(policy), shown)
        if own is not None:
            return own
        quote = self.quote(text, region)
        if quote is None or quote.sentence.text in reply:
            return None
        held = self.quotes.cover(about, shown)
        return quote if held < SUPPLEMENT_MISSED and quote.cover - held >= SUPPLEMENT_GAP else None


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


    def prefer_topic(self, policies: list[Policy], text: str) -> Policy | None:
        """Of two topics too close to call, the one whose FAQ clearly answers the question: its best
        entry well ahead of the other topic's best (a topic's own measures may be close to each other)."""
        best: dict[str, ScoredEntry] = {}
        for hit in self.index.rank([p.id for p in policies], text, self.cues.asked(text).details):
            best.setdefault(self.kb.policies[hit.entry.policy].topic, hit)
        ranked = sorted(best.values(), key=lambda h: -h.score)
        if not ranked:
            return None
        first, second = ranked[0].score, ranked[1].score if len(ranked) > 1 else 0.0
        if (first >= PREFER_MIN and first - second >= PREFER_MARGIN) or \
                (first >= TOPIC_FLOOR and first >= TOPIC_LEAD * second):
            return self.kb.policies[ranked[0].entry.policy]
        return None

    def quoted_topic(self, policies: list[Policy], text: str) -> Policy | None:
        """Of topics too close to call, the one whose measure's own section holds the sentence that clearly
        says what was asked ("参保关系可以归集到哪里申领失业金": the transfer clause, not the benefit)."""
        quote = self.quotes.best(self._about(text), {p.source for p in policies})
        owner = quote.sentence.policy if quote is not None else None
        return next((p for p in policies if p.id == owner), None)

    def leans_on_answer(self, text: str) -> bool:
        """"高级工呢", "那企业呢": a few words that only make sense after the answer before."""
        said = self.prepare(text)
        core = _ELLIPTICAL.sub("", said)
        return len(core) <= ELLIPTICAL_CHARS and core != said and bool(core)   # "那留用率高的单位呢": 留用率高的单位

    def follow_up_entry(self, policy: Policy, text: str, bare: bool = False) -> FaqEntry | None:
        """A detail asked after an answer ("那展期呢") — only when it clearly fits this policy and the
        message is more than the measure's own name. `bare`: the message names nothing but what it asks
        ("要准备哪些材料"): then a record field that holds it answers, not a clause that mentions it."""
        asked = self.cues.asked(text, ignore=self._names(policy))
        said = self.prepare(text)
        if said and said in self.prepare(self._names(policy)):
            return None
        # "企业呢" / "那副高呢": a few words that lean on the answer before; they fit less, and must name
        # something of the entry (not only 那…呢)
        core = _ELLIPTICAL.sub("", said)
        if self.leans_on_answer(text):
            # most word pairs left must stand in the entry ("留用率高的单位呢": 留用率…单位); the closest such
            # entry answers
            grams = bigrams(core)
            hits = [h for h in self.index.rank([policy.id], core, asked.details)
                    if h.score >= ELLIPTICAL_MIN and 2 * self.index.shared(h.entry, grams) >= len(grams)]
            return hits[0].entry if hits else None
        if bare and asked.record and all(record_holds(policy, a) for a in asked.record):
            return None
        hit = self.index.best([policy.id], text, asked.details)
        return hit.entry if hit else None
