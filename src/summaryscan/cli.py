"""Command line: ``summaryscan extract | check | screen | frameworks``.

A thin shell over :mod:`summaryscan.pipeline`. Exit status is 0 when a batch
ran (files that could not be read are rows in documents.csv with their status),
2 for usage errors, among them no input found at all and an output folder that
holds other files (unless ``--force``). Messages, argparse's included, are in Chinese.

Start-up is kept short (the first document is reached in well under a second): the
pipeline, the batch driver and the reporters are imported only by the commands that use
them, and the segmentation lexicon is read from a prebuilt cache (:mod:`summaryscan.text.segment`).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Optional


LOG_NAME = "summaryscan.log"     # failures of a run, with their tracebacks, in its --out folder
MARKER = ".summaryscan"          # marks an output folder as ours: a later run may replace what is in it

# what a run of ours leaves in its --out folder (a folder holding only these is ours too)
_OUR_NAMES = {"index.html", "report.xlsx", "docs", "charts", ".cache", ".screen-work", ".tables-work", LOG_NAME, MARKER,
              "documents", "sections", "claims"} | {f"{t}.{ext}" for t in ("documents", "sections", "claims",
                                                                           "coverage", "findings")
                                                   for ext in ("csv", "jsonl")}


# --------------------------------------------------------------------------- #
# argparse in Chinese
# --------------------------------------------------------------------------- #

# argparse's own messages -> Chinese (the formatted message, so no gettext catalogue is needed)
_MESSAGES = [
    (r"the following arguments are required: (.+)", "缺少必需的参数：{0}"),
    (r"unrecognized arguments: (.+)", "无法识别的参数：{0}（本命令没有这个选项，见 -h）"),
    (r"argument (\S+): invalid choice: '?([^']*)'? \(choose from (.+)\)", "参数 {0} 的取值“{1}”无效，可选：{2}"),
    (r"argument (\S+): invalid int value: '?([^']*)'?", "参数 {0} 需要一个整数，“{1}”不是整数"),
    (r"argument (\S+): invalid float value: '?([^']*)'?", "参数 {0} 需要一个数字，“{1}”不是数字"),
    (r"argument (\S+): expected one argument", "参数 {0} 后面需要跟一个值"),
    (r"argument (\S+): expected at least one argument", "参数 {0} 后面至少需要一个值"),
    (r"argument (\S+): not allowed with argument (\S+)", "参数 {0} 不能和 {1} 一起使用"),
    (r"ambiguous option: (\S+) could match (.+)", "选项 {0} 有歧义，可能是：{1}"),
    (r"one of the arguments (.+) is required", "需要以下参数之一：{0}"),
]
_HEADINGS = [("usage: ", "用法："), ("positional arguments:", "位置参数："), ("optional arguments:", "选项："),
             ("options:", "选项：")]


def _chinese(message: str) -> str:
    for pattern, zh in _MESSAGES:
        m = re.fullmatch(pattern, message.strip(), re.S)
        if m:
            return zh.format(*m.groups())
    return message


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its usage, headings, help option and error messages in Chinese."""

    def __init__(self, *args, **kwargs):
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def _zh(self, text: str) -> str:
        for en, zh in _HEADINGS:
            text = re.sub(rf"(?m)^{re.escape(en)}", zh, text)
        return text

    def format_usage(self) -> str:
        return self._zh(super().format_usage())

    def format_help(self) -> str:
        return self._zh(super().format_help())

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{_chinese(message)}\n")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="文件、文件夹或通配符（*.docx）")
    p.add_argument("--out", required=True, metavar="DIR", help="输出文件夹")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="并行进程数（默认：本机的 CPU 核数）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.add_argument("--timeout", type=float, default=300, metavar="SEC",
                   help="单个文件的处理时限，秒（默认 300；0 表示不限）")
    p.add_argument("--max-memory", type=int, default=4096, metavar="MB",
                   help="单个处理进程的内存上限，MB（默认 4096；0 表示不限）")
    p.add_argument("--resume", action="store_true",
                   help="继续上次在同一 --out 中断的任务：已完成的文件不再重做")
    p.add_argument("--no-cache", action="store_true",
                   help="不使用结果缓存（默认缓存在 DIR/.cache，内容未变的文件不重复分析）")
    p.add_argument("--force", action="store_true",
                   help="输出文件夹里已有别的文件时仍写入（默认拒绝，以免混入或覆盖；不会删除其中别的文件）")
    p.add_argument("--ocr", choices=["auto", "never", "always"], default="auto",
                   help="扫描件与图片的文字识别：auto 识别图片和没有可用文字层的 PDF 页（默认）；"
                        "always 识别 PDF 的每一页；never 不识别")


