"""Per-key sliding-window rate limits and per-session locks for the web channel."""
from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections import deque
from typing import Callable


class SlidingWindow:
    """At most `limit` hits per `window` seconds per key; `limit <= 0` means no limit (load runs)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.limit <= 0:
            return True
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > self._max_keys:
                for stale in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]:
                    del self._hits[stale]
            return True


class SessionLocks:
    """One asyncio lock per conversation, so one person's messages are answered in order."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def __call__(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock
