"""End to end: the real python-telegram-bot Application, pointed at a fake Bot API server, talking to the real
PolicyBot (knowledge base and dialog as shipped, today = 2026-11-22)."""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.channels import telegram as tg
from tg_settings import TOKEN

# raised inside python-telegram-bot's own RetryAfter constructor when a 429 is parsed; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*timedelta")

DIALOG = [  # (what the user sends, something the reply must contain)
    ("我被公司裁员了，能领失业金吗？", "请问您在哪里参保"),
    ("乌鲁木齐市", "条件（需同时满足）"),
    ("核对申领条件", "（1/2）"),
    ("是", "（2/2）"),
    ("已办理", "1530元/月"),
    ("天山区", "0991-"),
]


def press(api, chat_id: int, label: str, count_before: int, update: dict | None = None):
    """Press the button `label` on the last message of the chat (fails if there is no such button)."""
    last = api.messages_to(chat_id)[-1]
    assert label in last.buttons, f"no button {label!r} on the last message; buttons: {last.buttons}"
    api.inject_update(update or api.make_message_update(chat_id, label))
    return api.wait_for_messages(chat_id, count_before + 1)[-1]


def say(api, chat_id: int, text: str, user_id: int | None = None, expect: int = 1):
    before = len(api.messages_to(chat_id))
    api.inject_message(chat_id, text, user_id)
    return api.wait_for_messages(chat_id, before + expect)[before:]


# ---------------------------------------------------------------- commands, buttons, the whole dialog

def test_start_sets_commands_and_shows_region_buttons(api, make_bot, run_bot):
    run_bot(make_bot())
    assert [c["command"] for c in api.commands] == ["start", "help", "reset", "topics", "region"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c["description"]) for c in api.commands)

    [reply] = say(api, 501, "/start")
    assert "政策问答助手" in reply.text and reply.parse_mode == "HTML"
    assert reply.buttons[:2] == ["乌鲁木齐市", "新疆其他地州"]
    assert reply.reply_markup["one_time_keyboard"] and reply.reply_markup["resize_keyboard"]
    # a quick answer goes out without a typing action first (one API call per answer, not two)
    assert api.calls_of("sendChatAction") == []

    [reply] = say(api, 501, "/help@policy_test_bot")  # the group-chat form of a command
    assert "使用方法" in reply.text
    [reply] = say(api, 501, "/topics")
    assert "失业保险金申领" in reply.buttons
    [reply] = say(api, 501, "/region")
    assert "乌鲁木齐市" in reply.buttons
    [reply] = say(api, 501, "/reset")
    assert "重新开始" in reply.text

    sticker = api.make_message_update(501, "")
    del sticker["message"]["text"]
    sticker["message"]["sticker"] = {"file_id": "x", "file_unique_id": "y", "width": 512, "height": 512,
                                     "is_animated": False, "is_video": False, "type": "regular"}
    api.inject_update(sticker)
    assert api.wait_for_messages(501, 6)[-1].text == tg.NOT_TEXT_TEXT


def test_typing_action_only_when_the_answer_is_slow(api, make_bot, run_bot):
    run_bot(make_bot(), typing_after=0.0)  # every answer counts as slow
    [reply] = say(api, 502, "/start")
    actions = api.calls_of("sendChatAction")
    assert actions and actions[0]["chat_id"] == 502 and actions[0]["action"] == "typing"
    assert "政策问答助手" in reply.text


def test_eligibility_dialog_by_pressing_buttons(api, make_bot, run_bot):
    run_bot(make_bot())
    chat = 1001
    [reply] = say(api, chat, DIALOG[0][0])
    assert DIALOG[0][1] in reply.text
    for n, (label, expected) in enumerate(DIALOG[1:], start=1):
        reply = press(api, chat, label, n)
        assert expected in reply.text, reply.text
    assert "天山区社保分中心" in reply.text and "0991-2337209" in reply.text
    assert len(api.messages_to(chat)) == len(DIALOG)


def test_dialog_continues_after_restart(api, make_bot, run_bot, tmp_path):
    db = tmp_path / "restart.sqlite3"
    first = run_bot(make_bot(db))
    chat = 2002
    say(api, chat, DIALOG[0][0])
    press(api, chat, "乌鲁木齐市", 1)
    press(api, chat, "核对申领条件", 2)
    yes = api.make_message_update(chat, "是")
    reply = press(api, chat, "是", 3, update=yes)
    assert "（2/2）" in reply.text
    first.stop()  # mid-check: the next question is (2/2)

    run_bot(make_bot(db))  # a new process: a new store object on the same file, a new Application
    api.inject_update(yes)  # Telegram delivers the already answered "是" again: not answered twice
    reply = press(api, chat, "已办理", 4)
    assert "1530元/月" in reply.text
    reply = press(api, chat, "天山区", 5)
    assert "0991-2337209" in reply.text
    assert len(api.messages_to(chat)) == 6


