"""Telegram channel: a thin adapter between the Bot API (python-telegram-bot) and `PolicyBot.handle`.

Everything the user sees comes from the engine; this module only moves text in and out:

* a message's text (a typed question and a pressed reply-keyboard button are the same thing) goes to
  `bot.handle(f"telegram:{chat_id}", text)`; the reply's text is sent HTML-escaped, split at 4,096
  characters on line boundaries, and its options become a one-time reply keyboard on the last part;
* updates are dispatched in arrival order, each chat's updates are handled one after another, different
  chats concurrently (a chain of tasks per chat);
* an update is answered at most once (`store.claim("tg-update:<id>")`, shared across processes via
  Redis), a user may send at most 20 messages per 10 s (one notice, then silence until the window frees),
  outbound flood control is python-telegram-bot's AIORateLimiter (which retries 429 RetryAfter) and
  5xx/network errors on sends are retried with a bounded backoff;
* the bot token and the webhook secret never reach a log record, and user text is logged only masked.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import html
import json
import logging
import signal
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from telegram import (BotCommand, KeyboardButton, LinkPreviewOptions, Message, ReplyKeyboardMarkup,
                      ReplyKeyboardRemove, Update)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from ..engine import PolicyBot
from ..privacy import mask
from ..stores import SessionStore, StoreError

log = logging.getLogger("policybot.telegram")

MAX_MESSAGE_CHARS = 4096           # Bot API limit, counted in UTF-16 code units after entity parsing
SESSION_PREFIX = "telegram:"
UPDATE_CLAIM_PREFIX = "tg-update:"
UPDATE_CLAIM_TTL = 24 * 3600       # Telegram keeps undelivered updates for 24 hours
ALLOWED_UPDATES = ["message", "callback_query"]

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "开始使用，选择所在地区"),
    ("help", "使用说明"),
    ("reset", "重新开始对话"),
    ("topics", "我能回答哪些政策话题"),
    ("region", "更改所在地区"),
)
RATE_LIMIT_TEXT = "您发消息有点快，请稍等几秒钟再发。这段时间里多发的消息我先不处理。"
ERROR_TEXT = "抱歉，处理您的消息时出了点问题，请稍后再发一次。"
NOT_TEXT_TEXT = "我目前只能看懂文字消息，请用文字提问，或发送 /help 查看使用方法。"
KEYBOARD_PLACEHOLDER = "点按钮选择，或直接输入问题"
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


# ---------------------------------------------------------------- logging: no token, no transcript

_SECRETS: set[str] = set()
_REDACTED = "[REDACTED]"


def _redact(text: str) -> str:
    for secret in _SECRETS:
        text = text.replace(secret, _REDACTED)
    return text


class RedactSecretsFilter(logging.Filter):
    """Replaces the bot token and the webhook secret in a record's message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _SECRETS:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's problem, not ours
            message = str(record.msg)
        if any(secret in message for secret in _SECRETS):
            record.msg, record.args = _redact(message), ()
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            if any(secret in text for secret in _SECRETS):
                record.exc_text = _redact(text)
        if record.stack_info and any(secret in record.stack_info for secret in _SECRETS):
            record.stack_info = _redact(record.stack_info)
        return True


_FILTER = RedactSecretsFilter()
_factory_installed = False


def install_log_redaction(*secrets: str | None) -> None:
    """Keep secrets out of every log record, whatever handlers exist now or are added later.

    The filter runs in the log-record factory (so it covers records of every logger, including httpx's
    "HTTP Request: POST https://…/bot<TOKEN>/…" lines and handlers added after start-up) and is also put
    on the root logger's current handlers. httpx is held at WARNING and python-telegram-bot at INFO: their
    DEBUG records carry request URLs and whole message texts (a transcript)."""
    global _factory_installed
    _SECRETS.update(s for s in secrets if s)
    if not _factory_installed:
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            record = previous(*args, **kwargs)
            _FILTER.filter(record)
            return record

        logging.setLogRecordFactory(factory)
        _factory_installed = True
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    tg_logger = logging.getLogger("telegram")
    if tg_logger.level < logging.INFO:
        tg_logger.setLevel(logging.INFO)


# ---------------------------------------------------------------- formatting

