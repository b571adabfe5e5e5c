"""Values: hedges that contradict each other, and one thing counted twice differently.

HEDGE_CONFLICT
    A number with two hedges (the claims stage sets ``hedge_conflict``):
    ``近800余人`` (近 = not quite, 余 = more than) contradicts itself (medium);
    ``约300人左右``, ``超过50余家`` say the same thing twice (low: a wording error).
CONFLICTING_VALUES
    The same statement made twice with figures that cannot both hold
    (``全年完成接待任务300余批次`` … ``接待任务700余批次``; ``全县辖12个乡镇`` … ``全县15个乡镇``).
    Decided on what the clause says, not on the claims stage's subject:

    * what is counted: the clause's own words before the figure and the noun right
      after it (``开展12次警示教育`` = ``开展警示教育12次``), with words that change
      nothing left out (全年, 共, 已 …, ``values.neutral_words``) and the verbs that only
      frame a count (开展, 组织, 完成, 辖 …, ``values.frame_verbs``).  A verb is evidence,
      not a requirement: two verbless mentions compare on their nouns, but an action
      verb on one side only (新增上市公司5家 / 上市公司达162家) is a flow against a
      stock, and a different verb right after the counted noun (…名党员干部参观 /
      …名党员干部学习) another thing;
    * the same unit (人 = 名), and a specific object (发现问题 alone is problems of many kinds);
    * the same scope: no part, share, rate, change, comparison, ordinal or plan of its
      own (其中, 每, 日均, 同比, 增加, 第 … in its clause, or a clause before ending in
      …中: never compared), not inside a plan (an intent word in its statement, a plan
      heading, a plan opening), and the same periods.  A period is said in the clause,
      in the opening clause of the statement, in the headings, or by the last paragraph
      that opened with one (过去五年, 这五年, 刚刚过去的2025年, 下一步 …) in the same
      part of the document: figures under ``这五年`` and under ``2025年`` are not compared.
      The document's own year, 今年 and 全年 are the default period (in a government work
      report, delivered early in the year, 今年 is the year planned: ``values.forward_doc_types``);
    * values that cannot both hold, hedges and rounding read as ranges (``300余`` is
      300 up to 400: against ``700余`` a conflict, against ``320`` none; ``1.2万`` may be 12,490).

    Mentions in one sentence are not compared.  A figure that agrees with any earlier
    mention is not reported.  The finding is on the later mention; ``other_doc``/
    ``other_start``/``other_end`` link the earlier one in the same document, and the
    message quotes it.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from ..text.pos import VERB_FLAG, trigger_verbs
from ..text.segment import tokens
from ._core import CClaim, Context, check, config, value_bounds, word_regex


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


# ------------------------------------------------------------------ CONFLICTING_VALUES

@dataclass
class Mention:
    """One figure as a statement of how many of something there are."""
    i: int                    # index into ctx.cclaims
    words: str                # what is counted, neutral words and frame verbs left out
    after_verb: str           # the verb right after the counted noun (参观 in …名党员干部参观), or ""
    label: str                # the clause's words as written, for the message
    unit: str
    scope: frozenset          # periods of its own (years, 累计, 上半年 …)
    lo: float
    hi: float


@lru_cache(maxsize=1)
def _verbs() -> frozenset[str]:
    """Verbs that name an action (the claims' trigger verbs and ``values.action_verbs``)."""
    return trigger_verbs() | frozenset(config()["values"]["action_verbs"])


def _is_verb(word: str, flag: str) -> bool:
    return word in _verbs() or (VERB_FLAG[flag] and len(word) >= 2)


def _unit_class(ctx: Context, unit: str) -> str:
    for cls in ctx.cfg["arithmetic"]["unit_classes"]:
        if unit in cls:
            return cls[0]
    return unit


def _clause_end(ctx: Context, cpos: int) -> int:
    text, breaks = ctx.text, ctx.cfg["clause_breaks"]
    i = cpos
    while i < len(text) and text[i] not in breaks:
        i += 1
    return i


def _counted_noun(ctx: Context, cc: CClaim, clause_end: int) -> tuple[str, str]:
    """The noun right after a figure that leads it (12个乡镇, 476名党员干部参观…, 5万个普惠性托位)
    and the verb that follows that noun: ("乡镇", ""), ("党员干部", "参观").  The noun runs to an
    action verb, a preposition of place, 的/等 or the clause end."""
    after = ctx.text[cc.ce:min(clause_end, cc.ce + 16)]
    if not after or not re.match(r"[\u4e00-\u9fff]", after):
        return "", ""
    words: list[tuple[str, bool]] = []          # (word, is a noun)
    verb = ""
    stops = set(ctx.cfg["values"]["noun_stops"])
    if len(after) <= ctx.cfg["values"]["short_tail"] and cc.ce + len(after) == clause_end \
            and not any(w in stops for w, _ in tokens(after)) and re.fullmatch(r"[\u4e00-\u9fff]+", after):
        return after, ""                         # 开展了1次现场调研指导。: the rest of the clause is the thing
    joins = set(ctx.cfg["values"]["noun_joins"])
    toks = tokens(after)
    for k, (w, flag) in enumerate(toks):
        rest = "".join(t for t, _ in toks[k + 1:])
        if w in _verbs() and rest and not _nominal(rest):
            verb = w                             # jieba's verb tags are not trusted inside a noun phrase
            break                                # (为民办实事项目); an action verb ending the clause, or
                                                 # before a short noun, is part of it (适老化改造, 服务活动)
        if (w in stops and not (w in joins and not re.search(r"\d", rest))) or not re.match(r"[\u4e00-\u9fff]", w):
            break                                # 示范地区和项目 is one thing, 12个乡镇和186个村 two
        words.append((w, flag[:1] not in ("a", "b", "d")))
    while words and not words[-1][1]:            # 重大水利工程: modifiers only before a noun
        words.pop()
    return "".join(w for w, _ in words), verb


def _nominal(rest: str) -> bool:
    """Whether what follows an action verb finishes a noun with it (服务|活动, 导入|事项)."""
    return len(rest) <= 4 and not any(w in _verbs() for w, _ in tokens(rest))


def _lead_clause(text: str, start: int, end: int) -> str:
    """The first clause of text[start:end] (2025年, 过去五年, 下一步 …)."""
    k = min([i for i in (text.find(ch, start, end) for ch in ",;:。!?") if i >= 0] or [end])
    return text[start:k]


def _statement_start(ctx: Context, cc: CClaim) -> int:
    """Where the statement holding a figure begins: its sentence, or the last semicolon before it
    (…在校学生将达到38万余人；中等专业学校新招生44.4万人), unless a colon before that
    semicolon introduces a list (我们将办好15件实事，包括：完成…；治理…)."""
    text = ctx.text
    sent = ctx.sentence_at(cc.claim.start)
    ss = ctx.to_clean(sent.start) if sent else ctx.clause_start(cc.cs)
    semi = text.rfind(";", ss, cc.cs)
    if semi >= 0 and text.find(":", ss, semi) < 0:
        return semi + 1
    return ss


def _context(ctx: Context, cc: CClaim) -> tuple[str, str]:
    """(what frames a figure, what it says itself): the headings it stands under and the first
    clause of its paragraph and of its statement; and its own clause before it."""
    text = ctx.text
    ss = _statement_start(ctx, cc)
    cs = ctx.clause_start(cc.cs)
    para = text.rfind("\n", 0, ss) + 1
    frame = [ctx.section_path_at(cc.claim.start)]
    # an opening clause frames what follows when it states no figure itself (2025年, 过去五年,
    # not 累计新增经营主体80万户)
    for lead in ((_lead_clause(text, para, ss) if para < ss else ""), (_lead_clause(text, ss, cs) if ss < cs else "")):
        if lead and not re.search(r"\d", lead):
            frame.append(lead)
    return " ".join(frame), text[cs:cc.cs]


def _periods(ctx: Context, s: str) -> tuple[frozenset, bool, bool]:
    """The periods named in ``s`` (years, 上半年, 累计, 截至, 五年来 …) with the default one (the
    document's year, 今年, 全年) and comparison bases (比上年) left out; whether the default
    period was named; whether a period ahead was (今年 in a government work report)."""
    cfg = ctx.cfg["values"]
    forward = ctx.analysis.doc_type in cfg["forward_doc_types"]
    named_default = bool(word_regex("values.neutral_periods").search(s))
    ahead = forward and bool(word_regex("values.forward_periods").search(s))
    s = word_regex("values.neutral_periods").sub(" ", s)
    out = set()
    for m in _period_regex().finditer(s):
        if re.search(r"(?:比|较|与|同|和|相比|相较|对比)$", s[max(0, m.start() - 2):m.start()]):
            continue                       # 比上年增长: a comparison base, not the period
        token = re.sub(r"[\s“”\"]+", "", m.group())
        year = re.match(r"((?:19|20)\d{2})年(?:度)?$", token)
        if year and ctx.analysis.year and int(year.group(1)) == ctx.analysis.year:
            named_default = True           # the year the document is about; in a work report
            ahead = ahead or (forward and year.group(1) in ctx.analysis.title)   # titled with it, the year ahead
            continue
        out.add(token.replace("年度", "年"))
    return frozenset(out), named_default, ahead


@dataclass
class _Frame:
    """The period a stretch of the document speaks of, from where it begins."""
    start: int                # clean offset
    periods: frozenset
    plan: bool


def _opening(line: str) -> str:
    """The opening sentence of a paragraph (no more than 40 characters), vocative and heading
    marker left out: 各位代表，刚刚过去的2025年，… -> 刚刚过去的2025年，…"""
    s = re.sub(r"^\s*(?:各位代表|同志们|代表们)[,!:]*", "", line)
    s = re.sub(r"^\s*(?:[(（]?[一二三四五六七八九十]+[、)）.]|——|-)\s*", "", s)
    k = min([i for i in (s.find(ch) for ch in "。!?;") if i >= 0] or [len(s)])
    return s[:min(k, 40)]


def frames(ctx: Context) -> list[_Frame]:
    """Where the document turns to another period: a paragraph (or a bare heading) opening
    with one (过去五年, 这五年, 刚刚过去的2025年, 一年来, 下一步 …) sets it until the next
    such opening; a top-level heading starts afresh."""
    text = ctx.text
    out = [_Frame(0, frozenset(), False)]
    out += [_Frame(ctx.to_clean(s.start), frozenset(), False) for s in ctx.analysis.sections if s.level == "1"]
    plan_open = word_regex("values.plan_openings")
    for m in re.finditer(r"[^\n]+", text):
        opening = _opening(m.group())
        periods, named_default, ahead = _periods(ctx, opening)
        # a plan opens with its word (下一步，…; 今年经济社会发展主要预期目标是：…), or is a bare heading
        first = re.split(r"[,;:]", opening, maxsplit=1)[0]
        plan = bool(plan_open.search(first)) or ahead
        if periods or named_default or plan:
            out.append(_Frame(m.start(), periods, plan))
    out.sort(key=lambda f: f.start)
    return out


def _frame_at(fs: list[_Frame], cpos: int) -> _Frame:
    k = bisect.bisect_right([f.start for f in fs], cpos) - 1
    return fs[max(k, 0)]


def _scope(ctx: Context, cc: CClaim, frame: _Frame) -> frozenset:
    """Every period a figure is given for: its frame's, its headings', its statement's opening
    clause's and its own clause's."""
    said, own = _context(ctx, cc)
    return frame.periods | _periods(ctx, said + " " + own)[0]


@lru_cache(maxsize=1)
def _period_regex() -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in config()["values"]["period_patterns"]))


