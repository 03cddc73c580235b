"""The three session stores behave alike, for real: a dict, a SQLite file and a Redis server."""
from __future__ import annotations

import sqlite3
import time

import pytest

from bot.dialog.session import State
from bot.engine import STORE_DOWN_TEXT
from bot.stores import MemoryStore, SQLiteStore, StoreError, open_store

ERROR = State.ERROR.value  # the public Reply.state string


class FakeClock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request, tmp_path):
    if request.param == "memory":
        return MemoryStore(ttl_seconds=60)
    if request.param == "sqlite":
        return SQLiteStore(tmp_path / "s.sqlite3", ttl_seconds=60)
    url = request.getfixturevalue("redis_url")
    redis_store = open_store(url, ttl_seconds=60)
    redis_store.prefix = f"test-{time.monotonic_ns()}:"
    return redis_store


def test_put_get_delete_round_trip(store):
    assert store.get("a") is None
    store.put("a", {"state": "checking", "answers": {"1": "是"}, "region": "乌鲁木齐市"})
    assert store.get("a") == {"state": "checking", "answers": {"1": "是"}, "region": "乌鲁木齐市"}
    store.delete("a")
    assert store.get("a") is None


def test_claim_is_true_once(store):
    assert store.claim("update:1", 60) is True
    assert store.claim("update:1", 60) is False
    assert store.claim("update:2", 60) is True


def clocked_store(kind: str, tmp_path) -> tuple:
    """A memory or SQLite store with a 60 s TTL on a clock the test moves."""
    clock = FakeClock()
    return (MemoryStore(60, clock) if kind == "memory" else SQLiteStore(tmp_path / "x.sqlite3", 60, clock)), clock


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_idle_sessions_expire(kind, tmp_path):
    store, clock = clocked_store(kind, tmp_path)
    store.put("a", {"x": 1})
    clock.now += 59
    assert store.get("a") == {"x": 1}
    store.put("a", {"x": 2})          # activity restarts the idle timer
    clock.now += 59
    assert store.get("a") == {"x": 2}
    clock.now += 61
    assert store.get("a") is None


def test_redis_expiry_uses_server_ttl(redis_url):
    store = open_store(redis_url, ttl_seconds=1)
    store.prefix = f"ttl-{time.monotonic_ns()}:"
    store.put("a", {"x": 1})
    assert store.get("a") == {"x": 1}
    time.sleep(2.1)
    assert store.get("a") is None


def test_sqlite_survives_a_restart(tmp_path):
    path = tmp_path / "s.sqlite3"
    SQLiteStore(path).put("chat-1", {"state": "checking"})
    assert SQLiteStore(path).get("chat-1") == {"state": "checking"}


def test_conversation_continues_after_restart_with_sqlite(new_bot, tmp_path):
    path = tmp_path / "s.sqlite3"
    first = new_bot(store=SQLiteStore(path))
    first.handle("u", "我被公司裁员了，能领失业金吗？")
    first.handle("u", "乌鲁木齐市")
    reply = first.handle("u", "核对申领条件")
    assert reply.state == "checking"
    second = new_bot(store=SQLiteStore(path))          # a new process on the same file
    reply = second.handle("u", "是")
    assert reply.state == "checking" and reply.policy == "urumqi.unemployment_benefit"


def test_redis_shares_state_between_two_bots(new_bot, redis_url):
    one = new_bot(store=open_store(redis_url))
    two = new_bot(store=open_store(redis_url))
    session = f"shared-{time.monotonic_ns()}"
    one.handle(session, "失业金一个月多少钱")
    reply = two.handle(session, "乌鲁木齐市")
    assert "1530元/月" in reply.text


def test_store_down_gives_an_apology_not_a_crash(new_bot, tmp_path, caplog):
    store = SQLiteStore(tmp_path / "s.sqlite3")
    bot = new_bot(store=store)
    store.close()                                        # the database goes away under the bot
    reply = bot.handle("u", "失业金怎么领")
    assert reply.state == ERROR and reply.text == STORE_DOWN_TEXT
    assert "session store unavailable" in caplog.text


def test_redis_down_gives_an_apology(new_bot, caplog):
    bot = new_bot(store=open_store("redis://127.0.0.1:1/0"))   # nothing listens on port 1
    reply = bot.handle("u", "你好")
    assert reply.state == ERROR and "稍后" in reply.text
    assert "session store unavailable" in caplog.text


def test_unusable_sqlite_path_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="无法打开会话数据库"):
        SQLiteStore(blocker / "sub" / "s.sqlite3")


def test_damaged_row_reads_as_no_session(tmp_path):
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    store.put("a", {"x": 1})
    with sqlite3.connect(path) as db:
        db.execute("UPDATE sessions SET state = '{broken'")
    assert store.get("a") is None


def test_open_store_rejects_unknown_spec():
    with pytest.raises(ValueError, match="memory"):
        open_store("postgres://x")
