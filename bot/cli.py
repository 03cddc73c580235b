"""The `policybot` command: one entry point, one sub-command per job."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期要写成 YYYY-MM-DD，例如 2026-11-22（收到的是 {text!r}）")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge", type=Path, default=None, help="knowledge/ 目录（默认：自带的）")
    parser.add_argument("--intents", type=Path, default=None, help="intents/ 目录（默认：自带的）")
    parser.add_argument("--today", type=_day, default=None, help="把哪一天当作今天（YYYY-MM-DD）")


def cmd_validate(args: argparse.Namespace) -> int:
    from .knowledge import validate

    report = validate(args.knowledge, args.intents, args.today)
    if not args.quiet:
        print("\n".join(report.summary_lines()))
    if report.problems:
        print(f"\n发现 {len(report.problems)} 个问题：", file=sys.stderr)
        for problem in report.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print("\n检查通过：所有数字、电话和日期都能在来源文件中找到。")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policybot", description="政策问答助手")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="检查知识库：格式、引用和每个数字的出处")
    _common(p)
    p.add_argument("--quiet", action="store_true", help="只报告问题，不列出政策")
    p.set_defaults(func=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
