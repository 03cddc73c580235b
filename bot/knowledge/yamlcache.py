"""Data files as parsed at an earlier start: what libyaml and the line-number constructors made of a file,
kept by a hash of the file's text and of the constructors, and read back in one unpickling.

Parsing is most of what loading a large knowledge base costs (×20: 1.3 s of YAML against 0.1 s to read
the same objects back). Only a file that parsed without a problem is kept, so every message about a
broken file still comes from the parser. The unpickler builds only the types YAML itself makes (the
line-numbered mappings and sequences, dates and times): anything else in a cache file makes it a miss.
"""
from __future__ import annotations

import datetime
import hashlib
import io
import pickle
import sys
from pathlib import Path
from typing import Any

import yaml

from .cachefiles import cache_dirs, prune, write_cache
from .yamlio import LineDict, LineList, Problem, display_path, parse_yaml, read_text

KEPT_FILES = 96   # parsed files kept (the bundled ones, a bench copy, a few edited versions)
# the constructors' source and the libraries' versions: changing any of them starts afresh
_VERSION = hashlib.sha1(b"\0".join([
    Path(__file__).with_name("yamlio.py").read_bytes(), yaml.__version__.encode(),
    str(sys.version_info[:2]).encode(), str(pickle.HIGHEST_PROTOCOL).encode()])).hexdigest()[:12]
_TYPES = {("bot.knowledge.yamlio", "LineDict"): LineDict, ("bot.knowledge.yamlio", "LineList"): LineList,
          **{("datetime", name): getattr(datetime, name) for name in ("date", "datetime", "timedelta", "timezone")}}


class _DataUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = _TYPES.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not a type YAML makes")
        return found


def read_cached(path: Path, dirs: list[Path] | None = None) -> tuple[Any, list[Problem]]:
    """`read_yaml(path)`, from the cache when this very text was parsed before."""
    text, problems = read_text(path)
    if text is None:
        return None, problems
    name = f"yaml-{_VERSION}-{hashlib.sha1(text.encode('utf-8', 'surrogatepass')).hexdigest()[:20]}.pickle"
    candidates = dirs if dirs is not None else cache_dirs()
    for directory in candidates:
        try:
            return _DataUnpickler(io.BytesIO((directory / name).read_bytes())).load(), []
        except (OSError, EOFError, ValueError, TypeError, AttributeError, IndexError, pickle.UnpicklingError):
            continue
    data, problems = parse_yaml(text, display_path(path))
    if not problems:
        blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        written = next((d for d in candidates if write_cache(d / name, blob)), None)
        if written is not None:
            prune(written, "yaml-*.pickle", keep=KEPT_FILES)
    return data, problems
