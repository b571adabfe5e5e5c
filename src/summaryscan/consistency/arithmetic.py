"""Numbers that contradict each other arithmetically.

PART_EXCEEDS_WHOLE
    Parts itemised after 其中/包括/含 (or 分别为 right after the total) add up to
    more than the total just before (``共43人，其中处级干部20人、科级干部28人``).
    Parts form one list: additive units of one kind (人 = 名; a total in 个/项 may
    add up 个 and 名), joined by 、/和 or by commas when no new action starts, none a
    per-item, average or comparison figure.  The total is the nearest figure before
    the cue in the same sentence (the previous one when 其中 opens a sentence), not
    behind a semicolon, and never a change, rate, comparison base, daily, average or
    per-unit figure (比去年增加…, 年均…, 日均…, 每千人…).  A bracket opened right after
    the total breaks it down (共43人（其中处级干部20人、科级干部28人）); other brackets
    are asides.  Hedges are read as ranges.  Parts below the total are fine.
    分别 alone distributes values over things named before it and is no cue.
SUBSET_EXCEEDS
    More resolved (整改/化解/办结/解决…) than found (发现/排查/受理/收到…) of the same
    thing, in one sentence or the next.  The resolved figure must name no object of
    its own (已督促整改到位135个) or a part of what was found (隐患问题); a figure
    with both verbs (发现并推动解决问题129个) or with its own period (累计, 以来 …) is
    left alone.  Hedges are read as ranges (``3900余个`` may be up to 4000,
    ``3500多个`` at least 3500).
PERCENT_RANGE
    A rate that cannot pass 100 % above it, decided by the rate's meaning
    (``lexicon/rates.yaml``): the rate word nearest before the figure in its clause is
    bounded (整改率, 办结率, 覆盖率/覆盖面, 参学率, 满意率, 合格率, 占比 …), unbounded
    (增长率, 毛入学率, 自给率, 贡献率 …) or qualified by what it measures (整改完成率
    cannot pass 100 %, 投资完成率 can); a word ending in 率 the lexicon does not know is
    bounded unless the clause compares with a target or a base.  A rate that changes
    by the figure (覆盖率比上年提高105%) is a change, not a level.  Without a rate word, a
    share (占…) cannot pass 100 % unless it compares with a target, budget or base
    (完成目标的120%, 占预算数的102%).  A decrease cannot exceed 100 %.
ARITHMETIC
    A stated change (同比减少25%) or share (占总数的41.2%) that the document's own
    figures contradict by more than the stated figure's rounding plus
    ``tolerance_points``.  Only when the figures are linked without doubt, none
    hedged: a change right after the current figure, whose base is named as the
    previous period (上年/去年, or 2022年 against 2023年) and counts the same
    thing (上年受理信访举报… / 本年受理…); a share right after its part that names
    its total (占总数的…, 占有效问卷总数的…, 占全部信访件的…; a bare 占…% is not
    checked), the total being a stated total nearby (共…, or 其中 before the part,
    in the sentence or the one before) or the one figure of the name the share gives
    (占有效问卷总数的… -> 收回有效问卷1,476份), never a daily or average figure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from ..text import lexicon
from ..text.pos import trigger_verbs
from ..text.patterns import YEAR, YEAR_RE
from ._core import CClaim, Context, alternation, check, fmt_num, hedge_bounds, word_regex

_COUNTABLE = ("count", "money", "area", "other", "duration")
_YEAR_RE = YEAR_RE


def _lcs_len(a: str, b: str) -> int:
    best = 0
    for i in range(len(a)):
        for j in range(len(b)):
            k = 0
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                k += 1
            best = max(best, k)
    return best


def _subject(ctx: Context, c) -> str:
    """The claim's subject, or "" when the claims stage took a verb for it (本年受理527件)."""
    cfg = ctx.cfg["arithmetic"]
    subj = c.subject or ""
    if subj in trigger_verbs() or subj in cfg["found_verbs"] or subj in cfg["resolved_verbs"]:
        return ""
    return subj


