"""The knowledge base as an earlier start loaded and checked it, read back in one unpickling.

Building the records from the parsed files and checking every figure against its source is the same work
at every start (×20: about 0.3 s; reading the result back: under 0.1 s). The file is named by a hash of
every file under the knowledge and intents folders (paths and bytes), the code of the packages that load
it and the libraries' versions, and it is written only after a strict load found no problem: broken data
never meets a kept base, and every message about it still comes from the loader. Deleting it is always
safe. The unpickler builds only the knowledge model's own types and dates: anything else makes it a miss.
"""
from __future__ import annotations

import datetime
import hashlib
import io
import logging
import pickle
from pathlib import Path
from typing import Any

from . import model
from .cachefiles import cache_dirs, prune, write_cache
from .loader import load_knowledge_strict
from .paths import DEFAULT_INTENTS_DIR, DEFAULT_KNOWLEDGE_DIR
from .textcache import code_version

log = logging.getLogger("policybot")
KEPT_FILES = 6   # bases kept (the bundled one, a bench copy, a few edited versions)


class _KnowledgeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = getattr(model, name, None) if module == model.__name__ else None
        if module == "datetime" and name == "date":
            found = datetime.date
        if not isinstance(found, type) or (found is not datetime.date and found.__module__ != model.__name__):
            raise pickle.UnpicklingError(f"{module}.{name} is not a type of the knowledge model")
        return found


def data_digest(*folders: Path) -> str:
    """A hash of every file under these folders: its path within the folder and its bytes."""
    digest = hashlib.sha1(code_version())
    for n, folder in enumerate(folders):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(f"\0{n}\0{path.relative_to(folder).as_posix()}\0".encode() + path.read_bytes())
    return digest.hexdigest()[:24]


def load_checked(knowledge_dir: Path | None = None, intents_dir: Path | None = None,
                 dirs: list[Path] | None = None) -> model.KnowledgeBase:
    """`load_knowledge_strict(knowledge_dir, intents_dir)`, read back when these very files loaded cleanly
    before (raises `DataError` on broken data, as it does)."""
    folders = Path(knowledge_dir or DEFAULT_KNOWLEDGE_DIR), Path(intents_dir or DEFAULT_INTENTS_DIR)
    try:
        name = f"knowledge-{data_digest(*folders)}.pickle"
    except OSError as exc:   # a file that cannot be read: no name, so nothing kept (the loader says what it reads)
        log.debug("knowledge base not kept: %s", exc)
        return load_knowledge_strict(*folders)
    candidates = dirs if dirs is not None else cache_dirs()
    for directory in candidates:
        try:
            found = _KnowledgeUnpickler(io.BytesIO((directory / name).read_bytes())).load()
        except (OSError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
                pickle.UnpicklingError):
            continue
        if isinstance(found, model.KnowledgeBase):
            return found
    kb = load_knowledge_strict(*folders)
    written = next((d for d in candidates if write_cache(d / name, pickle.dumps(kb, pickle.HIGHEST_PROTOCOL))), None)
    if written is not None:
        prune(written, "knowledge-*.pickle", keep=KEPT_FILES)
    return kb
