"""`policybot eval`: how often the matcher picks the right topic, and how often it rightly says "not mine"."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..knowledge.yamlio import DataError, Problem, display_path, read_yaml
from ..nlu.matcher import Matcher

REJECTED = ("out_of_scope", "empty", "vague")  # no topic chosen: the bot does not guess


@dataclass
class EvalSet:
    in_scope: list[tuple[str, str]]   # (question, intent)
    out_of_scope: list[str]


def load_eval_set(path: Path) -> EvalSet:
    data, problems = read_yaml(path)
    if not problems and (not isinstance(data, dict) or not isinstance(data.get("in_scope"), dict)):
        problems = [Problem(display_path(path), None, None, "in_scope", "文件应有 in_scope: 和 out_of_scope:")]
    if problems:
        raise DataError(problems)
    pairs = [(str(q), intent) for intent, qs in data["in_scope"].items() for q in qs or []]
    return EvalSet(pairs, [str(q) for q in data.get("out_of_scope") or []])


@dataclass
class EvalReport:
    total: int = 0
    top1: int = 0
    confident_correct: int = 0
    clarified: int = 0
    wrongly_rejected: int = 0
    oos_total: int = 0
    oos_rejected: int = 0
    per_intent: dict[str, dict[str, int]] = field(default_factory=dict)
    confusions: list[tuple[str, str, int]] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)
    false_accepts: list[dict] = field(default_factory=list)

    @property
    def top1_accuracy(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def wrongly_rejected_rate(self) -> float:
        return self.wrongly_rejected / self.total if self.total else 0.0

    @property
    def oos_rejection_rate(self) -> float:
        return self.oos_rejected / self.oos_total if self.oos_total else 0.0

    @property
    def false_accept_rate(self) -> float:
        return 1 - self.oos_rejection_rate if self.oos_total else 0.0

    def to_json(self) -> dict:
        return {
            "in_scope": self.total, "top1_accuracy": round(self.top1_accuracy, 4),
            "confident_correct": self.confident_correct, "clarified": self.clarified,
            "wrongly_rejected_rate": round(self.wrongly_rejected_rate, 4),
            "out_of_scope": self.oos_total, "oos_rejection_rate": round(self.oos_rejection_rate, 4),
            "false_accept_rate": round(self.false_accept_rate, 4),
            "per_intent": self.per_intent,
            "worst_confusions": [{"expected": a, "got": b, "count": n} for a, b, n in self.confusions],
            "misses": self.misses, "false_accepts": self.false_accepts,
        }


def evaluate(matcher: Matcher, eval_set: EvalSet) -> EvalReport:
    report = EvalReport()
    predicted: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    for question, intent in eval_set.in_scope:
        u = matcher.understand(question)
        report.total += 1
        expected[intent] += 1
        got = None if u.outcome in REJECTED else u.intent
        if got:
            predicted[got] += 1
        if u.outcome == "clarify":
            report.clarified += 1
        if got == intent:
            report.top1 += 1
            correct[intent] += 1
            report.confident_correct += u.outcome == "match"
        else:
            if got is None:
                report.wrongly_rejected += 1
            confusion[(intent, got or "out_of_scope")] += 1
            report.misses.append({"question": question, "expected": intent, "got": got or "out_of_scope",
                                  "score": u.confidence})
    for question in eval_set.out_of_scope:
        u = matcher.understand(question)
        report.oos_total += 1
        if u.outcome in REJECTED:
            report.oos_rejected += 1
        else:
            report.false_accepts.append({"question": question, "got": u.intent, "score": u.confidence})
    by_intent: dict[str, dict[str, int]] = defaultdict(dict)
    for intent in sorted(expected):
        by_intent[intent] = {
            "support": expected[intent],
            "recall": round(correct[intent] / expected[intent], 3),
            "precision": round(correct[intent] / predicted[intent], 3) if predicted[intent] else 0.0,
        }
    report.per_intent = dict(by_intent)
    report.confusions = [(a, b, n) for (a, b), n in confusion.most_common(10)]
    return report


def format_report(report: EvalReport, name: str) -> str:
    lines = [f"评测集：{name}",
             f"  范围内问题 {report.total} 个：top-1 正确率 {report.top1_accuracy:.1%}"
             f"（其中直接命中 {report.confident_correct}，需澄清 {report.clarified}），"
             f"误判为超出范围 {report.wrongly_rejected_rate:.1%}",
             f"  范围外问题 {report.oos_total} 个：拒答率 {report.oos_rejection_rate:.1%}，"
             f"误接率 {report.false_accept_rate:.1%}",
             "  各意图（召回 / 精确 / 数量）："]
    for intent, row in report.per_intent.items():
        lines.append(f"    {intent:<26} {row['recall']:.2f} / {row['precision']:.2f} / {row['support']}")
    lines.append("  最常见的十种混淆（应为 → 实为 × 次数）：")
    for a, b, n in report.confusions:
        lines.append(f"    {a} → {b} × {n}")
    return "\n".join(lines)
