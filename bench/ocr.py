"""OCR benchmark: character accuracy, speed and the cache, on scans of the real seed submissions.

    python bench/ocr.py [--dpi 100,150,200,300] [--quick] [--seeds DIR] [--skip-cache]

The five seeds (``../shared/seeds/*.txt``, read in place, never copied into the project;
the benchmark says so and stops when they are absent) are laid out as official documents
(A4, 16 pt body, 22 lines of 28 characters, page numbers; ``tests/scanfixtures.py``)
and "scanned": rendered at 300 DPI with the CJK font plus sensor noise and stored as
image-only PDFs, the way a scanner hands them in. Each PDF is then read by summaryscan
(``--ocr auto``) with its pages rendered for OCR at each DPI asked for, on ONE thread
(ONNX Runtime with one intra-op thread, in this process), and compared with the text
that was printed:

* CER = edit distance / characters printed, over the whole document, after removing
  white space and folding full-/half-width forms the way the analyser does
  (``summaryscan.text.normalize.translate``): accuracy = 1 − CER. The raw figure
  (no folding) is reported too;
* pages/s = pages / wall seconds (and pages per CPU second) on that one thread;
* per page: CER against the mean recognition confidence, to set the
  ``OCR_LOW_CONFIDENCE`` threshold.

At the chosen DPI the same documents are also read tilted by 2°, with a red seal on
every page (its lettering must never appear), and as phone-photo-like grey PNGs; then
the batch CLI runs twice over the scanned PDFs with a result cache, to show the second
run is near-instant. Results: ``bench/ocr-result.json`` and ``bench/ocr-result.txt``.

``--variants poor1,poor2,poor3`` reads poor copies as well (faded ink on grey paper,
blur, resolution lost down to fax quality, noise): how page confidence tracks page CER
there sets the ``OCR_LOW_CONFIDENCE`` thresholds (``bench/ocr-calibration.txt``).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "src"))

import scanfixtures as sf  # noqa: E402
from summaryscan.ingest import load  # noqa: E402
from summaryscan.ingest import ocr  # noqa: E402
from summaryscan.text.normalize import translate  # noqa: E402

FIGURE = re.compile(r"[0-9０-９%％一二三四五六七八九十百千万亿两]")
SEAL_TEXT = "鑫淼犇骉焱垚赑掱"       # the seal's lettering: characters the seeds never use


def levenshtein(a: str, b: str) -> int:
    """Edit distance, one numpy pass per character of ``a``."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    bv = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(b) + 1)
    prev = idx.copy()
    for i, ch in enumerate(a, 1):
        cost = (bv != ord(ch)).astype(np.int64)
        t = np.empty(len(b) + 1, dtype=np.int64)
        t[0] = i
        t[1:] = np.minimum(prev[1:] + 1, prev[:-1] + cost)
        prev = np.minimum.accumulate(t - idx) + idx
    return int(prev[-1])


def squash(text: str, fold: bool = True) -> str:
    s = "".join(text.split())
    return translate(s) if fold else s


def cer(truth: str, got: str, fold: bool = True) -> float:
    t, g = squash(truth, fold), squash(got, fold)
    return levenshtein(t, g) / max(1, len(t))


def seeds(folder: str) -> list[tuple[str, str]]:
    out = []
    for p in sorted(glob.glob(os.path.join(folder, "*.txt"))):
        with open(p, encoding="utf-8-sig") as fh:
            out.append((os.path.basename(p), fh.read()))
    return out


def make_scans(docs, folder: str, scan_dpi: int, variant: str = "scan", pages_max: int = 0):
    """Write one input per seed: (path, printed pages' text)."""
    made = []
    for k, (name, text) in enumerate(docs):
        imgs, pages = sf.scan_pages(text, scan_dpi, seed=k)
        if pages_max:
            imgs, pages = imgs[:pages_max], pages[:pages_max]
        stem = os.path.splitext(name)[0]
        if variant == "tilt":
            imgs = [sf.tilt(im, 2.0 if j % 2 == 0 else -2.0) for j, im in enumerate(imgs)]
        elif variant.startswith("poor"):
            imgs = [sf.degrade(im, int(variant[4:]), scan_dpi, seed=k * 100 + j) for j, im in enumerate(imgs)]
        elif variant == "seal":
            imgs = [sf.add_seal(im, (140, min(250, p.lines[-1][2] - 10)), scan_dpi, SEAL_TEXT)
                    for im, p in zip(imgs, pages)]
        if variant == "photo":
            paths = []
            for j, im in enumerate(imgs):
                p = os.path.join(folder, f"{stem}-p{j + 1}.png")
                sf.photo(im, seed=k * 100 + j).save(p)
                paths.append(p)
            made.append((paths, [p.text for p in pages]))
        else:
            p = os.path.join(folder, f"{stem}-{variant}.pdf")
            sf.save_pdf(imgs, p, scan_dpi)
            made.append(([p], [pg.text for pg in pages]))
    assert not any(ch in text for _, text in docs for ch in SEAL_TEXT)
    return made


