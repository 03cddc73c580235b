"""The `policybot` command: one entry point, one sub-command per job."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from .knowledge.yamlio import report_problems


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期要写成 YYYY-MM-DD，例如 2026-11-22（收到的是 {text!r}）")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge", type=Path, default=None, help="knowledge/ 目录（默认：自带的）")
    parser.add_argument("--intents", type=Path, default=None, help="intents/ 目录（默认：自带的）")
    parser.add_argument("--today", type=_day, default=None, help="把哪一天当作今天（YYYY-MM-DD）")


def cmd_validate(args: argparse.Namespace) -> int:
    from .knowledge import validate

    report = validate(args.knowledge, args.intents, args.today)
    if not args.quiet:
        print("\n".join(report.summary_lines()))
    if report.problems:
        report_problems(f"\n发现 {len(report.problems)} 个问题：", report.problems, sys.stderr)
        return 1
    print("\n检查通过：所有数字、电话和日期都能在来源文件中找到。")
    return 0


def _load_bot(args: argparse.Namespace, store=None):
    from . import PolicyBot
    from .knowledge import DataError

    try:
        return PolicyBot.load(args.knowledge, args.intents, store=store, today=args.today)
    except DataError as exc:
        report_problems("知识库或意图文件有错误，机器人没有启动：", exc.problems, sys.stderr)
        print("运行 `policybot validate` 查看完整检查结果。", file=sys.stderr)
        return None


def _open_store(spec: str, ttl_minutes: float):
    from .stores import StoreError, open_store

    try:
        return open_store(spec, ttl_minutes * 60)
    except (StoreError, ValueError) as exc:
        print(f"无法打开会话存储：{exc}", file=sys.stderr)
        return None


def _bot_with_store(args: argparse.Namespace):
    """The engine on the session store named by --store; None (after saying why) when either fails."""
    store = _open_store(args.store, args.ttl)
    return None if store is None else _load_bot(args, store)


def cmd_chat(args: argparse.Namespace) -> int:
    import logging

    from .channels.console import run_console, run_jsonl

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    bot = _bot_with_store(args)
    if bot is None:
        return 2
    if args.jsonl:
        return run_jsonl(bot)
    return run_console(bot, session_id=args.session, debug=args.debug, history_file=args.history)


def cmd_explain(args: argparse.Namespace) -> int:
    import json

    bot = _load_bot(args)
    if bot is None:
        return 2
    u = bot.matcher.understand(" ".join(args.question))
    data = {"normalized": u.normalized, "tokens": list(u.tokens), "topic_words": list(u.topic_words),
            "region": u.region, "place": u.place, "entities": u.entities, "aspect": u.aspect,
            "outcome": u.outcome, "intent": u.intent, "confidence": u.confidence,
            "candidates": [{"intent": c.intent, "score": c.score} for c in u.candidates]}
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"规范化文本：{u.normalized}")
    print(f"分词：{' / '.join(u.tokens)}")
    print(f"话题词（去掉地名和方面词后）：{' / '.join(u.topic_words) or '（无）'}")
    print(f"地区：{u.region or '—'}  区县：{u.place or '—'}  其他实体：{u.entities or '—'}")
    print(f"问的方面：{u.aspect or '—'}")
    print(f"结论：{u.outcome}  意图：{u.intent or '—'}  置信度：{u.confidence:.3f}")
    print("前五个候选：")
    for c in u.candidates:
        name = bot.kb.topics[c.intent].name if c.intent in bot.kb.topics else c.intent
        print(f"  {c.score:.3f}  {c.intent}（{name}）")
    return 0


DEFAULT_INTENT_SET = Path("tests/nlu/heldout.yaml")


def cmd_eval(args: argparse.Namespace) -> int:
    import json

    from .knowledge import DataError
    from .tools.evaluate import evaluate, format_report, load_eval_set

    if args.answers:
        return _eval_answers(args)
    bot = _load_bot(args)
    if bot is None:
        return 2
    try:
        eval_set = load_eval_set(args.set)
    except DataError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    report = evaluate(bot.matcher, eval_set)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, str(args.set)))
        if args.show_errors:
            for miss in report.misses:
                print(f"  ✗ {miss['question']}  应为 {miss['expected']}，实为 {miss['got']}（{miss['score']:.2f}）")
            for fa in report.false_accepts:
                print(f"  ✗ 范围外却接了：{fa['question']} → {fa['got']}（{fa['score']:.2f}）")
    return 0


def _eval_answers(args: argparse.Namespace) -> int:
    """The answer-level evaluation: whole conversations, facts expected, replies counted."""
    import json

    from .knowledge import DataError
    from .stores import MemoryStore
    from .tools.answer_eval import evaluate_answers, format_answer_report, load_cases, place_names

    path = args.set if args.set != DEFAULT_INTENT_SET else Path("tests/answers/heldout.yaml")
    try:
        cases = load_cases(path)
    except DataError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    bot = _load_bot(args, store=MemoryStore())
    if bot is None:
        return 2
    report = evaluate_answers(bot.handle, cases, place_names(bot.kb))
    if args.json:
        print(json.dumps({"cases": len(cases), "pass_rate": round(report.pass_rate, 4),
                          "first_reply_complete": round(report.first_rate, 4),
                          "mean_replies": round(report.mean_replies, 3),
                          "failed": [r.case.id for r in report.results if not r.passed]}, ensure_ascii=False, indent=2))
    else:
        print(format_answer_report(report, str(path), args.show_errors, args.today))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    import json

    from .tools.bench import format_bench, format_scaled, run_bench, run_scaled

    if args.stores:
        from .tools.bench_stores import format_store_bench, run_store_bench

        result = run_store_bench(args.stores)
        print(json.dumps(result, ensure_ascii=False) if args.json else format_store_bench(result))
        return 0
    if args.scale:
        result = run_scaled(args.scale, first_rounds=2 if args.short else 5)
        print(json.dumps(result, ensure_ascii=False) if args.json else format_scaled(result))
        return 0
    if args.short:
        result = run_bench(args.knowledge, args.intents, questions=200, rounds=4)
    else:
        result = run_bench(args.knowledge, args.intents, questions=args.questions, rounds=args.rounds)
    print(json.dumps(result, ensure_ascii=False) if args.json else format_bench(result))
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from .dialogtests.runner import run_suite

    return run_suite(args.paths, knowledge_dir=args.knowledge, intents_dir=args.intents,
                     default_today=args.today, keywords=args.k or (), junit=args.junit)


def cmd_record(args: argparse.Namespace) -> int:
    from .dialogtests.format import DEFAULT_TODAY
    from .dialogtests.record import record
    from .stores import MemoryStore

    args.today = args.today or DEFAULT_TODAY  # record on the day the dialog will be run on
    bot = _load_bot(args, MemoryStore())
    if bot is None:
        return 2
    return record(bot, args.file, args.name, args.today)


def _telegram_settings(command: str, base_url: str | None, webhook: str | None):
    """(token, Bot API base URL, webhook secret) from the environment; None after saying what is missing."""
    import os
    import re

    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        print("没有设置环境变量 TELEGRAM_BOT_TOKEN，Telegram 机器人没有启动。\n"
              "请先在 Telegram 里找 @BotFather 创建机器人，再运行：\n"
              "  export TELEGRAM_BOT_TOKEN=...   # 令牌只从环境变量读取，不要写在命令行或代码里\n"
              f"  policybot {command}", file=sys.stderr)
        return None
    base_url = base_url or os.environ.get("TELEGRAM_API_BASE_URL", "").strip() or None
    secret = None
    if webhook:
        secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            print("Webhook 模式需要环境变量 TELEGRAM_WEBHOOK_SECRET（1–256 个字符，只能用 A-Z a-z 0-9 _ -），"
                  "Telegram 会在每个请求里带上它，没有它的请求一律拒绝。机器人没有启动。", file=sys.stderr)
            return None
        if not webhook.startswith("https://") and base_url is None:  # a local Bot API server allows http
            print(f"webhook 地址必须是 https:// 开头的公网地址（收到的是 {webhook!r}）。", file=sys.stderr)
            return None
    return token, base_url, secret


def cmd_telegram(args: argparse.Namespace) -> int:
    import logging

    settings = _telegram_settings("telegram", args.base_url, args.webhook)
    if settings is None:
        return 2
    token, base_url, secret = settings

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("policybot.telegram").setLevel(logging.INFO)
    from .channels.telegram import Redactor, StartupError, build_application, run_polling, run_webhook

    redactor = Redactor(token, secret).install()  # before anything can log
    bot = _bot_with_store(args)
    if bot is None:
        return 2
    try:
        app = build_application(bot, token, base_url=base_url, secrets=(secret,) if secret else (),
                                startup_attempts=args.startup_attempts)
        if args.webhook:
            print(f"Telegram 机器人正在启动（webhook {args.webhook}，监听 {args.listen}:{args.port}）。Ctrl+C 停止。",
                  file=sys.stderr)
            return run_webhook(app, args.webhook, secret_token=secret, listen=args.listen, port=args.port)
        print("Telegram 机器人正在启动（长轮询）。Ctrl+C 停止。", file=sys.stderr)
        return run_polling(app)
    except StartupError as exc:
        print(redactor.redact(str(exc)), file=sys.stderr)
        return 1


def cmd_serve(args: argparse.Namespace) -> int:
    import logging
    import os

    import uvicorn

    from .channels.web import WebConfig, create_app, staff_clock
    from .stores import StoreError
    from .stores.unanswered import open_unanswered

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    password = os.environ.get("POLICYBOT_STAFF_PASSWORD", "").strip() or None
    if args.telegram_webhook and _telegram_settings("serve", None, args.telegram_webhook) is None:
        return 2
    store = _open_store(args.store, args.ttl)
    if store is None:
        return 2
    args.today = staff_clock(args.today)  # the staff page's date picker moves the clock for its own requests
    bot = _load_bot(args, store)
    if bot is None:
        return 2
    try:
        unanswered = open_unanswered(args.store, args.keep_days)
    except (StoreError, ValueError) as exc:
        print(f"无法打开未答问题存储：{exc}", file=sys.stderr)
        return 2
    config = WebConfig(staff_password=password, staff_remote=args.staff_remote, address_limit=args.address_limit,
                       https_cookies=args.https_cookies, knowledge_dir=args.knowledge, intents_dir=args.intents)
    telegram = _telegram_parts(args, bot)
    if telegram is False:
        return 2
    app = create_app(bot, unanswered, config, extra_routes=telegram.routes if telegram else (),
                     on_startup=telegram.on_startup if telegram else (),
                     on_shutdown=telegram.on_shutdown if telegram else ())
    staff = (f"员工控制台 http://{args.host}:{args.port}/staff/" if password
             else "员工控制台未开启（没有设置 POLICYBOT_STAFF_PASSWORD）")
    print(f"网页聊天 http://{args.host}:{args.port}/ ；{staff}。Ctrl+C 停止。", file=sys.stderr)
    # the engine thread is CPU-bound: a shorter GIL switch interval lets the event loop answer between turns
    sys.setswitchinterval(0.001)
    # the access log shows method, path and status only: message texts travel in bodies, never in URLs
    uvicorn.run(app, host=args.host, port=args.port, log_level="info" if args.access_log else "warning",
                access_log=args.access_log, proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                timeout_keep_alive=30)  # longer than a queued answer may take under load
    return 0


def _telegram_parts(args: argparse.Namespace, bot):
    """The Telegram webhook's routes and hooks for `serve --telegram-webhook`; None without it; False on failure."""
    if not args.telegram_webhook:
        return None
    import logging

    from .channels.telegram import StartupError
    from .channels.web.telegram_bridge import telegram_parts

    token, base_url, secret = _telegram_settings("serve", None, args.telegram_webhook)
    logging.getLogger("policybot.telegram").setLevel(logging.INFO)
    try:
        parts = telegram_parts(bot, token, args.telegram_webhook, secret, base_url)
    except StartupError as exc:
        print(str(exc), file=sys.stderr)
        return False
    print(f"Telegram webhook：{args.telegram_webhook}（本机路径 {parts.routes[0].path}）", file=sys.stderr)
    return parts


