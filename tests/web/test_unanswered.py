"""Unanswered questions: kept masked and without session ids, grouped for staff, expired after the retention,
the same in SQLite and Redis, reported on the command line, and saved back as intent examples."""
from __future__ import annotations

import csv
import re
import shutil
from datetime import date

import httpx
import pytest
import yaml
from web_helpers import PASSWORD

from bot.cli import main
from bot.dialog.reply import Reply
from bot.knowledge import DEFAULT_INTENTS_DIR
from bot.privacy import mask
from bot.reports.examples import add_example
from bot.reports.unanswered import UnansweredRecorder, group_questions
from bot.stores import StoreError
from bot.stores.unanswered import (NONE_OF_THESE, OUT_OF_SCOPE, WALKED_AWAY, MemoryUnanswered, UnansweredQuestion,
                                   open_unanswered)

DAY = 86400


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def clarification(options=("创业补贴", "就业见习", "都不是")) -> Reply:
    return Reply(text="您想咨询的是：", options=list(options), state="clarifying")


def test_recorder_tells_the_three_kinds_of_miss_apart():
    clock, store = Clock(), MemoryUnanswered()
    recorder = UnansweredRecorder(store, lambda text: (("internship", 0.5),), clock, abandon_after=600)
    recorder.observe("s1", "身份证650102199001011234能办吗", Reply(text="不在范围", state="fallback"))
    recorder.observe("s2", "补贴", clarification())
    recorder.observe("s2", "3", Reply(text="抱歉没能理解", state="fallback"))       # 都不是 by its number
    recorder.observe("s3", "补贴怎么弄", clarification())
    recorder.observe("s3", "就业见习", Reply(text="…", state="answered", intent="internship"))  # chose: fine
    recorder.observe("s4", "有补贴吗", clarification())
    recorder.observe("s4", "乱七八糟", clarification())                             # a re-prompt: still waiting
    recorder.observe("s4", "失业金怎么领", Reply(text="…", state="asking_region", intent="unemployment_benefit"))
    recorder.observe("s5", "补贴呢", clarification())
    clock.now += 601
    recorder.flush_walked_away()                                                  # never came back
    kept = store.since(0)
    assert [(q.kind, q.text) for q in kept] == [
        (OUT_OF_SCOPE, mask("身份证650102199001011234能办吗")), (NONE_OF_THESE, "补贴"), (WALKED_AWAY, "有补贴吗"),
        (WALKED_AWAY, "补贴呢")]
    assert "19900101" not in kept[0].text
    assert all(q.candidates == (("internship", 0.5),) for q in kept)


def test_a_button_that_leads_to_fallback_is_not_an_unanswered_question():
    store = MemoryUnanswered()
    recorder = UnansweredRecorder(store, lambda text: ())
    recorder.observe("s", "转人工", Reply(text="…", state="fallback", intent="human"))
    assert store.since(0) == []


def test_similar_wordings_are_grouped_with_counts_and_best_candidates():
    questions = [UnansweredQuestion(1.0, OUT_OF_SCOPE, "公积金怎么提取", (("out_of_scope", 0.6),)),
                 UnansweredQuestion(2.0, OUT_OF_SCOPE, "公积金怎么提取？", (("internship", 0.3),)),
                 UnansweredQuestion(3.0, OUT_OF_SCOPE, "公积金怎样提取", ()),
                 UnansweredQuestion(4.0, NONE_OF_THESE, "补贴", (("startup_subsidy", 0.56),))]
    groups = group_questions(questions)
    assert [(g.count, g.text) for g in groups] == [(3, "公积金怎么提取"), (1, "补贴")]
    assert groups[0].candidates == (("out_of_scope", 0.6), ("internship", 0.3))


