"""Character classes and patterns of Chinese official text: numerals, punctuation,
years and dates, and the longest-first alternation of literal words."""
from __future__ import annotations

import re
from typing import Iterable

# ------------------------------------------------------------------ numerals
CN_DIGITS = "〇一二三四五六七八九"            # positional digits (二〇二三年)
CN_ZEROS = "零〇○"
CN_ORDINALS = "一二三四五六七八九十"          # the numerals of list markers (一、 （二） 三是)
CN_NUMERALS = "零〇一二两三四五六七八九十百千万亿"   # what a Chinese number is written with

# ------------------------------------------------------------------ punctuation
TERMINAL = "。！？；：!?;:…"                 # ends a sentence or a clause run
CLOSERS = "”’」』)）】"                      # closing quotes and brackets
# Characters that cannot start a sentence: a line starting with one continues the previous.
CONTINUATION_START = ",，。、;；:：!！?？)）”’」』%％"

# ------------------------------------------------------------------ years and dates
YEAR = r"(?:19|20)\d{2}"                     # 2023
CN_YEAR = rf"[{CN_ZEROS}一二三四五六七八九]{{4}}"   # 二〇二三
YEAR_RE = re.compile(rf"({YEAR})\s*年")
ANY_YEAR_RE = re.compile(rf"(?P<y>{YEAR}|{CN_YEAR})\s*年")
DAY = r"[\d一二三四五六七八九十]{1,3}"
DATE_RE = re.compile(rf"(?:\d{{4}}|{CN_YEAR})年{DAY}月(?:{DAY}日)?")


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal ``words``, longest first (so 人次 wins over 人)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
