"""Numeric claims: a number stating how much a unit did, has or achieved.

The scan runs compiled patterns over the clean text (``normalize.Normalized``);
jieba is used only on the few characters around each claim to find its subject,
so extraction stays fast. Units, hedges and the slogan stop-list are data files
in ``summaryscan/lexicon``.

Not claims: dates and years, ordinals (第一议题), numbers inside quoted slogans,
book titles and formulas (“两个确立”, 《…200题》, 1+2+N+1, 7×24小时), heading
markers, phone and document numbers, and masked numbers (X个) which are
recorded as placeholders instead.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from math import isfinite, log
from typing import Optional

import yaml

from .normalize import Normalized
from .numbers import parse_chinese, parse_number, multiplier
from .records import Claim, Placeholder

# ------------------------------------------------------------------ lexicon


@dataclass(frozen=True)
class Lexicon:
    unit_kind: dict[str, str]
    duration_before: tuple[str, ...]
    duration_after: tuple[str, ...]
    prefix: dict[str, str]
    suffix_number: dict[str, str]
    suffix_unit: dict[str, str]
    slogans: tuple[str, ...]


def _read(name: str) -> str:
    return resources.files("summaryscan.lexicon").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    units = yaml.safe_load(_read("units.yaml"))
    hedges = yaml.safe_load(_read("hedges.yaml"))
    unit_kind = {}
    for kind in ("count", "money", "area", "duration", "percent", "other"):
        for u in units[kind]:
            unit_kind[str(u)] = kind
    slogans = tuple(ln.strip() for ln in _read("slogans.txt").splitlines()
                    if ln.strip() and not ln.startswith("#"))
    return Lexicon(unit_kind, tuple(units["duration_cues_before"]), tuple(units["duration_cues_after"]),
                   hedges["prefix"], hedges["suffix_number"], hedges["suffix_unit"], slogans)


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def claim_pattern() -> re.Pattern:
    lx = lexicon()
    cn = "零〇一二两三四五六七八九十百千万亿"
    first_chars = "".join(sorted({w[0] for w in lx.prefix})) + cn
    unit_first = "".join(sorted({u[0] for u in lx.unit_kind}))
    return re.compile(
        rf"(?=[\d{first_chars}])"          # fail fast: most positions start no claim
        rf"(?P<pre>{_alt(lx.prefix)})?"
        rf"(?:(?P<lo>\d+(?:\.\d+)?)(?:至|到|-|~|—)(?=\d))?"
        rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{cn}]+)"
        rf"(?P<h1>{_alt(lx.suffix_number)})?"
        rf"(?P<mul>万亿|千万|百万|万|亿)?"
        rf"(?P<h2>{_alt(lx.suffix_number)})?"
        rf"(?=[{re.escape(unit_first)}])"   # only then try the unit alternatives (re tries them one by one)
        rf"(?P<unit>{_alt(lx.unit_kind)})"       # 百分之N is read by _PCT_WORD_RE
        rf"(?P<post>{_alt(lx.suffix_unit)})?"
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
_CN_DIGITS = set("零〇一二两三四五六七八九十百千万亿")

# Words between a preceding clause and the number that are not part of the subject.
_LEAD_STRIP = ("累计", "共计", "合计", "总计", "共", "达到", "达", "计", "分别", "均", "先后", "为", "有", "是",
               "等", "约", "各")
_SUBJECT_PREFIX_STRIP = ("各类", "各级", "各项", "各种", "全体", "相关", "所有", "全部", "其中", "全年", "年内", "今年",
                         "本年", "全市", "全县", "全区", "其他", "以上", "新增")
# First or last characters of those words: a set lookup rules most strings out before
# a scan of the whole tuple.
_LEAD_LAST = frozenset(w[-1] for w in _LEAD_STRIP)
_SUBJECT_PREFIX_FIRST = frozenset(w[0] for w in _SUBJECT_PREFIX_STRIP)
# The last clause end before a number opens the clause it stands in (、 ends none).
_CLAUSE_END = re.compile(r"[,。;:!?\n()（）]")
_AFTER_BOUNDARY = re.compile(r"[,。;:!?\n、()（）]")
# _AFTER_BOUNDARY's characters: after one of them (a line break ends a paragraph) nothing is the number's subject
_BOUNDARY_CHARS = frozenset(",。;:!?、()（）\n")
_CONNECTORS = frozenset({"、", "和", "及", "与", "以及"})
_ETC = frozenset({"等", "等方面"})
_ASPECT = frozenset({"方面", "在内"})      # ends a subject read leftwards from the number
_VERBAL_MEASURES = {"次", "场次", "轮", "遍", "回", "趟"}


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
    return re.compile(_alt(lexicon().slogans))


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


# A claim found in the clean text, before its span is mapped to the extracted text.
_Found = tuple  # (start, end, num_start, unit_end, value, unit, approx, kind, conflict)


def extract_claims(doc: str, norm: Normalized, raw_text: str) -> list[Claim]:
    text = norm.text
    lx = lexicon()
    protected = _Protected(text)
    found = _pattern_claims(text, lx, protected)
    percent = _percent_word_claims(text, lx, protected) if "百分之" in text else []
    # each list is in text order without overlaps: its starts and ends ascend
    raw_starts, raw_ends = [], []
    for part in (found, percent):
        raw_starts += norm.offsets_to_raw([f[0] for f in part])
        raw_ends += norm.offsets_to_raw([f[1] for f in part], ends=True)
    found += percent
    claims = [Claim(doc=doc, raw=raw_text[rs:re_], value=value, unit=unit, approx=approx, subject="", kind=kind,
                    start=rs, end=re_, hedge_conflict=conflict)
              for (_, _, _, _, value, unit, approx, kind, conflict), rs, re_ in zip(found, raw_starts, raw_ends)]
    order = list(range(len(claims)))
    if percent:
        order.sort(key=lambda i: claims[i].start)
    _assign_subjects(text, [claims[i] for i in order], [found[i] for i in order])
    return [claims[i] for i in order]


# Groups of claim_pattern(), by number: m.groups() and m.span(i) are cheaper than lookups by name.
_LO, _NUM, _UNIT = 2, 3, 7


def _pattern_claims(text: str, lx: Lexicon, protected: _Protected) -> list[_Found]:
    out: list[_Found] = []
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


def _percent_word_claims(text: str, lx: Lexicon, protected: _Protected) -> list[_Found]:
    """百分之N: the percent sign spelled out."""
    out: list[_Found] = []
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
    if unit == "个" and not arabic and _starts_with_verb(text[unit_end:unit_end + 6]):
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


# ------------------------------------------------------------------ subjects


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba
    import jieba.posseg as pseg
    jieba.setLogLevel(logging.WARNING)
    path = resources.files("summaryscan.lexicon").joinpath("domain_words.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and not line.startswith("#"):
            word = parts[0]
            freq = int(parts[1]) if len(parts) > 1 else None
            tag = parts[2] if len(parts) > 2 else None
            jieba.add_word(word, freq, tag)
    return pseg


@lru_cache(maxsize=1)
def _dictionary():
    """jieba's tokenizer (its word frequencies are prefix-closed) and POS tags,
    domain words included."""
    pseg = _jieba()
    import jieba
    jieba.dt.check_initialized()
    tags = dict(pseg.dt.word_tag_tab)
    tags.update(jieba.dt.user_word_tag_tab)
    return jieba.dt, tags


_ASCII_RUN = re.compile(r"[A-Za-z0-9.%+]+")


def _segment(s: str, out: list) -> None:
    """jieba's own segmentation (its DAG and max-probability route, no HMM), with
    tags from its dictionary, run here: the windows around a number are a few
    characters long and jieba's wrapper layers cost more than the search."""
    dt, tags = _dictionary()
    pos = 0
    for m in _ASCII_RUN.finditer(s):
        if m.start() > pos:
            _route(dt, s[pos:m.start()], tags, out)
        word = m.group()
        out.append((word, "m" if word[0].isdigit() else "eng"))
        pos = m.end()
    if pos < len(s):
        _route(dt, s[pos:], tags, out)