def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _hard_split(line: str, limit: int) -> list[str]:
    parts, current, size = [], [], 0
    for ch in line:
        n = 2 if ord(ch) > 0xFFFF else 1
        if size + n > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += n
    if current:
        parts.append("".join(current))
    return parts


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split plain text into parts of at most `limit` UTF-16 units, on line boundaries when possible.

    The line break at a split point is dropped; a single line longer than the limit is cut inside.
    Parts that would be blank (Telegram refuses empty messages) are left out."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        n = _utf16_len(line)
        if n > limit:
            if current:
                parts.append("\n".join(current))
                current, size = [], 0
            pieces = _hard_split(line, limit)
            parts.extend(pieces[:-1])
            current, size = [pieces[-1]], _utf16_len(pieces[-1])
            continue
        extra = n + (1 if current else 0)
        if current and size + extra > limit:
            parts.append("\n".join(current))
            current, size = [line], n
        else:
            current.append(line)
            size += extra
    if current:
        parts.append("\n".join(current))
    return [p for p in parts if p.strip()]


def keyboard_for(options: Sequence[str]) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """The reply's options as a one-time reply keyboard; no options removes the previous keyboard."""
    if not options:
        return ReplyKeyboardRemove()
    longest = max(len(o) for o in options)
    per_row = 3 if longest <= 4 else 2 if longest <= 9 else 1
    rows = [[KeyboardButton(o) for o in options[i:i + per_row]] for i in range(0, len(options), per_row)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True,
                               input_field_placeholder=KEYBOARD_PLACEHOLDER)


_COMMAND_TEXTS = {"/" + name for name, _ in COMMANDS}


def engine_text(text: str) -> str:
    """What the engine gets: the text unchanged, except that '/start@MyBot' and a deep-link '/start xyz'
    become plain '/start' (the engine knows the bare commands)."""
    stripped = text.strip()
    if stripped.startswith("/"):
        head = stripped.split(maxsplit=1)[0]
        command = head.split("@", 1)[0].lower()
        if command in _COMMAND_TEXTS:
            return command
    return text


# ---------------------------------------------------------------- per-user rate limit

OK, NOTICE, DROP = "ok", "notice", "drop"
_UNKNOWN = object()


class UserRateLimiter:
    """At most `limit` messages per `window` seconds per user; the first message over says so once."""

    def __init__(self, limit: int = 20, window: float = 10.0):
        self.limit = limit
        self.window = window
        self._hits: dict[int, deque[float]] = {}
        self._noticed: set[int] = set()

    def check(self, user_id: int, now: float) -> str:
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            self._noticed.discard(user_id)
            self._prune(now)
            return OK
        if user_id in self._noticed:
            return DROP
        self._noticed.add(user_id)
        return NOTICE

    def _prune(self, now: float) -> None:
        if len(self._hits) > 10_000:
            for uid in [u for u, h in self._hits.items() if not h or h[-1] <= now - self.window]:
                self._hits.pop(uid, None)
                self._noticed.discard(uid)


# ---------------------------------------------------------------- the channel

