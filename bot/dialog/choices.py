"""Maps what a person typed to one of the buttons on offer: exact text, its number, 对/嗯/没有, or a near spelling."""
from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

UNSURE_WORDS = ("不清楚", "不知道", "不确定", "不太清楚", "说不准", "不懂", "不记得", "不晓得", "不了解", "忘了")
NO_WORDS = ("否", "不是", "没有", "没", "还没", "未", "不", "无", "不符合", "不行", "不对", "no", "nope")
YES_WORDS = ("是", "是的", "对", "对的", "嗯", "嗯嗯", "有", "已", "办了", "已经", "符合", "可以", "没错", "好",
             "好的", "行", "满了", "交了", "当然", "确定", "肯定", "yes", "yeah", "y", "ok")
YES_OPTIONS = ("是", "有", "已办理", "已经办理", "符合", "满足", "已满", "属于", "已登记", "是的")
NO_OPTIONS = ("否", "没有", "还没有", "不是", "不符合", "不满足", "未办理", "不属于", "没有登记")
UNSURE_OPTIONS = ("不清楚", "不确定", "不知道")


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s\W_]+", "", text)


def _pick(labels: list[str], wanted: tuple[str, ...], fallback: int | None) -> int | None:
    for i, label in enumerate(labels):
        if _plain(label) in wanted:
            return i
    for i, label in enumerate(labels):
        if any(_plain(label).startswith(w) for w in wanted):
            return i
    return fallback


def yes_no_choice(text: str, labels: list[str]) -> int | None:
    """对 / 嗯 / 没有 / 不清楚 for a yes/no-style question; None when the words are not an answer."""
    plain = _plain(text)
    plain = re.sub(r"^(我们|我|本人|俺|嗯|额|呃)+", "", plain) or plain
    if not plain or len(plain) > 12:
        return None
    if any(w in plain for w in UNSURE_WORDS):
        return _pick(labels, UNSURE_OPTIONS, None)
    if plain.startswith(NO_WORDS) or plain in NO_WORDS:
        return _pick(labels, NO_OPTIONS, 1 if len(labels) >= 2 else None)
    if plain.startswith(YES_WORDS) or plain in YES_WORDS:
        return _pick(labels, YES_OPTIONS, 0)
    return None


def match_choice(text: str, labels: list[str], *, yes_no: bool = False) -> int | None:
    """The index of the button the text means, or None."""
    if not labels:
        return None
    plain = _plain(text)
    if not plain:
        return None
    by_plain = {_plain(label): i for i, label in enumerate(labels)}
    if plain in by_plain:
        return by_plain[plain]
    digits = unicodedata.normalize("NFKC", text).strip().rstrip(".、)）")
    if digits.isdigit() and 1 <= int(digits) <= len(labels):
        return int(digits) - 1
    if yes_no:
        choice = yes_no_choice(text, labels)
        if choice is not None:
            return choice
    # a label typed inside a short sentence ("选天山区吧") or a near spelling ("天山去")
    if len(plain) <= 16:
        # only when the label is most of what was typed: "西安就业见习补贴多少" is a new question, not a press
        inside = [i for i, label in enumerate(labels)
                  if len(_plain(label)) >= 2 and _plain(label) in plain and len(plain) - len(_plain(label)) <= 3]
        if len(inside) == 1:
            return inside[0]
        scored = sorted(((fuzz.ratio(plain, _plain(label)), i) for i, label in enumerate(labels)), reverse=True)
        if scored[0][0] >= 80 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 10):
            return scored[0][1]
    return None
