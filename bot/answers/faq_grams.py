"""The FAQ's word-pair statistics: each text's bigrams and norm, their rarity, the bigram → views postings.

They follow from the FAQ's texts alone and are the same at every start (×20: 6,900 entries, about half a
second), so `build` returns them as builtins (arrays as bytes) for `StartupWork` to keep, keyed by the
texts, what preparing them depends on and the code. Each distinct bigram is one string object, shared by
every set holding it: a kept file stores it once, and a loaded index holds it once.
"""
from __future__ import annotations

import math
from collections import Counter
from itertools import chain
from typing import Callable

import numpy as np

from ..nlu.packed import is_packed, pack

EntryViews = list[tuple[str, list[str]]]   # per FAQ entry: its policy and the texts of its views


def bigrams(text: str) -> set[str]:
    text = text.replace(" ", "")
    return {text[i:i + 2] for i in range(len(text) - 1)} | ({text} if len(text) == 1 else set())


def view_total(entries: EntryViews) -> int:
    return sum(len(texts) for _, texts in entries) or 1


def by_policy(entries: EntryViews) -> list[int]:
    """The entries' positions grouped by policy (policies in the order first met), as the index keeps them."""
    groups: dict[str, list[int]] = {}
    for k, (policy, _) in enumerate(entries):
        groups.setdefault(policy, []).append(k)
    return [k for ks in groups.values() for k in ks]


def build(entries: EntryViews, prepare: Callable[[str], str]) -> dict:
    """Per distinct text (in the order first met) its bigrams and norm; each bigram's IDF and IDF²; the
    postings rows of the views in `by_policy` order."""
    distinct = list(dict.fromkeys(chain.from_iterable(texts for _, texts in entries)))
    grams = dict(zip(distinct, (bigrams(prepare(t)) for t in distinct)))
    # in how many views each bigram stands: one count over them all, in the order bigrams are first met
    df = Counter(chain.from_iterable(grams[text] for _, texts in entries for text in texts))
    total = view_total(entries)
    idf = {g: math.log(1 + total / c) for g, c in df.items()}
    square = {g: w ** 2 for g, w in idf.items()}   # worked out once: the very floats `weight ** 2` gave
    one = {g: g for g in idf}                       # each bigram one object, shared by every set holding it
    default = math.log(1 + total) ** 2
    norms = [math.sqrt(sum([square.get(g, default) for g in grams[t]])) or 1.0 for t in distinct]
    frozen = [frozenset([one[g] for g in grams[t]]) for t in distinct]
    of_text = dict(zip(distinct, frozen))
    view_grams = [of_text[text] for k in by_policy(entries) for text in entries[k][1]]
    ids, ptr, views = _postings(view_grams)
    return {"grams": frozen, "norms": norms, "idf": idf, "square": square, "gram_ids": ids, "ptr": pack(ptr),
            "views": pack(views)}


def valid(found: object, entries: EntryViews) -> bool:
    """Whether a kept result has the shape `build` gives for these entries (a damaged file is built afresh)."""
    keys = {"grams", "norms", "idf", "square", "gram_ids", "ptr", "views"}
    if not isinstance(found, dict) or set(found) != keys:
        return False
    distinct = len(dict.fromkeys(chain.from_iterable(texts for _, texts in entries)))
    return (isinstance(found["grams"], list) and isinstance(found["norms"], list)
            and len(found["grams"]) == len(found["norms"]) == distinct
            and all(isinstance(found[k], dict) for k in ("idf", "square", "gram_ids"))
            and is_packed(found["ptr"], len(found["gram_ids"]) + 1) and is_packed(found["views"]))


def _postings(view_grams: list[frozenset[str]]) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """Bigram → row, and the rows as CSR arrays: each bigram's views in view order (what the loop
    appending view by view gave; rows are numbered in the order bigrams are first met, which no sum
    depends on)."""
    ids = {g: k for k, g in enumerate(dict.fromkeys(chain.from_iterable(view_grams)))}
    if not ids:
        return {}, np.zeros(1, dtype=np.intp), np.zeros(0, dtype=np.intp)
    owner = np.repeat(np.arange(len(view_grams), dtype=np.intp), [len(grams) for grams in view_grams])
    inverse = np.fromiter(map(ids.__getitem__, chain.from_iterable(view_grams)), dtype=np.intp, count=len(owner))
    order = np.argsort(inverse, kind="stable")
    ptr = np.concatenate([[0], np.cumsum(np.bincount(inverse, minlength=len(ids)))]).astype(np.intp)
    return ids, ptr, owner[order]