PERIOD_UNITS = {"d": 86400, "h": 3600, "m": 60}


def _period(text: str) -> str:
    """'7d', '12h' or '30m' (checked here, turned into seconds by _seconds)."""
    if len(text) < 2 or text[-1] not in PERIOD_UNITS or not text[:-1].isdigit():
        raise argparse.ArgumentTypeError(f"时间要写成 7d、12h 或 30m（收到的是 {text!r}）")
    return text


def _seconds(period: str) -> float:
    return int(period[:-1]) * PERIOD_UNITS[period[-1]]


def cmd_report(args: argparse.Namespace) -> int:
    import time

    from .knowledge import load_knowledge
    from .reports.unanswered import format_report, group_questions, intent_names, write_csv
    from .stores import StoreError
    from .stores.unanswered import open_unanswered

    if args.store == "memory":
        print("memory 存储不保存任何东西；请指定 policybot serve 用的 --store。", file=sys.stderr)
        return 2
    try:
        questions = open_unanswered(args.store).since(time.time() - _seconds(args.since))
    except (StoreError, ValueError) as exc:
        print(f"无法读取未答问题：{exc}", file=sys.stderr)
        return 2
    kb, _ = load_knowledge(args.knowledge, args.intents)
    names = intent_names(kb.topics)
    groups = group_questions(questions)
    if args.csv:
        with open(args.csv, "w", encoding="utf-8-sig", newline="") as out:  # BOM: Excel opens it as UTF-8
            write_csv(groups, names, out)
        print(f"已写入 {args.csv}（{len(groups)} 组）", file=sys.stderr)
    else:
        print(format_report(groups, names, f"最近 {args.since}"))
    return 0


