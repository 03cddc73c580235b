"""Slips of a pinyin keyboard are folded back to the bot's terms; ordinary words are left as they are."""
from __future__ import annotations

from datetime import date

import pytest

from bot.nlu.typos import Sound, TypoFolder
from bot.stores import MemoryStore
from bot import PolicyBot

SOUNDS = {"业": Sound(("ye",), "页叶夜"), "失": Sound(("shi",), "师诗市"), "金": Sound(("jin",), "今斤"),
          "市": Sound(("shi",), "失师"), "乌": Sound(("wu",), "屋"), "鲁": Sound(("lu",), "路"),
          "木": Sound(("mu",), "目"), "齐": Sound(("qi",), "其七")}
TERMS = {"失业金": "失业保险金", "失叶金": "失业保险金", "乌鲁木齐": "乌鲁木齐市/", "乌鲁木齐市": "乌鲁木齐市/"}


@pytest.fixture
def folder() -> TypoFolder:
    return TypoFolder(TERMS, SOUNDS)


def test_a_character_that_sounds_the_same_is_folded_back(folder):
    assert folder.fold("失页金一个月多少") == "失业金一个月多少"
    assert folder.fold("乌鲁木其的") == "乌鲁木齐的"


def test_pinyin_typed_for_a_term_is_read_as_the_term(folder):
    assert folder.fold("乌鲁木齐shiyejin多少") == "乌鲁木齐失业金多少"
    assert folder.fold("shi ye jin") == "失业金"


def test_a_term_spelled_right_wins_over_an_overlapping_slip(folder):
    # 乌鲁木齐失… could be read as a slip of 乌鲁木齐市; the exact 乌鲁木齐 comes first
    assert folder.fold("乌鲁木齐失页金") == "乌鲁木齐失业金"


def test_ordinary_words_and_english_stay_as_they_are(folder):
    for text in ("失业了怎么办", "今天天气", "shiye", "online application", "金市场"):
        assert folder.fold(text) == text


def test_the_bot_answers_a_misspelt_question_as_if_it_were_spelt_right(loaded_bot):
    bot = PolicyBot(loaded_bot.dialog, MemoryStore(), lambda: date(2026, 11, 25))
    for text in ("乌鲁木齐失页金一个月多少钱", "乌鲁木齐shiyejin一个月多少"):
        reply = bot.handle(f"typo:{text}", text)
        assert reply.policy == "urumqi.unemployment_benefit", reply.text
        assert "1530元" in reply.text


def test_a_term_spelled_right_inside_a_longer_one_is_left_alone(loaded_bot):
    # 吸纳就业补贴 sounds like the listed slip 吸那就业补贴; inside 一次性吸纳就业补贴 it is no slip at all
    text = loaded_bot.matcher.normalize("自治区2020年和2023年的一次性吸纳就业补贴对比一下").text
    assert text.count("一次性") == 1 and "吸纳就业补贴" in text


def _fold_trying_every_position(folder: TypoFolder, text: str) -> str:
    """The reference: `_term_at` asked at every position in turn (what fold's pass over the possible
    starts must equal; Han characters only, so no pinyin to read first)."""
    readings = list(map(folder._reading.get, text))
    out, done = [], 0
    for i in range(len(text)):
        if i >= done:
            n = folder._term_at(text, readings, i)
            if n:
                out += (text[done:i], folder._fixed(text[i:i + n], readings[i:i + n]))
                done = i + n
    return "".join(out) + text[done:]


def test_only_the_possible_starts_are_tried_and_the_fold_is_that_of_trying_every_position():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    folder = PolicyBot.load().matcher.normalize._typos
    lines = [line for path in sorted(root.glob("knowledge/**/*.yaml")) + sorted(root.glob("intents/*.yaml"))
             for line in path.read_text(encoding="utf-8").splitlines()]
    lines += ["失页金一个月多少", "乌鲁木其的失页金", "乌鲁木齐失页金", "创业但保贷款", "就叶见习补贴", "稳刚返还", "失页"]
    texts = [t for line in lines if (t := "".join(ch for ch in line if "\u4e00" <= ch <= "\u9fff"))]
    assert len(texts) > 3000
    folded = 0
    for text in texts:
        fast = folder.fold(text)
        assert fast == _fold_trying_every_position(folder, text), text
        folded += fast != text
    assert folded >= 7
