"""The citizen side: the chat page and `POST /api/message`.

A thin adapter like the Telegram channel: the text goes to `PolicyBot.handle`, the Reply comes back as
JSON. Everything a citizen sends is checked here (size, JSON, fields, rate) so the engine never sees junk.
"""
from __future__ import annotations

import json
import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .app import WebState

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
SESSION_PREFIX = "web:"


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than `limit` bytes whether or not Content-Length is honest."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise BadRequest(413, f"消息太长了，请控制在{limit // 1024}KB以内。")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BadRequest(413, f"消息太长了，请控制在{limit // 1024}KB以内。")
    return bytes(body)


def parse_message(body: bytes, max_text: int) -> tuple[str, str]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest(400, "请求格式不对：需要 JSON，例如 {\"session\": \"…\", \"text\": \"…\"}。")
    if not isinstance(data, dict):
        raise BadRequest(400, "请求格式不对：需要一个 JSON 对象，包含 session 和 text。")
    session, text = data.get("session"), data.get("text")
    if not isinstance(session, str) or not SESSION_ID.fullmatch(session):
        raise BadRequest(422, "缺少会话编号 session（8–64 个字母、数字、- 或 _）。")
    if not isinstance(text, str):
        raise BadRequest(422, "缺少消息文字 text。")
    if len(text) > max_text:
        raise BadRequest(413, f"消息太长了，请控制在{max_text}个字以内。")
    return session, text


def reply_json(web: WebState, reply) -> dict:
    """The Reply's fields, plus where the policy stands (so the page can mark ended and draft measures)."""
    data = reply.to_json()
    policy = web.bot.kb.policies.get(reply.policy) if reply.policy else None
    standing = web.bot.kb.standing(policy, web.bot.today()) if policy else None
    data["policy_status"] = None if standing is None else ("draft" if standing.draft else
                                                           "ended" if standing.ended else "in_force")
    data["policy_status_label"] = standing.label if standing else None
    return data


async def api_message(request: Request) -> Response:
    web: WebState = request.app.state.web
    address = request.client.host if request.client else "?"
    try:
        if not web.per_address.allow(address):
            raise BadRequest(429, "您发送得太快了，请稍等几秒再发。")
        session, text = parse_message(await read_body(request, web.config.max_body), web.config.max_text)
        if not web.per_session.allow(session):
            raise BadRequest(429, "您发送得太快了，请稍等几秒再发。")
    except BadRequest as exc:
        return error(exc.status, exc.message)
    key = SESSION_PREFIX + session
    def turn():
        reply = web.bot.handle(key, text)
        web.recorder.observe(key, text, reply)
        return reply_json(web, reply)

    async with web.locks(key):
        payload = await web.in_engine(turn)
    return JSONResponse(payload)


async def chat_page(request: Request) -> Response:
    web: WebState = request.app.state.web
    return web.templates.TemplateResponse(request, "chat.html", {})


def routes() -> list[Route]:
    return [Route("/", chat_page, methods=["GET"]),
            Route("/api/message", api_message, methods=["POST"])]
