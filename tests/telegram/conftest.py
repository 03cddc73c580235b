"""Fixtures: a fake Bot API server per test, the PolicyBot loaded once per module, and a runner that drives
the real python-telegram-bot Application on its own event loop in a background thread."""
from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

import pytest

from bot import PolicyBot
from bot.channels import telegram as tg
from bot.stores import SQLiteStore

sys.path.insert(0, str(Path(__file__).parent))
from fake_bot_api import FakeBotAPI  # noqa: E402
from tg_settings import TODAY, TOKEN  # noqa: E402


class RunningBot:
    """Starts an Application (polling or webhook) on a private event loop; `stop()` shuts it down cleanly."""

    def __init__(self, app, mode: str = "polling", **webhook):
        self.app = app
        self.mode = mode
        self.webhook = webhook
        self.loop: asyncio.AbstractEventLoop | None = None
        self.server: tg.WebhookServer | None = None
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name=f"ptb-{mode}", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 — reported to the test thread
            self.error = self.error or exc
            self._ready.set()

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            if self.mode == "polling":
                await tg.start_polling(self.app, poll_timeout=2)
            else:
                self.server = await tg.start_webhook(self.app, **self.webhook)
        except BaseException as exc:
            self.error = exc
            self._ready.set()
            await tg.stop(self.app)
            raise
        self._ready.set()
        await self._stop.wait()
        await tg.stop(self.app)

    def start(self, timeout: float = 15) -> "RunningBot":
        self._thread.start()
        assert self._ready.wait(timeout), "the Telegram application did not start in time"
        if self.error:
            raise self.error
        return self

    def call(self, coro, timeout: float = 15):
        """Run a coroutine on the application's loop and return its result."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self, timeout: float = 20) -> None:
        if self.loop is not None and self._stop is not None and self._thread.is_alive():
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the Telegram application did not stop in time"
        if self.error:
            raise self.error


@pytest.fixture(scope="module")
def policy_bot() -> PolicyBot:
    """Loaded once per module (about a second); tests get their own store through `make_bot`."""
    return PolicyBot.load(today=TODAY)


@pytest.fixture
def make_bot(policy_bot, tmp_path):
    """PolicyBot sharing the loaded knowledge base, on a SQLite file of this test (same path = same data)."""
    stores = []

    def make(path: Path | None = None) -> PolicyBot:
        store = SQLiteStore(path or tmp_path / "telegram.sqlite3")
        stores.append(store)
        return PolicyBot(policy_bot.dialog, store, lambda: TODAY)

    yield make
    for store in stores:
        store.close()


@pytest.fixture
def api():
    server = FakeBotAPI(TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def run_bot(api):
    """run_bot(bot, **build_kwargs) -> a started RunningBot in polling mode; stopped after the test."""
    runners: list[RunningBot] = []

    def run(bot: PolicyBot, mode: str = "polling", webhook: dict | None = None, **kwargs) -> RunningBot:
        kwargs.setdefault("retry_delay", 0.05)
        app = tg.build_application(bot, TOKEN, base_url=api.base_url, base_file_url=api.base_file_url, **kwargs)
        runner = RunningBot(app, mode, **(webhook or {})).start()
        runners.append(runner)
        return runner

    yield run
    for runner in runners:
        if runner._thread.is_alive():
            runner.stop()


@pytest.fixture
def redis_server(tmp_path):
    from redis_proc import RedisProcess

    server = RedisProcess(tmp_path)
    yield server
    server.stop()
