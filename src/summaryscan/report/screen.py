"""The reviewer report of ``summaryscan screen``: index page, document pages, workbook, charts.

:class:`ScreenReport` streams: :meth:`ScreenReport.add` writes the document's
page ``DIR/docs/<doc>.html`` at once and appends the document's claim, finding
and coverage rows to work files on disk; it keeps in memory only one small
summary row per document, pickled (:class:`Rows`: about 1 KB each).
:meth:`ScreenReport.finish` adds the cross-document findings (TEMPLATE_COPY),
re-renders only the pages they touch (from the compact page data kept on disk), and
writes ``index.html``, ``report.xlsx`` and ``charts/*.png``.

The score of a document is the framework's (:func:`summaryscan.frameworks.scoring.score`), on
its stated 0–100 scale; each document's page shows where every point came from. Findings that
are one problem (:func:`summaryscan.frameworks.scoring.problems`) are counted, charged and listed
once, with all their locations. The issuing unit (发文单位) comes from
:func:`summaryscan.text.issuer.guess_unit`.

A run replaces the previous run's report in the same folder: document pages and charts this
run did not write are removed when it finishes.
"""
from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import unicodedata
from collections import Counter
from datetime import datetime
from typing import Any, Iterable, Optional, Sequence

from ..records import AdjustmentHit, Analysis, Assessment, Coverage, Finding
from ..frameworks.scoring import SEVERITIES, adjustments as find_adjustments, problems as group_problems
from ..frameworks.scoring import score as score_submission
from ..registry import reporters
from . import drive
from ..text.issuer import guess_unit
from .corpus import TextStore, corpus_findings
from .html import GENERATOR
from .tables import AtomicFile, claim_rows, coverage_rows, finding_rows, section_paths_at


# --------------------------------------------------------------------------- #
# file names
# --------------------------------------------------------------------------- #

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|#%&\s\u200b-\u200f\u2028\u2029\ufeff]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.I)


def safe_filename(name: str, max_len: int = 100) -> str:
    """A file name for a document's page: Chinese kept, separators and odd characters replaced.

    ``../差旅<费>.docx`` -> ``差旅_费_.docx``; never empty, never hidden, never a
    Windows device name; at most ``max_len`` characters (before ``.html``).
    """
    s = unicodedata.normalize("NFC", str(name))
    s = _UNSAFE.sub("_", s).strip("._ ")
    if not s:
        s = "doc"
    if _RESERVED.match(s):
        s = "_" + s
    if len(s) > max_len:
        s = s[:max_len].rstrip("._ ")
    return s


# --------------------------------------------------------------------------- #
# page data and summary rows
# --------------------------------------------------------------------------- #

def ocr_pages(raw) -> list[dict]:
    """The OCR'd pages of a document: span, mean confidence, and the lines read with low
    confidence (below the OCR_LOW_CONFIDENCE line threshold), for the document page."""
    if not raw.ocr_lines:
        return []
    from ..consistency import config
    line_min = config()["ocr"]["line_min_confidence"]
    pages: dict[int, list] = {}
    for ln in raw.ocr_lines:
        pages.setdefault(ln.page, []).append(ln)
    out = []
    for page, ls in sorted(pages.items()):
        n = sum(ln.end - ln.start for ln in ls) or 1
        out.append({"page": page, "start": min(ln.start for ln in ls), "end": max(ln.end for ln in ls),
                    "confidence": sum(ln.confidence * (ln.end - ln.start) for ln in ls) / n,
                    "low": [[ln.start, ln.end, ln.confidence] for ln in ls if ln.confidence < line_min]})
    return out


def _adjustment_dict(h: AdjustmentHit, cut: Optional[int] = None) -> dict:
    """A bonus or deduction item met, as page data (``cut``: the sentence shortened, for summary rows)."""
    text = h.text if cut is None or len(h.text) <= cut else h.text[: cut - 1] + "…"
    return {"kind": h.kind, "dimension": h.dimension, "item": h.item, "points": h.points, "text": text,
            "section": h.section, "start": h.start, "end": h.end}


def _finding_dict(f: Finding) -> dict:
    return {"code": f.code, "severity": f.severity, "message": f.message, "section": f.section,
            "sentence": f.sentence, "raw": f.raw, "start": f.start, "end": f.end, "claims": list(f.claims),
            "doc": f.doc, "other_doc": f.other_doc, "other_start": f.other_start, "other_end": f.other_end}