def read_all(made, dpi: int) -> dict:
    """OCR every input at ``dpi``; accuracy and speed."""
    ocr.configure(threads=1, dpi=dpi, mode="auto", progress=None)
    ocr.engine()                                    # loaded before the clock starts
    per_doc, per_page = [], []
    pages_n, wall, cpu = 0, 0.0, 0.0
    leaks = 0
    for paths, truth_pages in made:
        got_pages: list[tuple[str, float]] = []
        text_all = []
        for path in paths:
            t0, c0 = time.perf_counter(), time.process_time()
            rec = load(path)
            wall += time.perf_counter() - t0
            cpu += time.process_time() - c0
            assert rec.status == "ok", (path, rec.status, rec.message)
            text_all.append(rec.text)
            leaks += sum(rec.text.count(ch) for ch in SEAL_TEXT)
            for pg in rec.pages:
                lines = [o for o in rec.ocr_lines if o.page == pg.number]
                n = sum(o.end - o.start for o in lines) or 1
                conf = sum(o.confidence * (o.end - o.start) for o in lines) / n
                figs = [o.confidence for o in lines if FIGURE.search(rec.text[o.start:o.end])]
                got_pages.append((rec.text[pg.start:pg.end], conf, min(figs, default=1.0)))
        pages_n += len(truth_pages)
        truth = "\n".join(truth_pages)
        got = "\n".join(text_all)
        per_doc.append({"doc": os.path.basename(paths[0]), "pages": len(truth_pages),
                        "chars": len(squash(truth)), "cer": cer(truth, got), "cer_raw": cer(truth, got, False)})
        if len(got_pages) == len(truth_pages):
            for tp, (gp, conf, fig) in zip(truth_pages, got_pages):
                per_page.append({"cer": cer(tp, gp), "confidence": conf, "min_figure_line": fig})
    chars = sum(d["chars"] for d in per_doc)
    total_cer = sum(d["cer"] * d["chars"] for d in per_doc) / max(1, chars)
    total_raw = sum(d["cer_raw"] * d["chars"] for d in per_doc) / max(1, chars)
    return {"dpi": dpi, "pages": pages_n, "chars": chars, "cer": total_cer, "accuracy": 1 - total_cer,
            "cer_raw": total_raw, "wall_s": wall, "cpu_s": cpu, "pages_per_s": pages_n / wall if wall else 0,
            "pages_per_cpu_s": pages_n / cpu if cpu else 0, "seal_leaks": leaks,
            "docs": per_doc, "per_page": per_page}


def cache_runs(folder: str, out: str) -> dict:
    """``summaryscan extract`` twice over the scanned PDFs with the cache: seconds each."""
    exe = os.path.join(os.path.dirname(sys.executable), "summaryscan")
    cmd = [exe if os.path.exists(exe) else "summaryscan", "extract", folder, "--out", out, "--quiet",
           "--jobs", "1", "--ocr", "auto"]
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return {"first_s": times[0], "second_s": times[1], "speedup": times[0] / max(1e-9, times[1])}


def fmt(r: dict) -> str:
    return (f"{r['dpi']:>4} | {r['pages']:>5} | {100 * r['accuracy']:6.2f} % | {100 * r['cer']:5.2f} % | "
            f"{100 * r['cer_raw']:5.2f} % | {r['pages_per_s']:5.3f} | {r['pages_per_cpu_s']:5.3f} | {r['seal_leaks']}")


