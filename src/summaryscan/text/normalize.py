"""Normalisation that keeps a map back to the original characters.

The clean text differs from the extracted text in four ways, none of which
loses the way back:

* 1:1 character mapping: full-width ASCII -> half-width (``１２％`` -> ``12%``,
  ``，`` -> ``,``), traditional -> simplified characters (OpenCC's table).
* deleted whitespace: inside quantities (``1200 余次``, ``16\\n个``), between
  CJK characters (PDF line breaks turned into spaces), zero-width characters;
* joined lines: a line break inside a sentence (layout or page breaks) is
  removed, a paragraph break is kept as one ``\\n``;
* artifacts: web-page debris and markers (``购物车``, ``##paidbegin##``,
  ``全文共N字`` ...) are cut out of the analysis and recorded.

``Normalized.to_raw`` maps any clean offset back to the extracted text.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Iterator

from ..records import Artifact
from . import lexicon
from .headings import opens_heading
from .patterns import CLOSERS, CONTINUATION_START, TERMINAL


# A short line ending in one of these is a document title: never joined to the next line.
TITLE_ENDINGS = ("总结", "报告", "汇报", "材料", "方案", "意见", "研究", "讲话", "发言", "课题组", "调研组", "述职")


def looks_like_title(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= 40 and line.endswith(TITLE_ENDINGS)


@dataclass
class Normalized:
    """Clean text with a piecewise map back to the extracted text."""
    text: str
    norm_starts: list[int]
    raw_starts: list[int]
    raw_len: int
    artifacts: list[Artifact] = field(default_factory=list)

    def to_raw(self, i: int) -> int:
        """Raw offset of the clean character at ``i`` (``len(text)`` maps to the raw end)."""
        if i >= len(self.text):
            if not self.norm_starts:
                return self.raw_len
            # end of the last kept segment
            k = len(self.norm_starts) - 1
            return self.raw_starts[k] + (len(self.text) - self.norm_starts[k])
        k = bisect.bisect_right(self.norm_starts, i) - 1
        return self.raw_starts[k] + (i - self.norm_starts[k])

    def spans_to_raw(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """``span_to_raw`` of each span; the spans are non-empty, in order and do not
        overlap."""
        if not spans:
            return []
        starts, ends = zip(*spans)
        return list(zip(self.offsets_to_raw(starts), self.offsets_to_raw(ends, ends=True)))

    def offsets_to_raw(self, offsets, ends: bool = False) -> list[int]:
        """``to_raw`` of each of the ascending clean ``offsets`` (``to_raw(i - 1) + 1`` with ``ends``).

        Offsets in one kept segment share a shift, so the work is a bisection per
        segment that holds any of them, not per offset: the text has few segments.
        """
        starts, raw_starts = self.norm_starts, self.raw_starts
        last = len(starts) - 1
        # an offset's segment is that of its character, or for an end of the character before it
        back = 1 if ends else 0
        past_segment = bisect.bisect_right if ends else bisect.bisect_left
        out: list[int] = []
        lo, n = 0, len(offsets)
        while lo < n:
            k = bisect.bisect_right(starts, offsets[lo] - back) - 1
            hi = past_segment(offsets, starts[k + 1], lo) if k < last else n
            shift = raw_starts[k] - starts[k]
            out.extend([i + shift for i in offsets[lo:hi]])
            lo = hi
        return out

    def to_clean(self, raw_off: int) -> int:
        """Clean offset of the raw character at ``raw_off`` (or of the next kept one)."""
        if not self.norm_starts:
            return 0
        k = bisect.bisect_right(self.raw_starts, raw_off) - 1
        if k < 0:
            return 0
        seg_end = self.norm_starts[k + 1] if k + 1 < len(self.norm_starts) else len(self.text)
        seg_len = seg_end - self.norm_starts[k]
        d = raw_off - self.raw_starts[k]
        return self.norm_starts[k] + d if d < seg_len else seg_end

    def cursor(self) -> "Cursor":
        """A mapper for offsets visited in increasing order (amortised O(1) each)."""
        return Cursor(self)

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Raw span covering the clean span [start, end)."""
        if end <= start:
            r = self.to_raw(start)
            return r, r
        return self.to_raw(start), self.to_raw(end - 1) + 1


