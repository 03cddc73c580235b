"""One turn end to end: a message is read once, the session is a value, and a turn can be taken back."""
from __future__ import annotations

import ast
import io
import json
from datetime import date
from pathlib import Path

import pytest

from bot.channels.console import run_console
from bot.dialog.session import SCHEMA_VERSION, Session, State
from bot.dialog.tuning import MAX_HISTORY
from bot.stores import MemoryStore

TODAY = date(2026, 11, 22)
FLOWS_DIR = Path(__file__).resolve().parents[2] / "bot" / "dialog" / "flows"


class CountingTokenizer:
    """The matcher's real jieba tokenizer, counting how often it is asked to cut."""

    def __init__(self, real):
        self.real, self.calls = real, 0

    def lcut(self, *args, **kwargs):
        self.calls += 1
        return self.real.lcut(*args, **kwargs)

    def cut(self, *args, **kwargs):
        self.calls += 1
        return self.real.cut(*args, **kwargs)


@pytest.fixture
def jieba_calls(loaded_bot, monkeypatch):
    counter = CountingTokenizer(loaded_bot.matcher.tokenizer)
    monkeypatch.setattr(loaded_bot.matcher, "tokenizer", counter)
    return counter


@pytest.mark.parametrize("question", ["失业金一个月多少钱", "那要带什么材料？", "我在沙区，见习补贴去哪里申请"])
def test_a_short_question_is_segmented_once(new_bot, jieba_calls, question):
    new_bot().handle("j", question)
    assert jieba_calls.calls == 1


def test_a_button_press_is_not_segmented_at_all(new_bot, jieba_calls):
    bot = new_bot()
    bot.handle("j", "失业金一个月多少钱")
    before = jieba_calls.calls
    assert "1530元/月" in bot.handle("j", "1").text
    assert jieba_calls.calls == before


def test_console_debug_does_not_understand_the_message_again(new_bot, jieba_calls, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("失业金一个月多少钱\n"))
    out = io.StringIO()
    run_console(new_bot(), debug=True, out=out)
    assert "top=[unemployment_benefit" in out.getvalue()
    assert jieba_calls.calls == 1


@pytest.mark.parametrize("digit", ["❶", "⓵", "➀", "፩", "١"])
def test_other_scripts_digits_do_not_press_a_button(chat, digit):
    replies = chat("失业金一个月多少钱", digit)
    assert replies[-1].state == "asking_region" and replies[-1].options == replies[0].options
    assert "没有看懂" in replies[-1].text


def test_fullwidth_digit_still_presses_a_button(chat):
    assert "1530元/月" in chat("失业金一个月多少钱", "１")[-1].text


def test_respond_returns_a_new_session_and_leaves_its_argument_alone(loaded_bot):
    start = Session()
    session, reply, understanding = loaded_bot.dialog.respond(start, "失业金一个月多少钱", TODAY)
    assert start == Session() and session.state == State.ASKING_REGION and reply.state == "asking_region"
    assert understanding is not None and understanding.intent == "unemployment_benefit"
    again, _, _ = loaded_bot.dialog.respond(session, "乌鲁木齐市", TODAY)
    assert session.state == State.ASKING_REGION and again.state == State.ANSWERED


def test_the_stored_session_keeps_no_words_typed(new_bot):
    store = MemoryStore()
    bot = new_bot(store=store)
    bot.handle("p", "我叫张三，电话13812345678，被公司裁员了，能领失业金吗")
    bot.handle("p", "乌鲁木齐市")
    stored = json.dumps(store.get("p"), ensure_ascii=False)
    assert "13812345678" not in stored and "张三" not in stored
    assert "被公司裁员" in stored            # the condition cue the check uses, nothing more
    assert Session.from_json(store.get("p")).to_json() == store.get("p")


def test_an_old_or_broken_session_starts_afresh(new_bot):
    store = MemoryStore()
    bot = new_bot(store=store)
    store.put("o", {"version": SCHEMA_VERSION - 1, "state": "checking", "pending": [["是", "answer:1:是"]]})
    assert bot.handle("o", "是").state in ("idle", "fallback", "answered")
    store.put("b", {"version": SCHEMA_VERSION, "state": "no-such-state"})
    assert bot.handle("b", "失业金一个月多少钱").state == "asking_region"


def test_history_is_bounded(new_bot):
    store = MemoryStore()
    bot = new_bot(store=store)
    bot.handle("h", "失业金一个月多少钱")
    for _ in range(MAX_HISTORY + 5):
        bot.handle("h", "1")
        bot.handle("h", "返回")
        bot.handle("h", "办理地点电话")
        bot.handle("h", "天山区")
    assert len(store.get("h")["history"]) <= MAX_HISTORY


def test_undo_takes_back_an_undelivered_turn(new_bot):
    bot = new_bot(store=MemoryStore())
    bot.handle("u", "我被公司裁员了，能领失业金吗？")
    asked = bot.handle("u", "乌鲁木齐市")
    turn = bot.take_turn("u", "是")
    assert turn.reply.text != asked.text
    assert bot.undo("u", turn.token) is True
    resent = bot.handle("u", "是")                       # the person sends it again: same question answered
    assert resent.text == turn.reply.text and resent.options == turn.reply.options


def test_undo_never_overwrites_a_later_turn(new_bot):
    store = MemoryStore()
    bot = new_bot(store=store)
    first = bot.take_turn("u", "失业金一个月多少钱")
    bot.handle("u", "乌鲁木齐市")
    assert bot.undo("u", first.token) is False
    assert store.get("u")["state"] == "answered"
    assert bot.undo("other", bot.take_turn("u", "需要哪些材料").token) is False


def test_undo_of_a_first_turn_forgets_the_conversation(new_bot):
    store = MemoryStore()
    bot = new_bot(store=store)
    assert bot.undo("n", bot.take_turn("n", "失业金一个月多少钱").token) is True
    assert store.get("n") is None


def test_flows_do_not_import_one_another():
    names = {p.stem for p in FLOWS_DIR.glob("*.py") if p.stem != "__init__"}
    for path in FLOWS_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                    and node.level == 1 for alias in node.names} | {
            (node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and node.level == 1}
        assert not (imported & names), (path.name, imported & names)
