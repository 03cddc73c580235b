"""Session stores behind one interface: memory, SQLite, Redis."""
from __future__ import annotations

from .base import DEFAULT_TTL_SECONDS, SessionStore, StoreError
from .memory import MemoryStore
from .sqlite import SQLiteStore


def open_store(spec: str, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> SessionStore:
    """'memory', 'sqlite:PATH' or 'redis://…' — the form the command line and environment use."""
    if spec == "memory":
        return MemoryStore(ttl_seconds)
    if spec.startswith("sqlite:"):
        return SQLiteStore(spec[len("sqlite:"):], ttl_seconds)
    if spec.startswith(("redis://", "rediss://", "unix://")):
        from .redis import RedisStore

        return RedisStore(spec, ttl_seconds)
    raise ValueError(f"不认识的会话存储：{spec!r}；可用 memory、sqlite:路径、redis://主机:端口/库号")


__all__ = ["DEFAULT_TTL_SECONDS", "MemoryStore", "SQLiteStore", "SessionStore", "StoreError", "open_store"]