def mirror(f: dict) -> dict:
    """A cross-document finding as seen from its other document."""
    return {**f, "doc": f["other_doc"], "other_doc": f["doc"], "start": f.get("other_start", -1),
            "end": f.get("other_end", -1), "other_start": f.get("start", -1), "other_end": f.get("end", -1),
            "file": f.get("other_file", ""), "other_file": f.get("file", ""), "raw": "", "section": ""}


_FINDING_FIELDS = ("doc", "code", "severity", "message", "section", "sentence", "raw", "start", "end", "claims",
                   "other_doc", "other_start", "other_end")


def _locate(f: dict, data: dict) -> None:
    """Fill what a cross-document finding lacks from its document's page data: the passage,
    the innermost section around it and the sentences it spans."""
    text = data.get("text", "")
    start, end = f.get("start", -1), f.get("end", -1)
    if not (0 <= start < end <= len(text)):
        return
    if not f.get("raw"):
        f["raw"] = text[start:end]
    if not f.get("section"):
        inner = [s for s in data.get("sections", []) if s["start"] <= start < s["end"]]
        if inner:
            f["section"] = max(inner, key=lambda s: s["start"]).get("path", "")
    if not f.get("sentence"):
        spans = [(a, b) for a, b in data.get("sentences", []) if a < end and b > start]
        if spans:
            f["sentence"] = text[min(a for a, _ in spans):max(b for _, b in spans)].strip()


