"""The Application's update queue, made durable: an update is stored in the inbox before `put` returns.

python-telegram-bot's Updater awaits `update_queue.put(update)` for every polled update *before* it asks
for the next batch (which is what acknowledges the previous one to Telegram), and the webhook route awaits
`put_durable` before answering 200: so an update is acknowledged only once it is stored."""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor

from telegram import Update

from ...inbox import Inbox
from ...stores import StoreError

log = logging.getLogger("policybot.telegram")


def answerable(update: object) -> bool:
    """A message we reply to: anything in a private chat; in a group only text or a captioned photo (a
    service message such as "X joined the group" gets no reply posted into the group)."""
    if not isinstance(update, Update) or update.message is None:
        return False
    message = update.message
    return message.chat.type == "private" or bool(message.text or message.caption)


class InboxQueue(asyncio.Queue):
    def __init__(self, inbox: Inbox, executor: Executor):
        super().__init__()
        self.inbox = inbox
        self.executor = executor
        self.volatile: set[int] = set()  # received while the store was down: answered, but not durably

    async def _store(self, update: Update) -> bool:
        """True when the update is new and now stored."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.inbox.add, update.update_id,
                                          str(update.message.chat_id), update.to_dict())

    async def put(self, item: object) -> None:
        """Polling: store, then queue; a store that is down does not stop the answer (an apology follows)."""
        if answerable(item):
            try:
                if not await self._store(item):
                    log.info("update %s was already received; not answering it again", item.update_id)
                    return
            except StoreError as exc:
                log.warning("could not store update %s (%s); answering it without a durable record",
                            item.update_id, exc)
                self.volatile.add(item.update_id)
        await super().put(item)

    async def put_durable(self, item: Update) -> None:
        """Webhook: raises StoreError when the update could not be stored (the route answers 503 and
        Telegram delivers it again later)."""
        if answerable(item) and not await self._store(item):
            return
        await super().put(item)

    async def requeue(self, update: Update) -> None:
        """An update already in the inbox (pending at start-up)."""
        await super().put(update)
