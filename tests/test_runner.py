"""The batch runner: order, limits, crashes, cache, and resuming a killed run."""
import csv
import os
import signal
import subprocess
import sys
import time


from summaryscan import runner
from summaryscan.pipeline import analyze_path as real_analyze
from summaryscan.runner import RunOptions, run

REPORT = "市财政局2023年工作总结\n一、主要成效\n（一）加强学习。开展专题学习{n}次，培训干部{m}人次。\n二、存在问题\n学习不够深入。\n"


def make_docs(folder, n):
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"doc{i:02d}.txt"
        p.write_text(REPORT.format(n=i + 1, m=10 * (i + 1)), encoding="utf-8")
        paths.append(p)
    return paths


def test_results_come_back_in_input_order_with_two_jobs(tmp_path):
    make_docs(tmp_path / "in", 9)
    docs = [a.doc for a in run([str(tmp_path / "in")], RunOptions(jobs=2, progress=False))]
    assert docs == [f"doc{i:02d}.txt" for i in range(9)]


def test_a_slow_file_times_out_and_the_batch_goes_on(tmp_path, monkeypatch):
    make_docs(tmp_path / "in", 3)

    def slow(path):                      # inherited by the forked workers
        if path.endswith("doc01.txt"):
            time.sleep(30)
        return real_analyze(path)
    monkeypatch.setattr(runner, "analyze_path", slow)
    t = time.monotonic()
    out = list(run([str(tmp_path / "in")], RunOptions(timeout=1.5, progress=False)))
    assert time.monotonic() - t < 20
    assert [a.raw.status for a in out] == ["ok", "error", "ok"]
    assert "超时" in out[1].raw.message and "doc01.txt" in out[1].raw.message
    assert out[2].claims, "the file after the slow one is analysed normally"


def test_a_file_that_exhausts_memory_is_reported(tmp_path, monkeypatch):
    make_docs(tmp_path / "in", 2)

    def greedy(path):
        if path.endswith("doc00.txt"):
            hog = bytearray(1024 * 1024 * 1024)   # 1 GiB, over the 512 MB limit
            return hog
        return real_analyze(path)
    monkeypatch.setattr(runner, "analyze_path", greedy)
    out = list(run([str(tmp_path / "in")], RunOptions(max_memory_mb=512, progress=False)))
    assert out[0].raw.status == "error" and "内存" in out[0].raw.message
    assert out[1].raw.status == "ok", (out[1].raw.message, out[1].errors)


def test_a_crashing_worker_is_replaced(tmp_path, monkeypatch):
    make_docs(tmp_path / "in", 3)

    def crash(path):
        if path.endswith("doc00.txt"):
            os._exit(3)
        return real_analyze(path)
    monkeypatch.setattr(runner, "analyze_path", crash)
    out = list(run([str(tmp_path / "in")], RunOptions(progress=False)))
    assert [a.raw.status for a in out] == ["error", "ok", "ok"]
    assert "意外退出" in out[0].raw.message


def test_cache_serves_unchanged_files_and_notices_changes(tmp_path, monkeypatch):
    paths = make_docs(tmp_path / "in", 3)
    opts = RunOptions(cache_dir=str(tmp_path / "cache"), progress=False)
    first = [len(a.claims) for a in run([str(tmp_path / "in")], opts)]
    paths[1].write_text(REPORT.format(n=7, m=70) + "另发放问卷300份。\n", encoding="utf-8")
    calls = []

    def counted(path):
        calls.append(os.path.basename(path))
        return real_analyze(path)
    monkeypatch.setattr(runner, "analyze_path", counted)
    again = list(run([str(tmp_path / "in")], opts))
    assert [len(a.claims) for a in again] == [first[0], first[1] + 1, first[2]]
    assert [a.raw.path for a in again] == [str(p) for p in paths]
    assert not calls or calls == ["doc01.txt"]          # only the changed file is analysed again