def _inside_brackets(text: str, pos: int, floor: int) -> bool:
    depth = 0
    for ch in text[floor:pos]:
        if ch in "(（":
            depth += 1
        elif ch in ")）" and depth:
            depth -= 1
    return depth > 0


def _sentence_start_clean(ctx: Context, idx: int) -> int:
    return ctx.to_clean(ctx.analysis.sentences[idx].start)


# ------------------------------------------------------------------ PART_EXCEEDS_WHOLE

@check("PART_EXCEEDS_WHOLE")
def part_exceeds_whole(ctx: Context):
    cfg = ctx.cfg["arithmetic"]
    text = ctx.text
    ccs = ctx.cclaims
    cue_rx = re.compile(alternation(cfg["part_cues"] + cfg["adjacent_part_cues"]))
    adjacent = set(cfg["adjacent_part_cues"])
    seen_parts: set[int] = set()
    for sent in ctx.analysis.sentences:
        ss, se = ctx.sentence_clean_span(sent)
        for m in cue_rx.finditer(text, ss, se):
            q, q_end = m.start(), m.end()
            if _inside_brackets(text, q, ss) and not _breaks_down(ctx, q, ss):
                continue                                   # （包括高中和初中）: an aside
            parts = _parts_after(ctx, q_end, se)
            if not parts or parts[0] in seen_parts:
                continue
            whole_i = _whole_before(ctx, q, ss, sent.idx, [ccs[i].claim.unit for i in parts])
            if whole_i is None:
                continue
            whole = ccs[whole_i]
            between = text[whole.ce:q]
            if m.group() in adjacent and between.strip(",: "):
                continue                                   # 分别为 must follow the total directly
            seen_parts.update(parts)
            lo_sum = sum(hedge_bounds(ccs[i].claim)[0] for i in parts)
            hi_whole = hedge_bounds(whole.claim)[1]
            if lo_sum > hi_whole + 1e-9:
                plist = [ccs[i].claim for i in parts]
                unit = plist[0].unit if all(_same_class(ctx, c.unit, plist[0].unit) for c in plist) else ""
                total = fmt_num(sum(c.value for c in plist))
                msg = (f"分项之和（{'+'.join(c.raw for c in plist)}={total}{unit}）大于总数（{whole.claim.raw}）"
                       if len(plist) > 1 else f"分项（{plist[0].raw}）大于总数（{whole.claim.raw}）")
                yield ctx.finding("PART_EXCEEDS_WHOLE", whole.claim.start, plist[-1].end, msg,
                                  claims=[whole.claim] + plist)


def _breaks_down(ctx: Context, q: int, floor: int) -> bool:
    """A bracket opened right after a figure with the cue first in it breaks that figure
    down: 共43人（其中处级干部20人、科级干部28人）."""
    text = ctx.text
    open_at = max(text.rfind("(", floor, q), text.rfind("（", floor, q))
    if open_at < 0 or text[open_at + 1:q].strip():
        return False
    return any(cc.ce <= open_at and not text[cc.ce:open_at].strip() for cc in ctx.cclaims)


def _additive(ctx: Context, cc: CClaim) -> bool:
    return cc.claim.kind in _COUNTABLE and cc.claim.unit not in ctx.cfg["arithmetic"]["non_additive_units"]


