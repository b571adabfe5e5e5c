"""Numerals: Arabic, full-width and Chinese, read whole or not at all.

:func:`read_numeral` reads one span as it is written in Chinese text: 小写 and 大写
(壹贰叁…拾佰仟), 廿/卅/幺, 点 decimals, a sign (负, -), a last unit left off (三万五,
两千六), 万 inside the part before 亿 (四万亿, 一万五千亿), 零 anywhere, mixed Arabic
and Chinese (1万600, 3万4000, 200亿零四千230) and multiplier words after a number
(3.5千万, 4.78万亿). A span it does not understand gives None, never part of a number.

>>> read_numeral("三万五")
35000.0
>>> read_numeral("一万五千亿")
1500000000000.0
>>> read_numeral("负零点一")
-0.1
>>> read_numeral("十一十二") is None
True
>>> parse_number("1,200")
1200.0
>>> parse_chinese("三百五十万")
3500000
"""
from __future__ import annotations

import re
from decimal import Decimal, localcontext
from functools import lru_cache
from math import isfinite
from typing import Optional, Union

from .patterns import CN_DIGITS

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9, "幺": 1,
           "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6, "柒": 7, "捌": 8,
           "玖": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_TENS = {"廿": 20, "卅": 30, "卌": 40}          # one character for 二十, 三十, 四十
_ZEROS = frozenset("零〇○")
_SIGNS = frozenset("负負-−－")
_POINTS = frozenset("点點")
# 两 counts things (两个) but is no digit of a decimal or a digit string: 一点两小时 is 一点 + 两小时
_NOT_POSITIONAL = frozenset("两兩")

CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS) + "".join(_TENS)
# Digits of a Chinese decimal fraction or digit string (二〇二三, 一点五七)
DECIMAL_DIGIT_CHARS = "".join(c for c in _DIGITS if c not in _NOT_POSITIONAL)
# 大写 numerals: in running text one of these alone is a word (陆地, 伍, 拾起), not a number
FORMAL_NUMERAL_CHARS = "壹贰貳叁參肆伍陆陸柒捌玖拾佰仟"

# Full-width digits and the full-width point/comma, for text that skipped normalisation.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
# An Arabic number: thousands separators in threes, or none; a decimal part
_ARABIC = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9,])|[0-9]+(?:\.[0-9]+)?(?![0-9,.])")

Number = Union[int, Decimal]


def parse_number(text: str) -> Optional[float]:
    """Parse an Arabic numeral, with thousands separators and full-width digits."""
    t = text.translate(_FULLWIDTH).replace(",", "").strip()
    if not t:
        return None
    try:
        return float(t)
    except ValueError:
        return None


@lru_cache(maxsize=8192)      # claims and headings read the same few numerals over and over
def read_numeral(text: str, isolated: bool = True) -> Optional[float]:
    """The value of the numeral ``text`` (the whole of it), or None when it is not one.

    ``isolated``: the span is known to hold one number (a cell, a field). In running text
    (False, as the claim scan reads) two numbers may stand side by side, so two readings
    are refused: a digit string (三四个 is three or four, not 34; 二〇二三 reads only
    isolated) and an Arabic part after a unit not written in full (390万65岁 is 390万 and
    65岁; 1万0600 and 1万零600 read, 1万600 only isolated).
    """
    value = _read(text.translate(_FULLWIDTH), isolated)
    if value is None:
        return None
    try:
        out = float(value)
    except OverflowError:                   # an integer past the float range
        return None
    return out if isfinite(out) else None


def _read(text: str, isolated: bool) -> Optional[Number]:
    sign = 1
    if text[:1] in _SIGNS:
        sign, text = -1, text[1:]
    toks = _tokens(text)
    if not toks:
        return None
    points = [i for i, t in enumerate(toks) if t[0] == "p"]
    if len(points) > 1:
        return None
    if points:
        p = points[0]
        whole, frac, tail = toks[:p], toks[p + 1:], []
        while frac and frac[-1][0] == "b":       # 一点五万: multipliers after the fraction
            tail.insert(0, frac.pop())
        if not whole or not frac or (tail and any(t[0] == "b" for t in whole)):
            return None
        integer = _integer(whole, isolated)
        digits = _fraction_digits(frac)
        if integer is None or digits is None or isinstance(integer, Decimal):
            return None
        value: Number = Decimal(f"{integer}.{digits}")
        for t in tail:
            value *= t[1]
    else:
        value = _integer(toks, isolated)
        if value is None:
            return None
    return -value if sign < 0 else value


