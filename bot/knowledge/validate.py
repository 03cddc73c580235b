"""`policybot validate`: load, cross-check and ground the knowledge base, then summarise it."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .coverage import Row, coverage, coverage_lines, coverage_problems
from .faq import check_faq_grounding, uncovered_facts
from .grounding import check_grounding
from .loader import load_knowledge
from .model import KnowledgeBase
from .yamlio import Problem


@dataclass
class ValidationReport:
    kb: KnowledgeBase
    problems: list[Problem]
    today: date
    rows: list[Row]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary_lines(self) -> list[str]:
        kb, today = self.kb, self.today
        lines = [f"知识库检查（以 {today.isoformat()} 为今天）"]
        lines.append(f"政策 {len(kb.policies)} 条，办事处表 {len(kb.tables)} 张，"
                     f"办事处/电话 {sum(len(t.entries) for t in kb.tables.values())} 行，话题 {len(kb.topics)} 个")
        per_source = Counter(p.source for p in kb.policies.values())
        for key, doc in kb.sources.items():
            lines.append(f"  来源 {key} {doc.title}：{per_source.get(key, 0)} 条（{doc.status.value}，"
                         f"数字截至 {doc.as_of or '？'}）")
        per_region = Counter(p.region for p in kb.policies.values())
        lines.append("  按地区：" + "，".join(f"{r} {n}" for r, n in per_region.most_common()))
        labels = Counter(kb.standing(p, today).label for p in kb.policies.values())
        lines.append("  按状态：" + "，".join(f"{k} {v}" for k, v in labels.most_common()))
        lines += self.faq_lines()
        lines.append("")
        for p in sorted(kb.policies.values(), key=lambda p: (p.source, p.id)):
            standing = kb.standing(p, today)
            until = p.validity.until.isoformat() if p.validity.until else ("—" if standing.ended else "长期")
            lines.append(f"  [{standing.label}] {p.id:<45} {p.source} {p.section:<8} 至 {until:<10} {p.title}")
        return lines + [""] + coverage_lines(self.rows)


    def faq_lines(self) -> list[str]:
        """FAQ size and the figures of each source that no answer or record field states yet."""
        kb = self.kb
        covered = {e.policy for e in kb.faq.entries}
        lines = [f"  FAQ：{len(kb.faq.entries)} 条，覆盖政策 {len(covered)}/{len(kb.policies)} 条"]
        for key, facts in uncovered_facts(kb.faq, kb).items():
            shown = "、".join(f"{fact}（第{line}行）" for line, fact in facts[:12])
            more = f" 等 {len(facts)} 个" if len(facts) > 12 else ""
            lines.append(f"  来源 {key} 中没有任何回答说到的数字：{shown}{more}")
        return lines


def validate(knowledge_dir: Path | None = None, intents_dir: Path | None = None,
             today: date | None = None) -> ValidationReport:
    kb, problems = load_knowledge(knowledge_dir, intents_dir)
    rows = coverage(kb)
    problems = problems + check_grounding(kb) + check_faq_grounding(kb.faq, kb) + coverage_problems(kb, rows)
    return ValidationReport(kb, problems, today or date.today(), rows)