def _add_web_parsers(sub) -> None:
    """`serve` (the web app) and `report unanswered`."""
    p = sub.add_parser("serve", help="网页聊天和员工控制台（一个 ASGI 应用，uvicorn 运行）")
    _common(p)
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，只允许本机）")
    p.add_argument("--port", type=int, default=8080, help="端口（默认 8080）")
    p.add_argument("--store", default="sqlite:var/web.sqlite3",
                   help="会话和未答问题的存储：memory、sqlite:路径 或 redis://主机:端口/库号（默认 sqlite:var/web.sqlite3）")
    p.add_argument("--ttl", type=float, default=30, help="会话闲置多少分钟后过期（默认 30）")
    p.add_argument("--keep-days", type=float, default=30, help="未答问题保留几天（默认 30）")
    p.add_argument("--address-limit", type=int, default=60,
                   help="每个来源地址每 10 秒最多几条消息（默认 60；0＝不限，只用于压力测试）")
    p.add_argument("--staff-remote", action="store_true", help="允许非本机访问员工控制台（默认只允许本机）")
    p.add_argument("--https-cookies", action="store_true", help="员工登录 cookie 只走 https（放在 https 反向代理后面时用）")
    p.add_argument("--access-log", action="store_true", help="打印访问日志（只有方法、路径和状态码，没有消息内容）")
    p.add_argument("--telegram-webhook", metavar="URL", default=None,
                   help="同一个服务也接收 Telegram webhook：Telegram 把消息 POST 到这个 https 地址（令牌取自 "
                        "TELEGRAM_BOT_TOKEN，密钥取自 TELEGRAM_WEBHOOK_SECRET，Bot API 地址可用 TELEGRAM_API_BASE_URL）")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("report", help="报告：report unanswered 列出机器人没能回答的问题")
    report = p.add_subparsers(dest="report", required=True)
    p = report.add_parser("unanswered", help="未答问题：按相似说法分组，附次数和最接近的意图")
    _common(p)
    p.add_argument("--since", type=_period, default="7d", help="最近多久（7d、12h、30m；默认 7d）")
    p.add_argument("--store", default="sqlite:var/web.sqlite3", help="policybot serve 用的存储（默认 sqlite:var/web.sqlite3）")
    p.add_argument("--csv", type=Path, metavar="FILE", help="写成 CSV 文件（Excel 可直接打开）")
    p.set_defaults(func=cmd_report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policybot", description="政策问答助手")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="检查知识库：格式、引用和每个数字的出处")
    _common(p)
    p.add_argument("--quiet", action="store_true", help="只报告问题，不列出政策")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("chat", help="员工测试台：像市民一样提问，看机器人怎么回答")
    _common(p)
    p.add_argument("--debug", action="store_true", help="每次回复后显示意图、置信度、候选、状态和记住的信息")
    p.add_argument("--jsonl", action="store_true", help='每行读入 {"session": "...", "text": "..."}，每行输出一个 JSON 回复')
    p.add_argument("--store", default="sqlite:var/sessions.sqlite3",
                   help="会话存储：memory、sqlite:路径 或 redis://主机:端口/库号（默认 sqlite:var/sessions.sqlite3）")
    p.add_argument("--ttl", type=float, default=30, help="会话闲置多少分钟后过期（默认 30）")
    p.add_argument("--session", default="console", help="会话编号（默认 console）")
    p.add_argument("--history", default=str(Path.home() / ".policybot_history"), help="输入历史文件")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("explain", help="看机器人怎么理解一句话：规范化、分词、实体、方面、前五个候选")
    _common(p)
    p.add_argument("question", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("eval", help="在独立评测集上衡量理解准确率")
    _common(p)
    p.add_argument("--set", type=Path, default=DEFAULT_INTENT_SET,
                   help="评测文件（默认 tests/nlu/heldout.yaml；加 --answers 时默认 tests/answers/heldout.yaml）")
    p.add_argument("--answers", action="store_true", help="回答评测：整段对话，检查事实是否给到、要几条回复")
    p.add_argument("--json", action="store_true", help="输出机器可读的 JSON 报告")
    p.add_argument("--show-errors", action="store_true", help="列出每个答错的问题")
    p.set_defaults(func=cmd_eval)

    _add_bench_parser(sub)
    _add_telegram_parser(sub)
    _add_web_parsers(sub)

    _add_dialog_test_parsers(sub)
    return parser


def _add_bench_parser(sub) -> None:
    p = sub.add_parser("bench", help="性能：加载时间、每个问题和每轮对话的延迟、内存峰值")
    _common(p)
    p.add_argument("--short", action="store_true", help="快速模式（只证明能跑）")
    p.add_argument("--questions", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=60, help="对话模式重复几遍示例对话")
    p.add_argument("--scale", type=int, metavar="K", default=0,
                   help="再造一份 ×K 的知识库和意图（例句各不相同，放在临时目录），与 ×1 并排报告加载、p50、p99")
    p.add_argument("--stores", type=int, metavar="N", default=0,
                   help="会话存储：N 个会话 × 3 轮时 SQLite / Redis 的每秒轮数（前后各 1,000 个会话），内存存储过期后的 RSS")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)


def _add_telegram_parser(sub) -> None:
    p = sub.add_parser("telegram", help="作为 Telegram 机器人运行（令牌取自环境变量 TELEGRAM_BOT_TOKEN）")
    _common(p)
    p.add_argument("--store", default="sqlite:var/telegram.sqlite3",
                   help="会话存储：sqlite:路径 或 redis://主机:端口/库号（多个进程时用 Redis；默认 sqlite:var/telegram.sqlite3）")
    p.add_argument("--ttl", type=float, default=30, help="会话闲置多少分钟后过期（默认 30）")
    p.add_argument("--base-url", default=None,
                   help="自建 Bot API 服务器地址，例如 http://127.0.0.1:8081/bot（也可用环境变量 TELEGRAM_API_BASE_URL）")
    p.add_argument("--webhook", metavar="URL", default=None,
                   help="用 webhook 代替长轮询：Telegram 把消息 POST 到这个 https 地址（密钥取自 TELEGRAM_WEBHOOK_SECRET）")
    p.add_argument("--listen", default="0.0.0.0", help="webhook 监听地址（默认 0.0.0.0）")
    p.add_argument("--port", type=int, default=8443, help="webhook 监听端口（默认 8443）")
    p.add_argument("--startup-attempts", type=int, default=5,
                   help="启动时连接 Telegram 失败的重试次数（间隔逐次加倍；令牌被拒绝时不重试）")
    p.set_defaults(func=cmd_telegram)


def _add_dialog_test_parsers(sub) -> None:
    p = sub.add_parser("test", help="运行对话测试（tests/dialogs/*.yaml）：逐段对话核对机器人的回复")
    _common(p)
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="对话文件或文件夹（默认 tests/dialogs/）")
    p.add_argument("-k", action="append", metavar="TEXT", help="只运行名字或标签里含有 TEXT 的对话（可写多次）")
    p.add_argument("--junit", type=Path, metavar="FILE", help="另外写一份 JUnit XML 报告（给 CI 用）")
    p.set_defaults(func=cmd_test)
    # --today here: the day for dialogs that have no `today:` (default 2026-11-22)

    p = sub.add_parser("record", help="录制对话测试：在测试台里和机器人对话，退出时追加到 FILE")
    _common(p)
    p.add_argument("file", type=Path, metavar="FILE", help="追加到哪个对话文件，例如 tests/dialogs/失业金.yaml")
    p.add_argument("--name", default=None, help="对话的名字（默认：录制 + 时间）")
    p.set_defaults(func=cmd_record)

def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `policybot eval | head` closes the pipe early; that is not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
