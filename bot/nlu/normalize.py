"""Turns whatever a person typed into one canonical form the matcher can compare."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import opencc

# Longer messages are cut here: no real question needs more, and it bounds the work per message.
MAX_INPUT_CHARS = 500

_KEEP_CATEGORIES = ("L", "N")  # letters (incl. CJK) and digits; everything else becomes a space
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Normalized:
    original: str   # what was typed, cut to MAX_INPUT_CHARS
    text: str       # simplified Chinese, half-width, lower case, no emoji/punctuation/control characters
    truncated: bool
    cleaned: str = ""  # `text` before synonym folding: what commands and 返回/重新开始 are compared with

    @property
    def compact(self) -> str:
        """The cleaned words without spaces ("重新 开始" and "重新开始" are the same command)."""
        return self.cleaned.replace(" ", "")


class Normalizer:
    """Full-width → half-width (NFKC), Traditional → Simplified (OpenCC t2s), and synonym folding.

    OpenCC is the reference converter for Chinese scripts; its Python wheel ships the dictionaries,
    loads in a few milliseconds and needs no network.
    """

    def __init__(self, synonyms: dict[str, list[str]] | None = None):
        self._t2s = opencc.OpenCC("t2s")
        pairs = []
        for canonical, variants in (synonyms or {}).items():
            for variant in variants:
                variant = self.clean(variant)
                if variant and variant != canonical:
                    pairs.append((variant, canonical))
        pairs.sort(key=lambda pair: -len(pair[0]))
        self._synonyms = dict(pairs)
        self._synonym_re = re.compile("|".join(re.escape(v) for v, _ in pairs)) if pairs else None

    def clean(self, text: str) -> str:
        """Script and width folding without synonyms — also used for examples and gazetteer names."""
        text = unicodedata.normalize("NFKC", text)
        text = self._t2s.convert(text)
        chars = [ch if unicodedata.category(ch)[0] in _KEEP_CATEGORIES else " " for ch in text]
        return _SPACE.sub(" ", "".join(chars)).strip().lower()

    def fold_synonyms(self, text: str) -> str:
        if not self._synonym_re:
            return text
        return self._synonym_re.sub(lambda m: self._synonyms[m.group()], text)

    def __call__(self, raw: str) -> Normalized:
        raw = raw if isinstance(raw, str) else ""
        truncated = len(raw) > MAX_INPUT_CHARS
        original = raw[-MAX_INPUT_CHARS:]  # people put the question last; keep the end
        cleaned = self.clean(original)
        return Normalized(original, self.fold_synonyms(cleaned), truncated, cleaned)
