"""Shared fixtures: the real knowledge base and one loaded engine for the whole run (loading takes ~1 s)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot import PolicyBot
from bot.stores import MemoryStore

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 22)


@pytest.fixture(scope="session")
def loaded_bot() -> PolicyBot:
    return PolicyBot.load(today=TODAY)


@pytest.fixture
def new_bot(loaded_bot):
    """A fresh conversation memory around the shared engine; pass a date to move the clock."""

    def make(today: date = TODAY, store=None) -> PolicyBot:
        return PolicyBot(loaded_bot.dialog, store or MemoryStore(), lambda: today)

    return make


@pytest.fixture
def chat(new_bot):
    """chat("msg", "msg", ...) → list of replies in one session."""

    def run(*messages: str, today: date = TODAY, session: str = "t"):
        bot = new_bot(today)
        return [bot.handle(session, m) for m in messages]

    return run