def _parts_after(ctx: Context, q_end: int, se: int) -> list[int]:
    """The list of figures itemised right after a cue ending at ``q_end``."""
    cfg = ctx.cfg["arithmetic"]
    text = ctx.text
    ccs = ctx.cclaims
    not_part_end = re.compile(f"(?:{alternation(cfg['not_part_cues'])})$")
    not_part_any = re.compile(alternation(cfg["not_part_anywhere"]))
    clause_verbs = re.compile(alternation(cfg["clause_verbs"]))
    after = [i for i, cc in enumerate(ccs) if q_end <= cc.cs < se and not _inside_brackets(text, cc.cs, q_end)]
    if not after or not _additive(ctx, ccs[after[0]]):
        return []
    first = ccs[after[0]]
    lead = text[q_end:first.cs]
    if re.search(r"[;:。!?]", lead) or lead.count(",") > (1 if lead.startswith(",") else 0) \
            or not_part_end.search(lead) or not_part_any.search(lead):
        return []
    unit = first.claim.unit
    parts = [after[0]]
    sep = None
    for i in after[1:]:
        cc, prev = ccs[i], ccs[parts[-1]]
        if not _additive(ctx, cc) or (not _same_class(ctx, cc.claim.unit, unit)
                                      and not _mixable(ctx, [cc.claim.unit, unit])):
            break
        gap = re.sub(r"\([^()]*\)", "", text[prev.ce:cc.cs])       # an aside: 20人（女5人）
        this_sep = "、" if gap[:1] in ("、", "和", "及", "与") else ("," if gap[:1] == "," else None)
        if this_sep is None or (sep == "、" and this_sep == ","):
            break
        body = gap[1:]
        if re.search(r"[,;:。!?]", body) or len(body) > 15 or not_part_end.search(body) \
                or not_part_any.search(body) or _cue_like(ctx, body):
            break
        if this_sep == "," and (len(body) > 10 or clause_verbs.search(body)):
            break                                              # a new clause, not the next part
        sep = sep or this_sep
        parts.append(i)
    return parts


def _cue_like(ctx: Context, s: str) -> bool:
    cfg = ctx.cfg["arithmetic"]
    return bool(re.search(alternation(cfg["part_cues"] + cfg["adjacent_part_cues"]), s))


def _whole_before(ctx: Context, q: int, ss: int, sent_idx: int, part_units: list[str]) -> Optional[int]:
    """Index of the total that parts after a cue at ``q`` break down: the nearest figure
    before the cue in a fitting unit that is not a change, rate or comparison base, in
    the same sentence and not behind a semicolon (the previous sentence when 其中 opens one)."""
    ccs = ctx.cclaims
    text = ctx.text
    floor = ss
    if not text[ss:q].strip(" ,"):
        if sent_idx == 0:
            return None
        floor = _sentence_start_clean(ctx, sent_idx - 1)
    not_whole = word_regex("arithmetic.not_whole_cues")
    for i in range(len(ccs) - 1, -1, -1):
        cc = ccs[i]
        if cc.ce > q:
            continue
        if cc.cs < floor:
            break
        if re.search(r"[;]", text[cc.ce:q]):
            break
        if not _additive(ctx, cc) or not _whole_fits(ctx, cc.claim.unit, part_units):
            continue
        if not_whole.search(_clause_of(ctx, i)) or (cc.claim.kind == "count" and cc.claim.value != int(cc.claim.value)):
            continue                                   # a change, a comparison base or a rate (每千人6.6批次)
        return i
    return None


def _same_class(ctx: Context, a: str, b: str) -> bool:
    """Units that count the same thing: equal, or in one of ``unit_classes`` (人 = 名)."""
    if a == b:
        return True
    return any(a in cls and b in cls for cls in ctx.cfg["arithmetic"]["unit_classes"])


def _mixable(ctx: Context, units: list[str]) -> bool:
    return all(u in ctx.cfg["arithmetic"]["mixable_part_units"] for u in units)


def _whole_fits(ctx: Context, whole_unit: str, part_units: list[str]) -> bool:
    if all(_same_class(ctx, whole_unit, u) for u in part_units):
        return True
    return whole_unit in ctx.cfg["arithmetic"]["generic_whole_units"] and _mixable(ctx, part_units)


# ------------------------------------------------------------------ SUBSET_EXCEEDS

@dataclass
class _Role:
    role: Optional[str]       # found | resolved | None
    verb: str = ""
    verb_cs: int = -1         # clean offset of the verb
    obj: str = ""             # what the verb acts on, as written before or right after the number


