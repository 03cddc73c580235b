"""The FAQ base: the detail questions people ask about each policy, answered in the source's own words.

A record answers at the level of a policy; people ask at the level of a clause ("能领几个月"). Each FAQ
entry is one clause, quoted verbatim from the policy's source document (pieces joined by "……"), so the
check here is stricter than the figure check for records: every piece must stand in the source as printed.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .grounding import corrected_source, extract_facts, fold, record_texts
from .model import FaqAspect, FaqBase, FaqEntry, KnowledgeBase, Policy
from .yamlcache import read_cached
from .yamlio import LineDict, Problem, describe_value, display_path, parse_day

PIECE_JOINER = "……"
MAX_LABEL_CHARS = 10
MAX_ANSWER_CHARS = 220
ASK_RANGE = (2, 8)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
FILE_FIELDS = {"source", "policies"}
ENTRY_FIELDS = {"id": True, "aspect": True, "label": True, "ask": True, "answer": True,
                "until": False, "until_text": False}


def load_faq(kb: KnowledgeBase, knowledge_dir: Path) -> tuple[FaqBase, list[Problem]]:
    """Read knowledge/faq/*.yaml; a missing folder is an empty base (the FAQ is optional per document)."""
    problems: list[Problem] = []
    entries: list[FaqEntry] = []
    folder = Path(knowledge_dir) / "faq"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        entries += _read_file(path, kb, problems)
    return FaqBase(tuple(entries)), problems


def _read_file(path: Path, kb: KnowledgeBase, problems: list[Problem]) -> list[FaqEntry]:
    name = display_path(path)
    data, found = read_cached(path)
    problems += found
    if found:
        return []
    if not isinstance(data, LineDict) or not isinstance(data.get("policies"), list):
        problems.append(Problem(name, getattr(data, "line", None), None, "policies",
                                "文件顶层应该有 `source:` 和一个列表 `policies:`"))
        return []
    for key in data:
        if key not in FILE_FIELDS:
            problems.append(Problem(name, data.line_of(key), None, str(key), "不认识这个字段；可用的字段有：source、policies"))
    out: list[FaqEntry] = []
    for block in data["policies"]:
        out += _read_policy_block(block, name, str(data.get("source", "")), kb, problems)
    return out


def _read_policy_block(block: Any, name: str, source: str, kb: KnowledgeBase,
                       problems: list[Problem]) -> list[FaqEntry]:
    if not isinstance(block, LineDict):
        problems.append(Problem(name, None, None, "policies", f"每一项应该是“policy: … faqs: …”，现在是 {describe_value(block)}"))
        return []
    pid = str(block.get("policy", ""))
    policy = kb.policies.get(pid)
    if policy is None:
        problems.append(Problem(name, block.line_of("policy"), pid or None, "policy",
                                "政策编号不存在（要和 knowledge/policies 里某条记录的 id 一字不差）"))
        return []
    if policy.source != source:
        problems.append(Problem(name, block.line_of("policy"), pid, "policy",
                                f"这条政策来自文件 {policy.source}，不能放在 source: \"{source}\" 的 FAQ 文件里"))
        return []
    faqs = block.get("faqs")
    if not isinstance(faqs, list):
        problems.append(Problem(name, block.line, pid, "faqs", "应该是一个列表（每项以“- id: …”开头）"))
        return []
    out, seen = [], set()
    for node in faqs:
        entry = _read_entry(node, name, policy, problems)
        if entry is None:
            continue
        if entry.id in seen:
            problems.append(Problem(name, entry.line, pid, "id", f"同一政策下 id “{entry.id}”重复了"))
        seen.add(entry.id)
        out.append(entry)
    return out


def _field_problem(problems: list[Problem], name: str, node: LineDict, pid: str, field: str, message: str) -> None:
    problems.append(Problem(name, node.line_of(field), pid, field, message))


def _read_entry(node: Any, name: str, policy: Policy, problems: list[Problem]) -> FaqEntry | None:
    pid = policy.id
    if not isinstance(node, LineDict):
        problems.append(Problem(name, None, pid, "faqs", f"每一项应该是一组“字段: 值”，现在是 {describe_value(node)}"))
        return None
    before = len(problems)
    for key in node:
        if key not in ENTRY_FIELDS:
            _field_problem(problems, name, node, pid, str(key), "不认识这个字段；可用的字段有：" + "、".join(ENTRY_FIELDS))
    for key, required in ENTRY_FIELDS.items():
        if required and not node.get(key):
            _field_problem(problems, name, node, pid, key, "缺少这个必填字段（或者是空的）")
    if len(problems) > before:
        return None
    entry_id, label, answer = (str(node[k]).strip() for k in ("id", "label", "answer"))
    where = f"{pid}#{entry_id}"
    if not _ID.match(entry_id):
        _field_problem(problems, name, node, where, "id", "只能用小写英文字母、数字和下划线，例如 amount、duration_months")
    try:
        aspect = FaqAspect(str(node["aspect"]).strip())
    except ValueError:
        _field_problem(problems, name, node, where, "aspect",
                       f"“{node['aspect']}”不是可用的类别；可用：" + "、".join(a.value for a in FaqAspect))
        aspect = FaqAspect.CONDITION
    if len(label) > MAX_LABEL_CHARS or re.search(r"\d", label):
        _field_problem(problems, name, node, where, "label", f"标签最多 {MAX_LABEL_CHARS} 个字，而且不能含数字（数字只能出现在 answer 里）")
    asks = node["ask"] if isinstance(node["ask"], list) else [node["ask"]]
    asks = tuple(str(a).strip() for a in asks if str(a).strip())
    if not ASK_RANGE[0] <= len(asks) <= ASK_RANGE[1]:
        _field_problem(problems, name, node, where, "ask", f"问法要写 {ASK_RANGE[0]}–{ASK_RANGE[1]} 种，现在是 {len(asks)} 种")
    if len(answer) > MAX_ANSWER_CHARS:
        _field_problem(problems, name, node, where, "answer", f"回答太长（{len(answer)} 字），最多 {MAX_ANSWER_CHARS} 字：只引用回答问题的那一句")
    until = parse_day(node["until"]) if node.get("until") is not None else None
    if node.get("until") is not None and until is None:
        _field_problem(problems, name, node, where, "until", f"日期要写成 YYYY-MM-DD，现在是 {node['until']!r}")
    until_text = str(node["until_text"]).strip() if node.get("until_text") else None
    if (until is None) != (until_text is None):
        _field_problem(problems, name, node, where, "until_text", "until 和 until_text 要一起写：日期和原文里印的写法")
    return FaqEntry(pid, entry_id, aspect, label, asks, answer, until, until_text, name, node.line)


def answer_pieces(answer: str) -> list[str]:
    return [piece for piece in answer.split(PIECE_JOINER) if piece.strip()]


def check_faq_grounding(faq: FaqBase, kb: KnowledgeBase) -> list[Problem]:
    """Every piece of every answer, and every clause end date, must stand in the source as printed."""
    problems = []
    texts: dict[tuple, str] = {}       # each source corrected once per set of corrections
    found: dict[tuple, bool] = {}      # each piece looked for once in each corrected source
    for entry in faq.entries:
        policy = kb.policies[entry.policy]
        source = kb.sources.get(policy.source)
        if source is None:
            continue
        key = (policy.source, *((c.wrong, c.right) for c in policy.corrections))
        if key not in texts:
            texts[key] = corrected_source(source.folded, policy.corrections)
        text = texts[key]
        for piece in answer_pieces(entry.answer):
            if (key, piece) not in found:
                found[key, piece] = fold(piece) in text
            if not found[key, piece]:
                problems.append(Problem(entry.file, entry.line, entry.key, "answer",
                                        f"这段话在来源 {source.file} 里找不到原文：“{piece[:40]}”"
                                        "（answer 只能引用原文，几段原文之间用“……”连接）"))
        if entry.until_text and fold(entry.until_text) not in text:
            problems.append(Problem(entry.file, entry.line, entry.key, "until_text",
                                    f"“{entry.until_text}”在来源 {source.file} 里找不到"))
    return problems


def uncovered_facts(faq: FaqBase, kb: KnowledgeBase) -> dict[str, list[tuple[int, str]]]:
    """Figures printed in each source that no FAQ answer and no record field of that source states.

    Returns source key → [(line number, figure)], for the coverage report of `policybot validate`.
    """
    stated: dict[str, str] = {}
    for policy in kb.policies.values():
        stated[policy.source] = stated.get(policy.source, "") + "".join(fold(v) for _, v in record_texts(policy))
    for table in kb.tables.values():
        stated[table.source] = stated.get(table.source, "") + "".join(fold(ph) for e in table.entries for ph in e.phones)
    for entry in faq.entries:
        source = kb.policies[entry.policy].source
        stated[source] = stated.get(source, "") + fold(entry.answer)
    out: dict[str, list[tuple[int, str]]] = {}
    for key, doc in kb.sources.items():
        seen: set[str] = set()
        for number, line in enumerate(doc.text.splitlines(), 1):
            for fact in extract_facts(line):
                if fact.text not in stated.get(key, "") and fact.text not in seen:
                    seen.add(fact.text)
                    out.setdefault(key, []).append((number, fact.text))
    return out
