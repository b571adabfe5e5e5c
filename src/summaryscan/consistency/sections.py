"""MISSING_SECTION: a part the document type is expected to have is absent.

The expected parts come from the framework (``fw.expected_sections_for(doc_type)``,
each with ``id``, ``name``, ``phrases``, ``required``).  A part is present when

1. a heading title (levels ``heading_levels``; all levels when the document has
   none of those) contains one of its phrases;
2. a paragraph is a bare heading (short, no sentence punctuation) containing one;
3. a paragraph or sentence opens with one, after an optional lead-in
   (``存在的问题``, ``下一步，…``, ``针对这些存在的问题…``, ``但还存在一些不足``);
4. for the parts the framework marks ``implicit`` (主要成效与做法 …): the
   document has at least ``implicit_min_paragraphs`` paragraphs of prose before
   the first other expected part (thematic headings such as 一、聚焦政治引领… are
   the results of a summary without naming them).

Only required parts are reported, one document-level finding each
(start = end = -1, raw = "").  Documents shorter than ``min_chars`` are not judged.
"""
from __future__ import annotations

import re

from ..text.headings import strip_marker
from ._core import Context, alternation, check


def _specs(framework, doc_type: str):
    if framework is None:
        return []
    if hasattr(framework, "expected_sections_for"):
        return list(framework.expected_sections_for(doc_type))
    table = getattr(framework, "expected_sections", {}) or {}
    return list(table.get(doc_type) or table.get("default") or [])


def _paragraphs(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group().strip()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]


def _first_clause(s: str) -> str:
    s = strip_marker(s)
    return re.split(r"[,;:。!?]", s, maxsplit=1)[0]


@check("MISSING_SECTION")
def missing_section(ctx: Context):
    cfg = ctx.cfg["sections"]
    a = ctx.analysis
    specs = _specs(ctx.framework, a.doc_type)
    if not specs or len(ctx.text) < cfg.get("min_chars", 0):
        return
    text = ctx.text
    levels = set(cfg["heading_levels"])
    heads = [s for s in a.sections if s.level in levels] or [s for s in a.sections if s.level != "point"]
    lead = cfg["lead_in"]
    paragraphs = _paragraphs(text)
    ts, te = ctx.title_span
    body = [(p, para) for p, para in paragraphs if not (ts <= p < te)]
    bare_max = cfg["bare_heading_max_chars"]

    first_pos: dict[str, int] = {}
    for spec in specs:
        phrases = alternation(spec.phrases)
        opening = re.compile(f"{lead}(?:{phrases})")
        anywhere = re.compile(phrases)
        hits = [ctx.to_clean(h.start) for h in heads if anywhere.search(h.title)]
        for p, para in body:
            if len(para) <= bare_max and not re.search(r"[,;。!?]", para) and anywhere.search(para):
                hits.append(p)
            elif opening.match(_first_clause(para)):
                hits.append(p)
        for sent in a.sentences:
            if opening.match(_first_clause(sent.text)):
                hits.append(ctx.to_clean(sent.start))
        if hits:
            first_pos[spec.id] = min(hits)

    implicit = {spec.id for spec in specs if spec.implicit}
    names = "、".join(s.name for s in specs if s.required)
    for spec in specs:
        if spec.id in first_pos or not spec.required:
            continue
        if spec.id in implicit:
            others = [pos for sid, pos in first_pos.items() if sid not in implicit]
            limit = min(others) if others else len(text)
            prose = [para for p, para in body if p < limit and re.search(r"[。!?]", para)]
            if len(prose) >= cfg["implicit_min_paragraphs"]:
                continue
        shown = "、".join(spec.phrases[:4])
        msg = (f"缺少“{spec.name}”部分：{a.doc_type or '此类文稿'}通常应包括{names}，"
               f"文中未见标题或段首含“{shown}”等词语的部分")
        yield ctx.finding("MISSING_SECTION", -1, -1, msg)
