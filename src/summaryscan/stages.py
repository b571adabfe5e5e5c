"""The per-document pipeline's stages, registered in :data:`summaryscan.registry.stages`.

Each stage reads what earlier stages put on the :class:`~summaryscan.records.Analysis`
and writes its own typed fields, never reaching back to change them::

    normalize -> structure -> sentences -> claims -> placeholders

A stage of your own is a function ``fn(a: Analysis) -> None`` registered with
``@stages.register("name")`` and named in the ``stages`` argument of
:func:`summaryscan.pipeline.analyze_raw`. A stage that does many documents at once for
less than one at a time (as spaCy's ``pipe``) also offers ``fn.pipe(batch)``, which
:func:`summaryscan.pipeline.analyze_many` calls with a list of analyses.
"""
from __future__ import annotations

import numpy as np

from . import claims as claims_mod
from . import structure
from .records import Analysis
from .registry import stages
from .text.normalize import normalize_document

DEFAULT_STAGES = ("normalize", "structure", "sentences", "claims", "placeholders")


@stages.register("normalize")
def normalize(a: Analysis) -> None:
    a.norm = normalize_document(a.raw)
    a.artifacts = list(a.norm.artifacts)


@stages.register("structure")
def find_structure(a: Analysis) -> None:
    norm = a.norm
    a.sections = structure.find_sections(a.doc, norm, a.raw.text, a.raw.hints)
    a.title = structure.guess_title(norm, a.raw.text)
    a.doc_type = structure.guess_doc_type(a.title, norm.text)
    a.year = structure.guess_year(a.title, norm.text)


@stages.register("sentences")
def split_sentences(a: Analysis) -> None:
    a.sentences = structure.split_sentences(a.norm, a.sections)


@stages.register("claims")
def find_claims(a: Analysis) -> None:
    find_claims_of([a])


def find_claims_of(batch: list[Analysis]) -> None:
    """:func:`find_claims` of many documents: the subject model scores them in one pass."""
    found_all = claims_mod.extract_claims_many([(a.doc, a.norm, a.raw.text) for a in batch])
    for a, found in zip(batch, found_all):
        sentences = a.sentences
        if found and sentences:               # each claim's sentence: the last starting at or before it
            at = np.searchsorted([s.start for s in sentences], [c.start for c in found], "right") - 1
            section = [s.section for s in sentences]
            for c, k in zip(found, at.tolist()):
                if k >= 0:
                    c.sentence = k
                    c.section = section[k]
        if a.raw.pages:                       # else every claim keeps page None
            for c in found:
                c.page = a.raw.page_at(c.start)
        a.claims = found


find_claims.pipe = find_claims_of             # type: ignore[attr-defined]


@stages.register("placeholders")
def find_placeholders(a: Analysis) -> None:
    a.placeholders = claims_mod.find_placeholders(a.norm, a.raw.text)
