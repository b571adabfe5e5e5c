"""PDF ingest with pdfplumber: text page by page, cleaned of layout debris.

Per page the text lines come from pdfplumber's text engine in non-layout mode
(``extract_text_lines(layout=False)``, the same lines ``extract_text(layout=False)``
returns, plus each line's horizontal extent); if that call fails for a page,
``extract_text(layout=False)`` is used instead.  Then:

* running headers/footers are dropped: a line that, with digits replaced by
  ``#``, sits among the first or last two lines of at least half of the pages
  (documents of two or more pages);
* bare page-number lines among the first/last two lines of a page are dropped
  (``12``, ``- 12 -``, ``第12页``, ``第 3 页 共 10 页``, ``12/30``, ``Page 3 of 9``);
* lines broken by the layout are rejoined, also across page breaks: a line that
  does not end with sentence-final punctuation and reaches the right margin
  is joined to the following line unless that line starts a heading (一、 （一）
  1. 1、 （1） 一是 第X章 ...).  The right-margin test keeps titles and short
  lines (which end early because the author ended them) on their own line.

``Page(number, start, end)`` spans cover the returned text without gaps.
"""
from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from typing import Optional

from ..text.headings import opens_heading
from ..text.normalize import looks_like_title
from ..text.patterns import CN_NUMERALS
from ..registry import readers
from ..records import (
    STATUS_ERROR,
    STATUS_GARBLED,
    STATUS_NO_TEXT,
    STATUS_UNSUPPORTED,
    OcrLine,
    Page,
    RawDocument,
)

#: Share of characters inside ``(cid:N)`` tokens above which text is garbled.
MAX_CID_RATIO = 0.05

_CID = re.compile(r"\(cid:\d+\)")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")

_CN_NUM = CN_NUMERALS
_PAGE_NUMBER = re.compile(
    "^(?:"
    r"[-—–－~～·•_\s]*\d{1,4}[-—–－~～·•_\s]*"                       # 12, - 12 -
    rf"|第\s*[\d{_CN_NUM}]+\s*页(?:\s*[,，/／]?\s*共\s*[\d{_CN_NUM}]+\s*页)?"  # 第3页 共10页
    rf"|共\s*[\d{_CN_NUM}]+\s*页\s*[,，/／]?\s*第\s*[\d{_CN_NUM}]+\s*页"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}"                                     # 12/30
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"             # Page 3 of 9
    ")$",
    re.IGNORECASE,
)

# Sentence-final punctuation, optionally followed by closing quotes/brackets.
_FINAL = re.compile(r"[。！？；：…!?;:][”’\"'」』》〉）)】\]]*$")


def cid_ratio(text: str) -> float:
    """Share of the non-space characters of ``text`` inside ``(cid:N)`` tokens."""
    if not text:
        return 0.0
    in_cid = sum(len(m) for m in _CID.findall(text))
    if not in_cid:
        return 0.0
    total = len(_SPACE.sub("", text))
    return in_cid / total if total else 0.0


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line.strip()))


def starts_heading(line: str) -> bool:
    return opens_heading(line.lstrip())


def ends_sentence(line: str) -> bool:
    return bool(_FINAL.search(line.rstrip()))


class _Line:
    __slots__ = ("text", "x0", "x1")

    def __init__(self, text: str, x0: Optional[float] = None, x1: Optional[float] = None):
        self.text = text
        self.x0 = x0
        self.x1 = x1


class _OcrLine(_Line):
    """A line read by OCR: also its recognition confidence and page index (0-based)."""
    __slots__ = ("conf", "page")

    def __init__(self, text: str, x0: float, x1: float, conf: float, page: int):
        super().__init__(text, x0, x1)
        self.conf, self.page = conf, page


def _page_lines(page) -> list[_Line]:
    try:
        rows = page.extract_text_lines(layout=False, strip=True, return_chars=False)
        lines = [_Line(r["text"].strip(), r.get("x0"), r.get("x1")) for r in rows]
    except Exception:
        text = page.extract_text(layout=False) or ""
        lines = [_Line(t.strip()) for t in text.split("\n")]
    return [ln for ln in lines if ln.text]


def _header_key(text: str) -> str:
    return _DIGITS.sub("#", _SPACE.sub("", text))


