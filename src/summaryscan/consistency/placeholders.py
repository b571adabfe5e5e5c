"""PLACEHOLDER: template masks left in the text (X市, XX, 20XX, ××, ○○, **).

One finding per occurrence; placeholders separated by at most ``merge_gap``
characters of plain text are one finding (市纪委X届X全会 -> “X届X”).

Severity: high for a year placeholder (20XX) anywhere and for any placeholder in
the title (the title is what a reviewer reads first); medium elsewhere.

Formulas, codes and numerals (7×24小时, 1+N+X, “415X”工程, 二〇〇三年) are already
left out by the placeholders stage (``claims.PLACEHOLDER_RE``).
"""
from __future__ import annotations

from ..records import Placeholder
from ._core import Context, check

_PUNCT = set(",.;:!?，。；：！？、（）()“”《》\n")
_LETTERS = {"letter": "字母", "year": "年份", "mask": "星号", "circle": "圆圈"}


def _groups(ctx: Context, items: list[Placeholder]) -> list[list[Placeholder]]:
    gap = ctx.cfg["placeholder"]["merge_gap"]
    groups: list[list[Placeholder]] = []
    for p in items:
        if groups:
            last = groups[-1][-1]
            between = ctx.raw[last.end:p.start]
            if len(between) <= gap and not (set(between) & _PUNCT) and not between.isspace():
                groups[-1].append(p)
                continue
        groups.append([p])
    return groups


def _context(ctx: Context, start: int, end: int, width: int = 10) -> str:
    cs, ce = ctx.to_clean(start), ctx.to_clean(end - 1) + 1
    text = ctx.text
    a = cs
    while a > 0 and cs - a < width and text[a - 1] not in _PUNCT:
        a -= 1
    b = ce
    while b < len(text) and b - ce < width and text[b] not in _PUNCT:
        b += 1
    return text[a:b]


@check("PLACEHOLDER")
def placeholders(ctx: Context):
    cfg = ctx.cfg["placeholder"]
    items = sorted(ctx.analysis.placeholders, key=lambda p: p.start)
    ts, te = ctx.title_span
    for group in _groups(ctx, items):
        start, end = group[0].start, group[-1].end
        raw = ctx.raw[start:end]
        in_title = ts < te and ts <= ctx.to_clean(start) < te
        high = (cfg.get("high_in_title") and in_title) or any(p.kind in cfg["high_kinds"] for p in group)
        around = _context(ctx, start, end)
        if in_title:
            msg = f"标题“{ctx.analysis.title}”中残留占位符“{raw}”，应填写实际名称"
        elif any(p.kind == "year" for p in group):
            msg = f"年份占位符“{raw}”（“{around}”）未填写实际年份"
        else:
            msg = f"残留占位符“{raw}”（“{around}”），应填写实际内容"
        yield ctx.finding("PLACEHOLDER", start, end, msg, severity="high" if high else None)
