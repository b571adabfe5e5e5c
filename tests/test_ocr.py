"""OCR of scanned PDFs and photos (``summaryscan.ingest.ocr``), with fixtures made here: Chinese
text laid out as an official document and rendered with the CJK font (``scanfixtures``).

The OCR extra is part of the dev install (``make setup``), so these run in CI; they are
skipped with the reason only where the extra or the font cannot be had.
"""
from __future__ import annotations

import csv
import difflib
import os
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

import scanfixtures as sf
from summaryscan.ingest import load, ocr, supported
from summaryscan.ingest.ocr import Box, reading_order, skew_angle, to_gray
from summaryscan.pipeline import analyze_raw, analyze_text
from summaryscan.records import OcrLine, RawDocument

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "summaryscan.cli"]

needs_ocr = pytest.mark.skipif(bool(ocr.unavailable()), reason=f"OCR extra not installed: {ocr.unavailable()}")
needs_font = pytest.mark.skipif(not sf.font_available(), reason=f"CJK font {sf.CJK_FONT} missing")

SEAL = "鑫淼犇骉焱垚赑掱"          # the seal's lettering: none of it may be read as text

SUMMARY = """某某县财政局2023年模范机关创建总结
今年以来，我局坚持以习近平新时代中国特色社会主义思想为指导，全面落实各项工作任务，机关党建和业务工作取得明显成效。
一、强化理论武装
全年开展党组理论学习中心组集中学习24次，举办专题读书班3期，参训干部1200余人次。组织党员赴红色教育基地开展现场教学6次。
二、夯实基层基础
完成8个党支部换届选举，新发展党员5名，培养入党积极分子12名。开展谈心谈话65人次，发现并整改问题13个。
三、服务中心大局
全年筹措资金4.6万元，支持重点项目18个，项目完成率达到95%以上。开展志愿服务活动32次，参与党员干部近800人次。
四、下一步打算
持续深化模范机关创建，力争明年新增示范党支部2个，推动机关党建质量再上新台阶。
某某县财政局
2023年12月28日"""


def similarity(a: str, b: str) -> float:
    a, b = "".join(a.split()), "".join(b.split())
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@pytest.fixture(autouse=True)
def _ocr_defaults(monkeypatch):
    """Every test starts from OCR mode auto, no progress callback."""
    monkeypatch.setattr(ocr.settings, "mode", "auto")
    monkeypatch.setattr(ocr.settings, "progress", None)


@pytest.fixture(scope="module")
def txt_analysis():
    return analyze_text(SUMMARY, doc="summary.txt")


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """The summary scanned at 300 DPI on two pages: page 1 tilted 0.6°, page 2 with a red seal
    over the signature; and page 1 again as a grey phone-photo PNG."""
    if not sf.font_available():
        pytest.skip(f"CJK font {sf.CJK_FONT} missing")
    folder = tmp_path_factory.mktemp("scans")
    imgs, pages = sf.scan_pages(SUMMARY, 300, lines_per_page=11)
    assert len(pages) == 2
    last_y = pages[1].lines[-1][2]
    imgs[1] = sf.add_seal(imgs[1], (150, last_y), 300, SEAL)
    imgs[0] = sf.tilt(imgs[0], 0.6)
    pdf = sf.save_pdf(imgs, str(folder / "扫描件.pdf"), 300)
    one, _ = sf.scan_pages(SUMMARY, 200, lines_per_page=30, seed=7)
    png = folder / "手机拍照.png"
    sf.photo(one[0], seed=3).save(png)
    return {"pdf": pdf, "png": str(png), "pages": pages, "folder": folder}


@pytest.fixture(scope="module")
def scanned(scans):
    """The scanned PDF read (OCR'd once for the module), with the progress it reported."""
    if ocr.unavailable():
        pytest.skip(f"OCR extra not installed: {ocr.unavailable()}")
    seen: list = []
    saved = ocr.settings.mode, ocr.settings.progress
    ocr.configure(mode="auto", progress=lambda doc, done, total: seen.append((doc, done, total)))
    try:
        rec = load(scans["pdf"])
    finally:
        ocr.settings.mode, ocr.settings.progress = saved
    rec.progress_seen = seen
    return rec


# ------------------------------------------------------------------ whole documents