def _role(ctx: Context, i: int) -> _Role:
    """Whether claim ``i`` counts things found or things resolved, from the words before it."""
    cfg = ctx.cfg["arithmetic"]
    cc = ctx.cclaims[i]
    pre = ctx.pre[i]
    base = cc.cs - len(pre)
    found = list(word_regex("arithmetic.found_verbs").finditer(pre))
    not_before = word_regex("arithmetic.resolved_not_before")
    objects = word_regex("arithmetic.resolved_objects")
    resolved = [m for m in word_regex("arithmetic.resolved_verbs").finditer(pre)
                if not not_before.match(pre, m.end()) or objects.match(pre, m.end())]
    if found and resolved:
        return _Role(None)                 # 发现并推动解决问题129个: one figure for both
    ms = found or resolved
    if not ms:
        return _Role(None)
    m = ms[-1]
    obj = pre[m.end():]
    fillers = sorted(cfg["object_fillers"], key=len, reverse=True)
    changed = True
    while changed and obj:
        changed = False
        for w in fillers:
            if obj.startswith(w) or obj.endswith(w):
                obj = obj[len(w):] if obj.startswith(w) else obj[:-len(w)]
                changed = True
    subj = _subject(ctx, cc.claim)
    if not obj and subj and ctx.text.startswith(subj, cc.ce):
        obj = subj                         # 化解3500个隐患问题
    return _Role("found" if found else "resolved", m.group(), base + m.start(), obj)


@check("SUBSET_EXCEEDS")
def subset_exceeds(ctx: Context):
    cfg = ctx.cfg["arithmetic"]
    ccs = ctx.cclaims
    scope_rx = re.compile(alternation(cfg["subset_scope_cues"]))
    roles = [_role(ctx, i) for i in range(len(ccs))]
    gap = cfg["max_sentence_gap"]
    for j, rr in enumerate(roles):
        if rr.role != "resolved" or ccs[j].claim.kind not in _COUNTABLE:
            continue
        r = ccs[j]
        for i in range(j - 1, -1, -1):
            f, fr = ccs[i], roles[i]
            if r.claim.sentence - f.claim.sentence > gap:
                break
            if fr.role != "found" or not _same_class(ctx, f.claim.unit, r.claim.unit):
                continue
            # the resolved figure names no object of its own (已督促整改到位135个), or a part of
            # what was found (排查…隐患问题 / 化解各类隐患问题), not something else (历史遗留问题)
            if rr.obj and rr.obj not in fr.obj + "|" + _subject(ctx, f.claim):
                continue
            if scope_rx.search(ctx.pre[i]) or scope_rx.search(ctx.pre[j]):
                break
            lo_r = hedge_bounds(r.claim)[0]
            hi_f = hedge_bounds(f.claim)[1]
            if lo_r > hi_f + 1e-9:
                msg = f"{rr.verb}数（{r.claim.raw}）多于{fr.verb}数（{f.claim.raw}）"
                start = ctx.span_to_raw(fr.verb_cs, fr.verb_cs + 1)[0]
                yield ctx.finding("SUBSET_EXCEEDS", start, r.claim.end, msg, claims=[f.claim, r.claim])
            break


# ------------------------------------------------------------------ PERCENT_RANGE

@dataclass
class _Rate:
    word: str
    start: int                # offsets in the clause
    end: int
    bounded: bool
    known: bool = True        # in the lexicon (else a word ending in 率 read as bounded)


@lru_cache(maxsize=1)
def _rates() -> tuple[dict[str, Optional[str]], re.Pattern, re.Pattern]:
    """word -> "bounded" | "unbounded" | None (qualified), the regex of every known rate word,
    and the regex of any word ending in 率 (an unknown rate)."""
    data = lexicon.data("rates.yaml")
    table: dict[str, Optional[str]] = {}
    for w in data["bounded"]:
        table[w] = "bounded"
    for w in data["unbounded"]:
        table[w] = "unbounded"
    for w in data["qualified"]:
        table[w] = None
    return table, re.compile(alternation(table)), re.compile(r"[\u4e00-\u9fff]{1,4}率")


