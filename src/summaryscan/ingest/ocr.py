"""OCR: text from scanned pages and photos (RapidOCR: PP-OCRv4 Chinese models on ONNX Runtime).

The engine and one page's recognition (:func:`recognize`), used by the image reader
(:mod:`summaryscan.ingest.image`) and by the PDF reader for pages without a usable text
layer, rendered with pypdfium2 (:func:`ocr_pdf_pages`). Per page:

1. **Seals masked.** Red ink is found (red well above green and blue); red blobs that
   are round or square and at least :data:`SEAL_MIN_MM` across (公章 42 mm, 财务章,
   名章) are seals, and inside them each pixel is taken at its brightest channel, so the
   red ink turns white while black text printed under the seal stays black. Red text
   in lines (a 红头 header) is kept. What is left of a seal or a handwritten signature
   is dropped as a low-confidence line (:data:`MIN_LINE_SCORE`).
2. **Lines detected** (DB detector) on the page scaled to :data:`DET_MAX_SIDE` pixels;
   each line is cut from the full-resolution page along its (rotated) box, so a tilted
   line is straightened before recognition; lines upside down are turned by the
   direction classifier.
3. **Deskew and reading order.** The page's skew is the median angle of the long
   lines; boxes are rotated back by it, then split into bands (rows of text) at the
   vertical gaps, and a run of three or more bands sharing a wide empty gutter whose
   two sides are filled like justified text is read as columns (left column first);
   anything else is read row by row, left to right (so a table keeps its rows).
4. The readers turn the rows into PDF lines with their horizontal extent and join them
   into sentences, running headers and page numbers dropped, exactly as for a PDF text
   layer (:func:`summaryscan.ingest.pdf.finish_ocr`); ``RawDocument.ocr_lines`` keeps
   each line's span, page and recognition confidence.

``settings.mode`` (``--ocr``): ``auto`` OCRs images and PDF pages without a usable text
layer, ``always`` every PDF page, ``never`` nothing. Set in worker processes by the
runner (:func:`configure`), or from the ``SUMMARYSCAN_OCR`` environment variable.

Without the extra (``pip install 'summaryscan[ocr]'``) such files get status
``unsupported`` and a message naming the package to install.
"""
from __future__ import annotations

import math
import os
import re
import statistics
import sys
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional


MODES = ("auto", "never", "always")

#: PDF pages are rendered at this resolution for OCR. Chosen by measurement
#: (``bench/ocr.py``, README): the recogniser sees every line at 48 px high whatever
#: the DPI, so the DPI decides how sharp that line is, not how long it takes.
DPI = 200
#: Lines are detected on the page scaled so that its longer side is at most this
#: (about 120 DPI for A4): detection cost grows with the area, accuracy does not.
DET_MAX_SIDE = 1400
#: An image larger than this many pixels is refused (a decompression bomb, or a
#: poster): a 600 DPI A4 scan is 35 million. A PDF page that would render larger is
#: rendered at a lower DPI.
MAX_PIXELS = 120_000_000
#: Lines recognised with a lower score are dropped (seal remnants, signatures, specks);
#: lines of one or two characters need :data:`MIN_SHORT_SCORE`.
MIN_LINE_SCORE = 0.5
MIN_SHORT_SCORE = 0.75
#: Red blobs at least this wide and high (mm at the page's resolution) are seals.
SEAL_MIN_MM = 12.0

PACKAGE_HINT = "pip install 'summaryscan[ocr]'"


# ------------------------------------------------------------------ settings


def _env_mode() -> str:
    mode = os.environ.get("SUMMARYSCAN_OCR", "auto").strip().lower()
    return mode if mode in MODES else "auto"


@dataclass
class Settings:
    """How OCR runs in this process."""
    mode: str = field(default_factory=lambda: _env_mode())
    threads: Optional[int] = None       # ONNX Runtime threads; None: its default (all cores)
    # called after every OCR'd page with (doc, pages done, pages to do); None: a tqdm bar
    # on stderr when it is a terminal
    progress: Optional[Callable[[str, int, int], None]] = None
    dpi: int = DPI