class TelegramChannel:
    """State of one running Telegram adapter; kept in `application.bot_data["policybot"]`."""

    def __init__(self, bot: PolicyBot, store: SessionStore, *, rate_limit: int = 20, rate_window: float = 10.0,
                 send_retries: int = 4, retry_delay: float = 1.0, typing: bool = True,
                 claim_ttl: float = UPDATE_CLAIM_TTL):
        self.bot = bot
        self.store = store
        self.limiter = UserRateLimiter(rate_limit, rate_window)
        self.send_retries = send_retries
        self.retry_delay = retry_delay
        self.typing = typing
        self.claim_ttl = claim_ttl
        self.app: Application | None = None
        self.webhook_server: WebhookServer | None = None
        # the engine and the store are synchronous; one worker thread keeps them off the event loop
        # without ever running the engine on two threads at once
        self._engine = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policybot-engine")
        self._tails: dict[int, asyncio.Task] = {}

    # -- dispatch: called by python-telegram-bot for every update, strictly in arrival order
    async def on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update):
            return
        if update.callback_query is not None:  # we send no inline keyboards; stop a stale button spinning
            context.application.create_task(self._retrying("answerCallbackQuery", update.callback_query.answer),
                                            update=update)
            return
        message = update.message
        if message is None:  # edited messages, channel posts, membership changes: nothing to answer
            return
        arrived = time.monotonic()
        chat_id = message.chat_id
        previous = self._tails.get(chat_id)
        task = context.application.create_task(self._after(previous, self._process(message, update.update_id,
                                                                                    arrived)),
                                               update=update, name=f"telegram-chat-{chat_id}")
        self._tails[chat_id] = task
        task.add_done_callback(lambda t, c=chat_id: self._tails.pop(c, None) if self._tails.get(c) is t else None)

    @staticmethod
    async def _after(previous: asyncio.Task | None, work: Awaitable[None]) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])  # its failure was already reported; keep this chat going
        await work

    async def _run_sync(self, fn: Callable, *args):
        return await asyncio.get_running_loop().run_in_executor(self._engine, fn, *args)

    async def _claim(self, update_id: int) -> bool:
        try:
            return await self._run_sync(self.store.claim, f"{UPDATE_CLAIM_PREFIX}{update_id}", self.claim_ttl)
        except StoreError as exc:  # better to risk a double answer than to leave the user unanswered
            log.warning("could not record update %s as handled (%s); answering anyway", update_id, exc)
            return True

    async def _process(self, message: Message, update_id: int, arrived: float) -> None:
        chat_id = message.chat_id
        if not await self._claim(update_id):
            log.info("update %s was already handled; not answering it again", update_id)
            return
        user_id = message.from_user.id if message.from_user else chat_id
        verdict = self.limiter.check(user_id, arrived)
        if verdict == DROP:
            log.info("rate limit: dropped a message from user %s", user_id)
            return
        if verdict == NOTICE:
            log.info("rate limit: user %s sent more than %d messages in %.0f s", user_id, self.limiter.limit,
                     self.limiter.window)
            await self.send_text(chat_id, RATE_LIMIT_TEXT)
            return
        if not message.text:
            await self.send_text(chat_id, NOT_TEXT_TEXT)
            return
        await self.send_typing(chat_id)
        session_id = f"{SESSION_PREFIX}{chat_id}"
        before = await self._run_sync(self._snapshot, session_id)
        reply = await self._run_sync(self.bot.handle, session_id, engine_text(message.text))
        try:
            await self.send_text(chat_id, reply.text, reply.options)
        except TelegramError:
            # the user never saw this answer and is asked to send the message again: put the conversation
            # back where it was, so that a resent "是" answers the same question again
            await self._run_sync(self._restore, session_id, before)
            raise

    def _snapshot(self, session_id: str):
        try:
            return self.bot.store.get(session_id)
        except StoreError:
            return _UNKNOWN

    def _restore(self, session_id: str, state) -> None:
        if state is _UNKNOWN:
            return
        try:
            if state is None:
                self.bot.store.delete(session_id)
            else:
                self.bot.store.put(session_id, state)
        except StoreError as exc:
            log.warning("could not roll back session %s after a failed send: %s", session_id, exc)

    # -- output
    async def send_typing(self, chat_id: int) -> None:
        if not self.typing:
            return
        try:
            await self._app().bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError as exc:  # only a courtesy: never hold up or fail the answer for it
            log.debug("typing action for chat %s failed: %s", chat_id, exc)

    async def send_text(self, chat_id: int, text: str, options: Sequence[str] | None = None) -> list[Message]:
        """Send a plain text (escaped, split) with `options` as keyboard, or keep the current keyboard when
        options is None and remove it when options is empty."""
        parts = split_message(text) or ["…"]
        markup = None if options is None else keyboard_for(options)
        sent = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            sent.append(await self._retrying(
                "sendMessage", self._app().bot.send_message, chat_id=chat_id, text=html.escape(part, quote=False),
                parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW,
                reply_markup=markup if last else None))
        return sent

    async def _retrying(self, what: str, call: Callable[..., Awaitable], *args, **kwargs):
        """Bounded retry for 5xx and network errors (RetryAfter is retried by AIORateLimiter)."""
        delay = self.retry_delay
        for attempt in range(self.send_retries + 1):
            try:
                return await call(*args, **kwargs)
            except BadRequest:  # a 4xx: sending it again gives the same answer
                raise
            except NetworkError as exc:  # 5xx, connection errors, TimedOut
                if attempt >= self.send_retries:
                    raise
                log.warning("%s failed (%s); retry %d of %d in %.2f s", what, exc, attempt + 1,
                            self.send_retries, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        raise AssertionError("unreachable")

    def _app(self) -> Application:
        assert self.app is not None, "the channel is not attached to an Application"
        return self.app

    # -- errors
    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        chat_id = text = None
        if isinstance(update, Update) and update.effective_chat is not None:
            chat_id = update.effective_chat.id
            if update.effective_message is not None and update.effective_message.text:
                text = mask(update.effective_message.text[:200])
        log.error("failed to handle update %s (chat %s, text %r): %s: %s",
                  getattr(update, "update_id", None), chat_id, text, type(error).__name__, error,
                  exc_info=None if isinstance(error, TelegramError) else error)  # a traceback for bugs only
        if chat_id is not None:
            try:
                await self.send_text(chat_id, ERROR_TEXT)
            except TelegramError as exc:
                log.error("could not tell chat %s that something went wrong: %s", chat_id, exc)

    # -- lifecycle hooks
    async def post_init(self, application: Application) -> None:
        try:
            await application.bot.set_my_commands([BotCommand(n, d) for n, d in COMMANDS])
        except TelegramError as exc:  # the menu is a convenience; the bot works without it
            log.warning("setMyCommands failed: %s", exc)

    async def post_shutdown(self, application: Application) -> None:
        self._engine.shutdown(wait=True)


def build_application(bot: PolicyBot, token: str, base_url: str | None = None, store: SessionStore | None = None,
                      *, base_file_url: str | None = None, rate_limit: int = 20, rate_window: float = 10.0,
                      send_retries: int = 4, retry_delay: float = 1.0, flood_retries: int = 3,
                      overall_max_rate: float = 30, typing: bool = True) -> Application:
    """A python-telegram-bot Application wired to `bot`; nothing is contacted until it is started.

    base_url is a Bot API server such as "http://127.0.0.1:8081/bot" (the token is appended); "/bot" is
    added when missing. store is used for the at-most-once record of update ids (default: bot.store)."""
    if not token:
        raise ValueError("a Telegram bot token is required")
    install_log_redaction(token)
    channel = TelegramChannel(bot, store if store is not None else bot.store, rate_limit=rate_limit,
                              rate_window=rate_window, send_retries=send_retries, retry_delay=retry_delay,
                              typing=typing)
    builder = (ApplicationBuilder().token(token)
               .rate_limiter(AIORateLimiter(overall_max_rate=overall_max_rate, max_retries=flood_retries))
               .concurrent_updates(False)  # dispatch in order; chats run concurrently via TelegramChannel
               .connect_timeout(10).read_timeout(15).write_timeout(15).pool_timeout(10)
               .get_updates_connect_timeout(10).get_updates_pool_timeout(10)
               .post_init(channel.post_init).post_shutdown(channel.post_shutdown))
    if base_url:
        base_url = base_url.rstrip("/")
        if not base_url.endswith("/bot"):
            base_url += "/bot"
        builder = builder.base_url(base_url)
        builder = builder.base_file_url(base_file_url or base_url[: -len("/bot")] + "/file/bot")
    elif base_file_url:
        builder = builder.base_file_url(base_file_url)
    app = builder.build()
    channel.app = app
    app.bot_data["policybot"] = channel
    app.add_handler(TypeHandler(Update, channel.on_update))
    app.add_error_handler(channel.on_error)
    return app


def channel_of(app: Application) -> TelegramChannel:
    return app.bot_data["policybot"]


# ---------------------------------------------------------------- webhook receiver

class WebhookServer:
    """A minimal HTTP endpoint for Telegram's webhook POSTs, on asyncio streams (no extra dependency).

    Only POST to `path` with the right X-Telegram-Bot-Api-Secret-Token header is accepted (403
    otherwise); the update is queued for the Application and answered 200 at once."""

    MAX_BODY = 1 << 20

    def __init__(self, app: Application, path: str, secret_token: str):
        self.app = app
        self.path = path or "/"
        self.secret = secret_token.encode()
        self._server: asyncio.AbstractServer | None = None
        self.port: int | None = None

    async def start(self, listen: str, port: int) -> "WebhookServer":
        self._server = await asyncio.start_server(self._serve, listen, port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status = await asyncio.wait_for(self._handle(reader), timeout=30)
        except Exception:  # malformed or too slow: a client error, never a crash
            status = 400
        reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
                  411: "Length Required", 413: "Payload Too Large"}.get(status, "Error")
        body = reason.encode()
        try:
            writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}"
                         f"\r\nConnection: close\r\n\r\n".encode() + body)
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader) -> int:
        request_line = (await reader.readline()).decode("latin-1").strip()
        method, target, _version = request_line.split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
            if len(headers) > 100:
                return 400
        if urlsplit(target).path != self.path:
            return 404
        if method != "POST":
            return 405
        given = headers.get("x-telegram-bot-api-secret-token", "").encode("latin-1")
        if not hmac.compare_digest(given, self.secret):
            log.warning("webhook: rejected a request without the right secret token")
            return 403
        if "content-length" not in headers:
            return 411
        length = int(headers["content-length"])
        if length < 0 or length > self.MAX_BODY:
            return 413
        data = json.loads(await reader.readexactly(length))
        update = Update.de_json(data, self.app.bot)
        if update is None:
            return 400
        await self.app.update_queue.put(update)
        return 200


