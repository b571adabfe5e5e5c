"""Tidy tables: one row per document, section, claim, finding, coverage cell.

Column lists below are the documented schema of the CSV/JSONL outputs and of
the DataFrames the Python API returns. Writers stream rows (memory stays flat
in the number of documents) and publish each file atomically: rows go to a
temporary file that is renamed into place only when complete. Files are created
with the permissions the umask allows (as ``open`` would), not a temporary file's 0600.

``doc`` is the document key everywhere: the file's path relative to the common folder of
the run's inputs (:func:`summaryscan.ingest.document_keys`).

In a batch the rows are made where the document was analysed: the batch driver's workers
send :class:`DocumentRows` (:func:`document_rows`, named by :meth:`TablesReporter.worker_rows`)
instead of the whole analysis, a fraction of the bytes and no objects to rebuild, and the
writers take each document's rows as tuples in column order, one ``writerows`` per table.
"""
from __future__ import annotations

import bisect
import csv
import dataclasses
import json
import os
import secrets
import shutil
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Iterable, Optional, Sequence, Union

from ..records import Analysis, Assessment, Coverage, Finding, RawDocument
from ..registry import reporters

DOCUMENT_COLUMNS = ["doc", "path", "format", "source", "status", "message", "title", "doc_type", "year", "chars",
                    "pages"]
SECTION_COLUMNS = ["doc", "level", "marker", "title", "path", "start", "end"]
CLAIM_COLUMNS = ["doc", "section", "sentence", "raw", "value", "unit", "approx", "subject", "kind",
                 "start", "end", "page"]
# other_doc/other_start/other_end: the other place a finding refers to (the copied passage of
# TEMPLATE_COPY, the earlier mention of CONFLICTING_VALUES); other_doc is empty for the same document
FINDING_COLUMNS = ["doc", "code", "severity", "message", "section", "sentence", "raw", "start", "end", "claims",
                   "other_doc", "other_start", "other_end"]
COVERAGE_COLUMNS = ["doc", "framework", "dimension", "score", "covered", "indicators_hit", "evidence",
                    "quantified_evidence", "bonus", "deductions"]

# Cells starting with these are formulas to Excel/WPS: neutralise them in untrusted text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_row(row: Sequence) -> Sequence:
    """The row with :func:`safe_cell` applied, the row itself when no cell needs it (most)."""
    for v in row:
        if isinstance(v, str) and v.startswith(_FORMULA_START):
            return [safe_cell(x) for x in row]
    return row


def document_tuple(a: Analysis) -> tuple:
    return _document_tuple(a.raw, a.title, a.doc_type, a.year, len(a.raw.text), len(a.raw.pages) or None)


def _document_tuple(r: RawDocument, title: str, doc_type: str, year: Optional[int], chars: int,
                    pages: Optional[int]) -> tuple:
    return (r.doc, r.path, r.format, r.source, r.status, r.message, title, doc_type, year, chars, pages)


def section_tuples(a: Analysis) -> list[tuple]:
    return [(s.doc, s.level, s.marker, s.title, s.path, s.start, s.end) for s in a.sections]


def claim_tuples(a: Analysis) -> list[tuple]:
    paths = section_paths_at(a, [c.start for c in a.claims])
    # one string per sentence, however many claims it holds: a worker's pickle then carries it once
    texts = {k: a.sentence_text(k) for k in {c.sentence for c in a.claims}}
    sentence = texts.__getitem__
    return [(c.doc, path, sentence(c.sentence), c.raw, c.value, c.unit, c.approx, c.subject, c.kind, c.start, c.end,
             c.page) for c, path in zip(a.claims, paths)]


def finding_tuples(findings: Iterable[Finding]) -> list[tuple]:
    return [(f.doc, f.code, f.severity, f.message, f.section, f.sentence, f.raw, f.start, f.end, "；".join(f.claims),
             "" if f.other_doc == f.doc else f.other_doc, f.other_start if f.other_start >= 0 else None,
             f.other_end if f.other_end >= 0 else None) for f in findings]


def coverage_tuples(cov: Iterable[Coverage]) -> list[tuple]:
    return [(c.doc, c.framework, c.dimension, round(c.score, 3), c.covered, "；".join(c.indicators_hit),
             " | ".join(e.text for e in c.evidence), c.quantified_evidence, "；".join(c.bonus), "；".join(c.deductions))
            for c in cov]


def document_row(a: Analysis) -> dict:
    return dict(zip(DOCUMENT_COLUMNS, document_tuple(a)))


