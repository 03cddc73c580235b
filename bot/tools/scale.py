"""A ×K copy of the knowledge base and intents, for `policybot bench --scale K`.

Copy k (2…K) of every topic, policy and FAQ entry gets its own id (`…_k2`) and every example or FAQ
phrasing a suffix of its own (`第2类`), so the matcher really compares against K times as many distinct
strings. The copies cite the same source documents and office tables, so they pass the loader's
validation and grounding exactly as the originals do.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from ..knowledge.paths import DEFAULT_INTENTS_DIR, DEFAULT_KNOWLEDGE_DIR


def _read(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _write(path: Path, data) -> None:
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _tag(k: int) -> str:
    return f"第{k}类"


def _scale_topics(data: dict, k: int, topic_ids: set[str]) -> None:
    copies = []
    for n in range(2, k + 1):
        copies += [dict(t, id=f"{t['id']}_k{n}") for t in data["topics"]]
    topic_ids.update(t["id"] for t in data["topics"])
    data["topics"] += copies


def _scale_examples(data: dict, k: int, topic_ids: set[str]) -> None:
    block = data["intents"]
    for intent, texts in list(block.items()):
        for n in range(2, k + 1):
            copy = [f"{t}{_tag(n)}" for t in texts]
            if intent in topic_ids:
                block[f"{intent}_k{n}"] = copy
            else:  # greetings, out of scope …: the same intent, K times the phrasings
                block[intent] = list(block[intent]) + copy


def _scale_policies(data: dict, k: int) -> None:
    copies = []
    for n in range(2, k + 1):
        copies += [dict(p, id=f"{p['id']}_k{n}", topic=f"{p['topic']}_k{n}") for p in data["policies"]]
    data["policies"] += copies


def _scale_faq(data: dict, k: int) -> None:
    copies = []
    for n in range(2, k + 1):
        for block in data["policies"]:
            faqs = [dict(f, ask=[f"{a}{_tag(n)}" for a in f.get("ask", [])]) for f in block.get("faqs", [])]
            copies.append(dict(block, policy=f"{block['policy']}_k{n}", faqs=faqs))
    data["policies"] += copies


def build_scaled(k: int, dest: Path, knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR,
                 intents_dir: Path = DEFAULT_INTENTS_DIR) -> tuple[Path, Path]:
    """Write the ×k copy under `dest`; returns its (knowledge, intents) directories."""
    knowledge, intents = dest / "knowledge", dest / "intents"
    shutil.copytree(knowledge_dir, knowledge)
    shutil.copytree(intents_dir, intents)
    topic_ids: set[str] = set()
    for path, scale in ((intents / "topics.yaml", lambda d: _scale_topics(d, k, topic_ids)),
                        (intents / "examples.yaml", lambda d: _scale_examples(d, k, topic_ids))):
        data = _read(path)
        scale(data)
        _write(path, data)
    for folder, scale in (("policies", _scale_policies), ("faq", _scale_faq)):
        for path in sorted((knowledge / folder).glob("*.yaml")):
            data = _read(path)
            scale(data, k)
            _write(path, data)
    return knowledge, intents
