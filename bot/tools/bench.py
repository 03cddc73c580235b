"""`policybot bench`: load time, per-question and per-turn latency, peak memory — figures, not a test."""
from __future__ import annotations

import random
import resource
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from ..engine import PolicyBot
from ..stores import SQLiteStore


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _questions(bot: PolicyBot, count: int, seed: int = 7) -> list[str]:
    """Examples with small perturbations plus noise: the mix a live bot sees, at least `count` of them."""
    rng = random.Random(seed)
    pool = [q for qs in bot.matcher_examples().values() for q in qs]
    noise = ["你好", "谢谢", "明天天气怎么样", "😂😂", "asdfgh", "", "那要带什么材料？", "x" * 2000]
    out = []
    while len(out) < count:
        q = rng.choice(pool)
        roll = rng.random()
        if roll < 0.2 and len(q) > 3:
            i = rng.randrange(len(q))
            q = q[:i] + q[i + 1:]
        elif roll < 0.3:
            q = "请问" + q + "？"
        elif roll < 0.35:
            q = rng.choice(noise)
        out.append(q)
    return out


def bench_nlu(bot: PolicyBot, questions: list[str]) -> dict:
    timings = []
    for q in questions:
        start = time.perf_counter()
        bot.matcher.understand(q)
        timings.append((time.perf_counter() - start) * 1000)
    return {"questions": len(questions), "p50_ms": round(_percentile(timings, 0.5), 3),
            "p99_ms": round(_percentile(timings, 0.99), 3), "mean_ms": round(statistics.mean(timings), 3)}


CONVERSATIONS = [
    ["我被公司裁员了，能领失业金吗？", "1", "是", "是", "已办理", "天山区"],
    ["失业金一个月多少钱", "乌鲁木齐市", "需要哪些材料", "办理地点电话", "沙区"],
    ["兴安盟就业见习有补贴吗", "核对申领条件", "1", "1", "返回", "1"],
    ["稳岗返还", "新疆兵团", "其他问题", "创业担保贷款", "乌鲁木齐市", "核对申领条件", "是", "是", "否"],
    ["你好", "转人工", "重新开始", "明天天气怎么样", "技能提升补贴怎么领", "2"],
]


def bench_dialog(bot_factory, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        bot = bot_factory(SQLiteStore(Path(tmp) / "bench.sqlite3"))
        timings = []
        for r in range(rounds):
            for c, conversation in enumerate(CONVERSATIONS):
                session = f"bench-{r}-{c}"
                for text in conversation:
                    start = time.perf_counter()
                    bot.handle(session, text)
                    timings.append((time.perf_counter() - start) * 1000)
        return {"turns": len(timings), "p50_ms": round(_percentile(timings, 0.5), 3),
                "p99_ms": round(_percentile(timings, 0.99), 3)}


def run_bench(knowledge_dir=None, intents_dir=None, questions: int = 2000, rounds: int = 60) -> dict:
    start = time.perf_counter()
    bot = PolicyBot.load(knowledge_dir, intents_dir, today=date(2026, 11, 22))
    load_s = time.perf_counter() - start
    nlu = bench_nlu(bot, _questions(bot, questions))
    dialog = bench_dialog(lambda store: PolicyBot(bot.dialog, store, bot.today), rounds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"load_s": round(load_s, 3), "nlu": nlu, "dialog": dialog, "peak_rss_mb": round(peak_mb, 1)}


def format_bench(result: dict) -> str:
    nlu, dialog = result["nlu"], result["dialog"]
    return "\n".join([
        f"加载（知识库 + 分词 + 匹配器）：{result['load_s']:.3f} s   目标 ≤ 1.5 s",
        f"理解一个问题（{nlu['questions']} 个）：p50 {nlu['p50_ms']:.2f} ms，p99 {nlu['p99_ms']:.2f} ms   目标 p99 ≤ 5 ms",
        f"完整对话每轮（SQLite，{dialog['turns']} 轮）：p50 {dialog['p50_ms']:.2f} ms，p99 {dialog['p99_ms']:.2f} ms"
        f"   目标 p99 ≤ 10 ms",
        f"内存峰值 RSS：{result['peak_rss_mb']:.1f} MB   目标 ≤ 150 MB",
    ])
