"""Constants shared by the Telegram tests (imported by name: `conftest` is ambiguous across test folders)."""
from __future__ import annotations

from datetime import date

TOKEN = "7000000001:AAH-fake_T0KEN_for_tests_9f8e7d6c5b4a"
TODAY = date(2026, 11, 22)
