"""OCR_LOW_CONFIDENCE: a page read by OCR whose text may be misread.

OCR'd documents (scans, photos; ``RawDocument.ocr_lines``) carry the recogniser's
confidence per line. A page is reported when its mean confidence (weighted by
characters) is below ``ocr.page_min_confidence``, or when a line carrying a digit,
a Chinese numeral or a percent sign is below ``ocr.line_min_confidence``: a figure
there may be wrong. One finding per page, located on its least confident line, so
the reviewer is taken to the place to check against the original.

A finding rather than a note in the document's message: it is located (page, line,
section, highlighted in the report's text), counted with the other findings and
filterable by code; the message only carries the document's mean confidence.
"""
from __future__ import annotations

import re
from collections import defaultdict

from ._core import Context, check

_FIGURE = re.compile(r"[0-9０-９%％一二三四五六七八九十百千万亿两]")


@check("OCR_LOW_CONFIDENCE")
def low_confidence(ctx: Context):
    lines = ctx.analysis.raw.ocr_lines
    if not lines:
        return
    cfg = ctx.cfg["ocr"]
    page_min, line_min = cfg["page_min_confidence"], cfg["line_min_confidence"]
    by_page = defaultdict(list)
    for ln in lines:
        by_page[ln.page].append(ln)
    raw = ctx.raw
    for page in sorted(by_page):
        ls = by_page[page]
        n = sum(ln.end - ln.start for ln in ls) or 1
        mean = sum(ln.confidence * (ln.end - ln.start) for ln in ls) / n
        low = [ln for ln in ls if ln.confidence < line_min]
        low_figures = [ln for ln in low if _FIGURE.search(raw[ln.start:ln.end])]
        if mean >= page_min and not low_figures:
            continue
        worst = min(low_figures or ls, key=lambda ln: ln.confidence)
        shown = raw[worst.start:worst.end].strip()
        if len(shown) > 30:
            shown = shown[:30] + "…"
        parts = [f"第 {page} 页由 OCR 识别，平均置信度 {mean:.1%}"]
        if low:
            parts.append(f"{len(low)} 行低于 {line_min:.0%}，最低一行“{shown}”（{worst.confidence:.1%}）")
        else:
            parts.append(f"最低一行“{shown}”（{worst.confidence:.1%}）")
        yield ctx.finding("OCR_LOW_CONFIDENCE", worst.start, worst.end,
                          "，".join(parts) + "：此页文字和数字可能识别有误，请对照原件核对")