def _nearest_rate(clause: str) -> Optional[_Rate]:
    """The rate word nearest before the end of ``clause`` (longest where two end alike),
    with its bound; a word ending in 率 that the lexicon does not know counts as bounded."""
    table, known, unknown = _rates()
    best = None
    for k in range(len(clause)):
        m = known.match(clause, k)
        if m and (best is None or m.end() > best.end() or (m.end() == best.end() and m.start() < best.start())):
            best = m
    if best is not None:
        word, start = best.group(), best.start()
        bound = table[word]
        if bound is None:
            bound, q = _qualified(word, clause[:start])
            if q >= 0:
                word, start = clause[q:best.end()], q          # 整改完成率, as written
        return _Rate(word, start, best.end(), bound == "bounded")
    found = list(unknown.finditer(clause))
    if found:
        m = found[-1]
        return _Rate(m.group(), m.start(), m.end(), True, known=False)
    return None


def _qualified(word: str, before: str) -> tuple[str, int]:
    """整改完成率 cannot pass 100 %, 投资完成率 can: the nearest qualifier before the rate decides.
    Returns the bound and where the qualifier starts when it stands right before the rate (else -1)."""
    spec = lexicon.data("rates.yaml")["qualified"][word]
    hits = [(m.end(), m.start(), "bounded") for m in re.finditer(alternation(spec["bounded_if"]), before)]
    hits += [(m.end(), m.start(), "unbounded") for m in re.finditer(alternation(spec["unbounded_if"]), before)]
    if not hits:
        return spec["default"], -1
    end, start, bound = max(hits)
    return bound, (start if end >= len(before) - 2 else -1)


@check("PERCENT_RANGE")
def percent_range(ctx: Context):
    """A rate that cannot pass 100 % above it, decided by the rate's meaning (``lexicon/rates.yaml``):
    整改完成率, 覆盖面, 参学率 … cannot; 增长率, 完成年度目标的…, 投资完成率 can.  A share
    (占…) without a rate word cannot either, unless it compares with a target or a base
    (占预算数的102%); a fall cannot exceed 100 %."""
    level = re.compile(alternation(lexicon.data("rates.yaml")["level_verbs"]))
    change = re.compile(alternation(ctx.cfg["arithmetic"]["increase_cues"] + ctx.cfg["arithmetic"]["decrease_cues"]
                                    + ctx.cfg["arithmetic"]["change_base"] + ["比", "较", "相当于", "为上年", "为去年"]))
    for i, cc in enumerate(ctx.cclaims):
        c = cc.claim
        if c.unit != "%" or c.value <= 100:
            continue
        pre = ctx.pre[i]
        dec = word_regex("arithmetic.decrease_cues").search(pre)
        if dec:
            yield ctx.finding("PERCENT_RANGE", c.start, c.end,
                              f"“{dec.group()}{c.raw}”：降幅不可能超过100%", claims=[c])
            continue
        clause = ctx.clause_before(cc.cs)
        rate = _nearest_rate(clause)
        if rate is not None:
            between = level.sub("", clause[rate.end:])
            if not rate.bounded or change.search(between) or (
                    not rate.known and word_regex("arithmetic.ratio_cues").search(clause)):
                continue                      # growth, a ratio to a target, or a change of the rate
            yield ctx.finding("PERCENT_RANGE", c.start, c.end,
                              f"{rate.word}为{c.raw}：{rate.word}不可能超过100%", claims=[c])
            continue
        if word_regex("arithmetic.ratio_cues").search(pre):
            continue
        share = word_regex("arithmetic.share_cues").search(pre)
        if share:
            subject = pre.strip(",、 ")
            yield ctx.finding("PERCENT_RANGE", c.start, c.end,
                              f"{subject}为{c.raw}：比率、占比不可能超过100%", claims=[c])


