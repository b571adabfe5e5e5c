"""The reviewer report of ``summaryscan screen``: index page, document pages, workbook, charts.

:class:`ScreenReport` streams: :meth:`ScreenReport.add` writes the document's
page ``DIR/docs/<doc>.html`` at once and appends the document's claim, finding
and coverage rows to work files on disk; it keeps in memory only one small
summary row per document.  :meth:`ScreenReport.finish` adds the cross-document
findings (TEMPLATE_COPY), re-renders only the pages they touch (from the
compact page data kept on disk), and writes ``index.html``, ``report.xlsx`` and
``charts/*.png``.  Memory stays flat in the number of documents.

Score of a document (documented on the index page)::

    score = 100 × Σ_d w_d·coverage_d / Σ_d w_d          (framework dimension weights)
          + Σ weights of the bonus items hit            (加分项)
          − Σ weights of the deduction items hit        (扣分项)
          − Σ finding penalties: high 5, medium 2, low 0.5

Unit (发文单位) heuristic: see :func:`guess_unit`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
import warnings
from collections import Counter
from datetime import datetime
from typing import Any, Callable, Iterable, Optional, Sequence, Union

from ..records import Analysis, Assessment, Coverage, Finding
from .tables import AtomicFile, claim_rows, coverage_rows, finding_rows

PENALTY = {"high": 5.0, "medium": 2.0, "low": 0.5}
SEVERITIES = ("high", "medium", "low")

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
# issuing unit
# --------------------------------------------------------------------------- #

# endings of an organ's name, longest first where one is a suffix of another
_ORG_END = ("机关党委", "机关党总支", "机关党支部", "机关工委", "纪委监委", "党工委", "党总支", "党支部", "党组",
            "党委", "工委", "监委", "纪委", "委员会", "办公室", "办公厅", "管委会", "局", "委", "办", "厅", "院",
            "署", "中心", "部", "所", "站", "队", "政府", "公司", "集团", "学校", "大学", "协会", "联合会", "分会")
_ORG_RE = re.compile("(?:%s)$" % "|".join(map(re.escape, _ORG_END)))
_ROLE_RE = re.compile(r"(书记|副局长|局长|副主任|主任|负责人|同志|本人|领导班子)$")
_GROUP_RE = re.compile(r"(联合调研组|专题调研组|调研课题组|课题组|调研组|调研专班|写作组|办公室调研组)$")
_TITLE_CUT = re.compile(r"(?:\d{4}|20[0-9XＸx×*＊]{2}|[一二〇○零]{4})年|创建|开展|推进|抓|关于|模范机关|工作|年度|"
                        r"述职|的|在|上半年|下半年|[（(“\"《：:，,\s]")
_LINE_OK = re.compile(r"^[\u4e00-\u9fff（）()·]{3,24}$")


def _org_name(s: str) -> str:
    s = s.strip(" 　：:，,。")
    s = re.sub(r"^中共", "中共", s)
    for rx in (_ROLE_RE, _GROUP_RE):
        s = rx.sub("", s)
    if 3 <= len(s) <= 24 and _ORG_RE.search(s) and _LINE_OK.match(s):
        if s.endswith("机关") or s in ("党组", "党委", "局"):
            return ""
        return s
    return ""


def guess_unit(title: str, text: str = "") -> str:
    """The issuing unit (发文单位) of a submission, or "" when not stated plainly.

    1. The title's head, from its start (after a leading 关于) to the first year,
       or to words such as 创建/开展/关于/工作/述职/的 — kept when it ends like an
       organ's name (局、委、办、党组、机关党委、纪委监委、工委 …), with a trailing
       role (书记、局长 …) removed: ``市交通运输局党组书记2024年度…述职报告`` ->
       ``市交通运输局党组``.
    2. Else a short by-line just under the title (``市直机关工委调研组`` ->
       ``市直机关工委``; an addressee line ending in ``：`` is skipped).
    3. Else the signature at the end (the last short line before a date).
    """
    head = re.sub(r"^(关于|中共)?", "", (title or "").strip())
    m = _TITLE_CUT.search(head)
    cand = head[: m.start()] if m else head
    unit = _org_name(cand)
    if unit:
        return ("中共" + unit) if (title or "").startswith("中共") and not unit.startswith("中共") else unit
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        return ""
    # by-line: the 1-3 lines after the title line
    t_idx = next((i for i, ln in enumerate(lines[:8]) if title and ln.startswith(title[:8])), 0)
    for ln in lines[t_idx + 1: t_idx + 4]:
        if ln.endswith(("：", ":")):
            continue
        unit = _org_name(ln)
        if unit:
            return unit
    # signature: short lines near the end, skipping dates
    for ln in reversed(lines[-4:]):
        if re.search(r"\d{4}\s*年|[〇○零一二]{4}年|\d{1,2}月\d{1,2}日", ln):
            continue
        unit = _org_name(ln)
        if unit:
            return unit
    return ""


# --------------------------------------------------------------------------- #
# page data and summary rows
# --------------------------------------------------------------------------- #

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


class TextStore(Sequence):
    """``(doc, text)`` pairs appended to one file and read back by index.

    The copy detector reads the run's texts from here, one at a time, so they are
    never all in memory.
    """

    def __init__(self, path: str):
        self.path = path
        self._index: list[tuple[str, int, int]] = []
        self._writer = open(path, "wb")
        self._reader = None

    def append(self, doc: str, text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        self._index.append((doc, self._writer.tell(), len(data)))
        self._writer.write(data)

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        doc, offset, size = self._index[i]
        if not self._writer.closed:
            self._writer.flush()
        if self._reader is None:
            self._reader = open(self.path, "rb")
        self._reader.seek(offset)
        return doc, self._reader.read(size).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        self._writer.close()
        if self._reader is not None:
            self._reader.close()


class ScreenReport:
    """Streaming writer of the reviewer report in ``out_dir``.

    >>> rep = ScreenReport("out/screen", load_framework("five-types"))
    >>> for a in run_batch(paths):
    ...     rep.add(a, coverage(a, fw), consistency.check(a, fw))
    >>> rep.finish(cross_findings, similarity)   # -> "out/screen/index.html"
    """

    WORK = ".screen-work"

    def __init__(self, out_dir: str, framework, penalties: Optional[dict] = None):
        self.out = out_dir
        self.fw = framework
        self.penalty = dict(PENALTY, **(penalties or {}))
        self.dims = [d.name for d in framework.dimensions]
        self.dim_weight = {d.name: float(d.weight) for d in framework.dimensions}
        self.bonus_weight = {(d.name, b.name): float(b.weight) for d in framework.dimensions for b in d.bonus}
        self.deduct_weight = {(d.name, b.name): float(b.weight) for d in framework.dimensions for b in d.deductions}
        self.rows: list[dict] = []           # one small summary row per document
        self._files: dict[str, str] = {}     # doc -> page file name (first document of that name)
        self._used: set[str] = set()
        self.code_counts: Counter = Counter()
        self.code_severity: dict[str, Counter] = {}
        self.docs_dir = os.path.join(out_dir, "docs")
        self.work = os.path.join(out_dir, self.WORK)
        os.makedirs(self.docs_dir, exist_ok=True)
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

    def add(self, analysis: Analysis, coverage: Sequence[Coverage] = (), findings: Sequence[Finding] = ()) -> None:
        """Record one document and write its page now."""
        from .html import render_doc_page
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
        row = {
            "doc": a.doc, "file": file, "path": a.raw.path, "format": a.raw.format, "status": a.raw.status,
            "message": a.raw.message, "title": a.title, "unit": guess_unit(a.title, text) if ok else "",
            "doc_type": a.doc_type, "year": a.year, "chars": chars, "claims": len(a.claims),
            "density": (len(a.claims) * 1000.0 / chars) if chars else 0.0,
            "dims": {d: float(cov[d].score) if d in cov else 0.0 for d in self.dims} if ok else {},
            "covered": {d: bool(cov[d].covered) if d in cov else False for d in self.dims} if ok else {},
            "bonus": [[c.dimension, b] for c in coverage for b in c.bonus] if ok else [],
            "deductions": [[c.dimension, b] for c in coverage for b in c.deductions] if ok else [],
            "severity": {k: 0 for k in SEVERITIES}, "codes": [],
        }
        self._count_findings(row, fdicts)
        self._score(row)
        self.rows.append(row)
        if ok and text:
            self.texts.append(a.doc, text)
        self._write_rows("claims", claim_rows(a))
        self._write_rows("findings", finding_rows(findings))
        self._write_rows("coverage", coverage_rows(coverage))
        data = self._page_data(a, coverage, fdicts, row)
        with open(self._page_json(file), "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, default=str)
        self._write_page(file, render_doc_page(data, self.fw.name))

    def _page_json(self, file: str) -> str:
        return os.path.join(self.work, "pages", file[:-5] + ".json")

    def _write_page(self, file: str, html_text: str) -> None:
        with AtomicFile(os.path.join(self.docs_dir, file), "w", encoding="utf-8") as fh:
            fh.write(html_text)

    def _page_data(self, a: Analysis, coverage: Sequence[Coverage], fdicts: list[dict], row: dict) -> dict:
        secs = [{"id": s.id, "level": s.level, "marker": s.marker, "title": s.title, "start": s.start,
                 "end": s.end, "title_end": s.title_end, "parent": s.parent} for s in a.sections]
        claims = [{"raw": c.raw, "value": c.value, "unit": c.unit, "approx": c.approx, "subject": c.subject,
                   "kind": c.kind, "start": c.start, "end": c.end, "section": a.section_path(c.section)}
                  for c in a.claims]
        cov = [{"dimension": c.dimension, "score": float(c.score), "covered": bool(c.covered),
                "indicators_hit": list(c.indicators_hit), "quantified_evidence": c.quantified_evidence,
                "bonus": list(c.bonus), "deductions": list(c.deductions),
                "evidence": [{"text": e.text, "section": e.section, "indicators": list(e.indicators),
                              "claims": e.claims, "start": e.start, "end": e.end} for e in c.evidence]}
               for c in coverage]
        return {"summary": row, "text": a.raw.text if a.raw.ok else "", "sections": secs, "claims": claims,
                "findings": fdicts, "coverage": cov}

    def _count_findings(self, row: dict, fdicts: Iterable[dict]) -> None:
        codes = set(row.get("codes", []))
        for f in fdicts:
            sev = f.get("severity") if f.get("severity") in SEVERITIES else "low"
            row["severity"][sev] += 1
            codes.add(f.get("code", ""))
            self.code_counts[f.get("code", "")] += 1
            self.code_severity.setdefault(f.get("code", ""), Counter())[sev] += 1
        row["codes"] = sorted(c for c in codes if c)

    def _score(self, row: dict) -> None:
        if row["status"] != "ok":
            row.update(score=None, coverage_points=None, bonus_points=0.0, deduction_points=0.0, penalty=0.0)
            return
        wsum = sum(self.dim_weight.values()) or 1.0
        cov_pts = 100.0 * sum(self.dim_weight[d] * row["dims"].get(d, 0.0) for d in self.dims) / wsum
        bonus = sum(self.bonus_weight.get(tuple(k), 0.0) for k in {tuple(x) for x in row["bonus"]})
        deduct = sum(self.deduct_weight.get(tuple(k), 0.0) for k in {tuple(x) for x in row["deductions"]})
        pen = sum(self.penalty[k] * row["severity"].get(k, 0) for k in SEVERITIES)
        row.update(coverage_points=round(cov_pts, 2), bonus_points=bonus, deduction_points=deduct,
                   penalty=pen, score=round(cov_pts + bonus - deduct - pen, 1))

    # --------------------------------------------------------------- finish
    def finish(self, cross_findings: Iterable[Finding] = (), similarity: Any = None) -> str:
        """Write index.html, report.xlsx and charts; returns the index path."""
        from . import charts as charts_mod
        from .html import render_doc_page, render_index
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
        by_doc: dict[str, dict] = {}
        for r in self.rows:
            by_doc.setdefault(r["doc"], r)
        for doc, fs in per_doc.items():
            row = by_doc.get(doc)
            if row is None:
                continue
            self._count_findings(row, fs)
            self._score(row)
            with open(self._page_json(row["file"]), encoding="utf-8") as fh:
                data = json.load(fh)
            text = data.get("text", "")
            for f in fs:   # a mirrored view lacks its passage: take it from this document's text
                if not f.get("raw") and 0 <= f["start"] < f["end"] <= len(text):
                    f["raw"] = text[f["start"]:f["end"]]
            data["findings"].extend(fs)
            data["summary"] = row
            self._write_page(row["file"], render_doc_page(data, self.fw.name))
        self._append_rows("findings", finding_rows(Finding(**{k: f[k] for k in _FINDING_FIELDS}) for f in views))
        self.cross = _pairs_once(views)
        self._rank()

        chart_list = charts_mod.draw_all(os.path.join(self.out, "charts"), self.rows, self.dims,
                                         self.code_counts, similarity, self.code_severity)
        write_workbook(os.path.join(self.out, "report.xlsx"), self.rows, self.dims, self.work)
        from ..pipeline import PIPELINE_VERSION as version
        meta = {"framework_name": self.fw.name, "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
                "version": version}
        ordered = sorted(self.rows, key=lambda r: (r["rank"] is None, r["rank"] or 0))
        index = os.path.join(self.out, "index.html")
        with AtomicFile(index, "w", encoding="utf-8") as fh:
            fh.write(render_index(ordered, self.dims, meta,
                                  [(os.path.relpath(p, self.out).replace(os.sep, "/"), cap) for p, cap in chart_list],
                                  self.cross, self.penalty))
        self.texts.close()
        shutil.rmtree(self.work, ignore_errors=True)
        self.finished = True
        return index

    def _append_rows(self, name: str, rows: Iterable[dict]) -> None:
        with open(os.path.join(self.work, f"{name}.jsonl"), "a", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")

    def _rank(self) -> None:
        scored = sorted((r for r in self.rows if r.get("score") is not None), key=lambda r: -r["score"])
        prev, rank = None, 0
        for i, r in enumerate(scored, 1):
            if r["score"] != prev:
                rank, prev = i, r["score"]
            r["rank"] = rank
        for r in self.rows:
            r.setdefault("rank", None)
            if r.get("score") is None:
                r["rank"] = None

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
    """TEMPLATE_COPY findings and the heatmap's similarity rows from :mod:`summaryscan.similarity`."""
    try:
        from ..similarity import CopyDetector
    except Exception as exc:
        warnings.warn(f"雷同检测模块不可用，跳过跨材料雷同检查（{type(exc).__name__}: {exc}）")
        return [], None
    from .charts import MAX_ROWS
    if len(rep.texts) < 2:
        return [], None
    det = CopyDetector().fit(rep.texts)
    docs, matrix = det.similarity_matrix(top=MAX_ROWS)
    return det.findings(), {"docs": docs, "matrix": matrix, "total": len(det.docs_)}


