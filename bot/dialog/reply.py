"""Compatibility: `Reply` now lives in `bot.reply` (outside the conversation package)."""
from ..reply import Reply

__all__ = ["Reply"]
