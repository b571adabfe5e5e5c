"""ARTIFACT: web-page debris and paywall markers left in a submission, and a text
cut off in mid-sentence at its end.

Debris (购物车, 立即下载 …), markers (##paidbegin##) and counters (全文共N字) are
recorded by the normalize stage (``analysis.artifacts``).  Page chrome standing
together (separated only by white space or a short line such as a repeated title,
at most ``cluster_gap_chars``) is one finding spanning the block; paywall markers
are one finding per family (##paidbegin## … ##paidend##) on the first, naming all.

The ending is cut off when the last non-empty paragraph of the clean text does
not end with sentence-final punctuation and is not a heading, a signature
(执笔人…, an office name on its own short line), a date line, a note wholly in
brackets, or a page number.
"""
from __future__ import annotations

import re

from ..text.headings import opens_heading
from ..text.patterns import DATE_RE
from ._core import Context, alternation, check

_DATE_RE = re.compile(f"^(?:{DATE_RE.pattern})$")
_PAGE_RE = re.compile(r"^(?:[-—–\s]*\d{1,3}[-—–\s]*|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$")
_INNER_PUNCT = re.compile(r"[,;。!?、:]")


@check("ARTIFACT")
def artifacts(ctx: Context):
    cfg = ctx.cfg["artifact"]
    sev = cfg["severity"]
    arts = [_trim(ctx, a) for a in sorted(ctx.analysis.artifacts, key=lambda a: a.start)]
    arts = [a for a in arts if a[1] > a[0]]
    # page chrome (debris, counters) standing together is one problem: 购物车 / 我的足迹 / 全文共N字 …
    chrome = [a for a in arts if a[2] != "marker"]
    for group in _clusters(ctx, chrome, cfg["cluster_gap_chars"]):
        start, end = group[0][0], group[-1][1]
        items = "、".join(" ".join(ctx.raw[s:e].split()) for s, e, _ in group)
        kinds = {k for _, _, k in group}
        label = "网页计数信息" if kinds == {"counter"} else "网页残留内容"
        severity = max((sev.get(k, "medium") for k in kinds), key=["low", "medium", "high"].index)
        yield ctx.finding("ARTIFACT", start, end, f"{label}混入正文：{items}，应删除", severity=severity)
    # paywall markers: one finding per family (##paidbegin## … ##paidend##), on the first
    families: dict[str, list] = {}
    for a in arts:
        if a[2] == "marker":
            families.setdefault(_family(ctx.raw[a[0]:a[1]]), []).append(a)
    for fam in families.values():
        start, end, _ = fam[0]
        shown = "、".join(dict.fromkeys(ctx.raw[s:e] for s, e, _ in fam))
        extra = f"（共{len(fam)}处）" if len(fam) > 1 else ""
        yield ctx.finding("ARTIFACT", start, end, f"付费文档或网页标记“{shown}”{extra}混入正文，应删除",
                          severity=sev.get("marker"))
    cut = _cut_off_ending(ctx)
    if cut is not None:
        yield cut


def _trim(ctx: Context, a) -> tuple[int, int, str]:
    start, end = a.start, a.end
    while start < end and ctx.raw[start].isspace():
        start += 1
    while end > start and ctx.raw[end - 1].isspace():
        end -= 1
    return start, end, a.kind


def _clusters(ctx: Context, arts, max_gap: int):
    groups: list[list] = []
    for a in arts:
        if groups:
            between = ctx.raw[groups[-1][-1][1]:a[0]]
            if len(between.strip()) <= max_gap and not re.search(r"[。！？!?]", between):
                groups[-1].append(a)
                continue
        groups.append([a])
    return groups


def _family(marker: str) -> str:
    """##paidbegin## and ##paidend## are one family; [图片] another."""
    return re.sub(r"(?i)begin|end|开始|结束", "", marker)


def _cut_off_ending(ctx: Context):
    cfg = ctx.cfg["artifact"]
    text = ctx.text
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    while paragraphs:
        ps, pe = paragraphs[-1]
        para = text[ps:pe].strip()
        if _PAGE_RE.match(para):
            paragraphs.pop()
            continue
        break
    if len(paragraphs) < 2:                  # a one-paragraph text is not judged
        return None
    ps, pe = paragraphs[-1]
    while pe > ps and text[pe - 1].isspace():
        pe -= 1
    para = text[ps:pe]
    final, closers = ctx.cfg["sentence_final"], ctx.cfg["closers"]
    last = para[-1]
    if last in final:
        return None
    if last in closers:
        inner = para.rstrip(closers)
        if inner and inner[-1] in final:
            return None
        if para[0] in "(（[【" :               # （执笔人：…）, a bracketed note
            return None
    if opens_heading(para) and len(para) <= 40:
        return None
    if re.search(alternation(cfg["signature_cues"]), para[:12] if len(para) > 60 else para):
        return None                            # 执笔人…, （来源：…）, 《…选集》第三卷
    if _DATE_RE.match(para):
        return None
    if len(para) <= cfg["signature_max_chars"] and not _INNER_PUNCT.search(para[:-1]):
        return None                            # an office name, a signature or a label (相关文档：)
    # the fragment after the last clause break
    body = para[:-1] if last == ":" else para
    k = max(body.rfind(ch) for ch in ",;:。!?")
    tail_s = ps + k + 1 if k >= 0 else ps
    tail_s = max(tail_s, pe - cfg["tail_chars"])
    rs, re_ = ctx.span_to_raw(tail_s, pe)
    shown = text[tail_s:pe]
    what = "以冒号结尾，后文缺失" if last == ":" else "没有句末标点，疑似被截断"
    return ctx.finding("ARTIFACT", rs, re_, f"文末内容不完整：全文最后一段以“{shown}”结尾，{what}",
                       severity=cfg["truncated_severity"])
