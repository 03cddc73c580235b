"""The staff console's pages: chat with a debug panel, knowledge browser, scripted dialogs, unanswered report."""
from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ...dialogtests.format import load_dialogs
from ...dialogtests.runner import Runner, default_dialogs_dir
from ...engine import PolicyBot
from ...reports.examples import add_example
from ...stores import StoreError
from ...reports.unanswered import candidate_summary, group_questions, intent_names, kind_summary
from .app import STAFF_DAY, WebState
from .citizen import BadRequest, read_body, reply_json
from .debug import explain, section_passage
from .staff_auth import checked_form, csrf_ok, csrf_token, staff_only

REPORT_PERIODS = (1, 7, 30)


def _page(request: Request, name: str, **context) -> Response:
    web: WebState = request.app.state.web
    context.update(csrf=csrf_token(request), page=name, flash=request.session.pop("flash", None))
    return web.templates.TemplateResponse(request, name, context)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@staff_only
async def console(request: Request) -> Response:
    web: WebState = request.app.state.web
    day = _day(request.session.get("day")) or web.bot.today()
    return _page(request, "console.html", day=day.isoformat())


@staff_only
async def staff_message(request: Request) -> Response:
    web: WebState = request.app.state.web
    if not csrf_ok(request, request.headers.get("x-csrf-token")):
        return JSONResponse({"error": "页面已过期，请刷新后再试。"}, status_code=403)
    try:
        data = json.loads(await read_body(request, web.config.max_body))
        text, day = str(data["text"])[:web.config.max_text], _day(data.get("day"))
    except BadRequest as exc:
        return JSONResponse({"error": exc.message}, status_code=exc.status)
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": "请求格式不对。"}, status_code=400)
    request.session["day"] = day.isoformat() if day else None
    session = "staff:" + request.session.get("chat", "x")

    def turn():
        token = STAFF_DAY.set(day)
        try:
            reply = web.bot.handle(session, text)
            info = explain(web.bot, text, reply, web.bot.today())
            return reply, info, reply_json(web, reply)
        finally:
            STAFF_DAY.reset(token)

    async with web.locks(session):
        reply, info, payload = await web.in_engine(turn)
    debug_html = web.templates.get_template("debug.html").render(info=info)
    return JSONResponse({"reply": payload, "debug_html": debug_html})


async def reset_chat(request: Request) -> Response:
    fields = await checked_form(request)
    if isinstance(fields, Response):
        return fields
    request.session["chat"] = secrets.token_urlsafe(12)
    return RedirectResponse("/staff/", status_code=303)


@staff_only
async def knowledge(request: Request) -> Response:
    web: WebState = request.app.state.web
    kb, today = web.bot.kb, _day(request.session.get("day")) or web.bot.today()
    policies = [(p, kb.standing(p, today).label, section_passage(kb, p))
                for p in sorted(kb.policies.values(), key=lambda p: (p.source, p.id))]
    return _page(request, "knowledge.html", policies=policies, tables=list(kb.tables.values()), kb=kb,
                 day=today.isoformat())


class _SharedRunner(Runner):
    """The dialog runner on the engine this server already loaded (no second copy in memory)."""

    def __init__(self, bot: PolicyBot):
        super().__init__()
        self._bot = bot

    def base_bot(self) -> PolicyBot:
        return self._bot


def _run_dialogs(bot: PolicyBot, paths: list[Path], keyword: str):
    dialogs, problems = load_dialogs(paths)
    if keyword:
        dialogs = [d for d in dialogs if d.selected_by(keyword)]
    runner = _SharedRunner(bot)
    return [runner.run(d) for d in dialogs] if not problems else [], problems


@staff_only
async def dialogs(request: Request) -> Response:
    return _page(request, "dialogs.html", results=None, problems=[], keyword="")


async def run_dialogs(request: Request) -> Response:
    fields = await checked_form(request)
    if isinstance(fields, Response):
        return fields
    web: WebState = request.app.state.web
    paths = list(web.config.dialogs) or [default_dialogs_dir()]
    keyword = fields.get("keyword", "").strip()
    results, problems = await run_in_threadpool(_run_dialogs, web.bot, paths, keyword)
    return _page(request, "dialogs.html", results=results, problems=problems, keyword=keyword,
                 failed=[r for r in results if not r.passed])


@staff_only
async def unanswered(request: Request) -> Response:
    web: WebState = request.app.state.web
    days = int(request.query_params.get("days", "7")) if request.query_params.get("days", "7").isdigit() else 7
    try:
        questions = await run_in_threadpool(web.unanswered.since, web.clock() - days * 86400)
    except StoreError as exc:
        request.session["flash"] = {"ok": False, "message": f"暂时读不到未答问题：{exc}", "problems": []}
        questions = []
    groups = group_questions(questions)
    kb = web.bot.kb
    names = intent_names(kb.topics)
    rows = [(g, kind_summary(g), candidate_summary(g, names)) for g in groups]
    intents = [(t.id, t.name) for t in kb.topics.values()] + [("out_of_scope", "超出范围（反例）")]
    return _page(request, "unanswered.html", rows=rows, days=days, periods=REPORT_PERIODS, intents=intents,
                 total=sum(g.count for g in groups))


async def save_example(request: Request) -> Response:
    fields = await checked_form(request)
    if isinstance(fields, Response):
        return fields
    web: WebState = request.app.state.web
    result = await run_in_threadpool(
        lambda: add_example(fields.get("intent", ""), fields.get("text", ""), web.bot.today(),
                            intents_dir=web.config.intents_dir, knowledge_dir=web.config.knowledge_dir))
    request.session["flash"] = {"ok": result.ok, "message": result.message,
                                "problems": [str(p) for p in result.problems]}
    return RedirectResponse(f"/staff/unanswered?days={fields.get('days', '7')}", status_code=303)


def routes() -> list[Route]:
    return [Route("/staff/", console, methods=["GET"]),
            Route("/staff/api/message", staff_message, methods=["POST"]),
            Route("/staff/reset", reset_chat, methods=["POST"]),
            Route("/staff/knowledge", knowledge, methods=["GET"]),
            Route("/staff/dialogs", dialogs, methods=["GET"]),
            Route("/staff/dialogs", run_dialogs, methods=["POST"]),
            Route("/staff/unanswered", unanswered, methods=["GET"]),
            Route("/staff/unanswered/example", save_example, methods=["POST"])]