# ---------------------------------------------------------------- load: 20 users × 5 messages at once

def test_twenty_users_five_messages_each_at_once(api, make_bot, run_bot):
    run_bot(make_bot())
    chats = [3000 + i for i in range(20)]
    started = time.monotonic()
    for text, _ in DIALOG:  # interleaved: every user's first message, then every user's second, …
        for chat in chats:
            api.inject_message(chat, text)
    total = 20 * len(DIALOG)
    api.wait_for(lambda: len(api.sent) >= total, timeout=30, what=f"{total} answers")
    elapsed = time.monotonic() - started
    for chat in chats:
        replies = api.messages_to(chat)
        assert len(replies) == len(DIALOG), (chat, [r.text[:30] for r in replies])
        for reply, (_, expected) in zip(replies, DIALOG):
            assert expected in reply.text, (chat, expected, reply.text[:80])
    assert len(api.sent) == total
    print(f"\n{total} messages from 20 users answered in {elapsed:.2f} s")
    assert elapsed < 20


# ---------------------------------------------------------------- webhook

def _post(url: str, update: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(update).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_webhook_requires_the_secret_token(api, make_bot, run_bot):
    secret = "s3cret-Token_for-tests"
    runner = run_bot(make_bot(), mode="webhook",
                     webhook=dict(url="https://bot.example.org/tg/hook", secret_token=secret, listen="127.0.0.1",
                                  port=0))
    assert api.webhook["url"] == "https://bot.example.org/tg/hook" and api.webhook["secret_token"] == secret
    hook = f"http://127.0.0.1:{runner.server.port}/tg/hook"
    chat = 4004

    assert _post(hook, api.make_message_update(chat, "/start"), "wrong-secret") == 403
    assert _post(hook, api.make_message_update(chat, "/start"), None) == 403
    assert _post(f"http://127.0.0.1:{runner.server.port}/other", api.make_message_update(chat, "/start"),
                 secret) == 404
    assert _post(hook, api.make_message_update(chat, "/region"), secret) == 200
    [reply] = api.wait_for_messages(chat, 1)
    assert "请选择您所在的地区" in reply.text
    # the same chat's updates are handled in order, so had a rejected one been queued it would be answered first
    assert _post(hook, api.make_message_update(chat, "乌鲁木齐市"), secret) == 200
    replies = api.wait_for_messages(chat, 2)
    assert len(replies) == 2 and "乌鲁木齐市" in replies[1].text


# ---------------------------------------------------------------- faults: 500 and 429 on sendMessage

def test_transient_errors_are_retried_without_duplicates(api, make_bot, run_bot):
    run_bot(make_bot())
    chat = 5005
    api.fail_next_send(2, 500)
    [reply] = say(api, chat, "/start")
    assert "政策问答助手" in reply.text
    assert api.failures_served == [500, 500]

    api.fail_next_send(1, 429, retry_after=1)
    started = time.monotonic()
    [reply] = say(api, chat, "/region")
    assert time.monotonic() - started >= 1.0  # waited for retry_after
    assert "请选择您所在的地区" in reply.text
    assert api.failures_served == [500, 500, 429]

    api.fail_next_send(1, 500)
    api.fail_next_send(1, 429, retry_after=1)
    [reply] = say(api, chat, "乌鲁木齐市")
    assert "乌鲁木齐市" in reply.text
    # let any stray retry surface before counting
    say(api, chat, "/help")
    texts = [m.text for m in api.messages_to(chat)]
    assert len(texts) == 4 and len(set(texts)) == 4, texts
    attempts = len(api.calls_of("sendMessage"))
    print(f"\nsendMessage attempts: {attempts} for 4 answers; failures served: {api.failures_served}")
    assert attempts == 4 + 5


def test_persistent_failure_is_logged_masked_and_user_told(api, make_bot, run_bot, caplog):
    caplog.set_level(logging.WARNING)
    run_bot(make_bot(), send_retries=2)
    chat = 5006
    api.fail_next_send(3, 500)  # the answer fails three times: it is given up, the user gets an apology
    [reply] = say(api, chat, "我的手机号13812345678，身份证110101199003071234")
    assert reply.text == tg.ERROR_TEXT
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name == "policybot.telegram"]
    assert errors and "138****5678" in errors[0].getMessage()
    log_text = caplog.text
    assert "13812345678" not in log_text and "110101199003071234" not in log_text
    assert TOKEN not in log_text

    # mid-check, an answer the user never saw is rolled back: sending the same button again works
    say(api, chat, DIALOG[0][0])
    press(api, chat, "乌鲁木齐市", 2)
    press(api, chat, "核对申领条件", 3)
    api.fail_next_send(3, 500)
    assert press(api, chat, "是", 4).text == tg.ERROR_TEXT
    assert "（2/2）" in say(api, chat, "是")[0].text


# ---------------------------------------------------------------- long answers

