"""The real knowledge base validates; planted mistakes each give an error a clerk can act on."""
from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from bot.knowledge import load_knowledge, validate
from bot.knowledge.grounding import extract_facts
from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path):
    """A copy of knowledge/ and intents/ that a test may break."""
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    shutil.copytree(ROOT / "intents", tmp_path / "intents")
    return tmp_path


def problems_after(workspace: Path, file: str, old: str, new: str) -> list[str]:
    path = workspace / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the planted edit needs {old!r} in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    report = validate(workspace / "knowledge", workspace / "intents", date(2026, 11, 22))
    return [str(p) for p in report.problems]


def test_real_knowledge_base_is_clean_and_grounded():
    report = validate(today=date(2026, 11, 22))
    assert report.problems == []
    assert 55 <= len(report.kb.policies) <= 70


def test_every_source_has_the_expected_number_of_policies():
    kb, _ = load_knowledge()
    per_source = Counter(p.source for p in kb.policies.values())
    assert per_source["000"] == 11          # the handbook's eleven items, one record each
    assert 10 <= per_source["004"] <= 16    # 兴安盟: about a dozen
    assert per_source["001"] >= 10 and per_source["002"] >= 10 and per_source["003"] >= 5


def test_status_counts_follow_today():
    kb, _ = load_knowledge()
    rate_cut = kb.policies["urumqi.ui_rate_cut"]          # 实施期限延长至2024年底
    assert not kb.standing(rate_cut, date(2024, 12, 31)).ended
    assert kb.standing(rate_cut, date(2025, 1, 1)).ended
    assert kb.standing(kb.policies["bingtuan.ui_rate_cut"], date(2025, 6, 1)).draft
    assert kb.standing(kb.policies["xinjiang2020.living_allowance"], date(2020, 5, 1)).ended  # document ended


def test_ocr_slip_is_corrected_and_recorded():
    kb, _ = load_knowledge()
    policy = kb.policies["urumqi.ui_rate_cut"]
    assert "1%" in policy.standard and "l%" not in policy.standard
    assert any(c.wrong.endswith("l%") for c in policy.corrections)


def test_district_tables_are_kept_apart():
    kb, _ = load_knowledge()
    phones = {tid: [e.phones for e in kb.tables[tid].entries if e.place == "经开区（头屯河区）"][0]
              for tid in ("urumqi.000-5", "urumqi.000-8")}
    assert phones["urumqi.000-5"] == ("0991-3743164",)
    assert phones["urumqi.000-8"] == ("0991-3079164",)


def test_wrong_phone_is_caught(workspace):
    problems = problems_after(workspace, "knowledge/offices.yaml", "0991-2337209", "0991-2337299")
    assert any("0991-2337299" in p and "找不到" in p and "offices.yaml" in p for p in problems)


def test_wrong_amount_in_a_policy_names_file_record_and_field(workspace):
    problems = problems_after(workspace, "knowledge/policies/000_urumqi.yaml", "1530元/月的标准", "1550元/月的标准")
    hit = [p for p in problems if "1550元" in p]
    assert hit and "000_urumqi.yaml:" in hit[0] and "urumqi.unemployment_benefit" in hit[0] and "standard" in hit[0]


def test_missing_required_field(workspace):
    problems = problems_after(workspace, "knowledge/policies/000_urumqi.yaml",
                              "  - id: urumqi.unemployment_benefit\n    title: 申领失业保险金\n",
                              "  - id: urumqi.unemployment_benefit\n")
    assert any("urumqi.unemployment_benefit" in p and "title" in p and "缺少" in p for p in problems)


def test_dangling_office_reference(workspace):
    problems = problems_after(workspace, "knowledge/policies/000_urumqi.yaml",
                              "contacts: [urumqi.000-3]", "contacts: [urumqi.000-99]")
    assert any("urumqi.000-99" in p and "找不到" in p for p in problems)


def test_unknown_field_is_named_with_the_expected_ones(workspace):
    problems = problems_after(workspace, "knowledge/policies/000_urumqi.yaml",
                              "    title: 申领失业保险金\n", "    title: 申领失业保险金\n    titel: 打错的字段\n")
    assert any("titel" in p and "不认识" in p and "title" in p for p in problems)


def test_malformed_yaml_names_file_and_line(workspace):
    path = workspace / "knowledge/policies/003_bingtuan_draft.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("    title:"))
    lines[index] = "   title: [没有闭合"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = validate(workspace / "knowledge", workspace / "intents", date(2026, 11, 22))
    messages = [str(p) for p in report.problems]
    assert any("003_bingtuan_draft.yaml:" in m and "YAML 格式错误" in m for m in messages)


def test_option_longer_than_a_button(workspace):
    problems = problems_after(workspace, "knowledge/policies/000_urumqi.yaml",
                              "options: [已办理, 还没有]", "options: [已办理, 还没有办理失业登记也没有求职]")
    assert any("按钮最多 12 个字" in p for p in problems)


def test_validate_command_exit_codes(workspace, capsys):
    assert main(["validate", "--today", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert "urumqi.unemployment_benefit" in out and "已结束" in out and "征求意见稿" in out
    problems_after(workspace, "knowledge/offices.yaml", "0991-2337209", "0991-2337299")
    code = main(["validate", "--knowledge", str(workspace / "knowledge"), "--intents", str(workspace / "intents")])
    assert code == 1
    assert "0991-2337299" in capsys.readouterr().err


def test_fact_extraction_reads_dates_before_counts():
    facts = {(f.kind, f.text) for f in extract_facts("自2022年1月1日起，按1530元/月发放，费率1%，满1年，电话0991-2337209")}
    assert ("日期", "2022年1月1日") in facts and ("金额", "1530元") in facts and ("百分比", "1%") in facts
    assert ("数量", "1年") in facts and ("电话", "0991-2337209") in facts
    assert ("数量", "1月") not in facts
