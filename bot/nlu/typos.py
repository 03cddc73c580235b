"""Slips of a pinyin keyboard, folded back to the bot's own terms before anything else reads the text.

"失页金" and "乌鲁木其" are one character off a term the bot knows, by a character that sounds the same;
"shiyejin" is the term typed as pinyin. Only terms of three characters or more are folded, only one
character of a term may differ, and a text that is itself a known term is never changed, so ordinary
words stay as they are. The sounds come from intents/homophones.txt (see bot/tools/homophones.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

HOMOPHONES_FILE = "homophones.txt"
MIN_TERM, MAX_TERM = 3, 12     # a two-character term is too easily another word one sound away
MIN_PINYIN = 6                 # letters of a pinyin run before it is read as a term ("shiyejin")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
# words that glue a sentence together are what was meant, not a slip: "我们是" is no 我们师, "乌鲁木齐是" no 市
FUNCTION_CHARS = frozenset("是的了在有不和也就都要会去说我你他她它们这那个上下来到为与及或而被把让给对从向以之吗呢吧啊")
_LATIN_RUN = re.compile(r"[a-z]+(?: [a-z]+)*")


@dataclass(frozen=True)
class Sound:
    readings: tuple[str, ...]   # toneless pinyin of the character ("ye")
    alike: str                  # common characters that sound the same


def typo_terms(*sources: object) -> set[str]:
    """Every Chinese term of 3–12 characters in these data (strings, lists and mappings, walked whole)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            if MIN_TERM <= len(value) <= MAX_TERM and _HAN.match(value):
                found.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
    for source in sources:
        walk(source)
    return found


def load_sounds(path: Path) -> dict[str, Sound]:
    """The table; a missing file means no folding (the bot still runs)."""
    if not path.exists():
        return {}
    sounds = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        ch, readings, alike = (line.split("\t") + ["", ""])[:3]
        sounds[ch] = Sound(tuple(r for r in readings.split(",") if r), alike)
    return sounds


class TypoFolder:
    """`terms`: each term the bot knows → what it stands for (失业金 and 失叶金 both → 失业保险金), so a slip
    that could be either of them is still clear. A slip is found by sound: the text's characters read as
    pinyin give the term that sounds the same, and at most one character may differ from it."""

    def __init__(self, terms: dict[str, str], sounds: dict[str, Sound]):
        self._terms = {t: c for t, c in terms.items() if MIN_TERM <= len(t) <= MAX_TERM and _HAN.match(t)}
        self._reading = {alike: sound.readings[0] for ch, sound in sounds.items() if sound.readings
                         for alike in (ch, *sound.alike)}
        by_sound: dict[tuple[str, ...], dict[str, str]] = {}
        for term, meaning in self._terms.items():
            key = tuple(self._reading.get(ch, "") for ch in term)
            if all(key):
                by_sound.setdefault(key, {}).setdefault(meaning, term)
        # a sound that could mean either of two things is left alone
        self._by_sound = {k: next(iter(ms.values())) for k, ms in by_sound.items() if len(ms) == 1}
        self._pinyin = {"".join(k): t for k, t in self._by_sound.items() if len("".join(k)) >= MIN_PINYIN}
        self._lengths = sorted({len(k) for k in self._by_sound}, reverse=True)
        # where a term or a slip may start: most characters of a message start neither
        self._first_sounds = frozenset(k[0] for k in self._by_sound)
        # the lengths worth trying at a position, by its character (terms spelled right) and its sound
        # (slips): the same first hit as trying every length, a handful of lookups instead of 2 × 10
        # (by the first two: every term and sound key has three or more)
        self._exact_lengths = _lengths_by_first(t for t in self._terms if len(t) in self._lengths)
        self._sound_lengths = _lengths_by_first(self._by_sound)
        self._longest = max(self._lengths, default=0)
        self._term_starts = frozenset(t[:2] for t in self._terms)   # every term has three characters or more

    def fold(self, text: str) -> str:
        if self._pinyin and any("a" <= ch <= "z" for ch in text):
            text = _LATIN_RUN.sub(lambda m: self._pinyin.get(m.group().replace(" ", ""), m.group()), text)
        readings = list(map(self._reading.get, text))
        out, done = [], 0
        for i in self._possible_starts(text, readings):
            if i < done:
                continue
            n = self._term_at(text, readings, i)
            if n:
                out += (text[done:i], self._fixed(text[i:i + n], readings[i:i + n]))
                done = i + n
        if not out:
            return text
        out.append(text[done:])
        return "".join(out)

    def _possible_starts(self, text: str, readings: list[str | None]) -> list[int]:
        """The positions where `_term_at` can find a term or a slip, in order: the character's sound starts
        one, and its first two characters start a term or their sounds a slip's sound (one pass; at every
        other position `_term_at` finds nothing)."""
        firsts, starts, pairs = self._first_sounds, self._term_starts, self._sound_lengths
        return [i for i in range(len(text) - 1) if readings[i] in firsts
                and (text[i:i + 2] in starts or (readings[i], readings[i + 1]) in pairs)]

    def _term_at(self, text: str, readings: list[str | None], i: int) -> int:
        """The length of the term spelled right, else of the slip, that starts at `i` (0: none). A term
        spelled right wins over a slip that overlaps it (乌鲁木齐失页金: 乌鲁木齐, then 失业金)."""
        if readings[i] not in self._first_sounds:
            return 0
        if len(text) - i >= self._longest:  # every length fits: only the lengths that start here
            terms, by_sound = self._terms, self._by_sound
            exact = next((n for n in self._exact_lengths.get(text[i:i + 2], ()) if text[i:i + n] in terms), 0)
            if exact:
                return exact
            for n in self._sound_lengths.get((readings[i], readings[i + 1]), ()):
                term = by_sound.get(tuple(readings[i:i + n]))
                if term and _one_slip(term, text[i:i + n]):
                    return n
            return 0
        return self._term_near_end(text, readings, i)

    def _term_near_end(self, text: str, readings: list[str | None], i: int) -> int:
        """`_term_at` where the longer lengths run past the end (each slice then is the rest of the text)."""
        exact = next((n for n in self._lengths if text[i:i + n] in self._terms), 0)
        if exact:
            return exact
        for n in self._lengths:
            term = self._by_sound.get(tuple(readings[i:i + n]))
            if term and _one_slip(term, text[i:i + n]):
                return n
        return 0

    def _fixed(self, piece: str, readings: list[str | None]) -> str:
        return piece if piece in self._terms else self._by_sound[tuple(readings)]


def _lengths_by_first(keys: Iterable[Sequence[str]]) -> dict[Sequence[str], tuple[int, ...]]:
    """First two elements (a string's two characters, a sound key's two readings) → the lengths of the keys
    that start with them, longest first."""
    lengths: dict[Sequence[str], set[int]] = {}
    for key in keys:
        lengths.setdefault(key[:2], set()).add(len(key))
    return {first: tuple(sorted(ns, reverse=True)) for first, ns in lengths.items()}


def _one_slip(term: str, piece: str) -> bool:
    """Exactly one character differs, and it is not a word that glues a sentence together."""
    differ = [ch for ch, want in zip(piece, term) if ch != want]
    return len(differ) == 1 and differ[0] not in FUNCTION_CHARS
