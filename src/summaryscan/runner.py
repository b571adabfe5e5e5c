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

Small text inputs travel to a worker several at a time (a *task*, at most ``TASK_DOCS``), which
analyses them in one pass (:func:`process_many`: the subject model scores all their claims at
once, where one document at a time would pay its fixed cost each time); each worker holds a
second task in its pipe so it never waits for the next. A task whose worker dies or runs over
the time limit goes again one document at a time, each with its own limit, so only the
document at fault is reported.

A caller that needs only rows (the tables) passes ``RunOptions.rows``, a picklable function
the workers apply to each result before sending it: a few tuples travel back instead of a
pickled analysis. A single small text input is analysed in the calling process (no worker
to start), with its time limit kept by an alarm signal.
"""
from __future__ import annotations

import gc
import hashlib
import multiprocessing as mp
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator, Optional, Union

from .ingest import InputPath, keyed_inputs, load, reader_key
from .pipeline import PIPELINE_VERSION, analyze_many, analyze_path, analyze_text
from .records import STATUS_ERROR, Analysis, Assessment, RawDocument

# an Analysis, an Assessment (with ``assess``), or what ``RunOptions.rows`` makes of them:
# anything with ``raw`` (a RawDocument: path, status, message) and ``errors``
Result = Union[Analysis, Assessment, Any]

# A single input read without OCR or conversion and at most this large runs in the calling process.
SMALL_INPUT_BYTES = 2 * 1024 * 1024
IN_PROCESS_SUFFIXES = (".txt", ".docx")


def default_jobs() -> int:
    """Worker processes when the user names no number: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):        # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class RunOptions:
    jobs: int = 1                         # worker processes (the CLI's default: default_jobs())
    timeout: Optional[float] = 300.0      # seconds per document; None: no limit
    max_memory_mb: Optional[int] = 4096   # address-space limit per worker; None: no limit
    cache_dir: Optional[str] = None       # None: no cache
    progress: bool = True
    desc: str = "分析"
    assess: Optional[Callable[[Analysis], Assessment]] = None   # run on each analysis in the worker
    log_path: Optional[str] = None        # where failures are logged with their tracebacks
    ocr: str = "auto"                     # --ocr: auto | never | always (summaryscan.ingest.ocr)
    # what a worker sends back instead of each result (applied to failures too): a picklable
    # function of the result, e.g. the tables' rows (report.tables.TablesReporter.worker_rows)
    rows: Optional[Callable[[Result], Any]] = None
    in_process: Optional[bool] = None     # None: a single small text input runs in this process


# ------------------------------------------------------------------ cache


class ResultCache:
    """Results on disk, keyed by (content hash, file name, pipeline version, ``salt``, and for
    scans and converted formats the OCR mode and engine or the converter: ``reader_key``)."""

    def __init__(self, folder: str, salt: str = "", ocr: str = "auto"):
        self.folder = folder
        self.salt = salt
        self.ocr = ocr
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
        # the document key (its path under the inputs' common folder) is part of the result
        h.update((getattr(path, "doc", None) or os.path.basename(path)).encode("utf-8", "surrogateescape"))
        h.update(PIPELINE_VERSION.encode())
        h.update(self.salt.encode())
        h.update(reader_key(path, self.ocr).encode())
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


