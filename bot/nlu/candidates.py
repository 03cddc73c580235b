"""Which intents are worth scoring with RapidFuzz for a question — chosen so the result is exact.

RapidFuzz's `ratio` is 2·LCS / (len₁ + len₂), and the longest common subsequence of two strings can never
be longer than the characters they share. An inverted index from each character to the examples holding
it therefore gives every example an upper bound on its RapidFuzz score, at the cost of a few numpy sums
over the postings of the question's characters. Intents are then scored exactly, best bound first, until
no intent left could reach a place the decision reads (the top five, the best topics): the candidates are
exactly those of scoring every example, while RapidFuzz runs only on the few intents near the question.
"""
from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from .packed import is_packed, pack, unpack

FUZZY_CAP = 80       # characters of a question compared: examples are short, more only costs time
TOKEN_CAP = 40       # tokens of a question compared in the token view
BOUND_SLACK = 2e-4   # float32 scores and round(…, 4) can move a score this far from its bound


def gather(ptr: np.ndarray, keys: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the postings of `keys` (CSR rows `ptr[k]:ptr[k+1]`) in key order, and for each
    position which of the keys it belongs to — a handful of numpy calls however many keys there are."""
    rows = np.asarray(keys, dtype=np.intp)
    lo = ptr[rows]
    sizes = ptr[rows + 1] - lo
    ends = np.cumsum(sizes)
    # position j of row r: lo[r] + (j − where row r starts), the shift repeated once per row
    at = np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(lo - ends + sizes, sizes)
    return at, np.repeat(np.arange(len(rows)), sizes)


def sorted_tokens(text: str) -> str:
    """token_sort_ratio is ratio() of the sorted tokens: sorted once per example, not per question."""
    return " ".join(sorted(text.split()))


@dataclass(frozen=True)
class QueryViews:
    """The two strings of a question RapidFuzz compares: its sorted tokens and its characters."""

    tokens: str
    chars: str

    @classmethod
    def of(cls, tokens: tuple[str, ...], chars: str) -> "QueryViews":
        return cls(sorted_tokens(" ".join(tokens[-TOKEN_CAP:])), chars[-FUZZY_CAP:])


class ExampleIndex:
    """The examples in intent blocks, their RapidFuzz strings and a character → examples index."""

    ARRAYS = ("starts", "ends", "len_chars", "len_tokens", "spaces", "owner", "post_example")

    def __init__(self, token_texts: list[str], chars: list[str], starts: list[int]):
        self.tokens = [sorted_tokens(t) for t in token_texts]
        self.chars = chars
        self.starts = np.asarray(starts, dtype=np.intp)
        self.ends = np.append(self.starts[1:], len(chars)).astype(np.intp)
        self.len_chars = np.array([len(c) for c in chars], dtype=np.float64)
        self.len_tokens = np.array([len(t) for t in self.tokens], dtype=np.float64)
        self.spaces = np.array([t.count(" ") for t in self.tokens], dtype=np.float64)
        self.owner = np.repeat(np.arange(len(starts)), self.ends - self.starts)
        self._index(chars)
        self._blocks()

    def _index(self, chars: list[str]) -> None:
        """Per character, its examples once per occurrence level: an example holding 的 twice is listed
        under (的, 1) and (的, 2). The examples sharing n of a question's 的 are then those under levels
        1…n, one slice of the postings (levels follow each other), and an example's overlap is how often
        it is listed in the slices: a count, exactly what summing min(its count, the question's) gave."""
        n = max(len(chars), 1)
        codes = np.frombuffer("".join(chars).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        owner = np.repeat(np.arange(len(chars), dtype=np.int64), [len(c) for c in chars])
        pairs, counts = np.unique(codes.astype(np.int64) * n + owner, return_counts=True)
        code, example = np.repeat(pairs // n, counts), np.repeat(pairs % n, counts)
        level = np.arange(len(code)) - np.repeat(np.cumsum(counts) - counts, counts)
        order = np.lexsort((example, level, code))
        code, level, self.post_example = code[order], level[order], example[order].astype(np.intp)
        row_starts = np.flatnonzero(np.diff(code * (int(level.max(initial=0)) + 1) + level, prepend=-1))
        row_ends = np.append(row_starts[1:], len(code)).tolist()
        self.char_levels: dict[str, tuple[int, tuple[int, ...]]] = {}
        for k, start in enumerate(row_starts.tolist()):
            ch = chr(int(code[start]))
            first, ends = self.char_levels.get(ch, (start, ()))
            self.char_levels[ch] = (first, (*ends, row_ends[k]))

    def state(self) -> dict:
        """The index as builtins, for `StartupWork` to keep; `from_state` gives it back."""
        return {"tokens": self.tokens, "chars": self.chars, "char_levels": self.char_levels,
                **{name: pack(getattr(self, name)) for name in self.ARRAYS}}

    @classmethod
    def from_state(cls, state: dict) -> "ExampleIndex":
        index = cls.__new__(cls)
        index.tokens, index.chars, index.char_levels = state["tokens"], state["chars"], state["char_levels"]
        for name in cls.ARRAYS:
            setattr(index, name, unpack(state[name]))
        index._blocks()
        return index

    def _blocks(self) -> None:
        """Each intent's block of examples as CSR pointers and as plain ints (a question's selection reads
        them many times: Python ints, not numpy scalars)."""
        self.block_ptr = np.append(self.starts, len(self.chars))
        self.block_bounds = list(zip(self.starts.tolist(), self.ends.tolist()))

    @classmethod
    def valid_state(cls, state: object, examples: int) -> bool:
        return (isinstance(state, dict) and set(state) == {"tokens", "chars", "char_levels", *cls.ARRAYS}
                and isinstance(state["tokens"], list) and isinstance(state["chars"], list)
                and len(state["tokens"]) == len(state["chars"]) == examples
                and isinstance(state["char_levels"], dict) and all(is_packed(state[name]) for name in cls.ARRAYS))

    def _overlap(self, counted: Counter[str]) -> np.ndarray:
        """Per example: how many characters (with repeats) it shares with a text's character counts."""
        levels = self.char_levels
        spans = [self.post_example[first:ends[min(k, len(ends)) - 1]]
                 for first, ends, k in ((*levels[ch], k) for ch, k in counted.items() if ch in levels)]
        if not spans:
            return np.zeros(len(self.chars))
        return np.bincount(np.concatenate(spans), minlength=len(self.chars)).astype(np.float64)

    def bounds(self, query: QueryViews) -> np.ndarray:
        """Per example: its RapidFuzz similarity (in [0, 1]) to the question cannot be higher than this.
        (Worked out in place: the very operations, in the same order, with fewer arrays.)"""
        in_chars, in_tokens = Counter(query.chars), Counter(query.tokens.replace(" ", ""))
        overlap = self._overlap(in_chars)
        by_chars = np.multiply(overlap, 2)
        by_chars /= self.len_chars + len(query.chars)
        # a long question: the token view keeps other words than the last 80 characters (counts of characters:
        # dict equality is Counter equality, without Counter's Python-level loop)
        if not dict.__eq__(in_tokens, in_chars):
            overlap = self._overlap(in_tokens)
        common = np.minimum(self.spaces, query.tokens.count(" "))
        common += overlap
        common *= 2
        common /= self.len_tokens + len(query.tokens)
        return np.maximum(by_chars, common, out=by_chars)

    def exact(self, query: QueryViews, examples: np.ndarray) -> np.ndarray:
        """The RapidFuzz similarity of the given examples, exactly as scoring every example gives it."""
        rows = examples.tolist()
        tokens, chars = [self.tokens[i] for i in rows], [self.chars[i] for i in rows]
        by_tokens = process.cdist([query.tokens], tokens, scorer=fuzz.ratio, dtype=np.float32)[0]
        by_chars = process.cdist([query.chars], chars, scorer=fuzz.ratio, dtype=np.float32)[0]
        return np.maximum(by_tokens, by_chars) / 100


class ProfileIndex:
    """Feature → (intent, weight) postings as flat arrays: one bincount per question instead of a Python
    loop over every intent a common feature names. bincount adds in input order, so the sums are the
    very floats the loop gave."""

    def __init__(self, postings: dict[str, list[tuple[int, float]]], intents: int):
        self.intents = intents
        self.ids = {f: k for k, f in enumerate(postings)}
        lists = list(postings.values())
        self.ptr = np.cumsum([0] + [len(p) for p in lists]).astype(np.intp)
        self.owner = np.array([i for p in lists for i, _ in p], dtype=np.intp)
        self.weight = np.array([w for p in lists for _, w in p], dtype=np.float64)

    def state(self) -> dict:
        """The index as builtins, for `StartupWork` to keep; `from_state` gives it back."""
        return {"intents": self.intents, "ids": self.ids, "ptr": pack(self.ptr), "owner": pack(self.owner),
                "weight": pack(self.weight)}

    @classmethod
    def from_state(cls, state: dict) -> "ProfileIndex":
        index = cls.__new__(cls)
        index.intents, index.ids = state["intents"], state["ids"]
        index.ptr, index.owner, index.weight = unpack(state["ptr"]), unpack(state["owner"]), unpack(state["weight"])
        return index

    @staticmethod
    def valid_state(state: object, intents: int) -> bool:
        return (isinstance(state, dict) and set(state) == {"intents", "ids", "ptr", "owner", "weight"}
                and state["intents"] == intents and isinstance(state["ids"], dict)
                and is_packed(state["ptr"], len(state["ids"]) + 1) and is_packed(state["owner"])
                and is_packed(state["weight"]))

    def scores(self, weights: dict[str, float], norm: float) -> np.ndarray:
        known = [(self.ids[f], w) for f, w in weights.items() if f in self.ids]
        if not known:
            return np.zeros(self.intents)
        at, which = gather(self.ptr, [k for k, _ in known])
        terms = np.array([w for _, w in known])[which] * self.weight[at] / norm  # (w · pw) / norm, as before
        return np.bincount(self.owner[at], terms, minlength=self.intents)


Needs = list[tuple[frozenset[int], int]]  # (intents of a group, how many of its best must be exact)


class Selection:
    """One question's exact scoring: RapidFuzz on the examples whose bound could still matter.

    Step 1 scores the likeliest few examples of the likeliest intents; their scores give each group a
    k-th best that is a lower bound of the final one. Step 2 scores every example whose bound reaches both that
    threshold and its own intent's best so far. After it each intent either has its exact score or cannot
    reach the threshold (and is left out)."""

    def __init__(self, index: ExampleIndex, query: QueryViews, profile: np.ndarray, weight: float):
        self.index, self.query, self.weight = index, query, weight
        self.profile = np.asarray(profile)
        bound = index.bounds(query)   # weight · profile + (1 − weight) · bound + slack, in place
        # no character in common (not even a space): RapidFuzz's ratio is exactly 0, nothing to ask it
        self.unshared = bound == 0
        bound *= 1 - weight
        bound += weight * self.profile[index.owner]
        bound += BOUND_SLACK
        self.bound = bound
        self.intent_bound = np.maximum.reduceat(bound, index.starts)
        self.scored = np.full(len(index.chars), -1.0, dtype=np.float32)
        self.best = np.full(len(index.starts), -1.0, dtype=np.float32)   # per intent, its best so far (-1: none)

    def run(self, needs: Needs, slack: float, full: bool) -> dict[int, float]:
        if full:
            self._score(np.arange(len(self.index.chars)))
            return self._combined(float("-inf"))
        self._score(self._likeliest(needs))
        threshold = _threshold(self._combined(float("-inf")), needs) + slack
        # only an intent whose best bound reaches the threshold can have an example worth scoring
        live = np.flatnonzero(self.intent_bound >= threshold)
        at = self._blocks(live)
        own = np.repeat(np.maximum(threshold, self._best(live)), self.index.ends[live] - self.index.starts[live])
        self._score(at[(self.bound[at] >= own) & (self.scored[at] < 0)])
        return self._combined(threshold)

    def _likeliest(self, needs: Needs, per_intent: int = 3) -> np.ndarray:
        order = np.argsort(-self.intent_bound, kind="stable").tolist()
        chosen: set[int] = set()
        for members, k in needs:
            if k > 0:
                chosen.update(itertools.islice((i for i in order if i in members), k + 2))
        picks, against = [], np.negative(self.bound)   # negated once, not block by block
        for i in sorted(chosen):
            lo, hi = self.index.block_bounds[i]
            top = np.argpartition(against[lo:hi], per_intent)[:per_intent] if hi - lo > per_intent else np.arange(hi - lo)
            picks.append(top + lo)
        return np.concatenate(picks) if picks else np.zeros(0, dtype=np.intp)

    def reaches(self, intents: np.ndarray, cutoff: float) -> bool:
        """Whether the best of these intents scores at least `cutoff`. Only examples whose bound reaches the
        cutoff are scored (one below it cannot reach it, whatever the others score), intents best bound
        first, in rounds of 1, 2, 4 … intents, stopping at the first round where one does."""
        live = intents[self.intent_bound[intents] >= cutoff]   # an intent below: so is every example of it
        live = live[np.argsort(-self.intent_bound[live], kind="stable")]
        done, size, w = 0, 1, self.weight
        while done < len(live):
            batch = np.sort(live[done:done + size])
            at = self._blocks(batch)
            self._score(at[self.bound[at] >= cutoff])
            for best, profile in zip(self.best[batch].tolist(), self.profile[batch].tolist()):
                if best >= 0 and round(min(1.0, w * profile + (1 - w) * best), 4) >= cutoff:
                    return True
            done, size = done + size, size * 2
        return False

    def exact_of(self, intents: np.ndarray) -> dict[int, float]:
        """The combined scores of these intents: each intent's best-bound example first, then every example
        whose bound reaches the intent's best so far (only such an example can do better)."""
        starts, ends = self.index.starts[intents], self.index.ends[intents]
        self._score(np.array([lo + int(np.argmax(self.bound[lo:hi])) for lo, hi in zip(starts.tolist(), ends.tolist())]))
        at = self._blocks(intents)
        own = np.repeat(self._best(intents), ends - starts)
        self._score(at[(self.bound[at] >= own) & (self.scored[at] < 0)])
        w = self.weight
        return {i: round(min(1.0, w * p + (1 - w) * b), 4)
                for i, b, p in zip(intents.tolist(), self.best[intents].tolist(), self.profile[intents].tolist())}

    def _score(self, examples: np.ndarray) -> None:
        if len(examples):
            free = self.unshared[examples]
            self.scored[examples[free]] = 0.0
            asked = examples[~free]
            if len(asked):
                self.scored[asked] = self.index.exact(self.query, asked)
            np.maximum.at(self.best, self.index.owner[examples], self.scored[examples])   # max: any order

    def _blocks(self, intents: np.ndarray) -> np.ndarray:
        """The examples of these intents, intent by intent."""
        if not len(intents):
            return np.zeros(0, dtype=np.intp)
        return gather(self.index.block_ptr, intents.tolist())[0]

    def _best(self, intents: np.ndarray) -> np.ndarray:
        """Per intent given: the combined score of its best example scored so far (-inf: none yet)."""
        fuzzy = self.best[intents].astype(np.float64)
        combined = np.round(np.minimum(1.0, self.weight * self.profile[intents] + (1 - self.weight) * fuzzy), 4)
        return np.where(fuzzy < 0, -np.inf, combined)

    def _combined(self, threshold: float) -> dict[int, float]:
        """Intent → combined score, computed as the decision reads it, for the intents that reach `threshold`."""
        scored = np.flatnonzero(self.best >= 0)  # the few intents with an example scored: the loop is theirs only
        w, out = self.weight, {}
        for i, best, profile in zip(scored.tolist(), self.best[scored].tolist(), self.profile[scored].tolist()):
            score = round(min(1.0, w * profile + (1 - w) * best), 4)
            if score >= threshold:
                out[i] = score
        return out


def exact_scores(index: ExampleIndex, query: QueryViews, profile: np.ndarray, weight: float,
                 needs: Needs, slack: float = 0.0, full: bool = False) -> dict[int, float]:
    """Intent → its combined score (weight·profile + (1 − weight)·closest example, rounded as the decision
    reads it), for every intent that could stand among the best `k` of each `needs` group (all of them
    when `full`). An intent left out scores below every intent kept in each group."""
    return Selection(index, query, profile, weight).run(needs, slack, full)


def reaches(index: ExampleIndex, query: QueryViews, profile: np.ndarray, weight: float,
            intents: frozenset[int], cutoff: float) -> bool:
    """Whether the best of these intents scores at least `cutoff`: exactly the answer of scoring every
    example (see `Selection.reaches`)."""
    ids = np.fromiter(intents, dtype=np.intp, count=len(intents))
    return Selection(index, query, profile, weight).reaches(ids, cutoff)


def scores_of(index: ExampleIndex, query: QueryViews, profile: np.ndarray, weight: float,
              intents: list[int]) -> dict[int, float]:
    """The combined scores of just these intents, exactly as scoring every example of theirs gives them."""
    if not intents:
        return {}
    return Selection(index, query, profile, weight).exact_of(np.asarray(intents, dtype=np.intp))


def _threshold(scores: dict[int, float], needs: Needs) -> float:
    """The lowest score an intent not yet scored must beat to matter to any group."""
    lowest = float("inf")
    for members, k in needs:
        if k <= 0:
            continue
        kept = sorted((s for i, s in scores.items() if i in members), reverse=True)
        lowest = min(lowest, kept[k - 1] if len(kept) >= k else float("-inf"))
    return lowest
