"""The engine accepts any string: fuzzed turns (lone surrogates, Unicode digits while buttons are shown,
100 KB messages, NUL bytes, surrogate session ids) never raise; a 10 MB message is answered like a short one.
What a Unicode digit means is the dialog's (tests/dialog/test_turns.py). The full 50,000-turn run and the
timings: `python -m bot.tools.fuzz --turns 50000 --big`."""
from __future__ import annotations

from bot import PolicyBot
from bot.nlu.normalize import MAX_RAW_CHARS, safe_input
from bot.stores import SQLiteStore
from bot.tools.fuzz import ODD_DIGITS, run


def test_fuzzed_turns_never_raise(loaded_bot):
    result = run(loaded_bot, turns=1500, seed=7)
    assert result.turns == 1500 and result.errors == []


def test_fuzzed_turns_on_a_sqlite_store_never_raise(loaded_bot, tmp_path):
    store = SQLiteStore(tmp_path / "fuzz.sqlite3")
    bot = PolicyBot(loaded_bot.dialog, store, loaded_bot.today)
    result = run(bot, turns=300, seed=11)
    assert result.errors == []
    assert store.get("\ud800") is not None  # a surrogate session id is a session like any other


def test_a_ten_megabyte_message_is_cut_before_any_work(loaded_bot):
    big = "x" * 10_000_000 + "能领失业金吗"
    reply = loaded_bot.handle("big", big)
    assert reply.text and "失业" in reply.text
    assert safe_input(big).endswith("能领失业金吗") and len(safe_input(big)) == MAX_RAW_CHARS


def test_safe_input_removes_what_no_codec_or_parser_takes():
    assert safe_input("a\ud800b\x00c") == "a b c"
    assert safe_input(None) == "" and safe_input(b"bytes") == ""
    assert len(ODD_DIGITS) >= 69  # ❶ ⓵ ➀ ፩ …: `isdigit()` but not `int()`; the fuzzer presses them on buttons


def test_uyghur_and_mongolian_script_are_flagged_for_the_dialog(loaded_bot):
    normalize = loaded_bot.matcher.normalize
    assert normalize("ئىشسىزلىق ياردەم پۇلى ئالالامدىم").script == "uyghur"
    assert normalize("ᠠᠵᠢᠯ ᠦᠭᠡᠢ ᠪᠣᠯ ᠤᠨ ᠲᠡᠳᠬᠦᠮᠵᠢ").script == "mongolian"
    assert normalize("失业金怎么领").script is None and normalize("能领吗 ok 123").script is None


def test_uyghur_or_mongolian_gets_the_bot_reads_chinese_with_topic_buttons(loaded_bot):
    for text in ("ئىشسىزلىق ياردەم پۇلى ئالالامدىم", "ᠠᠵᠢᠯ ᠦᠭᠡᠢ ᠪᠣᠯ ᠤᠨ ᠲᠡᠳᠬᠦᠮᠵᠢ"):
        reply = loaded_bot.handle(f"script-{text[:2]}", text)
        assert reply.text.startswith("抱歉，我只能用中文回答") and "Sorry" not in reply.text
        assert "失业保险金申领" in reply.options
