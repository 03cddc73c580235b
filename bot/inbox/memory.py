"""An inbox in a dict: for tests and a memory session store (nothing survives the process anyway)."""
from __future__ import annotations

import threading
import time

from .base import DONE_TTL_SECONDS, LOCAL_FENCE, InboxItem


class MemoryInbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[int, InboxItem] = {}
        self._done: dict[int, float] = {}

    def add(self, update_id: int, chat: str, payload: dict) -> bool:
        now = time.monotonic()
        with self._lock:
            if update_id in self._pending or self._done.get(update_id, 0) > now:
                return False
            self._pending[update_id] = InboxItem(update_id, chat, payload)
            if len(self._done) > 10_000:  # forget old ids so a long-running process does not grow
                self._done = {k: t for k, t in self._done.items() if t > now}
            return True

    def next_pending(self, chat: str) -> InboxItem | None:
        with self._lock:
            items = [i for i in self._pending.values() if i.chat == chat]
        return min(items, key=lambda i: i.update_id) if items else None

    def pending(self) -> list[InboxItem]:
        with self._lock:
            return sorted(self._pending.values(), key=lambda i: i.update_id)

    def done(self, item: InboxItem) -> None:
        with self._lock:
            self._pending.pop(item.update_id, None)
            self._done[item.update_id] = time.monotonic() + DONE_TTL_SECONDS

    def is_done(self, update_id: int) -> bool:
        with self._lock:
            return update_id in self._done

    def acquire(self, chat: str, wait: float) -> tuple | None:
        return LOCAL_FENCE

    def release(self, chat: str, fence: tuple) -> None:
        return None

    def check(self) -> None:
        return None