@needs_ocr
def test_scanned_pdf_with_seal_and_tilt_reads_like_the_text(scanned, scans, txt_analysis):
    rec = scanned
    assert rec.status == "ok", rec.message
    assert rec.source == "ocr" and rec.format == "pdf"
    assert "OCR 识别" in rec.message and "平均置信度" in rec.message
    conf = float(rec.message.split("平均置信度")[1].strip(" 。").split("%")[0])
    assert 90 <= conf <= 100
    assert [p.number for p in rec.pages] == [1, 2]
    for ch in SEAL:                                     # the seal is masked, never read
        assert ch not in rec.text, rec.text
    a = analyze_raw(rec)
    score = sf.f1(sf.claim_keys(a), sf.claim_keys(txt_analysis))
    assert score >= 0.95, (score, sorted(sf.claim_keys(a).items()), sorted(sf.claim_keys(txt_analysis).items()))
    assert similarity(rec.text, SUMMARY) >= 0.98
    # reading order and sentences: lines rejoined as for a PDF, paragraphs kept, headings on their own line
    lines = rec.text.split("\n")
    assert lines[0] == "某某县财政局2023年模范机关创建总结"
    assert "一、强化理论武装" in lines and "四、下一步打算" in lines
    assert any(line.startswith("全年开展党组理论学习中心组集中学习24次") and line.endswith("现场教学6次。")
               for line in lines)
    assert "- 1 -" not in rec.text and "- 2 -" not in rec.text   # page numbers are page spans, not text
    # claims know their page; every OCR line has its page and confidence
    by_raw = {c.raw: c.page for c in a.claims}
    assert by_raw.get("24次") == 1 and by_raw.get("2个") == 2
    assert rec.ocr_lines and {o.page for o in rec.ocr_lines} == {1, 2}
    assert all(0.5 <= o.confidence <= 1 and rec.text[o.start:o.end].strip() for o in rec.ocr_lines)


@needs_ocr
def test_photo_like_grey_png(scans, txt_analysis):
    rec = load(scans["png"])
    assert rec.status == "ok", rec.message
    assert rec.source == "ocr" and rec.format == "png"
    assert "平均置信度" in rec.message
    a = analyze_raw(rec)
    assert sf.f1(sf.claim_keys(a), sf.claim_keys(txt_analysis)) >= 0.95
    assert similarity(rec.text, SUMMARY) >= 0.97


@needs_ocr
@needs_font
def test_pdf_with_a_scanned_page_among_text_pages_is_mixed(tmp_path):
    from fpdf import FPDF
    scan_text = "附件\n全年共受理群众来信来访186件，办结184件，办结率98.9%。"
    imgs, _ = sf.scan_pages(scan_text, 200, lines_per_page=6)
    img_path = tmp_path / "p2.png"
    imgs[0].save(img_path)
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("wqy", fname=sf.CJK_FONT)
    pdf.set_font("wqy", size=14)
    pdf.add_page()
    pdf.set_xy(72, 90)
    pdf.cell(text="第一页是文字层：全年开展集中学习24次。")
    pdf.add_page()
    pdf.image(str(img_path), x=0, y=0, w=pdf.w, h=pdf.h)
    path = tmp_path / "mixed.pdf"
    pdf.output(str(path))
    rec = load(path)
    assert rec.status == "ok", rec.message
    assert rec.source == "mixed"
    assert "第 2 页" in rec.message and "平均置信度" in rec.message
    assert rec.text.startswith("第一页是文字层：全年开展集中学习24次。")
    assert "办结率98.9%" in rec.text.replace(" ", "")
    assert {o.page for o in rec.ocr_lines} == {2}
    p2 = rec.pages[1]
    assert all(p2.start <= o.start and o.end <= p2.end for o in rec.ocr_lines)


@needs_ocr
@needs_font
def test_pdf_text_layer_without_character_map_is_ocrd_in_auto_mode(tmp_path):
    from fpdf import FPDF
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("wqy", fname=sf.CJK_FONT)
    pdf.set_font("wqy", size=16)
    pdf.add_page()
    for i, line in enumerate(["乱码字体的页面", "全年开展谈心谈话65人次，发现问题13个。"]):
        pdf.set_xy(72, 90 + 30 * i)
        pdf.cell(text=line)
    good = tmp_path / "good.pdf"
    pdf.output(str(good))
    bad = tmp_path / "nomap.pdf"
    bad.write_bytes(good.read_bytes().replace(b"/ToUnicode", b"/ToUnicodX"))
    rec = load(bad)
    assert rec.status == "ok", rec.message
    assert rec.source == "ocr"
    assert "ToUnicode" in rec.message and "OCR" in rec.message
    assert "谈心谈话65人次" in rec.text


