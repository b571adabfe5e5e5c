"""Framework coverage: which dimensions a document backs with evidence, how concretely.

A sentence is evidence for a dimension when it reports work done (an action or a
result, not a slogan, a plan or a problem) and it matches one of the
dimension's indicators — by the framework's phrases and patterns, or by a
sentence classifier when one is given (see :mod:`summaryscan.classifier`).
The section a sentence sits in counts too: a concrete sentence under a heading
that names a dimension's indicator is weaker evidence for it.

Score per dimension (0..1): the weighted indicators hit, saturating at
``TARGET_INDICATORS``, plus the framework's ``quantified_bonus`` when evidence
for a quantitative indicator carries a numeric claim. ``covered`` when the score
reaches the framework's ``covered_threshold``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Protocol

from .frameworks import Framework
from .records import Analysis, Coverage, Evidence
from .text import lexicon
from .text.patterns import alternation

TARGET_INDICATORS = 4.0       # indicator weight at which a dimension scores 1.0 (graded, not saturated)
SECTION_CONTEXT_WEIGHT = 0.5  # a hit in the heading only, not the sentence


class SentenceClassifier(Protocol):
    """Anything that maps sentences to framework dimension names (or "none")."""

    def predict_dimensions(self, sentences: list[str]) -> list[tuple[str, float]]: ...


@dataclass(frozen=True)
class Cues:
    action: re.Pattern
    non_evidence: re.Pattern
    excluded_sections: re.Pattern


@lru_cache(maxsize=1)
def cues() -> Cues:
    data = lexicon.data("coverage.yaml")
    alt = lambda words: re.compile(alternation(words))
    return Cues(alt(data["action"]), alt(data["non_evidence"]), alt(data["excluded_sections"]))


def _excluded_section(a: Analysis, section_id: Optional[int]) -> bool:
    """Problems, plans and suggestions are not evidence of work done."""
    rx = cues().excluded_sections
    while section_id is not None:
        s = a.sections[section_id]
        if rx.search(s.title):
            return True
        section_id = s.parent
    return False


def is_concrete(text: str, has_claim: bool) -> bool:
    c = cues()
    if c.non_evidence.search(text):
        return False
    return has_claim or bool(c.action.search(text))


def coverage(a: Analysis, fw: Framework, classifier: Optional[SentenceClassifier] = None) -> list[Coverage]:
    """One Coverage row per framework dimension for document ``a``."""
    dims = fw.dimensions
    if not a.raw.ok:
        return [Coverage(a.doc, fw.id, d.name, 0.0, False) for d in dims]
    claims_per_sentence: dict[int, int] = {}
    for c in a.claims:
        claims_per_sentence[c.sentence] = claims_per_sentence.get(c.sentence, 0) + 1
    section_hits = _section_indicator_hits(a, fw)

    model_votes: dict[int, tuple[str, float]] = {}
    candidates = [s for s in a.sentences if not _excluded_section(a, s.section)
                  and is_concrete(s.text, claims_per_sentence.get(s.idx, 0) > 0)]
    if classifier is not None and candidates:
        for s, vote in zip(candidates, classifier.predict_dimensions([s.text for s in candidates])):
            model_votes[s.idx] = vote

    out = []
    for d in dims:
        hit_weight: dict[str, float] = {}
        evidence: list[Evidence] = []
        quantified = 0
        quantified_indicator = False
        for s in candidates:
            n_claims = claims_per_sentence.get(s.idx, 0)
            hits = [ind for ind in d.indicators if ind.matches(s.text)]
            weight = 1.0
            if not hits and s.section is not None:
                hits = section_hits.get((s.section, d.id), [])
                weight = SECTION_CONTEXT_WEIGHT
            vote = model_votes.get(s.idx)
            if not hits and vote and vote[0] == d.name:
                hits, weight = [], SECTION_CONTEXT_WEIGHT
                hit_weight["model"] = max(hit_weight.get("model", 0.0), weight * vote[1])
            elif not hits:
                continue
            for ind in hits:
                hit_weight[ind.name] = max(hit_weight.get(ind.name, 0.0), weight * ind.weight)
                if ind.quantitative and n_claims and weight == 1.0:
                    quantified_indicator = True
            quantified += 1 if n_claims else 0
            evidence.append(Evidence(s.idx, a.raw.text[s.start:s.end].strip(), a.section_path(s.section),
                                     [ind.name for ind in hits] or ["（模型）"], n_claims, s.start, s.end))
        score = min(1.0, sum(hit_weight.values()) / TARGET_INDICATORS)
        if quantified_indicator:
            score = min(1.0, score + fw.scoring.quantified_bonus)
        # strongest evidence first: direct hits with numbers, then direct hits
        evidence.sort(key=lambda e: (-(e.claims > 0), -len(e.indicators), e.start))
        bonus = [b.name for b in d.bonus if any(b.matches(s.text) for s in a.sentences)]
        deductions = [b.name for b in d.deductions if any(b.matches(s.text) for s in a.sentences)]
        out.append(Coverage(a.doc, fw.id, d.name, round(score, 3), score >= fw.scoring.covered_threshold,
                            indicators_hit=[k for k in hit_weight if k != "model"],
                            evidence=evidence[: fw.scoring.max_evidence], quantified_evidence=quantified,
                            bonus=bonus, deductions=deductions))
    return out


def _section_indicator_hits(a: Analysis, fw: Framework) -> dict[tuple[int, str], list]:
    """Indicators named in a heading's title, inherited by the sentences below it."""
    direct: dict[tuple[int, str], list] = {}
    for s in a.sections:
        if s.level == "point":
            continue
        for d in fw.dimensions:
            hits = [ind for ind in d.indicators if ind.matches(s.title)]
            if hits:
                direct[(s.id, d.id)] = hits
    out: dict[tuple[int, str], list] = {}
    for s in a.sections:
        sid: Optional[int] = s.id
        while sid is not None:
            for d in fw.dimensions:
                if (sid, d.id) in direct and (s.id, d.id) not in out:
                    out[(s.id, d.id)] = direct[(sid, d.id)]
            sid = a.sections[sid].parent
    return out
