"""Fuzz ``load`` + ``analyze_raw`` with hostile inputs.

    python bench/fuzz.py --n 100000 --seed 0 [--seconds LIMIT] [--jobs 2]

Inputs (mostly 0-2 KB, so a run of 100,000 takes minutes):

* ``bytes``    random bytes as .txt (sometimes with a BOM or GB-looking bytes);
* ``unicode``  random code points (CJK, full-width, controls, emoji, combining ...)
               in a random encoding;
* ``text``     realistic report text (``corpus/*.txt`` or built-in paragraphs)
               mutated (insert/delete/replace, full-/half-width swaps, debris and
               markers, line breaks), in GB18030 / UTF-16 / UTF-8(-BOM) / UTF-8 /
               Big5, sometimes with its bytes truncated or flipped;
* ``docx``     a real .docx made with python-docx at start: its text runs mutated
               inside an intact package, or its bytes truncated/flipped/spliced;
* ``pdf``      a real .pdf made with fpdf2 + WenQuanYi Micro Hei at start
               (compressed and uncompressed streams): bytes truncated/flipped/spliced.

Each input is written to a reused temp file with the right suffix (one temp dir
per worker) and run through ``analyze_raw(load(path))``.

* crash: an exception escaping ``load``/``analyze_raw`` (both promise never to
  raise for a bad file) -- or a per-input timeout;
* caught: ``load`` or the pipeline caught an unexpected exception itself and
  turned it into status ``error`` (``读取…时出错`` / ``分析时出错``): a bug hidden by
  the catch-all, reported separately;
* invariant: a claim whose ``raw`` is not ``text[start:end]`` or whose value is
  not finite and >= 0.

All three are saved to ``bench/fuzz-crashes/`` (input + ``.txt`` with the
traceback), at most 5 per signature. Input ``i`` depends only on (seed, i):
``--only I`` re-runs one input. Results go to ``bench/fuzz-result.json``.
"""
from __future__ import annotations

import argparse
import codecs
import io
import json
import math
import multiprocessing as mp
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CRASH_DIR = os.path.join(HERE, "fuzz-crashes")
RESULT = os.path.join(HERE, "fuzz-result.json")
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
# The fuzz targets the parsers: a mutated PDF that lost its text layer would otherwise be
# OCR'd page by page (OCR's own bad input is tested in tests/test_ocr.py).
os.environ.setdefault("SUMMARYSCAN_OCR", "never")

KINDS = [("bytes", 15), ("unicode", 20), ("text", 40), ("docx", 15), ("pdf", 10)]

BUILTIN_TEXT = """2023年度模范机关创建工作总结
今年以来，我局坚持以习近平新时代中国特色社会主义思想为指导，深入推进模范机关创建。
一、主要做法
（一）强化理论武装。全年组织理论学习中心组学习12次，开展专题研讨6场，党员干部谈体会达1200余次。
（二）从严正风肃纪。开展廉政谈话65人次，发现问题13个，整改完成率达95%，处理违纪党员2名。
（三）服务中心大局。走访企业４６０家，帮助解决困难问题８７个，落实减税降费资金4.6万元，惠及群众近800余人。
二、存在问题
一是理论学习不够深入；二是X市XX单位创新不足；三是20XX年度部分指标未完成。
三、下一步打算
持续强化“两个确立”，带头做到“两个维护”，推动全局工作再上新台阶。
"""

DEBRIS = ["购物车\n", "我的足迹\n", "##paidbegin##", "##paidend##", "加入Vip免费下载 立即下载\n", "全文共3521字",
          "\u200b", "\ufeff", "\u3000", "\xa0", "\r\n", "\r", "\n\n", "\t", "X市", "20XX年", "○○", "**", "××"]