@lru_cache(maxsize=1)
def _log_probs(dictionary_state: tuple) -> dict[str, float]:
    """A memo of log(freq / total) per word (``_PREFIX_ONLY`` for a prefix of words),
    for one state of jieba's dictionary (``add_word`` changes its total and size)."""
    return {}


_NO_WORD = float("-inf")
_PREFIX_ONLY = 1.0    # memo entry of a fragment that only starts longer words (log-probabilities are < 0)


def _route(dt, s: str, tags: dict, out: list) -> None:
    """jieba's maximum-probability route over its word DAG, in one backward pass.

    Equals ``dt.calc(s, dt.get_DAG(s), route)`` (same floats, and on a tie the
    longer word wins), without building the DAG and route dictionaries.
    """
    freq, logtotal = dt.FREQ, log(dt.total)
    memo = _log_probs((id(freq), dt.total, len(freq)))
    n = len(s)
    score = [0.0] * (n + 1)
    nxt = list(range(1, n + 1))          # a character that starts no word stands alone
    known = memo.get
    for i in range(n - 1, -1, -1):
        best = _NO_WORD
        for j in range(i + 1, n + 1):    # every dictionary word starting at i
            frag = s[i:j]
            lp = known(frag)
            if lp is None:
                f = freq.get(frag)
                if f is None:
                    break                # no word starts with frag
                lp = memo[frag] = log(f) - logtotal if f else _PREFIX_ONLY
            if lp == _PREFIX_ONLY:
                continue                 # a prefix, not a word
            v = lp + score[j]
            if v >= best:
                best = v
                nxt[i] = j
        score[i] = best if best != _NO_WORD else -logtotal + score[i + 1]
    i = 0
    while i < n:
        j = nxt[i]
        word = s[i:j]
        out.append((word, tags.get(word, "x")))
        i = j