def run_screen(paths: Iterable[str], out_dir: str, framework: Any = "five-types", *, jobs: int = 1,
               progress: bool = True, cross: Optional[Callable[["ScreenReport"], tuple]] = None,
               copies: bool = True, model: Optional[str] = None,
               results: Optional[Iterable[Union[Analysis, Assessment]]] = None) -> str:
    """Analyse ``paths`` and write the screen report to ``out_dir``; returns index.html's path.

    Each document is analysed and assessed (coverage with the sentence classifier
    saved at ``model``, if given, and the consistency checks) in the batch's worker
    processes. After the batch, ``cross(report)`` returns ``(cross_findings,
    similarity)``; the default runs :class:`summaryscan.similarity.CopyDetector`
    on the texts read back from disk (:attr:`ScreenReport.texts`; ``copies=False``
    skips it). ``results``: an already running batch (e.g. the CLI's, with its
    limits and cache) to use instead of starting one from ``paths``; Analyses in it
    are assessed here.
    """
    from ..frameworks import load_framework
    from ..pipeline import Assessor, assess, run_batch
    fw = load_framework(framework) if isinstance(framework, (str, os.PathLike)) else framework
    rep = ScreenReport(out_dir, fw)
    try:
        batch = results if results is not None else run_batch(paths, jobs=jobs, progress=progress, desc="审读",
                                                              assess=Assessor(fw, model))
        for item in batch:
            got = item if isinstance(item, Assessment) else assess(item, fw)
            rep.add(got.analysis, got.coverage, got.findings)
        if cross is not None:
            cross_findings, similarity = cross(rep)
        elif copies:
            cross_findings, similarity = _default_cross(rep)
        else:
            cross_findings, similarity = [], None
    except BaseException:
        rep.abort()
        raise
    return rep.finish(cross_findings, similarity)


__all__ = ["ScreenReport", "run_screen", "guess_unit", "safe_filename", "mirror", "PENALTY"]
