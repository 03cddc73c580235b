"""Which measure of a topic the person means: the one their words name, before the newest in force.

"2020年那个…", "三支一扶", "一次性吸纳就业补贴" each point at one measure; only when the words name none
does the usual order decide (in force, then draft, then ended; the person's own region before 自治区).
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Callable

from ..knowledge.model import KnowledgeBase, Policy
from .faq_index import bigrams

NAMING_MIN = 2         # bigrams of the question that only one measure's own text has
NAMING_LEAD = 1        # and that many more than the runner-up
NAMING_UNSAID = 3      # with no region said, the words must say a little more to name one region's measure
NAMING_ACROSS = 4      # to pass over the person's own region for the region above, the words must say more
YEAR = re.compile(r"(20\d\d)年")   # a year as a question names it
RARE_IN = 8            # a word pair in at most this many measures' text can say which region is meant
TITLED_MARGIN = 0.15   # how far below the first topic one whose measure is named by its full title may be
TITLE_CHARS = 6        # a title this long, written out, names its measure ("阶段性降低社保费")
GENERIC = frozenset(bigrams("政策补贴实施继续关于进一步加大力度有关支持工作人员单位企业") | {"个人"})


def policy_year(kb: KnowledgeBase, policy: Policy) -> int | None:
    doc = kb.sources[policy.source]
    return doc.date.year if doc.date else doc.year


def rank_key(kb: KnowledgeBase, policy: Policy, region: str, today: date) -> tuple:
    """In force before draft before ended; the person's own region before its parent; newest first."""
    standing = kb.standing(policy, today)
    return (standing.ended, standing.draft, policy.region != region, -(policy_year(kb, policy) or 0), policy.id)


class PolicyChooser:
    def __init__(self, kb: KnowledgeBase, prepare: Callable[[str], str]):
        self.kb = kb
        self._grams: dict[str, frozenset[str]] = {}
        self._titles: dict[str, list[str]] = {}
        self._spread: Counter[str] = Counter()   # how many measures' text has each word pair
        done: dict[str, frozenset[str]] = {}  # policies that print the same words share their bigrams
        for policy in kb.policies.values():
            words = [policy.title, policy.button, policy.summary or "", policy.audience or "", policy.standard or ""]
            words += [e.answer for e in kb.faq.for_policy(policy.id)]
            text = " ".join(words)
            if text not in done:
                done[text] = frozenset(bigrams(prepare(text))) - GENERIC
            self._grams[policy.id] = done[text]
            self._spread.update(done[text])
            title = prepare(policy.title)
            if len(title) >= TITLE_CHARS:
                self._titles.setdefault(policy.topic, []).append(title)

    def named_anywhere(self, options: list[Policy], text: str, ignore: str = "") -> Policy | None:
        """No region said, but the words name one region's measure by what only it has, and what few
        measures anywhere say ("代为申请的协议", "预支"): everyday words (社会保险) and the topic's own name
        (`ignore`: every region's measure of it is called that) do not count."""
        said = bigrams(text) - bigrams(ignore) - GENERIC
        return self._named_by(options, {g for g in said if self._spread[g] <= RARE_IN}, NAMING_UNSAID)

    def region_named(self, options: list[Policy], text: str, ignore: str = "") -> str | None:
        """No region said, and no one measure named, but the rare words said ("三支一扶") stand only in
        measures of one region (a 2023 and a 2020 one of 自治区): that region."""
        said = {g for g in bigrams(text) - bigrams(ignore) - GENERIC if self._spread[g] <= RARE_IN}
        if len(said) < NAMING_UNSAID:
            return None
        holders = {p.region for p in options if len(said & self._grams[p.id]) >= NAMING_UNSAID}
        return holders.pop() if len(holders) == 1 and len({p.region for p in options}) > 1 else None

    def titled_topic(self, prepared_text: str, ranked: list[tuple[str, float]]) -> str | None:
        """A close runner-up topic one of whose measures the question names by its full title, when none of
        the first topic's is ("乌鲁木齐阶段性降低社保费还有吗": 乌鲁木齐's own title, not 2020年's 免征减半)."""
        if not ranked or self._titled(ranked[0][0], prepared_text):
            return None
        first = ranked[0][1]
        return next((topic for topic, score in ranked[1:]
                     if first - score <= TITLED_MARGIN and self._titled(topic, prepared_text)), None)

    def _titled(self, topic: str, prepared_text: str) -> bool:
        return any(title in prepared_text for title in self._titles.get(topic, ()))

    def candidates(self, topic: str, region: str) -> list[Policy]:
        covered = {region, *self.kb.regions[region].covered_by} if region in self.kb.regions else {region}
        return [p for p in self.kb.policies_for_topic(topic) if p.region in covered]

    def by_year(self, options: list[Policy], text: str) -> list[Policy]:
        """"2020年那个…": only the measures of documents from a year the person names, if any."""
        years = {int(y) for y in YEAR.findall(text)}
        if not years:
            return options
        dated = [p for p in options if policy_year(self.kb, p) in years]
        return dated or options

    def named(self, options: list[Policy], text: str, min_hits: int = NAMING_MIN) -> Policy | None:
        """The one measure the words single out by words that no sibling shares (at least `min_hits`)."""
        return self._named_by(options, bigrams(text), min_hits)

    def narrowed(self, options: list[Policy], text: str, ignore: str = "") -> list[Policy]:
        """The few of `options` the words point at when no one measure is named: "三支一扶" stands in a 2023
        and a 2020 measure of the topic, not in its other two. Empty when the words set none apart; the
        topic's own name (`ignore`) sets none apart."""
        grams = [self._grams[p.id] for p in options]
        said = bigrams(text) - bigrams(ignore) - GENERIC
        apart = {g for g in said if 0 < sum(g in held for held in grams) < len(options)}
        hits = [len(apart & held) for held in grams]
        best = max(hits, default=0)
        if best < NAMING_MIN:
            return []
        chosen = [p for p, n in zip(options, hits) if n == best]
        return chosen if len(chosen) < len(options) else []

    def _named_by(self, options: list[Policy], said: set[str], min_hits: int = NAMING_MIN) -> Policy | None:
        if len(options) < 2:
            return None
        # a word pair said counts for the one measure whose text alone has it (only the said ones are counted:
        # a few dozen look-ups, not every word pair of every option)
        grams = [self._grams[p.id] for p in options]
        alone = {g for g in said if sum(g in held for held in grams) == 1}
        scores = sorted(((len(held & alone), p) for held, p in zip(grams, options)), key=lambda pair: -pair[0])
        if scores[0][0] >= min_hits and scores[0][0] - scores[1][0] >= NAMING_LEAD:
            return scores[0][1]
        return None

    def pick(self, topic: str, region: str, today: date, text: str, exact: bool = False) -> Policy | None:
        """The measure of a topic for a region (`exact`: of that region itself, not of the one above it)."""
        candidates = self.candidates(topic, region)
        if exact:
            candidates = [p for p in candidates if p.region == region]
        ranked = sorted(candidates, key=lambda p: rank_key(self.kb, p, region, today))
        if not ranked:
            return None
        options = self.by_year(ranked, text)
        return self.named(options, text) or options[0]