def _in_plan(ctx: Context, cc: CClaim) -> bool:
    """A plan or target: an intent word in the statement before the figure, or a plan heading
    above it (a plan word after the figure opens another statement: …设置41个，国务院秘书长罗干
    将对此作说明); plan paragraphs are the frames' business."""
    said = ctx.text[_statement_start(ctx, cc):cc.ce]
    return bool(word_regex("values.plan_cues").search(said)
                or word_regex("values.plan_headings").search(ctx.section_path_at(cc.claim.start)))


def _mention(ctx: Context, i: int, fs: list[_Frame]) -> Optional[Mention]:
    cfg = ctx.cfg["values"]
    cc = ctx.cclaims[i]
    c = cc.claim
    if c.kind not in cfg["kinds"] or c.hedge_conflict:
        return None
    frame = _frame_at(fs, cc.cs)
    if frame.plan:
        return None
    cs, clause_end = ctx.clause_start(cc.cs), _clause_end(ctx, cc.ce)
    clause = ctx.text[cs:cc.cs]        # the whole clause: 其中 may stand before earlier parts (其中A 6个、B 86个)
    if word_regex("values.own_scope_cues").search(word_regex("values.own_scope_exempt").sub("", clause)) or \
            word_regex("values.own_scope_after").match(ctx.text, cc.ce):
        return None                    # a part, a rate, a change, an ordinal, a plan: not a count of its own
    if _in_plan(ctx, cc):
        return None
    prev = ctx.text[ctx.clause_start(cs - 1):cs - 1] if cs > 1 else ""
    if re.search(r"\d", prev) and re.search(cfg["subset_frame"], prev):
        return None                    # 抽查的48个党支部中，36个党支部…: a part of the one before
    pre = re.sub(cfg["leading_markers"], "", ctx.pre[i].lstrip(",、;和及与 "))
    # periods are the scope, not what is counted (一九五二年有三百多万人: the thing is named before)
    pre = _period_regex().sub("", word_regex("values.neutral_periods").sub("", pre))
    noun, after_verb = _counted_noun(ctx, cc, clause_end)
    neutral = set(cfg["neutral_words"]) | set(cfg["frame_verbs"])
    kept = [(w, flag) for w, flag in (tokens(pre) + tokens(noun) if noun else tokens(pre))
            if w not in neutral and re.search(r"[\u4e00-\u9fff\w]", w)]
    # leading place words of the document's own area (全市, 全县 …) change nothing either
    whole_area = False
    while kept and re.fullmatch(cfg["own_area"], kept[0][0]):
        kept.pop(0)
        whole_area = True
    if not whole_area and not any(w for w, _ in tokens(pre) if w not in cfg["neutral_words"]):
        # a figure that opens its clause speaks of what the clauses before it name, or of some
        # of them (…试点，641万人领取养老金; 36个党支部“三会一课”落实到位), unless it says all
        # (15个乡镇全部通硬化路)
        rest = ctx.text[cc.ce + len(noun):clause_end]
        if not word_regex("values.totalizers").match(rest):
            return None
    if kept and kept[0][0] not in _verbs():
        kept = _topic(ctx, cc) + kept
    words = "".join(w for w, _ in kept)
    lead = ""
    for w, _ in kept:
        if w not in _verbs():
            break
        lead += w
    if len(words) - len(lead) < cfg["min_subject_chars"] or words in cfg["generic_subjects"] \
            or _generic_object(ctx, kept):
        return None
    lo, hi = value_bounds(c)
    return Mention(i, words, after_verb, (ctx.pre[i].lstrip(",、;和及与 ") + c.raw + noun).strip(),
                   _unit_class(ctx, c.unit), _scope(ctx, cc, frame), lo, hi)


