"""Numeral parsing: Arabic, full-width and Chinese numerals.

>>> parse_number("4.6")
4.6
>>> parse_number("1,200")
1200.0
>>> parse_chinese("一千二百")
1200
>>> parse_chinese("十二")
12
>>> parse_chinese("两")
2
>>> parse_chinese("三百五十万")
3500000
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from .patterns import CN_DIGITS

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9,
           "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}

CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)

# Full-width digits and the full-width point/comma, for text that skipped normalisation.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")


def parse_number(text: str) -> Optional[float]:
    """Parse an Arabic numeral, with thousands separators and full-width digits."""
    t = text.translate(_FULLWIDTH).replace(",", "").strip()
    if not t:
        return None
    try:
        return float(t)
    except ValueError:
        return None


def _parse_section(text: str) -> Optional[int]:
    """Parse a numeral below 10,000 (no 万/亿)."""
    total, digit = 0, None
    seen_zero = False
    last_unit = 10_000
    for ch in text:
        if ch in _DIGITS:
            if digit is not None and not seen_zero:
                # Digit string like 二〇二三: read positionally.
                return None
            digit = _DIGITS[ch]
            seen_zero = digit == 0
            if seen_zero:
                digit = None
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            if unit >= last_unit:
                return None          # 十十, 百千: units must decrease
            last_unit = unit
            total += (digit if digit is not None else 1) * unit
            digit = None
            seen_zero = False
        else:
            return None
    if digit is not None:
        total += digit
    return total


@lru_cache(maxsize=4096)      # claims and headings parse the same few numerals over and over
def parse_chinese(text: str) -> Optional[int]:
    """Parse a Chinese numeral such as 十二, 一千二百, 三百五十万, 两.

    Positional digit strings (二〇二三) are read digit by digit.
    Returns None when the text is not a well-formed numeral.
    """
    if not text:
        return None
    if all(ch in _DIGITS for ch in text) and len(text) > 1:
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total = 0
    rest = text
    for big_char, big in sorted(_BIG_UNITS.items(), key=lambda kv: -kv[1]):
        if big_char in rest:
            head, _, rest = rest.partition(big_char)
            val = _parse_section(head) if head else 1
            if val is None:
                return None
            total += val * big
    if rest:
        val = _parse_section(rest)
        if val is None:
            return None
        total += val
    return total


def multiplier(text: str) -> int:
    """The factor of a trailing multiplier word: 万 -> 10,000, 亿 -> 1e8, 千万 -> 1e7, 万亿 -> 1e12."""
    factor = 1
    for ch in text:
        factor *= _BIG_UNITS.get(ch) or _SMALL_UNITS.get(ch, 1)
    return factor


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
