"""The claim scan: numbers with a unit (and hedges) in the clean text, and what is not a claim.

Compiled patterns run over the clean text (``text.normalize.Normalized``); units,
hedges and the slogan stop-list are data files in ``summaryscan/lexicon``. Not
claims: dates and years, ordinals (第一议题), numbers inside quoted slogans, book
titles and formulas (“两个确立”, 《…200题》, 1+2+N+1, 7×24小时), heading markers,
phone and document numbers, and masked numbers (X个), which are placeholders instead.
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
from ..text.numerals import multiplier, parse_chinese, parse_number
from ..text.patterns import CN_NUMERALS, alternation
from ..text.pos import starts_with_verb

@dataclass(frozen=True)
class Lexicon:
    unit_kind: dict[str, str]
    duration_before: tuple[str, ...]
    duration_after: tuple[str, ...]
    prefix: dict[str, str]
    suffix_number: dict[str, str]
    suffix_unit: dict[str, str]
    slogans: tuple[str, ...]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    units = lexicon_files.data("units.yaml")
    hedges = lexicon_files.data("hedges.yaml")
    unit_kind = {}
    for kind in ("count", "money", "area", "duration", "percent", "other"):
        for u in units[kind]:
            unit_kind[str(u)] = kind
    slogans = lexicon_files.lines("slogans.txt")
    return Lexicon(unit_kind, tuple(units["duration_cues_before"]), tuple(units["duration_cues_after"]),
                   hedges["prefix"], hedges["suffix_number"], hedges["suffix_unit"], slogans)


@lru_cache(maxsize=1)
def claim_pattern() -> re.Pattern:
    lx = lexicon()
    cn = CN_NUMERALS
    first_chars = "".join(sorted({w[0] for w in lx.prefix})) + cn
    unit_first = "".join(sorted({u[0] for u in lx.unit_kind}))
    return re.compile(
        rf"(?=[\d{first_chars}])"          # fail fast: most positions start no claim
        rf"(?P<pre>{alternation(lx.prefix)})?"
        rf"(?:(?P<lo>\d+(?:\.\d+)?)(?:至|到|-|~|—)(?=\d))?"
        rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{cn}]+)"
        rf"(?P<h1>{alternation(lx.suffix_number)})?"
        rf"(?P<mul>万亿|千万|百万|万|亿)?"
        rf"(?P<h2>{alternation(lx.suffix_number)})?"
        rf"(?=[{re.escape(unit_first)}])"   # only then try the unit alternatives (re tries them one by one)
        rf"(?P<unit>{alternation(lx.unit_kind)})"       # 百分之N is read by _PCT_WORD_RE
        rf"(?P<post>{alternation(lx.suffix_unit)})?"
    )


_PCT_WORD_RE = re.compile(r"(?=[近约超逾百])(?P<pre>近|约|超过|逾)?百分之(?P<num>[零〇一二两三四五六七八九十百千\d.]+)(?P<post>以上|左右)?")

PLACEHOLDER_RE = re.compile(
    r"(?=[12Xx×*＊○◯〇])"     # fail fast where no placeholder can start
    r"(?:(?P<year>(?:19|20)[Xx×]{2})"
    r"|(?P<mask>\*{2,}|＊{2,})"
    r"|(?P<circle>(?<![一二三四五六七八九十零〇])[○◯〇]{2,}(?![一二三四五六七八九十零〇]))"
    # X, XX, ×× standing for a name or number; not inside formulas or codes (7×24, 1+N+X, 415X)
    r"|(?P<letter>(?<![A-Za-z0-9+\-/=×*＋])(?:X{1,3}|×{2,3}|x{2,3})(?![A-Za-z0-9+\-/=×*＋])))"
)

_QUOTE_RE = re.compile(r"“[^“”\n]{1,16}”|‘[^‘’\n]{1,16}’|\"[^\"\n]{1,16}\"|《[^《》\n]{1,40}》|〈[^〈〉\n]{1,40}〉|【[^【】\n]{1,20}】")
_FORMULA_CHARS = frozenset("+×*/=<>~^")
# Characters before a number that glue it into a code or formula (ASCII only: × is fine there).
_GLUED_BEFORE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+*/=<>~^.")
_NOT_AFTER_UNIT = frozenset("制级型后中届大号月日时点")
_ORDINAL_BEFORE = ("第", "前", "首", "倒数", "排名", "位列", "第一", "每")   # 每千人: a rate's base
_ORDINAL_LAST = frozenset(w[-1] for w in _ORDINAL_BEFORE)
_CN_DIGITS = frozenset(CN_NUMERALS)

_PLACEHOLDER_CHARS = re.compile(r"[Xx×*＊○〇◯]")
_DECIMAL_RE = re.compile(r"[\d.]+")


def find_placeholders(norm: Normalized, raw_text: str) -> list[Placeholder]:
    out: list[Placeholder] = []
    if not _PLACEHOLDER_CHARS.search(norm.text):
        return out
    for m in PLACEHOLDER_RE.finditer(norm.text):
        kind = m.lastgroup or "letter"
        rs, re_ = norm.span_to_raw(m.start(), m.end())
        out.append(Placeholder(raw_text[rs:re_], rs, re_, kind))
    return out


@lru_cache(maxsize=1)
def _slogan_re() -> re.Pattern:
    return re.compile(alternation(lexicon().slogans))


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
    if "百分之" in text:
        found += _percent_word_claims(text, lx, protected)
        found.sort(key=lambda f: f[0])
    return found


# Groups of claim_pattern(), by number: m.groups() and m.span(i) are cheaper than lookups by name.
_LO, _NUM, _UNIT = 2, 3, 7


def _pattern_claims(text: str, lx: Lexicon, protected: _Protected) -> list[Found]:
    out: list[Found] = []
    unit_kind = lx.unit_kind
    for m in claim_pattern().finditer(text):
        pre, lo, num, h1, mul, h2, unit, post = m.groups()
        s, e = m.span(_NUM)
        unit_end = m.end(_UNIT)
        if not _acceptable(text, s, e, unit_end, pre, num, unit, protected):
            continue
        kind = unit_kind.get(unit, "other")
        if kind == "duration" and not _duration_context(text, m, lx):
            continue
        value = _value(num, mul)
        if value is None:
            continue
        if lo:
            kind = "other"               # a range: 1至2个 -> 2, the upper bound
        start, end = m.span()
        approx, conflict = None, False
        if pre or h1 or h2 or post:
            approx, conflict = _approx(lx, pre, h1 or h2, post)
            if pre == "近" and start > 0 and text[start - 1] in "最附将接":
                # 最近/附近: "recently", not a hedge on the number
                start = m.start(_LO) if lo else s
                approx, conflict = _approx(lx, None, h1 or h2, post)
        out.append((start, end, s, unit_end, value, unit, approx, kind, conflict))
    return out


def _percent_word_claims(text: str, lx: Lexicon, protected: _Protected) -> list[Found]:
    """百分之N: the percent sign spelled out."""
    out: list[Found] = []
    for m in _PCT_WORD_RE.finditer(text):
        if protected.covers(m.start(), m.end()):
            continue
        n = m.group("num")
        value = parse_number(n) if _DECIMAL_RE.fullmatch(n) else parse_chinese(n)
        if value is None:
            continue
        pre = lx.prefix.get(m.group("pre") or "", None)
        post = lx.suffix_unit.get(m.group("post") or "", None)
        out.append((m.start(), m.end(), m.start("num"), m.end(), float(value), "%", pre or post, "percent", False))
    return out


@lru_cache(maxsize=4096)
def _value(num: str, mul: Optional[str]) -> Optional[float]:
    """The number's value, or None when it is not a finite number (a run of hundreds of digits)."""
    if not mul and num.isdecimal():
        value = float(num)                    # whole digits: parse_number's value, nothing to round
    else:
        v = parse_number(num) if num[0].isdigit() else parse_chinese(num)
        if v is None:
            return None
        if mul:                               # 128.42亿: exact decimal arithmetic, no float error
            amount = Decimal(repr(v)) * multiplier(mul)
            # six decimals fit Decimal's 28 digits below 10**15; above, a float has no fraction to round
            value = float(round(amount, 6) if amount.is_finite() and amount.adjusted() < 15 else amount)
        else:
            value = round(float(v), 6)
    return value if isfinite(value) else None


