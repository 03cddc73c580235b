"""Constants and helpers the web tests share (a module of its own: `conftest` is a name every test folder uses)."""
from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 22)
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "web"
PASSWORD = "correct horse 电池 staple"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
