"""`policybot bench`: load time, per-question and per-turn latency, peak memory — figures, not a test."""
from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

from ..engine import PolicyBot
from ..knowledge.paths import PACKAGE_ROOT
from ..stores import MemoryStore, SQLiteStore

TODAY = date(2026, 11, 22)
REAL_QUESTION_SETS = (PACKAGE_ROOT / "tests" / "answers" / "dev.yaml", PACKAGE_ROOT / "tests" / "nlu" / "dev.yaml")


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


def real_questions() -> list[str]:
    """What people really ask: the first turns of the dev answer set and the dev intent questions (the
    held-out sets stay unread), or the examples themselves when the tests are not shipped."""
    out: list[str] = []
    for path in REAL_QUESTION_SETS:
        if not path.exists():
            continue
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if isinstance(data, list):
            out += [case["turns"][0] for case in data if case.get("turns")]
        else:
            out += [q for qs in data["in_scope"].values() for q in qs] + list(data["out_of_scope"])
    return out


def bench_first_turns(bot: PolicyBot, questions: list[str], rounds: int = 5) -> dict:
    """Each question as the first turn of a new conversation, `rounds` times: p99 pooled over every timing
    (what a busy machine's scheduler adds included) and p99 of each question's fastest round (the code)."""
    engine = PolicyBot(bot.dialog, MemoryStore(), bot.today)
    fastest = [float("inf")] * len(questions)
    pooled = []
    for r in range(rounds):
        for i, q in enumerate(questions):
            start = time.perf_counter()
            engine.handle(f"first-{r}-{i}", q)
            ms = (time.perf_counter() - start) * 1000
            pooled.append(ms)
            fastest[i] = min(fastest[i], ms)
    return {"questions": len(questions), "rounds": rounds, "p50_ms": round(_percentile(pooled, 0.5), 3),
            "p99_ms": round(_percentile(pooled, 0.99), 3), "p99_fastest_ms": round(_percentile(fastest, 0.99), 3)}


# run in a fresh interpreter: nothing of the bot is imported before the clock starts
_STARTUP = """
import json, resource, sys, time
start = time.perf_counter()
from bot.engine import PolicyBot
imported = time.perf_counter()
PolicyBot.load(sys.argv[1] or None, sys.argv[2] or None)
done = time.perf_counter()
try:  # VmHWM: this process's own peak (ru_maxrss after fork + exec can report the parent's)
    peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"import_s": round(imported - start, 3), "load_s": round(done - imported, 3),
                  "total_s": round(done - start, 3), "peak_rss_mb": round(peak_kb / 1024, 1)}))
"""


def measure_startup(knowledge_dir=None, intents_dir=None, runs: int = 3) -> dict:
    """Import and load in a fresh process, as a real start (the fastest of `runs`) and its peak RSS."""
    args = [sys.executable, "-c", _STARTUP, str(knowledge_dir or ""), str(intents_dir or "")]
    results = [json.loads(subprocess.run(args, check=True, capture_output=True, text=True, cwd=PACKAGE_ROOT)
                          .stdout.strip().splitlines()[-1]) for _ in range(runs)]
    return min(results, key=lambda r: r["total_s"])


def run_bench(knowledge_dir=None, intents_dir=None, questions: int = 2000, rounds: int = 60,
              first_rounds: int = 5) -> dict:
    start = time.perf_counter()
    bot = PolicyBot.load(knowledge_dir, intents_dir, today=TODAY)
    load_s = time.perf_counter() - start
    nlu = bench_nlu(bot, _questions(bot, questions))
    first = bench_first_turns(bot, real_questions(), first_rounds)
    dialog = bench_dialog(lambda store: PolicyBot(bot.dialog, store, bot.today), rounds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"load_s": round(load_s, 3), "startup": measure_startup(knowledge_dir, intents_dir), "nlu": nlu,
            "first_turn": first, "dialog": dialog, "peak_rss_mb": round(peak_mb, 1)}


def run_scaled(scale: int, first_rounds: int = 5) -> dict:
    """×1 and a ×`scale` copy (distinct texts, built in a temporary directory) side by side, one run."""
    from .scale import build_scaled

    questions = real_questions()
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        dirs = {1: (None, None), scale: build_scaled(scale, Path(tmp))}
        for k, (knowledge, intents) in dirs.items():
            bot = PolicyBot.load(knowledge, intents, today=TODAY)
            out[k] = {"examples": len(bot.matcher.examples), "policies": len(bot.kb.policies),
                      "startup": measure_startup(knowledge, intents),
                      "first_turn": bench_first_turns(bot, questions, first_rounds)}
            del bot
    return {"scale": scale, "by_scale": out}


def format_bench(result: dict) -> str:
    nlu, dialog, first, start = result["nlu"], result["dialog"], result["first_turn"], result["startup"]
    return "\n".join([
        f"启动（新进程：导入 {start['import_s']:.3f} s + 加载 {start['load_s']:.3f} s）：{start['total_s']:.3f} s，"
        f"RSS 峰值 {start['peak_rss_mb']:.1f} MB   目标 ≤ 0.6 s，≤ 110 MB",
        f"加载（知识库 + 分词 + 匹配器，本进程）：{result['load_s']:.3f} s",
        f"理解一个问题（{nlu['questions']} 个）：p50 {nlu['p50_ms']:.2f} ms，p99 {nlu['p99_ms']:.2f} ms",
        f"真实问题的第一轮（{first['questions']} 个 × {first['rounds']} 遍）：p50 {first['p50_ms']:.2f} ms，"
        f"p99 {first['p99_ms']:.2f} ms（各题最快一遍的 p99 {first['p99_fastest_ms']:.2f} ms）   目标 p50 ≤ 0.6 ms，p99 ≤ 2 ms",
        f"完整对话每轮（SQLite，{dialog['turns']} 轮）：p50 {dialog['p50_ms']:.2f} ms，p99 {dialog['p99_ms']:.2f} ms"
        f"   目标 p99 ≤ 10 ms",
        f"内存峰值 RSS：{result['peak_rss_mb']:.1f} MB   目标 ≤ 150 MB",
    ])


def format_scaled(result: dict) -> str:
    k, rows = result["scale"], result["by_scale"]
    one, big = rows[1], rows[k]
    line = lambda name, f: f"  {name:<26}{f(one):>14}{f(big):>14}"  # noqa: E731
    return "\n".join([
        f"规模对比（×1 与 ×{k}，例句和政策各自不同）：{'×1':>14}{'×' + str(k):>14}",
        line("例句 / 政策", lambda r: f"{r['examples']} / {r['policies']}"),
        line("启动（导入 + 加载）s", lambda r: f"{r['startup']['total_s']:.3f}"),
        line("  其中加载 s", lambda r: f"{r['startup']['load_s']:.3f}"),
        line("RSS 峰值 MB", lambda r: f"{r['startup']['peak_rss_mb']:.1f}"),
        line("第一轮 p50 ms", lambda r: f"{r['first_turn']['p50_ms']:.3f}"),
        line("第一轮 p99 ms（全部）", lambda r: f"{r['first_turn']['p99_ms']:.3f}"),
        line("第一轮 p99 ms（各题最快）", lambda r: f"{r['first_turn']['p99_fastest_ms']:.3f}"),
        f"  目标：×1 p50 ≤ 0.6 ms，p99 ≤ 2 ms，启动 ≤ 0.6 s，≤ 110 MB；×{k} p99 ≤ 5 ms，启动 ≤ 1.5 s（目标按 ×20 定）",
    ])