_QUOTED_RE = re.compile(r"“[^“”]*”|《[^《》]*》")


@lru_cache(maxsize=8192)
def _tokens(s: str) -> tuple[tuple[str, str], ...]:
    """POS tokens, with quoted stretches (“…”) kept whole as nouns."""
    out: list[tuple[str, str]] = []
    if "“" not in s and "《" not in s:
        _segment(s, out)
        return tuple(out)
    pos = 0
    for q in _QUOTED_RE.finditer(s):
        if q.start() > pos:
            _segment(s[pos:q.start()], out)
        out.append((q.group(), "nq"))
        pos = q.end()
    if pos < len(s):
        _segment(s[pos:], out)
    return tuple(out)


@lru_cache(maxsize=1)
def trigger_verbs() -> frozenset[str]:
    return frozenset(w for ln in _read("verbs.txt").splitlines() if not ln.startswith("#") for w in ln.split())


class _ByFlag(dict):
    """POS flag -> ``rule(flag)``, worked out the first time a flag is seen."""

    def __init__(self, rule):
        super().__init__()
        self.rule = rule

    def __missing__(self, flag: str) -> bool:
        value = self[flag] = self.rule(flag)
        return value


def _verb_flag(flag: str) -> bool:
    return flag.startswith("v") and flag != "vn"


def _starts_with_verb(s: str) -> bool:
    s = _AFTER_BOUNDARY.split(s)[0]
    if not s:
        return False
    toks = _tokens(s)
    return bool(toks) and toks[0][1][:1] in ("v", "d", "a", "p") and toks[0][1] != "vn"


_NOUNISH = ("n", "nq", "vn", "j", "nz", "ng", "b", "an", "nr", "ns", "nt")


def _is_nounish(flag: str) -> bool:
    return flag.startswith("n") or flag in _NOUNISH


_VERB_FLAG = _ByFlag(_verb_flag)
_NOUNISH_FLAG = _ByFlag(_is_nounish)
# Flags that end a subject phrase (besides verbs), read forwards after a number or backwards before it.
_ENDS_AFTER = _ByFlag(lambda f: _verb_flag(f) or f.startswith("u") or
                      f in ("p", "c", "u", "d", "uj", "ul", "r", "a", "i", "l", "m", "q", "x"))
_ENDS_BEFORE = _ByFlag(lambda f: _verb_flag(f) or f.startswith("u") or
                       f in ("p", "c", "u", "uj", "ul", "d", "r", "m", "q", "f", "x"))


_WINDOW = 12      # characters segmented beside a number; more only when the phrase reaches the edge