class Cursor:
    """Maps clean offsets to raw ones for a forward scan, without a search per offset."""

    def __init__(self, norm: Normalized):
        self.norm, self.k = norm, 0

    def to_raw(self, i: int) -> int:
        n = self.norm
        starts = n.norm_starts
        if i >= len(n.text) or i < starts[self.k]:
            return n.to_raw(i)
        self.k = k = bisect.bisect_right(starts, i, self.k) - 1
        return n.raw_starts[k] + (i - starts[k])

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            r = self.to_raw(start)
            return r, r
        return self.to_raw(start), self.to_raw(end - 1) + 1


# ---------------------------------------------------------------- lexicon data

class _Alternatives:
    """Patterns joined by ``|``, scanned for only in texts where one of them occurs.

    Alone, a pattern usually opens with a literal or a choice of literals, which
    the regex engine skips to quickly; their alternation it tries at every position.
    """

    def __init__(self, patterns: list[str], flags: int):
        self.joined = re.compile("|".join(patterns), flags)
        self.each = [re.compile(p, flags) for p in patterns]

    def finditer(self, text: str):
        if any(p.search(text) for p in self.each):
            return self.joined.finditer(text)
        return iter(())


@lru_cache(maxsize=1)
def _debris_patterns() -> tuple[re.Pattern, _Alternatives, _Alternatives]:
    """(whole-line debris, inline markers, inline counters) from lexicon/debris.txt."""
    lines, markers, counters = [], [], []
    for ln in lexicon.lines("debris.txt"):
        kind, _, pat = ln.partition(" ")
        pat = pat.strip()
        {"line": lines, "marker": markers, "counter": counters}[kind].append(pat)
    line_re = re.compile(r"^[ \t\u3000]*(?:" + "|".join(lines) + r")[ \t\u3000]*$", re.M | re.I)
    return line_re, _Alternatives(markers, re.I), _Alternatives(counters, re.I)


@lru_cache(maxsize=1)
def translation_table() -> dict[int, int]:
    """Full-width ASCII -> half-width, traditional -> simplified (single characters)."""
    table = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = 0x20
    try:
        path = resources.files("opencc").joinpath("dictionary/TSCharacters.txt")
        for line in path.read_text(encoding="utf-8").splitlines():
            trad, _, simp = line.partition("\t")
            simp = simp.split(" ")[0]
            if len(trad) == 1 and len(simp) == 1 and trad != simp:
                table[ord(trad)] = ord(simp)
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - opencc is a dependency
        pass
    # Characters the genre uses in simplified text that OpenCC would still rewrite.
    for keep in "著":
        table.pop(ord(keep), None)
    return table


@lru_cache(maxsize=1)
def _code_point_map():
    """``translation_table`` as an array indexed by code point, up to the last it changes
    (0.7 MB: every code point would take 4.3 MB in each worker)."""
    import numpy as np
    table = translation_table()
    cmap = np.arange(max(table, default=0) + 1, dtype=np.uint32)
    cmap[np.fromiter(table.keys(), np.uint32, len(table))] = np.fromiter(table.values(), np.uint32, len(table))
    return cmap


def translate(text: str) -> str:
    """``text.translate(translation_table())``, done on an array of code points:
    ``str.translate`` with a dict costs a lookup (mostly a KeyError) per character,
    over ten times slower."""
    import numpy as np
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cmap = _code_point_map()
    if not len(codes) or codes.max() < len(cmap):
        return cmap[codes].tobytes().decode("utf-32-le", "surrogatepass")
    beyond = codes >= len(cmap)                       # past the map: unchanged
    return np.where(beyond, codes, cmap[np.where(beyond, 0, codes)]).tobytes().decode("utf-32-le", "surrogatepass")


