"""The staff console: a clerk types as a citizen would and sees exactly what the bot replies."""
from __future__ import annotations

import json
import sys
from typing import Callable, TextIO

from ..reply import Reply
from ..engine import PolicyBot, TurnResult

PROMPT = "您> "
EXIT_WORDS = ("/quit", "/exit", "退出")


def format_reply(reply: Reply) -> str:
    lines = [reply.text]
    for i, option in enumerate(reply.options, 1):
        lines.append(f"  [{i}] {option}")
    return "\n".join(lines)


def format_debug(turn: TurnResult) -> str:
    """The engine's reading of the turn just taken — the same understanding, not a second one."""
    reply, u, session = turn.reply, turn.understanding, turn.session
    # no understanding: a button, a command or nothing readable — the matcher was not asked
    top = "  ".join(f"{c.intent}:{c.score:.2f}" for c in u.candidates[:3]) if u else "按钮/命令，未经匹配器"
    slots = {k: getattr(session, k) for k in ("region", "place", "topic", "policy", "answers")} if session else {}
    return (f"  ⟨intent={reply.intent} conf={reply.confidence:.2f} state={reply.state} policy={reply.policy} "
            f"aspect={u.aspect if u else None} top=[{top}] slots={json.dumps(slots, ensure_ascii=False)}⟩")


def _enable_line_editing(history_file: str | None) -> None:
    try:
        import readline  # noqa: F401 — importing it gives input() line editing and history
    except ImportError:
        return
    if history_file:
        import atexit
        import readline as rl

        try:
            rl.read_history_file(history_file)
        except OSError:
            pass
        atexit.register(lambda: _save_history(rl, history_file))


def _save_history(rl, path: str) -> None:
    try:
        rl.write_history_file(path)
    except OSError:
        pass


def run_console(bot: PolicyBot, session_id: str = "console", debug: bool = False,
                history_file: str | None = None, on_turn: Callable[[str, Reply], None] | None = None,
                out: TextIO = sys.stdout) -> int:
    """Read a line, answer it; numbers pick options. Ends on /quit, 退出 or end of input."""
    if sys.stdin.isatty():
        _enable_line_editing(history_file)
    print("政策问答助手（员工测试台）。直接输入问题；回复序号选择选项；“返回”上一步，“重新开始”从头，/quit 退出。",
          file=out)
    print(f"今天按 {bot.today().isoformat()} 计算。", file=out)
    while True:
        try:
            text = input(PROMPT)
        except EOFError:
            print(file=out)
            return 0
        except KeyboardInterrupt:
            print(file=out)
            return 0
        if text.strip() in EXIT_WORDS:
            return 0
        turn = bot.take_turn(session_id, text)
        reply = turn.reply
        print(format_reply(reply), file=out)
        if debug:
            print(format_debug(turn), file=out)
        if on_turn:
            on_turn(text, reply)
        print(file=out)


def run_jsonl(bot: PolicyBot, lines: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """One JSON object per input line → one JSON Reply per output line; a bad line gets an error object."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if not isinstance(request, dict) or not isinstance(request.get("text", ""), str):
                raise ValueError("需要形如 {\"session\": \"...\", \"text\": \"...\"} 的对象")
            reply = bot.handle(str(request.get("session", "jsonl")), request.get("text", ""))
            out.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
        except ValueError as exc:
            out.write(json.dumps({"error": f"第{number}行：{exc}"}, ensure_ascii=False) + "\n")
        out.flush()
    return 0
