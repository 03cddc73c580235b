"""The FAQ base may only quote its source: a re-worded answer or an invented figure is refused with its line."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from bot.knowledge import validate
from bot.knowledge.loader import DEFAULT_INTENTS_DIR, DEFAULT_KNOWLEDGE_DIR


UNEMPLOYMENT_FAQ = """\
    source: "000"
    policies:
      - policy: urumqi.unemployment_benefit
        faqs:
"""


def _entry(entry_id: str, aspect: str, label: str, asks: str, answer: str) -> str:
    return f"""\
          - id: {entry_id}
            aspect: {aspect}
            label: {label}
            ask: [{asks}]
            answer: {answer}
"""


GOOD_ANSWER = "自2022年1月1日起，失业保险金按照1530元/月的标准发放。"


def _copy_with_faq(tmp_path: Path, body: str) -> Path:
    kb_dir = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, kb_dir)
    faq_dir = kb_dir / "faq"
    if faq_dir.exists():
        shutil.rmtree(faq_dir)
    faq_dir.mkdir()
    (faq_dir / "000_urumqi.yaml").write_text(textwrap.dedent(body), encoding="utf-8")
    return kb_dir


def test_a_verbatim_answer_passes(tmp_path):
    body = UNEMPLOYMENT_FAQ + _entry("amount", "amount", "发放标准", "失业金一个月给多少, 每月发多少钱", GOOD_ANSWER)
    kb_dir = _copy_with_faq(tmp_path, body)
    report = validate(kb_dir, DEFAULT_INTENTS_DIR)
    assert report.ok, report.problems
    assert [e.key for e in report.kb.faq.entries] == ["urumqi.unemployment_benefit#amount"]


def test_an_invented_figure_is_refused_with_file_line_and_field(tmp_path):
    body = (UNEMPLOYMENT_FAQ
            + _entry("amount", "amount", "发放标准", "失业金一个月给多少, 每月发多少钱", "失业保险金按照6000元/月的标准发放。")
            + _entry("amount", "money", "标准2", "只有一种问法", GOOD_ANSWER))
    kb_dir = _copy_with_faq(tmp_path, body)
    messages = [str(p) for p in validate(kb_dir, DEFAULT_INTENTS_DIR).problems]
    assert any("000_urumqi.yaml:5" in m and "字段 answer" in m and "找不到原文" in m for m in messages), messages
    assert any("id “amount”重复" in m for m in messages), messages
    assert any("字段 aspect" in m and "money" in m for m in messages), messages
    assert any("字段 label" in m and "不能含数字" in m for m in messages), messages
    assert any("字段 ask" in m for m in messages), messages


def test_a_policy_from_another_document_is_refused(tmp_path):
    kb_dir = _copy_with_faq(tmp_path, """\
        source: "000"
        policies:
          - policy: xinganmeng.startup_loan
            faqs: []
        """)
    messages = [str(p) for p in validate(kb_dir, DEFAULT_INTENTS_DIR).problems]
    assert any("不能放在" in m for m in messages), messages
