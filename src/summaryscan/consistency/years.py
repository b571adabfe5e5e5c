"""YEAR_MISMATCH: the year in the title against the years the body reports on.

Only for the document types in ``years.doc_types`` (工作总结, 述职报告 …), whose
title year is the year reported on.  Title ``2024年工作总结`` with a body about ``2023年以来…2023年…`` and no 2024 except in
plans is a summary filed under the wrong year (or an old summary re-dated).

Body year mentions outside the title are read in context:

* in a plan (the sentence has 下一步/明年/计划/我们将… or its heading does): ignored;
* a comparison base (比2022年, 与2022年相比): ignored;
* a range (2021—2023年度) stands for every year in it;
* anything else (2023年以来, 2023年3月, 2023年度…) is a year reported on.

The title year is doubted only when it is never reported on and another year
within ``max_distance`` of it is, at least ``min_other_mentions`` times (once is
enough when the title year does appear, but only in plans: 2024年，我将…).  The
finding is on the title's year.
"""
from __future__ import annotations

import re
from collections import Counter

from ..text.numerals import parse_chinese
from ..text.patterns import ANY_YEAR_RE, YEAR
from ._core import Context, alternation, check

_YEAR_RE = ANY_YEAR_RE
_RANGE_RE = re.compile(rf"({YEAR})\s*年?\s*[-—–~至到]+\s*$")


def _year(s: str) -> int:
    if s.isdigit():
        return int(s)
    return parse_chinese(s)            # 二〇二三: read digit by digit


def _sentence_text(ctx: Context, cpos: int) -> str:
    sent = ctx.sentence_at(ctx.span_to_raw(cpos, cpos + 1)[0])
    return sent.text if sent else ""


@check("YEAR_MISMATCH")
def year_mismatch(ctx: Context):
    cfg = ctx.cfg["years"]
    if ctx.analysis.doc_type not in cfg["doc_types"]:
        return
    ts, te = ctx.title_span
    if ts >= te:
        return
    text = ctx.text
    tm = [m for m in _YEAR_RE.finditer(text, ts, te)]
    if len(tm) != 1 or _RANGE_RE.search(text[ts:tm[0].start()]) or re.match(r"\s*[-—–~至到]", text[tm[0].end():]):
        return                                 # no year, several, or a range in the title
    title_year = _year(tm[0].group("y"))
    plan_rx = re.compile(alternation(cfg["plan_cues"]))
    before_rx = re.compile(rf"(?:{alternation(cfg['compare_before'])})$")
    after_rx = re.compile(rf"^(?:[^,。;]{{0,12}}?)(?:{alternation(cfg['compare_after'])})")
    reported: Counter = Counter()
    examples: dict[int, str] = {}
    plan_only = False
    for m in _YEAR_RE.finditer(text):
        if ts <= m.start() < te:
            continue
        y = _year(m.group("y"))
        years = [y]
        r = _RANGE_RE.search(text[max(0, m.start() - 8):m.start()])
        if r:
            y0 = int(r.group(1))
            years = list(range(min(y0, y), max(y0, y) + 1))
        sentence = _sentence_text(ctx, m.start())
        raw_pos = ctx.span_to_raw(m.start(), m.start() + 1)[0]
        heading = ctx.section_path_at(raw_pos)
        if plan_rx.search(sentence) or plan_rx.search(heading):
            if title_year in years:
                plan_only = True
            continue
        if before_rx.search(text[max(0, m.start() - 4):m.start()]) or after_rx.search(text[m.end():m.end() + 16]):
            continue
        for yy in years:
            reported[yy] += 1
            examples.setdefault(yy, text[m.start():min(m.end() + 4, len(text))].split(",")[0])
    if reported[title_year]:
        return
    # the title year only in plans (2024年，我将…) is itself a sign the body is about another year
    need = 1 if plan_only else cfg["min_other_mentions"]
    others = [(n, y) for y, n in reported.items()
              if y != title_year and abs(y - title_year) <= cfg["max_distance"] and n >= need]
    if not others:
        return
    n, other = max(others)
    rs, re_ = ctx.span_to_raw(tm[0].start("y"), tm[0].end("y"))
    note = f"；{title_year}年只出现在下一步计划中" if plan_only else f"，正文没有{title_year}年的工作内容"
    where = f"“{examples[other]}”等{n}处" if n > 1 else f"“{examples[other]}”"
    msg = f"标题年份为{title_year}年，但正文所述工作为{other}年（{where}）{note}"
    yield ctx.finding("YEAR_MISMATCH", rs, re_, msg)
