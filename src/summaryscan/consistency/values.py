"""Values: hedges that contradict each other, and one thing counted twice differently.

HEDGE_CONFLICT
    A number with two hedges (the claims stage sets ``hedge_conflict``):
    ``近800余人`` (近 = not quite, 余 = more than) contradicts itself (medium);
    ``约300人左右``, ``超过50余家`` say the same thing twice (low: a wording error).
CONFLICTING_VALUES
    The same action on the same thing given two values in one document
    (``开展警示教育12次`` … ``开展警示教育15次``).  Deliberately conservative: both
    claims must have the same unit and hedge, the same wording before the number
    once scope-neutral words (全年, 组织 …) are stripped, a verb and a specific
    subject (not 问题, 单位 …), no scope of their own (其中, 各, 每, 累计, a year,
    上年 …), stand in different sentences, and differ beyond their hedges.
    Reported on the later occurrence; ``other_doc``/``other_start``/``other_end``
    point at the earlier one (the same document).
"""
from __future__ import annotations

import re
from collections import defaultdict

from ..text.pos import trigger_verbs
from ..text.patterns import CN_YEAR, YEAR
from ._core import CClaim, Context, alternation, check, hedge_bounds

_YEAR_RE = re.compile(rf"{YEAR}|{CN_YEAR}年")


@check("HEDGE_CONFLICT")
def hedge_conflict(ctx: Context):
    direction = ctx.cfg["hedges"]["direction"]
    for c in ctx.analysis.claims:
        if not c.hedge_conflict or not c.approx or c.kind == "duration":
            continue                 # 近二十多年来: 近 is “recent”, not a hedge
        if ctx.raw[max(0, c.start - 1):c.start] == "最":
            continue                 # 最近二十多年
        hs = c.approx.split("…")
        if len(hs) != 2:
            continue
        a, b = hs
        da, db = direction.get(a), direction.get(b)
        if {da, db} == {"below", "above"}:
            msg = (f"“{c.raw}”同时使用约数词“{a}”和“{b}”：“{a}”表示不到此数，“{b}”表示超过此数，"
                   f"两者矛盾，应只保留一个")
            sev = None
        else:
            msg = f"“{c.raw}”同时使用约数词“{a}”和“{b}”，语义重复，应只保留一个"
            sev = ctx.cfg["hedges"].get("redundant_severity", "low")
        yield ctx.finding("HEDGE_CONFLICT", c.start, c.end, msg, claims=[c], severity=sev)


def _strip_leading(s: str, words: list[str]) -> str:
    changed = True
    while changed and s:
        changed = False
        for w in sorted(words, key=len, reverse=True):   # the longest word first
            if s.startswith(w) and len(s) > len(w):
                s = s[len(w):]
                changed = True
    return s


def _key(ctx: Context, i: int):
    cfg = ctx.cfg["values"]
    cc: CClaim = ctx.cclaims[i]
    c = cc.claim
    if c.kind not in cfg["kinds"] or c.hedge_conflict:
        return None
    subject = c.subject.strip("“”\"' ")
    if len(subject) < cfg["min_subject_chars"] or subject in cfg["generic_subjects"]:
        return None
    pre = ctx.pre[i].lstrip(",、;和及与 ")
    text = ctx.text
    clause_end = cc.ce
    while clause_end < len(text) and text[clause_end] not in ctx.cfg["clause_breaks"]:
        clause_end += 1
    clause = text[ctx.clause_start(cc.cs):clause_end]
    scope = re.compile(alternation(cfg["scope_cues"]))
    if scope.search(pre) or scope.search(text[cc.ce:clause_end]) or _YEAR_RE.search(clause):
        return None
    # plans, targets and multi-year reviews have their own period (下一步…, “十四五”时期…)
    context = re.compile(alternation(cfg["context_cues"]))
    sent = ctx.sentence_at(c.start)
    if context.search(ctx.section_path_at(c.start)) or (sent and context.search(sent.text)):
        return None
    # the same words before the number, scope-neutral words aside
    action = _strip_leading(pre, cfg["strip_leading"])
    if not any(v in action for v in trigger_verbs()):
        return None
    after = text[cc.ce:cc.ce + len(subject)]
    if subject not in action and after != subject:
        return None
    return action, c.unit, c.approx or "", after if after == subject else ""


@check("CONFLICTING_VALUES")
def conflicting_values(ctx: Context):
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i in range(len(ctx.cclaims)):
        k = _key(ctx, i)
        if k is not None:
            groups[k].append(i)
    for key, idx in groups.items():
        if len(idx) < 2:
            continue
        first = ctx.cclaims[idx[0]].claim
        lo1, hi1 = hedge_bounds(first)
        for j in idx[1:]:
            c = ctx.cclaims[j].claim
            if c.sentence == first.sentence:
                continue
            lo2, hi2 = hedge_bounds(c)
            if lo2 <= hi1 and lo1 <= hi2:
                continue                      # the same value, or ranges that overlap
            label = key[0] + (key[3] or "")
            where = ctx.section_path_at(first.start)
            msg = (f"同一事项“{label}”前后数字不一致：前文为{first.raw}"
                   f"{'（' + where + '）' if where else ''}，此处为{c.raw}")
            f = ctx.finding("CONFLICTING_VALUES", c.start, c.end, msg, claims=[first, c])
            f.other_doc, f.other_start, f.other_end = ctx.analysis.doc, first.start, first.end
            yield f
            break
