"""Sessions in Redis: several bot processes behind a load balancer share one conversation state."""
from __future__ import annotations

import json

import redis

from .base import DEFAULT_TTL_SECONDS, StoreError


class RedisStore:
    def __init__(self, url: str, ttl_seconds: float = DEFAULT_TTL_SECONDS, prefix: str = "policybot:"):
        self.ttl_seconds = ttl_seconds
        self.prefix = prefix
        self.url = url
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def _call(self, method: str, *args, **kwargs):
        try:
            return getattr(self._client, method)(*args, **kwargs)
        except redis.RedisError as exc:
            raise StoreError(f"Redis 会话存储不可用：{exc}") from exc

    def get(self, session_id: str) -> dict | None:
        raw = self._call("get", self.prefix + "session:" + session_id)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def put(self, session_id: str, state: dict) -> None:
        self._call("set", self.prefix + "session:" + session_id, json.dumps(state, ensure_ascii=False),
                   ex=max(1, int(self.ttl_seconds)))

    def delete(self, session_id: str) -> None:
        self._call("delete", self.prefix + "session:" + session_id)

    def claim(self, key: str, ttl_seconds: float) -> bool:
        # SET NX is atomic across processes: exactly one of them wins the key
        return bool(self._call("set", self.prefix + "claim:" + key, "1", nx=True, ex=max(1, int(ttl_seconds))))
