"""The Telegram webhook on the web app's server (`policybot serve --telegram-webhook URL`).

The Telegram package provides the routes (`telegram_webhook_routes`: secret header checked, update stored
before the 200) and the Application; this module only hands them to `create_app` with the start and stop
the Application needs, so one uvicorn serves the citizen chat, the staff console and Telegram.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.routing import BaseRoute

from ...engine import PolicyBot
from .app import Hook


@dataclass
class TelegramParts:
    routes: list[BaseRoute]
    on_startup: list[Hook] = field(default_factory=list)
    on_shutdown: list[Hook] = field(default_factory=list)


def telegram_parts(bot: PolicyBot, token: str, url: str, secret: str, base_url: str | None = None,
                   startup_attempts: int = 5) -> TelegramParts:
    """Routes for the path of `url`, and hooks that initialise the Application, register the webhook with
    Telegram and start dispatching (then stop it all when the server stops). Raises StartupError."""
    from ..telegram import ALLOWED_UPDATES, build_application, stop, telegram_webhook_routes
    from ..telegram.lifecycle import initialize

    app = build_application(bot, token, base_url=base_url, secrets=(secret,), startup_attempts=startup_attempts)

    async def start() -> None:
        await initialize(app)
        await app.bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        await app.start()

    async def finish() -> None:
        await stop(app)

    return TelegramParts(telegram_webhook_routes(app, urlsplit(url).path or "/", secret), [start], [finish])