@needs_ocr
def test_ocr_modes(scans, tmp_path, monkeypatch):
    monkeypatch.setattr(ocr.settings, "mode", "never")
    rec = load(scans["pdf"])
    assert rec.status == "no_text" and "--ocr never" in rec.message and "扫描件.pdf" in rec.message
    rec = load(scans["png"])
    assert rec.status == "no_text" and "--ocr never" in rec.message
    # always: a PDF with a good text layer is read by OCR all the same
    from fpdf import FPDF
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("wqy", fname=sf.CJK_FONT)
    pdf.set_font("wqy", size=16)
    pdf.add_page()
    pdf.set_xy(72, 90)
    pdf.cell(text="完成重点项目18个。")
    path = tmp_path / "text.pdf"
    pdf.output(str(path))
    monkeypatch.setattr(ocr.settings, "mode", "always")
    rec = load(path)
    assert rec.status == "ok" and rec.source == "ocr" and "重点项目18个" in rec.text
    monkeypatch.setattr(ocr.settings, "mode", "auto")
    rec = load(path)
    assert rec.source == "text" and rec.text == "完成重点项目18个。" and not rec.ocr_lines
    with pytest.raises(ValueError):
        ocr.configure(mode="sometimes")


@needs_ocr
def test_progress_is_reported_per_page(scanned):
    assert scanned.progress_seen == [("扫描件.pdf", 0, 2), ("扫描件.pdf", 1, 2), ("扫描件.pdf", 2, 2)]


# ------------------------------------------------------------------ without the extra, bad input


def test_without_the_ocr_extra_the_message_names_the_package(scans, monkeypatch):
    monkeypatch.setattr(ocr, "_checked", True)
    monkeypatch.setattr(ocr, "_missing", "rapidocr_onnxruntime（ModuleNotFoundError）")
    for path in (scans["pdf"], scans["png"]):
        rec = load(path)
        assert rec.status == "unsupported", rec.message
        assert "pip install 'summaryscan[ocr]'" in rec.message and os.path.basename(path) in rec.message
        assert "Traceback" not in rec.message
    assert ocr.engine_key() == "ocr:none"


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")


@needs_ocr
def test_bad_images_get_a_status_and_a_message(tmp_path):
    empty = tmp_path / "空白.png"
    empty.write_bytes(b"")
    bomb = tmp_path / "炸弹.png"
    bomb.write_bytes(_png_header(20000, 20000))          # 400 million pixels, a few bytes on disk
    fake = tmp_path / "假图片.jpg"
    fake.write_bytes("这不是图片".encode("utf-8") * 20)
    cut = tmp_path / "截断.png"
    from PIL import Image
    Image.new("L", (400, 300), 255).save(cut)
    cut.write_bytes(cut.read_bytes()[:60])
    got = {p.name: load(p) for p in (empty, bomb, fake, cut)}
    assert got["空白.png"].status == "empty" and "0 字节" in got["空白.png"].message
    assert got["炸弹.png"].status == "error"
    assert "20000×20000" in got["炸弹.png"].message and "解压炸弹" in got["炸弹.png"].message
    assert got["假图片.jpg"].status == "error" and "不是可识别的图片" in got["假图片.jpg"].message
    assert got["截断.png"].status == "error" and "截断.png" in got["截断.png"].message
    for rec in got.values():
        assert rec.doc in rec.message and "Traceback" not in rec.message


