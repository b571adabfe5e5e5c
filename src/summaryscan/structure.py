"""Document structure: headings 一、 (一) 1. (1), inline points 一是/二是, sentences.

Works on the clean text (``normalize.Normalized``), whose punctuation is
half-width, and reports every span in extracted-text offsets. Headings are found
on their own line and run on inside a paragraph (``一、基本做法 (一)抓好顶层设计…``).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Optional

from .normalize import Normalized
from .numbers import parse_chinese
from .records import Section, Sentence

_CN = "一二三四五六七八九十"
# Markers are scanned first; whether one stands where a heading can open (after a
# line start or the end of a sentence) is checked after the scan (_OPENERS), which
# is much faster than look-behinds at every position. Each pattern opens with a
# single character class ([一二…][一二…]{0,2}, not [一二…]{1,3}): the regex engine
# then skips to the next character of that class instead of trying every position.

MARKERS = [
    ("1", re.compile(rf"(?P<m>(?P<n>[{_CN}][{_CN}]{{0,2}})[、.])(?=[^\d、.,]|\d{{4}}年)", re.M)),
    ("2", re.compile(rf"(?P<m>\((?P<n>[{_CN}]{{1,3}})\))")),
    ("3", re.compile(r"(?P<m>(?P<n>\d\d?)(?:[、]|\.(?!\d)))", re.M)),
    ("4", re.compile(rf"(?P<m>\((?P<n>\d{{1,2}})\))")),
    ("point", re.compile(rf"(?P<m>(?P<n>[{_CN}][{_CN}]{{0,2}})是)(?![的否])")),
]
# The characters a marker of each level may follow (besides the start of the text).
_OPENERS = {"1": "\n。!?;:", "3": "\n。!?;:", "point": "\n。!?;:,、 \t"}
# Bracketed markers (levels 2 and 4) may also run on right after another heading's title.
_RUNON_LEVELS = {"2", "4"}
_LEVEL_ORDER = {"1": 1, "2": 2, "3": 3, "4": 4, "point": 5}
_TITLE_STOP = re.compile(r"[。!?\n]")
# A sentence (group 1): after any spaces, the text up to and including 。!? and the
# closing quotes after them, or up to a line break or the end.
_SENTENCE_RE = re.compile(r" *([^。!?\n ][^。!?\n]*(?:[。!?]+[”’」』)]*)?|[。!?]+[”’」』)]*)")

DOC_TYPES = [
    ("述职报告", ("述职",)),
    ("调研报告", ("调研报告", "调研", "调查报告", "对策建议研究", "研究报告", "课题")),
    ("工作汇报", ("汇报",)),
    ("工作总结", ("总结",)),
    ("经验材料", ("经验材料", "典型材料", "经验交流", "事迹材料")),
    ("工作报告", ("工作报告",)),
    ("实施方案", ("方案", "意见", "办法")),
]
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_BODY_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年(?:度|以来|工作|全年|上半年|下半年|是)")


@dataclass
class _Candidate:
    level: str
    start: int        # clean offsets
    marker_end: int
    marker: str
    number: int


def _number(level: str, n: str) -> int:
    if n.isdigit():
        return int(n)
    return parse_chinese(n) or 0


def _candidates(text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for level, rx in MARKERS:
        openers = _OPENERS.get(level)
        for m in rx.finditer(text):
            s = m.start("m")
            if openers is not None and s > 0 and text[s - 1] not in openers:
                continue
            found.append(_Candidate(level, m.start("m"), m.end("m"), m.group("m"), _number(level, m.group("n"))))
    found.sort(key=lambda c: (c.start, _LEVEL_ORDER[c.level]))
    out, last_end = [], -1
    for c in found:
        if c.start >= last_end:
            out.append(c)
            last_end = c.marker_end
    return out


def _accept(text: str, cands: list[_Candidate]) -> list[_Candidate]:
    """Keep bracketed markers only where a heading can stand: at a line or sentence
    start, or run on right after another heading's title (no punctuation between)."""
    kept: list[_Candidate] = []
    for c in cands:
        if c.level in _RUNON_LEVELS:
            before = text[c.start - 1] if c.start else "\n"
            at_start = before in "\n。!?;:"
            runs_on = False
            if kept and not at_start:
                prev = kept[-1]
                gap = text[prev.marker_end:c.start]
                runs_on = (prev.level != "point" and _LEVEL_ORDER[prev.level] < _LEVEL_ORDER[c.level]
                           and 0 < len(gap) <= 40 and not _TITLE_STOP.search(gap) and "," not in gap)
            if not (at_start or runs_on):
                continue
            # the numeral must be followed by text, not be an inline reference like 见(一)
            nxt = text[c.marker_end:c.marker_end + 1]
            if not nxt or nxt in ",。、)":
                continue
        if c.level == "1" and text[c.marker_end:c.marker_end + 1] in "、,":
            continue
        kept.append(c)
    return kept


