"""Training and evaluation data for the subject model: real text with hand-labelled subjects.

Three sources, all read from ``../shared`` at run time (never copied into the project):

* ``gold-reports`` — 28 passages of government work reports, gold in the shared format
  (``context``/``raw``/``subject`` strings);
* ``seeds`` — the five real submissions of the development set, same format;
* ``real`` — our own standoff labels (``corpus/labels/real``): passages of the shared
  corpus with claim and subject offsets;
* ``sample`` — the project's own sample submissions (``corpus/sources``, written by the
  team in the genre's style), labelled in the shared format (``corpus/labels/sample_claims.jsonl``).

Each labelled claim is matched to a claim of the scan (the number the extractor finds at
that place) and its subject located in the clean text, so the model learns from the
candidates the extractor itself will see. A claim the scan does not find is skipped (the
scan's recall is the scan's business).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Iterator, Optional

from ..text.normalize import Normalized, normalize
from . import standoff as so


@dataclass
class Doc:
    """A labelled document: its text, its group (the document it comes from, for CV) and
    its gold claims as raw spans with the subject's raw span (or its text, when the gold
    gives only a string)."""
    name: str
    source: str          # gold-reports | seeds | real
    group: str
    text: str
    gold: list[dict]     # {"start", "end", "subject": str, "subject_span": (s, e) | None, "kind", "unit"}


def _locate(text: str, context: str, raw: str, used: set) -> Optional[tuple[int, int]]:
    """The raw span of a gold claim given by its context and raw strings."""
    k = text.find(context)
    while k >= 0:
        r = text.find(raw, k, k + len(context))
        if r >= 0 and (r, r + len(raw)) not in used:
            return r, r + len(raw)
        k = text.find(context, k + 1)
    return None


def _string_gold(name: str, source: str, group: str, text: str, rows: list[dict]) -> Doc:
    used: set = set()
    gold = []
    for g in rows:
        span = _locate(text, g["context"], g["raw"], used)
        if span is None:
            continue
        used.add(span)
        gold.append({"start": span[0], "end": span[1], "subject": g.get("subject") or "", "subject_span": None,
                     "kind": g.get("kind"), "unit": g.get("unit")})
    return Doc(name, source, group, text, gold)


def _gold_file_docs(folder: str, gold_path: str, source: str) -> Iterator[Doc]:
    rows: dict[str, list[dict]] = {}
    with open(gold_path, encoding="utf-8") as fh:
        for ln in fh:
            if ln.strip():
                g = json.loads(ln)
                rows.setdefault(g["doc"], []).append(g)
    for name in sorted(rows):
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read().replace("\r\n", "\n")
        yield _string_gold(name, source, f"{source}:{name}", text, rows[name])


def labelled_docs(shared: Optional[str] = None,
                  sources: tuple[str, ...] = ("gold-reports", "seeds", "real", "sample")) -> list[Doc]:
    """Every labelled document available on this machine."""
    out: list[Doc] = []
    if "sample" in sources:
        out += _gold_file_docs(os.path.join(so.PROJECT, "corpus", "sources"),
                               os.path.join(so.PROJECT, "corpus", "labels", "sample_claims.jsonl"), "sample")
    root = shared or so.shared_dir()
    if root is None:
        return out
    if "gold-reports" in sources and os.path.isdir(os.path.join(root, "gold-reports")):
        out += _gold_file_docs(os.path.join(root, "gold-reports", "docs"),
                               os.path.join(root, "gold-reports", "claims.jsonl"), "gold-reports")
    if "seeds" in sources and os.path.isdir(os.path.join(root, "seeds")):
        out += _gold_file_docs(os.path.join(root, "seeds"), os.path.join(root, "gold", "claims.jsonl"), "seeds")
    if "real" in sources:
        out += _real_docs()
    return out


def _real_docs() -> list[Doc]:
    by_passage: dict[str, list[dict]] = {}
    for r in so.read_jsonl(os.path.join(so.labels_dir(), "claims.jsonl")):
        by_passage.setdefault(r["passage"], []).append(r)
    out = []
    for p in so.passages("claims"):
        try:
            text = p.text
        except so.SourceMissing:
            continue
        gold = []
        for r in by_passage.get(p.id, []):
            ss = r.get("subject_start")
            span = (ss - p.start, r["subject_end"] - p.start) if ss is not None else None
            subject = text[span[0]:span[1]] if span else ""
            gold.append({"start": r["start"] - p.start, "end": r["end"] - p.start, "subject": subject,
                         "subject_span": span, "kind": r["kind"], "unit": r["unit"]})
        # a report's passages form one group: text of one writer stays on one side of a split
        out.append(Doc(f"{p.id}.txt", "real", f"real:{p.source}", text, gold))
    return out


@dataclass
class Example:
    """One scanned claim with its gold subject: what the subject model learns from."""
    doc: Doc
    norm: Normalized
    index: int               # the claim's index in the scan of the document
    gold_subject: str        # the gold subject as written
    gold_clean: Optional[tuple[int, int]]   # its span in the clean text, when it could be placed


def _nearest(text: str, needle: str, at: int) -> Optional[tuple[int, int]]:
    best, k = None, text.find(needle)
    while k >= 0:
        if best is None or abs(k - at) < abs(best - at):
            best = k
        k = text.find(needle, k + 1)
    return (best, best + len(needle)) if best is not None else None


def examples(docs: list[Doc]) -> Iterator[tuple[Doc, Normalized, list, list[Example]]]:
    """Per document: its normalisation, the scan's claims (``Found`` tuples) and the
    examples (scanned claims matched to a gold claim by overlapping raw spans)."""
    from ..claims.scan import scan
    for d in docs:
        norm = normalize(d.text)
        found = scan(norm.text)
        raw = [(norm.to_raw(f[0]), norm.to_raw(f[1] - 1) + 1) for f in found]
        exs = []
        taken: set[int] = set()
        for g in d.gold:
            hits = [i for i, (s, e) in enumerate(raw) if s < g["end"] and g["start"] < e and i not in taken]
            if not hits:
                continue
            i = hits[0]
            taken.add(i)
            span = g["subject_span"] or (_nearest(d.text, g["subject"], g["start"]) if g["subject"] else None)
            clean = None
            if span is not None:
                cs, ce = norm.to_clean(span[0]), norm.to_clean(span[1] - 1) + 1
                clean = (cs, ce) if ce > cs else None
            exs.append(Example(d, norm, i, g["subject"], clean))
        yield d, norm, found, exs
