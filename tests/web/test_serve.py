"""`policybot serve` as an operator starts it: a child process on a loopback port."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from web_helpers import free_port


def test_policybot_serve_answers_and_keeps_the_console_off_without_a_password(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "POLICYBOT_STAFF_PASSWORD"}
    store = f"sqlite:{tmp_path / 'web.sqlite3'}"
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--store", store,
                               "--today", "2026-11-22"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx.get(url + "/")
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "policybot serve did not answer within 60 s"
                time.sleep(0.2)
        assert page.status_code == 200 and "政策问答助手" in page.text
        assert httpx.get(url + "/staff/").status_code == 404
        reply = httpx.post(url + "/api/message", json={"session": "serve-test-1", "text": "今天天气怎么样"})
        assert reply.status_code == 200 and reply.json()["state"] == "fallback"
    finally:
        server.terminate()
        _, err = server.communicate(timeout=20)
    assert "员工控制台未开启" in err.decode()
    report = subprocess.run([sys.executable, "-m", "bot.cli", "report", "unanswered", "--store", store],
                            capture_output=True, text=True, timeout=60)
    assert report.returncode == 0 and "今天天气怎么样" in report.stdout
