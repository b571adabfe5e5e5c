"""NUMBERING: skipped, repeated or out-of-order markers among siblings.

Siblings are the sections of one level under the same parent (``Section.parent``),
in text order, for headings (一、 (一) 1. (1)) and inline points (一是 二是).
A run may restart at 1: a new parent always starts a new run; under the same
parent a point run restarts whenever 一是 appears, a heading run when its first
number comes back after at least two items.  The finding is on the offending
marker.  A run that does not begin at 1 is not reported (the first marker is the
one structure detection most often misses), nor is a jump back to a number
other than 1 unless two siblings are swapped (一 三 二 四).  A skip is not reported
when the missing marker does stand in the text between the two siblings (the
structure stage missed it, e.g. 三、2026年主要任务; a marker broken over a line, （\n三）,
counts).  A marker followed at once by the next (一、二、三产业) is a list of numerals, not a
heading.  A file that holds several documents (a web page with several articles: the title
repeated, 篇1/篇2, a title-like line and a restart of the outline at 一、) restarts the count
at each of them.
"""
from __future__ import annotations

import bisect
import re
from collections import defaultdict

from ..records import Section
from ..text.numerals import to_chinese
from ..text.patterns import CN_DIGITS
from ._core import Context, alternation, check

_NUM_RE = re.compile(r"[一二三四五六七八九十百零〇]+|\d+")


def chinese(n: int) -> str:
    """A marker's number in Chinese numerals (zero as 零)."""
    return to_chinese(n, "零" + CN_DIGITS[1:])


def marker_for(template: str, n: int) -> str:
    """The marker for number ``n`` written in the style of ``template``: （二） -> （三）."""
    m = _NUM_RE.search(template)
    if not m:
        return template
    num = str(n) if m.group().isdigit() else chinese(n)
    return template[:m.start()] + num + template[m.end():]


@check("NUMBERING")
def numbering(ctx: Context):
    sev = ctx.cfg["numbering"]["severity"]
    starts = document_starts(ctx)
    groups: dict[tuple, list[Section]] = defaultdict(list)
    for s in ctx.analysis.sections:
        if s.number > 0 and not _enumeration(ctx, s):
            part = bisect.bisect_right(starts, ctx.to_clean(s.start))
            groups[(part, s.parent, s.level)].append(s)
    for (_, _, level), sibs in groups.items():
        sibs.sort(key=lambda s: s.start)
        for s, message in _problems(ctx, sibs):
            end = s.start + len(s.marker)
            if ctx.raw[s.start:end] != s.marker:
                end = s.start + 1
            yield ctx.finding("NUMBERING", s.start, end, message, severity=sev.get(level))


def _enumeration(ctx: Context, s: Section) -> bool:
    """A marker followed at once by the next one is a list of numerals, not a heading:
    一、二、三产业增加值分别增长…"""
    after = s.start + len(s.marker)
    return bool(re.match(r"\s*(?:[一二三四五六七八九十]+|\d+)[、,]", ctx.raw[after:after + 4]))


def document_starts(ctx: Context) -> list[int]:
    """Clean offsets where another document begins inside the file (a page that holds several
    articles): a line repeating the title, a 篇1/第二篇 line, or a title-like line (short, no
    sentence punctuation, a document-type word) followed by a restart of the outline at 一、."""
    cfg = ctx.cfg["numbering"]
    text = ctx.text
    title = (ctx.analysis.title or "").strip()
    lines = [(m.start(), m.group().strip()) for m in re.finditer(r"[^\n]+", text)]
    title_word = re.compile(alternation(cfg["title_words"]))
    out = []
    for k, (pos, line) in enumerate(lines):
        if k == 0 or not line:
            continue
        if (title and line == title) or re.match(cfg["article_marker"], line):
            out.append(pos)
            continue
        if len(line) <= cfg["title_max_chars"] and not re.search(r"[,;:。!?]", line) and title_word.search(line) \
                and not re.match(r"(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十]+[)）]|\d+[、.])", line):
            nxt = " ".join(l for _, l in lines[k + 1:k + 6])
            if re.search(r"(?:^|\s)一[、.]", nxt):
                out.append(pos)
    return out


def _present(ctx: Context, template: str, numbers: range, start: int, end: int) -> bool:
    """Whether a marker the sections list lacks is in the text after all (between two
    siblings, where a heading or point can open): then structure detection missed it
    (三、2026年主要任务), and the numbering is not at fault."""
    clean = ctx.text[ctx.to_clean(start):ctx.to_clean(end)]
    for n in numbers:
        marker = marker_for(_clean_marker(template), n)
        spaced = r"\s*".join(re.escape(ch) for ch in marker)        # （\n三） broken over a line
        if re.search(rf"(?:^|[\n。!?;:,、\s]){spaced}", clean):
            return True
    return False


def _clean_marker(marker: str) -> str:
    """The marker as it stands in the clean text (full-width brackets and points halved)."""
    return marker.translate(str.maketrans("（）．，", "().,"))


def _problems(ctx: Context, sibs: list[Section]):
    prev = None
    alt = None            # the run interrupted by a jump back (四、 三、 五、: 三、 heads an inner list)
    skip_next = False
    for i, s in enumerate(sibs):
        if prev is None or skip_next:
            skip_next = False
            prev = s if prev is None or s.number > prev.number else prev
            continue
        p, n = prev.number, s.number
        if alt is not None and n == alt.number + 1:
            alt = None                                  # the interrupted run goes on
        elif n == p + 1:
            pass
        elif n == 1 and (s.level == "point" or p >= 2):
            if s.level != "point":                      # a new run, or an inner list the outer
                alt = prev if alt is None else alt      # run may pick up after (四、一、二、三、五、)
        elif n == p:
            yield s, f"序号重复：“{prev.marker}”之后又是“{s.marker}”，应为“{marker_for(s.marker, p + 1)}”"
        elif n > p + 1:
            if _present(ctx, s.marker, range(p + 1, n), prev.start + len(prev.marker), s.start):
                pass
            else:
                nxt = sibs[i + 1] if i + 1 < len(sibs) else None
                if nxt is not None and nxt.number == p + 1:
                    yield s, (f"序号顺序颠倒：“{prev.marker}”之后是“{s.marker}”，随后才是“{nxt.marker}”，"
                              f"应为“{marker_for(s.marker, p + 1)}”在前")
                    skip_next = True
                else:
                    missing = "、".join(f"“{marker_for(s.marker, k)}”" for k in range(p + 1, n))
                    yield s, f"序号跳号：“{prev.marker}”之后是“{s.marker}”，缺少{missing}"
        elif n != 1:
            # a jump back to a number other than 1 (五、 then 三、) is an inner list or a new
            # part numbered on (第二部分 …) as often as an error: not reported
            alt = prev if alt is None else alt
        prev = s
