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

from .runner import ResultCache, RunOptions, run


LOG_NAME = "summaryscan.log"     # failures of a run, with their tracebacks, in its --out folder


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="文件、文件夹或通配符（*.docx）")
    p.add_argument("--out", required=True, metavar="DIR", help="输出文件夹")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="并行进程数（默认 1）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.add_argument("--timeout", type=float, default=300, metavar="SEC",
                   help="单个文件的处理时限，秒（默认 300；0 表示不限）")
    p.add_argument("--max-memory", type=int, default=4096, metavar="MB",
                   help="单个处理进程的内存上限，MB（默认 4096；0 表示不限）")
    p.add_argument("--resume", action="store_true",
                   help="继续上次在同一 --out 中断的任务：已完成的文件不再重做")
    p.add_argument("--no-cache", action="store_true",
                   help="不使用结果缓存（默认缓存在 DIR/.cache，内容未变的文件不重复分析）")


def _add_format(p: argparse.ArgumentParser) -> None:
    from .registry import reporters
    formats = list(reporters.entry("tables").meta["formats"])
    p.add_argument("--format", choices=formats, default=formats[0], help="表格格式（默认 csv）")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="summaryscan", description="工作总结、调研报告的结构、数据声明与模范机关创建评估。")
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="抽取文档信息、章节结构和数据声明到表格")
    _add_common(ex)
    _add_format(ex)
    ex.add_argument("--engine", choices=["local", "dask"], default="local",
                    help="local：本机进程池（默认）；dask：在 Dask 集群上运行，输出 Parquet 分区")
    ex.add_argument("--scheduler", metavar="ADDRESS",
                    help="Dask 调度器地址（如 tcp://10.0.0.5:8786）；不给则在本机启动 LocalCluster")
    ck = sub.add_parser("check", help="对照评价框架检查覆盖度和前后一致性")
    _add_common(ck)
    _add_format(ck)
    ck.add_argument("--framework", metavar="ID|FILE.yaml",
                    help="评价框架：内置 id（见 summaryscan frameworks）或 YAML 文件（默认：内置的默认框架）")
    ck.add_argument("--no-model", action="store_true", help="覆盖度只用框架短语规则，不用句子分类模型")
    sc = sub.add_parser("screen", help="批量审读：排名、问题清单、覆盖热力图、雷同检测（HTML + Excel）")
    _add_common(sc)
    sc.add_argument("--framework", metavar="ID|FILE.yaml",
                    help="评价框架：内置 id 或 YAML 文件（默认：内置的默认框架）")
    sc.add_argument("--no-copies", action="store_true", help="不做跨文档雷同（照抄照搬）检测")
    sc.add_argument("--no-model", action="store_true", help="覆盖度只用框架短语规则，不用句子分类模型")
    tr = sub.add_parser("train", help="用标注句子训练“句子→维度”分类模型，并更新模型卡")
    tr.add_argument("--labels", metavar="FILE.jsonl", help="标注数据（默认 corpus/labels/sentences.jsonl）")
    tr.add_argument("--out", metavar="MODEL.skops", help="模型文件（默认 models/dimension-classifier.skops）")
    tr.add_argument("--seed", type=int, default=0, help="划分训练/测试集的种子（默认 0）")
    fw = sub.add_parser("frameworks", help="列出内置评价框架，或查看一个框架")
    fw_sub = fw.add_subparsers(dest="action")
    show = fw_sub.add_parser("show", help="显示一个框架的维度、指标、加减分项")
    show.add_argument("framework", metavar="ID|FILE.yaml")
    show.add_argument("--all-phrases", action="store_true", help="列出全部短语")
    return ap


def _batch(args, desc: str, assess=None):
    """The results of a CLI batch, with the run options the user gave (Assessments with ``assess``)."""
    cache_dir = None if args.no_cache else os.path.join(args.out, ".cache")
    if args.resume:
        if cache_dir is None or not os.path.isdir(cache_dir):
            raise UsageError(f"{args.out} 中没有可以继续的任务（没有 .cache）；去掉 --resume 重新运行")
        print(f"继续上次的任务：{len(ResultCache(cache_dir))} 份文档已完成，不再重做", file=sys.stderr)
    opts = RunOptions(jobs=args.jobs, timeout=args.timeout or None, max_memory_mb=args.max_memory or None,
                      cache_dir=cache_dir, progress=not args.quiet, desc=desc, assess=assess,
                      log_path=os.path.join(args.out, LOG_NAME))
    return run(args.paths, opts)


