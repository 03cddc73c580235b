"""Sessions in a dict: for tests, one-off scripts and the default of `PolicyBot.load`; gone when the process ends.

Kept as JSON text, as the other stores keep them: one string per session instead of a tree of small
objects (a third of the memory, and what is read back is a fresh copy by construction). Expired sessions,
update claims and turn records are evicted by time — at most once a minute, on any write — and update
claims and records are also capped in number, so a long-running process stays within bounds.
"""
from __future__ import annotations

import json
import threading

from .base import DEFAULT_TTL_SECONDS, RECORD_TTL_SECONDS, Clock, scrub_state, storage_key, wall_clock

SWEEP_SECONDS = 60.0     # expired entries are evicted at most this often (on the next write)
RELEASE_AFTER = 10_000   # a sweep that drops at least this many entries gives the memory back to the system
MAX_CLAIMS = 200_000     # update ids remembered at most (the oldest are forgotten first)
MAX_RECORDS = 200_000    # turn records kept at most


def _dump(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")  # UTF-8: smaller than a str of Han text


def _release_freed_memory() -> None:
    """Hand pages freed by a large sweep back to the system. glibc keeps freed blocks for reuse below the
    top of its heap, so without this the RSS of a process whose sessions all expired stays at its peak."""
    import ctypes  # only when a sweep freed a lot: most processes never need it
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to do, the allocator returns memory in its own way


class MemoryStore:
    def __init__(self, ttl_seconds: float = DEFAULT_TTL_SECONDS, clock: Clock = wall_clock,
                 max_claims: int = MAX_CLAIMS, max_records: int = MAX_RECORDS):
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, bytes]] = {}
        self._claims: dict[str, float] = {}
        self._records: dict[str, tuple[float, bytes]] = {}
        self._limits = (max_claims, max_records)
        self._next_sweep = clock() + SWEEP_SECONDS

    def get(self, session_id: str) -> dict | None:
        key = storage_key(session_id)
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= self._clock():
                del self._items[key]
                return None
        return json.loads(item[1])

    def put(self, session_id: str, state: dict) -> None:
        text = _dump(scrub_state(state))
        now = self._clock()
        with self._lock:
            self._items[storage_key(session_id)] = (now + self.ttl_seconds, text)
            self._maybe_sweep(now)

    def delete(self, session_id: str) -> None:
        with self._lock:
            self._items.pop(storage_key(session_id), None)

    def claim(self, key: str, ttl_seconds: float) -> bool:
        key = storage_key(key)
        now = self._clock()
        with self._lock:
            if self._claims.get(key, 0) > now:
                return False
            self._claims.pop(key, None)  # re-inserted at the end: the dict stays in order of claiming
            self._claims[key] = now + ttl_seconds
            self._maybe_sweep(now)
            return True

    def commit(self, session_id: str, state: dict, record_key: str, record: dict, fence: object = None) -> None:
        text, record_text = _dump(scrub_state(state)), _dump(record)
        now = self._clock()
        with self._lock:
            self._items[storage_key(session_id)] = (now + self.ttl_seconds, text)
            self._records.pop(storage_key(record_key), None)
            self._records[storage_key(record_key)] = (now + RECORD_TTL_SECONDS, record_text)
            self._maybe_sweep(now)

    def get_record(self, record_key: str) -> dict | None:
        with self._lock:
            item = self._records.get(storage_key(record_key))
        return json.loads(item[1]) if item and item[0] > self._clock() else None

    def purge_expired(self) -> int:
        now = self._clock()
        with self._lock:
            return self._sweep(now)

    def size(self) -> int:
        """Sessions, update claims and turn records held (expired ones included until the next sweep)."""
        with self._lock:
            return len(self._items) + len(self._claims) + len(self._records)

    def check(self) -> None:
        return None

    def _maybe_sweep(self, now: float) -> None:
        max_claims, max_records = self._limits
        if now >= self._next_sweep or len(self._claims) > max_claims or len(self._records) > max_records:
            self._sweep(now)

    def _sweep(self, now: float) -> int:
        """Drop what has expired, then the oldest claims and records beyond their caps; returns how many
        sessions expired. New dicts, not deletions: a dict never shrinks its table by itself."""
        self._next_sweep = now + SWEEP_SECONDS
        before, held = len(self._items), len(self._items) + len(self._claims) + len(self._records)
        self._items = {k: v for k, v in self._items.items() if v[0] > now}
        max_claims, max_records = self._limits
        # beyond a cap keep 90 % of it, so that the next write does not sweep again
        claims = [(k, t) for k, t in self._claims.items() if t > now]
        self._claims = dict(claims[-int(max_claims * 0.9):] if len(claims) > max_claims else claims)
        records = [(k, v) for k, v in self._records.items() if v[0] > now]
        self._records = dict(records[-int(max_records * 0.9):] if len(records) > max_records else records)
        del claims, records
        if held - len(self._items) - len(self._claims) - len(self._records) >= RELEASE_AFTER:
            _release_freed_memory()
        return before - len(self._items)
