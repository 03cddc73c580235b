"""The inbox interface; every method is synchronous (channels run them on worker threads)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

DONE_TTL_SECONDS = 24 * 3600   # Telegram redelivers an unacknowledged update for up to 24 hours
LOCAL_FENCE = ("local", "")    # the fence of a single-process inbox: nothing to check


@dataclass(frozen=True)
class InboxItem:
    update_id: int
    chat: str
    payload: dict


class Inbox(Protocol):
    def add(self, update_id: int, chat: str, payload: dict) -> bool:
        """Store a received update; False when it is already known (pending or done): do not queue it."""

    def next_pending(self, chat: str) -> InboxItem | None:
        """The chat's oldest update not yet done."""

    def pending(self) -> list[InboxItem]:
        """Every update not yet done, oldest first (processed first at start-up)."""

    def done(self, item: InboxItem) -> None: ...

    def is_done(self, update_id: int) -> bool: ...

    def acquire(self, chat: str, wait: float) -> tuple | None:
        """The chat's lock as a fence (key, token) for the store's commit, or None after `wait` seconds."""

    def release(self, chat: str, fence: tuple) -> None: ...

    def check(self) -> None:
        """Raise StoreError when the inbox cannot be written."""
