"""Finds places and simple facts (an age) in a question; places are removed before topic matching."""
from __future__ import annotations

import re
from dataclasses import dataclass

_AGE = re.compile(r"(?<!\d)(\d{1,2})\s*(?:周岁|岁)")


@dataclass(frozen=True)
class PlaceMention:
    alias: str
    region: str
    place: str | None


class PlaceFinder:
    """Longest alias first, so 乌鲁木齐县 is not read as 乌鲁木齐 + 县."""

    def __init__(self, aliases: dict[str, tuple[str, str | None]], clean, not_places: tuple[str, ...] = ()):
        """`not_places`: names that hold an alias and name no place ("新疆智慧人社" is an app, not 新疆)."""
        keys = sorted({clean(n).replace(" ", "") for n in not_places} - {""}, key=len, reverse=True)
        self._not_places = re.compile("|".join(map(re.escape, keys))) if keys else None
        self._by_alias: dict[str, tuple[str, str | None]] = {}
        for alias, target in aliases.items():
            key = clean(alias).replace(" ", "")
            if len(key) >= 2:
                self._by_alias.setdefault(key, target)
        ordered = sorted(self._by_alias, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(a) for a in ordered)) if ordered else None

    def signature(self) -> str:
        """What `find` and `strip` depend on besides the code: the aliases."""
        return repr((self._by_alias, self._not_places.pattern if self._not_places else None))

    def find(self, text: str) -> list[PlaceMention]:
        if not self._pattern:
            return []
        if self._not_places:
            text = self._not_places.sub("|", text)
        return [PlaceMention(m.group(), *self._by_alias[m.group()]) for m in self._pattern.finditer(text)]

    def find_not_origin(self, text: str) -> list[PlaceMention]:
        """The places a text names, less those it names as where someone is from ("户口在河南", "我是甘肃人",
        "老家四川的"): a migrant worker here asks about here."""
        if not self._pattern:
            return []
        return [PlaceMention(m.group(), *self._by_alias[m.group()]) for m in self._pattern.finditer(text)
                if not _is_origin(text, m.start(), m.end())]

    def strip(self, text: str) -> str:
        return self._pattern.sub(" ", text) if self._pattern else text


_ORIGIN_BEFORE = re.compile(r"(?:户口|户籍|老家|籍贯|来自)(?:在|是|都在)?$")
_ORIGIN_AFTER = re.compile(r"^(?:人(?!社)|户口|户籍|籍|老家)")


def _is_origin(text: str, start: int, end: int) -> bool:
    return bool(_ORIGIN_BEFORE.search(text[max(0, start - 4):start]) or _ORIGIN_AFTER.match(text[end:end + 2]))


def find_age(text: str) -> int | None:
    match = _AGE.search(text)
    return int(match.group(1)) if match else None
