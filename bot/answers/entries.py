"""Which FAQ entries answer a question about one measure: one (or a close few) per part of the question,
a short part read with what stands before it, and which of several measures has a clause on what was asked."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..knowledge.grounding import says_how_much
from ..knowledge.model import FaqAspect, FaqEntry, Policy
from .cues import AskedAspects
from .faq_index import MIN_SCORE, ScoredEntry, bigrams
from .lookup import FaqLookup, record_holds
from .sentences import REFERS_BACK, asks_something

if TYPE_CHECKING:
    from .planner import Question

MAX_FAQ_PER_ANSWER = 3

# the record field that answers a kind of detail asked ("我这种能算吗": the conditions; "怎么算": the 标准)
DETAIL_RECORD = {FaqAspect.AUDIENCE: "eligibility", FaqAspect.CONDITION: "eligibility", FaqAspect.AMOUNT: "amount",
                 FaqAspect.MATERIALS: "materials", FaqAspect.PROCESS: "process", FaqAspect.CHANNEL: "process",
                 FaqAspect.DEADLINE: "deadline", FaqAspect.CONTACT: "contact"}
CLEAR_MIN, CLEAR_LEAD = 0.2, 2.5   # a loose fit taken when this far ahead of the measure's other entries
PAIR_GAP = 0.2      # the second entry for "A和B分别…" may score this much below the first
CLOSE_GAP = 0.03    # …and any second entry this close to the first is shown too
ELLIPTIC_GRAMS = 6  # a part with this few word pairs besides the measure's name leans on what stands before it
_TWO_THINGS = re.compile(r"分别|和|与|跟|及|还有|以及|、")


class EntryFinder(FaqLookup):
    """The FAQ entries (and the measure) that answer what was asked; `AnswerPlanner` composes the reply."""

    def entries_for(self, policy: Policy, q: Question) -> list[ScoredEntry]:
        """The FAQ entries that answer the parts of the question, at most one per part."""
        chosen: list[ScoredEntry] = []
        parts = q.parts if len(q.parts) > 1 else (q.text,)
        own = self.own_name(policy)
        for i, part in enumerate(parts):
            if len(parts) > 1 and not asks_something(part) and not self.cues.asked(part).details:
                continue  # "失业保险才交了8个月就被裁员了" tells; the question is elsewhere
            asked = self.cues.asked(part)
            ranked = self._ranked_in_context(policy, part, parts[:i], asked, own, chosen)
            # "个人和企业分别最多贷多少": one part, two entries; so too two entries that fit almost alike
            # ("同一等级的证能申请几次": 每年次数 and 同一证书)
            close = sum(h.score >= ranked[0].score - CLOSE_GAP for h in ranked[1:MAX_FAQ_PER_ANSWER])
            take = max(2 if _TWO_THINGS.search(part) else 1, 1 + close)
            gap = PAIR_GAP if _TWO_THINGS.search(part) else CLOSE_GAP
            for hit in ranked[:take]:
                if hit.score >= ranked[0].score - gap and hit.entry not in (c.entry for c in chosen):
                    chosen.append(hit)
        if len(q.parts) > 1 and not chosen:   # no part alone says it; the whole may, if plainly
            chosen += _good_enough(self.index.rank([policy.id], q.text, q.asked.details, own))[:1]
        return chosen[:MAX_FAQ_PER_ANSWER]

    def _ranked_in_context(self, policy: Policy, part: str, before: tuple[str, ...], asked: AskedAspects,
                           own: frozenset[str], chosen: list[ScoredEntry]) -> list[ScoredEntry]:
        """A part's entries; when none fits the part alone, the sentence before it may say what it is about
        ("跟他签了正式合同，剩下的见习补贴还给吗"). A part of a few words of its own ("点了放弃 以后还能领吗")
        is read with what stands before it — one sentence or all of them, whichever fits an entry best."""
        ranked = self.index.rank([policy.id], part, asked.details, own)
        alone = ranked[0].score if ranked else 0.0
        elliptic = len(bigrams(part) - own) <= ELLIPTIC_GRAMS or REFERS_BACK.search(part) is not None
        contexts = ([*before, "".join(before)] if len(before) > 1 else list(before)) if elliptic else \
            (before[-1:] if alone < MIN_SCORE else [])
        taken = {id(c.entry) for c in chosen}   # the sentence before already has its answer
        readings = [[h for h in self.index.rank([policy.id], context + part, asked.details, own)
                     if id(h.entry) not in taken] for context in contexts]
        best_reading = max((r for r in readings if r), key=lambda r: r[0].score, default=[])
        best = best_reading[0] if best_reading else None
        if best is not None and best.score >= MIN_SCORE and (alone < MIN_SCORE or elliptic):
            return [best]
        if elliptic and best is not None and ranked and not _close_in(best_reading, ranked[0].entry):
            # "…大专毕业的直接评中级，乌鲁木齐要几年": read with what stands before it, the few words ask of
            # another clause than they fit alone (初级年限); that reading decides, if plainly
            return _good_enough(best_reading)
        return _good_enough(ranked)

    def first_answering(self, ranked: list[Policy], q: Question) -> Policy | None:
        """The first measure (in the order given) with a clause on the detail asked, when the first of all
        has none; None when nothing specific is asked or the first answers it."""
        if not q.asked.record and not q.asked.details or self._can_answer(ranked[0], q):
            return None
        return next((p for p in ranked[1:] if self._clauses_answer(p, q)), None)

    def _clauses_answer(self, policy: Policy, q: Question) -> bool:
        """The measure has a clause on what was asked — with a figure in it, when an amount was asked."""
        hits = self.entries_for(policy, q)
        if "amount" in q.asked.record:
            return any(says_how_much(h.entry.answer) for h in hits)
        return bool(hits)

    def _can_answer(self, policy: Policy, q: Question) -> bool:
        """A clause, or the record field, on what was asked ("我这种能算吗": who qualifies, the conditions)."""
        record = {*q.asked.record, *(DETAIL_RECORD[d] for d in q.asked.details if d in DETAIL_RECORD)}
        return bool(self.entries_for(policy, q)) or any(record_holds(policy, a) for a in record)


def _close_in(reading: list[ScoredEntry], entry: FaqEntry) -> bool:
    """The entry stands as close to the first of this reading as an entry shown beside it would."""
    return any(h.entry is entry and h.score >= reading[0].score - CLOSE_GAP for h in reading)


def _good_enough(ranked: list[ScoredEntry]) -> list[ScoredEntry]:
    """The entries that answer: those that fit well, or one that fits loosely but far better than the
    measure's other entries (its own name taken out, few words are left to fit)."""
    good = [h for h in ranked if h.score >= MIN_SCORE]
    if good or not ranked:
        return good
    return ranked[:1] if far_ahead(ranked[0].score, ranked[1].score if len(ranked) > 1 else 0.0) else []


def far_ahead(score: float, runner_up: float) -> bool:
    """A loose fit that still stands well clear of the measure's next entry."""
    return score >= CLEAR_MIN and score >= CLEAR_LEAD * runner_up