def _tokens(text: str) -> Optional[list[tuple]]:
    """(kind, value, text) per numeral piece: ``n`` Arabic number, ``d`` digit, ``z`` zero,
    ``s`` 十百千, ``b`` 万亿, ``t`` 廿卅, ``p`` 点; None at any other character."""
    out: list[tuple] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if "0" <= ch <= "9":
            m = _ARABIC.match(text, i)
            if not m:
                return None
            s = m.group()
            plain = s.replace(",", "")
            out.append(("n", Decimal(plain) if "." in plain else int(plain), s))
            i = m.end()
            continue
        if ch in _ZEROS:
            out.append(("z", 0, ch))
        elif ch in _DIGITS:
            out.append(("d", _DIGITS[ch], ch))
        elif ch in _SMALL_UNITS:
            out.append(("s", _SMALL_UNITS[ch], ch))
        elif ch in _BIG_UNITS:
            out.append(("b", _BIG_UNITS[ch], ch))
        elif ch in _TENS:
            out.append(("t", _TENS[ch], ch))
        elif ch in _POINTS:
            out.append(("p", 0, ch))
        else:
            return None
        i += 1
    return out


def _all_digits(toks: list[tuple]) -> bool:
    return all(t[0] in "dz" for t in toks)


def _fraction_digits(toks: list[tuple]) -> Optional[str]:
    """The digits after 点: Chinese digits (not 两) or one run of Arabic digits."""
    if len(toks) == 1 and toks[0][0] == "n":
        s = toks[0][2]
        return s if s.isdigit() else None
    if not _all_digits(toks) or any(t[2] in _NOT_POSITIONAL for t in toks):
        return None
    return "".join(str(t[1]) for t in toks)


def _integer(toks: list[tuple], isolated: bool) -> Optional[Number]:
    """The value of an integer part (an Arabic decimal is allowed before a multiplier)."""
    if len(toks) == 1:
        kind, value, _ = toks[0]
        return value if kind in "ndz" else (value if kind in "st" else None)
    if _all_digits(toks):                            # 二〇二三, 一一, 零零三: a digit string
        if not isolated or any(t[2] in _NOT_POSITIONAL for t in toks):
            return None
        return int("".join(str(t[1]) for t in toks))
    return _grammar(toks, isolated)


def _grammar(toks: list[tuple], isolated: bool = True) -> Optional[Number]:
    """Digits and units, read as Chinese writes them.

    Sections below 万 are built with 十百千 (decreasing); 万 and 亿 multiply everything
    before them that is smaller (四万亿 = 4×10⁴×10⁸, 一万五千亿); a digit right after a
    unit, with no 零 between, stands for the next unit down (三万五 = 35000).
    """
    groups: list[list] = []        # [value, magnitude] of completed 万/亿 groups, magnitudes decreasing
    section: Number = 0            # the current section below the next 万/亿
    last_small = 0                 # the section's last 十百千 (they must decrease)
    last_unit = 0                  # the unit read last, small or big
    digit: Optional[Number] = None
    digit_tok = None
    digit_after = ""               # the kind of piece before the pending digit
    zero = False                   # a 零 since the last unit
    bare = False                   # the section opened with a bare 百/千 (百三, 千三)
    frozen = False                 # an Arabic decimal was multiplied: only 万/亿 may follow
    prev = ""
    for k, tok in enumerate(toks):
        kind, val, _ = tok
        if frozen and kind != "b":
            return None
        if kind in "dn":
            if digit is not None:
                return None                          # two numbers side by side: 三五, 十一十二
            digit, digit_tok, digit_after = val, tok, prev
        elif kind == "z":
            if digit is not None:
                return None                          # 一零 inside a numeral with units
            zero = True
        elif kind in "st":
            u = val if kind == "s" else 10
            if (last_small and u >= last_small) or bare:
                return None                          # 十十, 百千, 百十一
            if kind == "t":
                if digit is not None:
                    return None
                d: Number = val // 10
            elif digit is None:
                if zero or (section == 0 and not groups and not last_small):
                    d = 1                            # 十二, 百三, 零十
                    bare = u > 10 and not zero
                elif u == 10 and prev == "s":
                    d = 1                            # 一百十六
                else:
                    return None
            else:
                d = digit
                if digit_tok[0] == "n" and (isinstance(d, Decimal) or d >= 10):
                    # 3.5千万, 120千万: an Arabic number before a multiplier word only
                    if section or k + 1 >= len(toks) or toks[k + 1][0] != "b":
                        return None
                    frozen = isinstance(d, Decimal)
            section += d * u
            last_small = last_unit = u
            digit, zero = None, False
        elif kind == "b":
            if digit is not None:
                if isinstance(digit, Decimal):
                    if section:
                        return None
                    frozen = True
                cur = section + digit
            elif zero:
                return None                          # 零万
            else:
                cur = section
            if not cur:
                if prev == "b" and groups and val <= groups[-1][1]:
                    g = groups[-1]                   # 四万万 = 4亿
                    g[0] *= val
                    g[1] *= val
                    if len(groups) > 1 and groups[-2][1] <= g[1]:
                        return None
                    last_unit = val
                    prev = kind
                    continue
                if not (prev == "b" and groups):
                    return None                      # 万 alone
            absorbed = 0
            while groups and groups[-1][1] < val:    # 四万|亿, 一万五千|亿: the smaller groups join
                absorbed += groups.pop()[0]
            if groups and groups[-1][1] <= val:
                return None                          # 一亿一万亿
            groups.append([(cur + absorbed) * val, val])
            section, last_small, last_unit, digit, zero, bare = 0, 0, val, None, False, False
        prev = kind
    if digit is not None:
        if digit_after in ("s", "t", "b") and not zero:
            unit = last_unit
            if digit_tok[0] == "d":
                if unit > 10:
                    # 三万五, 两千六, 一百二: the last unit left off is the next one down. Not after
                    # Arabic digits, nor with 两 (一万二, never 一万两): 5万亿两个 is 5万亿 + 两个
                    if digit_tok[2] in _NOT_POSITIONAL or any(t[0] == "n" for t in toks):
                        return None
                    digit = digit * unit // 10
            elif isinstance(digit, Decimal) or (unit > 10 and len(digit_tok[2]) == 1):
                return None                          # 3万4: which unit is meant is not written
            elif not isolated and len(digit_tok[2]) != len(str(unit)) - 1:
                return None                          # 390万65岁: 390万 and 65岁, not 3900065
            if digit >= max(unit, 10):
                return None                          # 1万20000
        section += digit
    elif zero and prev == "z":
        return None                                  # a trailing 零
    return sum(g[0] for g in groups) + section


