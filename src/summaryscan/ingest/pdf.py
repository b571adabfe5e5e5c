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


def join_lines(pages: list[list[_Line]]) -> tuple[str, list[Page]]:
    """Join the pages' lines into one text; rejoin lines the layout broke."""
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
    try:
        with pdfplumber.open(rec.path) as pdf:
            for page in pdf.pages:
                try:
                    pages.append(_page_lines(page))
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
    raw = "\n".join(ln.text for lines in pages for ln in lines)
    if not raw.strip():
        rec.status = STATUS_NO_TEXT
        rec.message = (f"“{name}”没有可提取的文字层（共 {len(pages)} 页），"
                       f"可能是扫描件或图片 PDF，需要先做 OCR 识别。")
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
