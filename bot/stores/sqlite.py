"""Sessions in a SQLite file: survives a restart of the console or the messenger bot."""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from .base import (DEFAULT_TTL_SECONDS, RECORD_TTL_SECONDS, Clock, StoreError, scrub_state, storage_key,
                   wall_clock)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, state TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, record TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- the expiry sweeps (every 100th write, and the scheduled purge) read by `expires`: without an index each
-- one scans the whole table, which at 100,000 sessions is the p99 of a turn
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires);
CREATE INDEX IF NOT EXISTS claims_expires ON claims (expires);
CREATE INDEX IF NOT EXISTS records_expires ON records (expires);
"""


def connect(path: Path) -> sqlite3.Connection:
    """A connection shared by threads (callers serialise it); "file:…?mode=ro" URIs are accepted."""
    text = str(path)
    db = sqlite3.connect(text, check_same_thread=False, timeout=5, uri=text.startswith("file:"))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # in WAL mode: no corruption, one fsync per checkpoint
    return db


class SQLiteStore:
    def __init__(self, path: str | Path, ttl_seconds: float = DEFAULT_TTL_SECONDS, clock: Clock = wall_clock):
        self.path = Path(path) if not str(path).startswith("file:") else str(path)
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._writes = 0
        try:
            if isinstance(self.path, Path):
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = connect(self.path)
            self._db.executescript(_SCHEMA)
            self._inode = self._file_id()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"无法打开会话数据库 {self.path}：{exc}") from exc

    def _run(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            with self._lock, self._db:
                return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"会话数据库 {self.path} 出错：{exc}") from exc

    def get(self, session_id: str) -> dict | None:
        session_id = storage_key(session_id)
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
                  (storage_key(session_id), json.dumps(scrub_state(state), ensure_ascii=False),
                   now + self.ttl_seconds))
        self._writes += 1
        if self._writes % 100 == 1:  # sweeping expired sessions on every write would double the cost
            self._run("DELETE FROM sessions WHERE expires <= ?", (now,))

    def delete(self, session_id: str) -> None:
        self._run("DELETE FROM sessions WHERE id = ?", (storage_key(session_id),))

    def claim(self, key: str, ttl_seconds: float) -> bool:
        now = self._clock()
        try:
            with self._lock, self._db:
                self._db.execute("DELETE FROM claims WHERE expires <= ?", (now,))
                cur = self._db.execute("INSERT OR IGNORE INTO claims (key, expires) VALUES (?, ?)",
                                       (storage_key(key), now + ttl_seconds))
                return cur.rowcount == 1
        except sqlite3.Error as exc:
            raise StoreError(f"会话数据库 {self.path} 出错：{exc}") from exc

    def commit(self, session_id: str, state: dict, record_key: str, record: dict, fence: object = None) -> None:
        """One transaction: the session and the turn record are both saved or neither is."""
        now = self._clock()
        try:
            with self._lock, self._db:
                self._db.execute("INSERT OR REPLACE INTO sessions (id, state, expires) VALUES (?, ?, ?)",
                                 (storage_key(session_id), json.dumps(scrub_state(state), ensure_ascii=False),
                                  now + self.ttl_seconds))
                self._db.execute("INSERT OR REPLACE INTO records (key, record, expires) VALUES (?, ?, ?)",
                                 (storage_key(record_key), json.dumps(record, ensure_ascii=False),
                                  now + RECORD_TTL_SECONDS))
        except sqlite3.Error as exc:
            raise StoreError(f"会话数据库 {self.path} 出错：{exc}") from exc

    def get_record(self, record_key: str) -> dict | None:
        rows = self._run("SELECT record FROM records WHERE key = ? AND expires > ?",
                         (storage_key(record_key), self._clock()))
        return json.loads(rows[0][0]) if rows else None

    def _file_id(self) -> tuple[int, int] | None:
        if not isinstance(self.path, Path):
            return None
        st = self.path.stat()
        return st.st_dev, st.st_ino

    def purge_expired(self) -> int:
        """Also notices a database file deleted or replaced under the running process (its sessions would be
        lost at the next start without a word)."""
        try:
            moved = self._file_id() != self._inode
        except OSError:
            moved = True
        if moved:
            raise StoreError(f"会话数据库文件 {self.path} 被删除或替换了：现在写入的对话在重启后会丢失，请恢复文件后重启")
        now = self._clock()
        rows = self._run("DELETE FROM sessions WHERE expires <= ? RETURNING id", (now,))
        self._run("DELETE FROM records WHERE expires <= ?", (now,))
        self._run("DELETE FROM claims WHERE expires <= ?", (now,))
        return len(rows)

    def check(self) -> None:
        """A real write, so that a read-only file or directory is refused at start, not at the first message."""
        try:
            with self._lock, self._db:
                self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('checked', ?)",
                                 (str(self._clock()),))
        except sqlite3.Error as exc:
            raise StoreError(f"会话数据库 {self.path} 无法写入（{exc}）：请检查文件和目录的写权限，"
                             f"或换一个 --store 路径") from exc

    def close(self) -> None:
        self._db.close()