def _topic(ctx: Context, cc: CClaim) -> list[tuple[str, str]]:
    """What a later clause of a statement speaks of when it names no action of its own: the
    nouns before the first action of the statement's first clause (1956年全国高等学校新招生
    16.3万人，毕业学生6.4万人: the graduates are the universities')."""
    cfg = ctx.cfg["values"]
    text = ctx.text
    ss, cs = _statement_start(ctx, cc), ctx.clause_start(cc.cs)
    if ss >= cs:
        return []
    first = _lead_clause(text, ss, cs)
    if not re.search(r"\d", first):
        return []                      # 通过改革，国务院组成部门设置41个: an adverbial, not a topic
    first = _period_regex().sub("", word_regex("values.neutral_periods").sub("", first))
    out = []
    for w, flag in tokens(first):
        if w in _verbs() or re.match(r"[\d.]", w):
            break
        if w not in cfg["neutral_words"] and re.match(r"[\u4e00-\u9fff]", w) and not re.fullmatch(cfg["own_area"], w):
            out.append((w, flag))
    return out


def _generic_object(ctx: Context, kept: list[tuple[str, str]]) -> bool:
    """An action on a generic object with nothing naming which (在监督检查中发现问题 counts
    problems of many kinds; 贸易伙伴覆盖…国家, 名中医惠老…服务活动 name theirs)."""
    cfg = ctx.cfg["values"]
    last = max((k for k, (w, _) in enumerate(kept) if w in _verbs()), default=-1)
    obj = "".join(w for w, _ in kept[last + 1:])
    if obj not in cfg["generic_subjects"]:
        return False
    before = kept[:max(last, 0)]
    if before and before[0][0] in cfg["context_prepositions"]:    # 在…中, 对…, 通过…: where, not what
        return True
    return not any(not _is_verb(w, flag) for w, flag in before)