settings = Settings()


def configure(mode: Optional[str] = None, threads: Optional[int] = None,
              progress: Optional[Callable[[str, int, int], None]] = ..., dpi: Optional[int] = None) -> Settings:
    """Change :data:`settings` (arguments left out keep their value)."""
    if mode is not None:
        if mode not in MODES:
            raise ValueError(f"--ocr 只能是 {'、'.join(MODES)}（得到 {mode!r}）")
        settings.mode = mode
    if threads is not None:
        settings.threads = threads
    if progress is not ...:
        settings.progress = progress
    if dpi is not None:
        settings.dpi = dpi
    return settings


class OcrUnavailable(RuntimeError):
    """The OCR extra is not installed (or cannot load)."""


_MODULES = ("numpy", "PIL", "pypdfium2", "cv2", "onnxruntime", "rapidocr_onnxruntime")
_missing: Optional[str] = None
_checked = False


def unavailable() -> Optional[str]:
    """None when OCR can run here, else what is missing (a module name and the error)."""
    global _missing, _checked
    if not _checked:
        _checked = True
        for module in _MODULES:
            try:
                __import__(module)
            except Exception as exc:       # ImportError, or a native library failing to load
                _missing = f"{module}（{type(exc).__name__}: {str(exc)[:120]}）"
                break
    return _missing


def missing_message(name: str, what: str = "图片") -> str:
    return (f"“{name}”是{what}，需要 OCR 识别文字，但未安装 OCR 组件（缺少 {unavailable()}）："
            f"请运行 {PACKAGE_HINT} 后重试。")


def engine_key() -> str:
    """What OCR results depend on, for the result cache: engine version and DPI, or none.
    (Cheap: looks the modules up without importing them.)"""
    from importlib.util import find_spec
    if _checked and _missing or any(find_spec(m) is None for m in _MODULES):
        return "ocr:none"
    from importlib.metadata import PackageNotFoundError, version
    try:
        v = version("rapidocr-onnxruntime")
    except PackageNotFoundError:
        v = "?"
    return f"ocr:rapidocr-onnxruntime {v};dpi {settings.dpi};det {DET_MAX_SIDE};v1"


_engines: dict = {}
_engine_lock = threading.Lock()


def engine():
    """The RapidOCR engine of this process (made on first use)."""
    if unavailable():
        raise OcrUnavailable(unavailable())
    threads = settings.threads or -1
    with _engine_lock:
        eng = _engines.get(threads)
        if eng is None:
            from rapidocr_onnxruntime import RapidOCR
            eng = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1 if threads > 0 else -1,
                           print_verbose=False)
            _engines.clear()
            _engines[threads] = eng
    return eng


# ------------------------------------------------------------------ one page


