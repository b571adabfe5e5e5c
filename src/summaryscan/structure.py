"""Document structure: headings 一、 (一) 1. (1), inline points 一是/二是, sentences.

Works on the clean text (``normalize.Normalized``), whose punctuation is
half-width, and reports every span in extracted-text offsets. Headings are found
on their own line and run on inside a paragraph (``一、基本做法 (一)抓好顶层设计…``).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Optional

from .text import lexicon
from .text.headings import LEVEL_ORDER, MARKERS, OPENERS
from .text.normalize import Normalized
from .text.numerals import parse_chinese
from .text.patterns import YEAR, YEAR_RE
from .records import Hint, Section, Sentence

# Bracketed markers (levels 2 and 4) may also run on right after another heading's title.
_RUNON_LEVELS = {"2", "4"}
_TITLE_STOP = re.compile(r"[。!?\n]")
# A sentence (group 1): after any spaces, the text up to and including 。!? and the
# closing quotes after them, or up to a line break or the end.
_SENTENCE_RE = re.compile(r" *([^。!?\n ][^。!?\n]*(?:[。!?]+[”’」』)]*)?|[。!?]+[”’」』)]*)")

_BODY_YEAR_RE = re.compile(rf"({YEAR})\s*年(?:度|以来|工作|全年|上半年|下半年|是)")


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


@lru_cache(maxsize=None)
def _opened(level: str) -> re.Pattern:
    """The marker pattern of ``level`` led by one of the characters it may follow.

    The scan then stops only at those (line and sentence ends), not at every digit.
    It finds the same markers as the plain pattern after an opener: a marker holds no
    opener, so no match can swallow the opener of the next.
    """
    rx = dict(MARKERS)[level]
    return re.compile(f"[{re.escape(OPENERS[level])}]" + rx.pattern, rx.flags)


# Levels scanned from their openers: digits are everywhere in claim-dense text, line and
# sentence ends much rarer (Chinese numerals, and the commas a point may follow, are not).
_SCAN_FROM_OPENER = ("3",)


def _markers(text: str, level: str, rx: re.Pattern) -> Iterator[re.Match]:
    """The matches of a level's marker pattern where a marker of that level can stand."""
    openers = OPENERS.get(level)
    if level in _SCAN_FROM_OPENER:
        first = rx.match(text)
        if first:
            yield first                   # at the start of the text
        yield from _opened(level).finditer(text)
        return
    for m in rx.finditer(text):
        s = m.start("m")
        if openers is None or s == 0 or text[s - 1] in openers:
            yield m


