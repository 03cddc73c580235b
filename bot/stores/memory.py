"""Sessions in a dict: for tests and one-off scripts; gone when the process ends."""
from __future__ import annotations

import copy

from .base import DEFAULT_TTL_SECONDS, Clock, wall_clock


class MemoryStore:
    def __init__(self, ttl_seconds: float = DEFAULT_TTL_SECONDS, clock: Clock = wall_clock):
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._items: dict[str, tuple[float, dict]] = {}
        self._claims: dict[str, float] = {}

    def get(self, session_id: str) -> dict | None:
        item = self._items.get(session_id)
        if item is None:
            return None
        expires, state = item
        if expires <= self._clock():
            del self._items[session_id]
            return None
        return copy.deepcopy(state)

    def put(self, session_id: str, state: dict) -> None:
        self._items[session_id] = (self._clock() + self.ttl_seconds, copy.deepcopy(state))

    def delete(self, session_id: str) -> None:
        self._items.pop(session_id, None)

    def claim(self, key: str, ttl_seconds: float) -> bool:
        now = self._clock()
        if self._claims.get(key, 0) > now:
            return False
        self._claims[key] = now + ttl_seconds
        return True
