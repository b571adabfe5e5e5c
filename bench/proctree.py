"""Run a command and sample the memory of its whole process tree.

``measure(cmd)`` starts ``cmd``, and every ``interval`` seconds (0.1 by default)
sums over the process and all its descendants (worker processes, forked
helpers): RSS, and, every ``pss_interval`` seconds (1 s: reading it costs
milliseconds per GB mapped), PSS (proportional set size: a page shared by k
processes counts 1/k in each, so the sum does not count copy-on-write pages of
forked workers more than once). The peaks of both sums, the peak RSS of the main
process alone, the largest number of processes seen and the wall time are
returned.

RSS summed over forked workers over-states real use (pages shared with the
parent are counted in every process); PSS summed is the honest figure. Both
are reported; the targets are stated on the RSS sum, which is the stricter.

CPU: ``cpu_s`` is the user+system time of the whole tree (``RUSAGE_CHILDREN``
before and after; workers are waited for by their parents, so they count), and
``other_load_cores`` the average number of cores other processes of the machine
kept busy meanwhile (system-wide busy time minus the tree's and this sampler's).
On a shared machine wall times are only comparable when that is near 0.
"""
from __future__ import annotations

import resource
import subprocess
import tempfile
import time
from typing import Optional, Sequence

import psutil

MB = 1024 * 1024


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root] + root.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _sample(procs: list[psutil.Process], root_pid: int, with_pss: bool) -> tuple[int, Optional[int], int]:
    """Summed RSS (cheap: /proc/PID/statm), summed PSS when asked (smaps_rollup: costs
    milliseconds per GB mapped, so it is sampled less often), RSS of the root."""
    rss = pss = main = 0
    for p in procs:
        try:
            m = p.memory_full_info() if with_pss else p.memory_info()
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        except psutil.AccessDenied:          # pragma: no cover - own children are readable
            try:
                m = p.memory_info()
            except psutil.Error:
                continue
        rss += m.rss
        pss += getattr(m, "pss", m.rss)
        if p.pid == root_pid:
            main = m.rss
    return rss, (pss if with_pss else None), main


def _busy(t) -> float:
    return sum(v for k, v in t._asdict().items() if k not in ("idle", "iowait", "guest", "guest_nice"))


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(cmd: Sequence[str], *, cwd: Optional[str] = None, env: Optional[dict] = None,
            interval: float = 0.1, pss_interval: float = 1.0, timeout: Optional[float] = None) -> dict:
    """Run ``cmd`` to completion; wall time, CPU time, process-tree memory peaks (MB), background load."""
    me = psutil.Process()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        cpu0, sys0, self0 = _children_cpu(), _busy(psutil.cpu_times()), sum(me.cpu_times()[:2])
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=err)
        root = psutil.Process(proc.pid)
        peak_rss = peak_pss = peak_main = 0
        max_procs = samples = 0
        timed_out = False
        next_pss = t0
        while True:
            procs = _tree(root)
            now = time.perf_counter()
            rss, pss, main = _sample(procs, proc.pid, with_pss=now >= next_pss)
            if pss is not None:
                next_pss = now + pss_interval
                peak_pss = max(peak_pss, pss)
            samples += 1
            peak_rss, peak_main = max(peak_rss, rss), max(peak_main, main)
            max_procs = max(max_procs, len(procs))
            try:
                proc.wait(timeout=interval)
                break
            except subprocess.TimeoutExpired:
                pass
            if timeout is not None and time.perf_counter() - t0 > timeout:
                timed_out = True
                for p in reversed(_tree(root)):
                    try:
                        p.kill()
                    except psutil.Error:
                        pass
                proc.wait()
                break
        wall = time.perf_counter() - t0
        cpu = _children_cpu() - cpu0
        others = _busy(psutil.cpu_times()) - sys0 - cpu - (sum(me.cpu_times()[:2]) - self0)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return {"cmd": list(cmd), "returncode": proc.returncode, "wall_s": wall, "timed_out": timed_out,
            "cpu_s": cpu, "other_load_cores": max(0.0, others) / wall if wall else None,
            "peak_rss_sum_mb": peak_rss / MB, "peak_pss_sum_mb": peak_pss / MB, "peak_rss_main_mb": peak_main / MB,
            "max_processes": max_procs, "samples": samples, "interval_s": interval, "pss_interval_s": pss_interval,
            "stdout": stdout, "stderr_tail": stderr[-1500:]}


if __name__ == "__main__":   # python bench/proctree.py CMD ...
    import json
    import sys
    print(json.dumps(measure(sys.argv[1:]), ensure_ascii=False, indent=1))
