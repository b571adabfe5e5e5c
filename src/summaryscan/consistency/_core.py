"""Registry, configuration and the shared context of the consistency checks.

A check is a function ``fn(ctx) -> Iterable[Finding]`` registered under the code
it reports with the :func:`check` decorator (one code per function, several
functions per family module)::

    @check("HEDGE_CONFLICT")
    def hedge_conflict(ctx):
        for c in ctx.analysis.claims:
            ...
            yield ctx.finding("HEDGE_CONFLICT", c.start, c.end, "…", claims=[c])

Trigger words, severities and tolerances come from ``lexicon/consistency.yaml``
(``ctx.cfg``), never from lists in the code.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Callable, Iterable, Optional

from ..records import Analysis, Claim, Finding, Sentence
from ..registry import checks
from ..text import lexicon
from ..text.normalize import Normalized, normalize_document
from ..text.patterns import alternation

CheckFn = Callable[["Context"], Iterable[Finding]]


def check(code: str, severity: Optional[str] = None, description: Optional[str] = None
          ) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` in :data:`summaryscan.registry.checks` as the check reporting ``code``.

    The package's own codes take their severity and description from
    ``lexicon/consistency.yaml``; a check from outside gives them here.
    """
    spec = config()["codes"].get(code, {})
    severity = severity or spec.get("severity")
    description = description or spec.get("description")
    if severity not in ("high", "medium", "low") or not description:
        raise KeyError(f"consistency code {code!r} needs a severity (high|medium|low) and a description")

    def register(fn: CheckFn) -> CheckFn:
        fn.code = code
        return checks.register(code, severity=severity, description=description)(fn)
    return register


def config() -> dict:
    return lexicon.data("consistency.yaml")


@lru_cache(maxsize=None)
def word_regex(key: str) -> re.Pattern:
    """Compiled alternation of a word list given as ``section.key`` in the config."""
    section, _, name = key.partition(".")
    return re.compile(alternation(config()[section][name]))


@dataclass
class CClaim:
    """A claim with its span in the clean text."""
    claim: Claim
    cs: int
    ce: int


class Context:
    """What every check sees: the analysis, the framework, the config, and helpers
    to move between the clean text (where cues are matched) and the raw text
    (where findings are reported)."""

    def __init__(self, analysis: Analysis, framework=None):
        self.analysis = analysis
        self.framework = framework
        self.cfg = config()
        self.raw = analysis.raw.text
        # the analysis's own clean text: spans computed here match its sentences'
        self.norm: Normalized = analysis.norm if analysis.norm is not None else normalize_document(analysis.raw)
        self.text = self.norm.text                       # clean text
        self._sent_starts = [s.start for s in analysis.sentences]

    # ---------------------------------------------------------- offsets

    def to_clean(self, raw_off: int) -> int:
        """Clean offset of the raw character at ``raw_off`` (or of the next kept one)."""
        return self.norm.to_clean(raw_off)

    def span_to_raw(self, cs: int, ce: int) -> tuple[int, int]:
        return self.norm.span_to_raw(cs, ce)

    @cached_property
    def cclaims(self) -> list[CClaim]:
        out = []
        for c in self.analysis.claims:
            cs = self.to_clean(c.start)
            ce = self.to_clean(c.end - 1) + 1 if c.end > c.start else cs
            out.append(CClaim(c, cs, ce))
        return out

    @cached_property
    def pre(self) -> list[str]:
        """For each claim in ``cclaims``: the clean text of its clause before it, from
        the clause start or the end of the previous claim in the clause
        (排查问题3900个、化解[隐患问题]3500个)."""
        out = []
        prev_end = -1
        for cc in self.cclaims:
            start = self.clause_start(cc.cs)
            if prev_end > start:
                start = min(prev_end, cc.cs)
            out.append(self.text[start:cc.cs])
            prev_end = cc.ce
        return out

    def claims_in_sentence(self, idx: int) -> list[CClaim]:
        return [cc for cc in self.cclaims if cc.claim.sentence == idx]

    def sentence_clean_span(self, s: Sentence) -> tuple[int, int]:
        cs = self.to_clean(s.start)
        return cs, cs + len(s.text)

    # ---------------------------------------------------------- text helpers

    def clause_start(self, cpos: int, floor: int = 0, breaks: Optional[str] = None) -> int:
        """Clean offset where the clause containing ``cpos`` begins (not before ``floor``)."""
        breaks = breaks or self.cfg["clause_breaks"]
        i = cpos - 1
        while i >= floor and self.text[i] not in breaks:
            i -= 1
        return i + 1

    def clause_before(self, cpos: int, floor: int = 0) -> str:
        return self.text[self.clause_start(cpos, floor):cpos]

    # ---------------------------------------------------------- locating

    def sentence_at(self, raw_off: int) -> Optional[Sentence]:
        k = bisect.bisect_right(self._sent_starts, raw_off) - 1
        if k < 0:
            return None
        return self.analysis.sentences[k]

    def section_path_at(self, raw_off: int) -> str:
        """Path of the innermost heading or point enclosing ``raw_off``."""
        best = None
        for s in self.analysis.sections:
            if s.start > raw_off:
                break
            if s.start <= raw_off < s.end:
                best = s
        return best.path if best else ""

    # ---------------------------------------------------------- findings

    def severity(self, code: str) -> str:
        """The code's default severity, as registered (``lexicon/consistency.yaml`` for the package's own)."""
        return checks.entry(code).meta["severity"]

    def finding(self, code: str, start: int, end: int, message: str,
                claims: Iterable[Claim] = (), severity: Optional[str] = None) -> Finding:
        """A finding on the raw span [start, end); doc-level when start < 0."""
        a = self.analysis
        if start < 0:
            return Finding(doc=a.doc, code=code, severity=severity or self.severity(code), message=message,
                           claims=[c.raw for c in claims])
        sent = self.sentence_at(start)
        sentence = self.raw[sent.start:sent.end] if sent and sent.start <= start < sent.end else ""
        return Finding(doc=a.doc, code=code, severity=severity or self.severity(code), message=message,
                       section=self.section_path_at(start), sentence=sentence, raw=self.raw[start:end],
                       start=start, end=end, claims=[c.raw for c in claims])

    # ---------------------------------------------------------- title

    @cached_property
    def title_span(self) -> tuple[int, int]:
        """Clean span of the title line (the first non-empty line), or (0, 0)."""
        t = self.analysis.title
        if not t:
            return 0, 0
        i = self.text.find(t)
        return (i, i + len(t)) if i >= 0 else (0, 0)


