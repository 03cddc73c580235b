"""`python -m bot.tools.homophones`: rebuild intents/homophones.txt after the synonyms or place names change.

People type with a pinyin keyboard: 失页金 for 失业金, 创业代款 for 创业贷款, or the pinyin itself (shiyejin).
The bot folds such slips back (bot/nlu/typos.py) using a table of the characters that sound alike. The
table covers only the characters of the bot's own terms and lists only common characters (GB2312), so it
stays small; it is built with pypinyin, a maintainer's tool that the running bot does not need
(`pip install pypinyin`).
"""
from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

from ..knowledge.paths import DEFAULT_INTENTS_DIR
from ..knowledge.yamlio import read_yaml
from ..nlu.typos import HOMOPHONES_FILE, typo_terms

HEADER = """# 同音字表：机器人用它把拼音输入法打错的字（失页金→失业金）和直接打的拼音（shiyejin）认回来。
# 由 `python -m bot.tools.homophones` 根据 synonyms.yaml 和 gazetteer.yaml 里的说法生成（需要 pip install pypinyin），
# 不要手改：改了同义词或地名后重新生成即可。每行：字<TAB>拼音（常用读音）<TAB>同音的常用字。
"""


def _toneless(reading: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", reading) if not unicodedata.combining(ch))


def _common(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return "\u4e00" <= ch <= "\u9fff"


def build(intents_dir: Path) -> str:
    from pypinyin.pinyin_dict import pinyin_dict   # maintainer's tool only

    # the first reading is the usual one: a rare reading (失 as yì) would make 失 and 一 sound alike
    readings = {chr(cp): [_toneless(value.split(",")[0])] for cp, value in pinyin_dict.items() if value}
    by_sound: dict[str, set[str]] = {}
    for ch, sounds in readings.items():
        if _common(ch):
            by_sound.setdefault(sounds[0], set()).add(ch)
    synonyms, _ = read_yaml(intents_dir / "synonyms.yaml")
    gazetteer, _ = read_yaml(intents_dir / "gazetteer.yaml")
    chars = sorted({ch for term in typo_terms(synonyms or {}, gazetteer or {}) for ch in term})
    lines = [HEADER.rstrip("\n")]
    for ch in chars:
        sounds = readings.get(ch, [])
        alike = sorted(set().union(*(by_sound.get(s, set()) for s in sounds)) - {ch}) if sounds else []
        lines.append(f"{ch}\t{','.join(sounds)}\t{''.join(alike)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intents", type=Path, default=DEFAULT_INTENTS_DIR)
    args = parser.parse_args(argv)
    target = args.intents / HOMOPHONES_FILE
    target.write_text(build(args.intents), encoding="utf-8")
    print(f"已写入 {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