# ------------------------------------------------------------------ ARITHMETIC

def _decimals(raw: str) -> int:
    m = re.search(r"\d+(?:\.(\d+))?", raw.translate(str.maketrans("０１２３４５６７８９．", "0123456789.")))
    return len(m.group(1)) if m and m.group(1) else 0


def _tolerance(ctx: Context, c) -> float:
    return 0.5 * 10 ** -_decimals(c.raw) + ctx.cfg["arithmetic"]["tolerance_points"]


def _years(text: str) -> list[int]:
    return [int(y) for y in _YEAR_RE.findall(text)]


@check("ARITHMETIC")
def arithmetic(ctx: Context):
    cfg = ctx.cfg["arithmetic"]
    ccs = ctx.cclaims
    change_rx = re.compile(rf"^(?P<base>{alternation(cfg['change_base'])})?"
                           rf"(?P<cue>{alternation(cfg['decrease_cues'] + cfg['increase_cues'])})"
                           r"(?:了|为|达|达到|幅度为|幅度达)?$")
    # a share is checked against the total it names (占总数的, 占信访件总数的, 占全部…的), or not at all
    share_rx = re.compile(rf"^占(?:(?:{alternation(cfg['share_of_all'])})(?P<all>[^,;。]{{1,14}}?)的|"
                          rf"(?P<noun>[^,;。]{{0,10}}?)(?:{alternation(cfg['share_of_total'])})(?:的)?)"
                          r"(?:比例为|比重为|比例|比重|比)?(?:为|达)?$")
    for k, pc in enumerate(ccs):
        p = pc.claim
        if p.unit != "%" or p.approx:
            continue
        pre = ctx.pre[k]
        m = change_rx.search(pre)
        if m:
            yield from _change(ctx, k, m)
            continue
        m = share_rx.search(pre)
        if m:
            yield from _share(ctx, k, m)


def _window(ctx: Context, k: int) -> list[int]:
    """Claims before claim ``k`` in its sentence and the previous one(s)."""
    ccs = ctx.cclaims
    p = ccs[k].claim
    gap = ctx.cfg["arithmetic"]["max_sentence_gap"]
    return [i for i in range(k) if 0 <= p.sentence - ccs[i].claim.sentence <= gap]


def _clause_of(ctx: Context, i: int) -> str:
    cc = ctx.cclaims[i]
    return ctx.text[ctx.clause_start(cc.cs):cc.cs]


def _action(ctx: Context, i: int) -> str:
    """The words before a figure with years, period words and totals set aside:
    上年受理信访举报 -> 受理信访举报, 本年受理 -> 受理."""
    cfg = ctx.cfg["arithmetic"]
    period = re.compile(rf"{YEAR}年(?:度|全年)?|{alternation(cfg['base_cues'] + cfg['current_cues'] + cfg['whole_cues'])}")
    return re.sub(r"[,、;:\s]", "", period.sub("", ctx.pre[i]))


