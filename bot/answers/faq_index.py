"""Finds the FAQ entry that answers a question, among the entries of a few candidate policies.

Matching is on character bigrams weighted by how rare they are across the whole FAQ, so the words that
set a detail apart (几个月, 展期, 西部计划) count more than the topic's own name, which every entry of a
policy shares. Cost grows with the entries of the candidate policies, never with the size of the base.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

from ..knowledge.model import FaqAspect, FaqBase, FaqEntry

ASK_WEIGHT = 1.0      # a citizen's phrasing of the question
ANSWER_WEIGHT = 0.6   # the quoted clause itself: names like 西部计划 often stand only there
ASPECT_BONUS = 0.22   # the question's own cue (几个月 → duration) agrees with the entry's kind
MIN_SCORE = 0.34      # below this no entry is taken as the answer (chosen on tests/answers/dev.yaml)


def bigrams(text: str) -> set[str]:
    text = text.replace(" ", "")
    return {text[i:i + 2] for i in range(len(text) - 1)} | ({text} if len(text) == 1 else set())


@dataclass(frozen=True)
class ScoredEntry:
    entry: FaqEntry
    score: float


class FaqIndex:
    """Bigram profiles of every FAQ phrasing, grouped by policy for bounded lookups."""

    def __init__(self, faq: FaqBase, prepare: Callable[[str], str]):
        self._prepare = prepare
        self._by_policy: dict[str, list[tuple[FaqEntry, list[tuple[frozenset[str], float, float]]]]] = {}
        texts: list[tuple[FaqEntry, list[tuple[set[str], float]]]] = []
        df: Counter[str] = Counter()
        for entry in faq.entries:
            views = [(bigrams(prepare(a)), ASK_WEIGHT) for a in entry.asks]
            views.append((bigrams(prepare(entry.label + entry.answer)), ANSWER_WEIGHT))
            texts.append((entry, views))
            for grams, _ in views:
                df.update(grams)
        total = sum(len(v) for _, v in texts) or 1
        self._idf = {g: math.log(1 + total / c) for g, c in df.items()}
        self._default_idf = math.log(1 + total)
        for entry, views in texts:
            self._by_policy.setdefault(entry.policy, []).append(
                (entry, [(frozenset(g), w, self._norm(g)) for g, w in views]))

    def shared(self, entry: FaqEntry, grams: set[str]) -> int:
        """How many of `grams` the entry's phrasings and answer contain."""
        for candidate, views in self._by_policy.get(entry.policy, ()):
            if candidate is entry:
                return len(grams & frozenset().union(*(g for g, _, _ in views)))
        return 0

    def _weight(self, gram: str) -> float:
        return self._idf.get(gram, self._default_idf)

    def _norm(self, grams: set[str] | frozenset[str]) -> float:
        return math.sqrt(sum(self._weight(g) ** 2 for g in grams)) or 1.0

    def _similarity(self, query: set[str], query_norm: float, grams: frozenset[str], norm: float) -> float:
        """IDF-weighted cosine of two bigram sets (norms worked out once per text)."""
        common = sum(self._weight(g) ** 2 for g in query & grams)
        return common / (query_norm * norm) if common else 0.0

    def rank(self, policy_ids: Iterable[str], text: str, cued: Iterable[FaqAspect] = (),
             ignore: frozenset[str] = frozenset()) -> list[ScoredEntry]:
        """Entries of these policies, best first, scored against one question (or one part of it).

        `ignore`: word pairs that say nothing between these entries (the measure's own name, when they
        are all of one measure), so the detail asked decides."""
        query = bigrams(self._prepare(text)) - ignore
        if not query:
            return []
        cued = set(cued)
        # a story naming four kinds of detail says less about each: the bonus is shared among them
        bonus = ASPECT_BONUS / max(1, len(cued) - 1)
        query_norm = self._norm(query)
        scored = []
        for pid in policy_ids:
            for entry, views in self._by_policy.get(pid, ()):
                score = max(w * self._similarity(query, query_norm, grams, norm) for grams, w, norm in views)
                if entry.aspect in cued:
                    score += bonus
                scored.append(ScoredEntry(entry, round(min(score, 1.0), 4)))
        scored.sort(key=lambda s: -s.score)
        return scored

    def best(self, policy_ids: Iterable[str], text: str, cued: Iterable[FaqAspect] = (),
             min_score: float = MIN_SCORE, ignore: frozenset[str] = frozenset()) -> ScoredEntry | None:
        ranked = self.rank(policy_ids, text, cued, ignore)
        return ranked[0] if ranked and ranked[0].score >= min_score else None
