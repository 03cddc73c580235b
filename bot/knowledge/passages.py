"""Where a policy's section stands in its source document: for the staff panel's highlighted passage and
for quoting the source sentence that answers a detail no FAQ entry covers."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .model import KnowledgeBase, Policy

_TOP_HEADING = re.compile(r"(?:^|(?<=[。；]))\s*[一二三四五六七八九十]+、", re.M)
_SUB_MARK = re.compile(r"[（(]\s*[一二三四五六七八九十]+\s*[）)]")
_ANY_MARK = re.compile(r"[（(]\s*[一二三四五六七八九十]+\s*[）)]|[一二三四五六七八九十]+、")
PASSAGE_CAP = 3000


@dataclass(frozen=True)
class Passage:
    """A source document cut in three, so the cited section can be highlighted in place."""

    title: str
    before: str
    passage: str
    after: str
    found: bool


def section_passage(kb: KnowledgeBase, policy: Policy) -> Passage:
    """Find the policy's section in its document: from its heading to the next heading of the same rank."""
    doc = kb.sources[policy.source]
    text = doc.text
    start = _heading_start(text, policy)
    if start is None:
        return Passage(doc.title, text[:PASSAGE_CAP], "", "", False)
    sub = bool(_SUB_MARK.match(text, start))
    after = start + 1 + (len(_SUB_MARK.match(text, start).group()) if sub else 0)
    ends = [m.start() for m in (_SUB_MARK.search(text, after) if sub else None, _TOP_HEADING.search(text, after))
            if m is not None]
    end = min([*ends, len(text), start + PASSAGE_CAP])
    return Passage(doc.title, text[max(0, start - PASSAGE_CAP):start], text[start:end],
                   text[end:end + PASSAGE_CAP], True)


def _heading_start(text: str, policy: Policy) -> int | None:
    """Where the section starts: its title as printed (with the numbering just before it, if any), else
    the first place its own numbering appears. Sources are not uniform (some print several headings on
    one line, some use half-width brackets), so this searches rather than parses."""
    chunks = [c.strip() for c in re.split(r"[；;·【】]|[（(]\d[）)]|政策对象", policy.section_title or "")]
    for chunk in (c for c in chunks if len(c) >= 4):
        found = text.find(chunk)
        if found < 0:
            continue
        found -= 1 if found and text[found - 1] == "【" else 0
        window = text[max(0, found - 12):found]
        marks = list(_ANY_MARK.finditer(window))
        return found - len(window) + marks[-1].start() if marks else found
    numbering = re.findall(r"[一二三四五六七八九十]+", policy.section)
    if not numbering:
        return None
    last = numbering[-1]
    pattern = rf"[（(]\s*{last}\s*[）)]" if "（" in policy.section or "(" in policy.section else rf"(?m)^\s*{last}、"
    match = re.search(pattern, text)
    return match.start() if match else None