def _candidates(text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for level, rx in MARKERS:
        for m in _markers(text, level, rx):
            found.append(_Candidate(level, m.start("m"), m.end("m"), m.group("m"), _number(level, m.group("n"))))
    found.sort(key=lambda c: (c.start, LEVEL_ORDER[c.level]))
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
                runs_on = (prev.level != "point" and LEVEL_ORDER[prev.level] < LEVEL_ORDER[c.level]
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


def _styled(norm: Normalized, hints: Iterable[Hint], cands: list[_Candidate]) -> list[_Candidate]:
    """Headings the source format marks by style alone (a Word 标题 1 paragraph with no
    一、 marker): a candidate of the style's level with an empty marker and number 0
    (numbering checks pass over it). A styled paragraph that opens with a marker is
    already a candidate."""
    starts = {c.start for c in cands}
    out = []
    for h in hints:
        if h.kind != "style" or h.level not in (1, 2, 3, 4):
            continue
        cs = norm.to_clean(h.start)
        if cs < len(norm.text) and cs not in starts and not norm.text[cs].isspace():
            out.append(_Candidate(str(h.level), cs, cs, "", 0))
    return out


def find_sections(doc: str, norm: Normalized, raw_text: str, hints: Iterable[Hint] = ()) -> list[Section]:
    text = norm.text
    cands = _accept(text, _candidates(text))
    styled = _styled(norm, hints, cands)
    if styled:
        cands = sorted(cands + styled, key=lambda c: (c.start, LEVEL_ORDER[c.level]))
    if not cands:
        return []
    body_starts, title_ends = _title_spans(text, cands)
    # clean -> raw for every offset at once (starts and ends each ascend; title ends may not)
    raw_starts = norm.offsets_to_raw([c.start for c in cands])
    raw_marker_ends = norm.offsets_to_raw([c.marker_end for c in cands], ends=True)
    inside = [b for b in body_starts if b < len(text)]
    raw_body_starts = norm.offsets_to_raw(inside) + [len(raw_text)] * (len(body_starts) - len(inside))
    ends = sorted({e for b, e in zip(body_starts, title_ends) if e > b})
    raw_title_end = dict(zip(ends, norm.offsets_to_raw(ends, ends=True)))
    sections: list[Section] = []
    stack: list[Section] = []
    for i, c in enumerate(cands):
        rs, t_start = raw_starts[i], raw_body_starts[i]
        raw_marker = raw_text[rs:raw_marker_ends[i]]
        t_end = raw_title_end[title_ends[i]] if title_ends[i] > body_starts[i] else t_start
        title = raw_text[t_start:t_end]
        if c.level == "point":
            title = title[:12]
        title = title.strip()
        order = LEVEL_ORDER[c.level]
        while stack and LEVEL_ORDER[stack[-1].level] >= order:
            stack.pop()
        parent = stack[-1] if stack else None
        sec = Section(doc, len(sections), c.level, raw_marker.strip(), c.number, title, rs, len(raw_text), t_end,
                      parent.id if parent else None)
        label = f"{sec.marker}{title[:20]}" if c.level != "point" else sec.marker
        sec.path = f"{parent.path} > {label}" if parent else label
        sections.append(sec)
        stack.append(sec)
    _set_ends(sections)
    return sections


def _title_spans(text: str, cands: list[_Candidate]) -> tuple[list[int], list[int]]:
    """Where each candidate's title starts and ends (clean offsets): a point's title is
    its first 12 characters, a heading's runs to the end of its sentence, the next marker
    or 40 characters."""
    body_starts, title_ends = [], []
    n = len(text)
    for i, c in enumerate(cands):
        nxt = cands[i + 1].start if i + 1 < len(cands) else n
        body_start = c.marker_end
        while body_start < n and text[body_start] in " \t":
            body_start += 1
        if c.level == "point":
            title_end = min(body_start + 12, n)
        else:
            stop = _TITLE_STOP.search(text, body_start)
            title_end = min(stop.start() if stop else n, nxt, body_start + 40)
        body_starts.append(body_start)
        title_ends.append(title_end)
    return body_starts, title_ends


def _set_ends(sections: list[Section]) -> None:
    """A section ends where the next one of the same or a higher level starts (a point
    also where any heading starts). The sections still open form a stack of rising
    levels, with at most a point on top, so each new section closes a top run of it."""
    open_: list[Section] = []
    for t in sections:
        order = LEVEL_ORDER[t.level]
        while open_ and (order <= LEVEL_ORDER[open_[-1].level]
                         or (open_[-1].level == "point" and t.level != "point")):
            open_.pop().end = t.start
        open_.append(t)


def split_sentences(norm: Normalized, sections: list[Section]) -> list[Sentence]:
    """Sentences end at 。!? (with their closing quotes) or at a paragraph break;
    leading spaces are not part of a sentence."""
    text = norm.text
    spans = [m.span(1) for m in _SENTENCE_RE.finditer(text)]
    if not spans:
        return []
    starts, ends = zip(*spans)
    raw_starts = norm.offsets_to_raw(starts)
    raw_ends = norm.offsets_to_raw(ends, ends=True)
    heads = _innermost([s for s in sections if s.level != "point"], raw_starts)
    points = _innermost([s for s in sections if s.level == "point"], raw_starts)
    return [Sentence(idx, rs, re_, text[start:end], head, point)
            for idx, (start, end, rs, re_, head, point)
            in enumerate(zip(starts, ends, raw_starts, raw_ends, heads, points))]


def _innermost(secs: list[Section], raw_positions: list[int]) -> list[Optional[int]]:
    """The id of the innermost of ``secs`` containing each of the ascending raw positions.

    Sections nest (each ends before or where the one containing it ends) and come in
    order of their starts, a container before what it contains: each section, painted
    over the run of positions it holds in that order, overwrites its containers there.
    """
    out: list[Optional[int]] = [None] * len(raw_positions)
    for sec in secs:
        lo = bisect.bisect_left(raw_positions, sec.start)
        hi = bisect.bisect_left(raw_positions, sec.end, lo)
        out[lo:hi] = [sec.id] * (hi - lo)
    return out


def guess_title(norm: Normalized, raw_text: str) -> str:
    for line in norm.text.split("\n"):
        line = line.strip()
        if line:
            return line[:60] if len(line) <= 60 else line[:30]
    return ""


def guess_doc_type(title: str, text: str) -> str:
    """The document type (文种) the title, or else the text's opening, names (``lexicon/doc_types.yaml``)."""
    types = lexicon.data("doc_types.yaml")
    for name, words in types.items():
        if any(w in title for w in words):
            return name
    head = text[:300]
    for name, words in types.items():
        if any(w in head for w in words):
            return name
    return "其他"


def guess_year(title: str, text: str) -> Optional[int]:
    m = YEAR_RE.search(title)
    if m:
        return int(m.group(1))
    m = _BODY_YEAR_RE.search(text[:400])
    return int(m.group(1)) if m else None