def _change(ctx: Context, k: int, m: re.Match):
    """上年受理620件，本年受理527件，同比减少25%: the change the two figures give."""
    ccs = ctx.cclaims
    text = ctx.text
    p = ccs[k].claim
    cue = m.group()
    decrease = bool(word_regex("arithmetic.decrease_cues").search(m.group("cue")))
    if k == 0:
        return
    c_i = k - 1                                     # the current figure stands right before the change
    cur = ccs[c_i]
    if text[cur.ce:ccs[k].cs].lstrip(",") != ctx.pre[k] or not _additive(ctx, cur):
        return
    base_rx = word_regex("arithmetic.base_cues")
    cands = [i for i in _window(ctx, k) if i < c_i and _additive(ctx, ccs[i])
             and _same_class(ctx, ccs[i].claim.unit, cur.claim.unit)]
    b_i = None
    based = [i for i in cands if base_rx.search(_clause_of(ctx, i))]
    if based and not base_rx.search(_clause_of(ctx, c_i)):
        b_i = based[-1]
    else:
        yc = _years(_clause_of(ctx, c_i))
        for i in reversed(cands):
            yb = _years(_clause_of(ctx, i))
            if yc and yb and yb[-1] == yc[-1] - 1:
                b_i = i
                break
    if b_i is None:
        return
    b, c = ccs[b_i].claim, cur.claim
    ab, ac = _action(ctx, b_i), _action(ctx, c_i)
    if b.approx or c.approx or b.value <= 0 or (ac and ab and ac not in ab and ab not in ac):
        return
    actual = (c.value - b.value) / b.value * 100
    stated = -p.value if decrease else p.value
    if abs(actual - stated) <= _tolerance(ctx, p):
        return
    said = m.group("cue").replace("同比", "")
    word = said if (actual < 0) == decrease else ("减少" if actual < 0 else "增长")
    rs, _ = ctx.span_to_raw(ccs[k].cs - len(cue), ccs[k].cs)
    msg = f"按文中数字计算{m.group('base') or '同比'}{word}{abs(actual):.1f}%（{b.raw}→{c.raw}），文中写作“{cue}{p.raw}”"
    yield ctx.finding("ARITHMETIC", rs, p.end, msg, claims=[b, c, p])


def _share(ctx: Context, k: int, m: re.Match):
    """占总数的41.2%: the part right before it over the stated total."""
    cfg = ctx.cfg["arithmetic"]
    ccs = ctx.cclaims
    text = ctx.text
    p = ccs[k].claim
    before = [i for i in range(k) if ccs[i].claim.unit != "%" and ccs[i].claim.kind in _COUNTABLE]
    if not before:
        return
    x = before[-1]
    # the part stands right before the share, the share's clause is only 占…: 183件，占总数的41.2%
    if text[ccs[x].ce:ccs[k].cs].lstrip(",") != ctx.pre[k] or ccs[x].claim.sentence != p.sentence:
        return
    xc = ccs[x].claim
    noun = m.group("noun") or m.group("all")
    whole = None
    not_whole = word_regex("arithmetic.not_whole_cues")
    if noun:
        # the total is named (占有效问卷总数的…, 占全部信访件的…): the one earlier figure of that
        # name that is not a daily, average or per-unit figure
        ends = re.compile(rf"{re.escape(noun)}(?:{alternation(cfg['whole_cues'])})?(?:为|达|达到|是|有)?$")
        named = [i for i in before[:-1] if _same_class(ctx, ccs[i].claim.unit, xc.unit) and ends.search(ctx.pre[i])
                 and not not_whole.search(_clause_of(ctx, i))]
        if len({ccs[i].claim.value for i in named}) == 1:
            whole = named[-1]
    else:
        whole_rx = re.compile(rf"(?:{alternation(cfg['whole_cues'])})$")
        part_rx = word_regex("arithmetic.part_cues")
        window = [i for i in _window(ctx, k) if i in set(before[:-1])]
        for i in reversed(window):
            if not _same_class(ctx, ccs[i].claim.unit, xc.unit) or not_whole.search(_clause_of(ctx, i)):
                continue
            if whole_rx.search(_clause_of(ctx, i)) or part_rx.search(text[ccs[i].ce:ccs[x].cs]):
                whole = i
            break
    if whole is None:
        return
    w = ccs[whole].claim
    if w.approx or xc.approx or w.value <= 0 or xc.value > w.value:
        return
    actual = xc.value / w.value * 100
    if abs(actual - p.value) <= _tolerance(ctx, p):
        return
    rs, _ = ctx.span_to_raw(ccs[k].cs - len(ctx.pre[k]), ccs[k].cs)
    msg = f"按文中数字计算占比为{actual:.1f}%（{xc.raw}÷{w.raw}），文中写作{p.raw}"
    yield ctx.finding("ARITHMETIC", rs, p.end, msg, claims=[w, xc, p])
