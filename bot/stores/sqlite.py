"""Sessions in a SQLite file: survives a restart of the console or the messenger bot."""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from .base import DEFAULT_TTL_SECONDS, Clock, StoreError, wall_clock

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, state TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, expires REAL NOT NULL);
"""


class SQLiteStore:
    def __init__(self, path: str | Path, ttl_seconds: float = DEFAULT_TTL_SECONDS, clock: Clock = wall_clock):
        self.path = Path(path)
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._writes = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # one connection shared by threads, serialised by the lock; WAL lets other processes read meanwhile
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=5)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # in WAL mode: no corruption, one fsync per checkpoint
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"无法打开会话数据库 {self.path}：{exc}") from exc

    def _run(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            with self._lock, self._db:
                return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"会话数据库 {self.path} 出错：{exc}") from exc

    def get(self, session_id: str) -> dict | None:
        rows = self._run("SELECT state, expires FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            return None
        state, expires = rows[0]
        if expires <= self._clock():
            self.delete(session_id)
            return None
        try:
            return json.loads(state)
        except ValueError:
            return None  # a damaged row is treated as no session rather than crashing every message

    def put(self, session_id: str, state: dict) -> None:
        now = self._clock()
        self._run("INSERT OR REPLACE INTO sessions (id, state, expires) VALUES (?, ?, ?)",
                  (session_id, json.dumps(state, ensure_ascii=False), now + self.ttl_seconds))
        self._writes += 1
        if self._writes % 100 == 1:  # sweeping expired sessions on every write would double the cost
            self._run("DELETE FROM sessions WHERE expires <= ?", (now,))

    def delete(self, session_id: str) -> None:
        self._run("DELETE FROM sessions WHERE id = ?", (session_id,))

    def claim(self, key: str, ttl_seconds: float) -> bool:
        now = self._clock()
        try:
            with self._lock, self._db:
                self._db.execute("DELETE FROM claims WHERE expires <= ?", (now,))
                cur = self._db.execute("INSERT OR IGNORE INTO claims (key, expires) VALUES (?, ?)",
                                       (key, now + ttl_seconds))
                return cur.rowcount == 1
        except sqlite3.Error as exc:
            raise StoreError(f"会话数据库 {self.path} 出错：{exc}") from exc

    def close(self) -> None:
        self._db.close()
