"""A ranking over many FAQ entries, found through the bigram index, is the ranking of scoring them all."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.answers import faq_index
from bot.knowledge.model import FaqAspect

HERE = Path(__file__).resolve().parents[1]


def _questions() -> list[str]:
    data = yaml.safe_load((HERE / "nlu" / "dev.yaml").read_text(encoding="utf-8"))
    return [q for qs in data["in_scope"].values() for q in qs][::3] + list(data["out_of_scope"])[::2]


@pytest.mark.parametrize("cued", [(), (FaqAspect("duration"),), (FaqAspect("duration"), FaqAspect("materials"))])
def test_rank_over_many_entries_equals_scoring_every_entry(loaded_bot, monkeypatch, cued):
    index = loaded_bot.dialog.planner.index
    policies = list(loaded_bot.kb.policies)
    scopes = [policies, policies[::2], policies[:5] + policies[:5]]   # all, some, a policy named twice
    for question in _questions() + ["这几天要降温吗", "jjjjjj", "多久", "材料"]:
        for scope in scopes:
            fast = index.rank(scope, question, cued)
            monkeypatch.setattr(faq_index, "MANY_ENTRIES", 10 ** 9)
            slow = index.rank(scope, question, cued)
            monkeypatch.setattr(faq_index, "MANY_ENTRIES", 64)
            assert [(h.entry.key, h.score) for h in fast] == [(h.entry.key, h.score) for h in slow], question
