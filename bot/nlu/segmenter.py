"""jieba, loaded fast: the project's own cache of jieba's prefix dictionary, read in one go.

jieba's own cache is read with `marshal.load(file)`, which reads the file in small pieces (~0.5 s at
start-up); `marshal.loads(path.read_bytes())` of the same data takes a third of that. The cache lives in
var/cache/ (or the user cache directory when the checkout is read-only), named by a hash of the
dictionary's content, so a new jieba release or an edited dictionary gets a new cache by itself.
"""
from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import tempfile
from io import BytesIO
from pathlib import Path

from ..knowledge.paths import DEFAULT_CACHE_DIR

log = logging.getLogger("policybot")


def _import_jieba():
    """jieba imports pkg_resources (50 ms, deprecated) only to open its own files; without it, it opens
    them by path. Hide pkg_resources for that one import unless something else already loaded it."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba
        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment] — makes `import pkg_resources` fail
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()
jieba.setLogLevel(logging.WARNING)


def cache_dirs() -> list[Path]:
    """Where the dictionary cache may live, first choice first (POLICYBOT_CACHE_DIR overrides)."""
    override = os.environ.get("POLICYBOT_CACHE_DIR")
    if override:
        return [Path(override)]
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policybot"
    return [DEFAULT_CACHE_DIR, user]


def _dictionary_path() -> Path:
    return Path(jieba.__file__).resolve().parent / jieba.DEFAULT_DICT_NAME


def _write_cache(path: Path, data: bytes) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".jieba-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
        return True
    except OSError as exc:
        log.debug("jieba cache not written to %s: %s", path, exc)
        return False


def load_prefix_dict(dirs: list[Path] | None = None) -> tuple[dict[str, int], int]:
    """jieba's (FREQ, total) for the default dictionary, from the content-keyed cache when present."""
    source = _dictionary_path()
    with source.open("rb") as dictionary:
        digest = hashlib.file_digest(dictionary, "sha1").hexdigest()
    name = f"jieba-{digest[:16]}.marshal"
    candidates = dirs if dirs is not None else cache_dirs()
    for directory in candidates:
        try:
            freq, total = marshal.loads((directory / name).read_bytes())
            return freq, total
        except (OSError, EOFError, ValueError, TypeError):
            continue
    builder = jieba.Tokenizer()
    freq, total = builder.gen_pfdict(BytesIO(source.read_bytes()))
    data = marshal.dumps((freq, total))
    for directory in candidates:
        if _write_cache(directory / name, data):
            break
    return freq, total


def make_tokenizer(userdict: Path | None, dirs: list[Path] | None = None):
    """A jieba.Tokenizer of its own (never the global one) with the project's user dictionary."""
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = load_prefix_dict(dirs)
    tokenizer.initialized = True
    if userdict:
        tokenizer.load_userdict(str(userdict))
    return tokenizer