def test_image_suffixes_are_read():
    assert {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"} <= supported()


# ------------------------------------------------------------------ page pieces (no OCR engine)


def _boxes(rows: list[list[tuple[str, float, float]]], y0: float = 100, pitch: float = 50, h: float = 30):
    out = []
    for r, row in enumerate(rows):
        for text, x0, x1 in row:
            out.append(Box(text, 0.99, x0, y0 + r * pitch, x1, y0 + r * pitch + h))
    return out


def _read(rows_of_boxes) -> list[str]:
    return ["".join(b.text for b in row) for row in rows_of_boxes]


def test_reading_order_rows_left_to_right_whatever_the_detector_order():
    boxes = _boxes([[("一、", 100, 160), ("总体情况", 170, 400)],
                    [("全年开展学习24次，", 100, 1000)],
                    [("参训干部1200人次。", 100, 700)]])
    import random
    random.Random(1).shuffle(boxes)
    assert _read(reading_order(boxes)) == ["一、总体情况", "全年开展学习24次，", "参训干部1200人次。"]


def test_reading_order_text_columns_are_read_one_after_the_other():
    left = [(f"左栏第{i}行文字排满整栏", 100, 560) for i in range(1, 5)]
    right = [(f"右栏第{i}行文字排满整栏", 640, 1100) for i in range(1, 5)]
    boxes = _boxes([[("通栏标题", 300, 900)]] + [[lft, rgt] for lft, rgt in zip(left, right)])
    got = _read(reading_order(boxes))
    assert got == ["通栏标题"] + [t for t, *_ in left] + [t for t, *_ in right]


def test_reading_order_a_table_keeps_its_rows():
    boxes = _boxes([[("指标", 100, 180), ("目标", 500, 580), ("完成", 900, 980)],
                    [("新增就业", 100, 260), ("1000人", 500, 620), ("1200人", 900, 1020)],
                    [("培训", 100, 180), ("500人次", 500, 640), ("580人次", 900, 1040)]])
    assert _read(reading_order(boxes)) == ["指标目标完成", "新增就业1000人1200人", "培训500人次580人次"]


def test_skew_angle_from_line_boxes():
    import math
    quads = []
    for k in range(5):
        a = math.radians(2.0)
        x0, y0, w, h = 100, 100 + 60 * k, 1200, 30
        p = [(x0, y0), (x0 + w * math.cos(a), y0 - w * math.sin(a))]
        p += [(p[1][0] + h * math.sin(a), p[1][1] + h * math.cos(a)), (x0 + h * math.sin(a), y0 + h * math.cos(a))]
        quads.append(p)
    assert abs(skew_angle(quads) - 2.0) < 0.05
    assert skew_angle(quads[:1]) == 0.0


@needs_font
def test_seal_ink_is_whitened_but_text_under_it_and_red_headers_stay():
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont
    img = Image.new("RGB", (1654, 1000), (255, 255, 255))
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(sf.CJK_FONT, 60)
    d.text((200, 60), "某某县财政局文件", font=font, fill=(210, 20, 30))     # a red header: a line, kept
    d.text((200, 500), "黑色正文在印章下面", font=font, fill=(0, 0, 0))
    sealed = np.asarray(sf.add_seal(img, (60, 68), 200, SEAL))
    gray, masked = to_gray(sealed, 200)
    assert masked > 1000
    r, g, b = (sealed[..., k].astype(int) for k in range(3))
    seal_ink = (r - np.maximum(g, b) > 60) & (np.arange(sealed.shape[0])[:, None] > 300)
    assert (gray[seal_ink] >= 250).mean() > 0.95                          # the seal is gone
    black = (sealed.max(axis=2) < 60)
    assert (gray[black] < 80).mean() > 0.95                                 # the text under it stays
    header = (r - np.maximum(g, b) > 60) & (np.arange(sealed.shape[0])[:, None] < 200)
    plain = (0.299 * r + 0.587 * g + 0.114 * b)
    assert header.sum() > 500 and (abs(gray[header] - plain[header]) <= 1).all()   # the red header stays


# ------------------------------------------------------------------ finding, report


def _ocr_doc(confidences: list[tuple[int, str, float]]) -> RawDocument:
    text, lines, pos = "", [], 0
    for page, line, conf in confidences:
        text += line + "\n"
        lines.append(OcrLine(pos, pos + len(line), page, conf))
        pos += len(line) + 1
    return RawDocument(path="scan.pdf", doc="scan.pdf", format="pdf", text=text, source="ocr",
                       lines_are_paragraphs=True, ocr_lines=lines)


def test_low_confidence_pages_are_findings_located_on_the_weakest_line():
    from summaryscan.consistency import check
    raw = _ocr_doc([(1, "某某局2023年工作总结", 0.99), (1, "全年开展学习24次。", 0.98),
                    (2, "参训干部1200人次。", 0.97), (2, "完成项目1B个，资金4.6万元。", 0.62),
                    (3, "下一步，我们将继续努力。", 0.70), (3, "持续深化创建工作。", 0.72)])
    found = [f for f in check(analyze_raw(raw), codes=["OCR_LOW_CONFIDENCE"])]
    assert [f.code for f in found] == ["OCR_LOW_CONFIDENCE"] * 2
    p2, p3 = found
    assert p2.raw == "完成项目1B个，资金4.6万元。" and "第 2 页" in p2.message and "62.0%" in p2.message
    assert p2.severity == "low" and "对照原件" in p2.message
    assert "第 3 页" in p3.message and "70.9%" in p3.message               # page mean below 95 %
    clean = _ocr_doc([(1, "全年开展学习24次。", 0.99)])
    assert check(analyze_raw(clean), codes=["OCR_LOW_CONFIDENCE"]) == []


def test_report_page_marks_ocr_text(tmp_path):
    from summaryscan.coverage import coverage
    from summaryscan.frameworks import load_framework
    from summaryscan.report.screen import ScreenReport
    fw = load_framework("five-types")
    raw = _ocr_doc([(1, "某某局2023年工作总结", 0.99), (1, "全年开展学习24次。", 0.97),
                    (2, "完成项目18个，资金4.6万元。", 0.62)])
    raw.message = "OCR 识别第 1–2 页（共 2 页），平均置信度 87.0%。"
    a = analyze_raw(raw)
    rep = ScreenReport(str(tmp_path / "rep"), fw)
    rep.add(a, coverage(a, fw), [])
    html = (tmp_path / "rep" / "docs" / "scan.pdf.html").read_text(encoding="utf-8")
    assert 'class="ocr-note"' in html and "由 OCR 从扫描图像识别" in html and "对照原件" in html
    assert 'class="ocr"' in html and 'class="ocr-low"' in html and "OCR 置信度 62.0%" in html
    assert "OCR 识别（扫描件或图片）" in html
    index = rep.finish()
    assert 'class="badge src-ocr"' in Path(index).read_text(encoding="utf-8")


# ------------------------------------------------------------------ the batch: CLI, cache, limits


def _documents(out: Path) -> list[dict]:
    with open(out / "documents.csv", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@needs_ocr
def test_cli_batch_ocr_cache_and_modes(scans, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for key in ("pdf", "png"):
        p = Path(scans[key])
        (folder / p.name).write_bytes(p.read_bytes())
    (folder / "summary.txt").write_text(SUMMARY, encoding="utf-8")
    out = tmp_path / "out"
    cmd = CLI + ["extract", str(folder), "--out", str(out), "--jobs", "2"]
    t0 = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    first = time.perf_counter() - t0
    assert run.returncode == 0, run.stderr
    rows = {r["doc"]: r for r in _documents(out)}
    assert rows["扫描件.pdf"]["status"] == "ok" and rows["扫描件.pdf"]["source"] == "ocr"
    assert "平均置信度" in rows["扫描件.pdf"]["message"] and rows["扫描件.pdf"]["pages"] == "2"
    assert rows["手机拍照.png"]["status"] == "ok" and rows["手机拍照.png"]["source"] == "ocr"
    assert rows["summary.txt"]["source"] == "text"
    with open(out / "claims.csv", encoding="utf-8-sig") as fh:
        pages = {r["raw"]: r["page"] for r in csv.DictReader(fh) if r["doc"] == "扫描件.pdf"}
    assert pages.get("24次") == "1" and pages.get("2个") == "2"
    # the second run comes from the cache: near-instant
    t0 = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    second = time.perf_counter() - t0
    assert run.returncode == 0, run.stderr
    assert second < max(0.5 * first, 1.0) and second < first - 3, (first, second)
    assert {r["doc"]: r["source"] for r in _documents(out)} == {d: r["source"] for d, r in rows.items()}
    # the cache is keyed by the OCR mode: --ocr never reads the scans again, without OCR
    run = subprocess.run(cmd + ["--ocr", "never"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    never = {r["doc"]: r for r in _documents(out)}
    assert never["扫描件.pdf"]["status"] == "no_text" and never["手机拍照.png"]["status"] == "no_text"
    assert never["summary.txt"]["status"] == "ok"


@needs_ocr
@needs_font
def test_a_500_page_scan_hits_the_time_limit_and_the_batch_goes_on(scans, tmp_path):
    from fpdf import FPDF
    folder = tmp_path / "in"
    folder.mkdir()
    imgs, _ = sf.scan_pages(SUMMARY, 150, lines_per_page=22)
    page_png = tmp_path / "page.png"
    imgs[0].save(page_png)
    pdf = FPDF(unit="pt", format="A4")
    for _ in range(500):                       # the same image on every page: stored once
        pdf.add_page()
        pdf.image(str(page_png), x=0, y=0, w=pdf.w, h=pdf.h)
    pdf.output(str(folder / "a500页.pdf"))
    assert (folder / "a500页.pdf").stat().st_size < 5_000_000
    (folder / "b.txt").write_text(SUMMARY, encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run(CLI + ["extract", str(folder), "--out", str(out), "--timeout", "12"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    rows = {r["doc"]: r for r in _documents(out)}
    assert rows["a500页.pdf"]["status"] == "error"
    msg = rows["a500页.pdf"]["message"]
    assert "处理超时" in msg and "12 秒" in msg and "OCR 已识别" in msg and "/500 页" in msg and "--timeout" in msg
    assert rows["b.txt"]["status"] == "ok"
