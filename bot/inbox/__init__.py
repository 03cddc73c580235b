"""A durable inbox for channel updates: stored before they are acknowledged, done only once answered.

One chat's updates are handed out oldest first, under a per-chat lock (a Redis lock with a TTL and a fence
token when several processes share Redis; a no-op for SQLite and memory, where one process owns the file),
so a chat's messages are answered in order whichever process received them."""
from __future__ import annotations

from ..stores import MemoryStore, SessionStore, SQLiteStore
from .base import Inbox, InboxItem, LOCAL_FENCE
from .memory import MemoryInbox
from .sqlite import SQLiteInbox


def open_inbox(store: SessionStore, lock_ttl: float = 30.0) -> Inbox:
    """The inbox on the same backend as the session store (same SQLite file, same Redis)."""
    if isinstance(store, SQLiteStore):
        return SQLiteInbox(store.path)
    if isinstance(store, MemoryStore):
        return MemoryInbox()
    from ..stores.redis import RedisStore
    from .redis import RedisInbox

    if isinstance(store, RedisStore):
        return RedisInbox(store, lock_ttl=lock_ttl)
    raise TypeError(f"no inbox for a {type(store).__name__}")


__all__ = ["Inbox", "InboxItem", "LOCAL_FENCE", "MemoryInbox", "SQLiteInbox", "open_inbox"]