GENRE = ["开展廉政谈话65人次，", "１２００ 余次", "一、主要做法\n", "（一）", "發現問題", "4.6万", "近800余人",
         "百分之九十五", "两个", "一千二百", "十二", "1,200", "12.5%", "3.5千万元", "128.42亿元", "第一议题",
         "“两个确立”", "《…200题》", "7×24小时", "1+2+N+1", "1至2个", "连续五年", "近两年来", "。", "，", "；"]
HALF = "0123456789,.%:;!?()ABCabc "
FULL = "０１２３４５６７８９，．％：；！？（）ＡＢＣａｂｃ　"
TO_FULL = str.maketrans(HALF, FULL)
TO_HALF = str.maketrans(FULL, HALF)
ENCODINGS = [("utf-8", 30), ("utf-8-sig", 15), ("gb18030", 25), ("utf-16", 10), ("utf-16-le", 5),
             ("utf-16-be", 3), ("big5", 5), ("utf-32", 2), ("gbk", 5)]
UNICODE_RANGES = [(0x20, 0x7E, 25), (0x4E00, 0x9FFF, 30), (0xFF01, 0xFF5E, 8), (0x3000, 0x303F, 6), (0x0, 0x1F, 4),
                  (0x80, 0x2FF, 4), (0x300, 0x36F, 2), (0x2000, 0x206F, 4), (0x1F300, 0x1FAFF, 3),
                  (0xE000, 0xF8FF, 1), (0x10000, 0x10FFFF, 2), (0xFE00, 0xFEFF, 2), (0x3400, 0x4DBF, 2),
                  (0x20000, 0x2A6DF, 1)]


def weighted(rng: random.Random, items):
    total = sum(w for _, w in items)
    x = rng.uniform(0, total)
    for item, w in items:
        x -= w
        if x <= 0:
            return item
    return items[-1][0]


def small_len(rng: random.Random, cap: int = 2048) -> int:
    """Mostly short: exponential around 300, capped; now and then empty or tiny."""
    r = rng.random()
    if r < 0.05:
        return 0
    if r < 0.15:
        return rng.randint(1, 16)
    return min(cap, int(rng.expovariate(1 / 300)) + 1)


# ------------------------------------------------------------------ seeds

def base_texts() -> list[str]:
    """The built-in sample plus ``corpus/*.txt`` as summaryscan reads them (mixed encodings)."""
    from summaryscan.ingest import load
    texts = [BUILTIN_TEXT]
    folder = os.path.join(ROOT, "corpus")
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
    for name in names:
        if name.endswith(".txt"):
            rec = load(os.path.join(folder, name))
            if rec.ok and rec.text.strip():
                texts.append(rec.text)
    return texts


def make_docx(path: str, text: str) -> None:
    import docx
    d = docx.Document()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    d.add_heading(lines[0], level=0)
    for ln in lines[1:]:
        if re.match(r"[一二三四五六七八九十]、", ln):
            d.add_heading(ln, level=1)
        elif ln.startswith("（"):
            d.add_paragraph(ln, style="List Number")
        else:
            d.add_paragraph(ln)
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([["指标", "2022年", "2023年"], ["谈话人次", "52", "65"], ["整改率", "90%", "95%"]]):
        for c, val in enumerate(row):
            table.cell(r, c).text = val
    d.save(path)


