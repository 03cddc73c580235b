"""pytest collects tests/dialogs/*.yaml: one test item per dialog, so `make test` runs the staff's dialogs too.

A failing dialog is reported as its transcript (what the user said, what the bot answered, what was expected);
a mistake in a file is a collection error naming file and line. The knowledge base is loaded once per run.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from bot.dialogtests.format import Dialog, load_dialog_file
from bot.dialogtests.runner import DialogResult, Runner
from bot.knowledge import DataError

RUNNER_KEY = pytest.StashKey[Runner]()


def _runner(config: pytest.Config) -> Runner:
    """One Runner (and so one loaded bot) per pytest run, kept in the config's stash."""
    if RUNNER_KEY not in config.stash:
        config.stash[RUNNER_KEY] = Runner()
    return config.stash[RUNNER_KEY]


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml"):
        return DialogFile.from_parent(parent, path=file_path)
    return None


class DialogFailed(Exception):
    """A dialog did not go as scripted; carries the result for the transcript report."""

    def __init__(self, result: DialogResult):
        super().__init__(result.message())
        self.result = result


class DialogFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        dialogs, problems = load_dialog_file(self.path)
        if problems:
            raise self.CollectError("对话文件有错误：\n" + "\n".join(f"  {p}" for p in problems))
        for dialog in dialogs:
            yield DialogItem.from_parent(self, name=dialog.name.replace("::", ":"), dialog=dialog)


class DialogItem(pytest.Item):
    def __init__(self, *, dialog: Dialog, **kwargs):
        super().__init__(**kwargs)
        self.dialog = dialog
        self.extra_keyword_matches.update(dialog.tags)   # pytest -k 标签

    def runtest(self) -> None:
        result = _runner(self.config).run(self.dialog)
        if not result.passed:
            raise DialogFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None):
        if isinstance(excinfo.value, DialogFailed):
            return excinfo.value.result.report()
        if isinstance(excinfo.value, DataError):
            return "知识库或意图文件有错误，机器人没有启动：\n" + "\n".join(f"  {p}" for p in excinfo.value.problems)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.dialog.line - 1, f"对话：{self.dialog.name}"
