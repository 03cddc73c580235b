"""The knowledge base as loaded at an earlier start (bot/knowledge/kbcache.py): the very base a strict load
gives, never a base of other files or other code, and never one read from a damaged or foreign file."""
from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from bot.knowledge import DataError, load_knowledge_strict
from bot.knowledge import kbcache

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data(tmp_path) -> tuple[Path, Path]:
    knowledge, intents = tmp_path / "knowledge", tmp_path / "intents"
    shutil.copytree(ROOT / "knowledge", knowledge)
    shutil.copytree(ROOT / "intents", intents)
    return knowledge, intents


def test_read_back_is_the_strict_load(tmp_path, data):
    cache = [tmp_path / "cache"]
    fresh = load_knowledge_strict(*data)
    assert kbcache.load_checked(*data, dirs=cache) == fresh
    [kept] = cache[0].glob("knowledge-*.pickle")
    written = kept.stat().st_mtime_ns
    assert kbcache.load_checked(*data, dirs=cache) == fresh
    assert kept.stat().st_mtime_ns == written          # read back, not written again


def test_edited_files_and_code_never_meet_a_kept_base(tmp_path, data, monkeypatch):
    cache = [tmp_path / "cache"]
    knowledge, intents = data
    kbcache.load_checked(*data, dirs=cache)
    faq = sorted((knowledge / "faq").glob("*.yaml"))[0]
    faq.write_text(faq.read_text(encoding="utf-8").replace("：", ":", 1), encoding="utf-8")
    assert kbcache.load_checked(*data, dirs=cache) == load_knowledge_strict(*data)
    (intents / "new.txt").write_text("x", encoding="utf-8")          # any file of the folders counts
    assert kbcache.load_checked(*data, dirs=cache) == load_knowledge_strict(*data)
    monkeypatch.setattr(kbcache, "code_version", lambda: b"other code")
    assert kbcache.load_checked(*data, dirs=cache) == load_knowledge_strict(*data)
    assert len(list(cache[0].glob("knowledge-*.pickle"))) == 4


def test_broken_data_is_refused_however_it_was_kept(tmp_path, data):
    cache = [tmp_path / "cache"]
    knowledge, _ = data
    kbcache.load_checked(*data, dirs=cache)
    index = knowledge / "sources" / "index.yaml"
    index.write_text(index.read_text(encoding="utf-8") + "\n  - key: [broken\n", encoding="utf-8")
    with pytest.raises(DataError):
        kbcache.load_checked(*data, dirs=cache)
    assert len(list(cache[0].glob("knowledge-*.pickle"))) == 1     # nothing kept of a broken load


class _Foreign:
    pass


def test_a_damaged_or_foreign_kept_file_is_a_miss(tmp_path, data):
    cache = [tmp_path / "cache"]
    fresh = kbcache.load_checked(*data, dirs=cache)
    [kept] = cache[0].glob("knowledge-*.pickle")
    whole = kept.read_bytes()
    for damaged in (whole[: len(whole) // 2], b"\x00damaged", pickle.dumps(_Foreign()), pickle.dumps([1, 2]),
                    pickle.dumps(fresh.faq)):
        kept.write_bytes(damaged)
        assert kbcache.load_checked(*data, dirs=cache) == fresh


def test_each_document_keeps_its_folded_text_read_back_and_replaced_alike(tmp_path, data):
    from dataclasses import replace

    from bot.knowledge.grounding import fold

    kbcache.load_checked(*data, dirs=[tmp_path / "cache"])
    kept = kbcache.load_checked(*data, dirs=[tmp_path / "cache"])
    for doc in kept.sources.values():
        assert doc.folded == fold(doc.text) and doc.folded
        edited = replace(doc, text=doc.text + " ２０２６年 底")
        assert edited.folded == fold(edited.text) != doc.folded


def test_a_file_that_cannot_be_read_means_a_plain_strict_load(tmp_path, data, monkeypatch):
    def unreadable(*folders):
        raise PermissionError("stray file")

    monkeypatch.setattr(kbcache, "data_digest", unreadable)
    assert kbcache.load_checked(*data, dirs=[tmp_path / "cache"]) == load_knowledge_strict(*data)
    assert not (tmp_path / "cache").exists()