def make_pdf(path: str, text: str, compress: bool) -> None:
    from fpdf import FPDF
    pdf = FPDF()
    pdf.set_compression(compress)
    pdf.add_font("wqy", "", FONT)
    pdf.set_font("wqy", size=11)
    for page_text in (text, text[: len(text) // 2]):
        pdf.add_page()
        pdf.multi_cell(0, 7, page_text)
    pdf.output(path)


def build_seeds(folder: str) -> dict:
    texts = base_texts()
    docx_path = os.path.join(folder, "seed.docx")
    make_docx(docx_path, BUILTIN_TEXT)
    pdfs = []
    for compress in (True, False):
        p = os.path.join(folder, f"seed-{int(compress)}.pdf")
        make_pdf(p, BUILTIN_TEXT, compress)
        with open(p, "rb") as f:
            pdfs.append(f.read())
    with open(docx_path, "rb") as f:
        docx_bytes = f.read()
    return {"texts": texts, "docx": docx_bytes, "pdfs": pdfs}


# ------------------------------------------------------------------ mutators

def random_unicode(rng: random.Random, n: int, controls: bool = False) -> str:
    """Random code points; C0 controls only with ``controls`` (ingest refuses text with >1 % of them)."""
    ranges = [((a, b), w) for a, b, w in UNICODE_RANGES if controls or a != 0]
    out = []
    for _ in range(n):
        lo, hi = weighted(rng, ranges)
        cp = rng.randint(lo, hi)
        if 0xD800 <= cp <= 0xDFFF:
            cp = 0x3000
        out.append(chr(cp))
    return "".join(out)


def mutate_text(rng: random.Random, s: str, rounds: int) -> str:
    chars = list(s)
    for _ in range(rounds):
        op = rng.random()
        pos = rng.randint(0, len(chars))
        if op < 0.2 and chars:                       # delete a run
            del chars[pos:pos + rng.randint(1, 8)]
        elif op < 0.35:                              # insert random characters
            chars[pos:pos] = random_unicode(rng, rng.randint(1, 4), controls=rng.random() < 0.05)
        elif op < 0.55:                              # insert genre fragments or debris
            chars[pos:pos] = rng.choice(GENRE if rng.random() < 0.6 else DEBRIS)
        elif op < 0.7 and chars:                     # replace a character
            chars[min(pos, len(chars) - 1)] = rng.choice("0123456789一二两十百千万亿余多近约%个人次\n 　,，。XＸ×")
        elif op < 0.8 and chars:                     # full/half-width swap on a stretch
            a = min(pos, len(chars) - 1)
            b = a + rng.randint(1, 40)
            seg = "".join(chars[a:b])
            chars[a:b] = seg.translate(TO_FULL if rng.random() < 0.5 else TO_HALF)
        elif op < 0.9 and chars:                     # duplicate a stretch
            a = min(pos, len(chars) - 1)
            chars[pos:pos] = chars[a:a + rng.randint(1, 30)]
        else:                                        # line breaks / spaces
            chars[pos:pos] = rng.choice(["\n", "\n\n", " ", "\r\n", "\u3000", "\n \n"])
    return "".join(chars)


def mutate_bytes(rng: random.Random, b: bytes, rounds: int) -> bytes:
    data = bytearray(b)
    for _ in range(rounds):
        op = rng.random()
        if not data:
            data += rng.randbytes(rng.randint(1, 16))
            continue
        pos = rng.randrange(len(data))
        if op < 0.35:
            data[pos] ^= 1 << rng.randrange(8)
        elif op < 0.55:
            data[pos] = rng.randrange(256)
        elif op < 0.7:
            del data[pos:pos + rng.randint(1, 64)]
        elif op < 0.85:
            data[pos:pos] = rng.randbytes(rng.randint(1, 32))
        else:                                    # copy a chunk elsewhere
            src = rng.randrange(len(data))
            data[pos:pos] = data[src:src + rng.randint(1, 256)]
    return bytes(data)


def encode(rng: random.Random, s: str) -> tuple[bytes, str]:
    enc = weighted(rng, ENCODINGS)
    return s.encode(enc, errors="replace"), enc


def gen_bytes(rng, seeds):
    n = small_len(rng)
    data = rng.randbytes(n)
    r = rng.random()
    if r < 0.15:
        data = rng.choice([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE]) + data
    elif r < 0.35:   # GB2312-looking byte pairs with a few ASCII bytes
        data = bytes(b for _ in range(n // 2) for b in (
            (rng.randint(0xB0, 0xF7), rng.randint(0xA1, 0xFE)) if rng.random() < 0.9 else (rng.randint(0x20, 0x7E),)))
    return ".txt", data, "random"


def gen_unicode(rng, seeds):
    s = random_unicode(rng, small_len(rng, 1500), controls=rng.random() < 0.2)
    data, enc = encode(rng, s)
    return ".txt", data, enc


def gen_text(rng, seeds):
    base = rng.choice(seeds["texts"])
    n = rng.randint(0, min(1500, len(base)))
    start = rng.randint(0, len(base) - n)
    s = mutate_text(rng, base[start:start + n], rng.choice([0, 1, 3, 10, 30]))
    data, enc = encode(rng, s)
    r = rng.random()
    if r < 0.1:
        data = data[:rng.randint(0, len(data))]      # truncated (may split a multibyte char)
        enc += "+trunc"
    elif r < 0.2:
        data = mutate_bytes(rng, data, rng.randint(1, 8))
        enc += "+bytes"
    return ".txt", data, enc


_WT = re.compile(rb"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def gen_docx(rng, seeds):
    seed = seeds["docx"]
    r = rng.random()
    if r < 0.45:   # intact package, mutated text runs
        zin = zipfile.ZipFile(io.BytesIO(seed))
        buf = io.BytesIO()
        keep_bad = rng.random() < 0.05        # now and then an invalid XML character survives
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == "word/document.xml":
                    def sub(m):
                        t = mutate_text(rng, m.group(2).decode("utf-8"), rng.choice([0, 1, 3, 8]))
                        if not keep_bad:
                            t = _XML_BAD.sub("", t)
                        return m.group(1) + _xml_escape(t).encode("utf-8", "surrogatepass") + m.group(3)
                    data = _WT.sub(sub, data)
                zout.writestr(info, data)
        return ".docx", buf.getvalue(), "text-mutated"
    if r < 0.65:
        return ".docx", seed[:rng.randint(0, len(seed))], "truncated"
    if r < 0.95:
        return ".docx", mutate_bytes(rng, seed, rng.randint(1, 20)), "byte-mutated"
    return ".docx", rng.randbytes(small_len(rng)), "random"


def gen_pdf(rng, seeds):
    seed = rng.choice(seeds["pdfs"])
    r = rng.random()
    if r < 0.3:
        return ".pdf", seed[:rng.randint(0, len(seed))], "truncated"
    if r < 0.9:
        return ".pdf", mutate_bytes(rng, seed, rng.choice([1, 2, 5, 20])), "byte-mutated"
    return ".pdf", b"%PDF-1.4\n" + rng.randbytes(small_len(rng)), "random"


GENERATORS = {"bytes": gen_bytes, "unicode": gen_unicode, "text": gen_text, "docx": gen_docx, "pdf": gen_pdf}


def make_input(seed: int, i: int, seeds: dict):
    rng = random.Random(f"{seed}:{i}")
    kind = weighted(rng, KINDS)
    suffix, data, variant = GENERATORS[kind](rng, seeds)
    return kind, variant, suffix, data


# ------------------------------------------------------------------ running

class Timeout(BaseException):
    """Raised by the alarm: a BaseException so no ``except Exception`` swallows it."""


def _alarm(signum, frame):
    raise Timeout()


def _signature(exc_or_msg: str) -> str:
    m = re.search(r"([A-Za-z_][A-Za-z0-9_]*(?:Error|Exception|Warning|Timeout|Exit))", exc_or_msg)
    return m.group(1) if m else exc_or_msg[:40]


def error_kind(message: str) -> str:
    """A short template of an error message: names removed, details cut."""
    msg = re.sub(r"“[^”]*”", "“…”", message)
    msg = re.split(r"[（(:：]", msg, maxsplit=1)[0]
    exc = re.search(r"([A-Za-z_][A-Za-z0-9_]*(?:Error|Exception))", message)
    return msg[:40] + (f" [{exc.group(1)}]" if exc else "")


def worker(args) -> dict:
    wid, jobs, seed, n, deadline, timeout, seeds = args
    from summaryscan.ingest import load
    from summaryscan.pipeline import analyze_raw

    import logging
    logging.disable(logging.WARNING)          # pdfminer/pypdf complain loudly about broken PDFs
    tmp = tempfile.mkdtemp(prefix=f"fuzz{wid}-")
    signal.signal(signal.SIGALRM, _alarm)
    stats = {"count": 0, "statuses": Counter(), "kinds": Counter(), "variants": Counter(), "by_kind": Counter(), "errors": Counter(),
             "crashes": 0, "timeouts": 0, "caught": 0, "invariant": 0, "saved": [], "signatures": Counter(),
             "bytes": 0, "slowest": []}
    t0 = time.time()
    try:
        for i in range(wid, n, jobs):
            if deadline and time.time() > deadline:
                break
            kind, variant, suffix, data = make_input(seed, i, seeds)
            path = os.path.join(tmp, "input" + suffix)
            with open(path, "wb") as f:
                f.write(data)
            stats["count"] += 1
            stats["bytes"] += len(data)
            stats["kinds"][kind] += 1
            stats["variants"][f"{kind}/{variant.split('+')[0]}"] += 1
            problem = None
            t = time.perf_counter()
            try:
                if timeout:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                try:
                    a = analyze_raw(load(path))
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            except Timeout:
                stats["timeouts"] += 1
                problem = ("timeout", f"Timeout after {timeout}s\n" + traceback.format_exc())
            except BaseException as exc:  # noqa: BLE001 - anything escaping is a crash
                if isinstance(exc, KeyboardInterrupt):
                    raise
                stats["crashes"] += 1
                problem = ("crash", traceback.format_exc())
            else:
                status = a.raw.status
                stats["statuses"][status] += 1
                stats["by_kind"][f"{kind}/{status}"] += 1
                if status == "error":
                    stats["errors"][error_kind(a.raw.message)] += 1
                    if "分析时出错" in a.raw.message or re.search(r"读取“.*”时出错", a.raw.message):
                        stats["caught"] += 1
                        problem = ("caught", a.raw.message)
                bad = [c for c in a.claims if a.raw.text[c.start:c.end] != c.raw or not isinstance(c.value, float)
                       or not math.isfinite(c.value) or c.value < 0 or not c.unit]
                if bad and problem is None:
                    stats["invariant"] += 1
                    c = bad[0]
                    problem = ("invariant", f"claim {c!r} vs text[{c.start}:{c.end}]="
                                            f"{a.raw.text[c.start:c.end]!r}")
            dt = time.perf_counter() - t
            stats["slowest"] = sorted(stats["slowest"] + [(round(dt, 3), i, kind, len(data))], reverse=True)[:5]
            if problem:
                ptype, detail = problem
                sig = f"{ptype}:{_signature(detail.strip().splitlines()[-1] if ptype == 'crash' else detail)}"
                stats["signatures"][sig] += 1
                if stats["signatures"][sig] <= 5:
                    os.makedirs(CRASH_DIR, exist_ok=True)
                    base = os.path.join(CRASH_DIR, f"{ptype}-seed{seed}-{i}")
                    with open(base + suffix, "wb") as f:
                        f.write(data)
                    with open(base + ".txt", "w", encoding="utf-8") as f:
                        f.write(f"input {i} (seed {seed}) kind={kind} variant={variant} suffix={suffix} "
                                f"bytes={len(data)}\nreproduce: python bench/fuzz.py --seed {seed} --only {i}\n\n"
                                f"{detail}\n")
                    stats["saved"].append(base + suffix)
            if stats["count"] % 5000 == 0:
                el = time.time() - t0
                print(f"[worker {wid}] {stats['count']} inputs, {el:.0f}s, {stats['count'] / el:.0f}/s, "
                      f"crashes {stats['crashes']}, caught {stats['caught']}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    stats["seconds"] = time.time() - t0
    return stats


def merge(results: list[dict]) -> dict:
    out = {"count": 0, "bytes": 0, "crashes": 0, "timeouts": 0, "caught": 0, "invariant": 0}
    counters = {k: Counter() for k in ("statuses", "kinds", "variants", "by_kind", "errors", "signatures")}
    saved, slowest = [], []
    for r in results:
        for k in out:
            out[k] += r[k]
        for k in counters:
            counters[k].update(r[k])
        saved += r["saved"]
        slowest += r["slowest"]
    out.update({k: dict(v.most_common()) for k, v in counters.items()})
    out["saved"] = [os.path.relpath(p, ROOT) for p in saved]
    out["slowest"] = [{"seconds": s, "input": i, "kind": k, "bytes": b} for s, i, k, b in sorted(slowest, reverse=True)[:5]]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="number of inputs")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=0, help="stop after this many seconds (0: no limit)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--timeout", type=float, default=30, help="per-input time limit, seconds (0: none)")
    ap.add_argument("--only", type=int, help="re-run input I only (prints what happens)")
    ap.add_argument("--out", default=RESULT, help="result JSON")
    args = ap.parse_args(argv)

    seed_dir = tempfile.mkdtemp(prefix="fuzz-seeds-")
    try:
        seeds = build_seeds(seed_dir)
    finally:
        shutil.rmtree(seed_dir, ignore_errors=True)

    if args.only is not None:
        from summaryscan.ingest import load
        from summaryscan.pipeline import analyze_raw
        kind, variant, suffix, data = make_input(args.seed, args.only, seeds)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "input" + suffix)
            with open(path, "wb") as f:
                f.write(data)
            print(f"input {args.only}: {kind}/{variant} {suffix} {len(data)} bytes")
            a = analyze_raw(load(path))
            print(a.raw.status, a.raw.message, f"{len(a.claims)} claims")
        return 0

    t0 = time.time()
    deadline = t0 + args.seconds if args.seconds else 0
    jobs = max(1, args.jobs)
    tasks = [(w, jobs, args.seed, args.n, deadline, args.timeout, seeds) for w in range(jobs)]
    if jobs == 1:
        results = [worker(tasks[0])]
    else:
        with mp.get_context("fork" if sys.platform != "win32" else "spawn").Pool(jobs) as pool:
            results = pool.map(worker, tasks)
    elapsed = time.time() - t0
    res = merge(results)
    res.update({"requested": args.n, "seed": args.seed, "jobs": jobs, "seconds": round(elapsed, 1),
                "inputs_per_s": round(res["count"] / elapsed, 1) if elapsed else None,
                "mean_bytes": round(res["bytes"] / res["count"], 1) if res["count"] else 0,
                "worker_seconds": [round(r["seconds"], 1) for r in results], "python": sys.version.split()[0]})
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(res, f, ensure_ascii=False, indent=2)

    print(f"fuzz: {res['count']} inputs in {elapsed:.1f}s ({res['inputs_per_s']}/s, {jobs} jobs, "
          f"mean {res['mean_bytes']} bytes)")
    print("  kinds:    " + ", ".join(f"{k} {v}" for k, v in res["kinds"].items()))
    print("  statuses: " + ", ".join(f"{k} {v}" for k, v in res["statuses"].items()))
    print("  by kind:  " + ", ".join(f"{k} {v}" for k, v in sorted(res["by_kind"].items())))
    for k, v in list(res["errors"].items())[:10]:
        print(f"    error {v:6d}  {k}")
    print(f"  crashes {res['crashes']}, timeouts {res['timeouts']}, caught exceptions {res['caught']}, "
          f"invariant violations {res['invariant']}")
    for sig, v in res["signatures"].items():
        print(f"    {v:6d}  {sig}")
    if res["saved"]:
        print(f"  saved {len(res['saved'])} inputs to {os.path.relpath(CRASH_DIR, ROOT)}/")
    print(f"  result -> {os.path.relpath(args.out, ROOT)}")
    return 1 if res["crashes"] or res["timeouts"] else 0


if __name__ == "__main__":
    sys.exit(main())
