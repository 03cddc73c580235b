"""The one place that says where the bundled data lives; every reader takes its defaults from here."""
from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_KNOWLEDGE_DIR = PACKAGE_ROOT / "knowledge"
DEFAULT_INTENTS_DIR = PACKAGE_ROOT / "intents"
# Derived data that is safe to delete (the jieba dictionary cache); rebuilt on the next start.
DEFAULT_CACHE_DIR = PACKAGE_ROOT / "var" / "cache"
