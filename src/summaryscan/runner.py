"""The batch runner: every input accounted for, in order, within limits.

Each document is analysed (and, given an :class:`~summaryscan.pipeline.Assessor`,
checked against a framework) in a worker process with a time limit and a memory
limit (``RLIMIT_AS``); a worker that runs over, dies or hangs is replaced and its
document reported with status ``error`` and a message, so one bad file never
stops or sinks a batch. Results come back in input order.

Finished results are cached by file content hash, file name, pipeline version
(and the assessor's framework and model), so re-running over an unchanged
folder, or resuming an interrupted run (``--resume``), does not redo finished
files.
"""
from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import pickle
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterable, Iterator, Optional, Union

from .ingest import iter_inputs
from .pipeline import PIPELINE_VERSION, analyze_path
from .records import STATUS_ERROR, Analysis, Assessment, RawDocument

Result = Union[Analysis, Assessment]


@dataclass
class RunOptions:
    jobs: int = 1
    timeout: Optional[float] = 300.0      # seconds per document; None: no limit
    max_memory_mb: Optional[int] = 4096   # address-space limit per worker; None: no limit
    cache_dir: Optional[str] = None       # None: no cache
    progress: bool = True
    desc: str = "分析"
    assess: Optional[Callable[[Analysis], Assessment]] = None   # run on each analysis in the worker
    log_path: Optional[str] = None        # where failures are logged with their tracebacks


# ------------------------------------------------------------------ cache


class ResultCache:
    """Results on disk, keyed by (content hash, file name, pipeline version, ``salt``)."""

    def __init__(self, folder: str, salt: str = ""):
        self.folder = folder
        self.salt = salt
        os.makedirs(folder, exist_ok=True)
        self.hits = 0

    def key(self, path: str) -> Optional[str]:
        try:
            h = hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        except OSError:
            return None
        h.update(os.path.basename(path).encode("utf-8", "surrogateescape"))
        h.update(PIPELINE_VERSION.encode())
        h.update(self.salt.encode())
        return h.hexdigest()

    def _file(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], key[2:] + ".pkl")

    def get(self, key: Optional[str], path: str) -> Optional[Result]:
        if key is None:
            return None
        try:
            with open(self._file(key), "rb") as f:
                a: Result = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        a.raw.path = path
        self.hits += 1
        return a

    def put(self, key: Optional[str], a: Result) -> None:
        if key is None:
            return
        target = self._file(key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(a, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)

    def __len__(self) -> int:
        return sum(len(files) for _, _, files in os.walk(self.folder))


# ------------------------------------------------------------------ workers


def _worker(conn: Connection, max_memory_mb: Optional[int], assess: Optional[Callable]) -> None:
    if max_memory_mb:
        try:
            import resource
            limit = max_memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):  # pragma: no cover - not on this platform
            pass
    # load jieba's dictionary and the model before the first document's clock starts
    from .text import segment
    segment.load()
    if assess is not None and hasattr(assess, "warm_up"):
        assess.warm_up()
    conn.send(_READY)
    while True:
        try:
            task = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if task is None:
            return
        index, path = task
        conn.send((index, process(path, assess, max_memory_mb)))


def process(item: Union[str, Analysis], assess: Optional[Callable] = None,
            max_memory_mb: Optional[int] = None) -> Result:
    """One document of a batch: a path analysed (or an Analysis taken as it is), assessed
    when ``assess`` is given; never raises.

    The unit of work of every batch (local workers, in-process runs, Dask tasks), so a
    failure becomes the same ``error`` row everywhere, its traceback kept for the log.
    """
    path = item if isinstance(item, str) else item.raw.path
    try:
        result = analyze_path(item) if isinstance(item, str) else item
        if assess is not None:
            result = assess(result)
    except MemoryError:
        return failed(path, f"超出内存上限（{max_memory_mb} MB），已跳过" if max_memory_mb else "内存不足，已跳过",
                      assess, traceback.format_exc())
    except Exception as exc:   # analyze_path reports its own errors; this is the assessment failing
        return failed(path, f"检查时出错（{type(exc).__name__}: {exc}），已跳过", assess, traceback.format_exc())
    return result


def failed(path: str, why: str, assess: Optional[Callable] = None, error: str = "") -> Result:
    """The ``error`` row of a document that could not be processed."""
    doc = os.path.basename(path.rstrip("/\\")) or path
    suffix = os.path.splitext(doc)[1].lower().lstrip(".")
    a = Analysis(raw=RawDocument(path=path, doc=doc, format=suffix, status=STATUS_ERROR,
                                 message=f"{doc}：{why}"), errors=[error or why])
    return Assessment(a) if assess is not None else a


_READY = "ready"


