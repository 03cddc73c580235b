"""Sessions in Redis: several bot processes behind a load balancer share one conversation state.

Every call has a short timeout, and after a timeout the store answers "unavailable" at once for a while
(a circuit breaker): a hung Redis then costs each waiting message at most one timeout, not one per call."""
from __future__ import annotations

import json
import time

import redis

from .base import (DEFAULT_TTL_SECONDS, RECORD_TTL_SECONDS, FenceLost, StoreError, scrub_state,
                   storage_key)

# KEYS: session, record, lock; ARGV: session JSON, session ttl, record JSON, record ttl, fence token ('' = none)
_COMMIT = """
if ARGV[5] ~= '' and redis.call('get', KEYS[3]) ~= ARGV[5] then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('set', KEYS[2], ARGV[3], 'EX', ARGV[4])
return 1
"""


class RedisStore:
    def __init__(self, url: str, ttl_seconds: float = DEFAULT_TTL_SECONDS, prefix: str = "policybot:",
                 timeout: float = 2.0):
        self.ttl_seconds = ttl_seconds
        self.prefix = prefix
        self.url = url
        self.timeout = timeout
        self._down_until = 0.0
        self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._commit = self.client.register_script(_COMMIT)

    def call(self, fn, *args, **kwargs):
        """Run one Redis call; RedisError → StoreError, and a timeout opens the breaker for one timeout."""
        if time.monotonic() < self._down_until:
            raise StoreError("Redis 会话存储刚才没有响应，暂不可用")
        try:
            return fn(*args, **kwargs)
        except (redis.TimeoutError, redis.ConnectionError) as exc:
            self._down_until = time.monotonic() + self.timeout
            raise StoreError(f"Redis 会话存储不可用：{exc}") from exc
        except redis.RedisError as exc:
            raise StoreError(f"Redis 会话存储出错：{exc}") from exc

    def key(self, kind: str, name: object) -> str:
        return f"{self.prefix}{kind}:{storage_key(name)}"

    def get(self, session_id: str) -> dict | None:
        raw = self.call(self.client.get, self.key("session", session_id))
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def put(self, session_id: str, state: dict) -> None:
        self.call(self.client.set, self.key("session", session_id),
                  json.dumps(scrub_state(state), ensure_ascii=False), ex=max(1, int(self.ttl_seconds)))

    def delete(self, session_id: str) -> None:
        self.call(self.client.delete, self.key("session", session_id))

    def claim(self, key: str, ttl_seconds: float) -> bool:
        # SET NX is atomic across processes: exactly one of them wins the key
        return bool(self.call(self.client.set, self.key("claim", key), "1", nx=True, ex=max(1, int(ttl_seconds))))

    def commit(self, session_id: str, state: dict, record_key: str, record: dict, fence: object = None) -> None:
        """Session and turn record in one script; with a fence (lock key, token) only while the lock is ours."""
        lock_key, token = fence if isinstance(fence, tuple) else (self.key("nolock", "-"), "")
        done = self.call(self._commit, keys=[self.key("session", session_id), self.key("record", record_key),
                                             lock_key],
                         args=[json.dumps(scrub_state(state), ensure_ascii=False), max(1, int(self.ttl_seconds)),
                               json.dumps(record, ensure_ascii=False), RECORD_TTL_SECONDS, token])
        if not done:
            raise FenceLost(f"会话 {session_id} 的锁已过期，另一进程接手了这个对话；本次结果作废")

    def get_record(self, record_key: str) -> dict | None:
        raw = self.call(self.client.get, self.key("record", record_key))
        return json.loads(raw) if raw else None

    def purge_expired(self) -> int:
        return 0  # keys carry their own TTL

    def check(self) -> None:
        """Reachable and writable; warn-worthy facts (no persistence) are returned by `persistence()`."""
        self.call(self.client.set, self.key("check", "-"), "1", ex=60)

    def persistence(self) -> bool:
        """True when Redis saves to disk (RDB or AOF): without it a Redis restart loses every session."""
        config = self.call(self.client.config_get, "save") or {}
        aof = self.call(self.client.config_get, "appendonly") or {}
        return bool(config.get("save")) or aof.get("appendonly") == "yes"
