"""`policybot serve --telegram-webhook URL`: one uvicorn serves the web chat and Telegram's webhook,
against the loopback fake Bot API (tests/telegram/fake_bot_api.py)."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from web_helpers import ROOT, free_port

sys.path.insert(0, str(ROOT / "tests" / "telegram"))
from fake_bot_api import FakeBotAPI  # noqa: E402

TOKEN = "7000000002:AAH-fake_T0KEN_for_web_tests_1a2b3c4d"
SECRET = "web-s3cret_for-tests"


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url + "/")
            return
        except httpx.TransportError:
            assert server.poll() is None, server.communicate()[1].decode()
            assert time.monotonic() < deadline, "policybot serve did not answer within 60 s"
            time.sleep(0.2)


def test_one_server_answers_the_web_chat_and_the_telegram_webhook(tmp_path):
    api = FakeBotAPI(TOKEN).start()
    port = free_port()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
           "TELEGRAM_API_BASE_URL": api.base_url}
    env.pop("POLICYBOT_STAFF_PASSWORD", None)
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--today", "2026-11-22",
                               "--store", f"sqlite:{tmp_path / 'web.sqlite3'}",
                               "--telegram-webhook", "https://bot.example.org/tg/hook"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server)
        api.wait_for(lambda: api.webhook.get("url") == "https://bot.example.org/tg/hook", what="setWebhook")
        assert api.webhook["secret_token"] == SECRET
        hook = url + "/tg/hook"
        update = api.make_message_update(6006, "/region")
        assert httpx.post(hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}).status_code == 403
        assert httpx.post(hook, json=update).status_code == 403
        assert httpx.post(hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}).status_code == 200
        [reply] = api.wait_for_messages(6006, 1)
        assert "请选择您所在的地区" in reply.text
        web = httpx.post(url + "/api/message", json={"session": "web-and-telegram", "text": "失业金怎么领"})
        assert web.status_code == 200 and web.json()["intent"] == "unemployment_benefit"
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
        api.stop()
    assert TOKEN not in err.decode() and TOKEN.split(":")[1] not in err.decode()
