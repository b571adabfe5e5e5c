"""Numeric claims: a number stating how much a unit did, has or achieved.

:mod:`.scan` finds them in the clean text; :mod:`.subject_model` names what each
counts (the trained model shipped in ``models/``; :mod:`.subjects`, the rules, when it
is absent).

The scan runs compiled patterns over the clean text (``normalize.Normalized``); only
the sentences that hold claims are segmented (jieba's route, ``text.lattice``), all at
once. Units, hedges, guards and the slogan stop-list are data files in
``summaryscan/lexicon``.

Not claims: dates and years, ordinals (第一议题), numbers inside quoted slogans,
book titles and formulas (“两个确立”, 《…200题》, 1+2+N+1, 7×24小时), heading
markers, phone and document numbers, and masked numbers (X个) which are
recorded as placeholders instead.
"""
from __future__ import annotations

from ..records import Claim
from ..text.normalize import Normalized
from ..text.pos import trigger_verbs
from .scan import PLACEHOLDER_RE, claim_pattern, find_placeholders, lexicon, scan
from . import subject_model, subjects


def extract_claims(doc: str, norm: Normalized, raw_text: str) -> list[Claim]:
    """The claims of a document, in text order, with offsets into ``raw_text``."""
    return extract_claims_many([(doc, norm, raw_text)])[0]


def extract_claims_many(docs: list[tuple[str, Normalized, str]]) -> list[list[Claim]]:
    """:func:`extract_claims` of many documents ``(doc, norm, raw_text)``: each is scanned on
    its own and the subject model names the subjects of all in one pass."""
    found = [scan_claims(*d) for d in docs]
    model = subject_model.load()
    if model is not None:
        subject_model.assign_many(model, [(norm, raw, claims, f)
                                          for (_, norm, raw), (claims, f) in zip(docs, found)])
    else:                                  # without the shipped model: the rules of subjects.py
        for (_, norm, _), (claims, f) in zip(docs, found):
            subjects.assign_subjects(norm.text, claims, f)
    return [claims for claims, _ in found]


def scan_claims(doc: str, norm: Normalized, raw_text: str) -> tuple[list[Claim], list]:
    """A document's claims with no subject yet, and what the scan found (:func:`.scan.scan`)."""
    found = scan(norm.text)
    raw_starts = norm.offsets_to_raw([f[0] for f in found])
    ends = sorted({f[1] for f in found})          # a claim may lie inside another: ends need not ascend
    raw_end = dict(zip(ends, norm.offsets_to_raw(ends, ends=True)))
    raw_ends = [raw_end[f[1]] for f in found]
    # doc, raw, value, unit, approx, subject, kind, start, end by place: a third faster than by name
    claims = [Claim(doc, raw_text[rs:re_], value, unit, approx, "", kind, rs, re_, hedge_conflict=conflict)
              for (_, _, _, _, value, unit, approx, kind, conflict), rs, re_ in zip(found, raw_starts, raw_ends)]
    return claims, found


__all__ = ["extract_claims", "extract_claims_many", "scan_claims", "find_placeholders", "claim_pattern", "lexicon", "trigger_verbs", "PLACEHOLDER_RE"]
