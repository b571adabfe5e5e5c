"""Child process of bench/run.py: time the in-process pipeline (and jieba) on a list of files.

Runs in a fresh interpreter so that its peak RSS is its own and no cache of an
earlier measurement (the pipeline memoises segmentations) is warm:

1. with ``--jieba``, the reference first, on a pristine jieba (before summaryscan
   adds its domain words): the texts are read with ``summaryscan.ingest.load``
   (not timed), ``jieba.lcut`` (default mode, HMM on) is warmed up on a short
   sentence (dictionary load), then one timed pass over the texts;
2. the pipeline: import, ``analyze_path`` once on ``--warmup`` (a file outside
   the measured set: jieba's dictionary and every lazy import load), then one
   timed pass of ``analyze_path`` over the files, single core, file reading and
   decoding included; UTF-8 bytes counted from ``RawDocument.text``;
3. peak RSS (``ru_maxrss``) after that pass; then the same files once more, in the tasks the
   batch driver's workers get (``runner.plan_tasks``, ``runner.process_many``: several small
   files analysed in one pass);
4. with ``--load``: one timed pass of ``load`` alone (ingest share for .docx/.pdf);
5. with ``--stages`` (instead of 2-3, in its own process): the same pass of
   ``analyze_path`` with timers around its ``load``, each registered stage and, within
   ``claims``, the subject assignment (``claims.subject_model.assign``, or the rules'
   ``claims.subjects.assign_subjects`` without the model): where the time goes.

Times are wall (``perf_counter``) and CPU (``process_time``): on a machine shared
with other jobs, CPU time is the figure that does not depend on their load.
Prints one JSON object.
"""
from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time


def _maxrss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", required=True, help="JSON file: list of paths")
    ap.add_argument("--warmup", required=True)
    ap.add_argument("--jieba", action="store_true")
    ap.add_argument("--load", action="store_true")
    ap.add_argument("--stages", action="store_true")
    a = ap.parse_args()
    with open(a.files, encoding="utf-8") as fh:
        files = json.load(fh)
    out: dict = {"files": len(files)}

    if a.jieba:
        import jieba
        from summaryscan.ingest import load
        texts = [load(f).text for f in files]
        jieba.setLogLevel(60)
        jieba.lcut("开展专题学习12次，培训干部300人次。")
        t, c = time.perf_counter(), time.process_time()
        for text in texts:
            jieba.lcut(text)
        out["jieba_s"] = time.perf_counter() - t
        out["jieba_cpu_s"] = time.process_time() - c
        out["jieba_bytes"] = sum(len(x.encode("utf-8")) for x in texts)
        out["maxrss_mb_after_jieba"] = _maxrss_mb()
        del texts
        gc.collect()

    t0 = time.perf_counter()
    from summaryscan.ingest import load
    from summaryscan.pipeline import analyze_path
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    analyze_path(a.warmup)
    t_warm = time.perf_counter() - t0
    rss_ready = _maxrss_mb()
    if a.stages:
        out.update(_stage_times(files))
        print(json.dumps(out))
        return

    per_doc, cpu, nbytes, nchars, statuses, claims = [], 0.0, 0, 0, {}, 0
    for f in files:
        t, c = time.perf_counter(), time.process_time()
        an = analyze_path(f)
        cpu += time.process_time() - c
        per_doc.append(time.perf_counter() - t)
        nbytes += len(an.raw.text.encode("utf-8"))
        nchars += len(an.raw.text)
        claims += len(an.claims)
        statuses[an.raw.status] = statuses.get(an.raw.status, 0) + 1
        del an
    out.update({"bytes": nbytes, "chars": nchars, "statuses": statuses, "claims": claims,
                "import_s": t_import, "warmup_s": t_warm, "pipeline_s": sum(per_doc), "pipeline_cpu_s": cpu,
                "doc_s_median": statistics.median(per_doc) if per_doc else None,
                "doc_s_max": max(per_doc) if per_doc else None,
                "maxrss_mb_ready": rss_ready, "maxrss_mb_after_pipeline": _maxrss_mb()})
    # the same files in the tasks the batch driver's workers get (several small files analysed in
    # one pass: runner.plan_tasks, runner.process_many)
    from summaryscan.runner import plan_tasks, process_many
    t, c = time.perf_counter(), time.process_time()
    for task in plan_tasks(files):
        process_many([files[i] for i in task])
    out["tasks_s"], out["tasks_cpu_s"] = time.perf_counter() - t, time.process_time() - c
    if a.load:
        t, c = time.perf_counter(), time.process_time()
        for f in files:
            load(f)
        out["load_s"] = time.perf_counter() - t
        out["load_cpu_s"] = time.process_time() - c
    out["maxrss_mb_end"] = _maxrss_mb()
    print(json.dumps(out))


def _timed(fn, key: str, totals: dict):
    """``fn``, adding the seconds of every call to ``totals[key]``."""
    def timed(*args):
        t = time.perf_counter()
        try:
            return fn(*args)
        finally:
            totals[key] += time.perf_counter() - t
    return timed


def _stage_times(files: list[str]) -> dict:
    """Seconds per stage over ``files``: ``analyze_path`` itself, with its ``load``, every
    registered stage and the subject assignment within claims wrapped in timers."""
    from summaryscan import pipeline
    from summaryscan.claims import subject_model
    from summaryscan.claims import subjects as claims_mod
    from summaryscan.registry import stages as stage_registry
    from summaryscan.stages import DEFAULT_STAGES

    totals = dict.fromkeys(["load", *DEFAULT_STAGES, "subjects"], 0.0)
    # subjects: the shipped model's assignment, or the rules' without it
    patched = [(pipeline, "load"), (claims_mod, "assign_subjects"), (subject_model, "assign")]
    saved = {(mod, name): getattr(mod, name) for mod, name in patched}
    entries = [stage_registry.entry(name) for name in DEFAULT_STAGES]
    stage_fns = [e.fn for e in entries]
    pipeline.load = _timed(pipeline.load, "load", totals)
    claims_mod.assign_subjects = _timed(claims_mod.assign_subjects, "subjects", totals)
    subject_model.assign = _timed(subject_model.assign, "subjects", totals)
    for e in entries:
        e.fn = _timed(e.fn, e.name, totals)
    try:
        for f in files:
            pipeline.analyze_path(f)
    finally:
        for mod, name in patched:
            setattr(mod, name, saved[(mod, name)])
        for e, fn in zip(entries, stage_fns):
            e.fn = fn
    subjects = totals.pop("subjects")
    return {"stages_s": totals, "subjects_s": subjects, "stages_total_s": sum(totals.values())}


if __name__ == "__main__":
    main()
