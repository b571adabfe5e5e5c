"""Standoff labels: annotations kept in the project that point into ``../shared`` texts.

The project never copies the shared texts. A label names its source text and character
offsets into it; training and scoring read the text from ``../shared`` at run time.

Sources (``source`` field)::

    corpus/wikisource-gwr/government_work_reports.jsonl#58   line 58 (0-based), field ``content``
    corpus/wikisource-gwr/cpc_congress_reports.jsonl#3      line 3, field ``content``
    corpus/prov2026/2026_北京市_政府工作报告.csv              first row, field ``full_text``
    gold-reports/docs/n01.txt, seeds/000_….txt               the file, UTF-8

Offsets are Python ``str`` indices into that text. Label files are JSON Lines:

* ``passages.jsonl`` — ``{"id", "source", "start", "end", "task"}``: a stretch annotated
  exhaustively for ``task`` (``claims``: every number decided claim or not; ``sentences``:
  every sentence labelled).
* ``claims.jsonl`` — ``{"passage", "start", "end", "value", "unit", "approx", "kind",
  "subject_start", "subject_end"}`` (``subject_*`` null when the text names nothing).
* ``sentences.jsonl`` — ``{"passage", "start", "end", "labels": [...]}`` (empty: none).

Annotators write what they see as strings (``context``, ``raw``, ``subject``, as in
``../shared/gold/SCHEMA.md``); :func:`resolve_claims` turns those into offsets and refuses
anything it cannot place unambiguously.
"""
from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Optional

PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def shared_dir() -> Optional[str]:
    """``$SUMMARYSCAN_SHARED`` or ``../shared`` beside the project, when present."""
    path = os.environ.get("SUMMARYSCAN_SHARED") or os.path.join(os.path.dirname(PROJECT), "shared")
    return path if os.path.isdir(path) else None


def labels_dir() -> str:
    return os.path.join(PROJECT, "corpus", "labels", "real")


class SourceMissing(FileNotFoundError):
    """The shared text a label points to is not on this machine."""


@lru_cache(maxsize=256)
def source_text(source: str, shared: Optional[str] = None) -> str:
    """The text ``source`` names (see the module docstring)."""
    root = shared or shared_dir()
    if root is None:
        raise SourceMissing(f"../shared is not present: cannot read {source}")
    path, _, line = source.partition("#")
    full = os.path.join(root, path)
    if not os.path.isfile(full):
        raise SourceMissing(f"{full} is not present")
    if path.endswith(".jsonl"):
        with open(full, encoding="utf-8") as fh:
            for i, ln in enumerate(fh):
                if i == int(line or 0):
                    return json.loads(ln)["content"]
        raise KeyError(f"{source}: no such line")
    if path.endswith(".csv"):
        csv.field_size_limit(1 << 30)
        with open(full, encoding="utf-8-sig", newline="") as fh:
            return next(csv.DictReader(fh))["full_text"]
    with open(full, encoding="utf-8-sig") as fh:
        return fh.read()


def sources(shared: Optional[str] = None) -> list[str]:
    """Every source of ``corpus/`` (reports, congress reports, provincial reports)."""
    root = shared or shared_dir()
    if root is None:
        return []
    out = []
    for name in ("government_work_reports.jsonl", "cpc_congress_reports.jsonl"):
        full = os.path.join(root, "corpus", "wikisource-gwr", name)
        if os.path.isfile(full):
            with open(full, encoding="utf-8") as fh:
                out += [f"corpus/wikisource-gwr/{name}#{i}" for i, ln in enumerate(fh) if ln.strip()]
    prov = os.path.join(root, "corpus", "prov2026")
    if os.path.isdir(prov):
        out += [f"corpus/prov2026/{n}" for n in sorted(os.listdir(prov)) if n.startswith("2026_")]
    return out


def read_jsonl(path: str) -> list[dict]:
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(ln) for ln in fh if ln.strip()]


def write_jsonl(path: str, rows: Iterable[dict]) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class Passage:
    id: str
    source: str
    start: int
    end: int
    task: str

    @property
    def text(self) -> str:
        return source_text(self.source)[self.start:self.end]


def passages(task: Optional[str] = None, folder: Optional[str] = None) -> list[Passage]:
    rows = read_jsonl(os.path.join(folder or labels_dir(), "passages.jsonl"))
    return [Passage(r["id"], r["source"], r["start"], r["end"], r["task"]) for r in rows
            if task is None or r["task"] == task]