def _edge_indices(n: int) -> list[int]:
    return sorted({i for i in (0, 1, n - 2, n - 1) if 0 <= i < n})


def strip_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Drop running headers/footers and bare page numbers (see module doc)."""
    repeated: set[str] = set()
    if len(pages) >= 2:
        counts: Counter[str] = Counter()
        for lines in pages:
            counts.update({_header_key(lines[i].text) for i in _edge_indices(len(lines))})
        need = max(2, math.ceil(0.5 * len(pages)))
        repeated = {k for k, c in counts.items() if c >= need and k}
    out = []
    for lines in pages:
        edges = set(_edge_indices(len(lines)))
        kept = [ln for i, ln in enumerate(lines)
                if not (i in edges and (_header_key(ln.text) in repeated
                                        or is_page_number(ln.text)))]
        out.append(kept)
    return out


def _right_margin(pages: list[list[_Line]]) -> Optional[float]:
    maxima = []
    for lines in pages:
        xs = [ln.x1 for ln in lines if ln.x1 is not None]
        if len(xs) >= 3:
            maxima.append(max(xs))
    if not maxima:
        for lines in pages:
            xs = [ln.x1 for ln in lines if ln.x1 is not None]
            if xs:
                maxima.append(max(xs))
    return statistics.median(maxima) if maxima else None


def _reaches_margin(ln: _Line, right: Optional[float], width: Optional[float]) -> bool:
    if right is None or ln.x1 is None or ln.x0 is None:
        return True  # no geometry: fall back to the punctuation rule alone
    char_w = (ln.x1 - ln.x0) / max(1, len(ln.text))
    tol = max(2.5 * char_w, 0.1 * (width or 0))
    return ln.x1 >= right - tol


def _is_ascii_word_char(c: str) -> bool:
    return c.isascii() and c.isalpha()


def join_lines(pages: list[list[_Line]], offsets: Optional[list] = None) -> tuple[str, list[Page]]:
    """Join the pages' lines into one text; rejoin lines the layout broke. ``offsets``, when
    given, receives ``(line, start, end)`` for every line."""
    right = _right_margin(pages)
    lefts = [ln.x0 for lines in pages for ln in lines if ln.x0 is not None]
    width = (right - min(lefts)) if (right is not None and lefts) else None
    flat = [(pi, ln) for pi, lines in enumerate(pages) for ln in lines]
    pieces: list[str] = []
    starts: dict[int, int] = {}
    pos = 0
    for i, (pi, ln) in enumerate(flat):
        starts.setdefault(pi, pos)
        pieces.append(ln.text)
        if offsets is not None:
            offsets.append((ln, pos, pos + len(ln.text)))
        pos += len(ln.text)
        if i + 1 == len(flat):
            break
        nxt = flat[i + 1][1].text
        if (not ends_sentence(ln.text) and not starts_heading(nxt) and not looks_like_title(ln.text)
                and _reaches_margin(ln, right, width)):
            sep = " " if (_is_ascii_word_char(ln.text[-1])
                          and _is_ascii_word_char(nxt[0])) else ""
        else:
            sep = "\n"
        pieces.append(sep)
        pos += len(sep)
    text = "".join(pieces)
    # Page spans: contiguous; a page without lines gets an empty span.
    page_starts = [0] * len(pages)
    following = len(text)
    for pi in range(len(pages) - 1, -1, -1):
        if pi in starts:
            following = starts[pi]
        page_starts[pi] = following
    if pages:
        page_starts[0] = 0
    spans = []
    for pi in range(len(pages)):
        end = page_starts[pi + 1] if pi + 1 < len(pages) else len(text)
        spans.append(Page(pi + 1, page_starts[pi], end))
    return text, spans


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        for a in getattr(exc, "args", ()):
            if isinstance(a, BaseException):
                yield a
        exc = exc.__cause__ or exc.__context__


def _is_password_error(exc: BaseException) -> bool:
    for e in _chain(exc):
        name = type(e).__name__.lower()
        if "password" in name or "encrypt" in name:
            return True
        msg = str(e).lower()
        if "password" in msg or "encrypt" in msg:
            return True
    return False


def _fail(rec: RawDocument, message: str) -> RawDocument:
    rec.status = STATUS_ERROR
    rec.message = message
    return rec


#: A page with fewer visible characters than this, mostly covered by images, is a scan
#: (a scanner's stamped page number or a stray mark is no text layer).
MIN_LAYER_CHARS = 20


def _image_share(page) -> float:
    """How much of the page its images cover (0-1)."""
    try:
        area = float(page.width) * float(page.height)
        if area <= 0:
            return 0.0
        covered = 0.0
        for im in page.images:
            w = max(0.0, min(float(im["x1"]), float(page.width)) - max(float(im["x0"]), 0.0))
            h = max(0.0, min(float(im["bottom"]), float(page.height)) - max(float(im["top"]), 0.0))
            covered += w * h
        return min(1.0, covered / area)
    except Exception:
        return 0.0


def needs_ocr(lines: list[_Line], image_share: float, mode: str) -> bool:
    """Whether a page is OCR'd under ``mode``: always; never; or (auto) when it has no usable
    text layer: no text, text in fonts without a character map, or a few characters on a
    page that is mostly an image."""
    if mode == "always":
        return True
    if mode != "auto":
        return False
    text = "".join(ln.text for ln in lines)
    visible = len(_SPACE.sub("", text))
    if visible == 0:
        return True
    if cid_ratio(text) > MAX_CID_RATIO:
        return True
    return visible < MIN_LAYER_CHARS and image_share >= 0.5


def ocr_lines(pt, scale: float, page_index: int) -> list[_Line]:
    """The rows OCR read on a page (:class:`summaryscan.ingest.ocr.PageText`) as lines, their
    x in points (pixels × ``scale``), so that they join with text-layer pages."""
    return [_OcrLine(text, x0 * scale, x1 * scale, conf, page_index) for text, x0, x1, conf, _ in pt.lines()]


def finish_ocr(rec: RawDocument, pages: list[list[_Line]], ocr_pages: list[int], note: str = "") -> RawDocument:
    """Join the pages' lines (text-layer and OCR'd alike) into ``rec``'s text, dropping running
    headers and page numbers; record the OCR lines (span, page, confidence), set ``source``
    and put the mean confidence in ``message``. ``ocr_pages``: 0-based indices of the pages OCR'd."""
    from .ocr import page_list
    cleaned = strip_running_lines(pages)
    spans: list = []
    text, page_spans = join_lines(cleaned, spans)
    rec.lines_are_paragraphs = True
    rec.ocr_lines = [OcrLine(s, e, ln.page + 1, round(ln.conf, 4)) for ln, s, e in spans if isinstance(ln, _OcrLine)]
    ocr_set = set(ocr_pages)
    ocr_with_text = sorted({o.page for o in rec.ocr_lines})
    text_pages = [pi for pi, lines in enumerate(cleaned) if lines and pi not in ocr_set]
    if rec.ocr_lines:
        rec.source = "mixed" if text_pages else "ocr"
    blank = [p + 1 for p in ocr_pages if not cleaned[p]]
    if not rec.set_text(text, f"“{rec.doc}”没有文字层，OCR 也没有识别出文字（共 {len(pages)} 页；"
                              f"可能是空白页、图片，或扫描质量太差）。"):
        if ocr_pages:
            rec.status = STATUS_NO_TEXT
        return rec
    if blank and len(pages) > 1:
        note = "；".join(x for x in (note, f"第 {page_list(blank)} 页 OCR 没有识别出文字（可能是空白页或图片）") if x)
    rec.pages = page_spans
    parts = []
    if rec.ocr_lines:
        n = sum(o.end - o.start for o in rec.ocr_lines) or 1
        mean = sum(o.confidence * (o.end - o.start) for o in rec.ocr_lines) / n
        parts.append(f"OCR 识别第 {page_list(ocr_with_text)} 页（共 {len(ocr_with_text)} 页），平均置信度 {mean:.1%}"
                     if len(pages) > 1 else f"OCR 识别，平均置信度 {mean:.1%}")
    if note:
        parts.append(note)
    rec.message = "；".join(p.rstrip("。") for p in parts) + "。" if parts else ""
    return rec


