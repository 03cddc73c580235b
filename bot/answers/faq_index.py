"""Finds the FAQ entry that answers a question, among the entries of a few candidate policies.

Matching is on character bigrams weighted by how rare they are across the whole FAQ, so the words that
set a detail apart (几个月, 展期, 西部计划) count more than the topic's own name, which every entry of a
policy shares. Cost grows with the entries of the candidate policies, never with the size of the base.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from ..knowledge.model import FaqAspect, FaqBase, FaqEntry
from ..nlu.candidates import gather
from ..nlu.memo import StartupWork, Uncached
from ..nlu.packed import unpack
from . import faq_grams
from .faq_grams import bigrams

ASK_WEIGHT = 1.0      # a citizen's phrasing of the question
ANSWER_WEIGHT = 0.6   # the quoted clause itself: names like 西部计划 often stand only there
ASPECT_BONUS = 0.22   # the question's own cue (几个月 → duration) agrees with the entry's kind
MIN_SCORE = 0.34      # below this no entry is taken as the answer (chosen on tests/answers/dev.yaml)
MANY_ENTRIES = 64     # a ranking over more entries than this finds the ones worth scoring through the index


# words that carry no detail of their own ("是不是要我们自己去社保那边申请啊"): a question's word pairs are
# taken from what stands between them, so a long chatty question is not diluted by them
FILLERS = re.compile("是不是|我们|咱们|你们|那边|这边|那个|这个|请问|想问|问一下|一下|到底|就是|[啊呀吧嘛哈俺]")


def asked_bigrams(text: str) -> set[str]:
    return set().union(*map(bigrams, FILLERS.split(text.replace(" ", ""))))


def cue_bonus(cued: set[FaqAspect]) -> float:
    """What agreeing with the question's cue adds; a story naming four kinds of detail says less about
    each, so the bonus is shared among them."""
    return ASPECT_BONUS / max(1, len(cued) - 1)


@dataclass(frozen=True)
class ScoredEntry:
    entry: FaqEntry
    score: float


class FaqIndex:
    """Bigram profiles of every FAQ phrasing, grouped by policy for bounded lookups."""

    def __init__(self, faq: FaqBase, prepare: Callable[[str], str], prepare_data: Callable[[str], str] | None = None,
                 work: StartupWork | None = None, signature: str = ""):
        """`prepare` reads questions; `prepare_data` (the same function, with what start-up shares) the
        FAQ's own texts; `work` keeps their statistics (faq_grams.py) from one start to the next,
        `signature`: what `prepare_data` depends on besides the code."""
        self._prepare = prepare
        entries = [(e.policy, [*e.asks, e.label + e.answer]) for e in faq.entries]
        state = (work or Uncached()).value("faq", (signature, entries),
                                           lambda: faq_grams.build(entries, prepare_data or prepare),
                                           lambda found: faq_grams.valid(found, entries))
        self._idf, self._square = state["idf"], state["square"]
        self._default_idf = math.log(1 + faq_grams.view_total(entries))
        self._default_square = self._default_idf ** 2
        distinct = dict.fromkeys(t for _, texts in entries for t in texts)
        frozen = dict(zip(distinct, zip(state["grams"], state["norms"])))
        self._by_policy: dict[str, list[tuple[FaqEntry, list[tuple[frozenset[str], float, float]]]]] = {}
        for entry, (_, texts) in zip(faq.entries, entries):
            weights = [ASK_WEIGHT] * len(entry.asks) + [ANSWER_WEIGHT]   # the phrasings, then the answer
            views = [(grams, w, norm) for (grams, norm), w in zip(map(frozen.__getitem__, texts), weights)]
            self._by_policy.setdefault(entry.policy, []).append((entry, views))
        rows = state["gram_ids"], unpack(state["ptr"]), unpack(state["views"])
        self._postings = _Postings(self._by_policy, lambda g: self._square.get(g, self._default_square), rows)

    def shared(self, entry: FaqEntry, grams: set[str]) -> int:
        """How many of `grams` the entry's phrasings and answer contain."""
        for candidate, views in self._by_policy.get(entry.policy, ()):
            if candidate is entry:
                return len(grams & frozenset().union(*(g for g, _, _ in views)))
        return 0

    def _norm(self, grams: set[str] | frozenset[str]) -> float:
        square, default = self._square.get, self._default_square
        return math.sqrt(sum([square(g, default) for g in grams])) or 1.0

    def _entry_score(self, query: set[str], query_norm: float, views: list[tuple[frozenset[str], float, float]]) -> float:
        """The best of an entry's views: its weight times the IDF-weighted cosine of the two bigram sets (norms
        worked out once per text). Most views share no bigram with the question: 0.0, with no sum."""
        square, default, score = self._square.get, self._default_square, 0.0
        for grams, w, norm in views:
            common = query & grams
            if common:
                value = w * (sum([square(g, default) for g in common]) / (query_norm * norm))
                if value > score:
                    score = value
        return score

    def rank(self, policy_ids: Iterable[str], text: str, cued: Iterable[FaqAspect] = (),
             ignore: frozenset[str] = frozenset()) -> list[ScoredEntry]:
        """Entries of these policies, best first, scored against one question (or one part of it).

        `ignore`: word pairs that say nothing between these entries (the measure's own name, when they
        are all of one measure), so the detail asked decides."""
        query = asked_bigrams(self._prepare(text)) - ignore
        if not query:
            return []
        cued = set(cued)
        bonus = cue_bonus(cued)
        query_norm = self._norm(query)
        policy_ids = list(policy_ids)
        if sum(len(self._by_policy.get(pid, ())) for pid in policy_ids) > MANY_ENTRIES:
            return self._rank_many(policy_ids, query, query_norm, cued, bonus)
        scored, zero, first = [], self._postings.zero, self._postings.first_entry
        for pid in policy_ids:
            for pos, (entry, views) in enumerate(self._by_policy.get(pid, ())):
                score = self._entry_score(query, query_norm, views)
                if entry.aspect in cued:
                    score += bonus
                elif not score:   # the entry's own ScoredEntry(entry, 0.0), made once
                    scored.append(zero[first[pid] + pos])
                    continue
                scored.append(ScoredEntry(entry, round(min(score, 1.0), 4)))
        scored.sort(key=lambda s: -s.score)
        return scored

    def _rank_many(self, policy_ids: list[str], query: set[str], query_norm: float, cued: set[FaqAspect],
                   bonus: float) -> list[ScoredEntry]:
        """`rank` over many entries: an entry sharing no bigram with the question scores exactly 0 (its bonus
        when cued), so only the entries the bigram index finds are scored; the zeros keep their order, as
        the stable sort kept them, after every entry above 0."""
        touched, postings = self._postings.touched(query), self._postings
        positive: list[ScoredEntry] = []
        zeros: list[ScoredEntry] = []
        for pid in policy_ids:
            entries = self._by_policy.get(pid, ())
            base = postings.first_entry.get(pid, 0)
            if not any(touched[base:base + len(entries)]) and cued.isdisjoint(postings.policy_aspects.get(pid, ())):
                zeros += postings.zero[base:base + len(entries)]
                continue
            for pos, (entry, views) in enumerate(entries):
                if touched[base + pos]:
                    score = self._entry_score(query, query_norm, views)
                elif entry.aspect not in cued:
                    zeros.append(postings.zero[base + pos])
                    continue
                else:
                    score = 0.0
                if entry.aspect in cued:
                    score += bonus
                hit = ScoredEntry(entry, round(min(score, 1.0), 4))
                (positive if hit.score > 0 else zeros).append(hit)
        positive.sort(key=lambda s: -s.score)
        return positive + zeros

    def leaders(self, policy_ids: Iterable[str], text: str, cued: Iterable[FaqAspect] = ()) -> list[ScoredEntry]:
        """The head of `rank` over many policies, found through a bigram index: every entry that `rank` puts
        ahead of the best entry of the second-best policy (and that one, and ties), in `rank`'s order and
        with its scores. Entries scoring 0 are left out. Costs the postings of the question's bigrams and
        the few entries near the top, not every entry of every policy."""
        policy_ids = list(policy_ids)
        query = asked_bigrams(self._prepare(text))
        if not query:
            return []
        cued = set(cued)
        chosen = self._postings.near_top(query, self._norm(query), policy_ids, cued)
        rank_of = {pid: k for k, pid in enumerate(dict.fromkeys(policy_ids))}
        query_norm = self._norm(query)
        scored = []
        for pid, pos in chosen:
            entry, views = self._by_policy[pid][pos]
            score = self._entry_score(query, query_norm, views)
            if entry.aspect in cued:
                score += cue_bonus(cued)
            scored.append(((rank_of[pid], pos), ScoredEntry(entry, round(min(score, 1.0), 4))))
        scored.sort(key=lambda pair: (-pair[1].score, pair[0]))
        return [hit for _, hit in scored]

    def best(self, policy_ids: Iterable[str], text: str, cued: Iterable[FaqAspect] = (),
             min_score: float = MIN_SCORE, ignore: frozenset[str] = frozenset()) -> ScoredEntry | None:
        ranked = self.rank(policy_ids, text, cued, ignore)
        return ranked[0] if ranked and ranked[0].score >= min_score else None