class _Slot:
    def __init__(self, ctx, opts: RunOptions):
        parent, child = ctx.Pipe()
        self.conn = parent
        self.proc = ctx.Process(target=_worker, args=(child, opts.max_memory_mb, opts.assess), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False          # until the worker has loaded what it needs
        self.task: Optional[tuple[int, Union[str, Analysis]]] = None
        self.started = 0.0

    def await_ready(self) -> None:
        try:
            self.conn.recv()
        except (EOFError, OSError):
            raise RuntimeError(f"处理进程无法启动（退出码 {self.proc.exitcode}）：请检查 jieba 词典和模型文件") from None
        self.ready = True

    def send(self, index: int, item: Union[str, Analysis]) -> None:
        self.task = (index, item)
        self.started = time.monotonic()
        self.conn.send(self.task)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.kill()


def run(items: Iterable[Union[str, Analysis]], opts: Optional[RunOptions] = None) -> Iterator[Result]:
    """Process every input in worker processes, yielding results in input order.

    ``items`` are paths (folders and globs expanded) or Analyses already made (assessed
    only: the API's ``Corpus.check``). Results are Analyses, or Assessments when
    ``opts.assess`` is given. Failures are logged with their tracebacks to ``opts.log_path``.
    """
    opts = opts or RunOptions()
    items = list(items)
    paths = [x for x in items if not isinstance(x, Analysis)]
    files: list = list(iter_inputs(paths)) if len(paths) == len(items) else items
    salt = getattr(opts.assess, "key", "assess") if opts.assess is not None else ""
    cache = ResultCache(opts.cache_dir, salt) if opts.cache_dir else None
    bar = _progress(len(files), opts)
    log = RunLog(opts.log_path)
    try:
        for result in _supervise(files, opts, cache, bar):
            log.record(result)
            yield result
    finally:
        bar.close()
        log.close()


def run_batch(items: Iterable[Union[str, Analysis]], jobs: int = 1, progress: bool = True, desc: str = "分析",
              **options) -> Iterator[Result]:
    """:func:`run` with the options as keywords (:class:`RunOptions` fields)."""
    yield from run(items, RunOptions(jobs=jobs, progress=progress, desc=desc, **options))


class RunLog:
    """The run's log file: one entry per document whose processing went wrong somewhere,
    with the tracebacks (a failing check costs only its findings, but is never silent)."""

    def __init__(self, path: Optional[str]):
        self.path = path
        self._file = None

    def record(self, result: Result) -> None:
        a = result.analysis if isinstance(result, Assessment) else result
        if not a.errors or not self.path:
            return
        if self._file is None:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            self._file = open(self.path, "a", encoding="utf-8")
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        for err in a.errors:
            self._file.write(f"{stamp} {a.raw.path} [{a.raw.status}] {a.raw.message}\n{err.rstrip()}\n\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def _supervise(files: list, opts: RunOptions, cache: Optional[ResultCache], bar) -> Iterator[Result]:
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    keys = [None] * len(files)
    ready: dict[int, Result] = {}
    pending = []
    for i, path in enumerate(files):
        if cache is not None and isinstance(path, str):
            keys[i] = cache.key(path)
            hit = cache.get(keys[i], path)
            if hit is not None:
                ready[i] = hit
                continue
        pending.append(i)
    pending.reverse()                                 # pop() from the end = input order
    # each worker loads jieba's dictionary (and the model) itself: the main process stays small
    slots = [_Slot(ctx, opts) for _ in range(min(max(1, opts.jobs), len(pending)))]
    next_out = 0
    try:
        while next_out < len(files):
            while next_out in ready:
                yield ready.pop(next_out)
                bar.update(1)
                next_out += 1
            if next_out >= len(files):
                break
            for s in slots:
                if s.ready and s.task is None and pending:
                    i = pending.pop()
                    s.send(i, files[i])
            busy = [s for s in slots if s.task is not None]
            timeout = None
            if opts.timeout and busy:
                now = time.monotonic()
                timeout = max(0.0, min(s.started + opts.timeout - now for s in busy))
            done = wait([s.conn for s in slots if s.task is not None or not s.ready], timeout)
            for k, s in enumerate(slots):
                if not s.ready:
                    if s.conn in done:
                        s.await_ready()
                    continue
                if s.task is None:
                    continue
                index, item = s.task
                path = item if isinstance(item, str) else item.raw.path
                if s.conn in done:
                    try:
                        got_index, result = s.conn.recv()
                    except (EOFError, OSError):
                        result = failed(path, "处理进程意外退出（可能是内存不足或文件触发了解析器故障），已跳过",
                                         opts.assess)
                        slots[k] = _replace(s, ctx, opts)
                        ready[index] = result
                        continue
                    s.task = None
                    ready[got_index] = result
                    if cache is not None and isinstance(files[got_index], str) and result.raw.status != STATUS_ERROR:
                        cache.put(keys[got_index], result)
                elif opts.timeout and time.monotonic() - s.started >= opts.timeout:
                    ready[index] = failed(path, f"处理超时（超过 {opts.timeout:g} 秒），已跳过", opts.assess)
                    slots[k] = _replace(s, ctx, opts)
    finally:
        for s in slots:
            s.stop()


def _replace(slot: _Slot, ctx, opts: RunOptions) -> _Slot:
    slot.kill()
    return _Slot(ctx, opts)


def _progress(total: int, opts: RunOptions):
    from tqdm import tqdm
    return tqdm(total=total, desc=opts.desc, unit="份", disable=not opts.progress or total == 0,
                file=sys.stderr, dynamic_ncols=True, leave=False)
