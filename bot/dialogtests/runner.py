"""Runs scripted dialogs against the engine and reports failures as a transcript a clerk can read.

The knowledge base is loaded once per (knowledge dir, intents dir) and shared; each dialog gets its own
`PolicyBot(base.dialog, MemoryStore(), lambda: today)`, so a suite of hundreds of dialogs stays fast and no
dialog can see another's session.
"""
from __future__ import annotations

import itertools
import time
import traceback
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, TextIO

from ..dialog.reply import Reply
from ..engine import PolicyBot
from ..knowledge.loader import PACKAGE_ROOT
from ..knowledge.yamlio import DataError, report_problems
from ..stores import MemoryStore
from .format import DEFAULT_TODAY, Dialog, Expectation, Step, load_dialogs

EXIT_OK, EXIT_FAILED, EXIT_FORMAT = 0, 1, 2


def default_dialogs_dir() -> Path:
    """`tests/dialogs` of the working directory, else the one next to the package."""
    here = Path("tests/dialogs")
    return here if here.is_dir() else PACKAGE_ROOT / "tests" / "dialogs"


@dataclass
class DialogResult:
    """What happened in one dialog: the turns up to the first failing step and why it failed."""

    dialog: Dialog
    today: date
    turns: list[tuple[Step, Reply]] = field(default_factory=list)
    failures: list[tuple[Expectation, str]] = field(default_factory=list)   # of the last turn only
    error: str | None = None        # the engine raised: its traceback
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None

    def line(self) -> str:
        return f"{'✓' if self.passed else '✗'} {self.dialog.name}"

    def failed_step(self) -> Step | None:
        if self.passed:
            return None
        return self.dialog.steps[len(self.turns) - 1] if self.failures else self.dialog.steps[len(self.turns)]

    def message(self) -> str:
        """One line: what was expected and what came (for JUnit's message attribute)."""
        if self.error is not None:
            return f"第 {len(self.turns) + 1} 步机器人出错：{self.error.strip().splitlines()[-1]}"
        exp, got = self.failures[0]
        return f"第 {len(self.turns)} 步：期望 {exp.describe()}；{got}"

    def report(self) -> str:
        """The whole transcript up to the failing step, then each expectation that failed."""
        d = self.dialog
        out = [f"✗ {d.name}（{d.where}，今天按 {self.today.isoformat()} 算）", "  对话经过："]
        for number, (step, reply) in enumerate(self.turns, 1):
            failing = self.failures and number == len(self.turns)
            out.extend(_turn_lines(number, step, reply, failing))
        step = self.failed_step()
        number = len(self.turns) if self.failures else len(self.turns) + 1
        where = f"{d.file}:{step.line}" if step else d.where
        if self.error is not None and step is not None:
            out.append(f"  ▶ 第 {number} 步  用户：{step.user}")
            out.append(f"  第 {number} 步（{where}）机器人出错了：")
            out.extend("    " + ln for ln in self.error.rstrip().splitlines())
            return "\n".join(out)
        out.append(f"  第 {number} 步（{where}）没有通过：")
        for exp, got in self.failures:
            out.append(f"    期望：{exp.describe()}（{d.file}:{exp.line}）")
            out.append(f"    实际：{got}")
        return "\n".join(out)


def _turn_lines(number: int, step: Step, reply: Reply, failing: bool) -> list[str]:
    mark = "▶" if failing else " "
    pad = " " * 13
    lines = [f"  {mark} 第 {number} 步  用户：{step.user}"]
    text = reply.text.splitlines() or [""]
    lines.append(f"{pad}机器人：{text[0]}")
    lines.extend(f"{pad}        {t}" for t in text[1:])
    if reply.options:
        lines.append(f"{pad}按钮：" + "  ".join(f"[{i}] {o}" for i, o in enumerate(reply.options, 1)))
    lines.append(f"{pad}（intent={reply.intent}  policy={reply.policy}  state={reply.state}）")
    return lines