def _read_with_ocr(rec: RawDocument, pages: list[list[_Line]], need: list[int]) -> RawDocument:
    """The PDF with the pages ``need`` read by OCR (or, without the OCR extra, left out)."""
    from . import ocr
    name = rec.doc
    garbled = [i + 1 for i in need if cid_ratio("".join(ln.text for ln in pages[i])) > MAX_CID_RATIO]
    note = (f"第 {ocr.page_list(garbled)} 页的文字层是乱码（字体缺少 ToUnicode 映射），已改用 OCR"
            if garbled else "")
    if ocr.unavailable():
        rest = [i for i in range(len(pages)) if i not in set(need) and pages[i]]
        if not rest:
            rec.status = STATUS_UNSUPPORTED
            what = "文字层是乱码（字体缺少 ToUnicode 映射）的 PDF" if garbled else "扫描件或图片 PDF"
            rec.message = ocr.missing_message(name, f"{what}（{len(need)} 页需要 OCR）")
            return rec
        for i in need:
            pages[i] = []
        note = (f"第 {ocr.page_list(i + 1 for i in need)} 页没有可用的文字层，需要 OCR，"
                f"但未安装 OCR 组件：请运行 {ocr.PACKAGE_HINT}；这些页的内容未能读取")
        need = []
    else:
        from pypdfium2 import PdfiumError
        try:
            for i, (pt, scale) in ocr.ocr_pdf_pages(rec.path, need, name).items():
                pages[i] = ocr_lines(pt, scale, i)
        except PdfiumError as exc:        # pdfium refusing a file pdfplumber could parse
            detail = f"{type(exc).__name__}: {exc}".strip()
            return _fail(rec, f"“{name}”的扫描页无法渲染，未能做 OCR（{detail[:200]}）。")
    return finish_ocr(rec, pages, need, note)


