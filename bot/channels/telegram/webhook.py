"""The webhook receiver as Starlette routes, so any ASGI app can mount them (`policybot telegram --webhook`
serves them with uvicorn; the web channel mounts the same routes in its own app).

Only POST to `path` with the right X-Telegram-Bot-Api-Secret-Token header is accepted (403 otherwise); the
update is stored in the inbox before the 200 (503 when the store is down, so Telegram delivers it again)."""
from __future__ import annotations

import hmac
import json
import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from ...stores import StoreError

log = logging.getLogger("policybot.telegram")
MAX_BODY = 1 << 20


def _status(code: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=code)


def telegram_webhook_routes(application: Application, path: str, secret_token: str,
                            max_body: int = MAX_BODY) -> list[Route]:
    """Routes that feed `application` (built by `build_application`; started by whoever serves them)."""
    if not secret_token:
        raise ValueError("a webhook needs a secret token")
    secret = secret_token.encode()
    queue = application.bot_data["policybot"].queue

    async def receive(request: Request) -> Response:
        given = request.headers.get("x-telegram-bot-api-secret-token", "").encode("latin-1", "replace")
        if not hmac.compare_digest(given, secret):
            log.warning("webhook: rejected a request without the right secret token")
            return _status(403, "Forbidden")
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return _status(411, "Length Required")
        if int(length) > max_body:
            return _status(413, "Payload Too Large")
        body = await request.body()
        try:
            data = json.loads(body)
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            return _status(400, "Bad Request")
        try:
            await queue.put_durable(update)
        except StoreError as exc:
            log.error("webhook: could not store update %s (%s); Telegram will deliver it again",
                      update.update_id, exc)
            return _status(503, "Service Unavailable")
        return _status(200, "OK")

    return [Route(path or "/", receive, methods=["POST"])]
