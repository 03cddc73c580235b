"""The inbox in Redis, shared by every process behind a load balancer, with a per-chat lock.

The lock is redis-py's (SET NX with a TTL and a random token, released only by its owner); its token is the
fence the session store checks when it commits a turn, the way Rasa's lock store guards a conversation: a
process whose lock expired mid-turn cannot overwrite what the next owner wrote."""
from __future__ import annotations

import json

from ..stores.base import StoreError
from ..stores.redis import RedisStore
from .base import DONE_TTL_SECONDS, InboxItem

# KEYS: item, done, chat zset, chats set; ARGV: payload, update id, chat, ttl
_ADD = """
if redis.call('exists', KEYS[1]) == 1 or redis.call('exists', KEYS[2]) == 1 then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[4])
redis.call('zadd', KEYS[3], ARGV[2], ARGV[2])
redis.call('sadd', KEYS[4], ARGV[3])
return 1
"""
# KEYS: item, done, chat zset, chats set; ARGV: update id, chat, ttl
_DONE = """
redis.call('set', KEYS[2], '1', 'EX', ARGV[3])
redis.call('del', KEYS[1])
redis.call('zrem', KEYS[3], ARGV[1])
if redis.call('zcard', KEYS[3]) == 0 then redis.call('srem', KEYS[4], ARGV[2]) end
return 1
"""


class RedisInbox:
    def __init__(self, store: RedisStore, lock_ttl: float = 30.0):
        self.store = store
        self.lock_ttl = lock_ttl
        client = store.client
        self._add = client.register_script(_ADD)
        self._done = client.register_script(_DONE)

    def _keys(self, update_id: int, chat: str) -> list[str]:
        s = self.store
        return [s.key("inbox:item", update_id), s.key("inbox:done", update_id), s.key("inbox:chat", chat),
                s.key("inbox", "chats")]

    def add(self, update_id: int, chat: str, payload: dict) -> bool:
        return bool(self.store.call(self._add, keys=self._keys(update_id, chat),
                                    args=[json.dumps(payload, ensure_ascii=False), update_id, chat,
                                          DONE_TTL_SECONDS]))

    def next_pending(self, chat: str) -> InboxItem | None:
        client = self.store.client
        while True:
            ids = self.store.call(client.zrange, self.store.key("inbox:chat", chat), 0, 0)
            if not ids:
                return None
            update_id = int(ids[0])
            raw = self.store.call(client.get, self.store.key("inbox:item", update_id))
            if raw is not None:
                return InboxItem(update_id, chat, json.loads(raw))
            self.store.call(client.zrem, self.store.key("inbox:chat", chat), update_id)  # expired: skip it

    def pending(self) -> list[InboxItem]:
        client = self.store.client
        items = []
        for chat in self.store.call(client.smembers, self.store.key("inbox", "chats")):
            chat = chat.decode()
            for update_id in self.store.call(client.zrange, self.store.key("inbox:chat", chat), 0, -1):
                raw = self.store.call(client.get, self.store.key("inbox:item", int(update_id)))
                if raw is not None:
                    items.append(InboxItem(int(update_id), chat, json.loads(raw)))
        return sorted(items, key=lambda i: i.update_id)

    def done(self, item: InboxItem) -> None:
        self.store.call(self._done, keys=self._keys(item.update_id, item.chat),
                        args=[item.update_id, item.chat, DONE_TTL_SECONDS])

    def is_done(self, update_id: int) -> bool:
        return bool(self.store.call(self.store.client.exists, self.store.key("inbox:done", update_id)))

    def acquire(self, chat: str, wait: float) -> tuple | None:
        lock = self.store.client.lock(self.store.key("lock", chat), timeout=self.lock_ttl, sleep=0.01,
                                      blocking_timeout=wait, thread_local=False)
        if not self.store.call(lock.acquire):
            return None
        return (lock.name, lock.local.token)

    def release(self, chat: str, fence: tuple) -> None:
        lock = self.store.client.lock(fence[0], timeout=self.lock_ttl, thread_local=False)
        lock.local.token = fence[1]
        try:
            self.store.call(lock.release)
        except StoreError:  # expired meanwhile (LockNotOwnedError) or Redis gone: the TTL frees it
            pass

    def check(self) -> None:
        self.store.check()