class _Postings:
    """Bigram → FAQ views, as numpy arrays, to find the entries near the top of a ranking at once.

    The scores found here are summed in another order than `FaqIndex._entry_score` sums them, so they are
    used only to choose which entries to score exactly (with a margin far wider than that difference)."""

    MARGIN = 1e-3

    def __init__(self, by_policy: dict, square: Callable[[str], float],
                 rows: tuple[dict[str, int], np.ndarray, np.ndarray]):
        """`rows`: bigram → row and the CSR postings of the views in `by_policy` order (faq_grams.py)."""
        self.square = square
        self.keys: list[tuple[str, int]] = []
        view_weight, view_norm, entry_starts = [], [], []
        for pid, entries in by_policy.items():
            for pos, (entry, views) in enumerate(entries):
                self.keys.append((pid, pos))
                entry_starts.append(len(view_weight))
                for _, w, norm in views:
                    view_weight.append(w)
                    view_norm.append(norm)
        self.view_factor = np.array(view_weight) / np.array(view_norm)
        self.entry_starts = np.array(entry_starts, dtype=np.intp)
        self.policy_ids = {pid: k for k, pid in enumerate(by_policy)}
        self.policy_starts = np.cumsum([0] + [len(e) for e in by_policy.values()][:-1]).astype(np.intp)
        self.entry_policy = np.array([self.policy_ids[pid] for pid, _ in self.keys], dtype=np.intp)
        self.aspects = {a: k for k, a in enumerate(dict.fromkeys(by_policy[p][i][0].aspect for p, i in self.keys))}
        self.entry_aspect = np.array([self.aspects[by_policy[p][i][0].aspect] for p, i in self.keys], dtype=np.intp)
        self.gram_ids, self.ptr, self.views = rows
        # for `FaqIndex._rank_many`: each policy's first entry and kinds, each entry scored 0
        self.first_entry = {pid: int(self.policy_starts[k]) for pid, k in self.policy_ids.items()}
        self.policy_aspects = {pid: frozenset(e.aspect for e, _ in entries) for pid, entries in by_policy.items()}
        self.zero = [ScoredEntry(by_policy[p][i][0], 0.0) for p, i in self.keys]

    def touched(self, query: set[str]) -> list[bool]:
        """Per entry: whether one of its views shares a bigram with the question (if not, it scores 0)."""
        flags = np.zeros(len(self.view_factor), dtype=bool)
        rows = [self.gram_ids[g] for g in query if g in self.gram_ids]
        if rows:
            flags[self.views[gather(self.ptr, rows)[0]]] = True
        return np.logical_or.reduceat(flags, self.entry_starts).tolist() if len(flags) else []

    def _common(self, query: set[str]) -> np.ndarray:
        """Per view: the IDF² weight of the bigrams it shares with the question."""
        known = [g for g in query if g in self.gram_ids]
        if not known:
            return np.zeros(len(self.view_factor))
        at, which = gather(self.ptr, [self.gram_ids[g] for g in known])
        weights = np.array([self.square(g) for g in known])[which]
        return np.bincount(self.views[at], weights, minlength=len(self.view_factor))

    def near_top(self, query: set[str], query_norm: float, policy_ids: list[str],
                 cued: set[FaqAspect]) -> list[tuple[str, int]]:
        """(policy, position) of every entry that could rank at or above the second-best policy's best."""
        if not self.keys:
            return []
        score = np.maximum.reduceat(self._common(query) * self.view_factor / query_norm, self.entry_starts)
        cued_ids = [self.aspects[a] for a in cued if a in self.aspects]
        if cued_ids:
            score = score + np.where(np.isin(self.entry_aspect, cued_ids), cue_bonus(cued), 0.0)
        allowed = np.zeros(len(self.policy_ids), dtype=bool)
        allowed[[self.policy_ids[p] for p in policy_ids if p in self.policy_ids]] = True
        score = np.where(allowed[self.entry_policy], score, 0.0)
        per_policy = np.maximum.reduceat(score, self.policy_starts)
        second = float(np.partition(per_policy, -2)[-2]) if len(per_policy) > 1 else 0.0
        keep = np.flatnonzero((score > 0) & (score >= second - self.MARGIN))
        return [self.keys[k] for k in keep.tolist()]
