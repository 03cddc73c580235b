"""Load run for the web channel: N concurrent sessions × M messages through a real `policybot serve`.

    .venv/bin/python -m bot.tools.webload [--sessions 50] [--messages 20] [--store sqlite:/tmp/load.sqlite3]

Starts the server in a child process on a free loopback port (per-address limit off, since every simulated
citizen comes from 127.0.0.1), waits until it answers, then every session talks at once. Prints latency
percentiles, errors and throughput. A measurement to run by hand, not a test.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import httpx

CONVERSATION = ("我被公司裁员了，能领失业金吗", "乌鲁木齐市", "核对申领条件", "是", "已办理", "天山区",
                "要带什么材料", "重新开始", "创业担保贷款能贷多少", "兵团", "重新开始", "见习补贴多少钱", "兴安盟",
                "重新开始", "今天天气怎么样", "补贴", "都不是", "稳岗返还怎么申请", "乌鲁木齐市", "谢谢")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, store: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "POLICYBOT_STAFF_PASSWORD"}
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--store", store,
                             "--address-limit", "0", "--today", "2026-11-22"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def _wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(url + "/")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("服务器 60 秒内没有启动")


async def _session(client: httpx.AsyncClient, url: str, number: int, messages: int,
                   latencies: list[float], errors: list[str]) -> None:
    session = f"load-{number:04d}-{os.getpid()}"
    for i in range(messages):
        text = CONVERSATION[i % len(CONVERSATION)]
        started = time.perf_counter()
        try:
            response = await client.post(url + "/api/message", json={"session": session, "text": text})
            if response.status_code != 200:
                errors.append(f"HTTP {response.status_code}")
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        latencies.append(time.perf_counter() - started)


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def run(sessions: int, messages: int, store: str) -> int:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = _start_server(port, store)
    try:
        await _wait_ready(url)
        latencies: list[float] = []
        errors: list[str] = []
        limits = httpx.Limits(max_connections=sessions, max_keepalive_connections=sessions)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            started = time.perf_counter()
            await asyncio.gather(*(_session(client, url, n, messages, latencies, errors) for n in range(sessions)))
            wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    ms = sorted(x * 1000 for x in latencies)
    print(f"{sessions} 个会话 × {messages} 条消息 = {len(ms)} 个请求，存储 {store}，用时 {wall:.1f} 秒"
          f"（{len(ms) / wall:.0f} 条/秒）")
    print(f"延迟 p50 {_percentile(ms, 50):.0f} ms，p90 {_percentile(ms, 90):.0f} ms，"
          f"p99 {_percentile(ms, 99):.0f} ms，最大 {ms[-1]:.0f} ms")
    print(f"错误 {len(errors)} 个" + (f"：{sorted(set(errors))}" if errors else ""))
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--store", default=None, help="默认：临时目录里的 SQLite 文件")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or f"sqlite:{tmp}/load.sqlite3"
        return asyncio.run(run(args.sessions, args.messages, store))


if __name__ == "__main__":
    sys.exit(main())
