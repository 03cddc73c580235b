"""Faults a user would notice: a hung Redis, one chat's flood wait, start-up failures, what the store keeps,
photos with captions and group service messages — the real Application against the fake Bot API."""
from __future__ import annotations

import os
import signal
import sqlite3
import time

import pytest

from bot import PolicyBot
from bot.engine import STORE_DOWN_TEXT
from bot.stores import SQLiteStore
from bot.stores.redis import RedisStore
from tg_settings import TODAY, TOKEN
from processes import BotProcess
from redis_proc import free_port
from test_telegram_e2e import say

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*timedelta")


def test_a_hung_redis_delays_each_chat_by_at_most_one_store_timeout(api, policy_bot, redis_server, run_bot):
    timeout = 0.5
    store = RedisStore(redis_server.url, ttl_seconds=600, timeout=timeout)
    run_bot(PolicyBot(policy_bot.dialog, store, lambda: TODAY))
    assert "请选择您所在的地区" in say(api, 44000, "/region")[0].text
    chats = [44001 + i for i in range(5)]
    os.kill(redis_server.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        for chat in chats:
            api.inject_message(chat, "/region")
        api.wait_for(lambda: all(api.messages_to(c) for c in chats), timeout=15, what="an answer in every chat")
        delays = [api.messages_to(c)[0].at - started for c in chats]
        assert all(api.messages_to(c)[0].text == STORE_DOWN_TEXT for c in chats)
        print(f"\nRedis SIGSTOPped, store timeout {timeout} s: apologies after "
              f"{', '.join(f'{d:.2f}' for d in delays)} s")
        assert max(delays) < timeout + 0.5
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)
    time.sleep(timeout)  # the store's breaker closes again after one timeout
    assert "请选择您所在的地区" in say(api, chats[0], "/region")[0].text


def test_one_chats_flood_wait_delays_no_other_chat(api, make_bot, run_bot):
    run_bot(make_bot())
    api.fail_next_send(1, 429, retry_after=3)
    started = time.monotonic()
    api.inject_message(45001, "/start")
    api.wait_for(lambda: api.failures_served == [429], what="the 429")
    other = time.monotonic()
    [reply] = api.wait_for_messages(45002 if api.inject_message(45002, "/region") else 0, 1, timeout=5)
    assert reply.at - other < 1.0 and "请选择您所在的地区" in reply.text
    [first] = api.wait_for_messages(45001, 1, timeout=10)
    assert first.at - started >= 3.0 and "政策问答助手" in first.text


def test_transient_getme_failures_are_retried(api, make_bot, run_bot):
    api.fail_next_call("getMe", 2, 502)
    run_bot(make_bot(), startup_delay=0.05)
    assert len(api.calls_of("getMe")) == 3
    assert "政策问答助手" in say(api, 46001, "/start")[0].text


REJECTED = "7000000002:AAH-another_T0KEN_that_is_rejected_77"


@pytest.mark.parametrize("case", ["rejected token", "unreachable server"])
def test_start_up_failure_exits_non_zero_without_the_token(case, api, tmp_path):
    if case == "rejected token":
        proc = BotProcess(api, f"sqlite:{tmp_path / 's.sqlite3'}", token=REJECTED)
        token, expected = REJECTED, "拒绝"
    else:
        proc = BotProcess(api, f"sqlite:{tmp_path / 's.sqlite3'}",
                          base_url=f"http://127.0.0.1:{free_port()}/bot", extra=("--startup-attempts", "2"))
        token, expected = TOKEN, "连不上"
    code, output = proc.finish(60)
    assert code == 1, output
    assert expected in output and "机器人没有启动" in output
    assert token not in output and token.split(":")[1] not in output


def test_an_unusable_store_is_refused_at_start(api, tmp_path):
    db = tmp_path / "ro.sqlite3"
    SQLiteStore(db).close()
    code, output = BotProcess(api, f"sqlite:file:{db}?mode=ro").finish(60)
    assert code == 1 and "无法写入" in output and "机器人没有启动" in output, output
    assert api.calls_of("getUpdates") == []