# ------------------------------------------------------------------ numbers

def hedge_bounds(claim: Claim) -> tuple[float, float]:
    """(lowest, highest) value a hedged number may stand for.

    ``3900余`` -> (3900, 4000); ``近800`` -> (720, 800); ``60%以上`` -> (60, inf).
    """
    v = claim.value
    approx = claim.approx or ""
    parts = approx.split("…") if approx else []
    lo, hi = v, v
    direction = config()["hedges"]["direction"]
    for h in parts:
        d = direction.get(h)
        if d == "above":
            if h in ("余", "多"):
                hi = max(hi, v + _step(v))
            else:
                hi = float("inf")
        elif d == "below":
            lo = min(lo, v * 0.9)
        elif d == "about":
            lo, hi = min(lo, v * 0.9), max(hi, v * 1.1)
    return lo, hi


_ROUNDED = re.compile(r"([0-9０-９]+)(?:[.．]([0-9０-９]+))?\s*(万亿|万|亿)")
_MULT = {"万": 1e4, "亿": 1e8, "万亿": 1e12}


def value_bounds(claim: Claim) -> tuple[float, float]:
    """:func:`hedge_bounds` widened by the rounding a 万/亿 figure carries:
    ``1.2万`` may be 11,500–12,499 (half its last place either way)."""
    lo, hi = hedge_bounds(claim)
    if claim.approx:
        if hi > claim.value:           # 300余 is 300 up to, not including, 400: 300余 and 400余 cannot both hold
            hi -= 1e-6 * max(1.0, hi - claim.value)
        return lo, hi
    m = _ROUNDED.search(claim.raw)
    if m:
        # half-open: 1万 is 5,000 up to, not including, 15,000, so 1万 and 2万 cannot both hold
        half = 0.5 * 10 ** -len(m.group(2) or "") * _MULT[m.group(3)]
        lo, hi = lo - half, hi + half * (1 - 1e-9)
    return lo, hi


def _step(v: float) -> float:
    """The place a 余/多 hedge rounds to: 3900 -> 100, 3500 -> 100, 40000 -> 10000, 12 -> 1."""
    if v <= 0 or v != int(v):
        return 1.0
    n, step = int(v), 1
    while n % 10 == 0 and n >= 10:
        n //= 10
        step *= 10
    return float(step)


def fmt_num(v: float) -> str:
    """A figure as the genre writes it: 48, 4.5, 12.5万, 2.38亿 (never 2.38e+08)."""
    def plain(x: float) -> str:
        return str(int(round(x))) if abs(x - round(x)) < 1e-9 else f"{x:.2f}".rstrip("0").rstrip(".")
    if abs(v) >= 1e12:
        return plain(v / 1e12) + "万亿"
    if abs(v) >= 1e8:
        return plain(v / 1e8) + "亿"
    if abs(v) >= 1e5:
        return plain(v / 1e4) + "万"
    return plain(v)
