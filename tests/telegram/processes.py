"""`policybot telegram` as a real child process (polling or webhook), for crash and multi-process tests."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tg_settings import TOKEN
from redis_proc import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "hook-Secret_for-tests"


class BotProcess:
    def __init__(self, api, store: str, webhook: bool = False, token: str = TOKEN, base_url: str | None = None,
                 extra: tuple[str, ...] = ()):
        self.port = free_port() if webhook else None
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": base_url or api.base_url,
               "TELEGRAM_WEBHOOK_SECRET": SECRET}
        args = [sys.executable, "-m", "bot.cli", "telegram", "--today", "2026-11-22", "--store", store, *extra]
        if webhook:
            args += ["--webhook", "https://bot.example.org/hook", "--listen", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)

    @property
    def hook(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def wait_listening(self, timeout: float = 60) -> "BotProcess":
        try:
            wait_for_port(self.port, timeout)
        except AssertionError:
            code, output = self.finish(5)
            raise AssertionError(f"the bot did not listen (exit {code}):\n{output[-2000:]}") from None
        return self

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def finish(self, timeout: float = 30) -> tuple[int, str]:
        """Exit code and everything printed (stdout + stderr)."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate(timeout=5)
        return self.proc.returncode, out + err

    def terminate(self) -> str:
        """Stop with SIGTERM; returns what it printed (shown by pytest when a test fails)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code, output = self.finish(20)
        print(f"--- bot process exited {code}:\n{output[-3000:]}")
        return output
