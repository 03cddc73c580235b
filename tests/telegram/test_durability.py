"""Nothing lost, nothing answered twice: SIGKILL with a backlog, two webhook processes behind a balancer —
the real `policybot telegram` processes, the fake Bot API, real SQLite and Redis."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from processes import SECRET, BotProcess
from test_telegram_e2e import DIALOG, _post

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*timedelta")


def post(url: str, update: dict) -> int:
    return _post(url, update, SECRET)


def done_count(db) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return con.execute("SELECT count(*) FROM inbox WHERE done_at IS NOT NULL").fetchone()[0]


def assert_in_order(api, chats, turns: int) -> None:
    for chat in chats:
        replies = api.messages_to(chat)
        assert len(replies) == turns, (chat, [r.text[:30] for r in replies])
        for reply, (_, expected) in zip(replies, DIALOG):
            assert expected in reply.text, (chat, expected, reply.text[:80])


def backlog(api, chats, turns: int) -> list[dict]:
    """Each chat's first `turns` dialog messages, interleaved across chats."""
    return [api.make_message_update(chat, text) for text, _ in DIALOG[:turns] for chat in chats]


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_sigkill_with_a_backlog_then_restart_answers_each_once(mode, api, tmp_path):
    db = tmp_path / "kill.sqlite3"
    chats = [20_000 + i for i in range(20)]
    updates = backlog(api, chats, 3)  # 60 messages
    api.freeze_at_send(15)  # the crash comes while turns are in flight and 45 wait in the inbox
    first = BotProcess(api, f"sqlite:{db}", webhook=mode == "webhook")
    try:
        if mode == "polling":
            for update in updates:
                api.inject_update(update)
        else:
            first.wait_listening()
            assert all(post(first.hook, update) == 200 for update in updates)
        api.wait_for(lambda: api.frozen and done_count(db) == len(api.sent), timeout=30, what="the freeze")
        assert len(api.sent) < 60
        first.kill()
    finally:
        if first.proc.poll() is None:
            first.kill()
    answered_before = len(api.sent)
    api.unfreeze()
    second = BotProcess(api, f"sqlite:{db}", webhook=mode == "webhook")
    try:
        api.wait_for(lambda: len(api.sent) >= 60, timeout=40, what="60 answers")
        time.sleep(0.5)  # anything answered twice would show up now
        assert_in_order(api, chats, 3)
        assert len(api.sent) == 60
    finally:
        second.terminate()
    print(f"\n{mode}: {answered_before} answered before SIGKILL, {60 - answered_before} after restart, "
          f"{len(api.sent)} answers for 60 messages")


class RoundRobin:
    """A tiny loopback TCP balancer: each new connection goes to the next backend."""

    def __init__(self, ports: list[int]):
        import socket

        self.ports, self.turn = ports, 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket

        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            port = self.ports[self.turn % len(self.ports)]
            self.turn += 1
            backend = socket.create_connection(("127.0.0.1", port))
            for a, b in ((client, backend), (backend, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(2)
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


def test_two_webhook_processes_on_redis_keep_each_chat_in_order(api, redis_server):
    procs = [BotProcess(api, redis_server.url, webhook=True) for _ in range(2)]
    balancer = None
    try:
        for proc in procs:
            proc.wait_listening()
        balancer = RoundRobin([p.port for p in procs])
        hook = f"http://127.0.0.1:{balancer.port}/hook"
        chats = [30_000 + i for i in range(20)]
        statuses: list[int] = []

        def user(chat: int) -> None:  # Telegram sends a chat's next update after the previous one's 200
            for text, _ in DIALOG[:5]:
                statuses.append(post(hook, api.make_message_update(chat, text)))

        threads = [threading.Thread(target=user, args=(chat,)) for chat in chats]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert statuses == [200] * 100
        api.wait_for(lambda: len(api.sent) >= 100, timeout=60, what="100 answers")
        time.sleep(0.3)
        assert_in_order(api, chats, 5)
        assert len(api.sent) == 100
    finally:
        if balancer:
            balancer.close()
        for proc in procs:
            proc.terminate()