def calibrate(per_page: list[dict]) -> list[str]:
    """How page confidence predicts page CER: pages under each threshold, and their CER; and
    what the OCR_LOW_CONFIDENCE rule as configured flags."""
    from summaryscan.consistency import config
    cfg = config()["ocr"]
    pmin, lmin = cfg["page_min_confidence"], cfg["line_min_confidence"]
    flag = [p for p in per_page if p["confidence"] < pmin or p["min_figure_line"] < lmin]
    bad = [p for p in per_page if p["cer"] > 0.02]
    lines = [f"  OCR_LOW_CONFIDENCE as configured (page mean < {pmin:.2f} or a line with a figure < {lmin:.2f}): "
             f"flags {len(flag)} of {len(per_page)} pages — {sum(1 for p in flag if p['cer'] > 0.02)} of the "
             f"{len(bad)} pages with CER > 2 %, {sum(1 for p in flag if p['cer'] <= 0.02)} of the "
             f"{len(per_page) - len(bad)} with CER ≤ 2 %"]
    for thr in (0.80, 0.85, 0.90, 0.93, 0.95):
        low = [p for p in per_page if p["confidence"] < thr]
        high = [p for p in per_page if p["confidence"] >= thr]
        mean = (lambda xs: sum(x["cer"] for x in xs) / len(xs) if xs else float("nan"))
        bad = sum(1 for p in per_page if p["cer"] > 0.02)
        caught = sum(1 for p in low if p["cer"] > 0.02)
        lines.append(f"  confidence < {thr:.2f}: {len(low):3} pages (mean CER {100 * mean(low):5.2f} %), "
                     f"≥: {len(high):3} pages (mean CER {100 * mean(high):5.2f} %); "
                     f"pages with CER > 2 %: {bad}, flagged {caught}")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dpi", default="100,150,200,300", help="render DPIs to compare (comma-separated)")
    ap.add_argument("--chosen", type=int, default=ocr.DPI, help="the DPI the variants and the cache run use")
    ap.add_argument("--scan-dpi", type=int, default=300, help="resolution of the simulated scans")
    ap.add_argument("--seeds", default=os.path.join(ROOT, "..", "shared", "seeds"))
    ap.add_argument("--quick", action="store_true", help="two pages of each seed, chosen DPI only")
    ap.add_argument("--skip-cache", action="store_true")
    ap.add_argument("--variants", default="tilt,seal,photo")
    ap.add_argument("--out", default=os.path.join(HERE, "ocr-result"))
    args = ap.parse_args(argv)
    if not os.path.isdir(args.seeds) or not glob.glob(os.path.join(args.seeds, "*.txt")):
        print(f"skipped: the seed submissions are not at {args.seeds} (they live outside the project, "
              f"in ../shared/seeds)")
        return 0
    if ocr.unavailable():
        print(f"skipped: OCR is not installed ({ocr.unavailable()}): {ocr.PACKAGE_HINT}")
        return 0
    if not sf.font_available():
        print(f"skipped: the CJK font {sf.CJK_FONT} is missing (apt-get install fonts-wqy-microhei)")
        return 0
    docs = seeds(args.seeds)
    dpis = [args.chosen] if args.quick else [int(x) for x in args.dpi.split(",")]
    pages_max = 2 if args.quick else 0
    result: dict = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
                    "python": platform.python_version(), "engine": ocr.engine_key(), "scan_dpi": args.scan_dpi,
                    "threads": 1, "runs": [], "variants": []}
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp:
        scans = os.path.join(tmp, "scan")
        os.makedirs(scans)
        made = make_scans(docs, scans, args.scan_dpi, "scan", pages_max)
        for dpi in dpis:
            r = read_all(made, dpi)
            result["runs"].append(r)
            print(fmt(r), flush=True)
        for variant in [v for v in args.variants.split(",") if v]:
            folder = os.path.join(tmp, variant)
            os.makedirs(folder)
            r = read_all(make_scans(docs, folder, args.scan_dpi, variant, pages_max), args.chosen)
            r["variant"] = variant
            result["variants"].append(r)
            print(variant, fmt(r), flush=True)
        if not args.skip_cache:
            result["cache"] = cache_runs(scans, os.path.join(tmp, "out"))
            print("cache", result["cache"], flush=True)
    chosen = next((r for r in result["runs"] if r["dpi"] == args.chosen), result["runs"][-1])
    lines = [f"OCR benchmark — {result['machine']}, Python {result['python']}, {result['engine']}, one thread",
             f"scans: the {len(docs)} seeds laid out as A4 official documents, rendered at {args.scan_dpi} DPI "
             f"with noise, stored as image-only PDFs; accuracy = 1 − CER (white space removed, "
             f"full/half-width folded as the analyser does; raw = not folded)",
             "",
             " DPI | pages | accuracy |  CER  | raw CER | pages/s | pages/CPU-s | seal chars read",
             "-----|-------|----------|-------|---------|---------|-------------|-----------"]
    lines += [fmt(r) for r in result["runs"]]
    if result["variants"]:
        lines += ["", f"at {args.chosen} DPI:"]
        lines += [f"{r['variant']:>6}: {fmt(r)}" for r in result["variants"]]
    lines += ["", f"per seed at {chosen['dpi']} DPI:"]
    lines += [f"  {d['doc']}: {d['pages']} pages, {d['chars']} chars, accuracy {100 * (1 - d['cer']):.2f} % "
              f"(raw {100 * (1 - d['cer_raw']):.2f} %)" for d in chosen["docs"]]
    pages = [p for r in result["runs"] + result["variants"] for p in r["per_page"]]
    lines += ["", f"page confidence vs page CER ({len(pages)} pages, every run):"] + calibrate(pages)
    if "cache" in result:
        c = result["cache"]
        lines += ["", f"cache: summaryscan extract over the {len(docs)} scanned PDFs: first run {c['first_s']:.1f} s, "
                      f"second run {c['second_s']:.2f} s ({c['speedup']:.0f}× faster)"]
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    for r in result["runs"] + result["variants"]:
        r.pop("per_page", None)
    with open(args.out + ".json", "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
    with open(args.out + ".txt", "w", encoding="utf-8") as fh:
        fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
