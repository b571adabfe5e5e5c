"""The heading grammar of Chinese official documents: 一、 （一） 1. （1） and inline 一是/二是.

One grammar serves two kinds of reader:

* :data:`LINE_START_RE` — does a line open with a heading or list marker? Decides where
  a line broken by the layout may be rejoined (normalisation, PDF lines) and what a
  bare heading is (consistency). Tolerant: full- or half-width punctuation, leading
  spaces, 第N章/节/条/部分/篇/编 and circled numbers ①⑴⒈.
* :data:`MARKERS` — the markers of each level, matched on the clean text (half-width
  punctuation) by :mod:`summaryscan.structure`, with the characters each may follow
  (:data:`OPENERS`).
"""
from __future__ import annotations

import re

from .patterns import CN_ORDINALS

_CN = CN_ORDINALS
# Numerals a tolerant reader accepts in a marker (百零〇两: 一百零一、 in long lists).
_CN_WIDE = CN_ORDINALS + "百零〇两"

LINE_START_RE = re.compile(
    r"\s*(?:"
    rf"[{_CN_WIDE}]+[、．.]"
    rf"|[（(][{_CN_WIDE}]+[）)]"
    r"|\d{1,3}[.．、](?!\d)"
    r"|[（(]\d{1,3}[）)]"
    rf"|[{_CN_WIDE}]+是"
    rf"|第[\d{_CN_WIDE}]+[章节条部分篇编]"
    r"|[\u2460-\u2473\u2474-\u2487\u2488-\u249b]"                    # ① ⑴ ⒈
    ")"
)

# Level markers on the clean text. Each pattern opens with a single character class
# ([一二…][一二…]{0,2}, not [一二…]{1,3}): the regex engine then skips to the next
# character of that class instead of trying every position.
MARKERS: list[tuple[str, re.Pattern]] = [
    ("1", re.compile(rf"(?P<m>(?P<n>[{_CN}][{_CN}]{{0,2}})[、.])(?=[^\d、.,]|\d{{4}}年)", re.M)),
    ("2", re.compile(rf"(?P<m>\((?P<n>[{_CN}]{{1,3}})\))")),
    ("3", re.compile(r"(?P<m>(?P<n>\d\d?)(?:[、]|\.(?!\d)))", re.M)),
    ("4", re.compile(r"(?P<m>\((?P<n>\d{1,2})\))")),
    ("point", re.compile(rf"(?P<m>(?P<n>[{_CN}][{_CN}]{{0,2}})是)(?![的否])")),
]
# The characters a marker of each level may follow (besides the start of the text);
# levels without an entry may stand anywhere the structure reader accepts them.
OPENERS = {"1": "\n。!?;:", "3": "\n。!?;:", "point": "\n。!?;:,、 \t"}
LEVEL_ORDER = {"1": 1, "2": 2, "3": 3, "4": 4, "point": 5}


def opens_heading(line: str) -> bool:
    """Whether ``line`` starts with a heading or list marker."""
    return bool(LINE_START_RE.match(line))


def strip_marker(line: str) -> str:
    """``line`` without its leading heading marker."""
    return LINE_START_RE.sub("", line, count=1) if LINE_START_RE.match(line) else line
