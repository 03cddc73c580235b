"""`policybot eval --answers`: does the bot give people the facts they asked for, and how soon?

Each case is a short conversation. A simulated citizen types the case's turns, then keeps tapping the
buttons a person in that situation would tap (their region, their district, 是, or the follow-up closest to
what they asked) until every expected fact has appeared or six replies have gone by.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from rapidfuzz import fuzz

from ..knowledge.yamlio import DataError, Problem, display_path, read_yaml

MAX_REPLIES = 6
# buttons that lead to a fact a person asked about; the simulated citizen taps the one whose cue matches
TAP_CUES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("电话", "哪里", "哪儿", "地址", "去哪", "在哪", "窗口", "联系"), ("电话", "地点", "办事处", "联系")),
    (("材料", "带什么", "带啥", "证件", "资料"), ("材料",)),
    (("流程", "怎么办", "咋办", "手续", "步骤", "怎么申请", "线上", "网上"), ("流程", "怎么办", "申请")),
    (("多少", "标准", "几个", "金额", "钱"), ("标准", "多少", "金额")),
    (("条件", "能不能", "能领", "符合", "资格", "可以"), ("核对", "条件")),
)
NEVER_TAP = ("重新开始", "都不是", "其他问题", "其他地区", "转人工", "看看能问什么", "返回")


@dataclass(frozen=True)
class AnswerCase:
    id: str
    turns: tuple[str, ...]
    expect: tuple[tuple[str, ...], ...]    # each fact: any one of these strings
    avoid: tuple[str, ...]
    first: bool
    profile: dict[str, str]
    kind: str


@dataclass
class CaseResult:
    case: AnswerCase
    transcript: list[tuple[str, str, list[str]]] = field(default_factory=list)   # (user, bot text, options)
    found_after: int | None = None        # replies it took until every fact had appeared
    first_complete: bool = False
    avoided_ok: bool = True
    missing: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.found_after is not None and self.avoided_ok and (self.first_complete or not self.case.first)


def _facts(value: Any) -> tuple[tuple[str, ...], ...]:
    items = value if isinstance(value, list) else [value] if value else []
    return tuple(tuple(str(v) for v in item) if isinstance(item, list) else (str(item),) for item in items)


def load_cases(path: Path) -> list[AnswerCase]:
    data, problems = read_yaml(path)
    if not problems and not isinstance(data, list):
        problems = [Problem(display_path(path), None, None, None, "文件应该是一个列表，每项是一个评测对话")]
    if problems:
        raise DataError(problems)
    cases = []
    for item in data:
        turns = item.get("turns") or [item.get("ask", "")]
        cases.append(AnswerCase(
            id=str(item.get("id")), turns=tuple(str(t) for t in turns), expect=_facts(item.get("expect")),
            avoid=tuple(str(a) for a in (item.get("avoid") or [])), first=bool(item.get("first", False)),
            profile={k: str(v) for k, v in (item.get("profile") or {}).items()}, kind=str(item.get("kind", ""))))
    return cases


def choose_tap(options: list[str], case: AnswerCase, wanted: str,
               names: dict[str, tuple[str, ...]] | None = None, tapped: tuple[str, ...] = ()) -> str | None:
    """What a person in the case's situation would tap next; None when nothing on offer helps.

    `names` maps a place or region as a person may write it to every form a button may show it in.
    """
    names = names or {}
    for key in ("district", "region"):
        value = case.profile.get(key, "")
        forms = {value, *names.get(value, ())} - {""}
        for option in options:
            if option in forms or any(form in option for form in forms if len(form) >= 2):
                return option
    answer = case.profile.get("answers", "是")
    if answer in options:
        return answer
    if answer == "是":
        for option in options:
            if option in ("符合", "已办理", "有", "是的", "已登记"):
                return option
    question = "".join(case.turns)
    for cues, labels in TAP_CUES:
        if any(c in question for c in cues):
            for option in options:
                if any(label in option for label in labels) and option not in tapped:
                    return option
    usable = [o for o in options if o not in NEVER_TAP and o not in tapped]
    if not usable:
        return None
    return max(usable, key=lambda o: fuzz.partial_ratio(o, wanted + question))


def place_names(kb) -> dict[str, tuple[str, ...]]:
    """Every written form of each region and place, keyed by each form (for the simulated citizen)."""
    groups = []
    for region in kb.regions.values():
        groups.append((region.name, region.short, *region.aliases))
        groups += [(place.name, *place.aliases) for place in region.places]
    return {form: group for group in groups for form in group}


def run_case(handle: Callable[[str, str], Any], case: AnswerCase,
             names: dict[str, tuple[str, ...]] | None = None) -> CaseResult:
    result = CaseResult(case)
    session = f"answer-eval:{case.id}"
    handle(session, "/reset")
    seen = ""
    pending = list(case.turns)
    replies = 0
    while replies < MAX_REPLIES:
        if pending:
            text = pending.pop(0)
        else:
            missing = _missing(case, seen)
            text = choose_tap(result.transcript[-1][2], case, " ".join(missing), names,
                              tuple(user for user, _, _ in result.transcript)) if result.transcript else None
            if text is None:
                break
        reply = handle(session, text)
        replies += 1
        result.transcript.append((text, reply.text, list(reply.options)))
        seen += "\n" + reply.text
        if not pending and replies == len(case.turns):
            result.first_complete = not _missing(case, reply.text)
        if not pending and not _missing(case, seen):
            result.found_after = replies - len(case.turns) + 1
            break
    result.missing = _missing(case, seen)
    result.avoided_ok = not any(a in seen for a in case.avoid)
    return result


def _missing(case: AnswerCase, text: str) -> list[str]:
    return ["/".join(alts) for alts in case.expect if not any(a in text for a in alts)]


@dataclass
class AnswerReport:
    results: list[CaseResult]

    @property
    def pass_rate(self) -> float:
        return sum(r.passed for r in self.results) / len(self.results) if self.results else 0.0

    @property
    def first_rate(self) -> float:
        return sum(r.first_complete for r in self.results) / len(self.results) if self.results else 0.0

    @property
    def mean_replies(self) -> float:
        found = [r.found_after for r in self.results if r.found_after is not None]
        return sum(found) / len(found) if found else 0.0

    def by_kind(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for r in self.results:
            ok, n = out.get(r.case.kind, (0, 0))
            out[r.case.kind] = (ok + r.passed, n + 1)
        return out


def evaluate_answers(handle: Callable[[str, str], Any], cases: list[AnswerCase],
                     names: dict[str, tuple[str, ...]] | None = None) -> AnswerReport:
    return AnswerReport([run_case(handle, case, names) for case in cases])


def format_answer_report(report: AnswerReport, name: str, show_errors: bool, today: date | None) -> str:
    n = len(report.results)
    lines = [f"回答评测集：{name}（{n} 个对话，今天按 {today or date.today()} 算）",
             f"  通过率 {report.pass_rate:.1%}；第一条回复就答全 {report.first_rate:.1%}；"
             f"得到答案平均需要 {report.mean_replies:.2f} 条回复",
             "  按类型（通过 / 总数）：" + "，".join(f"{k or '未分类'} {ok}/{t}" for k, (ok, t) in sorted(report.by_kind().items()))]
    failures = [r for r in report.results if not r.passed]
    if failures:
        lines.append(f"  未通过 {len(failures)} 个" + ("：" if show_errors else "（加 --show-errors 看对话记录）"))
    for r in failures if show_errors else ():
        why = []
        if r.missing:
            why.append("缺少 " + "、".join(r.missing))
        if not r.avoided_ok:
            why.append("出现了不该出现的 " + "、".join(a for a in r.case.avoid if any(a in t for _, t, _ in r.transcript)))
        if r.case.first and not r.first_complete and not r.missing:
            why.append("第一条回复没有答全")
        lines.append(f"  ✗ {r.case.id}（{r.case.kind}）：{'；'.join(why)}")
        for user, text, options in r.transcript:
            lines.append(f"      用户：{user}")
            lines.append("      助手：" + text.replace("\n", "\n            "))
            if options:
                lines.append("            [" + "] [".join(options) + "]")
    return "\n".join(lines)
