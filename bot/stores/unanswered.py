"""Questions the bot could not answer, kept so staff can learn from them.

What is kept is deliberately little: when, which kind of miss, the masked text and the matcher's best
candidates. No session or chat id is stored, so a record cannot be traced back to a conversation.
Records older than the retention (30 days by default) are deleted as new ones arrive and before reading.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .base import Clock, StoreError, wall_clock

DEFAULT_RETENTION_DAYS = 30
DAY_SECONDS = 86400

OUT_OF_SCOPE = "out_of_scope"
NONE_OF_THESE = "none_of_these"
WALKED_AWAY = "walked_away"
KIND_LABELS = {OUT_OF_SCOPE: "超出范围", NONE_OF_THESE: "选了“都不是”", WALKED_AWAY: "澄清后没有选择"}


@dataclass(frozen=True)
class UnansweredQuestion:
    when: float                                   # seconds since the epoch
    kind: str                                     # one of KIND_LABELS
    text: str                                     # already masked (ID-card and phone numbers)
    candidates: tuple[tuple[str, float], ...] = ()  # the matcher's best intents with scores

    def to_json(self) -> str:
        return json.dumps({"when": self.when, "kind": self.kind, "text": self.text,
                           "candidates": [list(c) for c in self.candidates]}, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> "UnansweredQuestion":
        data = json.loads(raw)
        return cls(float(data["when"]), str(data["kind"]), str(data["text"]),
                   tuple((str(i), float(s)) for i, s in data.get("candidates", [])))


class UnansweredStore(Protocol):
    retention_seconds: float

    def add(self, question: UnansweredQuestion) -> None: ...

    def since(self, when: float) -> list[UnansweredQuestion]:
        """Every kept question asked at or after `when`, oldest first."""


class MemoryUnanswered:
    """For tests and `--store memory`: gone when the process ends."""

    def __init__(self, retention_days: float = DEFAULT_RETENTION_DAYS, clock: Clock = wall_clock):
        self.retention_seconds = retention_days * DAY_SECONDS
        self._clock = clock
        self._items: list[UnansweredQuestion] = []
        self._lock = threading.Lock()

    def add(self, question: UnansweredQuestion) -> None:
        with self._lock:
            self._items.append(question)

    def since(self, when: float) -> list[UnansweredQuestion]:
        cutoff = max(when, self._clock() - self.retention_seconds)
        with self._lock:
            self._items = [q for q in self._items if q.when >= self._clock() - self.retention_seconds]
            return sorted((q for q in self._items if q.when >= cutoff), key=lambda q: q.when)


class SQLiteUnanswered:
    """A table `unanswered` in the same SQLite file as the sessions (its own connection; WAL mode)."""

    def __init__(self, path: str | Path, retention_days: float = DEFAULT_RETENTION_DAYS, clock: Clock = wall_clock):
        self.path = Path(path)
        self.retention_seconds = retention_days * DAY_SECONDS
        self._clock = clock
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=5)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS unanswered (asked REAL NOT NULL, kind TEXT NOT NULL, "
                             "text TEXT NOT NULL, candidates TEXT NOT NULL)")
            self._db.execute("CREATE INDEX IF NOT EXISTS unanswered_asked ON unanswered (asked)")
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"无法打开未答问题数据库 {self.path}：{exc}") from exc

    def _run(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            with self._lock, self._db:
                return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"未答问题数据库 {self.path} 出错：{exc}") from exc

    def add(self, question: UnansweredQuestion) -> None:
        self._run("INSERT INTO unanswered (asked, kind, text, candidates) VALUES (?, ?, ?, ?)",
                  (question.when, question.kind, question.text, json.dumps(question.candidates)))
        self._run("DELETE FROM unanswered WHERE asked < ?", (self._clock() - self.retention_seconds,))

    def since(self, when: float) -> list[UnansweredQuestion]:
        self._run("DELETE FROM unanswered WHERE asked < ?", (self._clock() - self.retention_seconds,))
        rows = self._run("SELECT asked, kind, text, candidates FROM unanswered WHERE asked >= ? ORDER BY asked",
                         (when,))
        return [UnansweredQuestion(asked, kind, text, tuple((str(i), float(s)) for i, s in json.loads(cands)))
                for asked, kind, text, cands in rows]

    def close(self) -> None:
        self._db.close()


class RedisUnanswered:
    """A sorted set scored by time: ZRANGEBYSCORE reads a period, ZREMRANGEBYSCORE applies the retention."""

    def __init__(self, url: str, retention_days: float = DEFAULT_RETENTION_DAYS, clock: Clock = wall_clock,
                 key: str = "policybot:unanswered"):
        import redis

        self.retention_seconds = retention_days * DAY_SECONDS
        self._clock = clock
        self._key = key
        self._errors = redis.RedisError
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def _call(self, method: str, *args):
        try:
            return getattr(self._client, method)(*args)
        except self._errors as exc:
            raise StoreError(f"Redis 未答问题存储不可用：{exc}") from exc

    def add(self, question: UnansweredQuestion) -> None:
        # a member must be unique, or two people asking the same words would count once
        member = uuid.uuid4().hex[:12] + "|" + question.to_json()
        self._call("zadd", self._key, {member: question.when})
        self._call("zremrangebyscore", self._key, "-inf", f"({self._clock() - self.retention_seconds}")

    def since(self, when: float) -> list[UnansweredQuestion]:
        self._call("zremrangebyscore", self._key, "-inf", f"({self._clock() - self.retention_seconds}")
        raw = self._call("zrangebyscore", self._key, when, "+inf")
        return [UnansweredQuestion.from_json(item.split(b"|", 1)[1]) for item in raw]


def open_unanswered(spec: str, retention_days: float = DEFAULT_RETENTION_DAYS,
                    clock: Clock = wall_clock) -> UnansweredStore:
    """The same forms as the session store: 'memory', 'sqlite:PATH' or 'redis://…'."""
    if spec == "memory":
        return MemoryUnanswered(retention_days, clock)
    if spec.startswith("sqlite:"):
        return SQLiteUnanswered(spec[len("sqlite:"):], retention_days, clock)
    if spec.startswith(("redis://", "rediss://", "unix://")):
        return RedisUnanswered(spec, retention_days, clock)
    raise ValueError(f"不认识的存储：{spec!r}；可用 memory、sqlite:路径、redis://主机:端口/库号")
