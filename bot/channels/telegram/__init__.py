"""Telegram channel: a thin adapter between the Bot API (python-telegram-bot) and the engine.

Modules: `formatting` (HTML escaping, splitting, keyboards), `ratelimit` (per user in, per chat out),
`redaction` (no secret in any log), `processor` (per-chat ordering), `intake` (the durable update queue),
`sender` (retries, a chat's own 429 pause), `handlers` (one stored update → one answer), `webhook`
(Starlette routes), `lifecycle` (build, start, stop)."""
from __future__ import annotations

from .formatting import COMMANDS, MAX_MESSAGE_CHARS, engine_text, keyboard_for, split_message
from .handlers import ERROR_TEXT, NOT_TEXT_TEXT, RATE_LIMIT_TEXT, SESSION_PREFIX, TelegramChannel
from .lifecycle import (ALLOWED_UPDATES, StartupError, WebhookServer, build_application, channel_of, run_polling,
                        run_webhook, running, start_dispatching, start_polling, start_webhook, stop)
from .ratelimit import DROP, NOTICE, OK, ChatRateLimiter, UserRateLimiter
from .redaction import Redactor
from .webhook import telegram_webhook_routes

__all__ = ["ALLOWED_UPDATES", "COMMANDS", "DROP", "ERROR_TEXT", "MAX_MESSAGE_CHARS", "NOTICE", "NOT_TEXT_TEXT", "OK",
           "RATE_LIMIT_TEXT", "SESSION_PREFIX", "ChatRateLimiter", "Redactor", "StartupError", "TelegramChannel",
           "UserRateLimiter", "WebhookServer", "build_application", "channel_of", "engine_text", "keyboard_for",
           "run_polling", "run_webhook", "running", "split_message", "start_dispatching", "start_polling", "start_webhook", "stop",
           "telegram_webhook_routes"]
