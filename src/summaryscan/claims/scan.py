"""The claim scan: numbers with a unit (and hedges) in the clean text, and what is not a claim.

Compiled patterns run over the clean text (``text.normalize.Normalized``); every number
they find is read whole by ``text.numerals.read_numeral`` — a form it does not understand
gives no claim, never a piece of the number. Units, hedges, fractions, the slogan
stop-list and the guards below are data files in ``summaryscan/lexicon`` (units.yaml,
hedges.yaml, fractions.yaml, slogans.txt, claim_guards.yaml). Not claims: dates and
years, ordinals (第一议题), numbers inside quoted slogans, book titles and formulas
(“两个确立”, 《…200题》, 1+2+N+1, 7×24小时), classes and systems (三人制, 万吨级),
durations without a cue, digit strings (三四个: a range), heading markers, phone and
document numbers, and masked numbers (X个), which are placeholders instead.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from math import isfinite
from typing import Optional

from ..records import Placeholder
from ..text import lexicon as lexicon_files
from ..text.normalize import Normalized
from ..text.numerals import (CHINESE_NUMERAL_CHARS, DECIMAL_DIGIT_CHARS, FORMAL_NUMERAL_CHARS, exact_ratio,
                             multiplier, read_numeral)
from ..text.patterns import alternation
from ..text.pos import starts_with_verb
from ..text.segment import opens_word


@dataclass(frozen=True)
class Lexicon:
    unit_kind: dict[str, str]
    unit_alias: dict[str, str]
    subunits: dict[str, dict[str, float]]
    hedge_inside_after: str
    duration_before: tuple[str, ...]
    duration_after: tuple[str, ...]
    prefix: dict[str, str]
    suffix_number: dict[str, str]
    suffix_unit: dict[str, str]
    slogans: tuple[str, ...]
    fraction_words: dict[str, float]
    fraction_word_not_after: frozenset[str]
    guards: "Guards"
    bracketed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Guards:
    """``lexicon/claim_guards.yaml``: one field per class of exclusion."""
    after_unit_alone: frozenset[str]
    after_unit_by_unit: dict[str, frozenset[str]]
    alone_units: frozenset[str]
    glued_before: frozenset[str]
    ordinal_before: tuple[str, ...]
    ordinal_last: frozenset[str]
    between_units: frozenset[str]
    between_joiners: frozenset[str]
    fraction_not_after: frozenset[str]
    vague_before: frozenset[str]
    blocked_before: frozenset[str]          # glued_before and the numeral characters never read: one lookup
    unit_specific: frozenset[str]           # units with a check of their own (alone, between, by unit)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    units = lexicon_files.data("units.yaml")
    hedges = lexicon_files.data("hedges.yaml")
    fractions = lexicon_files.data("fractions.yaml")
    g = lexicon_files.data("claim_guards.yaml")
    unit_kind = {}
    for kind in ("count", "money", "area", "duration", "percent", "other"):
        for u in units[kind]:
            unit_kind[str(u)] = kind
    guards = Guards(
        after_unit_alone=frozenset(g["after_unit_alone"]),
        after_unit_by_unit={u: frozenset(cs) for u, cs in g["after_unit_by_unit"].items()},
        alone_units=frozenset(g["alone_units"]),
        glued_before=frozenset(g["glued_before"]),
        ordinal_before=tuple(g["ordinal_before"]),
        ordinal_last=frozenset(w[-1] for w in g["ordinal_before"]),
        between_units=frozenset(g["between_units"]),
        between_joiners=frozenset(g["between_joiners"]),
        fraction_not_after=frozenset(g["fraction_not_after"]),
        vague_before=frozenset(g["vague_before"]),
        blocked_before=frozenset(g["glued_before"]) | frozenset(g["unread_numeral_chars"]),
        unit_specific=frozenset(g["alone_units"]) | frozenset(g["between_units"]) | frozenset(g["after_unit_by_unit"]),
    )
    return Lexicon(unit_kind, dict(units["unit_alias"]),
                   {u: {k: float(v) for k, v in subs.items()} for u, subs in units["subunits"].items()},
                   units["hedge_inside_after"],
                   tuple(units["duration_cues_before"]), tuple(units["duration_cues_after"]),
                   hedges["prefix"], hedges["suffix_number"], hedges["suffix_unit"],
                   lexicon_files.lines("slogans.txt"),
                   {w: float(v) for w, v in fractions["words"].items()}, frozenset(fractions["not_after"]),
                   guards, frozenset(units.get("bracketed_alternatives", ())))


# ------------------------------------------------------------------ the number
_SMALL_UNITS = "十百千拾佰仟"
_SIGN = "负-"
# Characters of a number's run (validated afterwards by read_numeral): Arabic digits,
# Chinese and 大写 numerals; a comma only between digits in threes, a point only
# between digits, 点 only before a digit.
_RUN_CHARS = "".join(sorted(set(CHINESE_NUMERAL_CHARS) - set("兩萬億幺") | set(FORMAL_NUMERAL_CHARS)))


def _run(unit_words) -> str:
    """The regex of a number's run. A 十百千 that opens a unit (千米, 千瓦, 百分点) is left
    to the unit: 七万二千五百千瓦 is 72,500 千瓦, not 七万二千五百千 瓦."""
    heads: dict[str, list[str]] = {"百": ["分"]}       # 百分之, 百分点, 百分位: 七十|百分位
    for u in unit_words:
        if len(u) > 1 and u[0] in _SMALL_UNITS:
            heads.setdefault(u[0], []).append(u[1:])
    plain = "".join(c for c in _RUN_CHARS if c not in heads)
    guarded = "".join(f"|{re.escape(c)}(?!{alternation(rest)})" for c, rest in sorted(heads.items()))
    piece = (rf"[0-9{plain}]{guarded}"
             rf"|(?<=[0-9]),(?=[0-9]{{3}}(?![0-9]))|(?<=[0-9])\.(?=[0-9])|点(?=[0-9{DECIMAL_DIGIT_CHARS}])")
    return rf"(?:[0-9{plain}]{guarded})(?:{piece})*"


def _unit_forms(lx: Lexicon) -> dict[str, tuple[str, Optional[str]]]:
    """Each way a unit is written -> (the unit recorded, a hedge written inside it):
    个月 -> (个月, None), 个多月 -> (个月, 多), 圆 -> (元, None)."""
    forms: dict[str, tuple[str, Optional[str]]] = {}
    for u in lx.unit_kind:
        forms[u] = (lx.unit_alias.get(u, u), None)
        head = lx.hedge_inside_after
        if len(u) > len(head) and u.startswith(head):
            for h in lx.suffix_number:
                forms[head + h + u[len(head):]] = (u, h)
    return forms


@lru_cache(maxsize=1)
def unit_forms() -> dict[str, tuple[str, Optional[str]]]:
    return _unit_forms(lexicon())


@lru_cache(maxsize=1)
def _unit_info() -> dict[str, tuple[str, Optional[str], str]]:
    """Each way a unit is written -> (the unit recorded, a hedge inside it, the unit's kind):
    one lookup per number found."""
    kinds = lexicon().unit_kind
    return {w: (u, h, kinds.get(u) or kinds.get(w, "other")) for w, (u, h) in unit_forms().items()}


@lru_cache(maxsize=1)
def claim_pattern() -> re.Pattern:
    first, claim = _claim_regex()
    return re.compile(f"(?={first}){claim}")      # fail fast: most positions start no claim


@lru_cache(maxsize=1)
def _scan_pattern() -> re.Pattern:
    """:func:`claim_pattern` as the scan runs it: the claim's first character, then the claim
    itself from there (a look-ahead within a one-character look-behind), so the match is
    that character and the groups are the claim's. The regex engine skips fast to the
    characters of a set that opens a pattern, not to those of a look-ahead."""
    first, claim = _claim_regex()
    return re.compile(f"{first}(?<=(?={claim}).)")


def _claim_regex() -> tuple[str, str]:
    """(the set of a claim's first characters, the claim) as regexes."""
    lx = lexicon()
    forms = unit_forms()
    run = _run(forms)
    first_chars = "".join(sorted({w[0] for w in lx.prefix})) + _RUN_CHARS + _SIGN
    unit_first = "".join(sorted({u[0] for u in forms}))
    return f"[0-9{re.escape(first_chars)}]", (
        rf"(?P<pre>{alternation(lx.prefix)})?"
        # a range's lower bound; first a cheap look for its dash past the run's characters
        rf"(?:(?=[0-9{_RUN_CHARS},.点]*+(?:至|到|-|~|—))(?P<lo>{run})(?:至|到|-|~|—)(?=[0-9{_RUN_CHARS}]))?"
        rf"(?P<num>[{_SIGN}]?{run})"
        rf"(?P<h1>{alternation(lx.suffix_number)})?"
        rf"(?P<mul>万亿|千万|百万|万|亿)?"
        rf"(?P<h2>{alternation(lx.suffix_number)})?"
        rf"(?=[{re.escape(unit_first)}])"         # only then try the unit alternatives (re tries them one by one)
        rf"(?P<unit>{alternation(forms)})"         # N分之M and 百分之N are read by fraction_pattern
        rf"(?P<post>{alternation(lx.suffix_unit)})?"
    )


@lru_cache(maxsize=1)
def fraction_pattern() -> re.Pattern:
    """What follows a 分之: the numerator, then a unit hedge (以上, 左右)."""
    return re.compile(rf"(?P<num>{_run(())})(?P<post>{alternation(lexicon().suffix_unit)})?")


@lru_cache(maxsize=1)
def _post_hedge() -> re.Pattern:
    return re.compile(alternation(lexicon().suffix_unit))


@lru_cache(maxsize=1)
def _prefixes() -> tuple[str, ...]:
    return tuple(sorted(lexicon().prefix, key=len, reverse=True))


def _prefix_before(text: str, i: int) -> str:
    """The hedge written right before ``i`` (近, 超过 …), or ""."""
    return next((p for p in _prefixes() if i >= len(p) and text.startswith(p, i - len(p))), "")


@lru_cache(maxsize=1)
def _subunit_pattern() -> re.Pattern:
    """Subunits after a money unit: 壹角捌分, 零壹分 (one digit each)."""
    names = sorted({s for subs in lexicon().subunits.values() for s in subs})
    digit = rf"[1-9{DECIMAL_DIGIT_CHARS.replace('零', '').replace('〇', '')}]"
    one = rf"零?(?P<d{{i}}>{digit})(?P<s{{i}}>{'|'.join(names)})"
    return re.compile(f"(?:{one.format(i=0)})(?:{one.format(i=1)})?(?![之钟0-9{_RUN_CHARS}])")


PLACEHOLDER_RE = re.compile(
    r"(?=[12Xx×*＊○◯〇])"     # fail fast where no placeholder can start
    r"(?:(?P<year>(?:19|20)[Xx×]{2})"
    r"|(?P<mask>\*{2,}|＊{2,})"
    r"|(?P<circle>(?<![一二三四五六七八九十零〇])[○◯〇]{2,}(?![一二三四五六七八九十零〇]))"
    # X, XX, ×× standing for a name or number; not inside formulas or codes (7×24, 1+N+X, 415X)
    r"|(?P<letter>(?<![A-Za-z0-9+\-/=×*＋])(?:X{1,3}|×{2,3}|x{2,3})(?![A-Za-z0-9+\-/=×*＋])))"
)

_QUOTE_RE = re.compile(r"“[^“”\n]{1,16}”|‘[^‘’\n]{1,16}’|\"[^\"\n]{1,16}\"|《[^《》\n]{1,40}》|〈[^〈〉\n]{1,40}〉|【[^【】\n]{1,20}】")
_NUMERAL_CHARS = frozenset("0123456789" + CHINESE_NUMERAL_CHARS + FORMAL_NUMERAL_CHARS)
_FORMAL = frozenset(FORMAL_NUMERAL_CHARS)
_BARE = frozenset("百千万亿")                 # a numeral of these alone needs a hedge: 逾百家, not 每千人
_UNIT_CHARS = frozenset("十百千万亿拾佰仟")
_ZERO_WORDS = frozenset("零〇")
_DENOMINATOR_CHARS = frozenset("0123456789" + _RUN_CHARS)

# Two placeholder characters in a row: every placeholder but an X holds them (the pattern
# is searched for only where this or an X is found; 〇 alone is common, in years).
_PLACEHOLDER_PAIR = re.compile(r"[Xx×*＊○〇◯][Xx×*＊○〇◯]")


def find_placeholders(norm: Normalized, raw_text: str) -> list[Placeholder]:
    out: list[Placeholder] = []
    if "X" not in norm.text and not _PLACEHOLDER_PAIR.search(norm.text):
        return out
    for m in PLACEHOLDER_RE.finditer(norm.text):
        kind = m.lastgroup or "letter"
        rs, re_ = norm.span_to_raw(m.start(), m.end())
        out.append(Placeholder(raw_text[rs:re_], rs, re_, kind))
    return out


@lru_cache(maxsize=1)
def _slogan_re() -> re.Pattern:
    # grouped by first character: the same matches as alternation(slogans) (a group keeps its
    # words' order, longest first), but at a position the engine tries one group, not every word
    groups: dict[str, list[str]] = {}
    for w in sorted(set(lexicon().slogans), key=lambda w: (-len(w), w)):
        groups.setdefault(w[0], []).append(re.escape(w[1:]))
    return re.compile("|".join(f"{re.escape(c)}(?:{'|'.join(rest)})" for c, rest in groups.items()))


def _protected_spans(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)]
    spans += [(m.start(), m.end()) for m in _slogan_re().finditer(text)]
    return sorted(spans)


class _Protected:
    """Quoted stretches and slogans (``_protected_spans``): numbers inside them are not claims.

    Spans are sorted by start with a running maximum of their ends, so whether one
    of them covers [s, e) is a bisection and a comparison.
    """

    def __init__(self, text: str):
        spans = _protected_spans(text)
        self.starts = [a for a, _ in spans]
        self.reach = list(accumulate((b for _, b in spans), max))

    def covers(self, s: int, e: int) -> bool:
        k = bisect.bisect_right(self.starts, s) - 1
        return k >= 0 and self.reach[k] >= e


# A claim found in the clean text, before its span is mapped to the extracted text:
# (start, end, num_start, unit_end, value, unit, approx, kind, conflict)
Found = tuple


def scan(text: str) -> list[Found]:
    """Every claim of the clean ``text``, in text order."""
    lx = lexicon()
    protected = _Protected(text)
    found = _pattern_claims(text, lx, protected)
    extra: list[Found] = []
    if "分之" in text:
        extra += _fraction_claims(text, lx, protected)
    if "/" in text:
        extra += _slash_fraction_claims(text, lx, protected)
    if any(w in text for w in lx.fraction_words):
        extra += _fraction_word_claims(text, lx, protected)
    if extra:
        # a fraction is read whole: a claim the main pattern made inside it is a piece of it
        starts = [f[0] for f in found]
        inside = set()
        for e in extra:
            k = bisect.bisect_left(starts, e[1])
            while k > 0 and found[k - 1][1] > e[0]:       # the pattern's claims do not overlap
                k -= 1
                inside.add(k)
        found = [f for k, f in enumerate(found) if k not in inside] + extra
        found.sort(key=lambda f: f[0])
    return found


_BRACKETED = re.compile(r"\(([\u4e00-\u9fff]{1,2})\)")   # a bracketed alternative unit, in the clean text

# Groups of claim_pattern(), by number: m.groups() and m.span(i) are cheaper than lookups by name.
_LO, _NUM, _UNIT, _POST = 2, 3, 7, 8


def _claims_found(text: str):
    """The matches of :func:`_scan_pattern` in ``text`` and where each claim ends: those
    ``claim_pattern().finditer`` finds, each search starting where the last claim ended."""
    search = _scan_pattern().search
    m = search(text)
    while m:
        end = max(m.end(_UNIT), m.end(_POST))       # the unit's hedge, if any, ends the claim
        yield m, end
        m = search(text, end)


def _pattern_claims(text: str, lx: Lexicon, protected: _Protected) -> list[Found]:
    out: list[Found] = []
    unit_kind = lx.unit_kind
    info = _unit_info()
    guards = lx.guards
    for m, end in _claims_found(text):
        pre, lo, num, h1, mul, h2, written_unit, post = m.groups()
        s = m.start(_NUM)
        start = m.start()
        if num[0] in _SIGN and not _is_sign(text, s, lx):
            # 肩负3项 (the verb's 负), 6%-6.5% (a range's dash): the number after it, unsigned
            num, s = num[1:], s + 1
            start = max(start, s) if not (pre or lo) else start
        unit, inner_hedge, kind = info[written_unit]
        unit_end = m.end(_UNIT)
        first = m.start(_LO) if lo else s
        if not _acceptable(text, first, unit_end, bool(pre or h1 or h2), num, written_unit, kind, guards, protected):
            continue
        if kind == "duration" and not _duration_context(text, m.start(), end, pre, lx):
            continue
        value = _value(num, mul)
        if value is None or (lo and read_numeral(lo, isolated=False) is None):
            continue                          # not understood: no claim, and no piece of it either
        if unit in lx.subunits and not post:
            sub = _subunit_pattern().match(text, unit_end)
            if sub:                           # 壹拾壹元壹角壹分 = 11.11元
                value = _add_subunits(value, sub, lx.subunits[unit])
                end = unit_end = sub.end()
        alt = _BRACKETED.match(text, unit_end) if end == unit_end and text.startswith("(", unit_end) else None
        if alt and (alt.group(1) in lx.bracketed or unit + alt.group(1) in unit_kind):
            unit += alt.group(1)              # 45人(次): one unit, 人次
            kind = unit_kind.get(unit, kind)
            end = unit_end = alt.end()
        if lo:
            kind = "other"               # a range: 1至2个 -> 2, the upper bound
        approx, conflict = None, False
        if pre or h1 or h2 or post or inner_hedge:
            approx, conflict = _approx(lx, pre, h1 or h2 or inner_hedge, post)
            if start > 0 and ((pre == "近" and text[start - 1] in "最附将接")
                              or (pre == "约" and text[start - 1:start + 1] not in lx.prefix
                                  and opens_word(text[start - 1:start + 1], 2, _COMMON_WORD))):
                # 最近/附近 ("recently"), 签约/节约/制约 (a word): not a hedge on the number
                start = m.start(_LO) if lo else s
                approx, conflict = _approx(lx, None, h1 or h2 or inner_hedge, post)
        out.append((start, end, s, unit_end, value, unit, approx, kind, conflict))
    return out


_COMMON_WORD = 30       # dictionary frequency of a word (签约, 节约) that 约 before a number belongs to


def _is_sign(text: str, s: int, lx: Lexicon) -> bool:
    """Whether the 负 or - at ``s`` is a minus sign (负3.9%, 增长-2.1%), not part of a word
    (减负, 肩负, 胜负: the dictionary's words) or of a code or range (A-3, 6%-6.5%)."""
    before = text[s - 1] if s else ""
    if text[s] == "-":
        return before not in lx.guards.glued_before and before not in _NUMERAL_CHARS
    return not (before and opens_word(text[s - 1:s + 1]))


def _add_subunits(value: float, sub: re.Match, subs: dict[str, float]) -> float:
    total = Decimal(repr(value))
    for i in (0, 1):
        d = sub.group(f"d{i}")
        if d:
            digit = read_numeral(d)
            total += Decimal(repr(digit)) * Decimal(repr(subs[sub.group(f"s{i}")])) * (1 if value >= 0 else -1)
    return float(total)


def _fraction_claims(text: str, lx: Lexicon, protected: _Protected) -> list[Found]:
    """N分之M: a fraction in percent (SCHEMA). 百分之N, 千分之N and 万分之N take any
    numerator (百分之120, 千分之2.4); a written denominator takes a whole numerator no
    larger than it (三分之二, 十六分之五). Any other form is not understood: no claim."""
    out: list[Found] = []
    g = lx.guards
    k = text.find("分之")
    while k >= 0:
        at, k = k, text.find("分之", k + 2)
        first = at
        while first and text[first - 1] in _DENOMINATOR_CHARS:
            first -= 1
        m = fraction_pattern().match(text, at + 2)
        if first == at or not m:
            continue
        den, num, post = text[first:at], m.group("num"), m.group("post")
        pre = _prefix_before(text, first)
        before = text[first - 1] if first else ""
        after = text[m.end("num"):m.end("num") + 1]
        start = first - len(pre)
        if (not pre and (before in g.glued_before or before in g.fraction_not_after)) \
                or (after.isascii() and after.isalnum()) or protected.covers(start, m.end()):
            continue
        numerator = read_numeral(num, isolated=False)
        if numerator is None or numerator < 0:
            continue
        if set(den) <= _BARE:                                  # 百分之, 千分之, 万分之, 百万分之
            value = exact_ratio(numerator, multiplier(den), 100)
        else:
            denominator = read_numeral(den, isolated=False)
            if not denominator or numerator != int(numerator) or not 0 < numerator <= denominator:
                continue                                       # 五百分之2.2, 二十五分之一百四十四
            value = exact_ratio(numerator, denominator, 100)
        if value is None:
            continue
        approx = lx.prefix.get(pre) or lx.suffix_unit.get(post or "")
        out.append((start, m.end(), first, m.end(), value, "%", approx, "percent", False))
    return out


_SLASH_FRACTION = re.compile(r"[1-9][0-9]?/[1-9][0-9]?")


def _slash_fraction_claims(text: str, lx: Lexicon, protected: _Protected) -> list[Found]:
    """1/3, 1/4 in running text (占全国1/3以上): a proper fraction between Chinese words,
    in percent. Not a date, a code or a page (2024/1/5, 1/3 alone on a line, 第1/3页)."""
    out: list[Found] = []
    g = lx.guards
    for m in _SLASH_FRACTION.finditer(text):
        first, end = m.span()
        before, after = text[first - 1] if first else "", text[end:end + 1]
        if not ("\u4e00" <= before <= "\u9fff") or (after and after in "0123456789/.") \
                or (after.isascii() and after.isalpha()):
            continue
        numerator, _, denominator = m.group().partition("/")
        if int(numerator) >= int(denominator) or \
                (before in g.ordinal_last and text[max(0, first - 2):first].endswith(g.ordinal_before)):
            continue
        pre = _prefix_before(text, first)
        post = _post_hedge().match(text, end)
        stop = post.end() if post else end
        if protected.covers(first - len(pre), stop):
            continue
        approx = lx.prefix.get(pre) or (lx.suffix_unit.get(post.group()) if post else None)
        out.append((first - len(pre), stop, first, stop, exact_ratio(int(numerator), int(denominator), 100), "%",
                    approx, "percent", False))
    return out


def _fraction_word_claims(text: str, lx: Lexicon, protected: _Protected) -> list[Found]:
    """一半: a proportion written as a word, in percent."""
    out: list[Found] = []
    for word, value in lx.fraction_words.items():
        w = text.find(word)
        while w >= 0:
            at, w = w, text.find(word, w + len(word))
            before = text[at - 1] if at else ""
            if before in lx.fraction_word_not_after or before in _NUMERAL_CHARS:
                continue
            pre = _prefix_before(text, at)
            post = _post_hedge().match(text, at + len(word))
            stop = post.end() if post else at + len(word)
            if protected.covers(at - len(pre), stop):
                continue
            approx = lx.prefix.get(pre) or (lx.suffix_unit.get(post.group()) if post else None)
            out.append((at - len(pre), stop, at, stop, value, "%", approx, "percent", False))
    return out


@lru_cache(maxsize=4096)
def _value(num: str, mul: Optional[str]) -> Optional[float]:
    """The number's value with its multiplier (500余万: 500 and 万 around the hedge), or
    None when it is not understood or not a finite number."""
    if not mul and num.isdecimal():
        v = float(num)                        # whole digits: nothing to read
        return v if isfinite(v) else None
    if set(num) <= _BARE:
        return float(multiplier(num + (mul or "")))   # 突破万亿元, 逾百家: a bare multiplier after a hedge
    return read_numeral(num + mul if mul else num, isolated=False)


def _acceptable(text: str, first: int, unit_end: int, hedged: bool, num: str, unit: str, kind: str,
                g: Guards, protected: _Protected) -> bool:
    """Whether the number ``num`` (its range or sign from ``first``) with its unit ending
    at ``unit_end`` states a quantity."""
    before = text[first - 1] if first else ""
    # digits glued to letters/digits/formula signs/escapes: 12366热线, 1+2+N+1, 20XX, %2020%
    if before in g.blocked_before or (before == " " and text[first - 2:first - 1].isdigit()):
        return False                          # 5 1 6 0 元 (digits spaced out): a piece of a number
    digits = num.lstrip(_SIGN) if num[0] in _SIGN else num
    arabic = digits[0] <= "9"
    if arabic:
        if unit == "年" and len(digits) == 4:
            return False
    elif not _acceptable_chinese(text, first, hedged, digits, before, kind, g):
        return False
    if before in g.ordinal_last and text[max(0, first - 2):first].endswith(g.ordinal_before):
        return False
    after_unit = text[unit_end:unit_end + 1]
    if kind != "count" and "\u4e00" <= after_unit <= "\u9fff" and set(digits) <= _BARE:
        return False                          # 超亿元项目, 百万吨基地: a bare amount naming a class (突破万亿元。 is one)
    if after_unit in g.after_unit_alone and not opens_word(text[unit_end:unit_end + 4]):
        return False                          # 三人制, 万吨级, 一百年时 (3项制度, 3个中心 are counts)
    if unit in g.unit_specific:
        if after_unit in g.after_unit_by_unit.get(unit, ()):
            return False                      # 2023年度, 七成六
        if unit in g.alone_units and opens_word(text[unit_end - len(unit):unit_end + 3]):
            return False                      # 二十成员国, 圆满
        if unit in g.between_units and before in g.between_joiners and text[first - 2:first - 1] in _NUMERAL_CHARS:
            return False                      # 10000与20000间: "between"
    if unit == "个" and not arabic and starts_with_verb(text[unit_end:unit_end + 6]):
        return False                          # 六个引领工作法, 两个确立: numeral + 个 + a verb is a slogan
    return not protected.covers(first, unit_end)


def _acceptable_chinese(text: str, first: int, hedged: bool, num: str, before: str, kind: str, g: Guards) -> bool:
    if before in _NUMERAL_CHARS:
        return False                      # inside a longer numeral
    if len(num) == 1 and (num in _FORMAL or num in _ZERO_WORDS):
        return False                      # 陆地, 入伍, 拾起: one 大写 character is a word; so is 零 (零容忍)
    if num[0] in _UNIT_CHARS:
        if before in g.vague_before:
            return False                  # 几十种, 数百人: no number is stated
        if not hedged and set(num) <= _BARE:
            return False                  # 万人次 in a table header, 千人 of 每千人, 亿元以上项目 (逾百家, 千余家 are fine)
    if num == "一" and kind != "percent":
        return False                      # 一个/一次: an article, not a count (一成 is a proportion)
    return not (before == "第" or text[max(0, first - 2):first] in ("十九", "二十"))


def _duration_context(text: str, s: int, e: int, pre: Optional[str], lx: Lexicon) -> bool:
    before = text[max(0, s - 3):s]
    after = text[e:e + 2]
    if pre and lx.prefix.get(pre) == "近":
        return True
    return before.endswith(lx.duration_before) or after.startswith(lx.duration_after)


def _approx(lx: Lexicon, pre: Optional[str], mid: Optional[str], post: Optional[str]) -> tuple[Optional[str], bool]:
    """The hedge of a claim from its prefix, number suffix and unit suffix, and whether two conflict."""
    pre = lx.prefix.get(pre or "")
    suffix = lx.suffix_number.get(mid or "") or lx.suffix_unit.get(post or "")
    if pre and suffix:
        return f"{pre}…{suffix}", True
    return pre or suffix, False
