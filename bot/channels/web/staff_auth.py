"""The staff console's door: off without POLICYBOT_STAFF_PASSWORD, loopback-only unless told otherwise,
a signed session cookie after login, and a CSRF token on every form and every staff POST."""
from __future__ import annotations

import functools
import hmac
import ipaddress
import secrets
from typing import Awaitable, Callable
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .app import WebState
from .citizen import BadRequest, read_body

FORM_LIMIT = 16 * 1024


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return token


def _loopback(request: Request) -> bool:
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def closed(request: Request) -> Response | None:
    """Why the console cannot be used from here at all (off, or not from loopback); None when it can."""
    web: WebState = request.app.state.web
    if not web.config.staff_password:
        return HTMLResponse("<h1>员工控制台未开启</h1><p>设置环境变量 POLICYBOT_STAFF_PASSWORD 后重启服务即可开启。</p>",
                            status_code=404)
    if not web.config.staff_remote and not _loopback(request):
        return HTMLResponse("<h1>员工控制台只允许本机访问</h1>", status_code=403)
    return None


def refused(request: Request) -> Response | None:
    """None when a logged-in clerk may go on; otherwise the response to send instead."""
    shut = closed(request)
    if shut is not None:
        return shut
    if not request.session.get("staff"):
        if request.method == "GET":
            return RedirectResponse("/staff/login", status_code=303)
        return HTMLResponse("<h1>请先登录</h1>", status_code=401)
    return None


def _guarded(check: Callable[[Request], Response | None]):
    def decorate(handler: Callable[[Request], Awaitable[Response]]):
        @functools.wraps(handler)
        async def guarded(request: Request) -> Response:
            refusal = check(request)
            return refusal if refusal is not None else await handler(request)

        return guarded

    return decorate


staff_only = _guarded(refused)   # pages for a logged-in clerk
console_open = _guarded(closed)  # the login itself: console on, client allowed


def csrf_ok(request: Request, sent: str | None) -> bool:
    expected = request.session.get("csrf") or ""
    return bool(expected) and hmac.compare_digest(expected.encode(), (sent or "").encode())


async def form(request: Request) -> dict[str, str]:
    """An urlencoded form's fields (first value of each); a too-large body is refused."""
    body = await read_body(request, FORM_LIMIT)
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise BadRequest(400, "表单编码不对。")
    return {k: v[0] for k, v in fields.items()}


async def checked_form(request: Request) -> dict[str, str] | Response:
    """The form of a logged-in clerk's POST with a valid CSRF token, or the response refusing it."""
    refusal = refused(request)
    if refusal is not None:
        return refusal
    try:
        fields = await form(request)
    except BadRequest as exc:
        return HTMLResponse(exc.message, status_code=exc.status)
    if not csrf_ok(request, fields.get("csrf")):
        return HTMLResponse("<h1>页面已过期，请返回刷新后再试。</h1>", status_code=403)
    return fields


@console_open
async def login_page(request: Request) -> Response:
    web: WebState = request.app.state.web
    return web.templates.TemplateResponse(request, "login.html", {"csrf": csrf_token(request), "error": None})


@console_open
async def login(request: Request) -> Response:
    web: WebState = request.app.state.web
    address = request.client.host if request.client else "?"
    try:
        fields = await form(request)
    except BadRequest as exc:
        return HTMLResponse(exc.message, status_code=exc.status)
    problem = None
    if not csrf_ok(request, fields.get("csrf")):
        problem, status = "页面已过期，请重新输入密码。", 403
    elif not web.logins.allow(address):
        problem, status = "尝试次数太多，请一分钟后再试。", 429
    elif not hmac.compare_digest(fields.get("password", "").encode(), web.config.staff_password.encode()):
        problem, status = "密码不对。", 401
    if problem:
        return web.templates.TemplateResponse(request, "login.html", {"csrf": csrf_token(request), "error": problem},
                                              status_code=status)
    request.session.clear()
    request.session["staff"] = True
    request.session["chat"] = secrets.token_urlsafe(12)
    csrf_token(request)
    return RedirectResponse("/staff/", status_code=303)


async def logout(request: Request) -> Response:
    fields = await checked_form(request)
    if isinstance(fields, Response):
        return fields
    request.session.clear()
    return RedirectResponse("/staff/login", status_code=303)


def routes() -> list[Route]:
    return [Route("/staff/login", login_page, methods=["GET"]),
            Route("/staff/login", login, methods=["POST"]),
            Route("/staff/logout", logout, methods=["POST"])]