@lru_cache(maxsize=4096)
def parse_chinese(text: str) -> Optional[int]:
    """A Chinese integer such as 十二, 一千二百, 三百五十万, 两, 三万五 (35000), 二〇二三.

    Returns None when the text is not a well-formed Chinese integer.
    """
    if not text or any("0" <= c <= "9" for c in text):
        return None
    value = _read(text, isolated=True)
    return value if isinstance(value, int) and value >= 0 and text[0] not in _SIGNS else None


def multiplier(text: str) -> int:
    """The factor of a trailing multiplier word: 万 -> 10,000, 亿 -> 1e8, 千万 -> 1e7, 万亿 -> 1e12."""
    factor = 1
    for ch in text:
        factor *= _BIG_UNITS.get(ch) or _SMALL_UNITS.get(ch, 1)
    return factor


def exact_ratio(numerator: float, denominator: float, scale: int = 1) -> Optional[float]:
    """``numerator / denominator * scale`` in exact decimal arithmetic (三分之二 -> 66.666…)."""
    if not denominator:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        return float(Decimal(repr(numerator)) * scale / Decimal(repr(denominator)))


_CHINESE_RE = re.compile(f"[{CHINESE_NUMERAL_CHARS}]+")


def is_chinese_numeral(text: str) -> bool:
    return bool(_CHINESE_RE.fullmatch(text)) and parse_chinese(text) is not None


def to_chinese(n: int, digits: str = CN_DIGITS, units: str = "十百千",
               drop_leading_one: bool = True) -> str:
    """``n`` in Chinese numerals: 1 -> 一, 10 -> 十, 11 -> 十一, 20 -> 二十, 101 -> 一百零一, 10000 -> 一万.

    ``digits``/``units`` give another style (大写: 零壹贰…, 拾佰仟).
    """
    if n <= 0:
        return digits[0]
    if n >= 10000:
        high, low = divmod(n, 10000)
        s = to_chinese(high, digits, units, drop_leading_one) + "万"
        if low:
            if low < 1000:
                s += digits[0] if digits[0] != "〇" else "零"
            s += to_chinese(low, digits, units, False)
        return s
    zero_char = "零" if digits[0] == "〇" else digits[0]
    parts: list[str] = []
    started = pending_zero = False
    for div, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // div % 10
        if d:
            if pending_zero:
                parts.append(zero_char)
            parts.append(digits[d] + unit)
            started, pending_zero = True, False
        elif started:
            pending_zero = True
    s = "".join(parts)
    if drop_leading_one and 10 <= n < 20 and s.startswith(digits[1]):
        s = s[1:]
    return s