def test_stored_state_keeps_no_phone_or_id_number_and_expired_sessions_are_purged(api, policy_bot, run_bot,
                                                                                   tmp_path):
    db = tmp_path / "privacy.sqlite3"
    store = SQLiteStore(db, ttl_seconds=2)
    run_bot(PolicyBot(policy_bot.dialog, store, lambda: TODAY), purge_interval=0.5)
    chat = 47001
    say(api, chat, "我被公司裁员了，能领失业金吗？我电话138-1234-5678")
    say(api, chat, "乌鲁木齐市")
    say(api, chat, "我身份证650102199001011234，手机+86 139 1234 5678，是")

    def stored() -> tuple[str, int]:
        with sqlite3.connect(db) as con:
            rows = [str(r) for t in ("sessions", "records", "inbox") for r in con.execute(f"SELECT * FROM {t}")]
            return "\n".join(rows), con.execute("SELECT count(*) FROM sessions").fetchone()[0]

    def unanswered() -> int:  # an update's text is kept until its answer is sent, then dropped
        with sqlite3.connect(db) as con:
            return con.execute("SELECT count(*) FROM inbox WHERE payload IS NOT NULL").fetchone()[0]

    api.wait_for(lambda: unanswered() == 0, what="every update marked done")
    text, sessions = stored()
    assert sessions == 1 and "乌鲁木齐" in text
    for secret in ("13812345678", "1234-5678", "650102199001011234", "19900101", "1234 5678"):
        assert secret not in text, secret
    time.sleep(2 + 0.5 + 0.3)  # idle past the TTL, then one purge interval
    assert stored()[1] == 0


def test_photo_caption_is_a_question_and_group_service_messages_get_no_reply(api, make_bot, run_bot):
    run_bot(make_bot())
    photo = api.make_message_update(48001, "")
    message = photo["message"]
    del message["text"]
    message["photo"] = [{"file_id": "p", "file_unique_id": "q", "width": 90, "height": 90}]
    message["caption"] = "我被公司裁员了，能领失业金吗？"
    api.inject_update(photo)
    assert "请问您在哪里参保" in api.wait_for_messages(48001, 1)[0].text

    group = -100_480_002
    joined = api.make_message_update(group, "", chat_type="group")
    del joined["message"]["text"]
    joined["message"]["new_chat_members"] = [{"id": 5, "is_bot": False, "first_name": "新成员"}]
    api.inject_update(joined)
    replies = say(api, group, "/help@policy_test_bot")
    assert len(api.messages_to(group)) == 1 and "使用方法" in replies[0].text


def test_a_token_revoked_while_polling_ends_the_process_with_an_error(api, tmp_path):
    proc = BotProcess(api, f"sqlite:{tmp_path / 's.sqlite3'}")
    try:
        api.inject_message(49001, "/start")
        api.wait_for_messages(49001, 1, timeout=40)
        api.fail_next_call("getUpdates", 1, 401)
        api.inject_message(49001, "/help")  # ends the current long poll; the next one is refused
        code, output = proc.finish(30)
    finally:
        if proc.proc.poll() is None:
            proc.kill()
    assert code == 1 and "拒绝" in output and "已停止" in output, output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


def test_webhook_refuses_bad_requests_with_the_right_status(api, make_bot, run_bot):
    import urllib.error
    import urllib.request

    secret = "s3cret-Token_for-tests"
    runner = run_bot(make_bot(), mode="webhook",
                     webhook=dict(url="https://bot.example.org/hook", secret_token=secret, listen="127.0.0.1", port=0))
    hook = f"http://127.0.0.1:{runner.server.port}/hook"

    def status(body: bytes, method: str = "POST", secret_header: str | None = secret) -> int:
        headers = {"Content-Type": "application/json"}
        if secret_header is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_header
        request = urllib.request.Request(hook, data=body if method == "POST" else None, headers=headers,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert status(b"", method="GET") == 405
    assert status(b"{not json") == 400
    assert status(b"[1, 2]") == 400
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", runner.server.port, timeout=10)
    connection.putrequest("POST", "/hook")  # a 2 MB body announced: refused before it is read
    for name, value in (("Content-Length", str(2 << 20)), ("X-Telegram-Bot-Api-Secret-Token", secret)):
        connection.putheader(name, value)
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()
    assert status(b"{}", secret_header="\u00e9") == 403
    assert api.sent == []  # none of them reached the dialog


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_webhook_routes_mount_in_another_asgi_app(api, make_bot):
    import contextlib

    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from bot.channels import telegram as tg

    app = tg.build_application(make_bot(), TOKEN, base_url=api.base_url, base_file_url=api.base_file_url)

    @contextlib.asynccontextmanager
    async def lifespan(_web):
        async with tg.running(app):
            yield

    web = Starlette(routes=tg.telegram_webhook_routes(app, "/telegram", "sec-ret"), lifespan=lifespan)
    with TestClient(web) as client:
        update = api.make_message_update(51001, "/region")
        response = client.post("/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "sec-ret"})
        assert response.status_code == 200
        assert "请选择您所在的地区" in api.wait_for_messages(51001, 1)[0].text
        assert client.post("/telegram", json=update).status_code == 403
