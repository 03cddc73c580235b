"""Derived data kept from one start to the next (jieba's dictionary, the examples' cuts, parsed data files).

Every file is named by a hash of everything it was made from, so an edit never meets a stale file; deleting
any of them is always safe (the next start makes it again). They live in var/cache/ of the checkout, or the
user's cache directory when the checkout is read-only, or $POLICYBOT_CACHE_DIR.
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from .paths import DEFAULT_CACHE_DIR

log = logging.getLogger("policybot")


def cache_dirs() -> list[Path]:
    """Where the caches may live, first choice first (POLICYBOT_CACHE_DIR overrides)."""
    override = os.environ.get("POLICYBOT_CACHE_DIR")
    if override:
        return [Path(override)]
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policybot"
    return [DEFAULT_CACHE_DIR, user]


def write_cache(path: Path, data: bytes) -> bool:
    """Write whole or not at all (a temporary file renamed into place); False when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
        return True
    except OSError as exc:
        log.debug("cache not written to %s: %s", path, exc)
        return False


def prune(directory: Path, pattern: str, keep: int) -> None:
    """Remove all but the `keep` most recently written files matching `pattern`."""
    try:
        files = sorted(directory.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink()
    except OSError as exc:
        log.debug("old caches not removed from %s: %s", directory, exc)