@lru_cache(maxsize=1)
def gold_report_spans() -> dict[str, list[tuple[int, int]]]:
    """Where the passages of ``../shared/gold-reports`` sit in their sources: labels of our
    own must not overlap them (they are a scoring set)."""
    root = shared_dir()
    out: dict[str, list[tuple[int, int]]] = {}
    if root is None:
        return out
    manifest = os.path.join(root, "gold-reports", "manifest.tsv")
    if not os.path.isfile(manifest):
        return out
    with open(manifest, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    for r in rows:
        with open(os.path.join(root, "gold-reports", "docs", r["name"]), encoding="utf-8-sig") as fh:
            text = fh.read().strip()
        src = r["source"].replace("../", "")
        for cand in (sources(root) if src.endswith(".jsonl") else [src]):
            if not cand.startswith(src):
                continue
            full = source_text(cand)
            k = full.find(text[:60])
            if k >= 0:
                out.setdefault(cand, []).append((k, k + len(text)))
                break
    return out


def overlaps_gold(source: str, start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in gold_report_spans().get(source, []))


# ------------------------------------------------------------------ claims from strings


class Unplaceable(ValueError):
    """An annotation whose strings cannot be found (or are ambiguous) in its passage."""


def _find_unique(text: str, needle: str, lo: int, hi: int, what: str) -> int:
    k = text.find(needle, lo, hi)
    if k < 0:
        raise Unplaceable(f"{what} {needle!r} not found")
    if text.find(needle, k + 1, hi) >= 0:
        raise Unplaceable(f"{what} {needle!r} occurs more than once")
    return k


def resolve_claim(p: Passage, ann: dict) -> dict:
    """``ann`` (``context``, ``raw``, ``subject`` as strings; the other fields as in SCHEMA.md)
    as a standoff claim of passage ``p``. ``context`` must occur once in the passage and
    ``raw`` once in the context; ``subject`` is the occurrence nearest the claim."""
    text = source_text(p.source)
    c = _find_unique(text, ann["context"], p.start, p.end, "context")
    r = _find_unique(text, ann["raw"], c, c + len(ann["context"]), "raw in context")
    out = {"passage": p.id, "start": r, "end": r + len(ann["raw"])}
    for key in ("value", "unit", "approx", "kind"):
        out[key] = ann.get(key)
    subj = ann.get("subject") or ""
    out["subject_start"] = out["subject_end"] = None
    if subj:
        hits, k = [], text.find(subj, p.start, p.end)
        while k >= 0:
            hits.append(k)
            k = text.find(subj, k + 1, p.end)
        if not hits:
            raise Unplaceable(f"subject {subj!r} not found in the passage")
        best = min(hits, key=lambda h: (abs(h - r), h))
        out["subject_start"], out["subject_end"] = best, best + len(subj)
    return out


def claim_strings(p: Passage, row: dict) -> dict:
    """A standoff claim back in the gold format of ``../shared/gold`` (strings, ``doc`` = passage id)."""
    text = source_text(p.source)
    s, e = row["start"], row["end"]
    lo, hi = max(p.start, s - 12), min(p.end, e + 12)
    subj = "" if row.get("subject_start") is None else text[row["subject_start"]:row["subject_end"]]
    return {"doc": f"{p.id}.txt", "context": text[lo:hi], "raw": text[s:e], "value": row["value"],
            "unit": row["unit"], "approx": row["approx"], "subject": subj, "kind": row["kind"],
            "start": s - p.start, "end": e - p.start}


def materialize(task: str, out_dir: str, folder: Optional[str] = None) -> list[Passage]:
    """Write each passage of ``task`` as ``OUT/docs/ID.txt`` and (for claims) the gold file
    ``OUT/claims.jsonl`` in the shared scorer's format: for scoring and training only,
    in a temporary folder outside the project."""
    folder = folder or labels_dir()
    ps = passages(task, folder)
    os.makedirs(os.path.join(out_dir, "docs"), exist_ok=True)
    for p in ps:
        with open(os.path.join(out_dir, "docs", f"{p.id}.txt"), "w", encoding="utf-8") as fh:
            fh.write(p.text)
    if task == "claims":
        by_id = {p.id: p for p in ps}
        rows = [claim_strings(by_id[r["passage"]], r) for r in read_jsonl(os.path.join(folder, "claims.jsonl"))
                if r["passage"] in by_id]
        write_jsonl(os.path.join(out_dir, "claims.jsonl"), rows)
    return ps


def iter_sentence_labels(folder: Optional[str] = None) -> Iterator[tuple[Passage, dict, str]]:
    """(passage, label row, sentence text) of every labelled sentence."""
    folder = folder or labels_dir()
    by_id = {p.id: p for p in passages("sentences", folder)}
    for r in read_jsonl(os.path.join(folder, "sentences.jsonl")):
        p = by_id[r["passage"]]
        yield p, r, source_text(p.source)[r["start"]:r["end"]]
