"""A few recent results of a pure function, on the instance that computes them.

One message asks for the same reading several times: the router normalises it, the dialog reads the whole
text and then each question sentence, the answer planner reads its parts (often those same sentences).
Remembering the last few results makes each of those a dictionary look-up. It spans one message's views,
not a conversation's history: the engine empties it when a message comes in, and it empties itself
whenever it fills. `StartupWork` is the other end: what every start computes alike from the data, which
the engine keeps from one start to the next.
"""
from __future__ import annotations

from typing import Callable, Generic, Hashable, Protocol, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


class Recent(Generic[K, V]):
    """`key → value` for the last few keys (at most `size`; emptied when full, so never more)."""

    def __init__(self, size: int):
        self._size = size
        self._items: dict[K, V] = {}

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The remembered value, or `compute()` remembered. Safe when threads share it: a look-up that
        races with emptying only computes again."""
        items = self._items
        value = items.get(key)
        if value is None:
            value = compute()
            if len(items) >= self._size:
                items.clear()
            items[key] = value
        return value

    def clear(self) -> None:
        self._items.clear()


class StartupWork(Protocol):
    """Pure functions of the data that every start computes alike. The engine passes one that keeps the
    results from one start to the next (bot/knowledge/textcache.py); `Uncached` computes them."""

    def value(self, kind: str, inputs: object, build: Callable[[], T], valid: Callable[[object], bool]) -> T:
        """`build()`, a function of `inputs` (builtins) and the code alone; `valid`: a kept result's shape."""


class Uncached:
    """`StartupWork` done every time."""

    def value(self, kind: str, inputs: object, build: Callable[[], T], valid: Callable[[object], bool]) -> T:
        return build()
