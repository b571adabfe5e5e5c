"""Command line: ``summaryscan extract | check | screen | frameworks``.

A thin shell over :mod:`summaryscan.pipeline`. Exit status is 0 when a batch
ran (files that could not be read are rows in documents.csv with their status),
2 for usage errors.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional

from .pipeline import run_batch
from .report.tables import (CLAIM_COLUMNS, DOCUMENT_COLUMNS, SECTION_COLUMNS, TableWriter, claim_rows,
                            document_row, section_rows)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="文件、文件夹或通配符（*.docx）")
    p.add_argument("--out", required=True, metavar="DIR", help="输出文件夹")
    p.add_argument("--format", choices=["csv", "jsonl"], default="csv", help="表格格式（默认 csv）")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="并行进程数（默认 1）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="summaryscan", description="工作总结、调研报告的结构、数据声明与模范机关创建评估。")
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="抽取文档信息、章节结构和数据声明到表格")
    _add_common(ex)
    return ap


class Outputs:
    """The extract tables, written as documents stream through."""

    def __init__(self, folder: str, fmt: str):
        self.docs = TableWriter(folder, "documents", DOCUMENT_COLUMNS, fmt)
        self.sections = TableWriter(folder, "sections", SECTION_COLUMNS, fmt)
        self.claims = TableWriter(folder, "claims", CLAIM_COLUMNS, fmt)
        self.status: dict[str, int] = {}

    def add(self, a) -> None:
        self.docs.write([document_row(a)])
        self.sections.write(section_rows(a))
        self.claims.write(claim_rows(a))
        self.status[a.raw.status] = self.status.get(a.raw.status, 0) + 1

    def close(self, ok: bool = True) -> None:
        for w in (self.docs, self.sections, self.claims):
            w.close(ok)

    def summary(self) -> str:
        st = "，".join(f"{k} {v}" for k, v in sorted(self.status.items()))
        return (f"{self.docs.count} 份文档（{st}），{self.sections.count} 个章节，"
                f"{self.claims.count} 条数据声明")


def cmd_extract(args) -> int:
    out = Outputs(args.out, args.format)
    ok = False
    try:
        for a in run_batch(args.paths, jobs=args.jobs, progress=not args.quiet, desc="抽取"):
            out.add(a)
        ok = True
    finally:
        out.close(ok)
    print(f"{out.summary()} -> {os.path.abspath(args.out)}")
    return 0


COMMANDS = {"extract": cmd_extract}


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "jobs", 1) < 1:
        print("summaryscan: --jobs 必须是正整数", file=sys.stderr)
        return 2
    return COMMANDS[args.command](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