def _report(name: str, args, results, **options) -> str:
    """Stream a batch's results into the reporter registered as ``name``."""
    from .registry import reporters
    from .report import drive
    return drive(reporters.get(name)(args.out, **options), results)


def cmd_extract(args) -> int:
    if args.engine == "dask":
        return _extract_dask(args)
    if args.scheduler:
        raise UsageError("--scheduler 只能和 --engine dask 一起使用")
    summary = _report("tables", args, _batch(args, "抽取"), fmt=args.format)
    print(f"{summary} -> {os.path.abspath(args.out)}")
    return 0


def _extract_dask(args) -> int:
    try:
        from .engines import run_dask
    except ImportError as exc:
        raise UsageError(f"--engine dask 需要 dask[distributed] 和 pyarrow：pip install 'summaryscan[dask]'（{exc}）")
    counts = run_dask(args.paths, args.out, scheduler=args.scheduler, progress=not args.quiet)
    print(f"Dask：{counts.get('documents', 0)} 份文档，{counts.get('sections', 0)} 个章节，"
          f"{counts.get('claims', 0)} 条数据声明 -> {os.path.abspath(args.out)}（Parquet 分区）")
    return 0


def _load_framework(spec: Optional[str]):
    from .frameworks import FrameworkError, load_framework
    try:
        return load_framework(spec)
    except FrameworkError as exc:
        raise UsageError(str(exc)) from None


class UsageError(Exception):
    """A problem with what the user asked for: printed, exit status 2."""


def _assessor(args, fw):
    """Coverage and consistency for the batch's workers; with the sentence classifier the
    framework names (its ``classifier`` section) when it can be loaded."""
    from .pipeline import Assessor
    if args.no_model or fw.classifier is None:
        return Assessor(fw)
    from .classifier import load_classifier, model_path
    try:
        model = model_path(fw.classifier.model)
        load_classifier(model)     # checked here, once, with a message; loaded again by each worker
    except (OSError, ValueError, KeyError) as exc:
        print(f"提示：未加载句子分类模型（{exc}），覆盖度只用框架规则", file=sys.stderr)
        return Assessor(fw)
    return Assessor(fw, str(model))


def cmd_check(args) -> int:
    fw = _load_framework(args.framework)
    summary = _report("tables", args, _batch(args, "检查", _assessor(args, fw)), fmt=args.format, assessed=True,
                      framework=fw)
    print(f"{summary} -> {os.path.abspath(args.out)}")
    return 0


def cmd_screen(args) -> int:
    fw = _load_framework(args.framework)
    summary = _report("screen", args, _batch(args, "审读", _assessor(args, fw)), framework=fw,
                      copies=not args.no_copies)
    print(summary)
    print(f"Excel：{os.path.abspath(os.path.join(args.out, 'report.xlsx'))}")
    return 0


def cmd_train(args) -> int:
    from .classifier import summary_line, train
    try:
        metrics = train(args.labels, args.out, seed=args.seed)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    print(f"模型已保存：{summary_line(metrics)}")
    return 0


def cmd_frameworks(args) -> int:
    from .frameworks import describe, list_frameworks
    if args.action == "show":
        fw = _load_framework(args.framework)
        print(describe(fw, max_phrases=None if args.all_phrases else 8))
        return 0
    for info in list_frameworks():
        print(f"{info['id']:<20} {info['name']}（版本 {info['version']}，{info['dimensions']} 个维度）")
    print("\n查看详情：summaryscan frameworks show ID；使用自己的框架：--framework path.yaml")
    return 0


COMMANDS = {"extract": cmd_extract, "check": cmd_check, "screen": cmd_screen, "train": cmd_train,
            "frameworks": cmd_frameworks}


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "jobs", 1) < 1:
        print("summaryscan: --jobs 必须是正整数", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"summaryscan: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