def section_rows(a: Analysis) -> list[dict]:
    return [dict(zip(SECTION_COLUMNS, t)) for t in section_tuples(a)]


def section_paths_at(a: Analysis, offsets: list[int]) -> list[str]:
    """The path of the innermost heading or point (``… > 二是``) enclosing each offset, as
    findings.csv gives a finding's section: the last section starting before the offset, or
    the first of its ancestors still open there (sections nest)."""
    order = sorted(a.sections, key=lambda s: s.start)
    starts = [s.start for s in order]
    out = []
    for off in offsets:
        k = bisect.bisect_right(starts, off) - 1
        sid = order[k].id if k >= 0 else None
        while sid is not None and not (a.sections[sid].start <= off < a.sections[sid].end):
            sid = a.sections[sid].parent
        out.append(a.section_path(sid))
    return out


def claim_rows(a: Analysis) -> list[dict]:
    return [dict(zip(CLAIM_COLUMNS, t)) for t in claim_tuples(a)]


def finding_rows(findings: Iterable[Finding]) -> list[dict]:
    return [dict(zip(FINDING_COLUMNS, t)) for t in finding_tuples(findings)]


def coverage_rows(cov: Iterable[Coverage]) -> list[dict]:
    return [dict(zip(COVERAGE_COLUMNS, t)) for t in coverage_tuples(cov)]


@dataclass
class DocumentRows:
    """One document's rows of the tables, made where it was analysed (a batch worker).

    ``raw`` is the document's record without its text (path, status, message: what the
    batch driver logs and caches by); the document row is made from it when written, so a
    cached result read for another path shows that path. ``text`` is kept only for copy
    detection (``check``)."""
    raw: RawDocument
    errors: list[str]
    title: str
    doc_type: str
    year: Optional[int]
    chars: int
    pages: Optional[int]
    sections: list[tuple]
    claims: list[tuple]
    coverage: list[tuple] = field(default_factory=list)
    findings: list[tuple] = field(default_factory=list)
    text: str = ""

    @property
    def doc(self) -> str:
        return self.raw.doc

    def document(self) -> tuple:
        return _document_tuple(self.raw, self.title, self.doc_type, self.year, self.chars, self.pages)


def document_rows(result: Union[Analysis, Assessment, DocumentRows], text: bool = False) -> DocumentRows:
    """The rows of an analysis (and of its assessment's coverage and findings); with ``text``
    the document's text too, for copy detection."""
    if isinstance(result, DocumentRows):
        return result
    a = result.analysis if isinstance(result, Assessment) else result
    r = a.raw
    rows = DocumentRows(raw=dataclasses.replace(r, text="", pages=[], hints=[], ocr_lines=[]), errors=a.errors,
                        title=a.title, doc_type=a.doc_type, year=a.year, chars=len(r.text), pages=len(r.pages) or None,
                        sections=section_tuples(a), claims=claim_tuples(a),
                        text=r.text if text and r.ok else "")
    if isinstance(result, Assessment):
        rows.coverage = coverage_tuples(result.coverage)
        rows.findings = finding_tuples(result.findings)
    return rows


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


