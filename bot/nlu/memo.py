"""A few recent results of a pure function, on the instance that computes them.

One message asks for the same reading several times: the router normalises it, the dialog reads the whole
text and then each question sentence, the answer planner reads its parts (often those same sentences).
Remembering the last few results makes each of those a dictionary look-up. It spans one message's views,
not a conversation's history: the engine empties it when a message comes in, and it empties itself
whenever it fills.
"""
from __future__ import annotations

from typing import Callable, Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


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