class Runner:
    """Loads the knowledge base once and runs any number of dialogs, each in a fresh session."""

    def __init__(self, knowledge_dir: Path | None = None, intents_dir: Path | None = None,
                 default_today: date | None = None):
        self.knowledge_dir = knowledge_dir
        self.intents_dir = intents_dir
        self.default_today = default_today or DEFAULT_TODAY
        self._bots: dict[tuple[str, str], PolicyBot] = {}
        self._ids = itertools.count(1)

    def base_bot(self) -> PolicyBot:
        """The loaded engine for this runner's directories (raises DataError on a broken knowledge base)."""
        key = (str(Path(self.knowledge_dir).resolve()) if self.knowledge_dir else "",
               str(Path(self.intents_dir).resolve()) if self.intents_dir else "")
        if key not in self._bots:
            self._bots[key] = PolicyBot.load(self.knowledge_dir, self.intents_dir)
        return self._bots[key]

    def run(self, dialog: Dialog) -> DialogResult:
        today = dialog.today or self.default_today
        bot = PolicyBot(self.base_bot().dialog, MemoryStore(), lambda: today)
        session = f"dialogtest-{next(self._ids)}"
        result = DialogResult(dialog, today)
        started = time.perf_counter()
        for step in dialog.steps:
            try:
                reply = bot.handle(session, step.user)
            except Exception:  # a crash is a failure of this dialog, not of the suite
                result.error = traceback.format_exc()
                break
            result.turns.append((step, reply))
            result.failures = [(exp, got) for exp in step.expectations if (got := exp.check(reply)) is not None]
            if result.failures:
                break
        result.seconds = time.perf_counter() - started
        return result


def write_junit(results: list[DialogResult], path: Path) -> None:
    """JUnit XML for CI: one <testsuite> per file, one <testcase> per dialog."""
    root = ET.Element("testsuites", name="policybot dialogs")
    by_file: dict[str, list[DialogResult]] = {}
    for r in results:
        by_file.setdefault(r.dialog.file, []).append(r)
    totals = {"tests": 0, "failures": 0, "errors": 0}
    total_time = 0.0
    for file, group in by_file.items():
        failures = sum(1 for r in group if r.failures)
        errors = sum(1 for r in group if r.error is not None)
        seconds = sum(r.seconds for r in group)
        suite = ET.SubElement(root, "testsuite", name=file, tests=str(len(group)), failures=str(failures),
                              errors=str(errors), skipped="0", time=f"{seconds:.3f}")
        classname = file.rsplit(".", 1)[0].replace("/", ".").replace("\\", ".")
        for r in group:
            case = ET.SubElement(suite, "testcase", classname=classname, name=r.dialog.name, file=file,
                                 line=str(r.dialog.line), time=f"{r.seconds:.3f}")
            if not r.passed:
                tag = "error" if r.error is not None else "failure"
                ET.SubElement(case, tag, message=r.message(), type="DialogError" if r.error else "DialogFailure"
                              ).text = r.report()
        totals["tests"] += len(group)
        totals["failures"] += failures
        totals["errors"] += errors
        total_time += seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{total_time:.3f}")
    tree = ET.ElementTree(root)
    ET.indent(tree)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def run_suite(paths: Iterable[Path] | None = None, knowledge_dir: Path | None = None,
              intents_dir: Path | None = None, default_today: date | None = None,
              keywords: Iterable[str] = (), junit: Path | None = None,
              out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`policybot test`: 0 all passed, 1 some dialog failed, 2 a file (or the knowledge base) is broken."""
    import sys

    out = out or sys.stdout
    err = err or sys.stderr
    paths = list(paths or []) or [default_dialogs_dir()]
    dialogs, problems = load_dialogs(paths)
    if problems:
        report_problems(f"对话文件有 {len(problems)} 处错误，没有运行任何对话：", problems, err)
        return EXIT_FORMAT
    keywords = [k for k in keywords if k]
    if keywords:
        dialogs = [d for d in dialogs if any(d.selected_by(k) for k in keywords)]
    if not dialogs:
        print("没有选中任何对话" + (f"（-k {' / '.join(keywords)}）" if keywords else ""), file=err)
        return EXIT_FORMAT
    runner = Runner(knowledge_dir, intents_dir, default_today)
    try:
        runner.base_bot()
    except DataError as exc:
        report_problems("知识库或意图文件有错误，机器人没有启动：", exc.problems, err)
        return EXIT_FORMAT
    started = time.perf_counter()
    results = []
    for dialog in dialogs:
        result = runner.run(dialog)
        results.append(result)
        print(result.line(), file=out, flush=True)
    failed = [r for r in results if not r.passed]
    for r in failed:
        print("\n" + r.report(), file=out)
    seconds = time.perf_counter() - started
    print(f"\n共 {len(results)} 个对话：通过 {len(results) - len(failed)} 个，没通过 {len(failed)} 个"
          f"（用时 {seconds:.2f} 秒）。", file=out)
    if junit:
        write_junit(results, junit)
        print(f"JUnit 报告已写入 {junit}", file=out)
    return EXIT_FAILED if failed else EXIT_OK
