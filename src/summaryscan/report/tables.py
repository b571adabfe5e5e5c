"""Tidy tables: one row per document, section, claim, finding, coverage cell.

Column lists below are the documented schema of the CSV/JSONL outputs and of
the DataFrames the Python API returns. Writers stream rows (memory stays flat
in the number of documents) and publish each file atomically: rows go to a
temporary file that is renamed into place only when complete.
"""
from __future__ import annotations

import csv
import json
import os
import tempfile
from typing import Any, Iterable

from ..records import Analysis, Assessment, Coverage, Finding
from ..registry import reporters

DOCUMENT_COLUMNS = ["doc", "path", "format", "source", "status", "message", "title", "doc_type", "year", "chars",
                    "pages"]
SECTION_COLUMNS = ["doc", "level", "marker", "title", "path", "start", "end"]
CLAIM_COLUMNS = ["doc", "section", "sentence", "raw", "value", "unit", "approx", "subject", "kind",
                 "start", "end", "page"]
FINDING_COLUMNS = ["doc", "code", "severity", "message", "section", "sentence", "raw", "start", "end", "claims",
                   "other_doc"]
COVERAGE_COLUMNS = ["doc", "framework", "dimension", "score", "covered", "indicators_hit", "evidence",
                    "quantified_evidence", "bonus", "deductions"]

# Cells starting with these are formulas to Excel/WPS: neutralise them in untrusted text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def document_row(a: Analysis) -> dict:
    r = a.raw
    return {"doc": a.doc, "path": r.path, "format": r.format, "source": r.source, "status": r.status, "message": r.message,
            "title": a.title, "doc_type": a.doc_type, "year": a.year, "chars": len(r.text),
            "pages": len(r.pages) or None}


def section_rows(a: Analysis) -> list[dict]:
    return [{"doc": s.doc, "level": s.level, "marker": s.marker, "title": s.title, "path": s.path,
             "start": s.start, "end": s.end} for s in a.sections]


def claim_rows(a: Analysis) -> list[dict]:
    return [{"doc": c.doc, "section": a.section_path(c.section), "sentence": a.sentence_text(c.sentence),
             "raw": c.raw, "value": c.value, "unit": c.unit, "approx": c.approx, "subject": c.subject,
             "kind": c.kind, "start": c.start, "end": c.end, "page": c.page} for c in a.claims]


def finding_rows(findings: Iterable[Finding]) -> list[dict]:
    return [{"doc": f.doc, "code": f.code, "severity": f.severity, "message": f.message, "section": f.section,
             "sentence": f.sentence, "raw": f.raw, "start": f.start, "end": f.end, "claims": "；".join(f.claims),
             "other_doc": f.other_doc} for f in findings]


def coverage_rows(cov: Iterable[Coverage]) -> list[dict]:
    return [{"doc": c.doc, "framework": c.framework, "dimension": c.dimension, "score": round(c.score, 3),
             "covered": c.covered, "indicators_hit": "；".join(c.indicators_hit),
             "evidence": " | ".join(e.text for e in c.evidence), "quantified_evidence": c.quantified_evidence,
             "bonus": "；".join(c.bonus), "deductions": "；".join(c.deductions)} for c in cov]


def remove_stale_temporaries(folder: str) -> int:
    """Delete the temporary files an interrupted run left in ``folder``; returns how many."""
    removed = 0
    if os.path.isdir(folder):
        for name in os.listdir(folder):
            if name.startswith(".tmp-"):
                try:
                    os.unlink(os.path.join(folder, name))
                    removed += 1
                except OSError:
                    pass
    return removed


class AtomicFile:
    """A file written under a temporary name and renamed into place on success."""

    def __init__(self, path: str, mode: str = "w", **kw):
        self.path = path
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.basename(path), dir=folder)
        os.close(fd)
        self.f = open(self.tmp, mode, **kw)

    def __enter__(self):
        return self.f

    def commit(self) -> None:
        self.f.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.f.close()
        os.unlink(self.tmp)

    def __exit__(self, exc_type, exc, tb):
        self.commit() if exc_type is None else self.discard()
        return False


class TableWriter:
    """Streams rows to ``DIR/NAME.csv`` (UTF-8 with BOM, for Excel and WPS) or ``.jsonl``."""

    def __init__(self, folder: str, name: str, columns: list[str], fmt: str = "csv"):
        self.columns, self.fmt = columns, fmt
        self.path = os.path.join(folder, f"{name}.{'jsonl' if fmt == 'jsonl' else 'csv'}")
        enc = "utf-8-sig" if fmt == "csv" else "utf-8"
        self._atomic = AtomicFile(self.path, "w", encoding=enc, newline="")
        self._f = self._atomic.f
        if fmt == "csv":
            self._w = csv.DictWriter(self._f, fieldnames=columns, extrasaction="ignore")
            self._w.writeheader()
        self.count = 0

    def write(self, rows: Iterable[dict]) -> None:
        for row in rows:
            if self.fmt == "csv":
                self._w.writerow({k: ("" if row.get(k) is None else safe_cell(row.get(k))) for k in self.columns})
            else:
                self._f.write(json.dumps({k: row.get(k) for k in self.columns}, ensure_ascii=False) + "\n")
            self.count += 1

    def close(self, ok: bool = True) -> None:
        """Publish the table, or, after a failure, drop the partial file."""
        self._atomic.commit() if ok else self._atomic.discard()


@reporters.register("tables", formats=("csv", "jsonl"))
class TablesReporter:
    """The tidy tables of a run in ``out_dir``: documents, sections and claims, plus
    coverage and findings when the results are assessed; published when the run ends."""

    def __init__(self, out_dir: str, fmt: str = "csv", assessed: bool = False, framework=None):
        remove_stale_temporaries(out_dir)
        self.framework = framework
        self.writers = {name: TableWriter(out_dir, name, cols, fmt) for name, cols in
                        (("documents", DOCUMENT_COLUMNS), ("sections", SECTION_COLUMNS), ("claims", CLAIM_COLUMNS))}
        if assessed:
            self.writers["coverage"] = TableWriter(out_dir, "coverage", COVERAGE_COLUMNS, fmt)
            self.writers["findings"] = TableWriter(out_dir, "findings", FINDING_COLUMNS, fmt)
        self.status: dict[str, int] = {}

    def add(self, result) -> None:
        a = result.analysis if isinstance(result, Assessment) else result
        w = self.writers
        w["documents"].write([document_row(a)])
        w["sections"].write(section_rows(a))
        w["claims"].write(claim_rows(a))
        if isinstance(result, Assessment) and "coverage" in w:
            w["coverage"].write(coverage_rows(result.coverage))
            w["findings"].write(finding_rows(result.findings))
        self.status[a.raw.status] = self.status.get(a.raw.status, 0) + 1

    def close(self, ok: bool = True) -> str:
        """Publish the tables (or drop them after a failure); returns a one-line summary."""
        for w in self.writers.values():
            w.close(ok)
        w = self.writers
        st = "，".join(f"{k} {v}" for k, v in sorted(self.status.items()))
        line = (f"{w['documents'].count} 份文档（{st}），{w['sections'].count} 个章节，"
                f"{w['claims'].count} 条数据声明")
        if "findings" in w:
            line += f"，{w['findings'].count} 个问题" + (f"（框架 {self.framework.id}）" if self.framework else "")
        return line
