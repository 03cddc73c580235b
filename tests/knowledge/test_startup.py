"""Start-up (issue 14, the loading part): identical data from the C YAML loader, each data file read once,
jieba's dictionary from the project's own cache, and no pkg_resources on the import path."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml

from bot import PolicyBot
from bot.knowledge import kbcache, yamlio
from bot.nlu import segmenter
from yaml_lines import with_lines

ROOT = Path(__file__).resolve().parents[2]


class _PureLoader(yaml.SafeLoader):
    """The pure-Python parser with the project's constructors: the reference the C loader must match."""


for tag, constructor in yamlio._LineLoader.yaml_constructors.items():
    _PureLoader.add_constructor(tag, constructor)


def test_c_loader_gives_the_same_data_and_line_numbers_as_the_pure_python_one():
    assert yamlio._LineLoader.__mro__[1] is yaml.CSafeLoader
    files = sorted((ROOT / "knowledge").rglob("*.yaml")) + sorted((ROOT / "intents").glob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert with_lines(yaml.load(text, Loader=yamlio._LineLoader)) == \
            with_lines(yaml.load(text, Loader=_PureLoader)), path


def test_each_data_file_is_read_once_at_load(monkeypatch, tmp_path):
    monkeypatch.setattr(kbcache, "cache_dirs", lambda: [tmp_path])   # the base loaded, not read back
    reads: Counter[str] = Counter()
    original = Path.read_text

    def counting(self, *args, **kwargs):
        reads[f"{self.parent.name}/{self.name}"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting)
    PolicyBot.load()
    yaml_reads = {name: n for name, n in reads.items() if name.endswith(".yaml")}
    assert yaml_reads["knowledge/offices.yaml"] == 1 and yaml_reads["intents/gazetteer.yaml"] == 1
    assert all(n == 1 for n in yaml_reads.values()), yaml_reads


def test_dictionary_cache_is_built_once_and_gives_jiebas_own_dictionary(tmp_path):
    reference = segmenter.jieba.Tokenizer()
    reference.initialize()
    built = segmenter.load_prefix_dict([tmp_path])
    [cache] = list(tmp_path.glob("jieba-*.marshal"))
    again = segmenter.load_prefix_dict([tmp_path])
    words, longest = segmenter.compact(reference.FREQ)
    assert built == again == (words, reference.total, longest)
    assert cache.stat().st_size > 1_000_000
    tokenizer = segmenter.make_tokenizer(ROOT / "intents" / "userdict.txt", [tmp_path])
    assert "失业金" in tokenizer.lcut("我被公司裁员了能领失业金吗")


def test_the_compact_dictionary_cuts_exactly_as_jieba(tmp_path):
    """Words only, no prefix-only entries: the same word graph, so the same cut, with the user dictionary
    loaded (its words and their suggested frequencies) and on every source document and data file."""
    userdict = ROOT / "intents" / "userdict.txt"
    reference = segmenter.jieba.Tokenizer()
    reference.initialize()
    reference.load_userdict(str(userdict))
    compact = segmenter.make_tokenizer(userdict, [tmp_path])
    assert compact.total == reference.total
    assert {w: f for w, f in reference.FREQ.items() if f} == {w: f for w, f in compact.FREQ.items() if f}
    texts = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("knowledge/**/*.*")) + sorted(ROOT.glob("intents/*.yaml"))
             if p.suffix in (".txt", ".yaml")]
    lines = [line for text in texts for line in text.splitlines() if line.strip()]
    assert len(lines) > 5000
    for line in lines:
        assert compact.lcut(line) == reference.lcut(line), line
        assert compact.lcut(line, HMM=False) == reference.lcut(line, HMM=False), line


def test_starting_the_engine_does_not_import_pkg_resources():
    code = "import sys, bot.engine, bot.nlu.matcher; print('pkg_resources' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_cuts_of_earlier_starts_are_jiebas_cuts(tmp_path):
    tokenizer = segmenter.make_tokenizer(ROOT / "intents" / "userdict.txt", [tmp_path])
    texts = ["我被公司裁员了能领失业金吗", "稳岗返还 需要什么材料", "", "abc 123"]
    assert tokenizer.cuts.cut_all(texts) == [tokenizer.lcut(t) for t in texts]  # built
    [cache] = list(tmp_path.glob("cuts-*.marshal"))
    written = cache.stat().st_mtime_ns
    assert tokenizer.cuts.cut_all(texts) == [tokenizer.lcut(t) for t in texts]  # read back, not rewritten
    assert cache.stat().st_mtime_ns == written
    for n in range(8):  # other example sets get files of their own; only the latest few are kept
        tokenizer.cuts.cut_all(texts + [str(n)])
    assert len(list(tmp_path.glob("cuts-*.marshal"))) <= 5
    cache = max(tmp_path.glob("cuts-*.marshal"), key=lambda p: p.stat().st_mtime_ns)
    cache.write_bytes(b"not marshal")
    assert tokenizer.cuts.cut_all(texts + ["7"]) == [tokenizer.lcut(t) for t in texts + ["7"]]  # damaged: ignored


def test_loading_leaves_no_garbage_for_the_paused_collector():
    """`PolicyBot.load` runs with the collector paused and then freezes the heap: a reference cycle made
    while loading would be kept for good. Loading makes none, and the collector runs again after it."""
    script = ("import gc\nfrom bot import PolicyBot\ngc.collect()\nbot = PolicyBot.load()\n"
              "enabled = gc.isenabled()\ngc.unfreeze()\nprint(enabled, gc.collect())")
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.split() == ["True", "0"]
