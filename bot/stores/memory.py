"""Sessions in a dict: for tests and one-off scripts; gone when the process ends."""
from __future__ import annotations

import copy
import threading

from .base import DEFAULT_TTL_SECONDS, RECORD_TTL_SECONDS, Clock, scrub_state, storage_key, wall_clock

_SWEEP_EVERY = 1000  # claims and records are swept of expired keys every this many writes


class MemoryStore:
    def __init__(self, ttl_seconds: float = DEFAULT_TTL_SECONDS, clock: Clock = wall_clock):
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, dict]] = {}
        self._claims: dict[str, float] = {}
        self._records: dict[str, tuple[float, dict]] = {}
        self._writes = 0

    def get(self, session_id: str) -> dict | None:
        key = storage_key(session_id)
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            expires, state = item
            if expires <= self._clock():
                del self._items[key]
                return None
            return copy.deepcopy(state)

    def put(self, session_id: str, state: dict) -> None:
        with self._lock:
            self._items[storage_key(session_id)] = (self._clock() + self.ttl_seconds, scrub_state(copy.deepcopy(state)))

    def delete(self, session_id: str) -> None:
        with self._lock:
            self._items.pop(storage_key(session_id), None)

    def claim(self, key: str, ttl_seconds: float) -> bool:
        key = storage_key(key)
        now = self._clock()
        with self._lock:
            self._sweep(now)
            if self._claims.get(key, 0) > now:
                return False
            self._claims[key] = now + ttl_seconds
            return True

    def commit(self, session_id: str, state: dict, record_key: str, record: dict, fence: object = None) -> None:
        now = self._clock()
        with self._lock:
            self._sweep(now)
            self._items[storage_key(session_id)] = (now + self.ttl_seconds, scrub_state(copy.deepcopy(state)))
            self._records[storage_key(record_key)] = (now + RECORD_TTL_SECONDS, copy.deepcopy(record))

    def get_record(self, record_key: str) -> dict | None:
        with self._lock:
            item = self._records.get(storage_key(record_key))
            return copy.deepcopy(item[1]) if item and item[0] > self._clock() else None

    def purge_expired(self) -> int:
        now = self._clock()
        with self._lock:
            gone = [k for k, (expires, _) in self._items.items() if expires <= now]
            for k in gone:
                del self._items[k]
            self._writes = 0
            self._sweep(now)
        return len(gone)

    def check(self) -> None:
        return None

    def _sweep(self, now: float) -> None:
        """Forget expired update claims and records, so a long-running process does not grow without end."""
        self._writes += 1
        if self._writes % _SWEEP_EVERY != 1:
            return
        self._claims = {k: t for k, t in self._claims.items() if t > now}
        self._records = {k: v for k, v in self._records.items() if v[0] > now}