@readers.register("pdf", suffixes=(".pdf",))
def read_pdf(rec: RawDocument) -> RawDocument:
    """Fill ``rec`` (path/doc/format already set) from a PDF file."""
    name = rec.doc
    with open(rec.path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF" not in head:
        return _fail(rec, f"“{name}”不是有效的 PDF 文件（文件头中没有 %PDF 标记，可能已损坏或改了扩展名）。")
    import pdfplumber

    pages: list[list[_Line]] = []
    image_share: list[float] = []
    try:
        with pdfplumber.open(rec.path) as pdf:
            for page in pdf.pages:
                try:
                    pages.append(_page_lines(page))
                    image_share.append(_image_share(page))
                finally:
                    try:
                        page.close()
                    except Exception:
                        pass
    except Exception as exc:
        if _is_password_error(exc):
            return _fail(rec, f"“{name}”有密码保护（已加密），无法读取文字。请去掉密码后再试。")
        detail = f"{type(exc).__name__}: {exc}".strip()
        return _fail(rec, f"“{name}”已损坏或不是有效的 PDF 文件，无法读取（{detail[:200]}）。")

    if not pages:
        return _fail(rec, f"“{name}”中没有任何页面，无法读取。")
    from . import ocr
    need = [i for i, lines in enumerate(pages) if needs_ocr(lines, image_share[i], ocr.settings.mode)]
    if need:
        return _read_with_ocr(rec, pages, need)
    raw = "\n".join(ln.text for lines in pages for ln in lines)
    if not raw.strip():
        rec.status = STATUS_NO_TEXT
        rec.message = (f"“{name}”没有可提取的文字层（共 {len(pages)} 页），"
                       f"可能是扫描件或图片 PDF，需要先做 OCR 识别"
                       + ("（本次运行为 --ocr never，未做 OCR）。" if ocr.settings.mode == "never" else "。"))
        return rec
    ratio = cid_ratio(raw)
    if ratio > MAX_CID_RATIO:
        rec.status = STATUS_GARBLED
        rec.message = (f"“{name}”的文字是乱码（{ratio:.0%} 的字符为 (cid:N)）："
                       f"PDF 中的字体缺少 ToUnicode 映射，文字无法还原。"
                       f"请找原始 Word 文件，或对 PDF 做 OCR。")
        return rec
    cleaned = strip_running_lines(pages)
    text, spans = join_lines(cleaned)
    rec.lines_are_paragraphs = True
    if not rec.set_text(text, f"“{name}”除页眉、页脚和页码外没有正文文字。"):
        return rec
    rec.pages = spans
    blank = [str(i + 1) for i, lines in enumerate(pages) if not lines]
    if blank:
        rec.message = (f"“{name}”第 {'、'.join(blank)} 页没有文字层（可能是扫描页），"
                       f"这些页的内容未能读取。")
    return rec
