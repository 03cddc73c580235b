"""Phrases with gaps: "能领…吗" in a data file matches 能领失业金吗. Used for aspect cues and condition cues."""
from __future__ import annotations

import re
from typing import Iterable

GAP = "…"
_NEGATION_BEFORE = re.compile(r"(没有|没|不|未|非|无)$")
# "电话多少" asks for a number to call, not an amount of money
PHONE_HOW_MUCH = re.compile(r"(?:电话|号码|手机|热线)(?:号码)?(?:是)?多少")


def phrase_pattern(phrase: str) -> "re.Pattern[str]":
    """A cleaned phrase; each "…" stands for up to 10 characters of anything (kept as a group)."""
    parts = [re.escape(p) for p in phrase.split(GAP)]
    return re.compile(_GAP_RE.join(parts))


_GAP_RE = "(.{0,10}?)"


def needle(pattern: "re.Pattern[str]") -> str:
    """The longest literal piece of a `phrase_pattern`: a text without it cannot match, and `in` is far
    cheaper than a regular expression search. "" (always search) when a piece holds escaped characters."""
    pieces = pattern.pattern.split(_GAP_RE)
    longest = max(pieces, key=len)
    return "" if "\\" in longest else longest


def find_affirmed(pattern: "re.Pattern[str]", text: str) -> "re.Match[str] | None":
    """The first match not directly preceded by a negation: "没有被裁员" does not say 被裁员."""
    for match in pattern.finditer(text):
        if not _NEGATION_BEFORE.search(text[max(0, match.start() - 2):match.start()]):
            return match
    return None


class NeedleIndex:
    """Entries `(needle, …)` of many phrases, and which of them may occur in a text, in their own order.

    Each needle of two or more characters is filed under its first two characters, so a text is tested
    only against the needles that start with one of its own character pairs (a needle in the text starts
    with one of them): the same hits as testing every needle, a few dictionary look-ups instead of
    hundreds of substring tests. Shorter needles (and "", always searched) are always candidates."""

    def __init__(self, entries: Iterable[tuple]):
        self.entries = list(entries)
        self._always = [k for k, entry in enumerate(self.entries) if len(entry[0]) < 2]
        self._by_pair: dict[str, list[int]] = {}
        for k, entry in enumerate(self.entries):
            if len(entry[0]) >= 2:
                self._by_pair.setdefault(entry[0][:2], []).append(k)

    def candidates(self, text: str) -> list[tuple]:
        """The entries whose needle may be in `text`, in order (every entry whose needle is in it among them)."""
        by_pair = self._by_pair
        found = list(self._always)
        for pair in {text[i:i + 2] for i in range(len(text) - 1)}:
            found += by_pair.get(pair, ())
        found.sort()
        return [self.entries[k] for k in found]