@pytest.fixture(params=["sqlite", "redis"])
def store_spec(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:{tmp_path / 'web.sqlite3'}"
    url = request.getfixturevalue("redis_url")
    import redis

    redis.Redis.from_url(url).delete("policybot:unanswered")
    return url


def test_stores_keep_questions_for_the_retention_only(store_spec):
    clock = Clock()
    store = open_unanswered(store_spec, retention_days=30, clock=clock)
    store.add(UnansweredQuestion(clock.now - 31 * DAY, OUT_OF_SCOPE, "太旧了"))
    store.add(UnansweredQuestion(clock.now - 8 * DAY, OUT_OF_SCOPE, "上周以前"))
    store.add(UnansweredQuestion(clock.now - 1, OUT_OF_SCOPE, "医保怎么报销", (("out_of_scope", 0.7),)))
    store.add(UnansweredQuestion(clock.now - 1, OUT_OF_SCOPE, "医保怎么报销", (("out_of_scope", 0.7),)))
    assert [q.text for q in store.since(0)] == ["上周以前", "医保怎么报销", "医保怎么报销"]
    recent = store.since(clock.now - 7 * DAY)
    assert [q.text for q in recent] == ["医保怎么报销", "医保怎么报销"]
    assert recent[0].candidates == (("out_of_scope", 0.7),)


def test_report_on_the_command_line_and_as_csv(tmp_path, capsys):
    path = tmp_path / "web.sqlite3"
    store = open_unanswered(f"sqlite:{path}")
    import time

    for text in ("公积金怎么提取", "公积金怎么提取", "医保卡丢了"):
        store.add(UnansweredQuestion(time.time(), OUT_OF_SCOPE, text, (("out_of_scope", 0.61),)))
    assert main(["report", "unanswered", "--since", "7d", "--store", f"sqlite:{path}"]) == 0
    out = capsys.readouterr().out
    assert "3 条，2 组" in out and "2 次  公积金怎么提取" in out and "超出范围（反例） 0.61" in out
    target = tmp_path / "report.csv"
    assert main(["report", "unanswered", "--store", f"sqlite:{path}", "--csv", str(target)]) == 0
    rows = list(csv.reader(target.open(encoding="utf-8-sig")))
    assert rows[0][:2] == ["次数", "问题"] and rows[1][:2] == ["2", "公积金怎么提取"]
    with pytest.raises(SystemExit):
        main(["report", "unanswered", "--since", "一周"])


def test_saving_a_question_as_an_example_keeps_comments_and_validates(tmp_path):
    intents = tmp_path / "intents"
    shutil.copytree(DEFAULT_INTENTS_DIR, intents)
    before = (intents / "examples.yaml").read_text(encoding="utf-8")
    result = add_example("out_of_scope", "公积金贷款利率是多少: 今年", date(2026, 11, 25), intents_dir=intents)
    assert result.ok, result.problems
    after = (intents / "examples.yaml").read_text(encoding="utf-8")
    assert "# 来自未答问题报告，2026-11-25 由员工添加" in after
    assert all(line in after for line in before.splitlines())          # nothing else changed or lost
    data = yaml.safe_load(after)["intents"]
    assert data["out_of_scope"][-1] == "公积金贷款利率是多少: 今年"
    again = add_example("out_of_scope", "公积金贷款利率是多少: 今年", date(2026, 11, 25), intents_dir=intents)
    assert not again.ok and "已经是" in again.message
    unknown = add_example("no_such_intent", "随便问问", date(2026, 11, 25), intents_dir=intents)
    assert not unknown.ok
    assert yaml.safe_load((intents / "examples.yaml").read_text(encoding="utf-8"))["intents"] == data


def test_report_page_survives_a_store_that_is_down(live):
    server = live()

    def down(when):
        raise StoreError("Redis 未答问题存储不可用：Connection refused")

    server.unanswered.since = down
    with httpx.Client() as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get(server.url + "/staff/login").text)
        client.post(server.url + "/staff/login", data={"csrf": token.group(1), "password": PASSWORD})
        page = client.get(server.url + "/staff/unanswered")
    assert page.status_code == 200 and "暂时读不到未答问题" in page.text
