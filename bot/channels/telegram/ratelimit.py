"""Rate limits in both directions.

Inbound: a user may send `limit` messages per `window` seconds (one notice, then silence until the window
frees). Outbound: Telegram's limits (about 30 messages/s overall, 20/min per group) without
python-telegram-bot's AIORateLimiter behaviour of pausing *every* request when one chat gets a 429:
here a RetryAfter reaches the sender of that chat, which waits alone (see `sender.Sender`)."""
from __future__ import annotations

import enum
from collections import deque
from typing import Any, Callable, Coroutine

from aiolimiter import AsyncLimiter
from telegram.ext import BaseRateLimiter


class Verdict(enum.Enum):
    OK = "ok"
    NOTICE = "notice"
    DROP = "drop"


OK, NOTICE, DROP = Verdict.OK, Verdict.NOTICE, Verdict.DROP


class UserRateLimiter:
    """At most `limit` messages per `window` seconds per user; the first message over says so once."""

    def __init__(self, limit: int = 20, window: float = 10.0):
        self.limit = limit
        self.window = window
        self._hits: dict[int, deque[float]] = {}
        self._noticed: set[int] = set()

    def check(self, user_id: int, now: float) -> Verdict:
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            self._noticed.discard(user_id)
            self._prune(now)
            return OK
        if user_id in self._noticed:
            return DROP
        self._noticed.add(user_id)
        return NOTICE

    def _prune(self, now: float) -> None:
        if len(self._hits) > 10_000:
            for uid in [u for u, h in self._hits.items() if not h or h[-1] <= now - self.window]:
                self._hits.pop(uid, None)
                self._noticed.discard(uid)


class ChatRateLimiter(BaseRateLimiter[None]):
    """Overall and per-group throttling of Bot API calls; a 429 is raised to the caller, never waited out
    here for everyone."""

    def __init__(self, overall_max_rate: float = 30, group_max_rate: float = 20, group_time_period: float = 60):
        self._overall = AsyncLimiter(overall_max_rate, 1) if overall_max_rate > 0 else None
        self._group_rate = (group_max_rate, group_time_period)
        self._groups: dict[int | str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any, kwargs: dict,
                              endpoint: str, data: dict[str, Any], rate_limit_args: None) -> Any:
        chat_id = data.get("chat_id")
        group = None
        if isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0):
            if len(self._groups) > 10_000:
                self._groups.clear()
            group = self._groups.setdefault(chat_id, AsyncLimiter(*self._group_rate))
        if group is not None:
            await group.acquire()
        if self._overall is not None and endpoint != "getUpdates":
            await self._overall.acquire()
        return await callback(*args, **kwargs)