def _worker(conn: Connection, max_memory_mb: Optional[int], assess: Optional[Callable], ocr_mode: str = "auto",
            jobs: int = 1, rows: Optional[Callable] = None) -> None:
    if max_memory_mb:
        try:
            import resource
            limit = max_memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):  # pragma: no cover - not on this platform
            pass
    warm_up(assess)                      # before the first document's clock starts
    # what is loaded now lives as long as the worker: out of the collector's sight (gc.freeze);
    # a document makes tens of thousands of small objects, nearly none in cycles, so the
    # youngest generation is collected every 50,000 allocations, not every 700
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLDS)
    from .ingest import ocr
    # OCR: the batch's mode; the cores shared among the workers; pages reported to the main process
    ocr.configure(mode=ocr_mode, threads=max(1, (os.cpu_count() or 1) // max(1, jobs)))
    conn.send(_READY)
    while True:
        try:
            task = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if task is None:
            return
        index = task[0][0]
        ocr.settings.progress = lambda doc, done, total, i=index: conn.send((_PROGRESS, i, doc, done, total))
        results = process_many([item for _, item in task], assess, max_memory_mb)
        conn.send([(i, rows(r) if rows is not None else r) for (i, _), r in zip(task, results)])


_GC_THRESHOLDS = (50_000, 20, 100)   # the workers' (Python's default: 700, 10, 10)

_WARM_UP_TEXT = "关于2024年工作情况的总结\n一、主要工作\n（一）加强学习。开展专题学习12次，培训干部300余人次，覆盖率达95%。\n"


def warm_up(assess: Optional[Callable] = None) -> None:
    """Load what the first document would: the segmentation lexicon, the lexicons and models
    behind every stage (by analysing a short text), and the assessor's model."""
    from .text import segment
    segment.dictionary()
    analyze_text(_WARM_UP_TEXT, "warm-up.txt")
    if assess is not None and hasattr(assess, "warm_up"):
        assess.warm_up()


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


def process_many(items: list[Union[str, Analysis]], assess: Optional[Callable] = None,
                 max_memory_mb: Optional[int] = None) -> list[Result]:
    """:func:`process` of many documents: read one by one, analysed together
    (:func:`~summaryscan.pipeline.analyze_many`: the subject model scores them in one pass)
    and assessed one by one; the results are :func:`process`'s. Never raises."""
    if len(items) > 1 and all(isinstance(x, str) for x in items):
        try:
            analyses = analyze_many([load(x) for x in items])
        except Exception:     # noqa: BLE001 - one document's fault (or memory): each on its own below
            analyses = None
        if analyses is not None:
            items = analyses
    return [process(x, assess, max_memory_mb) for x in items]


def failed(path: str, why: str, assess: Optional[Callable] = None, error: str = "") -> Result:
    """The ``error`` row of a document that could not be processed."""
    doc = getattr(path, "doc", None) or os.path.basename(path.rstrip("/\\")) or path
    suffix = os.path.splitext(doc)[1].lower().lstrip(".")
    a = Analysis(raw=RawDocument(path=path, doc=doc, format=suffix, status=STATUS_ERROR,
                                 message=f"{doc}：{why}"), errors=[error or why])
    return Assessment(a) if assess is not None else a


_READY = "ready"
_PROGRESS = "progress"      # (_PROGRESS, index, doc, pages done, pages to do): a worker's OCR progress


class _Slot:
    def __init__(self, ctx, opts: RunOptions):
        parent, child = ctx.Pipe()
        self.conn = parent
        self.proc = ctx.Process(target=_worker, args=(child, opts.max_memory_mb, opts.assess, opts.ocr, opts.jobs,
                                                      opts.rows), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False          # until the worker has loaded what it needs
        # tasks sent and not yet answered, in order: (index, input) of each document. The worker
        # works on the first; a second waits in its pipe, to start the moment the first is sent
        self.tasks: list[list[tuple[int, Union[str, Analysis]]]] = []
        self.started = 0.0          # when the worker started on the first
        self.pages: Optional[tuple[int, int]] = None   # OCR pages done / to do of the current task
        self.page_bar = None                           # its progress bar

    def await_ready(self) -> None:
        try:
            self.conn.recv()
        except (EOFError, OSError):
            raise RuntimeError(f"处理进程无法启动（退出码 {self.proc.exitcode}）：请检查 jieba 词典和模型文件") from None
        self.ready = True

    @property
    def task(self) -> Optional[list[tuple[int, Union[str, Analysis]]]]:
        """The task the worker is on (None: idle)."""
        return self.tasks[0] if self.tasks else None

    def send(self, task: list[tuple[int, Union[str, Analysis]]]) -> None:
        if not self.tasks:
            self.started = time.monotonic()
            self.pages = None
        self.tasks.append(task)
        self.conn.send(task)

    def answered(self) -> None:
        """The first task's results have come: the worker is on the next."""
        self.tasks.pop(0)
        self.started = time.monotonic()
        self.pages = None

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        if self.tasks:               # interrupted mid-task: it may be writing to us, never reading
            self.kill()
            return
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
    if len(paths) < len(items) or all(isinstance(x, InputPath) for x in items):
        files: list = items               # Analyses, or files already listed with their keys (the CLI's)
    else:
        files = keyed_inputs(paths)
    salt = getattr(opts.assess, "key", "assess") if opts.assess is not None else ""
    if opts.rows is not None:             # cached results are then rows: keyed by what makes them
        salt += "|rows:" + _name_of(opts.rows)
    cache = ResultCache(opts.cache_dir, salt, opts.ocr) if opts.cache_dir else None
    bar = _progress(len(files), opts)
    log = RunLog(opts.log_path)
    try:
        for result in _supervise(files, opts, cache, bar):
            log.record(result)
            yield result
    finally:
        bar.close()
        log.close()


def _name_of(fn: Callable) -> str:
    """A stable name for a function (a ``functools.partial`` with its arguments)."""
    inner = getattr(fn, "func", None)
    if inner is not None:
        return f"{_name_of(inner)}{getattr(fn, 'args', ())}{sorted(getattr(fn, 'keywords', {}).items())}"
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"


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
    shape = opts.rows or (lambda r: r)

    def done(i: int, result: Result) -> None:
        ready[i] = result
        if cache is not None and isinstance(files[i], str) and result.raw.status != STATUS_ERROR:
            cache.put(keys[i], result)

    if len(pending) == 1 and _runs_in_process(files[pending[0]], opts):
        i = pending[0]
        done(i, shape(_in_process(files[i], opts)))
        pending = []
    pending.reverse()                                 # pop() from the end = input order
    alone: set[int] = set()                           # of a task that failed as a whole: each on its own now
    task_docs = TASK_DOCS if opts.assess is None else TASK_DOCS_ASSESSED
    # each worker loads the lexicon (and the model) itself: the main process stays small
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    slots = [_Slot(ctx, opts) for _ in range(min(max(1, opts.jobs), len(pending)))]
    next_out = 0
    try:
        while next_out < len(files):
            # idle workers get their next document first: the caller's work on the results
            # (writing the tables) then overlaps theirs instead of keeping them waiting
            for depth in (1, 2):            # every worker a task, then each a second in its pipe
                for s in slots:
                    if s.ready and len(s.tasks) < depth and pending and (depth == 1 or _small(files[pending[-1]])):
                        s.send(_next_task(pending, files, alone, len(slots), task_docs))
            while next_out in ready:
                yield ready.pop(next_out)
                bar.update(1)
                next_out += 1
            if next_out >= len(files):
                break
            busy = [s for s in slots if s.task is not None]
            timeout = None
            if opts.timeout and busy:
                now = time.monotonic()
                timeout = max(0.0, min(s.started + opts.timeout - now for s in busy))
            got = wait([s.conn for s in slots if s.task is not None or not s.ready], timeout)
            for k, s in enumerate(slots):
                if not s.ready:
                    if s.conn in got:
                        s.await_ready()
                    continue
                if s.task is None:
                    continue
                index, item = s.task[0]
                path = item if isinstance(item, str) else item.raw.path
                if s.conn in got:
                    try:
                        msg = s.conn.recv()
                    except (EOFError, OSError):
                        slots[k] = _replace(s, ctx, opts)
                        _send_again(s.tasks[1:], pending)
                        if _retry_alone(s.task, pending, alone):
                            continue
                        result = failed(path, "处理进程意外退出（可能是内存不足或文件触发了解析器故障），已跳过",
                                        opts.assess)
                        ready[index] = shape(result)
                        continue
                    if msg[0] == _PROGRESS:             # a page OCR'd: the task goes on
                        _show_pages(s, k, msg, opts)
                        continue
                    s.answered()
                    _show_pages(s, k, None, opts)
                    for got_index, result in msg:
                        done(got_index, result)
                elif opts.timeout and time.monotonic() - s.started >= opts.timeout:
                    slots[k] = _replace(s, ctx, opts)
                    _send_again(s.tasks[1:], pending)
                    if _retry_alone(s.task, pending, alone):
                        continue
                    pages = (f"；OCR 已识别 {s.pages[0]}/{s.pages[1]} 页，页数多的扫描件可用 --timeout 放宽时限"
                             if s.pages else "")
                    ready[index] = shape(failed(path, f"处理超时（超过 {opts.timeout:g} 秒{pages}），已跳过", opts.assess))
    finally:
        for s in slots:
            s.stop()


# Small text inputs go to a worker together (one task, analysed in one pass: process_many).
TASK_DOCS = 32                   # documents per task, at most
# assessed, a document takes ten times the time and memory: a few make a task worth sending,
# and the results of each waiting in the main process stay small
TASK_DOCS_ASSESSED = 8
TASK_BYTES = 1 << 20             # bytes of input per task, at most
TASK_SUFFIXES = (".txt",)        # what joins a task: read as it is (no OCR, no conversion, no parser)


def _next_task(pending: list[int], files: list, alone: set[int], workers: int,
               docs: int = TASK_DOCS) -> list[tuple[int, Any]]:
    """The next task (popped from ``pending``, input order at its end): a document, or a run of
    at most ``docs`` small text documents; never more than a share of what is left (the workers
    end together)."""
    i = pending.pop()
    task = [(i, files[i])]
    size = _task_size(files[i], i, alone)
    if size is None:
        return task
    most = min(docs, max(1, (len(pending) + 1) // (2 * workers)))
    while pending and len(task) < most:
        more = _task_size(files[pending[-1]], pending[-1], alone)
        if more is None or size + more > TASK_BYTES:
            break
        size += more
        j = pending.pop()
        task.append((j, files[j]))
    return task


def plan_tasks(files: list, workers: int = 1, docs: int = TASK_DOCS) -> list[list[int]]:
    """How a batch's inputs go to the workers when nothing fails: the indices of each task, in
    order (what :func:`run` sends; the benchmark replays it in one process)."""
    pending = list(reversed(range(len(files))))
    out = []
    while pending:
        out.append([i for i, _ in _next_task(pending, files, set(), workers, docs)])
    return out


def _small(item: Any) -> bool:
    """Whether a task starting with ``item`` is a few paths, which fit in the pipe's buffer: only
    such a task waits in a busy worker's pipe. Were a large one (an Analysis to assess) sent while
    the worker sends its results, each side would block writing to the other."""
    return isinstance(item, str)


def _task_size(item: Any, index: int, alone: set[int]) -> Optional[int]:
    """The bytes of an input that may share a task with others, None for one that may not."""
    if index in alone or not isinstance(item, str) or not item.lower().endswith(TASK_SUFFIXES):
        return None
    try:
        size = os.path.getsize(item)
    except OSError:
        return None
    return size if size <= TASK_BYTES // 4 else None


def _send_again(tasks: list, pending: list[int]) -> None:
    """Tasks a worker had not started when it was replaced go back, first in input order."""
    for task in reversed(tasks):
        pending.extend(index for index, _ in reversed(task))


def _retry_alone(task: list, pending: list[int], alone: set[int]) -> bool:
    """A task of several documents whose worker died or ran over its time: each goes again on
    its own (with its own time limit), so only the document at fault is reported."""
    if len(task) < 2:
        return False
    for index, _ in reversed(task):
        alone.add(index)
        pending.append(index)
    return True


def _runs_in_process(item: Union[str, Analysis], opts: RunOptions) -> bool:
    """Whether a batch's only input runs in this process: when asked, or by default a text
    input (no OCR, no conversion) of at most ``SMALL_INPUT_BYTES``, from the main thread
    (the time limit is an alarm signal)."""
    if opts.in_process is not None:
        return opts.in_process
    if not isinstance(item, str) or not item.lower().endswith(IN_PROCESS_SUFFIXES):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    try:
        return os.path.getsize(item) <= SMALL_INPUT_BYTES
    except OSError:
        return True                         # the reader reports a missing or unreadable file


class _TimedOut(BaseException):
    """Raised by the alarm in an in-process run (a BaseException: the pipeline's own
    ``except Exception`` must not swallow it)."""


def _in_process(item: Union[str, Analysis], opts: RunOptions) -> Result:
    """One document processed here, with the batch's time limit (SIGALRM, where there is one)."""
    alarm = bool(opts.timeout) and hasattr(signal, "setitimer") and \
        threading.current_thread() is threading.main_thread()
    previous = None
    if alarm:
        def on_alarm(signum, frame):
            raise _TimedOut()
        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, opts.timeout)
    try:
        try:
            return process(item, opts.assess, None)
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except _TimedOut:
        path = item if isinstance(item, str) else item.raw.path
        return failed(path, f"处理超时（超过 {opts.timeout:g} 秒），已跳过", opts.assess)
    finally:
        if alarm:
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def _replace(slot: _Slot, ctx, opts: RunOptions) -> _Slot:
    slot.kill()
    _show_pages(slot, 0, None, opts)
    return _Slot(ctx, opts)


def _show_pages(slot: _Slot, k: int, msg: Optional[tuple], opts: RunOptions) -> None:
    """A worker's OCR progress: kept on its slot (for a time-out message) and shown as a
    second bar under the batch's (one per worker); ``msg`` None closes it."""
    bar = slot.page_bar
    if msg is None:
        if bar is not None:
            bar.close()
            slot.page_bar = None
        return
    _, _, doc, done, total = msg
    slot.pages = (done, total)
    if not opts.progress or total < 2:
        return
    if bar is None:
        from tqdm import tqdm
        bar = slot.page_bar = tqdm(total=total, desc=f"  OCR {doc}", unit="页", position=k + 1, leave=False,
                                   file=sys.stderr, dynamic_ncols=True)
    bar.n = done
    bar.refresh()


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, opts: RunOptions):
    if not opts.progress or total == 0:
        return _NoBar()                  # tqdm is not even imported
    from tqdm import tqdm
    return tqdm(total=total, desc=opts.desc, unit="份", file=sys.stderr, dynamic_ncols=True, leave=False)