def temporary_beside(path: str) -> str:
    """Create an empty temporary file next to ``path`` (``.tmp-…``) and return its name. Unlike
    ``mkstemp`` (always 0600) it gets the permissions the umask gives any new file, so the
    published file can be read by whoever may read the folder's other files."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    while True:
        tmp = os.path.join(folder, f".tmp-{secrets.token_hex(6)}-{os.path.basename(path)}")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue


class AtomicFile:
    """A file written under a temporary name and renamed into place on success."""

    def __init__(self, path: str, mode: str = "w", **kw):
        self.path = path
        self.tmp = temporary_beside(path)
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
    """Streams rows to ``DIR/NAME.csv`` (UTF-8 with BOM, for Excel and WPS) or ``.jsonl``:
    a document's rows at a time (:meth:`write_rows`, tuples in column order), through a
    large buffer."""

    BUFFER = 1 << 20

    def __init__(self, folder: str, name: str, columns: list[str], fmt: str = "csv"):
        self.columns, self.fmt = columns, fmt
        self.path = os.path.join(folder, f"{name}.{'jsonl' if fmt == 'jsonl' else 'csv'}")
        enc = "utf-8-sig" if fmt == "csv" else "utf-8"
        self._atomic = AtomicFile(self.path, "w", encoding=enc, newline="", buffering=self.BUFFER)
        self._f = self._atomic.f
        if fmt == "csv":
            self._w = csv.writer(self._f)       # None is written as an empty cell
            self._w.writerow(columns)
        self.count = 0

    def write_rows(self, rows: Sequence[Sequence]) -> None:
        """Rows as tuples (or lists) in column order."""
        if not rows:
            return
        if self.fmt == "csv":
            self._w.writerows(map(safe_row, rows))
        else:
            cols = self.columns
            self._f.write("".join(json.dumps(dict(zip(cols, r)), ensure_ascii=False) + "\n" for r in rows))
        self.count += len(rows)

    def write(self, rows: Iterable[dict]) -> None:
        """Rows as dicts (missing columns empty, others ignored)."""
        self.write_rows([tuple(row.get(k) for k in self.columns) for row in rows])

    def close(self, ok: bool = True) -> None:
        """Publish the table, or, after a failure, drop the partial file."""
        self._atomic.commit() if ok else self._atomic.discard()


TABLE_FORMATS = ("csv", "jsonl")


@reporters.register("tables", formats=TABLE_FORMATS)
class TablesReporter:
    """The tidy tables of a run in ``out_dir``: documents, sections and claims, plus
    coverage and findings when the results are assessed (with the corpus checks' findings,
    TEMPLATE_COPY, unless ``copies`` is False); published when the run ends."""

    WORK = ".tables-work"

    def __init__(self, out_dir: str, fmt: str = "csv", assessed: bool = False, framework=None, copies: bool = True):
        remove_stale_temporaries(out_dir)
        self.framework = framework
        self.out = out_dir
        self.texts = None
        if assessed and copies:      # the texts, on disk, for copy detection at the end
            from .corpus import TextStore
            os.makedirs(os.path.join(out_dir, self.WORK), exist_ok=True)
            self.texts = TextStore(os.path.join(out_dir, self.WORK, "texts.bin"))
        self.writers = {name: TableWriter(out_dir, name, cols, fmt) for name, cols in
                        (("documents", DOCUMENT_COLUMNS), ("sections", SECTION_COLUMNS), ("claims", CLAIM_COLUMNS))}
        if assessed:
            self.writers["coverage"] = TableWriter(out_dir, "coverage", COVERAGE_COLUMNS, fmt)
            self.writers["findings"] = TableWriter(out_dir, "findings", FINDING_COLUMNS, fmt)
        self.status: dict[str, int] = {}

    @staticmethod
    def worker_rows(assessed: bool = False, copies: bool = True, **_options) -> Callable[[Any], DocumentRows]:
        """What the batch's workers send this reporter instead of each result: its rows
        (with the text when copy detection needs it); picklable."""
        return partial(document_rows, text=assessed and copies)

    def add(self, result: Union[Analysis, Assessment, DocumentRows]) -> None:
        rows = document_rows(result, text=self.texts is not None)
        w = self.writers
        w["documents"].write_rows([rows.document()])
        w["sections"].write_rows(rows.sections)
        w["claims"].write_rows(rows.claims)
        if "coverage" in w:
            w["coverage"].write_rows(rows.coverage)
            w["findings"].write_rows(rows.findings)
        if self.texts is not None and rows.raw.ok and rows.text:
            self.texts.append(rows.doc, rows.text)
        self.status[rows.raw.status] = self.status.get(rows.raw.status, 0) + 1

    def _copies(self, ok: bool) -> None:
        """Copy detection over the run's texts: its findings (the copied passage as the sentence)."""
        if self.texts is None:
            return
        try:
            if ok:
                from .corpus import corpus_findings
                found, _ = corpus_findings(self.texts)
                for f in found:
                    f.sentence = f.sentence or f.raw
                self.writers["findings"].write_rows(finding_tuples(found))
        finally:
            self.texts.close()
            shutil.rmtree(os.path.join(self.out, self.WORK), ignore_errors=True)

    def close(self, ok: bool = True) -> str:
        """Publish the tables (or drop them after a failure); returns a one-line summary."""
        self._copies(ok)
        for w in self.writers.values():
            w.close(ok)
        w = self.writers
        st = "，".join(f"{k} {v}" for k, v in sorted(self.status.items()))
        line = (f"{w['documents'].count} 份文档（{st}），{w['sections'].count} 个章节，"
                f"{w['claims'].count} 条数据声明")
        if "findings" in w:
            line += f"，{w['findings'].count} 个问题" + (f"（框架 {self.framework.id}）" if self.framework else "")
        return line
