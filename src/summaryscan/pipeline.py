"""Document -> Analysis -> Assessment.

:func:`analyze_raw` runs the registered stages (:mod:`summaryscan.stages`, looked up in
:data:`summaryscan.registry.stages`) on an ingested document; :func:`assess` checks
an analysis against a framework (coverage and consistency). Batches of files go
through the one batch driver, :mod:`summaryscan.runner`, which calls these in its
workers; the CLI, the Python API and the Dask engine all run through it.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Optional

from .ingest import load
from .records import STATUS_ERROR, Analysis, Assessment, RawDocument
from .registry import stages as stage_registry
from .stages import DEFAULT_STAGES

PIPELINE_VERSION = "0.3.0"


def analyze_raw(raw: RawDocument, stages: Iterable[str] = DEFAULT_STAGES) -> Analysis:
    """Run the pipeline on an ingested document. Unreadable documents pass through."""
    return analyze_many([raw], stages)[0]


def analyze_many(raws: list[RawDocument], stages: Iterable[str] = DEFAULT_STAGES) -> list[Analysis]:
    """:func:`analyze_raw` of many documents, stage by stage: a stage that offers
    ``fn.pipe(batch)`` does them all at once. The results are those of one at a time; a
    document a stage fails on is reported (status ``error``) and leaves the batch, and
    when a stage's batch call fails, it runs document by document to find which."""
    out = [Analysis(raw=raw) for raw in raws]
    live = [k for k, a in enumerate(out) if a.raw.ok]
    for name in stages:
        fn = stage_registry.get(name)
        pipe = getattr(fn, "pipe", None)
        if pipe is not None and len(live) > 1:
            try:
                pipe([out[k] for k in live])
                continue
            except Exception:  # noqa: BLE001 - one document's bug: find it below
                pass
        still = []
        for k in live:
            try:
                fn(out[k])
                still.append(k)
            except Exception as exc:  # a bug must not stop a batch: report it on the document
                raw = out[k].raw
                raw.status = STATUS_ERROR
                raw.message = f"{raw.doc}：分析时出错（{type(exc).__name__}: {exc}）"
                out[k] = Analysis(raw=raw, errors=[traceback.format_exc()])
        live = still
    return out


def analyze_path(path: str) -> Analysis:
    return analyze_raw(load(path))


def analyze_text(text: str, doc: str = "text.txt") -> Analysis:
    """Analyse a string as if it were a .txt submission."""
    return analyze_raw(RawDocument(path=doc, doc=doc, format="txt", text=text))


def assess(a: Analysis, framework: Any, classifier: Any = None) -> Assessment:
    """Framework coverage, consistency findings and the bonus and deduction items met
    (:func:`summaryscan.frameworks.scoring.adjustments`) of one analysed document.

    A check that raises (a bug) costs only its own findings; its traceback is kept in
    ``a.errors`` for the run's log.
    """
    from . import consistency
    from .coverage import coverage
    from .frameworks.scoring import adjustments
    if not a.raw.ok:
        return Assessment(a)
    cov = coverage(a, framework, classifier)
    adj = adjustments(a, framework)
    for c in cov:           # coverage.csv names the items met per dimension
        c.bonus = [h.item for h in adj if h.dimension == c.dimension and h.kind == "bonus"]
        c.deductions = [h.item for h in adj if h.dimension == c.dimension and h.kind == "deduction"]
    return Assessment(a, cov, consistency.check(a, framework), adj)


@lru_cache(maxsize=2)
def _classifier(path: str):
    from .classifier import load_classifier
    return load_classifier(path)


@dataclass(frozen=True)
class Assessor:
    """:func:`assess` with a framework and, optionally, the sentence classifier saved at ``model``
    (``.npz``: :mod:`summaryscan.lean_model`, else skops).

    Picklable and cheap to send to worker processes: each loads the model once, on first use.
    ``key`` identifies what it computes, for the result cache.
    """
    framework: Any
    model: Optional[str] = None

    def __call__(self, a: Analysis) -> Assessment:
        return assess(a, self.framework, _classifier(self.model) if self.model and a.raw.ok else None)

    def warm_up(self) -> None:
        """Load the model now (a worker does, before its first document's clock starts)."""
        if self.model:
            _classifier(self.model).predict_proba(["开展专题学习12次。"])   # its vocabulary's index made too

    @property
    def key(self) -> str:
        import hashlib
        h = hashlib.sha256(self.framework.model_dump_json().encode("utf-8"))
        if self.model:
            with open(self.model, "rb") as f:
                h.update(f.read())
        return h.hexdigest()


__all__ = ["analyze_raw", "analyze_many", "analyze_path", "analyze_text", "assess", "Assessor", "PIPELINE_VERSION"]