def test_split_message_on_line_boundaries():
    lines = [f"第{i}行：" + "政" * 90 for i in range(64)]  # ≈ 6,000 characters
    text = "\n".join(lines)
    assert 5900 < len(text) < 6200
    parts = tg.split_message(text)
    assert len(parts) == 2
    assert all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text  # nothing lost, cut only where a line ends
    assert tg.split_message("短消息") == ["短消息"]
    assert tg.split_message("a" * 5000) == ["a" * 4096, "a" * 904]  # one overlong line is cut inside
    assert tg.split_message("😀" * 3000) == ["😀" * 2048, "😀" * 952]  # counted in UTF-16 units like Telegram
    assert tg.split_message("\n\n  \n") == []


def test_long_answer_is_sent_in_two_parts_with_keyboard_last(api, make_bot, run_bot):
    runner = run_bot(make_bot())
    channel = tg.channel_of(runner.app)
    text = "\n".join(f"第{i}条 <条件> & “说明”：" + "政策" * 44 for i in range(60))
    assert len(text) > 6000
    sent = runner.call(channel.sender.send_text(6006, text, ["是", "否"]))
    assert len(sent) == 2
    first, second = api.wait_for_messages(6006, 2)
    assert first.reply_markup is None and second.buttons == ["是", "否"]
    assert "&lt;条件&gt; &amp;" in first.raw  # escaped for HTML mode, shown as typed
    assert first.text + "\n" + second.text == text
    assert tg.keyboard_for([]).to_dict() == {"remove_keyboard": True}


# ---------------------------------------------------------------- at most once, rate limit

def test_same_update_delivered_twice_is_answered_once(api, make_bot, run_bot):
    run_bot(make_bot())
    chat = 7007
    update = api.make_message_update(chat, "/start")
    api.inject_update(update)
    api.inject_update(update)  # the same update_id twice in one batch
    api.wait_for_messages(chat, 1)
    api.inject_update(update)  # and once more, later
    say(api, chat, "/region")
    texts = [m.text for m in api.messages_to(chat)]
    assert len(texts) == 2 and "请选择您所在的地区" in texts[1]


def test_rate_limit_one_notice_then_silence(api, make_bot, run_bot):
    run_bot(make_bot())
    chat = 8008
    for i in range(25):
        api.inject_message(chat, "你好")
    api.wait_for_messages(chat, 21)
    other = say(api, 8009, "/region")  # another user is not affected
    assert "请选择您所在的地区" in other[0].text
    replies = api.messages_to(chat)
    assert len(replies) == 21
    assert [r.text for r in replies].count(tg.RATE_LIMIT_TEXT) == 1 and replies[-1].text == tg.RATE_LIMIT_TEXT


def test_rate_limiter_window_frees():
    limiter = tg.UserRateLimiter(limit=20, window=10)
    assert [limiter.check(1, 0.1 * i) for i in range(20)] == [tg.OK] * 20
    assert limiter.check(1, 2.0) == tg.NOTICE
    assert limiter.check(1, 3.0) == tg.DROP
    assert limiter.check(2, 3.0) == tg.OK
    assert limiter.check(1, 10.05) == tg.OK  # the first message left the window
    assert limiter.check(1, 10.06) == tg.NOTICE  # full again: one new notice


# ---------------------------------------------------------------- secrets never logged

def test_token_never_appears_in_logs(api, make_bot, run_bot):
    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Capture(level=logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_root = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        runner = run_bot(make_bot())
        httpx_logger = logging.getLogger("httpx")
        assert httpx_logger.level == logging.WARNING  # set by the adapter
        httpx_logger.setLevel(logging.DEBUG)  # a careless operator turns it back on: still redacted
        try:
            api.fail_next_send(1, 500)
            say(api, 9009, "/start")
            say(api, 9009, "我的电话13812345678")
        finally:
            httpx_logger.setLevel(logging.WARNING)
        runner.stop()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_root)
    text = "\n".join(records)
    assert "HTTP Request" in text and "[REDACTED]" in text  # the URL lines were there, masked
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    assert "13812345678" not in text


# ---------------------------------------------------------------- the `policybot telegram` command

def test_cli_refuses_to_start_without_token(monkeypatch, capsys):
    from bot import cli

    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert cli.main(["telegram"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    assert cli.main(["telegram", "--webhook", "https://bot.example.org/hook"]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_WEBHOOK_SECRET" in err and TOKEN not in err


def test_cli_runs_polling_and_stops_on_sigterm(api, tmp_path):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "telegram", "--today", "2026-11-22",
                             "--store", f"sqlite:{tmp_path / 'cli.sqlite3'}"],
                            cwd=Path(__file__).resolve().parents[2], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        api.inject_message(10010, "/start")
        [reply] = api.wait_for_messages(10010, 1, timeout=30)
        assert "政策问答助手" in reply.text
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=5)
    assert proc.returncode == 0, err
    assert "长轮询" in err and TOKEN not in out + err and TOKEN.split(":")[1] not in out + err