# ---------------------------------------------------------------- start / stop / run

async def _initialize(app: Application) -> None:
    await app.initialize()
    if app.post_init:
        await app.post_init(app)


async def start_polling(app: Application, *, poll_timeout: float = 30, drop_pending_updates: bool = False) -> None:
    """Initialize, register the commands, start long polling and the dispatcher."""
    await _initialize(app)
    await app.updater.start_polling(timeout=dt.timedelta(seconds=poll_timeout), allowed_updates=ALLOWED_UPDATES,
                                    drop_pending_updates=drop_pending_updates, bootstrap_retries=3)
    await app.start()


async def start_webhook(app: Application, url: str, *, secret_token: str, listen: str = "0.0.0.0", port: int = 8443,
                        url_path: str | None = None, drop_pending_updates: bool = False) -> WebhookServer:
    """Listen on listen:port, tell Telegram to POST updates to `url` with `secret_token`, start dispatching.

    The local path defaults to the path of `url` (a reverse proxy terminating TLS forwards to it)."""
    if not secret_token:
        raise ValueError("a webhook needs a secret token")
    install_log_redaction(secret_token)
    await _initialize(app)
    server = await WebhookServer(app, url_path or urlsplit(url).path or "/", secret_token).start(listen, port)
    channel_of(app).webhook_server = server
    await app.bot.set_webhook(url=url, secret_token=secret_token, allowed_updates=ALLOWED_UPDATES,
                              drop_pending_updates=drop_pending_updates)
    await app.start()
    log.info("webhook listening on %s:%s%s", listen, server.port, server.path)
    return server