def _subject_after(s: str, skip_verbs: bool = False) -> str:
    """The noun phrase right after a measure word: 35个[党支部]完成…

    With ``skip_verbs`` leading verbs are passed over first (两次主持召开了[…会议],
    连续五年开展[…活动]).
    """
    s = s.lstrip(" \t\u3000")        # not past a line break: the next paragraph is not this number's
    if s.startswith("的"):
        s = s[1:]
    boundary = _AFTER_BOUNDARY.search(s)
    clause = s[:boundary.start()] if boundary else s
    window = clause[:_WINDOW]
    if not window or window[0] in "等各" or claim_pattern().match(window):
        return ""           # nothing, or straight into another quantity (24份71人次)
    found = _phrase_after(window, skip_verbs)
    if found is None:
        return ""
    toks, k, end = found
    if end >= len(toks) - 1 and len(clause) > _WINDOW:
        # the phrase runs into the window's edge, maybe through a word (安全事|故): segment
        # the rest of the clause and let the phrase end at the word across that edge, no later
        wide = _phrase_after(clause, skip_verbs)
        if wide is not None:
            toks, k, end = wide
            end = min(end, _token_at(toks, _WINDOW - 1) + 1)
    phrase = "".join(w for w, _ in toks[k:end])
    if len(phrase) < 2 and not _NOUNISH_FLAG[toks[k][1]]:
        return ""
    return phrase


def _phrase_after(s: str, skip_verbs: bool) -> Optional[tuple[tuple[tuple[str, str], ...], int, int]]:
    """``s``'s tokens and the noun phrase that opens it (after leading verbs with
    ``skip_verbs``) as ``toks[k:end]``, or None when it does not open with one."""
    toks = _tokens(s)
    verbs = trigger_verbs()
    k = 0
    if skip_verbs:
        while k < len(toks) and (toks[k][0] in verbs or _VERB_FLAG[toks[k][1]] or
                                 toks[k][1] in ("d", "u", "ul", "uj", "p")):
            k += 1
        # the object of the verb: its last noun chunk within the clause
    if k == len(toks):
        return None
    first_word, first = toks[k]
    ok_first = _NOUNISH_FLAG[first] or first in ("a", "b") or first_word.startswith("“")
    if first == "d" and k + 1 < len(toks) and _NOUNISH_FLAG[toks[k + 1][1]]:
        ok_first = True
    if not ok_first or first_word in verbs or _VERB_FLAG[first] or first in ("m", "q"):
        return None
    end = k + 1
    while end < len(toks):
        w, f = toks[end]
        if w in verbs or _ENDS_AFTER[f]:
            break
        if f == "f" and not (w in ("以上", "以下") and end + 1 < len(toks) and _NOUNISH_FLAG[toks[end + 1][1]]):
            break
        end += 1
    return toks, k, end


def _token_at(toks: tuple[tuple[str, str], ...], pos: int) -> int:
    """The index of the token that holds character ``pos`` of the tokens' text."""
    reach = 0
    for i, (w, _) in enumerate(toks):
        reach += len(w)
        if reach > pos:
            return i
    return len(toks) - 1


def _strip_lead(clause: str) -> str:
    """``clause`` without the trailing words of _LEAD_STRIP (达到, 累计 …), however many."""
    changed = True
    while changed and clause:
        changed = False
        for w in _LEAD_STRIP:
            if clause.endswith(w):
                clause = clause[: -len(w)].rstrip()
                changed = True
    return clause


def _subject_before(clause: str) -> str:
    """The activity or object before a number: 组织开展[廉政谈话]65人次"""
    clause = clause.rstrip()
    if clause[-1:] in _LEAD_LAST and clause.endswith(_LEAD_STRIP):
        clause = _strip_lead(clause)
    if not clause:
        return ""
    toks, k, end, at_edge = _phrase_before(clause[-_WINDOW:])
    if at_edge and len(clause) > _WINDOW:
        # the phrase runs into the window's edge, maybe through a word (全[市社会消费品零售总额]):
        # segment the whole clause and let the phrase start at the word across that edge, no earlier
        toks, k, end, _ = _phrase_before(clause)
        k = max(k, _token_at(toks, len(clause) - _WINDOW))
    while k < end and toks[k][0] in _CONNECTORS:
        k += 1
    size = sum(len(w) for w, _ in toks[k:end])
    while size > 20 and end - k > 1:     # at most 20 characters, cut between words
        size -= len(toks[k][0])
        k += 1
    phrase = "".join([w for w, _ in toks[k:end]])
    if phrase[:1] in _SUBJECT_PREFIX_FIRST and phrase.startswith(_SUBJECT_PREFIX_STRIP):
        for p in _SUBJECT_PREFIX_STRIP:
            if phrase.startswith(p) and len(phrase) > len(p) + 1:
                phrase = phrase[len(p):]
    return phrase[-20:].lstrip("、,，和及与")


