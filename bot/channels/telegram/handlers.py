"""TelegramChannel: turns a stored update into exactly one answer.

For each message update (stored in the inbox by `InboxQueue`): take the chat's lock, then answer the
chat's pending updates oldest first — each answer is computed by the engine with its session change and
reply committed together (`PolicyBot.take_turn(record_key=…)`), sent, and only then marked done. A crash anywhere
ends in exactly one answer after restart: before the commit, the turn is computed again from the
unchanged session; after it, the recorded reply is sent."""
from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Awaitable, Callable

from telegram import BotCommand, Update
from telegram.error import Forbidden, TelegramError, TimedOut
from telegram.ext import Application, ContextTypes

from ...engine import PolicyBot
from ...inbox import Inbox, InboxItem
from ...privacy import mask
from ...stores import StoreError
from .formatting import COMMANDS, engine_text
from .intake import InboxQueue, answerable
from .ratelimit import DROP, NOTICE, UserRateLimiter
from .sender import Sender

log = logging.getLogger("policybot.telegram")

SESSION_PREFIX = "telegram:"
RATE_LIMIT_TEXT = "您发消息有点快，请稍等几秒钟再发。这段时间里多发的消息我先不处理。"
ERROR_TEXT = "抱歉，处理您的消息时出了点问题，请稍后再发一次。"
NOT_TEXT_TEXT = "我目前只能看懂文字消息，请用文字提问，或发送 /help 查看使用方法。"
LOCK_WAIT = 1.0   # seconds between looks at whether another process answered our update


