"""The staff debug panel's source passage: the cited section, found in its document."""
from __future__ import annotations

import re

from bot.channels.web.debug import section_passage


def test_every_section_whose_title_is_printed_is_located_and_starts_the_passage(loaded_bot):
    kb = loaded_bot.kb
    located = 0
    for policy in kb.policies.values():
        title = next((c for c in re.split(r"[；;·【】]|[（(]\d[）)]|政策对象", policy.section_title or "")
                      if len(c.strip()) >= 4), None)
        if title is None or title.strip() not in kb.sources[policy.source].text:
            continue
        passage = section_passage(kb, policy)
        assert passage.found and title.strip() in passage.passage[:40], policy.id
        assert passage.before + passage.passage + passage.after in kb.sources[policy.source].text
        located += 1
    assert located >= len(kb.policies) // 2


def test_a_section_that_is_not_printed_says_so_instead_of_highlighting_something_else(loaded_bot):
    kb = loaded_bot.kb
    missing = [p for p in kb.policies.values() if not section_passage(kb, p).found]
    for policy in missing:
        marker = policy.section.split("（")[-1].rstrip("）")
        assert not re.search(rf"[（(]\s*{marker}\s*[）)]", kb.sources[policy.source].text), policy.id
