"""One ASGI application: the citizen chat, its JSON API, the staff console and any extra routes
(the Telegram webhook), served by uvicorn (`policybot serve`)."""
from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from typing import Awaitable, Callable, Sequence, TypeVar

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ...engine import PolicyBot
from ...reports.unanswered import UnansweredRecorder
from ...stores.unanswered import UnansweredStore
from .limits import SessionLocks, SlidingWindow

HERE = Path(__file__).parent
T = TypeVar("T")
Hook = Callable[[], Awaitable[None]]
STAFF_DAY: ContextVar[date | None] = ContextVar("policybot_staff_day", default=None)


def staff_clock(default: date | None = None) -> Callable[[], date]:
    """The engine's clock for `policybot serve`: the staff page's chosen day while it asks, else the real one."""

    def today() -> date:
        return STAFF_DAY.get() or default or date.today()

    return today


@dataclass
class WebConfig:
    staff_password: str | None = None     # None or empty: the staff console is off
    staff_remote: bool = False            # False: the staff console answers loopback clients only
    session_limit: int = 20               # messages per session per window (as on Telegram)
    address_limit: int = 60               # messages per client address per window; 0 = no limit
    window: float = 10.0
    engine_threads: int = 1               # threads running the engine: CPU-bound under the GIL, more only convoy
    max_body: int = 8 * 1024              # bytes of one API request
    max_text: int = 2000                  # characters of one message (the engine keeps the last 500)
    https_cookies: bool = False
    knowledge_dir: Path | None = None
    intents_dir: Path | None = None
    dialogs: Sequence[Path] = ()          # scripted dialog files or folders (default tests/dialogs/)


@dataclass
class WebState:
    """Everything the route handlers share; kept in `app.state.web`."""

    bot: PolicyBot
    config: WebConfig
    unanswered: UnansweredStore
    recorder: UnansweredRecorder
    templates: Jinja2Templates
    clock: Callable[[], float] = time.time
    locks: SessionLocks = field(default_factory=SessionLocks)
    per_session: SlidingWindow | None = None
    per_address: SlidingWindow | None = None
    logins: SlidingWindow = field(default_factory=lambda: SlidingWindow(10, 60.0))
    engine: ThreadPoolExecutor | None = None

    def __post_init__(self) -> None:
        self.per_session = SlidingWindow(self.config.session_limit, self.config.window)
        self.per_address = SlidingWindow(self.config.address_limit, self.config.window)
        self.engine = ThreadPoolExecutor(self.config.engine_threads, thread_name_prefix="policybot-engine")

    async def in_engine(self, work: Callable[[], T]) -> T:
        """Run engine work off the event loop on the engine's own few threads (the loop keeps serving)."""
        return await asyncio.get_running_loop().run_in_executor(self.engine, work)


class SecurityHeaders:
    """Headers on every response: no sniffing, no referrer, only our own scripts; staff pages not framable."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        staff = scope["path"].startswith("/staff")
        frames = "'none'" if staff else "*"  # the citizen chat is meant to be embedded in a government site

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                            (b"content-security-policy",
                             f"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                             f"frame-ancestors {frames}".encode())]
                if staff or scope["path"].startswith("/api/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(bot: PolicyBot, unanswered: UnansweredStore, config: WebConfig | None = None,
               extra_routes: Sequence[BaseRoute] = (), clock: Callable[[], float] = time.time,
               on_startup: Sequence[Hook] = (), on_shutdown: Sequence[Hook] = ()) -> Starlette:
    """Build the application. `extra_routes` and the hooks let another channel (the Telegram webhook) share
    the server: its routes are mounted here and its start/stop run with the server's."""
    from . import citizen, staff_auth, staff_pages

    config = config or WebConfig()
    templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape is on for .html
    recorder = UnansweredRecorder(unanswered, _candidates(bot), clock)
    state = WebState(bot, config, unanswered, recorder, templates, clock)
    routes = [*citizen.routes(), *staff_auth.routes(), *staff_pages.routes(),
              Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"), *extra_routes]
    middleware = [Middleware(SecurityHeaders),
                  Middleware(SessionMiddleware, secret_key=secrets.token_urlsafe(32), session_cookie="policybot_staff",
                             max_age=8 * 3600, same_site="strict", https_only=config.https_cookies, path="/staff")]
    app = Starlette(routes=routes, middleware=middleware, lifespan=_lifespan(state, on_startup, on_shutdown))
    app.state.web = state
    return app


def _lifespan(state: WebState, on_startup: Sequence[Hook], on_shutdown: Sequence[Hook], every: float = 60.0):
    """Start the hooks; while the server runs, record clarifications nobody came back to (not only when a
    message arrives); on shutdown, stop the hooks and let the engine thread finish its turn."""

    @contextlib.asynccontextmanager
    async def lifespan(app):
        for hook in on_startup:
            await hook()

        async def sweep():
            while True:
                await asyncio.sleep(every)
                await state.in_engine(state.recorder.flush_walked_away)

        task = asyncio.create_task(sweep())
        try:
            yield
        finally:
            task.cancel()
            for hook in on_shutdown:
                await hook()
            state.engine.shutdown(wait=True)

    return lifespan


def _candidates(bot: PolicyBot):
    def best(text: str) -> tuple[tuple[str, float], ...]:
        u = bot.matcher.understand(text)
        return tuple((c.intent, round(c.score, 3)) for c in u.candidates[:3])

    return best
