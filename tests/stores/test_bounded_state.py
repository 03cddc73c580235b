"""What the stores keep: user words masked and bounded, turn records saved with the session, expired sessions
purged without traffic, update ids forgotten, any session id accepted — on memory, SQLite and Redis."""
from __future__ import annotations

import time

import pytest

from bot.inbox import open_inbox
from bot.stores import MemoryStore, SQLiteStore, StoreError, open_store
from bot.stores.base import FenceLost, MAX_CONTEXT_CHARS, MAX_STORED_HISTORY
from test_stores import FakeClock, clocked_store, store  # noqa: F401 — the store fixture: memory, SQLite, Redis


def typed_state(n_history: int = 30) -> dict:
    words = "我的电话138-1234-5678，身份证650102199001011234 " + "失业" * 2000
    snapshot = {"state": "checking", "context_text": words, "prefilled": {"1": "电话13912345678"},
                "prompt": "请拨打 0991-2337209"}
    return {**snapshot, "history": [dict(snapshot) for _ in range(n_history)]}


def test_user_words_are_masked_and_bounded(store):
    store.put("a", typed_state())
    state = store.get("a")
    text = str(state)
    assert "1234-5678" not in text and "650102199001011234" not in text and "13912345678" not in text
    assert len(state["context_text"]) <= MAX_CONTEXT_CHARS and len(state["history"]) == MAX_STORED_HISTORY
    assert state["prompt"] == "请拨打 0991-2337209"  # the bot's own words (an office's phone) stay
    assert len(str(state)) < 20_000


def test_session_and_turn_record_are_committed_together(store):
    store.commit("a", {"state": "checking", "context_text": "电话13812345678"}, "tg:1",
                 {"reply": {"text": "好的"}, "before": None})
    assert store.get("a")["context_text"] == "电话138****5678"
    assert store.get_record("tg:1") == {"reply": {"text": "好的"}, "before": None}
    assert store.get_record("tg:2") is None


def test_any_session_id_is_a_key(store):
    for sid in ("\ud800", "a\udfffb", "\x00", "会话"):
        store.put(sid, {"x": sid.isascii()})
        assert store.get(sid) == {"x": sid.isascii()}


def test_redis_commit_is_fenced_by_the_chat_lock(redis_url):
    store = open_store(redis_url)
    store.prefix = f"fence-{time.monotonic_ns()}:"
    inbox = open_inbox(store, lock_ttl=0.3)
    fence = inbox.acquire("chat", 1)
    assert inbox.acquire("chat", 0.05) is None  # held
    store.commit("s", {"n": 1}, "r1", {}, fence)
    time.sleep(0.4)  # the lock expired; another process takes the chat
    other = inbox.acquire("chat", 1)
    with pytest.raises(FenceLost):
        store.commit("s", {"n": 2}, "r2", {}, fence)
    store.commit("s", {"n": 3}, "r3", {}, other)
    assert store.get("s") == {"n": 3}


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_idle_expired_sessions_are_purged_without_traffic(kind, tmp_path):
    store, clock = clocked_store(kind, tmp_path)
    store.put("old", {"x": 1})
    clock.now += 30
    store.put("new", {"x": 2})
    clock.now += 31
    assert store.purge_expired() == 1
    assert store.get("new") == {"x": 2}


def test_memory_store_forgets_old_update_ids():
    clock = FakeClock()
    store = MemoryStore(60, clock)
    for i in range(3000):
        assert store.claim(f"u{i}", 10)
        clock.now += 0.1
    assert len(store._claims) < 1200  # noqa: SLF001 — the size is the point: expired ids are gone
    assert store.claim("u2999", 10) is False


def test_read_only_sqlite_is_refused_by_the_check(tmp_path):
    SQLiteStore(tmp_path / "ro.sqlite3").close()
    store = SQLiteStore(f"file:{tmp_path / 'ro.sqlite3'}?mode=ro")
    assert store.get("x") is None  # readable
    with pytest.raises(StoreError, match="无法写入"):
        store.check()


def test_inbox_hands_out_a_chats_updates_oldest_first_and_once(store, tmp_path):
    inbox = open_inbox(store)
    assert inbox.add(12, "c", {"n": 12}) and inbox.add(11, "c", {"n": 11}) and inbox.add(13, "d", {"n": 13})
    assert not inbox.add(11, "c", {"n": 11})  # a redelivery of a pending update
    first = inbox.next_pending("c")
    assert first.update_id == 11 and [i.update_id for i in inbox.pending()] == [11, 12, 13]
    inbox.done(first)
    assert inbox.is_done(11) and not inbox.add(11, "c", {"n": 11})  # a redelivery of a done one
    assert inbox.next_pending("c").update_id == 12


def test_a_deleted_sqlite_file_is_noticed_by_the_purge(tmp_path):
    store = SQLiteStore(tmp_path / "gone.sqlite3")
    store.put("a", {"x": 1})
    assert store.purge_expired() == 0
    (tmp_path / "gone.sqlite3").unlink()
    with pytest.raises(StoreError, match="被删除或替换"):
        store.purge_expired()


def test_undoing_a_recorded_turn_never_overwrites_a_later_one(new_bot, tmp_path):
    bot = new_bot(store=SQLiteStore(tmp_path / "undo.sqlite3"))
    first = bot.take_turn("s", "我被公司裁员了，能领失业金吗？电话13812345678", record_key="r1").reply
    bot.take_turn("s", "乌鲁木齐市", record_key="r2")
    later = bot.store.get("s")
    assert not bot.undo_recorded("s", "r1")  # the conversation moved on since r1: nothing is overwritten
    assert bot.store.get("s") == later
    assert bot.undo_recorded("s", "r2")  # r2 was the last turn: back to where r1 left it
    assert bot.store.get("s")["state"] == first.state != later["state"]
    assert bot.recorded_reply("r1") == first
    assert "13812345678" not in str(bot.store.get_record("r1"))


def test_memory_store_evicts_expired_sessions_by_itself():
    """No purge call: ordinary writes after the sweep interval drop whatever has expired."""
    from bot.stores.memory import SWEEP_SECONDS

    clock = FakeClock()
    store = MemoryStore(60, clock)
    for i in range(500):
        store.commit(f"s{i}", {"n": i}, f"r{i}", {"reply": {"text": "好"}})
        assert store.claim(f"u{i}", 120)
    assert store.size() == 1500
    clock.now += 24 * 3600 + SWEEP_SECONDS + 1  # sessions, claims and records have all expired
    store.put("new", {"n": -1})
    assert store.size() == 1
    assert store.get("s1") is None and store.get_record("r1") is None and store.get("new") == {"n": -1}


def test_memory_store_caps_update_ids_and_records():
    clock = FakeClock()
    store = MemoryStore(60, clock, max_claims=100, max_records=50)
    for i in range(1000):
        assert store.claim(f"u{i}", 3600)
        store.commit("chat", {"n": i}, f"r{i}", {"n": i})
    assert store.size() <= 1 + 100 + 50
    assert store.claim("u999", 3600) is False      # the newest ids are still remembered
    assert store.get_record("r999") == {"n": 999}
    assert store.get_record("r0") is None          # the oldest were forgotten first


def test_memory_store_hands_out_copies():
    store = MemoryStore()
    store.put("a", {"history": [{"x": 1}]})
    store.get("a")["history"].append({"x": 2})
    assert store.get("a") == {"history": [{"x": 1}]}
