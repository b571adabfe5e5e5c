"""Document -> Analysis, and the batch runner.

The per-document pipeline is a list of named stages, registered like spaCy
components and run in order; each reads what earlier stages put on the
``Analysis`` and adds its own part, never reaching back to change it:

    normalize -> structure -> sentences -> claims -> placeholders

Checking against a framework (coverage and consistency) follows it:
:func:`assess`, or an :class:`Assessor` that a batch runs in its workers.
The CLI and the Python API are thin shells over :func:`analyze_path`,
:func:`assess` and :func:`run_batch`.
"""
from __future__ import annotations

import bisect
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Optional

from . import claims as claims_mod
from . import structure
from .ingest import load
from .normalize import Normalized, normalize
from .records import STATUS_ERROR, Analysis, Assessment, RawDocument

PIPELINE_VERSION = "0.1.0"

Stage = Callable[[Analysis, dict], None]
STAGES: dict[str, Stage] = {}
DEFAULT_STAGES = ("normalize", "structure", "sentences", "claims", "placeholders")


def stage(name: str) -> Callable[[Stage], Stage]:
    """Register a pipeline stage under ``name``."""
    def register(fn: Stage) -> Stage:
        STAGES[name] = fn
        return fn
    return register


@stage("normalize")
def _normalize(a: Analysis, ctx: dict) -> None:
    norm = normalize(a.raw.text, join_lines=a.raw.format not in ("docx", "pdf"))
    ctx["norm"] = norm
    a.clean_text = norm.text
    a.artifacts = list(norm.artifacts)


@stage("structure")
def _structure(a: Analysis, ctx: dict) -> None:
    norm: Normalized = ctx["norm"]
    a.sections = structure.find_sections(a.doc, norm, a.raw.text)
    a.title = structure.guess_title(norm, a.raw.text)
    a.doc_type = structure.guess_doc_type(a.title, norm.text)
    a.year = structure.guess_year(a.title, norm.text)


@stage("sentences")
def _sentences(a: Analysis, ctx: dict) -> None:
    a.sentences = structure.split_sentences(ctx["norm"], a.sections)


@stage("claims")
def _claims(a: Analysis, ctx: dict) -> None:
    found = claims_mod.extract_claims(a.doc, ctx["norm"], a.raw.text)
    sentences = a.sentences
    starts = [s.start for s in sentences]
    for c in found:
        k = bisect.bisect_right(starts, c.start) - 1
        if k >= 0:
            c.sentence = k
            c.section = sentences[k].section
    if a.raw.pages:                       # else every claim keeps page None
        for c in found:
            c.page = a.raw.page_at(c.start)
    a.claims = found


@stage("placeholders")
def _placeholders(a: Analysis, ctx: dict) -> None:
    a.placeholders = claims_mod.find_placeholders(ctx["norm"], a.raw.text)


def analyze_raw(raw: RawDocument, stages: Iterable[str] = DEFAULT_STAGES) -> Analysis:
    """Run the pipeline on an ingested document. Unreadable documents pass through."""
    a = Analysis(raw=raw)
    if not raw.ok:
        return a
    ctx: dict = {}
    try:
        for name in stages:
            STAGES[name](a, ctx)
    except Exception as exc:  # a bug must not stop a batch: report it on the document
        raw.status = STATUS_ERROR
        raw.message = f"{raw.doc}：分析时出错（{type(exc).__name__}: {exc}）"
        return Analysis(raw=raw)
    return a


def analyze_path(path: str) -> Analysis:
    return analyze_raw(load(path))


def analyze_text(text: str, doc: str = "text.txt") -> Analysis:
    """Analyse a string as if it were a .txt submission."""
    return analyze_raw(RawDocument(path=doc, doc=doc, format="txt", text=text))


def assess(a: Analysis, framework: Any, classifier: Any = None) -> Assessment:
    """Framework coverage and consistency findings of one analysed document.

    When the consistency checks raise (a bug), the document gets no findings and a
    warning names it: the batch goes on.
    """
    from . import consistency
    from .coverage import coverage
    if not a.raw.ok:
        return Assessment(a)
    cov = coverage(a, framework, classifier)
    try:
        found = consistency.check(a, framework)
    except Exception as exc:   # a bug in one check must not stop a batch
        warnings.warn(f"{a.doc}：一致性检查出错，已跳过（{type(exc).__name__}: {exc}）")
        found = []
    return Assessment(a, cov, found)


@lru_cache(maxsize=2)
def _classifier(path: str):
    if path.endswith(".npz"):               # no scikit-learn in the process (lean_model)
        from .classifier import load_lean
        return load_lean(path)
    from .classifier import load_model
    return load_model(path)


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
            _classifier(self.model)

    @property
    def key(self) -> str:
        import hashlib
        h = hashlib.sha256(self.framework.model_dump_json().encode("utf-8"))
        if self.model:
            with open(self.model, "rb") as f:
                h.update(f.read())
        return h.hexdigest()


def run_batch(paths: Iterable[str], jobs: int = 1, progress: bool = True, desc: str = "分析",
              **options) -> Iterator[Analysis]:
    """Analyse every input (folders and globs expanded), in input order.

    Every input yields one Analysis, whatever its state. Runs through
    :func:`summaryscan.runner.run` (worker processes with per-file time and memory
    limits; ``options`` are further :class:`~summaryscan.runner.RunOptions` fields).
    """
    from .runner import RunOptions, run
    yield from run(paths, RunOptions(jobs=jobs, progress=progress, desc=desc, **options))


__all__ = ["analyze_raw", "analyze_path", "analyze_text", "assess", "Assessor", "run_batch", "stage",
           "STAGES", "DEFAULT_STAGES", "PIPELINE_VERSION"]