def same_thing(a: Mention, b: Mention) -> bool:
    """Whether two mentions count the same thing: the same unit, scope and words (frame verbs
    and neutral words aside), and no other verb right after the counted noun."""
    if a.unit != b.unit or a.scope != b.scope or a.words != b.words:
        return False
    return not (a.after_verb and b.after_verb and a.after_verb != b.after_verb)


def compatible(a: Mention, b: Mention) -> bool:
    """Whether both figures can hold at once (their ranges overlap)."""
    return a.lo <= b.hi + 1e-9 and b.lo <= a.hi + 1e-9


def mentions(ctx: Context) -> list[Mention]:
    fs = frames(ctx)
    return [m for m in (_mention(ctx, i, fs) for i in range(len(ctx.cclaims))) if m is not None]


@check("CONFLICTING_VALUES")
def conflicting_values(ctx: Context):
    seen: dict[tuple, list[Mention]] = {}
    for b in mentions(ctx):
        same = seen.setdefault((b.unit, b.scope, b.words), [])
        cb = ctx.cclaims[b.i].claim
        earlier = [a for a in same if ctx.cclaims[a.i].claim.sentence != cb.sentence and same_thing(a, b)]
        same.append(b)
        if not earlier or any(compatible(a, b) for a in earlier):
            continue
        a = earlier[0]
        ca = ctx.cclaims[a.i].claim
        where = ctx.section_path_at(ca.start)
        msg = (f"同一事项前后数字不一致：此处“{b.label}”，前文{'（' + where + '）' if where else ''}"
               f"为“{a.label}”，{ca.raw}与{cb.raw}不能同时成立（已关联标出前文位置）")
        f = ctx.finding("CONFLICTING_VALUES", cb.start, cb.end, msg, claims=[ca, cb])
        f.other_doc, f.other_start, f.other_end = ctx.analysis.doc, ca.start, ca.end
        yield f
