"""Work of an earlier start: what a function made of the data's texts, kept from one start to the next.

Start-up reads every example, FAQ phrasing and source sentence the way questions are read (script, width,
synonyms, places, jieba) and builds indexes over them (the matcher's examples, the FAQ's bigrams, the
source sentences, the known bigrams): at ×20 most of a second, the same every time. A file holds one such
result, named by a hash of its inputs (the texts and what the function depends on besides the code: the
synonyms, the places), of the code of the packages that compute it and of the libraries' versions, so no
edit ever meets a stale file; deleting any of them is always safe (the next start makes it again).
"""
from __future__ import annotations

import hashlib
import marshal
import sys
import unicodedata
from pathlib import Path
from typing import Callable, TypeVar

import numpy
import opencc
import yaml

from .cachefiles import cache_dirs, prune, write_cache

T = TypeVar("T")
KEPT_FILES = 24   # results kept (the bundled data's few, a bench copy's, a few edited versions)
_BOT = Path(__file__).resolve().parents[1]


def code_version() -> bytes:
    """The source of every module that folds or reads the texts, and the versions of what they call."""
    digest = hashlib.sha1()
    for path in sorted((*_BOT.glob("nlu/*.py"), *_BOT.glob("answers/*.py"), *_BOT.glob("knowledge/*.py"))):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(repr((sys.version_info[:2], unicodedata.unidata_version, opencc.__version__,
                        marshal.version, numpy.__version__, yaml.__version__)).encode())
    return digest.digest()


class TextCache:
    """`StartupWork` (bot/nlu/memo.py) kept in the cache directories (first choice first)."""

    def __init__(self, dirs: list[Path] | None = None):
        self.dirs = dirs if dirs is not None else cache_dirs()
        self._version = code_version()

    def value(self, kind: str, inputs: object, build: Callable[[], T], valid: Callable[[object], bool]) -> T:
        """`build()`, or what it returned at an earlier start for the same `inputs` (builtins only: str,
        tuples, lists, dicts) and code. `valid`: the shape a file must have to be used."""
        digest = hashlib.sha1(self._version + marshal.dumps(inputs)).hexdigest()[:24]
        name = f"{kind}-{digest}.marshal"
        for directory in self.dirs:
            try:
                found = marshal.loads((directory / name).read_bytes())
            except (OSError, EOFError, ValueError, TypeError):
                continue
            if valid(found):
                return found  # type: ignore[return-value]
        result = build()
        written = next((d for d in self.dirs if write_cache(d / name, marshal.dumps(result))), None)
        if written is not None:
            prune(written, f"{kind}-*.marshal", keep=KEPT_FILES)
        return result

