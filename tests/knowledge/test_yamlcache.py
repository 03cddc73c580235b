"""Parsed data files read back from the cache are the very data (and line numbers) the parser gives."""
from __future__ import annotations

import pickle
from pathlib import Path

from bot.knowledge import yamlcache
from bot.knowledge.yamlio import read_yaml
from yaml_lines import with_lines

ROOT = Path(__file__).resolve().parents[2]


def test_every_data_file_reads_back_as_parsed(tmp_path):
    files = sorted((ROOT / "knowledge").rglob("*.yaml")) + sorted((ROOT / "intents").glob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        parsed, problems = read_yaml(path)
        assert not problems
        built = yamlcache.read_cached(path, [tmp_path])     # parsed, then kept
        again = yamlcache.read_cached(path, [tmp_path])     # read back
        assert built[1] == again[1] == []
        assert with_lines(built[0]) == with_lines(again[0]) == with_lines(parsed), path
    assert len(list(tmp_path.glob("yaml-*.pickle"))) == len(set(p.read_text(encoding="utf-8") for p in files))


def test_a_broken_file_is_reported_by_the_parser_and_never_kept(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: a\nitems: [1, 2\n", encoding="utf-8")
    cache = tmp_path / "cache"
    assert yamlcache.read_cached(broken, [cache])[1] == read_yaml(broken)[1] != []
    assert not list(cache.glob("*")) if cache.exists() else True
    assert yamlcache.read_cached(tmp_path / "missing.yaml", [cache])[1] == read_yaml(tmp_path / "missing.yaml")[1]


def test_a_damaged_or_foreign_cache_file_is_a_miss(tmp_path):
    path = tmp_path / "data.yaml"
    path.write_text("when: 2026-11-25\nitems: [a, b]\n", encoding="utf-8")
    cache = tmp_path / "cache"
    yamlcache.read_cached(path, [cache])
    (kept,) = cache.glob("yaml-*.pickle")
    for blob in (b"garbage", pickle.dumps({"x": Path("/")})):  # not a pickle / a type YAML does not make
        kept.write_bytes(blob)
        data, problems = yamlcache.read_cached(path, [cache])
        assert not problems and with_lines(data) == with_lines(read_yaml(path)[0])
