"""Sending to one chat: escaped and split text, bounded retries, and a chat's own pause on a 429.

* 5xx and connection errors are retried with a growing delay (bounded);
* a 429 RetryAfter makes only this chat wait `retry_after` (other chats go on);
* a timed-out send is *not* retried: Telegram may well have delivered it, and a second copy is worse;
* 4xx (bad request, blocked by the user) are raised at once: sending again gives the same answer."""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, Sequence

from telegram import Bot, LinkPreviewOptions, Message
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from .formatting import escape, keyboard_for, split_message

log = logging.getLogger("policybot.telegram")
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class Sender:
    def __init__(self, bot: Bot, *, retries: int = 4, retry_delay: float = 1.0, flood_retries: int = 3):
        self.bot = bot
        self.retries = retries
        self.retry_delay = retry_delay
        self.flood_retries = flood_retries

    async def typing(self, chat_id: int) -> None:
        try:
            await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
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
            sent.append(await self.retrying(
                "sendMessage", self.bot.send_message, chat_id=chat_id, text=escape(part),
                parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW, reply_markup=markup if last else None))
        return sent

    async def retrying(self, what: str, call: Callable[..., Awaitable], *args, **kwargs):
        delay, errors, floods = self.retry_delay, 0, 0
        while True:
            try:
                return await call(*args, **kwargs)
            except RetryAfter as exc:
                floods += 1
                if floods > self.flood_retries:
                    raise
                wait = exc.retry_after.total_seconds() if hasattr(exc.retry_after, "total_seconds") \
                    else float(exc.retry_after)
                log.info("%s: flood control, this chat waits %.1f s", what, wait)
                await asyncio.sleep(wait + 0.05)
            except (BadRequest, TimedOut):
                raise
            except NetworkError as exc:  # 5xx, connection errors
                errors += 1
                if errors > self.retries:
                    raise
                log.warning("%s failed (%s); retry %d of %d in %.2f s", what, exc, errors, self.retries, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