def _add_format(p: argparse.ArgumentParser) -> None:
    from .report.tables import TABLE_FORMATS      # not the registry: it would import every reporter
    formats = list(TABLE_FORMATS)
    p.add_argument("--format", choices=formats, default=formats[0], help="表格格式（默认 csv）")


def build_parser() -> argparse.ArgumentParser:
    ap = ChineseArgumentParser(prog="summaryscan", description="工作总结、调研报告的结构、数据声明与模范机关创建评估。")
    sub = ap.add_subparsers(dest="command", required=True, title="命令", metavar="命令")
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
    ck.add_argument("--no-copies", action="store_true", help="不做跨文档雷同（照抄照搬）检测")
    sc = sub.add_parser("screen", help="批量审读：排名、问题清单、覆盖热力图、雷同检测（HTML + Excel）")
    _add_common(sc)
    sc.add_argument("--framework", metavar="ID|FILE.yaml",
                    help="评价框架：内置 id 或 YAML 文件（默认：内置的默认框架）")
    sc.add_argument("--no-copies", action="store_true", help="不做跨文档雷同（照抄照搬）检测")
    sc.add_argument("--no-model", action="store_true", help="覆盖度只用框架短语规则，不用句子分类模型")
    tr = sub.add_parser("train", help="用真实文本的标注句子训练“句子→维度”分类模型，校准覆盖判定阈值，并更新模型卡")
    tr.add_argument("--out", metavar="DIR", help="模型文件夹（默认 models/）")
    fw = sub.add_parser("frameworks", help="列出内置评价框架，或查看一个框架")
    fw_sub = fw.add_subparsers(dest="action", title="操作", metavar="操作")
    show = fw_sub.add_parser("show", help="显示一个框架的维度、指标、加减分项")
    show.add_argument("framework", metavar="ID|FILE.yaml")
    show.add_argument("--all-phrases", action="store_true", help="列出全部短语")
    return ap


def _inputs(args) -> list:
    """The files the paths name, each with its document key; a usage error when none exists."""
    from .ingest import keyed_inputs
    files = keyed_inputs(args.paths)
    if not any(os.path.lexists(f) for f in files):
        given = "、".join(args.paths)
        why = "文件夹里没有可读取的文件" if any(os.path.isdir(p) for p in args.paths) else "路径不存在或通配符没有匹配到文件"
        raise UsageError(f"没有找到任何输入文件：{given}（{why}）")
    return files


def _prepare_out(args) -> None:
    """Make the --out folder, refusing one that holds other files (unless --force): a run
    replaces its own earlier output there, and must not mix with or overwrite anything else."""
    out = args.out
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {out} 是一个文件，不是文件夹")
    if os.path.isdir(out):
        names = os.listdir(out)
        foreign = sorted(n for n in names if n not in _OUR_NAMES and not n.startswith(".tmp-"))
        if foreign and MARKER not in names and not getattr(args, "force", False):
            shown = "、".join(foreign[:3]) + (" 等" if len(foreign) > 3 else "")
            raise UsageError(f"输出文件夹 {out} 里已有不是 summaryscan 生成的文件（{shown}）；"
                             "请换一个空文件夹，或加 --force 仍写入这里（不会删除其中别的文件）")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, MARKER), "w", encoding="utf-8") as fh:
        fh.write("summaryscan 的输出文件夹：再次运行会替换其中上一次的结果。\n")


