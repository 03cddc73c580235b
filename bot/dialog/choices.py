"""Maps what a person typed to one of the buttons on offer: exact text, its number, 对/嗯/没有, or a near spelling."""
from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

from .tuning import (CHOICE_EXTRA_CHARS, CHOICE_SENTENCE_MAX_CHARS, FUZZY_MIN_LEAD, FUZZY_MIN_RATIO,
                     YES_NO_MAX_CHARS)

UNSURE_WORDS = ("不清楚", "不知道", "不确定", "不太清楚", "说不准", "不懂", "不记得", "不晓得", "不了解", "忘了")
NO_WORDS = ("否", "不是", "没有", "没", "还没", "未", "不", "无", "不符合", "不行", "不对", "no", "nope")
YES_WORDS = ("是", "是的", "对", "对的", "嗯", "嗯嗯", "有", "已", "办了", "已经", "符合", "可以", "没错", "好",
             "好的", "行", "满了", "交了", "当然", "确定", "肯定", "yes", "yeah", "y", "ok")
YES_OPTIONS = ("是", "有", "已办理", "已经办理", "符合", "满足", "已满", "属于", "已登记", "是的")
NO_OPTIONS = ("否", "没有", "还没有", "不是", "不符合", "不满足", "未办理", "不属于", "没有登记")
UNSURE_OPTIONS = ("不清楚", "不确定", "不知道")
# Only ASCII digits (full-width ones are folded to ASCII by NFKC first) pick a numbered button:
# str.isdigit() also accepts ❶ ⓵ ➀ ፩, which int() cannot read.
_NUMBER = re.compile(r"[0-9]+")


def plain(text: str) -> str:
    """Width- and case-folded, without spaces or punctuation: the form labels and answers are compared in."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s\W_]+", "", text)


def _pick(labels: list[str], wanted: tuple[str, ...], fallback: int | None) -> int | None:
    for i, label in enumerate(labels):
        if label in wanted:
            return i
    for i, label in enumerate(labels):
        if label.startswith(wanted):
            return i
    return fallback


def yes_no_choice(text: str, labels: list[str]) -> int | None:
    """对 / 嗯 / 没有 / 不清楚 for a yes/no-style question; None when the words are not an answer."""
    return _yes_no(plain(text), [plain(label) for label in labels])


def _yes_no(said: str, labels: list[str]) -> int | None:
    said = re.sub(r"^(我们|我|本人|俺|嗯|额|呃)+", "", said) or said
    if not said or len(said) > YES_NO_MAX_CHARS:
        return None
    if any(w in said for w in UNSURE_WORDS):
        return _pick(labels, UNSURE_OPTIONS, None)
    if said.startswith(NO_WORDS) or said in NO_WORDS:
        return _pick(labels, NO_OPTIONS, 1 if len(labels) >= 2 else None)
    if said.startswith(YES_WORDS) or said in YES_WORDS:
        return _pick(labels, YES_OPTIONS, 0)
    return None


def _digits(text: str) -> int | None:
    """A number typed on its own ("3", "３", "3."), or None (also for absurdly long digit strings)."""
    digits = unicodedata.normalize("NFKC", text).strip().rstrip(".、)）")
    return int(digits) if _NUMBER.fullmatch(digits) and len(digits) <= 6 else None


def number_out_of_range(text: str, labels: list[str]) -> bool:
    """"12" while six buttons are shown: a number meant as a button that is not one."""
    digits = _digits(text)
    return bool(labels) and digits is not None and not 1 <= digits <= len(labels)


def match_choice(text: str, labels: list[str], *, yes_no: bool = False) -> int | None:
    """The index of the button the text means, or None."""
    if not labels:
        return None
    said = plain(text)
    if not said:
        return None
    plains = [plain(label) for label in labels]
    if said in plains:
        return plains.index(said)
    digits = _digits(text)
    if digits is not None and 1 <= digits <= len(labels):
        return digits - 1
    if yes_no:
        choice = _yes_no(said, plains)
        if choice is not None:
            return choice
    if len(said) <= CHOICE_SENTENCE_MAX_CHARS:
        return _near(said, plains)
    return None


def _near(said: str, plains: list[str]) -> int | None:
    """A label typed inside a short sentence ("选天山区吧") or a near spelling ("天山去")."""
    # only when the label is most of what was typed: "西安就业见习补贴多少" is a new question, not a press
    inside = [i for i, label in enumerate(plains)
              if len(label) >= 2 and label in said and len(said) - len(label) <= CHOICE_EXTRA_CHARS]
    if len(inside) == 1:
        return inside[0]
    scored = sorted(((fuzz.ratio(said, label), i) for i, label in enumerate(plains)), reverse=True)
    if scored[0][0] >= FUZZY_MIN_RATIO and (len(scored) == 1 or scored[0][0] - scored[1][0] >= FUZZY_MIN_LEAD):
        return scored[0][1]
    return None
