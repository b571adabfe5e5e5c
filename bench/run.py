"""summaryscan benchmark: throughput, the jieba reference, .docx/.pdf rates, memory at scale.

    .venv/bin/python bench/run.py [--quick] [--out bench/result.json]

One run measures, side by side (every number also goes to the JSON file):

* end to end, the way a user meets it: ``summaryscan extract DIR --jobs 1 --no-cache``
  as a whole process (wall time: start-up, reading, analysis, writing the tables) over
  20 distinct copies of the 31 shared 2026 provincial reports, over the same reports once,
  and over distinct copies of the five real seed submissions, as many as make the reports'
  volume (about 630) and 20 (each copy ends with its own batch line,
  ``corpora.write_copies``); the two small sets (under 2 MB, less text than jieba reads in
  the time any Python command takes to start) are shown without a bar; against ``jieba.lcut`` on the same files in the
  same run (``bench/jieba_ref.py``, a fresh process: the files read, jieba imported and its
  dictionary loaded, then one timed pass of ``lcut``). The two are run alternately, the
  median of the per-pair ratios is reported. The ratio that has the target (>= 5x) is
  summaryscan's whole process against jieba's ``lcut`` time alone (its import and dictionary
  load left out: the stricter comparison); the ratio against jieba's whole process is given
  beside it;
* start-up: the whole command on one small file, and what comes before its first document
  step by step (``bench/startup.py``: interpreter, imports, the segmentation lexicon, the
  loads of the first document);
* in-process .txt ``extract`` throughput in MB/s of text (UTF-8 bytes of the extracted text)
  on the shared corpus (``../shared/corpus``, written out as .txt files first),
  on the five real submissions of ``../shared/seeds`` (both skipped with a message
  when absent) and on the .txt submissions of ``corpus/``: the in-process pipeline
  (``analyze_path`` over the files, one core, one pass in a fresh process after a
  warm-up on ``bench/warmup.txt``, a text that shares no passage with any measured
  set) and the CLI (``summaryscan extract --jobs 1 --no-cache``, wall time of the
  whole command); ``corpus/`` (claim-dense generated text) is a stress row without a target;
* the reference, in the same process and on the same texts: ``jieba.lcut``
  after a warm-up, and the ratio pipeline MB/s / jieba MB/s (no bar: the bar is end to end);
* where the time goes: claims per 1,000 characters of each set, and as many more
  fresh runs per set timing every stage apart (and subject assignment within claims);
* documents per second for .docx and .pdf made from the same texts (python-docx,
  fpdf2 with the WenQuanYi Micro Hei CJK font), ``analyze_path`` and ``load`` alone;
* peak memory: of the in-process run (``ru_maxrss``), and of ``summaryscan screen``
  over 1,000 and 10,000 generated submissions (``bench/synth.py``) as the largest
  sum of RSS over the CLI's process tree, sampled with psutil every 0.1 s
  (target <= 350 MB at 10,000 and flat in the number of documents); summed PSS
  is reported beside it (RSS counts pages shared by forked workers once per process);
* wall time and documents/s of ``screen`` over the 1,000 set with ``--jobs 2``
  (target <= 20 s on 2 cores), and ``extract`` over the 1,000 set with
  ``--jobs 1`` and ``--jobs 2`` (and with the Dask engine on a local 2-worker
  cluster, when dask/pyarrow are installed).

Every measured run also records its CPU time and how many cores other processes
of the machine kept busy meanwhile ("other load"): on a shared machine, wall
times are only comparable when that is near 0; the in-process throughputs are
given on CPU time as well. The text report is written beside the JSON (.txt).

``--quick`` makes the large set 2,000 instead of 10,000 (the table says so),
generates 10 .docx/.pdf instead of 30 and repeats the small-corpus timings less.
Inputs are written to a temporary folder, removed at the end (``--keep`` keeps it).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from typing import Any, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import corpora  # noqa: E402
import synth  # noqa: E402
from proctree import measure  # noqa: E402

MB = 1e6          # throughput is in MB/s of UTF-8 bytes (10^6); memory is in MiB, labelled MB as psutil users do

LOADS: list[float] = []     # other processes' load (cores) during every measured run

TARGETS = {"end_to_end_over_jieba": 5.0, "screen_peak_rss_mb": 350.0, "screen_1k_wall_s": 20.0,
           "startup_s": 0.5}
E2E_COPIES = 20


# ---------------------------------------------------------------- helpers


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def cli_command() -> list[str]:
    exe = os.path.join(os.path.dirname(sys.executable), "summaryscan")
    return [exe] if os.path.exists(exe) else [sys.executable, "-m", "summaryscan.cli"]


def single_core_env() -> dict:
    env = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        env[k] = "1"
    return env


def inproc(files: list[str], warmup: str, tmp: str, *, jieba: bool = False, load: bool = False,
           stages: bool = False) -> dict:
    """Run bench/inproc.py in a fresh interpreter; its JSON result."""
    lst = os.path.join(tmp, f"files-{hashlib.sha1(''.join(files).encode()).hexdigest()[:10]}.json")
    with open(lst, "w", encoding="utf-8") as fh:
        json.dump(files, fh)
    cmd = [sys.executable, os.path.join(HERE, "inproc.py"), "--files", lst, "--warmup", warmup]
    cmd += ["--jieba"] if jieba else []
    cmd += ["--load"] if load else []
    cmd += ["--stages"] if stages else []
    r = measure(cmd, env=single_core_env(), cwd=ROOT)
    LOADS.append(r["other_load_cores"])
    if r["returncode"] != 0:
        raise RuntimeError(f"inproc failed ({r['returncode']}): {r['stderr_tail']}")
    out = json.loads(r["stdout"].strip().splitlines()[-1])
    out["other_load_cores"] = r["other_load_cores"]
    out["sampled_peak_rss_mb"] = r["peak_rss_sum_mb"]
    return out


def run_cli(args: list[str], out_dir: str, timeout: Optional[float] = None) -> dict:
    shutil.rmtree(out_dir, ignore_errors=True)
    r = measure(cli_command() + args + ["--out", out_dir, "--no-cache", "--quiet"], cwd=ROOT, timeout=timeout)
    LOADS.append(r["other_load_cores"])
    if r["returncode"] != 0:
        log(f"  command failed ({r['returncode']}): {' '.join(r['cmd'])}\n{r['stderr_tail']}")
    shutil.rmtree(out_dir, ignore_errors=True)
    return r


def _median(xs: list[float]) -> Optional[float]:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def _mbps(nbytes: int, seconds: Optional[float]) -> Optional[float]:
    return nbytes / MB / seconds if seconds else None


def source_fingerprint() -> str:
    """sha256 of src/summaryscan/**/*.py: which code was measured, whatever git says."""
    h = hashlib.sha256()
    src = os.path.join(ROOT, "src", "summaryscan")
    for base, dirs, files in sorted(os.walk(src)):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".py", ".yaml", ".txt")):
                p = os.path.join(base, f)
                h.update(os.path.relpath(p, src).encode())
                with open(p, "rb") as fh:
                    h.update(fh.read())
    return h.hexdigest()[:16]


def machine_info() -> dict:
    from importlib import metadata

    def version(name: str) -> Optional[str]:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None
    import psutil
    from summaryscan.pipeline import PIPELINE_VERSION
    commit = None
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        pass
    freq = psutil.cpu_freq()
    return {"cpu_count": os.cpu_count(), "cpu_count_physical": psutil.cpu_count(logical=False),
            "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "cpu_model": _cpu_model(), "cpu_mhz": freq.current if freq else None,
            "memory_total_mb": psutil.virtual_memory().total / 1024 / 1024,
            "platform": platform.platform(), "python": platform.python_version(),
            "summaryscan": version("summaryscan"), "pipeline_version": PIPELINE_VERSION,
            "jieba": version("jieba"), "pandas": version("pandas"), "psutil": version("psutil"),
            "python-docx": version("python-docx"), "fpdf2": version("fpdf2"), "pdfplumber": version("pdfplumber"),
            "git_head": commit, "source_fingerprint": source_fingerprint()}


def _cpu_model() -> Optional[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


# ---------------------------------------------------------------- measurements


def txt_throughput(name: str, files: list[str], warmup: str, tmp: str, repeats: int, cli_repeats: int) -> dict:
    """In-process pipeline, jieba and CLI on the same .txt files."""
    runs = []
    for k in range(repeats):
        log(f"  {name}: in-process pipeline + jieba, run {k + 1}/{repeats} ({len(files)} files)")
        runs.append(inproc(files, warmup, tmp, jieba=True))
    nbytes = runs[0]["bytes"]
    pipe = _median([_mbps(nbytes, r["pipeline_s"]) for r in runs])
    jb = _median([_mbps(r["jieba_bytes"], r["jieba_s"]) for r in runs])
    ratio = _median([(_mbps(nbytes, r["pipeline_s"]) or 0) / (_mbps(r["jieba_bytes"], r["jieba_s"]) or 1)
                     for r in runs])
    pipe_cpu = _median([_mbps(nbytes, r["pipeline_cpu_s"]) for r in runs])
    jb_cpu = _median([_mbps(r["jieba_bytes"], r["jieba_cpu_s"]) for r in runs])
    ratio_cpu = _median([(_mbps(nbytes, r["pipeline_cpu_s"]) or 0) / (_mbps(r["jieba_bytes"], r["jieba_cpu_s"]) or 1)
                         for r in runs])
    clis = []
    for k in range(cli_repeats):
        log(f"  {name}: CLI extract --jobs 1, run {k + 1}/{cli_repeats}")
        clis.append(run_cli(["extract", *files, "--jobs", "1"], os.path.join(tmp, "out-txt")))
    wall = _median([c["wall_s"] for c in clis if c["returncode"] == 0])
    stage_runs = []
    for k in range(repeats):
        log(f"  {name}: stage by stage, run {k + 1}/{repeats}")
        stage_runs.append(inproc(files, warmup, tmp, jieba=True, stages=True))
    stages = {st: _median([r["stages_s"][st] for r in stage_runs]) for st in stage_runs[0]["stages_s"]}
    return {"files": len(files), "bytes": nbytes, "chars": runs[0]["chars"], "claims": runs[0]["claims"],
            "claims_per_1000_chars": 1000 * runs[0]["claims"] / max(1, runs[0]["chars"]),
            "stages_s": stages, "subjects_s": _median([r["subjects_s"] for r in stage_runs]),
            "stages_total_s": sum(stages.values()),
            "stages_ratio": _median([r["jieba_s"] / r["stages_total_s"] for r in stage_runs]),
            # what no cost at all for subjects would give, in those same runs
            "ratio_without_subjects": _median([r["jieba_s"] / max(1e-9, r["stages_total_s"] - r["subjects_s"])
                                               for r in stage_runs]),
            "statuses": runs[0]["statuses"], "repeats": repeats,
            "pipeline_mb_s": pipe, "pipeline_docs_s": len(files) / _median([r["pipeline_s"] for r in runs]),
            "tasks_mb_s": _median([_mbps(nbytes, r["tasks_s"]) for r in runs]),
            "ratio_tasks_over_jieba": _median([(_mbps(nbytes, r["tasks_s"]) or 0) / (_mbps(r["jieba_bytes"], r["jieba_s"]) or 1)
                                               for r in runs]),
            "jieba_mb_s": jb, "ratio_pipeline_over_jieba": ratio,
            "pipeline_mb_s_cpu": pipe_cpu, "jieba_mb_s_cpu": jb_cpu, "ratio_pipeline_over_jieba_cpu": ratio_cpu,
            "other_load_cores": max(r["other_load_cores"] for r in runs),
            "inproc_peak_rss_mb": max(r["maxrss_mb_after_pipeline"] for r in runs),
            "inproc_rss_mb_before_batch": max(r["maxrss_mb_ready"] for r in runs),
            "import_s": _median([r["import_s"] for r in runs]), "warmup_s": _median([r["warmup_s"] for r in runs]),
            "doc_s_median": _median([r["doc_s_median"] for r in runs]), "doc_s_max": max(r["doc_s_max"] for r in runs),
            "cli_wall_s": wall, "cli_mb_s": _mbps(nbytes, wall), "cli_peak_rss_sum_mb": max(c["peak_rss_sum_mb"] for c in clis),
            "cli_cpu_s": _median([c["cpu_s"] for c in clis]),
            "cli_other_load_cores": max(c["other_load_cores"] for c in clis),
            "runs": runs, "cli_runs": [_strip(c) for c in clis]}


def end_to_end(name: str, folder: str, tmp: str, repeats: int) -> dict:
    """``summaryscan extract DIR --jobs 1`` as a whole process against ``jieba.lcut`` on the
    same files, run alternately ``repeats`` times; medians."""
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
    lst = os.path.join(tmp, f"e2e-{name}.json")
    with open(lst, "w", encoding="utf-8") as fh:
        json.dump(files, fh)
    pairs = []
    for k in range(repeats):
        log(f"  {name}: jieba.lcut and CLI extract --jobs 1, run {k + 1}/{repeats} ({len(files)} files)")
        j = measure([sys.executable, os.path.join(HERE, "jieba_ref.py"), "--files", lst], env=single_core_env(),
                    cwd=ROOT)
        LOADS.append(j["other_load_cores"])
        if j["returncode"] != 0:
            raise RuntimeError(f"jieba_ref failed ({j['returncode']}): {j['stderr_tail']}")
        ref = json.loads(j["stdout"].strip().splitlines()[-1])
        c = run_cli(["extract", folder, "--jobs", "1"], os.path.join(tmp, f"out-e2e-{name}"))
        if c["returncode"] != 0:
            raise RuntimeError(f"extract failed ({c['returncode']}): {c['stderr_tail']}")
        pairs.append({"jieba": {**ref, "process_wall_s": j["wall_s"], "other_load_cores": j["other_load_cores"]},
                      "cli": _strip(c)})
        log(f"    jieba.lcut {ref['lcut_s']:.2f} s (process {j['wall_s']:.2f} s), extract {c['wall_s']:.2f} s")
    nbytes = pairs[0]["jieba"]["bytes"]
    return {"files": len(files), "bytes": nbytes, "repeats": repeats,
            "cli_wall_s": _median([p["cli"]["wall_s"] for p in pairs]),
            "cli_cpu_s": _median([p["cli"]["cpu_s"] for p in pairs]),
            "cli_peak_rss_sum_mb": max(p["cli"]["peak_rss_sum_mb"] for p in pairs),
            "jieba_lcut_s": _median([p["jieba"]["lcut_s"] for p in pairs]),
            "jieba_process_s": _median([p["jieba"]["process_wall_s"] for p in pairs]),
            "ratio": _median([p["jieba"]["lcut_s"] / p["cli"]["wall_s"] for p in pairs]),
            "ratio_whole_process": _median([p["jieba"]["process_wall_s"] / p["cli"]["wall_s"] for p in pairs]),
            "other_load_cores": max(max(p["cli"]["other_load_cores"], p["jieba"]["other_load_cores"]) for p in pairs),
            "runs": pairs}


def startup(warmup: str, tmp: str, repeats: int) -> dict:
    """The whole command on one small file, and the steps before its first document."""
    fixed = [run_cli(["extract", warmup, "--jobs", "1"], os.path.join(tmp, "out-fixed")) for _ in range(repeats)]
    bare = [measure([sys.executable, "-c", "pass"], cwd=ROOT)["wall_s"] for _ in range(repeats)]
    steps = []
    for _ in range(repeats):
        r = measure([sys.executable, os.path.join(HERE, "startup.py")], env=single_core_env(), cwd=ROOT)
        if r["returncode"] != 0:
            raise RuntimeError(f"startup.py failed: {r['stderr_tail']}")
        steps.append(json.loads(r["stdout"].strip().splitlines()[-1]))
    out = {"wall_s": _median([f["wall_s"] for f in fixed]), "peak_rss_sum_mb": max(f["peak_rss_sum_mb"] for f in fixed),
           "runs": len(fixed), "kb": os.path.getsize(warmup) / 1000, "interpreter_s": _median(bare)}
    for key in steps[0]:
        out[key] = _median([x[key] for x in steps])
    out["to_first_document_s"] = out["interpreter_s"] + out["import_s"] + out["lexicon_s"] + out["first_document_loads_s"]
    return out


def office_rates(fmt: str, texts: list[tuple[str, str]], tmp: str) -> dict:
    folder = os.path.join(tmp, f"office-{fmt}")
    t = time.perf_counter()
    paths = corpora.make_office_set(texts, folder, fmt)
    made = time.perf_counter() - t
    warm, measured = paths[-1], paths[:-1]
    log(f"  .{fmt}: {len(measured)} files made in {made:.1f} s; analyze_path and load")
    r = inproc(measured, warm, tmp, load=True)
    n = len(measured)
    return {"files": n, "source_chars": sum(len(x[1]) for x in texts[:-1]), "chars_extracted": r["chars"],
            "statuses": r["statuses"], "claims": r["claims"],
            "analyze_docs_s": n / r["pipeline_s"], "load_docs_s": n / r["load_s"] if r.get("load_s") else None,
            "analyze_docs_s_cpu": n / r["pipeline_cpu_s"], "other_load_cores": r["other_load_cores"],
            "ingest_share": (r["load_cpu_s"] / r["pipeline_cpu_s"]) if r.get("load_cpu_s") else None,
            "doc_s_median": r["doc_s_median"], "doc_s_max": r["doc_s_max"],
            "inproc_peak_rss_mb": r["maxrss_mb_after_pipeline"], "generate_s": made}


def _strip(r: dict) -> dict:
    out = {k: v for k, v in r.items() if k != "stdout"}
    out["stdout_tail"] = r.get("stdout", "")[-300:]
    return out


def synthetic_runs(tmp: str, small: int, large: int, seed: int, timeout: float) -> dict:
    out: dict[str, Any] = {"seed": seed, "generator": "bench/synth.py (clause mode, copy_rate 0.02)"}
    sets = {}
    for n in sorted({small, large}):
        folder = os.path.join(tmp, f"synth-{n}")
        t = time.perf_counter()
        if n == large and small < large:
            # documents 0..small-1 of the large set are the small set: copy them, generate the rest
            shutil.copytree(sets[small], folder)
            synth.write_set(folder, n, seed, start=small)
        else:
            synth.write_set(folder, n, seed)
        files = len(os.listdir(folder))
        size = sum(e.stat().st_size for e in os.scandir(folder))
        sets[n] = folder
        out[f"set_{n}"] = {"files": files, "bytes": size, "generate_s": time.perf_counter() - t}
        log(f"  generated {files:,} submissions ({size / MB:.1f} MB) in {time.perf_counter() - t:.1f} s")

    def record(key: str, cmd: str, n: int, jobs: int) -> None:
        log(f"  {cmd} over {n:,} submissions, --jobs {jobs}")
        r = run_cli([cmd, sets[n], "--jobs", str(jobs)], os.path.join(tmp, f"out-{key}"), timeout=timeout)
        r["documents"] = n
        r["jobs"] = jobs
        r["docs_s"] = n / r["wall_s"] if r["returncode"] == 0 else None
        r["mb_s"] = out[f"set_{n}"]["bytes"] / MB / r["wall_s"] if r["returncode"] == 0 else None
        out[key] = _strip(r)
        log(f"    {r['wall_s']:.1f} s, peak RSS sum {r['peak_rss_sum_mb']:.0f} MB, PSS sum {r['peak_pss_sum_mb']:.0f} MB"
            + ("" if r["returncode"] == 0 else f", FAILED rc={r['returncode']}"))

    record("extract_small_jobs1", "extract", small, 1)
    record("extract_small_jobs2", "extract", small, 2)
    out["dask_small"] = dask_extract(tmp, sets[small], small, timeout)
    record("screen_small_jobs2", "screen", small, 2)
    record("screen_large_jobs2", "screen", large, 2)
    out["small"], out["large"] = small, large
    a, b = out["extract_small_jobs1"], out["extract_small_jobs2"]
    out["extract_speedup_jobs2"] = a["wall_s"] / b["wall_s"] if b["wall_s"] else None
    s, l = out["screen_small_jobs2"], out["screen_large_jobs2"]
    out["screen_rss_growth"] = l["peak_rss_sum_mb"] / s["peak_rss_sum_mb"] if s["peak_rss_sum_mb"] else None
    out["screen_pss_growth"] = l["peak_pss_sum_mb"] / s["peak_pss_sum_mb"] if s["peak_pss_sum_mb"] else None
    return out


def dask_extract(tmp: str, folder: str, n: int, timeout: float) -> Optional[dict]:
    """The Dask engine (LocalCluster, 2 workers x 1 thread, partitions of 50) over a set, as the CLI runs."""
    try:
        from summaryscan.engines import dask_available
    except ImportError:
        return None
    if not dask_available():
        log("  Dask engine skipped: dask[distributed]/pyarrow not installed")
        return None
    log(f"  Dask engine (LocalCluster 2x1) over {n:,} submissions")
    out_dir = os.path.join(tmp, "out-dask")
    shutil.rmtree(out_dir, ignore_errors=True)
    r = measure([sys.executable, os.path.join(HERE, "dask_extract.py"), out_dir, folder], cwd=ROOT, timeout=timeout)
    LOADS.append(r["other_load_cores"])
    shutil.rmtree(out_dir, ignore_errors=True)
    r["documents"], r["jobs"] = n, 2
    r["docs_s"] = n / r["wall_s"] if r["returncode"] == 0 else None
    try:
        r["counts"] = json.loads(r["stdout"].strip().splitlines()[-1])
    except (ValueError, IndexError):
        r["counts"] = None
    log(f"    {r['wall_s']:.1f} s, peak RSS sum {r['peak_rss_sum_mb']:.0f} MB"
        + ("" if r["returncode"] == 0 else f", FAILED rc={r['returncode']}: {r['stderr_tail'][-300:]}"))
    return _strip(r)


# ---------------------------------------------------------------- report


def fmt(v: Any, spec: str = ".2f") -> str:
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    return format(v, spec)


def table(headers: list[str], rows: list[list[str]], align: str = "") -> str:
    """Plain aligned text table; ``align`` per column ('l' or 'r', default: first l, rest r)."""
    align = align or "l" + "r" * (len(headers) - 1)
    cols = list(zip(headers, *rows))
    w = [max(len(str(c)) for c in col) for col in cols]

    def line(cells):
        return "  ".join(str(c).ljust(w[k]) if align[k] == "l" else str(c).rjust(w[k]) for k, c in enumerate(cells))
    sep = "  ".join("-" * x for x in w)
    return "\n".join([line(headers), sep] + [line(r) for r in rows])


def verdict(ok: Optional[bool]) -> str:
    return "-" if ok is None else ("ok" if ok else "MISSED")


def render(res: dict) -> str:
    m = res["machine"]
    lines = [f"summaryscan benchmark, {res['date']} ({res['mode']}), {res['elapsed_s'] / 60:.1f} min",
             f"machine: {m['cpu_count']} CPUs ({m['cpu_model']}), {m['memory_total_mb'] / 1024:.0f} GB; "
             f"Python {m['python']}; summaryscan {m['summaryscan']} (pipeline {m['pipeline_version']}, "
             f"src {m['source_fingerprint']}, HEAD {str(m['git_head'])[:10]}); jieba {m['jieba']}"]
    ld = res.get("other_load")
    if ld and ld.get("max") is not None:
        lines.append(f"other processes on the machine during measured runs: {ld['mean']:.2f} cores on average, "
                     f"up to {ld['max']:.2f}" + ("  << BUSY MACHINE: wall times inflated; see the CPU-time figures"
                                                  if ld["max"] > 0.3 else ""))
    lines.append("")
    e2e = res.get("e2e") or {}
    keys = [k for k in ("reports", "reports_once", "seeds", "seeds_small") if k in e2e and not e2e[k].get("skipped")]
    labels = {"reports": "2026 reports x{}", "reports_once": "2026 reports x{}", "seeds": "seeds (real) x{}",
              "seeds_small": "seeds (real) x{}"}
    barred = ("reports", "seeds")        # the others: start-up bound (under 2 MB of text), no bar
    lines.append("end to end: `summaryscan extract DIR --jobs 1 --no-cache` as a whole process against jieba.lcut "
                 "on the same files, same run")
    lines.append("(each copy distinct: its own batch line; jieba in a fresh process: lcut timed alone, and its whole "
                 "process; alternate runs, medians)")
    if keys:
        rows = [["files / MB", *[f"{e2e[k]['files']} / {e2e[k]['bytes'] / MB:.2f}" for k in keys], ""],
                ["summaryscan extract, wall s", *[fmt(e2e[k]["cli_wall_s"]) for k in keys], ""],
                ["summaryscan extract, MB/s", *[fmt(_mbps(e2e[k]["bytes"], e2e[k]["cli_wall_s"])) for k in keys], ""],
                ["jieba.lcut, s (after its dictionary load)", *[fmt(e2e[k]["jieba_lcut_s"]) for k in keys], ""],
                ["jieba.lcut, MB/s", *[fmt(_mbps(e2e[k]["bytes"], e2e[k]["jieba_lcut_s"])) for k in keys], ""],
                ["ratio summaryscan / jieba.lcut", *[fmt(e2e[k]["ratio"]) + "x" for k in keys], ">= 5x"],
                ["  target met", *[verdict(e2e[k]["ratio"] >= TARGETS["end_to_end_over_jieba"])
                                   if k in barred else "(no bar)" for k in keys], ""],
                ["jieba whole process, s", *[fmt(e2e[k]["jieba_process_s"]) for k in keys], ""],
                ["ratio against jieba's whole process", *[fmt(e2e[k]["ratio_whole_process"]) + "x" for k in keys], ""],
                ["summaryscan CPU s (all processes)", *[fmt(e2e[k]["cli_cpu_s"]) for k in keys], ""],
                ["summaryscan peak RSS sum, MB", *[fmt(e2e[k]["cli_peak_rss_sum_mb"], ".0f") for k in keys], ""],
                ["other load, cores (max)", *[fmt(e2e[k]["other_load_cores"]) for k in keys], ""],
                ["runs (median of)", *[str(e2e[k]["repeats"]) for k in keys], ""]]
        lines.append(table(["", *[labels[k].format(e2e[k]["copies"]) for k in keys], "target"], rows))
    for k in ("reports", "seeds"):
        if e2e.get(k, {}).get("skipped"):
            lines.append(f"{k}: skipped ({e2e[k]['skipped']})")
    fc = res.get("cli_fixed_cost")
    if fc:
        lines.append(f"start-up: `summaryscan extract` of one small file ({fc.get('kb', 0):.1f} KB), whole command "
                     f"{fc['wall_s']:.2f} s, peak RSS sum {fc['peak_rss_sum_mb']:.0f} MB; before its first document "
                     f"{fc['to_first_document_s']:.2f} s (target < {TARGETS['startup_s']} s: "
                     f"{verdict(fc['to_first_document_s'] < TARGETS['startup_s'])}) = interpreter "
                     f"{fc['interpreter_s']:.2f} + imports {fc['import_s']:.2f} + lexicon {fc['lexicon_s']:.2f} "
                     f"+ the first document's loads {fc['first_document_loads_s']:.2f} s")
    lines.append("")
    txt = res.get("txt") or {}
    cols = [k for k in ("shared", "seeds", "corpus") if k in txt and not txt[k].get("skipped")]
    names = {"shared": "shared corpus", "seeds": "seeds (real)", "corpus": "corpus/ .txt"}
    if txt:
        lines.append("in process: .txt extract, MB/s of UTF-8 text (1 core); corpus/ is a stress row (claim-dense "
                     "generated text), no target")
    if cols:
        rows = [["documents / MB", *[f"{txt[c]['files']} / {txt[c]['bytes'] / MB:.2f}" for c in cols], ""],
                ["in-process analyze_path, MB/s", *[fmt(txt[c]["pipeline_mb_s"]) for c in cols], ""],
                ["in-process analyze_path, docs/s", *[fmt(txt[c]["pipeline_docs_s"], ".1f") for c in cols], ""],
                ["jieba.lcut (reference), MB/s", *[fmt(txt[c]["jieba_mb_s"]) for c in cols], ""],
                ["ratio pipeline / jieba", *[fmt(txt[c]["ratio_pipeline_over_jieba"], ".2f") + "x" for c in cols],
                 ""],
                ["same on CPU time: pipeline / jieba MB/s",
                 *[f"{fmt(txt[c]['pipeline_mb_s_cpu'])} / {fmt(txt[c]['jieba_mb_s_cpu'])}" for c in cols], ""],
                ["ratio on CPU time", *[fmt(txt[c]["ratio_pipeline_over_jieba_cpu"]) + "x" for c in cols], ""],
                ["in tasks, as the workers run them, MB/s", *[fmt(txt[c].get("tasks_mb_s")) for c in cols], ""],
                ["ratio in tasks / jieba", *[fmt(txt[c].get("ratio_tasks_over_jieba"), ".2f") + "x" for c in cols], ""],
                ["CLI extract --jobs 1 --no-cache, wall s", *[fmt(txt[c]["cli_wall_s"]) for c in cols], ""],
                ["CLI extract, MB/s (wall)", *[fmt(txt[c]["cli_mb_s"]) for c in cols], ""],
                ["CLI CPU time (all processes), s", *[fmt(txt[c]["cli_cpu_s"]) for c in cols], ""],
                ["in-process peak RSS, MB", *[fmt(txt[c]["inproc_peak_rss_mb"], ".0f") for c in cols], ""],
                ["runs (median of)", *[str(txt[c]["repeats"]) for c in cols], ""]]
        lines.append(table(["", *[names[c] for c in cols], "target"], rows))
        lines.append("")
        lines.append("where the time goes (as many more runs per set, stage by stage; median share of the time)")
        rows = [["claims per 1,000 chars", *[fmt(txt[c]["claims_per_1000_chars"], ".1f") for c in cols]]]
        for stage in txt[cols[0]]["stages_s"]:
            rows.append([stage, *[fmt(100 * txt[c]["stages_s"][stage] / txt[c]["stages_total_s"], ".0f") + "%"
                                  for c in cols]])
            if stage == "claims":
                rows.append(["  of which subjects", *[fmt(100 * txt[c]["subjects_s"] / txt[c]["stages_total_s"], ".0f")
                                                      + "%" for c in cols]])
        rows.append(["ratio to jieba in these runs", *[fmt(txt[c]["stages_ratio"]) + "x" for c in cols]])
        rows.append(["  same if subjects cost nothing", *[fmt(txt[c]["ratio_without_subjects"]) + "x" for c in cols]])
        lines.append(table(["", *[names[c] for c in cols]], rows))
    for c in ("shared", "seeds", "corpus"):
        if txt.get(c, {}).get("skipped"):
            lines.append(f"{names[c]}: skipped ({txt[c]['skipped']})")
    lines.append("")
    off = res.get("office", {})
    if off:
        lines.append(f".docx / .pdf made from {off.get('source')} (1 core)")
        rows = []
        for f in ("docx", "pdf"):
            o = off.get(f)
            if o:
                rows.append([f".{f}", str(o["files"]), fmt(o["analyze_docs_s"], ".1f"),
                             fmt(o["analyze_docs_s_cpu"], ".1f"), fmt(o["load_docs_s"], ".1f"),
                             fmt(o["ingest_share"] * 100 if o["ingest_share"] is not None else None, ".0f") + "%",
                             fmt(o["doc_s_max"], ".2f"), fmt(o["inproc_peak_rss_mb"], ".0f")])
        lines.append(table(["format", "files", "docs/s analyze_path", "(CPU time)", "docs/s load only",
                            "ingest share (CPU)", "slowest doc s", "peak RSS MB"], rows))
        lines.append("")
    syn = res.get("synthetic")
    if syn:
        small, large = syn["small"], syn["large"]
        lines.append(f"CLI on generated submissions (~1,500 chars each; {syn['set_' + str(small)]['bytes'] / MB:.1f} MB "
                     f"per {small:,}), --no-cache; memory = peak sum over the process tree, 0.1 s sampling")
        rows = []
        for key, label in (("extract_small_jobs1", "extract"), ("extract_small_jobs2", "extract"),
                           ("dask_small", "extract (Dask engine, parquet)"),
                           ("screen_small_jobs2", "screen"), ("screen_large_jobs2", "screen")):
            r = syn.get(key)
            if not r:
                continue
            target = ""
            if key == "screen_small_jobs2":
                target = (f"<= {TARGETS['screen_1k_wall_s']:.0f} s: "
                          f"{verdict(r['wall_s'] <= TARGETS['screen_1k_wall_s'] if r['returncode'] == 0 else False)}")
            if key == "screen_large_jobs2":
                target = (f"<= {TARGETS['screen_peak_rss_mb']:.0f} MB: "
                          f"{verdict(r['peak_rss_sum_mb'] <= TARGETS['screen_peak_rss_mb'])}"
                          if r["returncode"] == 0 else "did not finish")
            rows.append([label, f"{r['documents']:,}", str(r["jobs"]), fmt(r["wall_s"], ".1f"), fmt(r["docs_s"], ".1f"),
                         fmt(r["peak_rss_sum_mb"], ".0f"), fmt(r["peak_pss_sum_mb"], ".0f"),
                         fmt(r["peak_rss_main_mb"], ".0f"), str(r["max_processes"]), fmt(r.get("cpu_s"), ".1f"),
                         fmt(r.get("other_load_cores"), ".2f"), target])
        lines.append(table(["command", "docs", "jobs", "wall s", "docs/s", "RSS sum MB", "PSS sum MB",
                            "main RSS MB", "procs", "CPU s", "other load", "target"], rows, "lrrrrrrrrrrl"))
        lines.append(f"extract --jobs 2 speed-up over --jobs 1: {fmt(syn['extract_speedup_jobs2'])}x; "
                     f"screen peak RSS {large:,} / {small:,}: {fmt(syn['screen_rss_growth'])}x "
                     f"(PSS {fmt(syn['screen_pss_growth'])}x; flat = 1.00x)")
        if res["mode"] == "quick":
            lines.append(f"NOTE --quick: the large set is {large:,} submissions, not 10,000.")
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description="summaryscan benchmark")
    ap.add_argument("--quick", action="store_true", help="2,000 instead of 10,000 submissions; fewer repeats")
    ap.add_argument("--out", default=os.path.join(HERE, "result.json"), help="JSON result file")
    ap.add_argument("--tmp", help="work folder (default: a new temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the generated inputs")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--large", type=int, help="size of the large set (default 10,000; 2,000 with --quick)")
    ap.add_argument("--txt-only", action="store_true",
                    help="only the .txt tables: end to end, start-up and in process (a few minutes)")
    ap.add_argument("--parts", default="e2e,txt,office,synthetic",
                    help="what to measure, comma-separated: e2e (with start-up), txt, office, synthetic (default: all)")
    ap.add_argument("--timeout", type=float, default=7200, help="limit per CLI run, s (default 7200)")
    a = ap.parse_args(argv)
    quick = a.quick
    parts = set(a.parts.split(",")) & ({"e2e", "txt"} if a.txt_only else {"e2e", "txt", "office", "synthetic"})
    large = a.large or (2000 if quick else 10000)
    small = min(1000, large)
    started = time.perf_counter()
    tmp = a.tmp or tempfile.mkdtemp(prefix="summaryscan-bench-")
    os.makedirs(tmp, exist_ok=True)
    res: dict[str, Any] = {"date": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
                           "mode": "quick" if quick else "full", "machine": machine_info(), "tmp": tmp,
                           "targets": TARGETS, "loadavg_start": os.getloadavg(), "units": {"throughput": "MB = 10^6 bytes of UTF-8 text",
                                                        "memory": "MB = MiB (2^20 bytes)"}}
    log(f"work folder {tmp}")
    try:
        warmup = os.path.join(HERE, "warmup.txt")     # shares no passage with any measured set

        # .txt throughput: shared corpus and corpus/
        res["txt"] = {}
        docs = corpora.shared_documents()
        if "txt" not in parts:
            pass
        elif docs is None:
            msg = f"{corpora.SHARED} not found"
            log(f"shared corpus skipped: {msg}")
            res["txt"]["shared"] = {"skipped": msg}
        else:
            folder = os.path.join(tmp, "shared-txt")
            corpora.write_texts(docs, folder)
            files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
            log(f"shared corpus: {len(files)} documents")
            res["txt"]["shared"] = txt_throughput("shared", files, warmup, tmp, repeats=1,
                                                  cli_repeats=1 if quick else 3)
        seeds = corpora.seed_files()
        if "txt" not in parts:
            pass
        elif seeds is None:
            res["txt"]["seeds"] = {"skipped": f"{corpora.SEEDS} not found"}
            log(f"seeds skipped: {corpora.SEEDS} not found")
        else:
            res["txt"]["seeds"] = txt_throughput("seeds", seeds, warmup, tmp, repeats=3 if quick else 5,
                                                 cli_repeats=1 if quick else 3)
        if "txt" in parts:
            from summaryscan.ingest import iter_inputs
            corpus_txt = [f for f in iter_inputs([os.path.join(ROOT, "corpus")]) if f.lower().endswith(".txt")]
            log(f"corpus/: {len(corpus_txt)} .txt submissions")
            res["txt"]["corpus"] = txt_throughput("corpus", corpus_txt, warmup, tmp,
                                                  repeats=3 if quick else 5, cli_repeats=1 if quick else 3)

        # end to end: the whole command against jieba.lcut on the same files; start-up
        res["e2e"] = {}
        reports = corpora.provincial_reports() if "e2e" in parts else None
        seed_paths = corpora.seed_files() if "e2e" in parts else None
        sets = []
        if "e2e" in parts:
            log("start-up: extract of one small file, and the steps before the first document")
            res["cli_fixed_cost"] = startup(warmup, tmp, 1 if quick else 3)
        if reports is None and "e2e" in parts:
            res["e2e"]["reports"] = {"skipped": f"{corpora.SHARED}/prov2026 not found"}
        elif reports is not None:
            sets += [("reports", reports, E2E_COPIES), ("reports_once", reports, 1)]
        if seed_paths is None and "e2e" in parts:
            res["e2e"]["seeds"] = {"skipped": f"{corpora.SEEDS} not found"}
        elif seed_paths is not None:
            seed_docs = []
            for path in seed_paths:
                with open(path, encoding="utf-8-sig") as fh:
                    seed_docs.append((os.path.basename(path), fh.read()))
            # the seeds are 56 KB: 20 copies (1.1 MB) is about what jieba reads in 0.8 s, less than
            # the interpreter and imports of any Python command take, so the row with the bar has
            # as many copies as make the reports' volume; the 20 copies are shown beside it
            seed_bytes = sum(len(t.encode("utf-8")) for _, t in seed_docs)
            report_bytes = sum(len(t.encode("utf-8")) for _, t in reports or []) * E2E_COPIES
            sets.append(("seeds", seed_docs, max(E2E_COPIES, round(report_bytes / seed_bytes)) if reports else E2E_COPIES))
            sets.append(("seeds_small", seed_docs, E2E_COPIES))
        for key, docs_, copies in sets:
            folder = os.path.join(tmp, f"e2e-{key}")
            corpora.write_copies(docs_, folder, copies)
            res["e2e"][key] = end_to_end(key, folder, tmp, repeats=1 if quick else 3)
            res["e2e"][key]["copies"] = copies
            res["e2e"][key]["originals"] = len(docs_)
            shutil.rmtree(folder, ignore_errors=True)

        if a.txt_only:
            res["mode"] += ", .txt only"
        elif parts != {"e2e", "txt", "office", "synthetic"}:
            res["mode"] += ", " + ", ".join(sorted(parts))
        if "office" in parts:
            # .docx / .pdf
            n_office = 10 if quick else 30
            if docs is not None:
                texts = [(n, corpora.truncate(t, 3000)) for n, t in corpora.pick_texts(docs, n_office + 1)]
                source = "the shared corpus, cut to ~3,000 chars"
            else:
                src_dir = os.path.join(ROOT, "corpus", "sources")
                srcs = [(f, open(os.path.join(src_dir, f), encoding="utf-8-sig").read())
                        for f in sorted(os.listdir(src_dir)) if f.endswith(".txt")]
                texts = corpora.pick_texts(srcs, n_office + 1, min_chars=0)
                source = "corpus/sources/*.txt (shared corpus absent)"
            res["office"] = {"source": source}
            for f in ("docx", "pdf"):
                try:
                    res["office"][f] = office_rates(f, texts, tmp)
                except Exception as exc:      # a missing generator library must not sink the run
                    log(f"  .{f} skipped: {type(exc).__name__}: {exc}")
                    res["office"][f] = None

        if "synthetic" in parts:
            # generated submissions: extract --jobs 1/2, screen 1,000 and 10,000
            log(f"generated submissions: {small:,} and {large:,}")
            res["synthetic"] = synthetic_runs(tmp, small, large, a.seed, a.timeout)
    finally:
        res["elapsed_s"] = time.perf_counter() - started
        res["other_load"] = {"mean": statistics.mean(LOADS) if LOADS else None, "max": max(LOADS) if LOADS else None,
                             "per_run": LOADS, "loadavg_end": os.getloadavg()}
        if not a.keep and not a.tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w", encoding="utf-8") as fh:
            json.dump(res, fh, ensure_ascii=False, indent=1, default=str)
    report = render(res)
    print(report)
    with open(os.path.splitext(a.out)[0] + ".txt", "w", encoding="utf-8") as fh:
        fh.write(report + "\n")
    log(f"results: {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
