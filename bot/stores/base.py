"""The one small interface every session store implements, and what every store does to state it keeps."""
from __future__ import annotations

import time
from typing import Callable, Protocol, runtime_checkable

from ..privacy import mask

DEFAULT_TTL_SECONDS = 30 * 60
RECORD_TTL_SECONDS = 24 * 3600     # a turn record (outbox) lives as long as Telegram may redeliver an update
MAX_CONTEXT_CHARS = 300            # the user's words kept for condition cues: enough for a few messages
MAX_STORED_HISTORY = 12            # steps "返回" can undo


class StoreError(Exception):
    """The store could not be reached or answered nonsense; the dialog turns this into an apology."""


class FenceLost(StoreError):
    """A turn was committed by a process that no longer holds the chat's lock: its result is discarded."""


@runtime_checkable
class SessionStore(Protocol):
    ttl_seconds: float

    def get(self, session_id: str) -> dict | None:
        """The session's JSON state, or None when there is none or it has expired."""

    def put(self, session_id: str, state: dict) -> None:
        """Save the state and restart its idle timer."""

    def delete(self, session_id: str) -> None: ...

    def claim(self, key: str, ttl_seconds: float) -> bool:
        """True the first time a key is claimed within ttl_seconds (used to answer a delivery once)."""

    def commit(self, session_id: str, state: dict, record_key: str, record: dict, fence: object = None) -> None:
        """Save the session and a turn record in one atomic step (the outbox of a channel)."""

    def get_record(self, record_key: str) -> dict | None: ...

    def purge_expired(self) -> int:
        """Delete expired sessions now; returns how many (Redis expires keys by itself: 0)."""

    def check(self) -> None:
        """Raise StoreError with a clear message when the store cannot be read and written."""


Clock = Callable[[], float]
wall_clock: Clock = time.time


def storage_key(key: object) -> str:
    """Any session id → a key every backend accepts (a lone surrogate cannot be encoded as UTF-8)."""
    text = str(key)
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _scrub_one(state: dict) -> dict:
    out = dict(state)
    context = out.get("context_text")
    if isinstance(context, str):
        out["context_text"] = mask(context[-MAX_CONTEXT_CHARS:])
    prefilled = out.get("prefilled")
    if isinstance(prefilled, dict):
        out["prefilled"] = {k: mask(v[-MAX_CONTEXT_CHARS:]) if isinstance(v, str) else v
                            for k, v in prefilled.items()}
    return out


def scrub_state(state: dict) -> dict:
    """What a store keeps: user words masked (phone, ID numbers) and cut, and a bounded history.

    Only the fields that carry what a person typed are touched; the bot's own wording (prompts, with
    office phone numbers) is kept as it is."""
    if not isinstance(state, dict):
        return state
    out = _scrub_one(state)
    history = out.get("history")
    if isinstance(history, list):
        out["history"] = [_scrub_one(h) if isinstance(h, dict) else h for h in history[-MAX_STORED_HISTORY:]]
    return out
