"""The candidate index only saves work: what the decision reads is what scoring every example gives."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent


def _dev_questions() -> list[str]:
    data = yaml.safe_load((HERE / "dev.yaml").read_text(encoding="utf-8"))
    return [q for qs in data["in_scope"].values() for q in qs] + list(data["out_of_scope"])


def test_selected_candidates_equal_full_scoring(loaded_bot):
    matcher = loaded_bot.matcher
    for question in _dev_questions() + ["补贴", "你好", "那要带什么材料", "x" * 300, "失业" * 100]:
        query = matcher.prepare(matcher.normalize(question).text)
        full = matcher.score(query, full=True)
        chosen = matcher.score(query)
        assert chosen[:5] == full[:5], question
        topics = [c for c in full if c.intent in matcher.topic_ids][:2]
        assert [c for c in chosen if c.intent in matcher.topic_ids][:2] == topics, question


@pytest.mark.parametrize("text", ["失业金怎么领", "稳岗返还需要什么材料"])
def test_only_a_few_examples_are_scored(loaded_bot, text, monkeypatch):
    """The point of the index: RapidFuzz runs on the examples near the question, not on all of them."""
    matcher = loaded_bot.matcher
    seen: list[int] = []
    original = type(matcher.index).exact
    monkeypatch.setattr(type(matcher.index), "exact",
                        lambda self, query, examples: seen.append(len(examples)) or original(self, query, examples))
    matcher.score(matcher.prepare(text))
    assert 0 < sum(seen) < len(matcher.examples) / 4