async def stop(app: Application) -> None:
    """Stop receiving, answer what was already received, then release everything."""
    channel = channel_of(app)
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if channel.webhook_server is not None:
        await channel.webhook_server.close()
        channel.webhook_server = None
    if app.running:
        await app.stop()
        if app.post_stop:
            await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)


async def _serve_until_signal(app: Application, start: Callable[[], Awaitable[object]]) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stopping.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
            pass
    try:
        await start()
        log.info("Telegram bot running; Ctrl+C stops it")
        await stopping.wait()
    finally:
        log.info("Telegram bot stopping")
        await stop(app)


def run_polling(app: Application, *, poll_timeout: float = 30) -> int:
    """Blocking: long-poll until SIGINT/SIGTERM."""
    asyncio.run(_serve_until_signal(app, lambda: start_polling(app, poll_timeout=poll_timeout)))
    return 0


def run_webhook(app: Application, url: str, *, secret_token: str, listen: str = "0.0.0.0", port: int = 8443,
                url_path: str | None = None) -> int:
    """Blocking: serve the webhook until SIGINT/SIGTERM."""
    asyncio.run(_serve_until_signal(app, lambda: start_webhook(app, url, secret_token=secret_token, listen=listen,
                                                               port=port, url_path=url_path)))
    return 0


__all__ = ["COMMANDS", "TelegramChannel", "UserRateLimiter", "WebhookServer", "build_application", "channel_of",
           "engine_text", "install_log_redaction", "keyboard_for", "run_polling", "run_webhook", "split_message",
           "start_polling", "start_webhook", "stop"]
