"""Turns whatever a person typed into one canonical form the matcher can compare."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import opencc

from .memo import Recent
from .typos import TypoFolder

# Longer messages are cut here: no real question needs more, and it bounds the work per message.
MAX_INPUT_CHARS = 500
# What the engine keeps of a message before any other work: twice the cut above, so that "the message was
# longer than MAX_INPUT_CHARS" can still be told, while a 10 MB message costs no more than a short one.
MAX_RAW_CHARS = 2 * MAX_INPUT_CHARS
RECENT_TEXTS = 64  # normalised texts remembered (see memo.py)

_SURROGATE = re.compile("[\ud800-\udfff]")      # lone halves (possible in webhook JSON); no codec takes them
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # NUL and other C0 controls except tab and newline

_KEEP_CATEGORIES = ("L", "N")  # letters (incl. CJK) and digits; everything else becomes a space
# the same characters as a regular expression: `\w` less "_" is exactly the categories L* and N* (every code
# point checked, tests/nlu/test_normalize_fast.py), and no such character is whitespace, so a run of the
# others becomes one space, as replacing each and then collapsing the spaces did
_NOT_KEPT = re.compile(r"[\W_]+")
_SPACE = re.compile(r"\s+")
_LATIN = re.compile(r"[a-z]")


# Scripts of the region's other languages: a message mostly in one of them is not "out of scope" but
# written in a language the bot does not read (the dialog should say it reads Chinese and offer topics).
_SCRIPTS = (("uyghur", re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")),  # Arabic script
            ("mongolian", re.compile("[\u1800-\u18af\U00011660-\U0001167f]")))
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def foreign_script(text: str) -> str | None:
    """"uyghur" or "mongolian" when that script's letters outnumber Chinese characters (at least two)."""
    cjk = len(_CJK.findall(text))
    for name, pattern in _SCRIPTS:
        letters = len(pattern.findall(text))
        if letters >= 2 and letters > cjk:
            return name
    return None


@dataclass(frozen=True)
class Normalized:
    original: str   # what was typed, cut to MAX_INPUT_CHARS
    text: str       # simplified Chinese, half-width, lower case, no emoji/punctuation/control characters
    truncated: bool
    cleaned: str = ""  # `text` before synonym folding: what commands and 返回/重新开始 are compared with
    script: str | None = None  # "uyghur" / "mongolian": written in a script the bot does not read

    @property
    def compact(self) -> str:
        """The cleaned words without spaces ("重新 开始" and "重新开始" are the same command)."""
        return self.cleaned.replace(" ", "")


def safe_input(raw: object) -> str:
    """Any object → a string every later step accepts, cut before any expensive work.

    Keeps the end of an overlong message (people put the question last) and replaces lone surrogates and
    control characters by spaces. Digits of other scripts (❶ ⓵ ➀ ፩) are left alone: the dialog decides
    what they mean (they press no button)."""
    if not isinstance(raw, str):
        return ""
    text = raw[-MAX_RAW_CHARS:]
    return _CONTROL.sub(" ", _SURROGATE.sub(" ", text))


DROP_MARK = "（去掉）"   # synonyms.yaml: words listed under this name are taken out (English filler words)


class Normalizer:
    """Full-width → half-width (NFKC), Traditional → Simplified (OpenCC t2s), and synonym folding.

    OpenCC is the reference converter for Chinese scripts; its Python wheel ships the dictionaries,
    loads in a few milliseconds and needs no network.
    """

    def __init__(self, synonyms: dict[str, list[str]] | None = None, typos: TypoFolder | None = None):
        self._t2s = opencc.OpenCC("t2s")
        self._typos = typos
        self.recent: Recent[tuple[str, bool], Normalized] = Recent(RECENT_TEXTS)
        pairs = []
        for canonical, variants in (synonyms or {}).items():
            for variant in variants:
                variant = self.clean(variant)
                if variant and variant != canonical:
                    pairs.append((variant, canonical))
        pairs.sort(key=lambda pair: -len(pair[0]))
        self._synonyms = {v: " " if c == DROP_MARK else c for v, c in pairs}
        chinese = [re.escape(v) for v, _ in pairs if not v.isascii()]
        english = [re.escape(v) for v, _ in pairs if v.isascii()]
        self._chinese_re = re.compile("|".join(chinese)) if chinese else None
        # an English word is replaced only whole: "rate" is not the end of "separate"
        self._english_re = re.compile(rf"(?<![a-z])(?:{'|'.join(english)})(?![a-z])") if english else None

    def signature(self) -> str:
        """What `clean` and `fold_synonyms` depend on besides the code: the synonyms."""
        return repr(self._synonyms)

    def clean(self, text: str) -> str:
        """Script and width folding without synonyms — also used for examples and gazetteer names."""
        text = unicodedata.normalize("NFKC", text)
        text = self._t2s.convert(text)
        return _NOT_KEPT.sub(" ", text).strip().lower()

    def fold_synonyms(self, text: str, drop_filler: bool = True) -> str:
        """`drop_filler=False` keeps the English filler words ("tell me a joke" stays three words)."""
        def swap(m: re.Match[str]) -> str:
            word = self._synonyms[m.group()]
            return word if drop_filler or word != " " else m.group()
        folded = self._chinese_re.sub(swap, text) if self._chinese_re else text
        if self._english_re and _LATIN.search(folded):
            folded = self._english_re.sub(swap, folded)
        return _SPACE.sub(" ", folded).strip() if folded != text else folded

    def canonical(self, raw: str) -> tuple[str, str]:
        """`(n.original, n.text)` of `n = self(raw, fold_typos=False)`, and nothing more: curated data (the
        examples) needs neither the script check nor the memory."""
        original = safe_input(raw)[-MAX_INPUT_CHARS:]
        return original, self.fold_synonyms(self.clean(original))

    def __call__(self, raw: str, fold_typos: bool = True) -> Normalized:
        """The canonical form; the last few are remembered (one message is normalised by the router, the
        dialog and the planner alike: see memo.py)."""
        raw = safe_input(raw)
        return self.recent.get((raw, fold_typos), lambda: self._normalized(raw, fold_typos))

    def _normalized(self, raw: str, fold_typos: bool) -> Normalized:
        truncated = len(raw) > MAX_INPUT_CHARS
        original = raw[-MAX_INPUT_CHARS:]  # people put the question last; keep the end
        cleaned = self.clean(original)
        folded = self._typos.fold(cleaned) if self._typos and fold_typos else cleaned
        return Normalized(original, self.fold_synonyms(folded), truncated, cleaned, foreign_script(original))