_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_ZERO_WIDTH_RE = re.compile(f"[{_ZERO_WIDTH}]+")
_HSPACE = " \t\u3000\xa0"
# A run of horizontal whitespace, from each character that can open one: a pattern
# opening with a literal is found much faster than one opening with a class.
_HSPACE_FROM = {c: re.compile(f"{c}[{_HSPACE}]*") for c in _HSPACE}
# A newline run is [_RUN_LEAD]*\n[\s and zero-width]*. The scan looks for the newline
# (a literal, which the regex engine finds fast) and walks back over the lead.
_NEWLINE_RE = re.compile(f"\n[\\s\u3000{_ZERO_WIDTH}]*")
_RUN_LEAD = frozenset(_HSPACE + _ZERO_WIDTH)


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _line_spans(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def normalize(raw: str, join_lines: bool = True) -> Normalized:
    """Clean ``raw`` for analysis, recording how to map back.

    ``join_lines``: rejoin lines that the layout broke inside a sentence. Right for
    plain text of unknown origin; off for .docx (a line is a paragraph) and .pdf
    (ingest already rejoined lines, knowing the page margins).
    """
    line_re, marker_re, counter_re = _debris_patterns()
    deletions: list[tuple[int, int]] = []
    artifacts: list[Artifact] = []

    for m in marker_re.finditer(raw):
        artifacts.append(Artifact("marker", m.group(), m.start(), m.end()))
        deletions.append((m.start(), m.end()))
    for m in counter_re.finditer(raw):
        artifacts.append(Artifact("counter", m.group(), m.start(), m.end()))
        deletions.append((m.start(), m.end()))
    if any(c in raw for c in _ZERO_WIDTH):        # rare: skip the scan
        for m in _ZERO_WIDTH_RE.finditer(raw):
            deletions.append((m.start(), m.end()))
    # Whole-line debris is judged on what is left of the line once markers and
    # zero-width characters are gone, so a second pass finds nothing more (idempotent).
    inline = _merge(deletions)
    for s, e in _line_spans(raw):
        if e - s > 80:
            continue                      # debris lines are short
        visible = _visible(raw, s, e, inline)
        if visible and line_re.fullmatch(visible):
            artifacts.append(Artifact("debris", raw[s:e].strip(), s, e))
            deletions.append((s, e))
    artifacts.sort(key=lambda a: a.start)

    deleted = _merge(deletions)
    deletions = list(deleted)
    # Horizontal whitespace: keep only between two ASCII letters/digits ("Public domain").
    for start, end in _hspace_runs(raw):
        before = _neighbour(raw, start - 1, deleted, -1)
        after = _neighbour(raw, end, deleted, 1)
        if before and after and _is_ascii_alnum(before) and _is_ascii_alnum(after):
            continue
        deletions.append((start, end))
    deleted = _merge(deletions)
    deletions = list(deleted)
    deletions.extend(_line_break_deletions(raw, deleted, join_lines))
    deleted = _merge(deletions)

    # Kept segments and the clean text.
    pieces, norm_starts, raw_starts = [], [], []
    pos, out_len = 0, 0
    for s, e in deleted + [(len(raw), len(raw))]:
        if s > pos:
            norm_starts.append(out_len)
            raw_starts.append(pos)
            pieces.append(raw[pos:s])
            out_len += s - pos
        pos = max(pos, e)
    text = translate("".join(pieces))
    return Normalized(text, norm_starts, raw_starts, len(raw), artifacts)


def _hspace_runs(raw: str) -> list[tuple[int, int]]:
    """The maximal runs of horizontal whitespace, in order."""
    found = sorted(m.span() for c, rx in _HSPACE_FROM.items() if c in raw for m in rx.finditer(raw))
    runs: list[tuple[int, int]] = []
    for start, end in found:
        if not runs or start >= runs[-1][1]:   # else the tail of the run before
            runs.append((start, end))
    return runs


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _neighbour(raw: str, i: int, deleted: list[tuple[int, int]], step: int) -> str:
    """The nearest character at or beyond ``i`` (in direction ``step``) not deleted."""
    while 0 <= i < len(raw):
        k = bisect.bisect_right(deleted, (i, float("inf"))) - 1
        if k >= 0 and deleted[k][0] <= i < deleted[k][1]:
            i = deleted[k][0] - 1 if step < 0 else deleted[k][1]
            continue
        return raw[i]
    return ""


def _newline_runs(raw: str) -> Iterator[tuple[int, int]]:
    """Spans of the newline runs, as ``_RUN_LEAD* \\n [\\s zero-width]*`` found left to right."""
    floor = 0
    for m in _NEWLINE_RE.finditer(raw):
        start = m.start()
        while start > floor and raw[start - 1] in _RUN_LEAD:
            start -= 1
        floor = m.end()
        yield start, floor


_INNER_PUNCT = frozenset("。,，;；")
_INNER_PUNCT_RE = re.compile("[。,，;；]")


def _line_break_deletions(raw: str, deleted: list[tuple[int, int]], join: bool = True) -> list[tuple[int, int]]:
    """Which newline runs to drop (join lines) or shrink to a single newline.

    A break is a paragraph break when the text before it ends a sentence, when the
    next line opens a heading, or when the paragraph so far is a short line (a
    title) or a heading line. Otherwise the line was broken by the layout and is
    joined to the next.
    """
    out: list[tuple[int, int]] = []
    para_head, para_tail, para_len, para_punct = "", "", 0, False
    line_start, known = 0, None      # known: the visible line at line_start, if already computed
    for run_start, run_end in _newline_runs(raw):
        line = known if known is not None else _visible(raw, line_start, run_start, deleted)
        line_start, known = run_end, None
        if line:
            para_head = para_head or line
            # inner punctuation, including the previous line's last character
            para_punct = para_punct or para_tail[-1:] in _INNER_PUNCT or \
                bool(_INNER_PUNCT_RE.search(line, 0, len(line) - 1))
            para_tail = (para_tail + line[-2:])[-2:]
            para_len += len(line)
        if not para_len:
            out.append((run_start, run_end))     # nothing kept yet: drop the break
            continue
        next_end = raw.find("\n", run_end)
        # what is visible up to the next newline is what is visible up to the next run
        next_line = known = _visible(raw, run_end, len(raw) if next_end < 0 else next_end, deleted)
        if not next_line:
            out.append((run_start, run_end))     # debris or the end follows: the next break decides
            continue
        if join and _joins(para_head, para_tail, para_len, para_punct, next_line):
            out.append((run_start, run_end))
        else:
            nl = raw.index("\n", run_start)
            out.append((run_start, nl))
            out.append((nl + 1, run_end))
            para_head, para_tail, para_len, para_punct = "", "", 0, False
    return [(s, e) for s, e in out if e > s]


def _visible(raw: str, start: int, end: int, deleted: list[tuple[int, int]]) -> str:
    if not deleted:
        return raw[start:end].strip()
    k = bisect.bisect_left(deleted, (start, start))
    if k and deleted[k - 1][1] > start:
        k -= 1                            # a deletion running into the range
    if k == len(deleted) or deleted[k][0] >= end:
        return raw[start:end].strip()     # none inside it
    parts, pos = [], start
    while k < len(deleted) and deleted[k][0] < end:
        s, e = deleted[k]
        if e > pos:
            if s > pos:
                parts.append(raw[pos:s])
            pos = max(pos, e)
        k += 1
    if pos < end:
        parts.append(raw[pos:end])
    return "".join(parts).strip()


def _joins(head: str, tail: str, length: int, punct: bool, nxt: str) -> bool:
    """Whether the paragraph (first line ``head``, last chars ``tail``) continues on ``nxt``.

    ``punct`` says the paragraph has inner punctuation, so it is prose, not a title.
    """
    last = tail[-1]
    if last in TERMINAL:
        return False
    if last in CLOSERS and len(tail) > 1 and tail[-2] in TERMINAL:
        return False
    if nxt[0] in CONTINUATION_START:
        return True
    if opens_heading(nxt):
        return False
    if opens_heading(head):
        return False          # a heading line without final punctuation
    if not punct and length == len(head) and looks_like_title(head):
        return False          # a one-line title
    if last in ",，、":
        return True
    return punct or length >= 25


def normalize_document(raw) -> Normalized:
    """The clean text of an ingested document (:class:`~summaryscan.records.RawDocument`):
    lines are rejoined unless its reader already made each line a paragraph."""
    return normalize(raw.text, join_lines=not raw.lines_are_paragraphs)
