"""`keep_known` looks each word pair up once: the very text of checking both pairs at every character."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.answers.planner import _LATIN_WORD, GLUE, _all_known

HERE = Path(__file__).resolve().parents[1]


def _plain(normalized: str, known: frozenset[str]) -> str:
    """keep_known as first written: both pairs around each character checked there."""
    out = []
    normalized = _LATIN_WORD.sub(lambda m: m.group() if _all_known(m.group(), known) else " ", normalized)
    for i, ch in enumerate(normalized):
        pair = (normalized[i - 1:i + 1] if i else "", normalized[i:i + 2])
        keep = ch == " " or ch.isdigit() or ch in GLUE or any(p in known for p in pair if len(p) == 2)
        out.append(ch if keep else " ")
    return re.sub(r" +", " ", "".join(out)).strip()


def test_keep_known_is_the_plain_per_character_test(loaded_bot):
    planner = loaded_bot.dialog.planner
    normalize = loaded_bot.matcher.normalize
    data = yaml.safe_load((HERE / "nlu" / "dev.yaml").read_text(encoding="utf-8"))
    texts = [q for qs in data["in_scope"].values() for q in qs] + list(data["out_of_scope"])
    texts += ["", "a", "张三", "我叫王小明，电话13912345678", "after 失业金", "失业金 多少 钱"]
    for text in texts:
        for form in (text, normalize(text).text):
            assert planner.keep_known(form) == _plain(form, planner.reader.known), form


def test_a_clause_on_who_qualifies_says_no_amount():
    """"一个人给多少" wants a sum or a rate; "1年以上劳动合同" is a condition, not how much."""
    from bot.knowledge.grounding import says_how_much

    assert says_how_much("由企业所在地按照每人1000元的标准给予一次性吸纳就业补贴")
    assert says_how_much("补贴标准原则上不超过其实际缴费的2/3")
    assert says_how_much("中小微企业按60%返还")
    assert not says_how_much("对企业吸纳登记失业半年以上人员就业且签订1年以上劳动合同的，可给予一次性吸纳就业补贴")