class TelegramChannel:
    """State of one running Telegram adapter; kept in `application.bot_data["policybot"]`."""

    def __init__(self, bot: PolicyBot, inbox: Inbox, *, rate_limit: int = 20, rate_window: float = 10.0,
                 typing_after: float = 1.0, purge_interval: float = 60.0, workers: int = 16):
        self.bot = bot
        self.inbox = inbox
        self.limiter = UserRateLimiter(rate_limit, rate_window)
        self.typing_after = typing_after
        self.purge_interval = purge_interval
        # inbox calls run on worker threads (a slow store holds up one chat, not all); the engine is not
        # thread-safe (lazy caches) and runs on one thread of its own — a hung store costs it one timeout,
        # after which the store's breaker answers "unavailable" at once
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="policybot-io")
        self.engine_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policybot-engine")
        self.queue = InboxQueue(inbox, self.pool)
        self.sender: Sender | None = None
        self.app: Application | None = None
        self.redactor = None        # set by build_application (redaction.Redactor)
        self.webhook_server = None  # set by start_webhook (lifecycle.WebhookServer)
        self.startup = (5, 0.5)     # getMe attempts and first back-off delay
        self._purger: asyncio.Task | None = None

    async def io(self, fn: Callable, *args):
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    async def engine(self, fn: Callable, *args):
        return await asyncio.get_running_loop().run_in_executor(self.engine_thread, fn, *args)

    # -- dispatch (python-telegram-bot calls this for every update, ordered per chat by the processor)
    async def on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update):
            return
        if update.callback_query is not None:  # we send no inline keyboards; stop a stale button spinning
            await self._send().retrying("answerCallbackQuery", update.callback_query.answer)
            return
        if not answerable(update):
            return
        if update.update_id in self.queue.volatile:
            self.queue.volatile.discard(update.update_id)
            await self.answer(update, None)
            return
        await self.drain(str(update.message.chat_id), update.update_id)

    async def drain(self, chat: str, update_id: int) -> None:
        """Answer the chat's pending updates under its lock until ours is done (perhaps by another process)."""
        while True:
            try:
                fence = await self.io(self.inbox.acquire, chat, LOCK_WAIT)
                if fence is None:
                    if await self.io(self.inbox.is_done, update_id):
                        return
                    continue
                try:
                    while (item := await self.io(self.inbox.next_pending, chat)) is not None:
                        await self._answer_once(item, fence)
                        await self.io(self.inbox.done, item)
                finally:
                    await self.io(self.inbox.release, chat, fence)
                return
            except StoreError as exc:  # left pending: answered at the next message of the chat or restart
                log.error("inbox unavailable for chat %s: %s", chat, exc)
                return

    async def _answer_once(self, item: InboxItem, fence: object) -> None:
        """A bug while answering one update must not leave it pending: it would block the chat for good."""
        try:
            await self.answer(Update.de_json(item.payload, self._app().bot), fence)
        except StoreError:
            raise
        except Exception:  # noqa: BLE001 — logged with its traceback; the user is told
            log.exception("failed to answer update %s of chat %s", item.update_id, item.chat)
            await self._deliver(int(item.chat), ERROR_TEXT, None)

    async def answer(self, update: Update, fence: object) -> None:
        """One message → one reply. fence None: the update is not in the inbox (the store was down)."""
        message = update.message
        chat_id = message.chat_id
        user_id = message.from_user.id if message.from_user else chat_id
        verdict = self.limiter.check(user_id, time.monotonic())
        if verdict is DROP:
            log.info("rate limit: dropped a message from user %s", user_id)
            return
        if verdict is NOTICE:
            log.info("rate limit: user %s sent more than %d messages in %.0f s", user_id, self.limiter.limit,
                     self.limiter.window)
            await self._deliver(chat_id, RATE_LIMIT_TEXT, None)
            return
        text = message.text or message.caption  # a question typed under a photo counts as a question
        if not text:
            await self._deliver(chat_id, NOT_TEXT_TEXT, None)
            return
        session_id, key = f"{SESSION_PREFIX}{chat_id}", f"tg:{update.update_id}"
        if fence is None:  # not in the inbox (the store was down): a plain turn
            turn = await self._with_typing(chat_id, self.engine(self.bot.take_turn, session_id, engine_text(text)))
            reply, undo = turn.reply, partial(self.bot.undo, session_id, turn.token)
        else:
            reply = await self._recorded(key)
            if reply is None:
                take = partial(self.bot.take_turn, session_id, engine_text(text), record_key=key, fence=fence)
                reply = (await self._with_typing(chat_id, self.engine(take))).reply
            undo = partial(self.bot.undo_recorded, session_id, key)
        if not await self._deliver(chat_id, reply.text, reply.options, masked=mask(text[:200])):
            # the user never saw this answer and is asked to send the message again: the engine puts the
            # conversation back where it was, so that a resent "是" answers the same question again
            await self.engine(undo)

    async def _recorded(self, key: str):
        try:
            return await self.engine(self.bot.recorded_reply, key)
        except StoreError:
            return None

    async def _with_typing(self, chat_id: int, work: Awaitable):
        """The typing action only when the answer takes long enough for a person to wonder."""
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=self.typing_after)
        if not done:
            await self._send().typing(chat_id)
        return await task

    async def _deliver(self, chat_id: int, text: str, options, masked: str | None = None) -> bool:
        """Send; on failure log (masked) and apologise. False when the user did not get the text."""
        try:
            await self._send().send_text(chat_id, text, options)
            return True
        except TimedOut as exc:  # probably delivered; a second copy would be worse than none
            log.warning("sending to chat %s timed out (%s); not sent again", chat_id, exc)
            return True
        except Forbidden as exc:  # blocked by the user: nobody to tell
            log.info("chat %s cannot be written to: %s", chat_id, exc)
            return True
        except TelegramError as exc:
            log.error("failed to answer chat %s (text %r): %s: %s", chat_id, masked, type(exc).__name__, exc)
        if text != ERROR_TEXT:
            try:
                await self._send().send_text(chat_id, ERROR_TEXT)
            except TelegramError as exc2:
                log.error("could not tell chat %s that something went wrong: %s", chat_id, exc2)
        return False

    # -- errors python-telegram-bot caught in a handler (bugs: a traceback, and the user is told)
    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        log.error("failed to handle update %s (chat %s): %s", getattr(update, "update_id", None), chat_id,
                  type(context.error).__name__, exc_info=context.error)
        if chat_id is not None:
            await self._deliver(chat_id, ERROR_TEXT, None)

    # -- lifecycle hooks
    async def post_init(self, application: Application) -> None:
        """Menu of commands; updates left pending by a crash queued first; the purge of expired sessions."""
        try:
            await application.bot.set_my_commands([BotCommand(n, d) for n, d in COMMANDS])
        except TelegramError as exc:  # the menu is a convenience; the bot works without it
            log.warning("setMyCommands failed: %s", exc)
        pending: list[InboxItem] = await self.io(self.inbox.pending)
        if pending:
            log.info("%d updates received before a restart are answered first", len(pending))
        for item in pending:
            await self.queue.requeue(Update.de_json(item.payload, application.bot))
        self._purger = asyncio.get_running_loop().create_task(self._purge_forever())

    async def _purge_forever(self) -> None:
        while True:
            await asyncio.sleep(self.purge_interval)
            try:
                gone = await self.engine(self.bot.purge_expired)
                if gone:
                    log.info("purged %d expired sessions", gone)
            except StoreError as exc:
                log.error("could not purge expired sessions: %s", exc)

    async def post_stop(self, application: Application) -> None:
        if self._purger is not None:
            self._purger.cancel()
            self._purger = None

    async def post_shutdown(self, application: Application) -> None:
        self.pool.shutdown(wait=True)
        self.engine_thread.shutdown(wait=True)

    def _send(self) -> Sender:
        assert self.sender is not None, "the channel is not attached to an Application"
        return self.sender

    def _app(self) -> Application:
        assert self.app is not None, "the channel is not attached to an Application"
        return self.app
