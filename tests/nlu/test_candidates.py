"""The candidate index only saves work: what the decision reads is what scoring every example gives."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from bot.nlu.candidates import gather
from bot.nlu.matcher import Candidate

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


def _full_merge(matcher, story, ending):
    """What the matcher did before the index: both readings scored in full, the better score kept."""
    best = {c.intent: c.score for c in matcher.score(story, full=True)}
    for c in matcher.score(ending, full=True):
        best[c.intent] = max(best.get(c.intent, 0.0), c.score)
    return sorted((Candidate(i, s) for i, s in best.items()), key=lambda c: -c.score)


def test_long_story_readings_merge_as_full_scoring(loaded_bot):
    matcher = loaded_bot.matcher
    stories = [q for q in _dev_questions() if len(q) > 40]
    stories += ["我在一家公司干了好几年，" * 5 + "上个月被裁员了，失业金能领吗", "你好，我想问问，那个，就是，培训"]
    assert len(stories) >= 10
    for text in stories:
        clauses = matcher.normalize(text).text.split()
        story = matcher.prepare(" ".join(clauses))
        ending = matcher.prepare(" ".join(clauses[-2:]))
        merged = matcher._better_of(story, ending, matcher.score(story))  # noqa: SLF001 — the merge itself
        assert merged[:5] == _full_merge(matcher, story, ending)[:5], text


def test_a_phrase_needle_is_a_piece_every_match_contains():
    from bot.nlu.phrases import needle, phrase_pattern

    assert needle(phrase_pattern("能领…吗")) == "能领"
    assert needle(phrase_pattern("a.b…c")) == ""  # escaped characters: always search
    for phrase, text in [("能领…吗", "我能领失业金吗"), ("多少钱", "一个月多少钱"), ("需要…材料", "需要带什么材料")]:
        pattern = phrase_pattern(phrase)
        assert pattern.search(text) and needle(pattern) in text


def test_reaching_the_cutoff_is_decided_as_full_scoring_decides_it(loaded_bot):
    from bot.nlu.candidates import QueryViews, reaches

    matcher = loaded_bot.matcher
    topics = matcher._groups[1]  # noqa: SLF001 — the topic intents, as the matcher scores them
    for question in _dev_questions() + ["补贴", "办理地点", "材料", "失业金", "x" * 300]:
        query = matcher.prepare(matcher.aspect_of(matcher.normalize(question).text)[1])
        if not query.chars:
            continue
        best = max((c.score for c in matcher.score(query, full=True) if c.intent in matcher.topic_ids), default=None)
        views = QueryViews.of(query.tokens, query.chars)
        for cutoff in (matcher.score_cutoff, 0.2, 0.5, 0.8, best or 0.5):
            got = reaches(matcher.index, views, matcher.profile_scores(query), matcher.profile_weight, topics, cutoff)
            assert got == (best is not None and best >= cutoff), (question, cutoff, best)


def test_scores_of_a_few_intents_equal_full_scoring(loaded_bot):
    from bot.nlu.candidates import QueryViews, scores_of

    matcher = loaded_bot.matcher
    ids = list(range(len(matcher.intents)))
    for question in _dev_questions()[::4] + ["失业" * 100, "jjjjjj"]:
        query = matcher.prepare(matcher.normalize(question).text)
        if not query.chars:
            continue
        full = {c.intent: c.score for c in matcher.score(query, full=True)}
        got = scores_of(matcher.index, QueryViews.of(query.tokens, query.chars), matcher.profile_scores(query),
                        matcher.profile_weight, ids[::3] + ids[1:4])
        assert {matcher.intents[k]: s for k, s in got.items()} == {matcher.intents[k]: full[matcher.intents[k]]
                                                                  for k in ids[::3] + ids[1:4]}, question


def test_gather_is_the_rows_concatenated_with_their_owners():
    sizes = [3, 0, 5, 1, 0, 4, 2]
    ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
    for keys in ([0], [1], [2, 0, 5], [6, 6, 3], list(range(7)), [4, 1]):
        at, owner = gather(ptr, keys)
        assert at.tolist() == [p for k in keys for p in range(ptr[k], ptr[k + 1])]
        assert owner.tolist() == [n for n, k in enumerate(keys) for _ in range(ptr[k], ptr[k + 1])]
    at, owner = gather(ptr, [])
    assert at.tolist() == [] and owner.tolist() == []