def read_tables(folder):
    out = {}
    for name in ("documents", "sections", "claims"):
        with open(folder / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
            out[name] = list(csv.DictReader(f))
    return out


def test_killed_run_resumes_to_the_same_tables(tmp_path):
    """A batch killed mid-run leaves no half-written table, and --resume completes it identically."""
    make_docs(tmp_path / "in", 120)
    cli = [sys.executable, "-m", "summaryscan.cli", "extract", str(tmp_path / "in"), "--quiet"]
    subprocess.run(cli + ["--out", str(tmp_path / "full"), "--no-cache"], check=True, capture_output=True)

    killed = tmp_path / "killed"
    proc = subprocess.Popen(cli + ["--out", str(killed)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    cache = killed / ".cache"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:                   # wait until some documents are finished
        if cache.is_dir() and sum(len(f) for _, _, f in os.walk(cache)) >= 5:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    full = read_tables(tmp_path / "full")
    if (killed / "claims.csv").exists():
        # tables are renamed into place only when complete: never half a table
        assert read_tables(killed) == full
    done_before = sum(len(f) for _, _, f in os.walk(cache))
    assert done_before >= 5

    res = subprocess.run(cli + ["--out", str(killed), "--resume"], check=True, capture_output=True, text=True)
    assert "不再重做" in res.stderr
    assert read_tables(killed) == full
    assert not [f for f in os.listdir(killed) if f.startswith(".tmp-")], "temporaries of the killed run removed"


def test_resume_without_a_previous_run_is_a_usage_error(tmp_path):
    make_docs(tmp_path / "in", 1)
    res = subprocess.run([sys.executable, "-m", "summaryscan.cli", "extract", str(tmp_path / "in"),
                          "--out", str(tmp_path / "new"), "--resume", "--quiet"], capture_output=True, text=True)
    assert res.returncode == 2 and "没有可以继续的任务" in res.stderr


# ---------------------------------------------------------------- rows from workers, in-process runs, jobs


def _tables(folder):
    return {name: (folder / f"{name}.csv").read_bytes() for name in ("documents", "sections", "claims")}


def test_rows_from_workers_equal_the_rows_made_in_process(tmp_path):
    """Workers send the tables' rows (not the analyses): the same rows as made here from an
    in-process analysis, and the same bytes in the written tables."""
    from summaryscan.report import drive
    from summaryscan.report.tables import DocumentRows, TablesReporter, document_rows
    corpus = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "corpus")
    opts = RunOptions(jobs=2, progress=False, rows=TablesReporter.worker_rows())
    sent = list(run([corpus], opts))
    assert sent and all(isinstance(r, DocumentRows) for r in sent)
    here = [document_rows(real_analyze(r.raw.path)) for r in sent]
    assert [(r.document(), r.sections, r.claims) for r in sent] == [(r.document(), r.sections, r.claims) for r in here]
    assert sum(len(r.claims) for r in sent) > 100
    from_rows, from_analyses = tmp_path / "rows", tmp_path / "analyses"
    drive(TablesReporter(str(from_rows)), sent)
    drive(TablesReporter(str(from_analyses)), (real_analyze(r.raw.path) for r in sent))
    assert _tables(from_rows) == _tables(from_analyses)


def test_a_single_small_input_runs_in_process_with_the_same_tables(tmp_path, monkeypatch):
    """One small text file is analysed in the calling process (no worker started) and gives the
    tables a worker gives."""
    from summaryscan.cli import main as cli_main
    paths = make_docs(tmp_path / "in", 1)
    started = []

    class NoWorkers(runner._Slot):
        def __init__(self, *a, **k):
            started.append(1)
            super().__init__(*a, **k)
    monkeypatch.setattr(runner, "_Slot", NoWorkers)
    assert cli_main(["extract", str(paths[0]), "--out", str(tmp_path / "here"), "--quiet", "--no-cache"]) == 0
    assert started == [], "no worker process for a single small input"
    forced = list(run([str(paths[0])], RunOptions(progress=False, in_process=False)))
    assert started == [1] and forced[0].claims
    from summaryscan.report import drive
    from summaryscan.report.tables import TablesReporter
    opts = RunOptions(progress=False, in_process=False, rows=TablesReporter.worker_rows())
    drive(TablesReporter(str(tmp_path / "worker")), run([str(paths[0])], opts))
    assert started == [1, 1]
    assert _tables(tmp_path / "here") == _tables(tmp_path / "worker")
    assert "培训干部".encode() in _tables(tmp_path / "here")["claims"]


def test_an_input_too_large_or_not_plain_text_goes_to_a_worker(tmp_path):
    small = tmp_path / "a.txt"
    small.write_text(REPORT.format(n=1, m=2), encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_text(REPORT.format(n=1, m=2) * (runner.SMALL_INPUT_BYTES // 50), encoding="utf-8")
    opts = RunOptions(progress=False)
    assert runner._runs_in_process(str(small), opts)
    assert not runner._runs_in_process(str(big), opts)
    assert not runner._runs_in_process(str(tmp_path / "scan.pdf"), opts)      # OCR may take minutes
    assert not runner._runs_in_process(str(small), RunOptions(progress=False, in_process=False))


def test_the_time_limit_holds_in_process(tmp_path, monkeypatch):
    paths = make_docs(tmp_path / "in", 1)

    def slow(path):
        time.sleep(30)
        return real_analyze(path)
    monkeypatch.setattr(runner, "analyze_path", slow)
    t = time.monotonic()
    out = list(run([str(paths[0])], RunOptions(timeout=1.0, progress=False)))
    assert time.monotonic() - t < 10
    assert out[0].raw.status == "error" and "超时" in out[0].raw.message
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0), "the alarm is off again"


def test_jobs_default_to_the_number_of_cores(tmp_path, monkeypatch):
    """Without --jobs the CLI runs as many workers as the process may use cores."""
    from summaryscan import cli
    make_docs(tmp_path / "in", 2)
    seen = []
    real_run = runner.run

    def spy(files, opts):
        seen.append(opts.jobs)
        return real_run(files, opts)
    monkeypatch.setattr(runner, "run", spy)
    assert cli.main(["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--quiet", "--no-cache"]) == 0
    assert cli.main(["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out1"), "--quiet", "--no-cache",
                     "--jobs", "1"]) == 0
    assert seen == [len(os.sched_getaffinity(0)), 1] == [runner.default_jobs(), 1]
    assert cli.main(["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out0"), "--jobs", "0"]) == 2


def test_cached_rows_show_the_path_they_were_read_for(tmp_path):
    """Rows come back from the cache for an unchanged file, with the path of this run."""
    from summaryscan.report.tables import TablesReporter
    make_docs(tmp_path / "a", 2)
    opts = RunOptions(progress=False, cache_dir=str(tmp_path / "cache"), rows=TablesReporter.worker_rows())
    first = list(run([str(tmp_path / "a")], opts))
    os.rename(tmp_path / "a", tmp_path / "b")
    again = list(run([str(tmp_path / "b")], opts))
    assert [r.document()[1] for r in again] == [str(tmp_path / "b" / f"doc{i:02d}.txt") for i in range(2)]
    assert [r.claims for r in again] == [r.claims for r in first]
    assert runner.ResultCache(str(tmp_path / "cache")).__len__() == 2


# ---------------------------------------------------------------- tasks of several documents


def test_small_text_files_share_a_task_and_others_go_alone(tmp_path):
    """Small .txt inputs go to a worker together (at most TASK_DOCS, never more than a share of
    what is left); .docx, .pdf, large files and retried documents each go on their own."""
    paths = [str(p) for p in make_docs(tmp_path / "in", 40)]
    (tmp_path / "big.txt").write_text("年" * runner.TASK_BYTES, encoding="utf-8")
    files = paths[:10] + [str(tmp_path / "x.docx"), str(tmp_path / "scan.pdf"), str(tmp_path / "big.txt")] + paths[10:]
    pending = list(reversed(range(len(files))))
    tasks = []
    while pending:
        tasks.append([i for i, _ in runner._next_task(pending, files, {20}, 1)])
    assert sorted(i for t in tasks for i in t) == list(range(len(files)))        # each once, in order
    assert [i for t in tasks for i in t] == list(range(len(files)))
    assert tasks[0] == list(range(10))                  # stops before the .docx
    assert [10] in tasks and [11] in tasks and [12] in tasks and [20] in tasks
    assert max(map(len, tasks)) <= runner.TASK_DOCS
    shared = runner._next_task(list(reversed(range(40))), paths, set(), 2)
    assert len(shared) == 10                            # 40 left, 2 workers: a quarter
    plan = runner.plan_tasks(files)
    assert [i for t in plan for i in t] == list(range(len(files))) and [10] in plan and [20] not in plan


def _many_docs(tmp_path, n=24):
    return make_docs(tmp_path / "in", n)


def test_a_slow_file_in_a_shared_task_times_out_alone(tmp_path, monkeypatch):
    """The task holding a slow document runs over its time: each of its documents goes again on
    its own, and only the slow one is reported."""
    _many_docs(tmp_path)
    real_many = runner.analyze_many

    def slow_many(raws, *a, **k):
        if any(r.path.endswith("doc05.txt") for r in raws):
            time.sleep(30)
        return real_many(raws, *a, **k)

    def slow(path):
        if path.endswith("doc05.txt"):
            time.sleep(30)
        return real_analyze(path)
    monkeypatch.setattr(runner, "analyze_many", slow_many)
    monkeypatch.setattr(runner, "analyze_path", slow)
    t = time.monotonic()
    out = list(run([str(tmp_path / "in")], RunOptions(timeout=1.5, progress=False)))
    assert time.monotonic() - t < 25
    assert [a.doc for a in out] == [f"doc{i:02d}.txt" for i in range(24)]
    assert [a.raw.status for a in out] == ["error" if i == 5 else "ok" for i in range(24)]
    assert "超时" in out[5].raw.message
    assert all(a.claims for k, a in enumerate(out) if k != 5)


def test_a_crash_in_a_shared_task_costs_only_its_document(tmp_path, monkeypatch):
    _many_docs(tmp_path)
    real_many = runner.analyze_many

    def crash_many(raws, *a, **k):
        if any(r.path.endswith("doc03.txt") for r in raws):
            os._exit(3)
        return real_many(raws, *a, **k)

    def crash(path):
        if path.endswith("doc03.txt"):
            os._exit(3)
        return real_analyze(path)
    monkeypatch.setattr(runner, "analyze_many", crash_many)
    monkeypatch.setattr(runner, "analyze_path", crash)
    out = list(run([str(tmp_path / "in")], RunOptions(jobs=2, progress=False)))
    assert [a.raw.status for a in out] == ["error" if i == 3 else "ok" for i in range(24)]
    assert "意外退出" in out[3].raw.message


def test_many_files_come_back_in_order_and_as_analysed_alone(tmp_path):
    """With tasks of several documents and a second task waiting in each worker's pipe, results
    still come back once each, in input order, equal to analysing each file alone."""
    paths = make_docs(tmp_path / "in", 60)
    out = list(run([str(tmp_path / "in")], RunOptions(jobs=2, progress=False)))
    assert [a.raw.path for a in out] == [str(p) for p in paths]
    alone = [real_analyze(str(p)) for p in paths]
    assert [[(c.value, c.subject, c.start) for c in a.claims] for a in out] == \
        [[(c.value, c.subject, c.start) for c in a.claims] for a in alone]


def test_analyses_to_assess_never_block_the_pipe_both_ways(tmp_path):
    """Large Analyses sent to be assessed (the API's ``Corpus.check``) and their large results:
    a second task is queued in a worker's pipe only when it is a few paths, so the two sides
    never both wait to write (the notebooks once hung here)."""
    from functools import partial

    from summaryscan.frameworks import load_framework
    from summaryscan.pipeline import analyze_text, assess

    def on_alarm(signum, frame):
        raise TimeoutError("the batch hung")
    body = "".join(f"（{i % 9 + 1}）开展专题学习{i}次，培训干部{10 * i}人次，覆盖率达{i % 90 + 5}%。\n" for i in range(1, 400))
    analyses = [analyze_text(f"市局{k}号2023年工作总结\n一、主要成效\n{body}", f"d{k}.txt") for k in range(6)]
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(120)
    try:
        out = list(run(analyses, RunOptions(jobs=1, progress=False,
                                            assess=partial(assess, framework=load_framework(None)))))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert [r.analysis.doc for r in out] == [f"d{k}.txt" for k in range(6)]
    assert all(len(r.analysis.claims) > 1000 for r in out)
