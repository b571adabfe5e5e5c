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
    assert out[1].raw.status == "ok"


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
