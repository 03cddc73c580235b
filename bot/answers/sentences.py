"""Where the question stands in a long message: people tell a story first, or ask first and explain after."""
from __future__ import annotations

import re

LONG_MESSAGE_CHARS = 60     # shorter messages are read whole
MAX_SCAN_CHARS = 20_000     # a pasted novel is not read further than this (bounded work per message)
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]?")
_STRONG_MARKS = re.compile(r"[？?]|吗|呢|请问|想问|想知道|问一下|问下")
_QUESTION_MARKS = re.compile(r"[？?]|吗|呢|(.)不\1|多少|多久|多长|怎么|咋|如何|哪里|哪儿|哪个|哪些|哪几|哪种|哪类|哪项|哪一|哪天|去哪|在哪|到哪|什么|啥|谁|几个|几年|几月|几次|几天|几岁|几项|几种|几类|几级|几档|几倍|"
                             r"能不能|可不可以|是不是|有没有|是否|要不要|行不行|能否|可以.{0,6}[吗么]|请问|想问|想咨询|不\s*$|"
                             # a request asks too: "顺便把沙区办失业金的电话也给我", "介绍一下"
                             r"(?:给|告诉|发)我(?:一下)?\s*$|(?:说|讲|介绍|查|列)一下|说说|讲讲")

_ASKS_WHAT = re.compile(r"多少|多久|多长|怎么|咋|如何|哪|什么|啥|谁|几|能不能|是不是|有没有|是否|要不要")


def question_candidates(raw: str) -> list[str]:
    """The asking sentences to try one by one (first, last), then together; empty for short text."""
    asking = _long_asking(raw)
    return list(dict.fromkeys([asking[0], asking[-1], "".join(_ends(asking))])) if asking else []


def question_sentences(raw: str) -> str | None:
    """The sentences that ask something (the first and the last), or None for short text."""
    asking = _long_asking(raw)
    return "".join(_ends(asking)) if asking else None


def _long_asking(raw: str) -> list[str]:
    """The asking sentences of a long message (none for a short one: it is read whole)."""
    text = raw[:MAX_SCAN_CHARS]
    if len(text) <= LONG_MESSAGE_CHARS:
        return []
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    spaced = len(sentences) == 1
    if spaced:
        sentences = _spaced(sentences[0])
    asking = [s for s in sentences if _STRONG_MARKS.search(s)] or [s for s in sentences if _QUESTION_MARKS.search(s)]
    if len(asking) > 1:  # "我想咨询一下。" opens many stories and asks nothing by itself ("展期最长多久？" does)
        asking = [s for s in asking if len(s) >= 10 or _ASKS_WHAT.search(s)] or asking
    last = sentences[-1] if sentences else ""
    if asking and last not in asking and _QUESTION_MARKS.search(last):
        asking.append(last)   # "…能申请吗？能补多少": the last question often has no question mark
    if spaced and asking:
        # "…见习期一般多长时间 见习生活补助我们至少得发多少 去沙区哪办 电话多少": one run of questions, read together
        first, end = sentences.index(asking[0]), sentences.index(asking[-1])
        return [" ".join(sentences[first:end + 1])]
    return asking


def _spaced(text: str) -> list[str]:
    """"…老工人全给辞退了 失业保险厂里一直给交着的 … 去米东哪里办 电话多少": no punctuation, the writer's
    spaces end the sentences (a piece of a few characters stays with the one before)."""
    out: list[str] = []
    for piece in text.split():
        if out and len(piece) < MIN_SPACED_CHARS and not _QUESTION_MARKS.search(piece):
            out[-1] += piece
        else:
            out.append(piece)
    return out


MIN_SPACED_CHARS = 4   # shorter pieces between spaces are a word set apart, not a sentence
ASKING_KEPT = 3   # a story's asking sentences read together ("展期多久？还贴息吗？现在还能用吗？"); more: first and last


def _ends(asking: list[str]) -> list[str]:
    return asking if len(asking) <= ASKING_KEPT else [asking[0], asking[-1]]


# a question about the story told before it ("…还没补上。这种情况还能拿到吗？"): read with what it refers to
REFERS_BACK = re.compile(r"这种情况|这种情形|这情况|这样的话|这样还|这样能|像我这样|像我这种|我这种情况")


def asks_something(text: str) -> bool:
    return bool(_QUESTION_MARKS.search(text))
