"""Building, starting and stopping the python-telegram-bot Application (polling or webhook on uvicorn)."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from dataclasses import dataclass
from typing import Awaitable, Callable
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from ...engine import PolicyBot
from ...inbox import open_inbox
from ...stores import StoreError
from .handlers import TelegramChannel
from .processor import ChatOrderedProcessor
from .ratelimit import ChatRateLimiter
from .redaction import Redactor
from .sender import Sender
from .webhook import telegram_webhook_routes

log = logging.getLogger("policybot.telegram")
ALLOWED_UPDATES = ["message", "callback_query"]
TOKEN_REJECTED = ("Telegram 拒绝了机器人令牌（401 Unauthorized）：请检查环境变量 TELEGRAM_BOT_TOKEN 是否是 "
                  "@BotFather 给出的完整令牌。机器人没有启动。")


class StartupError(Exception):
    """Why the bot cannot start, in words fit for the operator's terminal (never a secret)."""


@dataclass
class WebhookServer:
    server: uvicorn.Server
    task: asyncio.Task
    port: int
    path: str

    async def close(self) -> None:
        self.server.should_exit = True
        await self.task


def build_application(bot: PolicyBot, token: str, base_url: str | None = None, *, base_file_url: str | None = None,
                      rate_limit: int = 20, rate_window: float = 10.0, send_retries: int = 4,
                      retry_delay: float = 1.0, flood_retries: int = 3, overall_max_rate: float = 30,
                      typing_after: float = 1.0, purge_interval: float = 60.0, lock_ttl: float = 30.0,
                      startup_attempts: int = 5, startup_delay: float = 0.5,
                      secrets: tuple[str, ...] = ()) -> Application:
    """A python-telegram-bot Application wired to `bot`; nothing is contacted until it is started.

    The session store and the inbox beside it are checked here (a real write): an unusable store is refused
    before the bot answers anyone. base_url is a Bot API server such as "http://127.0.0.1:8081/bot"."""
    if not token:
        raise ValueError("a Telegram bot token is required")
    redactor = Redactor(token, *secrets).install()
    try:
        bot.store.check()
        inbox = open_inbox(bot.store, lock_ttl=lock_ttl)
        inbox.check()
    except StoreError as exc:
        raise StartupError(f"会话存储不能用，机器人没有启动：{exc}") from None
    _warn_if_volatile(bot)
    channel = TelegramChannel(bot, inbox, rate_limit=rate_limit, rate_window=rate_window, typing_after=typing_after,
                              purge_interval=purge_interval)
    builder = (ApplicationBuilder().token(token).update_queue(channel.queue)
               .rate_limiter(ChatRateLimiter(overall_max_rate))
               .concurrent_updates(ChatOrderedProcessor())
               .connect_timeout(10).read_timeout(15).write_timeout(15).pool_timeout(10)
               .get_updates_connect_timeout(10).get_updates_pool_timeout(10)
               .post_init(channel.post_init).post_stop(channel.post_stop).post_shutdown(channel.post_shutdown))
    if base_url:
        base_url = base_url.rstrip("/")
        base_url += "" if base_url.endswith("/bot") else "/bot"
        builder = builder.base_url(base_url).base_file_url(base_file_url or base_url[:-4] + "/file/bot")
    elif base_file_url:
        builder = builder.base_file_url(base_file_url)
    app = builder.build()
    channel.app, channel.redactor = app, redactor
    channel.startup = (startup_attempts, startup_delay)
    channel.sender = Sender(app.bot, retries=send_retries, retry_delay=retry_delay, flood_retries=flood_retries)
    app.bot_data["policybot"] = channel
    app.add_handler(TypeHandler(Update, channel.on_update))
    app.add_error_handler(channel.on_error)
    return app


def _warn_if_volatile(bot: PolicyBot) -> None:
    persistence = getattr(bot.store, "persistence", None)
    try:
        if persistence is not None and not persistence():
            log.warning("Redis 没有开启持久化（save / appendonly）：Redis 重启会丢掉所有对话和未处理的消息")
    except StoreError:
        pass


def channel_of(app: Application) -> TelegramChannel:
    return app.bot_data["policybot"]


