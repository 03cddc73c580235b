"""Fuzzed turns through `PolicyBot.handle`: any string, any session id, never an exception.

`python -m bot.tools.fuzz --turns 50000` prints the number of turns, exceptions and the slowest turns;
`--big` also times one 10 MB message. The test suite runs a shorter version of the same generator."""
from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field

ODD_DIGITS = tuple(ch for ch in map(chr, range(0x110000)) if ch.isdigit() and not ch.isdecimal())
SEEDS = ("我被公司裁员了，能领失业金吗？", "乌鲁木齐市", "是", "否", "已办理", "天山区", "返回", "/start", "/help",
         "/reset", "/topics", "/region", "创业担保贷款", "社保补贴", "电话", "1", "2", "３", "重新开始")


@dataclass
class FuzzResult:
    turns: int = 0
    errors: list[str] = field(default_factory=list)
    slowest: list[tuple[float, int]] = field(default_factory=list)  # (seconds, message length)


def _noise(rng: random.Random, n: int) -> str:
    return "".join(chr(rng.choice((rng.randrange(0x20, 0x7f), rng.randrange(0x4e00, 0x9fff),
                                   rng.randrange(0xd800, 0xe000), rng.randrange(0, 0x110000))))
                   for _ in range(n))


def message(rng: random.Random, options: list[str]) -> str:
    """One fuzzed message; presses a shown button or a Unicode digit for it about a third of the time."""
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice(ODD_DIGITS) * rng.choice((1, 1, 2))
    if kind == 1:
        return "\ud800" + rng.choice(SEEDS) + "\udfff"
    if kind == 2:
        return rng.choice(SEEDS) + "\x00" * rng.randrange(1, 4) + rng.choice(SEEDS)
    if kind == 3:
        return rng.choice(SEEDS) * (100_000 // 10) if rng.random() < 0.02 else "9" * rng.randrange(4000, 6000)
    if kind == 4:
        return _noise(rng, rng.randrange(0, 60))
    if kind in (5, 6) and options:
        return rng.choice(options)
    return rng.choice(SEEDS)


def run(bot, turns: int, seed: int = 1, sessions: int = 40) -> FuzzResult:
    rng = random.Random(seed)
    ids = [f"fuzz:{i}" for i in range(sessions)] + ["\ud800", "a\udfffb", "", "\x00"]
    options: dict[str, list[str]] = {}
    result = FuzzResult()
    for _ in range(turns):
        sid = rng.choice(ids)
        text = message(rng, options.get(sid, []))
        started = time.perf_counter()
        try:
            reply = bot.handle(sid, text)
            options[sid] = list(reply.options)
        except Exception as exc:  # noqa: BLE001 — counting them is the point
            result.errors.append(f"{type(exc).__name__}: {exc} for {text[:40]!r}")
        took = time.perf_counter() - started
        result.slowest = sorted(result.slowest + [(took, len(text))], reverse=True)[:5]
        result.turns += 1
    return result


def main(argv: list[str] | None = None) -> int:
    from bot import PolicyBot

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--big", action="store_true", help="also time a 10 MB message")
    args = parser.parse_args(argv)
    bot = PolicyBot.load()
    started = time.perf_counter()
    result = run(bot, args.turns, args.seed)
    print(f"{result.turns} turns in {time.perf_counter() - started:.1f} s, {len(result.errors)} exceptions")
    for err in result.errors[:10]:
        print("  ", err)
    print("slowest turns (ms, chars):", [(round(t * 1000, 1), n) for t, n in result.slowest])
    if args.big:
        big = ("我被公司裁员了，能领失业金吗？" * 700_000)[:10_000_000]
        times = []
        for i in range(5):
            started = time.perf_counter()
            bot.handle(f"big:{i}", big)
            times.append((time.perf_counter() - started) * 1000)
        print(f"10 MB message ({len(big):,} chars): worst of 5 turns {max(times):.1f} ms "
              f"(median {sorted(times)[2]:.1f} ms)")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
