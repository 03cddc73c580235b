"""The bigram index behind `FaqIndex.leaders` only saves work: its head is `rank`'s head, scores and order."""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _questions() -> list[str]:
    cases = yaml.safe_load((ROOT / "answers" / "dev.yaml").read_text(encoding="utf-8"))
    nlu = yaml.safe_load((ROOT / "nlu" / "dev.yaml").read_text(encoding="utf-8"))
    return ([t for case in cases for t in case["turns"]] + [q for qs in nlu["in_scope"].values() for q in qs]
            + list(nlu["out_of_scope"]) + ["", "失业金", "补贴多少钱", "几个月"])


def _head(ranked):
    """Up to and including the first entry of another policy than the first's (what `anywhere` reads)."""
    for n, hit in enumerate(ranked):
        if hit.entry.policy != ranked[0].entry.policy:
            return ranked[:n + 1]
    return ranked


def test_leaders_are_the_head_of_the_full_ranking(loaded_bot):
    planner = loaded_bot.dialog.planner
    index, cues = planner.index, planner.cues
    ids = list(loaded_bot.kb.policies)
    regional = [p.id for p in loaded_bot.kb.policies.values() if p.region == "乌鲁木齐市"]
    for question in _questions():
        for policies in (ids, regional):
            cued = cues.asked(question).details
            full = [h for h in index.rank(policies, question, cued) if h.score > 0]
            assert _head(index.leaders(policies, question, cued)) == _head(full), question