def _acceptable(text: str, s: int, e: int, unit_end: int, pre: Optional[str], num: str, unit: str,
                protected: _Protected) -> bool:
    """Whether the number at [s, e) with its unit ending at ``unit_end`` states a quantity."""
    before = text[s - 1] if s else ""
    # digits glued to letters/digits/formula signs: 12366热线, 1+2+N+1, 7×24小时, 20XX
    if before in _GLUED_BEFORE or text[e:e + 1] in _FORMULA_CHARS:
        return False
    arabic = num[0].isdigit()
    if not arabic and not _acceptable_chinese(text, s, pre, num, before):
        return False
    if before in _ORDINAL_LAST and text[max(0, s - 2):s].endswith(_ORDINAL_BEFORE):
        return False
    if unit == "年" and arabic and len(num) == 4:
        return False
    after_unit = text[unit_end:unit_end + 1]
    if after_unit in _NOT_AFTER_UNIT or (unit == "年" and after_unit == "度"):
        return False                          # 三人制, 四星级, 80后, 2023年度 ...
    if unit == "个" and not arabic and starts_with_verb(text[unit_end:unit_end + 6]):
        return False                          # 六个引领工作法, 两个确立: numeral + 个 + a verb is a slogan
    return not protected.covers(s, e)


def _acceptable_chinese(text: str, s: int, pre: Optional[str], num: str, before: str) -> bool:
    if before in _CN_DIGITS or parse_chinese(num) is None:
        return False
    if not num.strip("万亿") or (not num.strip("百千") and not pre):
        return False                      # 万人次 in a table header; 千人 of 每千人 (逾百家 is fine)
    if num == "一" or (len(num) > 1 and num[0] == "一" and num[1] not in "十百千万亿"):
        return False                      # 一个/一次: an article, not a count
    return not (before == "第" or text[max(0, s - 2):s] in ("十九", "二十"))


def _duration_context(text: str, m: re.Match, lx: Lexicon) -> bool:
    s = m.start()
    before = text[max(0, s - 3):s]
    after = text[m.end():m.end() + 2]
    if m.group("pre") and lx.prefix.get(m.group("pre")) == "近":
        return True
    return before.endswith(lx.duration_before) or after.startswith(lx.duration_after)


def _approx(lx: Lexicon, pre: Optional[str], mid: Optional[str], post: Optional[str]) -> tuple[Optional[str], bool]:
    """The hedge of a claim from its prefix, number suffix and unit suffix, and whether two conflict."""
    pre = lx.prefix.get(pre or "")
    suffix = lx.suffix_number.get(mid or "") or lx.suffix_unit.get(post or "")
    if pre and suffix:
        return f"{pre}…{suffix}", True
    return pre or suffix, False
