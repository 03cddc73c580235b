"""政策问答助手 — the engine API: `PolicyBot.load(...)` and `bot.handle(session_id, text) -> Reply`."""
from .engine import PolicyBot
from .reply import Reply

__all__ = ["PolicyBot", "Reply"]