def _phrase_before(s: str) -> tuple[tuple[tuple[str, str], ...], int, int, bool]:
    """``s``'s tokens and the phrase that ends it, as ``toks[k:end]`` grown leftwards,
    and whether it reaches the edge of ``s``: it grew to the first token, or the first
    token stopped it (a piece of a word cut by the edge can look like a stop: 识|形态)."""
    toks = _tokens(s)
    verbs = trigger_verbs()
    k = end = len(toks)
    for i in range(len(toks) - 1, -1, -1):
        w, f = toks[i]
        if w in _ETC:
            if k < end:
                return toks, k, end, False
            end = i            # a trailing 等 is passed over, not part of the phrase
            k = i
            continue
        if k == end:
            if f == "x" and w not in _CONNECTORS:
                return toks, k, end, False
        elif w in _ASPECT or (w not in _CONNECTORS and (w in verbs or _ENDS_BEFORE[f])):
            return toks, k, end, i == 0
        k = i
    return toks, k, end, k < end


def _assign_subjects(text: str, claims: list[Claim], found: list[_Found]) -> None:
    """Set each claim's subject; ``claims`` are in text order, ``found`` holds their
    clean span, number start, unit end, unit and kind."""
    verbs = trigger_verbs()
    # the last clause boundary before a number is the first one in the reversed text after it
    reverse, n = text[::-1], len(text)
    prev_clean_end = -1
    prev_subject = ""
    for c, (start, end, num_start, unit_end, _, unit, _, kind, _) in zip(claims, found):
        subject = ""
        after = text[unit_end:unit_end + 24]
        if after[:1] in _BOUNDARY_CHARS:
            pass                                    # the clause ends: nothing after the number
        elif kind == "duration":
            subject = _subject_after(after, skip_verbs=True)
        elif kind != "percent":
            subject = _subject_after(after)
            if not subject and unit in _VERBAL_MEASURES and _starts_with_verb(after):
                subject = _subject_after(after, skip_verbs=True)
        if not subject:
            b = start
            clause_start = max(0, b - 40)
            last = _CLAUSE_END.search(reverse, n - b, n - clause_start)
            cut = n - last.start() if last else clause_start     # just after that boundary
            clause = text[cut:b]
            if prev_clean_end > cut:
                gap = text[prev_clean_end:b]
                if gap.strip() in ("", "、", "和", "及", ",") or not gap.strip(" 、,"):
                    subject = prev_subject          # 24份71人次: same subject as the previous
                clause = gap.lstrip("、,和及 ")
            if not subject:
                subject = _subject_before(clause)
            if subject in verbs:
                # 开展3轮[全覆盖指导检查]: the verb's object follows the number
                subject = _AFTER_BOUNDARY.split(after.lstrip())[0][:12] or subject
            if kind in ("percent", "money", "count", "other") and subject[-1:] in _CHANGE_LAST \
                    and subject.endswith(_CHANGE_WORDS):
                # a change names the thing measured, not 增长/下降: 零售总额[增长]3.9%
                measured = _strip_change(subject)
                if not measured:                   # 人均预期寿命[提高到]78.8岁: look before the change word
                    measured = _subject_before(_strip_change(clause.rstrip()))
                if not measured and prev_subject and 0 <= b - prev_clean_end <= 12:
                    measured = prev_subject        # 收入5853.9亿元，增长3.9%
                subject = measured or subject
        c.subject = subject
        prev_clean_end, prev_subject = end, subject


_CHANGE_WORDS = ("同比增长", "同比下降", "同比上升", "同比减少", "年均增长", "增长", "下降", "上升", "减少", "降低",
                 "提高", "提高到", "提升到", "增加到", "增加", "达到", "到", "首次", "分别增长", "分别")


_CHANGE_LAST = frozenset(w[-1] for w in _CHANGE_WORDS)
_CHANGE_WORDS_LONGEST_FIRST = tuple(sorted(_CHANGE_WORDS, key=len, reverse=True))


def _strip_change(subject: str) -> str:
    """``subject`` without its trailing change words (the longest first)."""
    while subject.endswith(_CHANGE_WORDS):
        word = next(w for w in _CHANGE_WORDS_LONGEST_FIRST if subject.endswith(w))
        subject = subject[: -len(word)]
    return subject
