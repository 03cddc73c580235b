"""The one small interface every session store implements."""
from __future__ import annotations

import time
from typing import Callable, Protocol, runtime_checkable

DEFAULT_TTL_SECONDS = 30 * 60


class StoreError(Exception):
    """The store could not be reached or answered nonsense; the dialog turns this into an apology."""


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


Clock = Callable[[], float]
wall_clock: Clock = time.time