@dataclass
class Box:
    """A recognised line: its text, score and position (deskewed page pixels)."""
    text: str
    score: float
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def h(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class PageText:
    """What OCR made of one page: lines in reading order (each a list of boxes left to right)."""
    rows: list[list[Box]]
    width: int
    height: int
    angle: float = 0.0                  # skew found, degrees (positive: text rises to the right)
    seal_pixels: int = 0                # pixels masked as seal ink
    dropped: int = 0                    # low-confidence lines dropped

    def lines(self) -> list[tuple[str, float, float, float, int]]:
        """(text, x0, x1, confidence, characters) per row; boxes of a row joined with a space
        where a gap of a character or more separates them."""
        out = []
        for row in self.rows:
            parts, prev = [], None
            for b in row:
                if prev is not None:
                    gap = b.x0 - prev.x1
                    parts.append(" " if gap >= 0.9 * max(b.h, prev.h) else "")
                parts.append(b.text)
                prev = b
            text = "".join(parts).strip()
            if not text:
                continue
            n = sum(len(b.text) for b in row)
            conf = sum(b.score * len(b.text) for b in row) / max(1, n)
            out.append((text, row[0].x0, row[-1].x1, conf, n))
        return out


def to_gray(rgb, dpi: float):
    """A greyscale page with seals whitened: (gray, masked pixel count). ``rgb`` is an
    HxWx3 uint8 array (or HxW already grey: returned as it is)."""
    import cv2
    import numpy as np
    if rgb.ndim == 2:
        return rgb, 0
    r, g, b = (rgb[..., k].astype(np.int16) for k in range(3))
    red = (r > 100) & (r - np.maximum(g, b) > 45)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if not red.any():
        return gray, 0
    # group red ink into blobs on a small copy: seal rings, stars and lettering merge
    h, w = red.shape
    f = min(1.0, 600.0 / max(h, w))
    small = cv2.resize(red.astype(np.uint8) * 255, (max(1, round(w * f)), max(1, round(h * f))),
                       interpolation=cv2.INTER_AREA)
    px_mm = dpi / 25.4 * f
    k = max(3, int(round(3 * px_mm)) | 1)
    closed = cv2.morphologyEx((small > 20).astype(np.uint8), cv2.MORPH_CLOSE,
                              cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    region = np.zeros((h, w), dtype=bool)
    pad = 2 * dpi / 25.4                  # 2 mm round the seal
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        lo, hi = min(bw, bh), max(bw, bh)
        if lo >= SEAL_MIN_MM * px_mm and hi <= 1.7 * lo:
            # the whole box: the ring, and the star and lettering inside it
            x0, y0 = max(0, int((x / f) - pad)), max(0, int((y / f) - pad))
            x1, y1 = min(w, int(((x + bw) / f) + pad) + 1), min(h, int(((y + bh) / f) + pad) + 1)
            region[y0:y1, x0:x1] = True
    if not region.any():
        return gray, 0
    # inside a seal: reddish pixels become paper, the rest is taken at its brightest channel
    # (black text printed under the seal stays black, the seal's pink fringes go)
    redness = r - np.maximum(g, b)
    gray = np.where(region, np.where((redness > 15) & (r > 90), 255, rgb.max(axis=2)), gray).astype(np.uint8)
    return gray, int((region & red).sum())


def _quad_angle(q) -> float:
    (x0, y0), (x1, y1) = q[0], q[1]
    return math.degrees(math.atan2(-(y1 - y0), x1 - x0))


def skew_angle(quads) -> float:
    """The page's skew in degrees from the long line boxes (0 when there are too few)."""
    angles, weights = [], []
    for q in quads:
        w = math.hypot(q[1][0] - q[0][0], q[1][1] - q[0][1])
        h = math.hypot(q[3][0] - q[0][0], q[3][1] - q[0][1])
        if h > 0 and w > 4 * h:
            angles.append(_quad_angle(q))
            weights.append(w)
    if len(angles) < 2:
        return 0.0
    order = sorted(range(len(angles)), key=angles.__getitem__)
    half, acc = sum(weights) / 2, 0.0
    for i in order:                       # weighted median
        acc += weights[i]
        if acc >= half:
            return angles[i]
    return 0.0


_TIMES_BETWEEN_HAN = re.compile(r"(?<=[\u4e00-\u9fff])×(?=[\u4e00-\u9fff])")


def _fix(text: str) -> str:
    """Undo what the recogniser reliably gets wrong in Chinese prose: a lone ``×`` between
    two Chinese characters is the placeholder letter X (第X次, X届X全会), not a product."""
    return _TIMES_BETWEEN_HAN.sub("X", text.strip())


def recognize(img, dpi: float) -> PageText:
    """OCR one page. ``img``: an HxWx3 RGB (or HxW grey) uint8 array at ``dpi``."""
    import cv2
    import numpy as np
    eng = engine()
    gray, masked = to_gray(img, dpi)
    h, w = gray.shape
    f = min(1.0, DET_MAX_SIDE / max(h, w))
    small = cv2.resize(gray, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA) \
        if f < 1.0 else gray
    quads, _ = eng.text_det(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    if quads is None or len(quads) == 0:
        return PageText([], w, h, seal_pixels=masked)
    quads = np.asarray(quads, dtype=np.float32) / f
    page = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    crops = eng.get_crop_img_list(page, list(quads))
    # upside down is decided for the page, not line by line: the direction classifier
    # turns a good share of upright lines over on its own (seen on 2 % of printed lines)
    _, cls_res, _ = eng.text_cls([c.copy() for c in crops[:40]])
    flipped = sum(1 for c in cls_res if c[0] == "180" and c[1] >= 0.9) > len(cls_res) / 2
    if flipped:
        crops = [cv2.rotate(c, cv2.ROTATE_180) for c in crops]
    rec_res, _ = eng.text_rec(crops, False)
    angle = skew_angle(quads)
    boxes, dropped = [], 0
    rad = math.radians(angle)
    cos, sin = math.cos(rad), math.sin(rad)
    cx, cy = w / 2, h / 2
    for q, (text, score) in zip(quads, rec_res[:len(quads)]):
        text = _fix(text or "")
        score = float(score)
        if not text or score < MIN_LINE_SCORE or (len(text) <= 2 and score < MIN_SHORT_SCORE):
            dropped += 1
            continue
        # rotate the box back by the skew (about the page centre) to order it
        xs, ys = [], []
        for x, y in q:
            dx, dy = x - cx, y - cy
            xs.append(cx + dx * cos - dy * sin)
            ys.append(cy + dx * sin + dy * cos)
        if flipped:                       # the whole page is upside down
            xs, ys = [w - x for x in xs], [h - y for y in ys]
        boxes.append(Box(text, score, min(xs), min(ys), max(xs), max(ys)))
    return PageText(reading_order(boxes), w, h, angle, masked, dropped)


# ------------------------------------------------------------------ reading order


def _bands(boxes: list[Box]) -> list[list[Box]]:
    """Boxes split into horizontal bands at the vertical gaps (each box's middle half
    counts, so touching boxes of neighbouring lines do not merge)."""
    items = sorted(boxes, key=lambda b: b.y0 + b.h * 0.25)
    bands: list[list[Box]] = []
    bottom = -math.inf
    for b in items:
        top, end = b.y0 + b.h * 0.25, b.y1 - b.h * 0.25
        if bands and top < bottom:
            bands[-1].append(b)
            bottom = max(bottom, end)
        else:
            bands.append([b])
            bottom = end
    return bands


def _rows(band: list[Box]) -> list[list[Box]]:
    """One band as rows (a band is usually one row; boxes of clearly different heights
    that only touch are split), each left to right."""
    rows: list[list[Box]] = []
    for b in sorted(band, key=lambda b: b.cy):
        for row in rows:
            ref = statistics.median(x.cy for x in row)
            hh = statistics.median(x.h for x in row)
            if abs(b.cy - ref) <= 0.5 * max(hh, b.h):
                row.append(b)
                break
        else:
            rows.append([b])
    rows.sort(key=lambda r: min(x.cy for x in r))
    return [sorted(r, key=lambda b: b.x0) for r in rows]


def _gaps(band: list[Box], min_gap: float) -> list[tuple[float, float]]:
    """Empty x-intervals of at least ``min_gap`` between the band's boxes."""
    spans = sorted((b.x0, b.x1) for b in band)
    out, end = [], spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - end >= min_gap:
            out.append((end, x0))
        end = max(end, x1)
    return out


def _filled(boxes: list[Box], left: float, right: float) -> float:
    """Share of ``boxes`` (lines of one column side) running across at least 75 % of it."""
    width = right - left
    if width <= 0 or not boxes:
        return 0.0
    return sum(1 for b in boxes if (b.x1 - b.x0) >= 0.75 * width) / len(boxes)


def reading_order(boxes: list[Box]) -> list[list[Box]]:
    """Boxes as rows in reading order: bands top to bottom; a run of at least three bands
    split by a common wide gutter with both sides filled like text columns is read
    column by column."""
    if not boxes:
        return []
    line_h = statistics.median(b.h for b in boxes)
    min_gutter = 1.5 * line_h
    bands = _bands(boxes)
    out: list[list[Box]] = []
    i = 0
    while i < len(bands):
        gut = _column_run(bands, i, min_gutter)
        if gut is None:
            out.extend(_rows(bands[i]))
            i += 1
            continue
        j, (g0, g1) = gut
        run = [b for band in bands[i:j] for b in band]
        left = [b for b in run if b.x1 <= g0 + 1e-6]
        right = [b for b in run if b.x0 >= g1 - 1e-6]
        for side in (left, right):
            for band in _bands(side):
                out.extend(_rows(band))
        i = j
    return out


def _column_run(bands: list[list[Box]], i: int, min_gutter: float):
    """(end, gutter) when bands[i:end] (three or more) share a gutter separating text
    columns, else None."""
    gaps = _gaps(bands[i], min_gutter)
    best = None
    for g in gaps:
        lo, hi = g
        j = i + 1
        while j < len(bands):
            inter = [(max(lo, a), min(hi, b)) for a, b in _gaps(bands[j], min_gutter)
                     if min(hi, b) - max(lo, a) >= min_gutter * 0.5]
            if not inter:
                break
            lo, hi = max(inter, key=lambda x: x[1] - x[0])
            j += 1
        if j - i < 3:
            continue
        run = [b for band in bands[i:j] for b in band]
        left = [b for b in run if b.x1 <= lo + 1e-6]
        right = [b for b in run if b.x0 >= hi - 1e-6]
        if len(left) < 3 or len(right) < 3:
            continue
        l0, r1 = min(b.x0 for b in left), max(b.x1 for b in right)
        if _filled(left, l0, lo) >= 0.6 and _filled(right, hi, r1) >= 0.6:
            if best is None or j > best[0]:
                best = (j, (lo, hi))
    return best


# ------------------------------------------------------------------ progress


class Progress:
    """Per-page progress: the configured callback, or a tqdm bar on a terminal."""

    def __init__(self, doc: str, total: int):
        self.doc, self.total, self.done = doc, total, 0
        self.bar = None
        if settings.progress is not None:
            settings.progress(doc, 0, total)       # OCR has started (a time-out can say how far it got)
        elif total > 1 and sys.stderr.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=total, desc=f"OCR {doc}", unit="页", file=sys.stderr, leave=False,
                            dynamic_ncols=True)

    def step(self) -> None:
        self.done += 1
        if settings.progress is not None:
            settings.progress(self.doc, self.done, self.total)
        elif self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ------------------------------------------------------------------ images


def page_list(numbers: Iterable[int]) -> str:
    """1,2,3,5 -> 1–3、5"""
    nums = sorted(set(numbers))
    out, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(f"{nums[i]}–{nums[j]}" if j > i else str(nums[i]))
        i = j + 1
    return "、".join(out)


def ocr_pdf_pages(path: str, indices: list[int], name: str) -> dict[int, tuple[PageText, float]]:
    """OCR the PDF pages ``indices`` (0-based): page index -> (what was read, points per pixel)."""
    import numpy as np
    import pypdfium2 as pdfium
    out: dict[int, tuple[PageText, float]] = {}
    pdf = pdfium.PdfDocument(path)
    progress = Progress(name, len(indices))
    try:
        for i in indices:
            page = pdf[i]
            try:
                w_pt, h_pt = page.get_size()
                scale = settings.dpi / 72.0
                if w_pt * h_pt * scale * scale > MAX_PIXELS:   # a poster-sized page
                    scale = math.sqrt(MAX_PIXELS / max(1.0, w_pt * h_pt))
                bitmap = page.render(scale=scale, rev_byteorder=True, fill_color=(255, 255, 255, 255))
                arr = np.asarray(bitmap.to_numpy())[..., :3]
                pt = recognize(arr, scale * 72.0)
                del arr, bitmap
            finally:
                page.close()
            out[i] = (pt, 1.0 / scale)
            progress.step()
    finally:
        progress.close()
        pdf.close()
    return out


__all__ = ["MODES", "DPI", "Settings", "settings", "configure", "unavailable", "missing_message", "engine_key",
           "engine", "recognize", "reading_order", "skew_angle", "to_gray", "ocr_pdf_pages", "page_list", "Progress",
           "Box", "PageText", "PACKAGE_HINT"]
