"""Issue 11: the bot refuses to start on any ungrounded fact, clerks get messages they can act on, every
numbered section of every source is accounted for, and answers stay true on the day they are read."""
from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot import PolicyBot
from bot.knowledge import DataError, load_knowledge, validate
from bot.knowledge.coverage import coverage

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 22)


@pytest.fixture
def copy(tmp_path):
    """A copy of knowledge/ and intents/ in a directory that is not the checkout."""
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    shutil.copytree(ROOT / "intents", tmp_path / "intents")
    return tmp_path


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` by `new`; return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the planted edit needs {old!r} in {path.name}"
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def refusal(copy: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        PolicyBot.load(copy / "knowledge", copy / "intents", today=DAY)
    return [str(p) for p in caught.value.problems]


def test_load_refuses_a_changed_amount_and_a_changed_phone_with_file_and_line(copy):
    policy_file = copy / "knowledge/policies/000_urumqi.yaml"
    amount_line = edit(policy_file, "1530元/月的标准", "6000元/月的标准")
    offices = copy / "knowledge/offices.yaml"
    phone_line = edit(offices, "0991-2337209", "0991-2337299")
    messages = refusal(copy)
    amount = [m for m in messages if "6000元" in m]
    phone = [m for m in messages if "0991-2337299" in m]
    assert amount and phone, messages
    # the path actually loaded (the copy, not the checkout), the field's own line, the record and the field
    assert str(policy_file) in amount[0] or f"{policy_file.name}:{amount_line}" in amount[0]
    assert re.search(rf"000_urumqi\.yaml:{amount_line}，记录 urumqi\.unemployment_benefit，字段 standard", amount[0])
    assert str(copy) in phone[0] and f"offices.yaml:{phone_line}，" in phone[0] and "字段 entries.phones" in phone[0]


def test_full_width_colon_is_named_at_its_own_line(copy):
    path = copy / "knowledge/policies/000_urumqi.yaml"
    line = edit(path, "    section: 三\n", "    section：三\n")
    messages = refusal(copy)
    assert len(messages) == 1, messages   # one message, not a cascade of follow-on errors
    hit = [m for m in messages if "policies/000_urumqi.yaml" in m]
    assert f"000_urumqi.yaml:{line}：" in hit[0]
    assert "section" in hit[0] and "“：”" in hit[0] and "“: ”" in hit[0] and "YAML 格式错误" in hit[0]


def test_indentation_error_is_in_chinese_at_the_line_to_fix(copy):
    path = copy / "knowledge/offices.yaml"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("        office:"))
    lines[index] = "       " + lines[index].lstrip()  # one space less than its neighbours
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    messages = refusal(copy)
    hit = [m for m in messages if "offices.yaml" in m]
    assert hit and f"offices.yaml:{index + 1}：" in hit[0] and "缩进" in hit[0], messages
    assert not re.search(r"[a-z]{4,} [a-z]{4,}", hit[0]), "the message should not be PyYAML's English"


def test_unknown_topic_and_table_get_did_you_mean(copy):
    path = copy / "knowledge/policies/000_urumqi.yaml"
    topic_line = edit(path, "topic: unemployment_benefit", "topic: unemployment_benfit")
    edit(path, "contacts: [urumqi.000-3]", "contacts: [urumqi.000-33]")
    report = validate(copy / "knowledge", copy / "intents", DAY)
    messages = [str(p) for p in report.problems]
    assert any(f":{topic_line}，" in m and "是不是想写 unemployment_benefit" in m for m in messages), messages
    assert any("urumqi.000-33" in m and "是不是想写 urumqi.000-3" in m for m in messages), messages


def test_every_numbered_section_has_records_or_a_reason():
    kb, problems = load_knowledge()
    assert problems == []
    rows = coverage(kb)
    assert all(row.covered for row in rows), [r for r in rows if not r.covered]
    by_section = {(r.source, r.section): r for r in rows}
    assert len([r for r in rows if r.source == "000"]) == 11
    assert len([r for r in rows if r.source == "001"]) == 17
    assert any("厂房免费使用3年" in why for why in by_section[("002", "（四）")].excluded)
    assert any("养老机构运营补贴" in why for why in by_section[("002", "（六）")].excluded)
    assert any("就业创业服务补助" in why for why in by_section[("002", "（二十）")].excluded)


def test_removing_a_reason_makes_validate_fail(copy):
    path = copy / "knowledge/policies/001_xinjiang_2023.yaml"
    edit(path, "  - section: （十六）\n    why: 就业形势分析研判，对政府部门的工作要求\n", "")
    messages = [str(p) for p in validate(copy / "knowledge", copy / "intents", DAY).problems]
    assert any("（十六）" in m and "excluded" in m for m in messages), messages


def test_every_source_has_an_as_of_date_that_it_prints():
    kb, _ = load_knowledge()
    assert {k: d.as_of for k, d in kb.sources.items()} == {
        "000": "2023年", "001": "2023年8月9日", "002": "2020年3月19日", "003": "2024年", "004": "2023年"}


def test_durations_are_not_validity_and_clauses_carry_their_own_end():
    kb, _ = load_knowledge()
    for policy in kb.policies.values():
        text = policy.validity.text or ""
        assert not re.search(r"期限(最长|原则上不超过|为\d+个月)", text), (policy.id, text)
    assert kb.policies["xinjiang2020.personal_si_subsidy"].duration == "补贴期限最长3年。"
    loan = kb.policies["xinjiang2023.startup_loan"]
    assert loan.validity.until is None and [c.until for c in loan.clauses] == [date(2023, 12, 31)]
    notes = kb.quoted_notes(loan, DAY, loan.standard or "")
    assert any("展期还款" in n and "已经结束" in n for n in notes)
    assert any("仍在执行期内" in n for n in kb.quoted_notes(loan, date(2023, 6, 1), loan.standard or ""))


def test_measures_written_for_one_year_end_with_that_year():
    kb, _ = load_knowledge()
    for pid in ("xinjiang2023.graduate_soe_hiring", "xinjiang2023.graduate_grassroots"):
        assert not kb.standing(kb.policies[pid], date(2023, 9, 1)).ended
        assert kb.standing(kb.policies[pid], date(2024, 1, 1)).ended


def test_clause_text_must_be_quoted_by_the_record(copy):
    path = copy / "knowledge/policies/001_xinjiang_2023.yaml"
    line = edit(path, "        text: 可申请展期还款，", "        text: 可以申请展期还款，")
    messages = [str(p) for p in validate(copy / "knowledge", copy / "intents", DAY).problems]
    assert any(f"001_xinjiang_2023.yaml:{line}，" in m and "clauses[1].text" in m for m in messages), messages


@pytest.mark.parametrize("command", [["chat", "--store", "memory"], ["eval"],
                                     ["telegram", "--store", "memory"], ["test", "tests/dialogs/smoke.yaml"]])
def test_every_entry_point_refuses_to_start_on_an_ungrounded_amount(copy, capsys, monkeypatch, command):
    from bot.cli import main

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:not-a-real-token")  # never used: the bot does not start
    monkeypatch.chdir(ROOT)
    line = edit(copy / "knowledge/policies/000_urumqi.yaml", "1530元/月的标准", "6000元/月的标准")
    code = main([*command, "--knowledge", str(copy / "knowledge"), "--intents", str(copy / "intents")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"000_urumqi.yaml:{line}，记录 urumqi.unemployment_benefit，字段 standard" in err
    assert "6000元" in err
