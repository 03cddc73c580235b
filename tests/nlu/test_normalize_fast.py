"""The fast forms of normalisation give exactly what the plain forms gave."""
from __future__ import annotations

import random
import re
import sys
import unicodedata

from bot.nlu import normalize
from bot.nlu.normalize import Normalizer
from bot.nlu.typos import FUNCTION_CHARS


def _reference_clean(norm: Normalizer, text: str) -> str:
    """`clean` as first written: each character outside L*/N* becomes a space, spaces collapsed."""
    text = norm._t2s.convert(unicodedata.normalize("NFKC", text))
    chars = [ch if unicodedata.category(ch)[0] in ("L", "N") else " " for ch in text]
    return re.sub(r"\s+", " ", "".join(chars)).strip().lower()


def test_kept_characters_are_exactly_letters_and_digits_and_never_whitespace():
    kept = re.compile(r"[^\W_]")
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        is_kept = bool(kept.match(ch))
        assert is_kept == (unicodedata.category(ch)[0] in ("L", "N")), hex(cp)
        assert not (is_kept and ch.isspace()), hex(cp)
    assert normalize._NOT_KEPT.pattern == r"[\W_]+"


def test_clean_equals_the_reference_on_mixed_text():
    norm = Normalizer()
    rng = random.Random(14)
    alphabet = "失業金保险ＡＢＣａｂｃ１２３abc 123\t\n　，。！？、_-—…·😂①Ⅻ½ﬁ¼²\u200b\u3000\u00a0ـ٣ᠠ"
    texts = ["", " ", "_", "失业金 一个月多少钱？", "Ｈｏｗ ｍｕｃｈ", "乌鲁木齊市 沙區"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 40))) for _ in range(3000)]
    for text in texts:
        assert norm.clean(text) == _reference_clean(norm, text), repr(text)


def _reference_fold(folder, text: str) -> str:
    """`TypoFolder.fold` as first written: every length tried at every position, character by character."""
    if folder._pinyin and any("a" <= ch <= "z" for ch in text):
        text = re.sub(r"[a-z]+(?: [a-z]+)*", lambda m: folder._pinyin.get(m.group().replace(" ", ""), m.group()), text)
    readings = [folder._reading.get(ch) for ch in text]
    out, i = [], 0
    while i < len(text):
        n = 0
        if readings[i] in folder._first_sounds:
            n = next((k for k in folder._lengths if text[i:i + k] in folder._terms), 0)
            for k in folder._lengths if not n else ():
                term = folder._by_sound.get(tuple(readings[i:i + k]))
                if term and sum(a != b for a, b in zip(text[i:i + k], term)) == 1 and \
                        next(a for a, b in zip(text[i:i + k], term) if a != b) not in FUNCTION_CHARS:
                    n = k
                    break
        if n:
            piece = text[i:i + n]
            out.append(piece if piece in folder._terms else folder._by_sound[tuple(readings[i:i + n])])
            i += n
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def test_typo_folding_equals_the_reference_on_real_terms_and_slips(loaded_bot):
    folder = loaded_bot.matcher.normalize._typos
    rng = random.Random(7)
    by_sound: dict[str, list[str]] = {}
    for ch, reading in folder._reading.items():
        by_sound.setdefault(reading, []).append(ch)
    terms = sorted(folder._terms)
    texts = ["", "a", "shiyejin", "wo xiang wen shi ye jin", "我们是乌鲁木齐市的", "乌鲁木齐失页金"]
    for _ in range(5000):
        term = rng.choice(terms)
        k = rng.randrange(len(term))
        reading = folder._reading.get(term[k])
        if reading and rng.random() < 0.8:
            term = term[:k] + rng.choice(by_sound[reading]) + term[k + 1:]
        filler = "".join(rng.choice("我想问一下的了在这个市失业金保险多少钱 ") for _ in range(rng.randrange(0, 12)))
        cut = rng.randrange(len(filler) + 1)
        texts.append(filler[:cut] + term + filler[cut:] + rng.choice(["", term[:2], "吗"]))
    for text in texts:
        assert folder.fold(text) == _reference_fold(folder, text), text


def test_needle_index_offers_every_needle_a_text_holds_in_order(loaded_bot):
    from bot.nlu.phrases import NeedleIndex

    index = loaded_bot.matcher._aspect_needles
    needles = [entry[0] for entry in index.entries]
    assert len(needles) > 20 and NeedleIndex([("", 1), ("a", 2), ("bc", 3)]).candidates("xbc") == [("", 1), ("a", 2), ("bc", 3)]
    rng = random.Random(5)
    alphabet = "".join(sorted(set("".join(needles)))) + "的了 "
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        if rng.random() < 0.5:
            text += rng.choice(needles)
        offered = index.candidates(text)
        assert offered == sorted(offered, key=index.entries.index)
        assert [e for e in index.entries if e[0] in text] == [e for e in offered if e[0] in text], text
