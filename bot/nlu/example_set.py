"""The examples as the matcher scores them: built once from the data, kept from one start to the next.

Normalising and cutting every example, the character index over them and the intents' profiles are the
same work at every start (×20: 25,000 examples, most of a second). `ExampleSet.build` returns builtins
(arrays as bytes: packed.py) that `StartupWork` keeps, keyed by the examples, what reading them depends
on (synonyms, places, jieba's dictionaries) and the code; the matcher holds what `restore` gives back,
whether the result was kept or just built, so both starts hold the very same structures.
"""
from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable

from .candidates import ExampleIndex, ProfileIndex

STOPWORDS = frozenset(
    "的 了 吗 嘛 呢 啊 呀 吧 哦 哈 嗯 么 我 我们 俺 你 您 他 她 请问 问 问下 问一下 一下 想 想问 咨询 下 这个 那个 "
    "是 在 和 与 及 就 都 也 还 又 个 些 给 让 被 把 对 从 于 能 可以 可 会 去 来 吧 呗 啦 咯 哎 喂 好 "
    "那 那么 那个 这 要 需要 得 该 应该 还有 另外 然后 呢 吗 么 啥 什么 怎么 怎样 如何 多少 哪些 哪里 哪儿".split()
)


@dataclass(frozen=True)
class Prepared:
    tokens: tuple[str, ...]
    token_text: str
    chars: str
    features: frozenset[str]


def prepared(words: list[str], keep_all_if_empty: bool = True) -> Prepared:
    """The words of a text as the scores read them: tokens less stopwords, characters, features."""
    tokens = tuple(t for t in words if t not in STOPWORDS)
    if not tokens and keep_all_if_empty:
        tokens = tuple(words)  # "在吗" / "能问什么" are nothing but stopwords: then every word counts
    chars = "".join(tokens)
    bigrams = {chars[i:i + 2] for i in range(len(chars) - 1)}
    return Prepared(tokens, " ".join(tokens), chars, frozenset(set(tokens) | {"#" + b for b in bigrams}))


def intent_profiles(per_intent: dict[str, list[Prepared]]) -> tuple[dict[str, float], ProfileIndex]:
    """Each feature's rarity across intents, and each intent's profile: its examples' features weighted by
    how often they occur in it and how rare they are, normalised (a cosine against a question's)."""
    df: Counter[str] = Counter()
    for items in per_intent.values():
        df.update(set().union(*(p.features for p in items)))
    idf = {f: math.log(1 + len(per_intent) / c) for f, c in df.items()}
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for k, items in enumerate(per_intent.values()):
        counts = Counter(f for p in items for f in p.features)
        weights = {f: (c / len(items)) * idf[f] for f, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for f, w in weights.items():
            postings[f].append((k, w / norm))
    return idf, ProfileIndex(postings, len(per_intent))


Forms = Callable[[list[str]], list[tuple[str, str]]]   # texts → (normalised text, text to cut) of each
Cuts = Callable[[list[str]], list[list[str]]]          # texts → the words of each


@dataclass(frozen=True)
class ExampleSet:
    texts: frozenset[str]          # every example's normalised text without spaces
    intents_of: list[str]          # per example scored (one with characters), its intent
    tokens: list[tuple[str, ...]]  # per example scored, its tokens (`prepared(list(tokens))` is the example)
    intents: list[str]             # the intents with an example, in the order of their blocks
    index: ExampleIndex
    idf: dict[str, float]
    profiles: ProfileIndex

    @staticmethod
    def build(examples: dict[str, tuple[str, ...]], forms: Forms, cuts: Cuts) -> dict:
        """The set as builtins (see `restore`)."""
        texts = [t for ts in examples.values() for t in ts]
        read = forms(texts)
        owners = [intent for intent, ts in examples.items() for _ in ts]
        kept: list[tuple[str, Prepared]] = []
        per_intent: dict[str, list[Prepared]] = defaultdict(list)
        for intent, words in zip(owners, cuts([folded for _, folded in read])):
            example = prepared(words)
            if example.chars:
                kept.append((intent, example))
                per_intent[intent].append(example)
        intents = list(per_intent)
        starts = list(itertools.accumulate([0] + [len(per_intent[i]) for i in intents[:-1]]))
        index = ExampleIndex([e.token_text for _, e in kept], [e.chars for _, e in kept], starts)
        idf, profiles = intent_profiles(per_intent)
        return {"texts": frozenset(text.replace(" ", "") for text, _ in read), "intents_of": [i for i, _ in kept],
                "tokens": [e.tokens for _, e in kept], "intents": intents, "index": index.state(), "idf": idf,
                "profiles": profiles.state()}

    @classmethod
    def restore(cls, state: dict) -> "ExampleSet":
        return cls(state["texts"], state["intents_of"], state["tokens"], state["intents"],
                   ExampleIndex.from_state(state["index"]), state["idf"], ProfileIndex.from_state(state["profiles"]))

    @staticmethod
    def valid(found: object) -> bool:
        """Whether a kept result has the shape `build` gives (a damaged or foreign file is built afresh)."""
        if not isinstance(found, dict) or set(found) != {"texts", "intents_of", "tokens", "intents", "index",
                                                          "idf", "profiles"}:
            return False
        count = len(found["tokens"]) if isinstance(found["tokens"], list) else -1
        return (isinstance(found["texts"], frozenset) and isinstance(found["intents_of"], list)
                and len(found["intents_of"]) == count and isinstance(found["intents"], list)
                and isinstance(found["idf"], dict) and ExampleIndex.valid_state(found["index"], count)
                and ProfileIndex.valid_state(found["profiles"], len(found["intents"])))
