"""Fixtures: the web app on a real uvicorn server on a loopback port, driven with httpx or Chromium."""
from __future__ import annotations

import importlib.util
import threading
import time
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from bot import PolicyBot
from bot.channels.web import WebConfig, create_app, staff_clock
from bot.stores import MemoryStore
from bot.stores.unanswered import MemoryUnanswered
from web_helpers import PASSWORD, ROOT, TODAY, free_port


def _stores_fixtures():
    """tests/stores/conftest.py's real Redis server fixture, shared rather than copied."""
    spec = importlib.util.spec_from_file_location("stores_conftest", ROOT / "tests" / "stores" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


redis_url = _stores_fixtures().redis_url


@dataclass
class Live:
    url: str
    unanswered: MemoryUnanswered
    bot: PolicyBot
    app: object


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # runs in a thread: leave signals to pytest
        pass


@pytest.fixture
def live(loaded_bot, tmp_path):
    """live(**WebConfig fields) → a running server; stopped after the test."""
    servers: list[tuple[_Server, threading.Thread]] = []

    def start(**config) -> Live:
        bot = PolicyBot(loaded_bot.dialog, MemoryStore(), staff_clock(TODAY))
        unanswered = MemoryUnanswered()
        config.setdefault("staff_password", PASSWORD)
        app = create_app(bot, unanswered, WebConfig(**config))
        port = free_port()
        server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                pytest.fail("uvicorn did not start within 10 s")
            time.sleep(0.02)
        servers.append((server, thread))
        return Live(f"http://127.0.0.1:{port}", unanswered, bot, app)

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def client():
    with httpx.Client(timeout=30) as c:
        yield c