def _batch(args, desc: str, assess=None, rows=None):
    """The results of a CLI batch, with the run options the user gave (Assessments with ``assess``;
    what ``rows`` makes of each result when given: see :attr:`summaryscan.runner.RunOptions.rows`)."""
    from .runner import ResultCache, RunOptions, default_jobs, run
    files = _inputs(args)
    _prepare_out(args)
    cache_dir = None if args.no_cache else os.path.join(args.out, ".cache")
    if args.resume:
        if cache_dir is None or not os.path.isdir(cache_dir):
            raise UsageError(f"{args.out} 中没有可以继续的任务（没有 .cache）；去掉 --resume 重新运行")
        print(f"继续上次的任务：{len(ResultCache(cache_dir))} 份文档已完成，不再重做", file=sys.stderr)
    opts = RunOptions(jobs=args.jobs or default_jobs(), timeout=args.timeout or None,
                      max_memory_mb=args.max_memory or None, cache_dir=cache_dir, progress=not args.quiet, desc=desc,
                      assess=assess, log_path=os.path.join(args.out, LOG_NAME), ocr=args.ocr, rows=rows)
    return run(files, opts)


def _report(name: str, args, desc: str, assess=None, **options) -> str:
    """Run the batch and stream its results into the reporter registered as ``name``; a
    reporter that needs only rows names them (``worker_rows``) and the workers send those."""
    from .report import drive
    if name == "tables":       # the CLI's own tables: the registry would import every reporter first
        from .report.tables import TablesReporter as reporter
    else:
        from .registry import reporters
        reporter = reporters.get(name)
    worker_rows = getattr(reporter, "worker_rows", None)
    results = _batch(args, desc, assess, worker_rows(**options) if worker_rows is not None else None)
    return drive(reporter(args.out, **options), results)


def cmd_extract(args) -> int:
    if args.engine == "dask":
        return _extract_dask(args)
    if args.scheduler:
        raise UsageError("--scheduler 只能和 --engine dask 一起使用")
    summary = _report("tables", args, "抽取", fmt=args.format)
    print(f"{summary} -> {os.path.abspath(args.out)}")
    return 0


def _extract_dask(args) -> int:
    # options the Dask engine has no use for are refused, not silently ignored
    unused = [name for name, given in (("--format jsonl", args.format != "csv"), ("--resume", args.resume),
                                       ("--no-cache", args.no_cache), ("--timeout", args.timeout != 300),
                                       ("--max-memory", args.max_memory != 4096),
                                       ("--jobs", args.jobs is not None and bool(args.scheduler))) if given]
    if unused:
        raise UsageError(f"--engine dask 不支持 {'、'.join(unused)}：Dask 输出 Parquet 分区，"
                         "时限、内存和工作进程数由集群决定（本机集群的进程数可用 --jobs 指定）")
    os.environ["SUMMARYSCAN_OCR"] = args.ocr      # read by the OCR reader in the cluster's local workers
    try:
        from .engines import run_dask
    except ImportError as exc:
        raise UsageError(f"--engine dask 需要 dask[distributed] 和 pyarrow：pip install 'summaryscan[dask]'（{exc}）")
    files = _inputs(args)
    _prepare_out(args)
    workers = {"n_workers": args.jobs} if args.jobs is not None else {}
    counts = run_dask(files, args.out, scheduler=args.scheduler, progress=not args.quiet, **workers)
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
    summary = _report("tables", args, "检查", _assessor(args, fw), fmt=args.format, assessed=True,
                      framework=fw, copies=not args.no_copies)
    print(f"{summary} -> {os.path.abspath(args.out)}")
    return 0


def cmd_screen(args) -> int:
    fw = _load_framework(args.framework)
    summary = _report("screen", args, "审读", _assessor(args, fw), framework=fw, copies=not args.no_copies)
    print(summary)
    print(f"Excel：{os.path.abspath(os.path.join(args.out, 'report.xlsx'))}")
    return 0


def cmd_train(args) -> int:
    from .training.coverage import train
    try:
        m = train(args.out)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    cv = m["coverage_cv"]
    seeds = f"；种子材料 {m['seeds']['model']['f1']:.3f}" if m.get("seeds") else ""
    print(f"模型已保存（{args.out or 'models/'}）：按文档分组交叉验证的覆盖度 F1 "
          + "，".join(f"{k} {cv[k]['f1']:.3f}" for k in ("real", "sample") if k in cv) + seeds)
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
    jobs = getattr(args, "jobs", None)
    if jobs is not None and jobs < 1:
        print("summaryscan：错误：--jobs 必须是正整数", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"summaryscan：错误：{exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:          # output piped into head and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