def _is_our_page(path: str) -> bool:
    """A document page this program wrote (so a run may replace it)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return GENERATOR in head or "summaryscan screen report" in head


def _pairs_once(views: list[dict]) -> list[dict]:
    """One entry per cross-document pair of locations (for the index page)."""
    seen, out = set(), []
    for f in views:
        a = (f["doc"], f["start"], f["end"])
        b = (f["other_doc"], f["other_start"], f["other_end"])
        key = (a, b) if a <= b else (b, a)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _nonspace_len(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


class Rows:
    """The summary rows of a run, each kept pickled (about 1 KB, where the same dict as Python
    objects takes some 7): read back as fresh dicts, written back after a change."""

    def __init__(self):
        self._data: list[bytes] = []

    def append(self, row: dict) -> None:
        self._data.append(pickle.dumps(row, pickle.HIGHEST_PROTOCOL))

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, i: int) -> dict:
        return pickle.loads(self._data[i])

    def __setitem__(self, i: int, row: dict) -> None:
        self._data[i] = pickle.dumps(row, pickle.HIGHEST_PROTOCOL)

    def __iter__(self):
        return (pickle.loads(b) for b in self._data)


class _InOrder:
    """Rows in a given order, read one at a time (for pages that pass over them more than once)."""

    def __init__(self, rows: Rows, order: list[int]):
        self.rows, self.order = rows, order

    def __len__(self) -> int:
        return len(self.order)

    def __iter__(self):
        return (self.rows[i] for i in self.order)


# what the charts read of a summary row
_CHART_FIELDS = ("doc", "unit", "title", "status", "rank", "density", "dims")


class ScreenReport:
    """Streaming writer of the reviewer report in ``out_dir``.

    >>> rep = ScreenReport("out/screen", load_framework())
    >>> for a in run_batch(paths):
    ...     rep.add(a, coverage(a, fw), consistency.check(a, fw))
    >>> rep.finish(cross_findings, similarity)   # -> "out/screen/index.html"
    """

    WORK = ".screen-work"

    def __init__(self, out_dir: str, framework, penalties: Optional[dict] = None):
        self.out = out_dir
        self.fw = framework
        self.penalty = dict(framework.scoring.penalties, **(penalties or {}))
        self.dims = [d.name for d in framework.dimensions]
        self.rows = Rows()                   # one small summary row per document
        self._row_of: dict[str, int] = {}    # doc -> its (first) row
        self._files: dict[str, str] = {}     # doc -> page file name (first document of that name)
        self._used: set[str] = set()
        self.code_counts: Counter = Counter()
        self.code_severity: dict[str, Counter] = {}
        self.docs_dir = os.path.join(out_dir, "docs")
        self.work = os.path.join(out_dir, self.WORK)
        os.makedirs(self.docs_dir, exist_ok=True)
        self._written: set[str] = set()      # files this run wrote: earlier runs' others are removed
        if os.path.isdir(self.work):
            shutil.rmtree(self.work)
        os.makedirs(os.path.join(self.work, "pages"), exist_ok=True)
        self._streams = {name: open(os.path.join(self.work, f"{name}.jsonl"), "w", encoding="utf-8")
                         for name in ("claims", "findings", "coverage")}
        self.texts = TextStore(os.path.join(self.work, "texts.bin"))   # for the copy detector
        self.cross: list[dict] = []
        self.finished = False

    # ------------------------------------------------------------------ add
    def _file_for(self, doc: str) -> str:
        base = safe_filename(doc)
        name, k = base, 1
        while name.lower() in self._used:
            k += 1
            name = f"{base}-{k}"
        self._used.add(name.lower())
        return name + ".html"

    def _write_rows(self, name: str, rows: Iterable[dict]) -> None:
        f = self._streams[name]
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")

    def add(self, analysis: Analysis, coverage: Sequence[Coverage] = (), findings: Sequence[Finding] = (),
            adjustments: Optional[Sequence[AdjustmentHit]] = None) -> None:
        """Record one document and write its page now. ``adjustments``: the bonus and deduction
        items its sentences meet (found here when not given)."""
        if self.finished:
            raise RuntimeError("ScreenReport.finish() was already called")
        a = analysis
        file = self._file_for(a.doc)
        self._files.setdefault(a.doc, file)
        ok = a.raw.ok
        text = a.raw.text if ok else ""
        chars = _nonspace_len(text)
        cov = {c.dimension: c for c in coverage}
        fdicts = [_finding_dict(f) for f in findings]
        adj = list(find_adjustments(a, self.fw) if adjustments is None else adjustments) if ok else []
        row = {
            "doc": a.doc, "file": file, "path": a.raw.path, "format": a.raw.format, "status": a.raw.status,
            "message": a.raw.message, "source": a.raw.source, "title": a.title,
            "unit": guess_unit(a.title, text) if ok else "",
            "doc_type": a.doc_type, "year": a.year, "chars": chars, "claims": len(a.claims),
            "density": (len(a.claims) * 1000.0 / chars) if chars else 0.0,
            "dims": {d: float(cov[d].score) if d in cov else 0.0 for d in self.dims} if ok else {},
            "covered": {d: bool(cov[d].covered) if d in cov else False for d in self.dims} if ok else {},
            "adjustments": [_adjustment_dict(h, 80) for h in adj],
            "problems": [], "severity": {k: 0 for k in SEVERITIES}, "codes": [],
        }
        self._count_findings(row, fdicts)
        self._score(row)
        self._row_of.setdefault(a.doc, len(self.rows))
        self.rows.append(row)
        if ok and text:
            self.texts.append(a.doc, text)
        self._write_rows("claims", claim_rows(a))
        self._write_rows("findings", finding_rows(findings))
        self._write_rows("coverage", coverage_rows(coverage))
        data = self._page_data(a, coverage, fdicts, row)
        data["adjustments"] = [_adjustment_dict(h) for h in adj]
        with open(self._page_json(file), "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, default=str)
        self._render(file, data)

    def _render(self, file: str, data: dict) -> None:
        """Write a document's page, with its score's breakdown (:func:`score_submission`)."""
        from .html import render_doc_page
        s = data["summary"]
        if s["status"] == "ok":
            data["breakdown"] = score_submission(self.fw, s["dims"], data.get("adjustments", []),
                                                 s.get("problems", []), self.penalty)
        self._write_page(file, render_doc_page(data, self.fw.name))

    def _page_json(self, file: str) -> str:
        return os.path.join(self.work, "pages", file[:-5] + ".json")

    def _write_page(self, file: str, html_text: str) -> None:
        self._written.add(file)
        with AtomicFile(os.path.join(self.docs_dir, file), "w", encoding="utf-8") as fh:
            fh.write(html_text)

    def _page_data(self, a: Analysis, coverage: Sequence[Coverage], fdicts: list[dict], row: dict) -> dict:
        secs = [{"id": s.id, "level": s.level, "marker": s.marker, "title": s.title, "start": s.start,
                 "end": s.end, "title_end": s.title_end, "parent": s.parent, "path": s.path} for s in a.sections]
        claims = [{"raw": c.raw, "value": c.value, "unit": c.unit, "approx": c.approx, "subject": c.subject,
                   "kind": c.kind, "start": c.start, "end": c.end, "section": path}
                  for c, path in zip(a.claims, section_paths_at(a, [c.start for c in a.claims]))]
        cov = [{"dimension": c.dimension, "score": float(c.score), "covered": bool(c.covered),
                "indicators_hit": list(c.indicators_hit), "quantified_evidence": c.quantified_evidence,
                "bonus": list(c.bonus), "deductions": list(c.deductions),
                "evidence": [{"text": e.text, "section": e.section, "indicators": list(e.indicators),
                              "claims": e.claims, "start": e.start, "end": e.end} for e in c.evidence]}
               for c in coverage]
        return {"summary": row, "text": a.raw.text if a.raw.ok else "", "sections": secs, "claims": claims,
                "findings": fdicts, "coverage": cov, "ocr": ocr_pages(a.raw) if a.raw.ok else [],
                "sentences": [[x.start, x.end] for x in a.sentences]}

    def _count_findings(self, row: dict, fdicts: Iterable[dict]) -> None:
        """Add findings to a summary row as problems (the same problem in several places once)."""
        codes = set(row.get("codes", []))
        for p in group_problems(fdicts, label_chars=40):
            row["problems"].append(p)
            row["severity"][p["severity"]] += 1
            codes.add(p["code"])
            self.code_counts[p["code"]] += 1
            self.code_severity.setdefault(p["code"], Counter())[p["severity"]] += 1
        row["codes"] = sorted(c for c in codes if c)

    def _score(self, row: dict) -> None:
        if row["status"] != "ok":
            row.update(score=None, coverage_points=None, bonus_points=0.0, deduction_points=0.0, penalty=0.0)
            return
        got = score_submission(self.fw, row["dims"], row["adjustments"], row["problems"], self.penalty)
        got.pop("lines")
        row.update(got)

    # --------------------------------------------------------------- finish
    def finish(self, cross_findings: Iterable[Finding] = (), similarity: Any = None) -> str:
        """Write index.html, report.xlsx and charts; returns the index path."""
        from . import charts as charts_mod
        from .html import render_index
        from .xlsx import write_workbook
        if self.finished:
            return os.path.join(self.out, "index.html")
        for f in self._streams.values():
            f.close()
        cross_findings = list(cross_findings or ())
        # every cross finding is shown on both documents: a finding whose reciprocal
        # (the other document's view) is not in the list gets a mirrored copy
        given = [_finding_dict(f) for f in cross_findings]
        keys = {(f["doc"], f["start"], f["end"], f["other_doc"], f["other_start"], f["other_end"]) for f in given}
        views = list(given)
        for f in given:
            if f["other_doc"] and (f["other_doc"], f["other_start"], f["other_end"],
                                   f["doc"], f["start"], f["end"]) not in keys:
                views.append(mirror(f))
        for f in views:
            f["file"] = self._files.get(f["doc"], "")
            f["other_file"] = self._files.get(f["other_doc"], "")

        per_doc: dict[str, list[dict]] = {}
        for f in views:
            per_doc.setdefault(f["doc"], []).append(f)
        for doc, fs in per_doc.items():
            i = self._row_of.get(doc)
            if i is None:
                continue
            row = self.rows[i]
            self._count_findings(row, fs)
            self._score(row)
            with open(self._page_json(row["file"]), encoding="utf-8") as fh:
                data = json.load(fh)
            for f in fs:
                _locate(f, data)
            data["findings"].extend(fs)
            data["summary"] = row
            self._render(row["file"], data)
            self.rows[i] = row
        self._append_rows("findings", finding_rows(Finding(**{k: f[k] for k in _FINDING_FIELDS}) for f in views))
        self.cross = _pairs_once(views)
        self._rank()

        ordered = _InOrder(self.rows, sorted(range(len(self.rows)), key=lambda i: (self._ranks[i] is None,
                                                                                   self._ranks[i] or 0)))
        flagged = {(f["doc"], f["other_doc"]) for f in views if f.get("other_doc")}
        light = [{k: r[k] for k in _CHART_FIELDS} for r in self.rows]
        chart_list = charts_mod.draw_all(os.path.join(self.out, "charts"), light, self.dims,
                                         self.code_counts, similarity, self.code_severity, flagged=flagged)
        del light
        write_workbook(os.path.join(self.out, "report.xlsx"), self._with_breakdown(ordered), self.dims, self.work)
        from ..frameworks.scoring import scale_text
        from ..pipeline import PIPELINE_VERSION as version
        meta = {"framework_name": self.fw.name, "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
                "version": version, "scale": scale_text(self.fw)}
        index = os.path.join(self.out, "index.html")
        with AtomicFile(index, "w", encoding="utf-8") as fh:
            fh.write(render_index(ordered, self.dims, meta,
                                  [(os.path.relpath(p, self.out).replace(os.sep, "/"), cap) for p, cap in chart_list],
                                  self.cross))
        self._remove_stale([os.path.basename(p) for p, _ in chart_list])
        self.texts.close()
        shutil.rmtree(self.work, ignore_errors=True)
        self.finished = True
        return index

    def _with_breakdown(self, rows: list[dict]) -> Iterable[dict]:
        """Summary rows with their score's breakdown lines, one row at a time (for the workbook)."""
        for r in rows:
            if r["status"] == "ok":
                lines = score_submission(self.fw, r["dims"], r["adjustments"], r["problems"], self.penalty)["lines"]
                yield {**r, "breakdown": lines}
            else:
                yield r

    def _remove_stale(self, charts: list[str]) -> None:
        """Remove what an earlier run left in this folder and this run did not write: its
        document pages (only pages this program wrote) and its charts."""
        from .charts import CHART_FILES
        for name in os.listdir(self.docs_dir):
            path = os.path.join(self.docs_dir, name)
            if name.endswith(".html") and name not in self._written and _is_our_page(path):
                os.unlink(path)
        folder = os.path.join(self.out, "charts")
        for name in CHART_FILES:
            path = os.path.join(folder, name)
            if name not in charts and os.path.isfile(path):
                os.unlink(path)

    def _append_rows(self, name: str, rows: Iterable[dict]) -> None:
        with open(os.path.join(self.work, f"{name}.jsonl"), "a", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")

    def _rank(self) -> None:
        scores = [r.get("score") for r in self.rows]
        self._ranks: list[Optional[int]] = [None] * len(scores)
        scored = sorted((i for i, sc in enumerate(scores) if sc is not None), key=lambda i: -scores[i])
        prev, rank = None, 0
        for n, i in enumerate(scored, 1):
            if scores[i] != prev:
                rank, prev = n, scores[i]
            self._ranks[i] = rank
        for i, rank in enumerate(self._ranks):
            r = self.rows[i]
            r["rank"] = rank
            self.rows[i] = r

    def abort(self) -> None:
        """Close work files after a failure (pages already written stay)."""
        for f in self._streams.values():
            f.close()
        self.texts.close()
        shutil.rmtree(self.work, ignore_errors=True)
        self.finished = True


# --------------------------------------------------------------------------- #
# one call for the CLI
# --------------------------------------------------------------------------- #

def _default_cross(rep: "ScreenReport") -> tuple[list, Any]:
    """The registered corpus checks (:data:`summaryscan.registry.corpus_checks`: TEMPLATE_COPY)
    over the run's texts read back from disk; their findings and the heatmap's similarity rows."""
    from .charts import MAX_ROWS
    return corpus_findings(rep.texts, top=MAX_ROWS)


@reporters.register("screen")
class ScreenReporter:
    """The reviewer report as a reporter of the batch driver: pages as results stream in,
    then the corpus checks (copy detection), index, workbook and charts at the end."""

    def __init__(self, out_dir: str, framework: Any = None, copies: bool = True, **_options):
        from ..frameworks import load_framework
        fw = load_framework(framework) if framework is None or isinstance(framework, (str, os.PathLike)) else framework
        self.rep = ScreenReport(out_dir, fw)
        self.copies = copies
        self.index = ""

    def add(self, result) -> None:
        from ..pipeline import assess
        got = result if isinstance(result, Assessment) else assess(result, self.rep.fw)
        self.rep.add(got.analysis, got.coverage, got.findings, got.adjustments)

    def close(self, ok: bool = True) -> str:
        if not ok:
            self.rep.abort()
            return ""
        cross_findings, similarity = _default_cross(self.rep) if self.copies else ([], None)
        self.index = self.rep.finish(cross_findings, similarity)
        return f"审读报告：{os.path.abspath(self.index)}"


def run_screen(paths: Iterable[str], out_dir: str, framework: Any = None, *, jobs: int = 1,
               progress: bool = True, copies: bool = True, model: Optional[str] = None) -> str:
    """Analyse ``paths`` with the batch driver and write the screen report to ``out_dir``;
    returns index.html's path. Each document is analysed and assessed (coverage with the
    sentence classifier saved at ``model``, if given, and the consistency checks) in the
    batch's worker processes; ``copies=False`` skips copy detection."""
    from ..pipeline import Assessor
    from ..runner import run_batch
    rep = ScreenReporter(out_dir, framework, copies=copies)
    batch = run_batch(paths, jobs=jobs, progress=progress, desc="审读", assess=Assessor(rep.rep.fw, model))
    drive(rep, batch)
    return rep.index


__all__ = ["ScreenReport", "ScreenReporter", "TextStore", "run_screen", "guess_unit", "safe_filename", "mirror"]
