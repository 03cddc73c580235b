"""What a question asks about: every aspect it names, in the order it names them, and its parts.

The matcher reports one aspect per message; people ask "多少钱，要带什么材料？" — two. Here every cue
counts, so the answer can hold every part and name the parts it cannot answer.
"""
from __future__ import annotations

from typing import Any

import re
from dataclasses import dataclass

from ..knowledge.model import FaqAspect
from ..nlu.memo import Recent
from ..nlu.phrases import PHONE_HOW_MUCH, NeedleIndex, needle, phrase_pattern

ASKED_MEMORY = 512   # texts whose cues are remembered (cleared when full: bounded memory)
# a question's parts are separated by punctuation (gone after normalising) or by these words
_PART_BREAKS = re.compile(r"还有|另外|以及|再问|顺便问|同时问|其次|然后呢")


@dataclass(frozen=True)
class AskedAspects:
    record: tuple[str, ...]          # amount, materials, process, deadline, contact, validity, eligibility
    details: tuple[FaqAspect, ...]   # the FAQ kinds the words point at


class DetailCues:
    """Cue phrases from intents/aspects.yaml (record aspects) and intents/details.yaml (FAQ kinds)."""

    def __init__(self, record_cues: list[tuple[re.Pattern[str], str]], details: dict[str, list[str]],
                 compact, not_cues: tuple[str, ...] = ()):
        self._record = record_cues
        # words whose characters never count as a way of asking: "多久…一次" is not in "一次性创业补贴"
        self._not_cues = tuple(w for w in (compact(x) for x in not_cues) if w)
        self._seen: Recent[tuple[str, str], AskedAspects] = Recent(ASKED_MEMORY)
        self._details = sorted(((phrase_pattern(compact(cue)), FaqAspect(kind)) for kind, cues in details.items()
                                for cue in cues if compact(cue)), key=lambda pair: -len(pair[0].pattern))
        # each pattern's longest literal piece: most cues are ruled out by a substring test, not a search
        self._record_needles = NeedleIndex((needle(p), p, name) for p, name in record_cues)
        self._detail_needles = NeedleIndex((needle(p), p, kind) for p, kind in self._details)

    def strip(self, compact: str) -> str:
        """The words that are left once every way of asking (多少钱, 怎么办理, 要什么材料…) is taken out."""
        needles = (*self._record_needles.candidates(compact), *self._detail_needles.candidates(compact))
        for piece, pattern, _ in needles:   # a cue taken out leaves a space: it makes no needle appear
            if piece in compact:   # most cues cannot match: a substring test rules them out
                compact = pattern.sub(" ", compact)
        return compact

    def asked(self, text: str, ignore: str = "") -> AskedAspects:
        """`ignore`: words of the measure's own name ("补缴" in 城乡居民养老保险补缴 names it, asks nothing).

        One message asks this of the same text several times (per part, per measure): remembered."""
        return self._seen.get((text, ignore), lambda: self._asked(text, ignore))

    def _asked(self, text: str, ignore: str) -> AskedAspects:
        compact = PHONE_HOW_MUCH.sub("电话", text.replace(" ", ""))
        for word in self._not_cues:
            compact = compact.replace(word, "□" * len(word))
        found = _first_hits(compact, self._record_needles.candidates(compact))
        details = _first_hits(compact, self._detail_needles.candidates(compact), ignore)
        return AskedAspects(tuple(n for _, n in sorted(found)), tuple(k for _, k in sorted(details)))


def _first_hits(compact: str, needles: list, ignore: str = "") -> list[tuple[int, Any]]:
    """(where, kind) of each kind's first cue, longest cue first. A cue found inside a longer one already
    taken does not count ("多少个月" asks a duration, not also an amount; "要什么条件" asks no materials);
    one of the same length does (怎么申请 is both a way to ask the conditions and the steps)."""
    taken: list[tuple[int, int]] = []
    hits: list[tuple[int, Any]] = []
    for piece, pattern, kind in needles:
        if (piece and piece not in compact) or kind in (k for _, k in hits):
            continue
        for hit in pattern.finditer(compact):
            inside = any(a <= hit.start() and hit.end() <= b and hit.end() - hit.start() < b - a for a, b in taken)
            if not inside and hit.group() not in ignore:
                hits.append((hit.start(), kind))
                if not pattern.groups:   # a gap cue ("多久…一次") spans words that may ask more
                    taken.append((hit.start(), hit.end()))
                break
    return hits


def split_parts(text: str) -> list[str]:
    """The parts of a question: "多少钱 要带什么材料" → two parts; short fragments join their neighbour."""
    pieces = [p for chunk in text.split(" ") for p in _PART_BREAKS.split(chunk) if p]
    parts: list[str] = []
    for piece in pieces:
        if parts and (len(piece) < 4 or len(parts[-1]) < 4):
            parts[-1] += piece
        else:
            parts.append(piece)
    return parts
