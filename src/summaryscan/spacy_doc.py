"""The spaCy view of an analysed document: a Doc with span groups for displaCy and Matcher use."""
from __future__ import annotations

from functools import lru_cache

from .records import Analysis
from .text import segment


@lru_cache(maxsize=1)
def _nlp():
    import spacy
    from spacy.tokens import Span
    for attr in ("value", "unit", "subject", "approx", "kind", "code", "message"):
        if not Span.has_extension(attr):
            Span.set_extension(attr, default=None)
    return spacy.blank("zh")          # the container only; words come from jieba below


def _words(text: str) -> tuple[list[str], list[bool]]:
    words = [w for w in segment.words(text) if w]
    return words, [False] * len(words)


def to_spacy(a: Analysis):
    """A ``Doc`` over ``a.raw.text`` (jieba words) with span groups ``claims``, ``sections``
    and ``placeholders``. Spans are expanded to word boundaries; the exact character
    offsets stay in the tables."""
    from spacy.tokens import Doc
    nlp = _nlp()
    words, spaces = _words(a.raw.text)
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    claims = []
    for c in a.claims:
        span = doc.char_span(c.start, c.end, label=c.kind, alignment_mode="expand")
        if span is not None:
            span._.value, span._.unit, span._.subject, span._.approx = c.value, c.unit, c.subject, c.approx
            claims.append(span)
    doc.spans["claims"] = claims
    doc.spans["sections"] = [s for s in (doc.char_span(x.start, x.title_end, label=f"L{x.level}",
                                                       alignment_mode="expand") for x in a.sections) if s]
    doc.spans["placeholders"] = [s for s in (doc.char_span(p.start, p.end, label="PLACEHOLDER",
                                                           alignment_mode="expand") for p in a.placeholders) if s]
    return doc