def find_sections(doc: str, norm: Normalized, raw_text: str) -> list[Section]:
    text = norm.text
    cands = _accept(text, _candidates(text))
    sections: list[Section] = []
    stack: list[Section] = []
    for i, c in enumerate(cands):
        nxt = cands[i + 1].start if i + 1 < len(cands) else len(text)
        body_start = c.marker_end
        while body_start < len(text) and text[body_start] in " \t":
            body_start += 1
        if c.level == "point":
            title_end = min(body_start + 12, len(text))
        else:
            stop = _TITLE_STOP.search(text, body_start)
            title_end = min(stop.start() if stop else len(text), nxt, body_start + 40)
        rs, _ = norm.span_to_raw(c.start, c.marker_end)
        raw_marker = raw_text[rs:norm.to_raw(c.marker_end - 1) + 1]
        t_start = norm.to_raw(body_start) if body_start < len(text) else len(raw_text)
        t_end = norm.span_to_raw(body_start, title_end)[1] if title_end > body_start else t_start
        title = raw_text[t_start:t_end]
        if c.level == "point":
            title = title[:12]
        title = title.strip()
        order = _LEVEL_ORDER[c.level]
        while stack and _LEVEL_ORDER[stack[-1].level] >= order:
            stack.pop()
        parent = stack[-1] if stack else None
        sec = Section(doc=doc, id=len(sections), level=c.level, marker=raw_marker.strip(), number=c.number,
                      title=title, start=rs, end=len(raw_text), title_end=t_end,
                      parent=parent.id if parent else None)
        label = f"{sec.marker}{title[:20]}" if c.level != "point" else sec.marker
        sec.path = f"{parent.path} > {label}" if parent else label
        sections.append(sec)
        stack.append(sec)
    # A section ends where the next one of the same or a higher level starts.
    for i, s in enumerate(sections):
        for t in sections[i + 1:]:
            if _LEVEL_ORDER[t.level] <= _LEVEL_ORDER[s.level]:
                s.end = t.start
                break
            if s.level == "point" and t.level != "point":
                s.end = t.start
                break
    return sections


def split_sentences(norm: Normalized, sections: list[Section]) -> list[Sentence]:
    """Sentences end at 。!? (with their closing quotes) or at a paragraph break;
    leading spaces are not part of a sentence."""
    text = norm.text
    spans = [m.span(1) for m in _SENTENCE_RE.finditer(text)]
    raw_spans = norm.spans_to_raw(spans)
    raw_starts = [rs for rs, _ in raw_spans]
    heads = _Spans([s for s in sections if s.level != "point"]).innermost_each(raw_starts)
    points = _Spans([s for s in sections if s.level == "point"]).innermost_each(raw_starts)
    return [Sentence(idx, rs, re_, text[start:end], head, point)
            for idx, ((start, end), (rs, re_), head, point) in enumerate(zip(spans, raw_spans, heads, points))]


class _Spans:
    """Innermost section containing an offset.

    The answer only changes at a section's start or end, so it is worked out
    once for each of those and looked up by bisection.
    """

    def __init__(self, secs: list[Section]):
        self.secs = secs
        self.starts = [s.start for s in secs]
        self.bounds = sorted({s.start for s in secs} | {s.end for s in secs})
        self.ids = [self._walk(b) for b in self.bounds]

    def innermost_each(self, raw_positions: list[int]) -> list[Optional[int]]:
        if not self.bounds:
            return [None] * len(raw_positions)
        bounds, ids = self.bounds, self.ids + [None]     # ids[-1]: before the first bound
        return [ids[bisect.bisect_right(bounds, p) - 1] for p in raw_positions]

    def _walk(self, raw_pos: int) -> Optional[int]:
        k = bisect.bisect_right(self.starts, raw_pos) - 1
        while k >= 0:                      # later (deeper) sections win; walk back to one that contains it
            s = self.secs[k]
            if raw_pos < s.end:
                return s.id
            k -= 1
            if k >= 0 and self.secs[k].end <= raw_pos and self.secs[k].level == "1":
                break
        return None


def guess_title(norm: Normalized, raw_text: str) -> str:
    for line in norm.text.split("\n"):
        line = line.strip()
        if line:
            return line[:60] if len(line) <= 60 else line[:30]
    return ""


def guess_doc_type(title: str, text: str) -> str:
    for name, words in DOC_TYPES:
        if any(w in title for w in words):
            return name
    head = text[:300]
    for name, words in DOC_TYPES:
        if any(w in head for w in words):
            return name
    return "其他"


def guess_year(title: str, text: str) -> Optional[int]:
    m = _YEAR_RE.search(title)
    if m:
        return int(m.group(1))
    m = _BODY_YEAR_RE.search(text[:400])
    return int(m.group(1)) if m else None
