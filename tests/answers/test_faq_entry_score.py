"""`FaqIndex._entry_score` only saves work: the very float of the plain formula, the best view's weight ×
IDF-weighted cosine (its zero entries shared are the ScoredEntry the ranking made before)."""
from __future__ import annotations

import math
from pathlib import Path

import yaml

from bot.answers.faq_grams import bigrams

HERE = Path(__file__).resolve().parents[1]


def _plain(index, query: set[str], views) -> float:
    """The score as first written: max over the views of w · Σ idf² (shared) / (‖q‖ · ‖view‖)."""
    square, default = index._square.get, index._default_square
    query_norm = math.sqrt(sum([square(g, default) for g in query])) or 1.0

    def cosine(grams, norm):
        common = sum([square(g, default) for g in query & grams])
        return common / (query_norm * norm) if common else 0.0
    return max(w * cosine(grams, norm) for grams, w, norm in views)


def test_entry_score_is_the_plain_formula(loaded_bot):
    index = loaded_bot.dialog.planner.index
    data = yaml.safe_load((HERE / "nlu" / "dev.yaml").read_text(encoding="utf-8"))
    questions = [q for qs in data["in_scope"].values() for q in qs][::2] + list(data["out_of_scope"]) + ["多久", "材料"]
    checked = 0
    for question in questions:
        query = bigrams(index._prepare(question))
        if not query:
            continue
        norm = index._norm(query)
        for entries in index._by_policy.values():
            for _, views in entries:
                assert index._entry_score(query, norm, views) == _plain(index, query, views), question
                checked += 1
    assert checked > 10_000


def test_a_ranking_shares_the_zero_entries_with_the_same_scores(loaded_bot):
    index = loaded_bot.dialog.planner.index
    policies = list(loaded_bot.kb.policies)[:3]
    ranked = index.rank(policies, "这几天要降温吗")
    assert ranked and all(h.score == 0.0 for h in ranked)
    assert [h.entry.key for h in ranked] == [e.key for p in policies for e, _ in index._by_policy.get(p, ())]