async def initialize(app: Application) -> None:
    """getMe with back-off for transient faults; a rejected token is fatal. Errors never carry the token."""
    redactor = channel_of(app).redactor
    attempts, delay = channel_of(app).startup
    for attempt in range(1, attempts + 1):
        try:
            await app.initialize()
            break
        except InvalidToken:
            raise StartupError(TOKEN_REJECTED) from None
        except NetworkError as exc:
            reason = redactor.redact(f"{type(exc).__name__}: {exc}")
            if attempt == attempts:
                raise StartupError(f"连不上 Telegram Bot API（试了 {attempts} 次）：{reason}。机器人没有启动。") from None
            log.warning("getMe failed (%s); retry %d of %d in %.1f s", reason, attempt, attempts - 1, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
    if app.post_init:
        await app.post_init(app)


async def start_dispatching(app: Application) -> None:
    """For an ASGI app that mounts `telegram_webhook_routes` (an on-startup hook; `stop` is the on-shutdown
    one): initialize with retries, queue what a crash left pending, dispatch. Setting the webhook URL with
    `app.bot.set_webhook(url, secret_token=…)` is the caller's."""
    await initialize(app)
    await app.start()


@contextlib.asynccontextmanager
async def running(app: Application):
    """`start_dispatching` … `stop` as a context manager (a Starlette lifespan)."""
    await start_dispatching(app)
    try:
        yield app
    finally:
        await stop(app)


async def start_polling(app: Application, *, poll_timeout: float = 30, drop_pending_updates: bool = False) -> None:
    """Initialize, queue what a crash left pending, start long polling and the dispatcher."""
    await initialize(app)
    await app.updater.start_polling(timeout=dt.timedelta(seconds=poll_timeout), allowed_updates=ALLOWED_UPDATES,
                                    drop_pending_updates=drop_pending_updates, bootstrap_retries=3)
    await app.start()


async def start_webhook(app: Application, url: str, *, secret_token: str, listen: str = "0.0.0.0", port: int = 8443,
                        url_path: str | None = None, drop_pending_updates: bool = False) -> WebhookServer:
    """Serve the webhook routes with uvicorn on listen:port, tell Telegram to POST to `url`, dispatch.

    The local path defaults to the path of `url` (a reverse proxy terminating TLS forwards to it)."""
    channel = channel_of(app)
    channel.redactor.secrets += (secret_token,)
    await initialize(app)
    path = url_path or urlsplit(url).path or "/"
    web = Starlette(routes=telegram_webhook_routes(app, path, secret_token))
    server = uvicorn.Server(uvicorn.Config(web, host=listen, port=port, log_level="warning", lifespan="off"))
    server.capture_signals = contextlib.nullcontext  # the stop signals are ours (see _serve_until_signal)
    task = asyncio.get_running_loop().create_task(server.serve())
    while not server.started:
        if task.done():
            raise StartupError(f"webhook 无法监听 {listen}:{port}（端口被占用或没有权限）。机器人没有启动。")
        await asyncio.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    handle = WebhookServer(server, task, bound, path)
    channel.webhook_server = handle
    await app.bot.set_webhook(url=url, secret_token=secret_token, allowed_updates=ALLOWED_UPDATES,
                              drop_pending_updates=drop_pending_updates)
    await app.start()
    log.info("webhook listening on %s:%s%s", listen, bound, path)
    return handle


async def stop(app: Application) -> None:
    """Stop receiving, answer what was already received, then release everything."""
    channel = channel_of(app)
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    server = getattr(channel, "webhook_server", None)
    if server is not None:
        await server.close()
        channel.webhook_server = None
    if app.running:
        await app.stop()
        if app.post_stop:
            await app.post_stop(app)
    if app._initialized:  # noqa: SLF001 — a start-up that failed before initialize has nothing to shut down
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
    channel.redactor.uninstall()


def _polling_failure(app: Application) -> BaseException | None:
    """The exception that ended python-telegram-bot's polling loop (a 401 later in life ends it for good
    while the process would stay up and a supervisor would never notice)."""
    task = getattr(app.updater, "_Updater__polling_task", None)  # no public accessor in python-telegram-bot
    if task is None or not task.done() or task.cancelled():
        return None
    return task.exception()


async def _serve_until_signal(app: Application, start: Callable[[], Awaitable[object]]) -> int:
    """Run until SIGINT/SIGTERM (exit code 0) or until polling dies of a rejected token (exit code 1)."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread, or Windows
            loop.add_signal_handler(sig, stopping.set)
    try:
        await start()
        log.info("Telegram bot running; Ctrl+C stops it")
        while not stopping.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=1.0)
            if isinstance(_polling_failure(app), InvalidToken):
                raise StartupError(TOKEN_REJECTED.replace("机器人没有启动", "机器人已停止"))
        return 0
    finally:
        log.info("Telegram bot stopping")
        await stop(app)


def run_polling(app: Application, *, poll_timeout: float = 30) -> int:
    """Blocking: long-poll until SIGINT/SIGTERM."""
    return asyncio.run(_serve_until_signal(app, lambda: start_polling(app, poll_timeout=poll_timeout)))


def run_webhook(app: Application, url: str, *, secret_token: str, listen: str = "0.0.0.0", port: int = 8443,
                url_path: str | None = None) -> int:
    """Blocking: serve the webhook until SIGINT/SIGTERM."""
    return asyncio.run(_serve_until_signal(app, lambda: start_webhook(app, url, secret_token=secret_token,
                                                                      listen=listen, port=port, url_path=url_path)))
