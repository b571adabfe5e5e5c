"""Framework coverage: which dimensions a document backs with evidence, how concretely.

A sentence is evidence for a dimension when it reports work done (an action or a
result, not a slogan, a plan or a problem) on that dimension. Bare headings and the
problem and plan sections never are.

With the sentence classifier the framework names (:mod:`summaryscan.classifier`, trained
on real text, its per-dimension thresholds calibrated by cross-validation grouped by
document), a sentence is evidence for a dimension when the model gives it at least that
threshold — or, when the framework's phrases name one of the dimension's indicators in a
concrete sentence, half of it. A dimension is covered when one sentence is evidence for
it: the schema's definition (concrete evidence of work on the dimension). A sentence
under a heading that names another dimension is evidence for this one only when the
model is sure of it.

Without a classifier (other frameworks), the rules alone: a concrete sentence matching an
indicator covers the dimension; sentences under a heading naming one (weaker) cover it when
their weighted indicators reach the framework's ``covered_threshold`` (saturating at
``TARGET_INDICATORS``).

The score (grade) of a dimension is the share of its indicators backed by evidence —
a quantified sentence (one carrying a numeric claim) backs an indicator fully, an
unquantified one by ``UNQUANTIFIED``, evidence no indicator names adds ``UNNAMED`` —
out of the framework's ``scoring.indicator_target`` (or the dimension's indicators, if
fewer): it separates a thin dimension from a rich one.
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

TARGET_INDICATORS = 4.0       # rules alone: indicator weight at which a dimension scores 1.0
SECTION_CONTEXT_WEIGHT = 0.5  # rules alone: a hit in the heading only, not the sentence
UNQUANTIFIED = 0.6            # grade: an indicator backed by evidence without a figure
UNNAMED = 0.5                 # grade: evidence for the dimension that names no indicator
RULE_SUPPORT = 0.5            # an indicator phrase in a concrete sentence halves the model's threshold
SURE = 0.8                    # model probability that overrides a heading naming another dimension


class SentenceClassifier(Protocol):
    """Anything that gives sentences a probability per label (the framework's dimension
    names and "none"), with a threshold per label (``thresholds``, default 0.5)."""

    labels: list[str]

    def predict_proba(self, sentences: list[str]): ...


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
    return any(rx.search(t) for t in a.section_titles(section_id))


def is_concrete(text: str, has_claim: bool) -> bool:
    c = cues()
    if c.non_evidence.search(text):
        return False
    return has_claim or bool(c.action.search(text))


def coverage(a: Analysis, fw: Framework, classifier: Optional[SentenceClassifier] = None) -> list[Coverage]:
    """One Coverage row per framework dimension for document ``a``."""
    if not a.raw.ok:
        return [Coverage(a.doc, fw.id, d.name, 0.0, False) for d in fw.dimensions]
    if classifier is not None and set(fw.dimension_names()) <= set(classifier.labels):
        return _with_model(a, fw, classifier)
    return _rules_only(a, fw)


def _claims_per_sentence(a: Analysis) -> dict[int, int]:
    out: dict[int, int] = {}
    for c in a.claims:
        out[c.sentence] = out.get(c.sentence, 0) + 1
    return out


def body_sentences(a: Analysis):
    """The sentences that can be evidence: not a bare heading, not in a problem or plan section."""
    heads = {(s.start, s.title_end) for s in a.sections if s.level != "point"}
    starts = {s.start for s in a.sections if s.level != "point"}
    for s in a.sentences:
        if _excluded_section(a, s.section):
            continue
        if s.start in starts and any(h[0] == s.start and s.end <= h[1] + 1 for h in heads):
            continue                                     # the heading itself: 一、强化政治引领
        if len(s.text) < 6:
            continue
        yield s


def heading_dimensions(a: Analysis, fw: Framework) -> dict[int, set[str]]:
    """The dimensions each heading names (by dimension name or indicator), inherited downwards."""
    named: dict[int, set[str]] = {}
    for sec in a.sections:
        if sec.level == "point":
            continue
        dims = {d.name for d in fw.dimensions if d.name in sec.title or any(i.matches(sec.title) for i in d.indicators)}
        parent = named.get(sec.parent, set()) if sec.parent is not None else set()
        named[sec.id] = dims or parent
    return named


def _with_model(a: Analysis, fw: Framework, classifier: SentenceClassifier) -> list[Coverage]:
    per_sentence = _claims_per_sentence(a)
    body = list(body_sentences(a))
    proba = classifier.predict_proba([s.text for s in body]) if body else []
    labels = list(classifier.labels)
    thresholds = getattr(classifier, "thresholds", None) or {}
    under = heading_dimensions(a, fw)
    not_done = cues().non_evidence          # plans, problems, criteria, quotations: never evidence
    keep = [not not_done.search(s.text) for s in body]
    out = []
    for d in fw.dimensions:
        k = labels.index(d.name)
        t = float(thresholds.get(d.name, 0.5))
        evidence: list[tuple[float, Evidence]] = []
        backed: dict[str, float] = {}
        unnamed = 0.0
        for s, row, ok in zip(body, proba, keep):
            if not ok:
                continue
            p = float(row[k])
            n_claims = per_sentence.get(s.idx, 0)
            hits = [ind for ind in d.indicators if ind.matches(s.text)]
            need = t * RULE_SUPPORT if hits and is_concrete(s.text, n_claims > 0) else t
            if p < need:
                continue
            heading = under.get(s.section, set()) if s.section is not None else set()
            if heading and d.name not in heading and p < SURE:
                continue                                 # under another dimension's heading
            for ind in hits:
                backed[ind.name] = max(backed.get(ind.name, 0.0), 1.0 if n_claims else UNQUANTIFIED)
            if not hits:
                unnamed = UNNAMED
            names = [ind.name for ind in hits] or [_nearest_indicator(d, s.text)]
            evidence.append((p, Evidence(s.idx, a.raw.text[s.start:s.end].strip(), a.section_path(s.section),
                                         names, n_claims, s.start, s.end)))
        target = max(1, min(len(d.indicators), fw.scoring.indicator_target))
        score = min(1.0, (sum(backed.values()) + unnamed) / target)
        # strongest first: quantified, named indicators, the model's confidence
        evidence.sort(key=lambda pe: (-(pe[1].claims > 0), -(pe[1].indicators[0] in backed), -pe[0]))
        out.append(Coverage(a.doc, fw.id, d.name, round(score, 3), bool(evidence), indicators_hit=list(backed),
                            evidence=[e for _, e in evidence[: fw.scoring.max_evidence]],
                            quantified_evidence=sum(1 for _, e in evidence if e.claims)))
    return out


def _nearest_indicator(d, text: str) -> str:
    """The indicator of ``d`` whose name and phrases share most character pairs with ``text``:
    the plain-Chinese label of evidence the classifier found without a phrase."""
    pairs = {text[i:i + 2] for i in range(len(text) - 1)}
    best, best_n = d.indicators[0].name, 0
    for ind in d.indicators:
        vocab = " ".join([ind.name, *ind.phrases])
        n = sum(1 for i in range(len(vocab) - 1) if vocab[i:i + 2] in pairs)
        if n > best_n:
            best, best_n = ind.name, n
    return best


def _rules_only(a: Analysis, fw: Framework) -> list[Coverage]:
    per_sentence = _claims_per_sentence(a)
    section_hits = _section_indicator_hits(a, fw)
    candidates = [s for s in body_sentences(a) if is_concrete(s.text, per_sentence.get(s.idx, 0) > 0)]
    out = []
    for d in fw.dimensions:
        hit_weight: dict[str, float] = {}
        backed: dict[str, float] = {}
        evidence: list[Evidence] = []
        direct = False
        for s in candidates:
            n_claims = per_sentence.get(s.idx, 0)
            hits = [ind for ind in d.indicators if ind.matches(s.text)]
            weight = 1.0
            if not hits and s.section is not None:
                hits = section_hits.get((s.section, d.id), [])
                weight = SECTION_CONTEXT_WEIGHT
            if not hits:
                continue
            direct = direct or weight == 1.0
            for ind in hits:
                hit_weight[ind.name] = max(hit_weight.get(ind.name, 0.0), weight * ind.weight)
                backed[ind.name] = max(backed.get(ind.name, 0.0), weight * (1.0 if n_claims else UNQUANTIFIED))
            evidence.append(Evidence(s.idx, a.raw.text[s.start:s.end].strip(), a.section_path(s.section),
                                     [ind.name for ind in hits], n_claims, s.start, s.end))
        # one concrete sentence naming an indicator is evidence; headings alone need more
        covered = direct or min(1.0, sum(hit_weight.values()) / TARGET_INDICATORS) >= fw.scoring.covered_threshold
        target = max(1, min(len(d.indicators), fw.scoring.indicator_target))
        score = min(1.0, sum(backed.values()) / target)
        evidence.sort(key=lambda e: (-(e.claims > 0), -len(e.indicators), e.start))
        out.append(Coverage(a.doc, fw.id, d.name, round(score, 3), covered, indicators_hit=list(hit_weight),
                            evidence=evidence[: fw.scoring.max_evidence],
                            quantified_evidence=sum(1 for e in evidence if e.claims)))
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
