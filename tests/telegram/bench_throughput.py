"""Throughput of the Telegram channel: 50 users × 20 messages at once through the real Application and the
fake Bot API, sessions in a SQLite file. Prints answers per second; not a test (figures, not assertions).

    .venv/bin/python tests/telegram/bench_throughput.py               # this checkout
    PYTHONPATH=/path/to/other/checkout .venv/bin/python tests/telegram/bench_throughput.py   # another one
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from conftest import RunningBot  # noqa: E402
from tg_settings import TODAY, TOKEN  # noqa: E402
from fake_bot_api import FakeBotAPI  # noqa: E402

from bot import PolicyBot  # noqa: E402
from bot.channels import telegram as tg  # noqa: E402
from bot.stores import SQLiteStore  # noqa: E402

MESSAGES = ("/start", "我被公司裁员了，能领失业金吗？", "乌鲁木齐市", "是", "已办理", "天山区", "创业担保贷款怎么申请",
            "返回", "社保补贴有哪些", "/help")


def main(users: int = 50, per_user: int = 20) -> None:
    api = FakeBotAPI(TOKEN).start()
    with tempfile.TemporaryDirectory() as tmp:
        bot = PolicyBot.load(store=SQLiteStore(Path(tmp) / "bench.sqlite3"), today=TODAY)
        app = tg.build_application(bot, TOKEN, base_url=api.base_url, base_file_url=api.base_file_url)
        runner = RunningBot(app).start()
        total = users * per_user
        started = time.monotonic()
        for i in range(per_user):
            for user in range(users):
                api.inject_message(90_000 + user, MESSAGES[i % len(MESSAGES)])
        api.wait_for(lambda: len(api.sent) >= total, timeout=600, what=f"{total} answers")
        elapsed = time.monotonic() - started
        runner.stop()
    calls = len(api.calls)
    api.stop()
    print(f"{users} users x {per_user} messages: {total} answers in {elapsed:.2f} s = {total / elapsed:.1f} answers/s; "
          f"{calls} Bot API calls")


if __name__ == "__main__":
    main()
