"""政策问答助手 — the engine API: `PolicyBot.load(...)` and `bot.handle(session_id, text) -> Reply`."""
from .dialog.reply import Reply
from .engine import PolicyBot

__all__ = ["PolicyBot", "Reply"]
