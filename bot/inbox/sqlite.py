"""The inbox in the session store's SQLite file (its own connection; WAL lets both write in turn)."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from ..stores.base import StoreError
from ..stores.sqlite import connect
from .base import DONE_TTL_SECONDS, LOCAL_FENCE, InboxItem

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (update_id INTEGER PRIMARY KEY, chat TEXT NOT NULL, payload TEXT,
                                  done_at REAL);
CREATE INDEX IF NOT EXISTS inbox_pending ON inbox (chat, update_id) WHERE done_at IS NULL;
"""


class SQLiteInbox:
    def __init__(self, path: str | Path):
        self.path = path
        self._lock = threading.Lock()
        self._adds = 0
        try:
            self._db = connect(path)
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"无法打开消息收件箱 {path}：{exc}") from exc

    def _run(self, sql: str, args: tuple = ()) -> tuple[int, list[tuple]]:
        """(rows changed, rows returned)."""
        try:
            with self._lock, self._db:
                cur = self._db.execute(sql, args)
                return cur.rowcount, cur.fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"消息收件箱 {self.path} 出错：{exc}") from exc

    def add(self, update_id: int, chat: str, payload: dict) -> bool:
        self._adds += 1
        if self._adds % 500 == 1:  # done ids are kept a day for de-duplication, then forgotten
            self._run("DELETE FROM inbox WHERE done_at < ?", (time.time() - DONE_TTL_SECONDS,))
        cur = self._run("INSERT OR IGNORE INTO inbox (update_id, chat, payload) VALUES (?, ?, ?)",
                        (update_id, chat, json.dumps(payload, ensure_ascii=False)))
        return cur[0] == 1

    def next_pending(self, chat: str) -> InboxItem | None:
        rows = self._run("SELECT update_id, payload FROM inbox WHERE chat = ? AND done_at IS NULL "
                         "ORDER BY update_id LIMIT 1", (chat,))[1]
        return InboxItem(rows[0][0], chat, json.loads(rows[0][1])) if rows else None

    def pending(self) -> list[InboxItem]:
        rows = self._run("SELECT update_id, chat, payload FROM inbox WHERE done_at IS NULL ORDER BY update_id")[1]
        return [InboxItem(u, c, json.loads(p)) for u, c, p in rows]

    def done(self, item: InboxItem) -> None:
        self._run("UPDATE inbox SET done_at = ?, payload = NULL WHERE update_id = ?", (time.time(), item.update_id))

    def is_done(self, update_id: int) -> bool:
        return bool(self._run("SELECT 1 FROM inbox WHERE update_id = ? AND done_at IS NOT NULL",
                              (update_id,))[1])

    def acquire(self, chat: str, wait: float) -> tuple | None:
        return LOCAL_FENCE  # one process owns a SQLite file; the channel orders a chat's updates in-process

    def release(self, chat: str, fence: tuple) -> None:
        return None

    def check(self) -> None:
        try:
            with self._lock, self._db:
                self._db.execute("DELETE FROM inbox WHERE update_id = -1")
                self._db.execute("INSERT INTO inbox (update_id, chat, done_at) VALUES (-1, '', 0)")
                self._db.execute("DELETE FROM inbox WHERE update_id = -1")
        except sqlite3.Error as exc:
            raise StoreError(f"消息收件箱 {self.path} 无法写入（{exc}）：请检查文件和目录的写权限") from exc
