"""Child of bench/run.py: ``run_dask`` on a LocalCluster (2 workers x 1 thread), counts as JSON.

    python bench/dask_extract.py OUT_DIR PATH... [--partition-size 50]
"""
from __future__ import annotations

import argparse
import json
import time

if __name__ == "__main__":          # LocalCluster spawns processes: keep the guard
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--partition-size", type=int, default=50)
    a = ap.parse_args()
    t = time.perf_counter()
    from summaryscan.engines import run_dask
    counts = run_dask(a.paths, a.out, scheduler=None, partition_size=a.partition_size, progress=False)
    counts["wall_in_process_s"] = time.perf_counter() - t
    print(json.dumps(counts, ensure_ascii=False))
