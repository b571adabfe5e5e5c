"""Fit and calibrate the sentence classifier that decides framework coverage, on real text.

    summaryscan train          (or: python -m summaryscan.training.coverage)

Sentences (label = the first dimension the sentence gives concrete evidence of, or
``none``):

* ``real`` — 129 passages of the shared corpus (government work reports 1978–2025, CPC
  congress reports, 2026 provincial reports), every sentence labelled (standoff labels in
  ``corpus/labels/real/sentences.jsonl``; the texts are read from ``../shared``);
* ``sample`` — the project's sample submissions (``corpus/labels/sample_sentences.jsonl``),
  agency summaries in the genre's style;
* ``written`` — 1,500 sentences written for the project (``corpus/labels/sentences.jsonl``).

Cross-validation is grouped by document (a report's passages together; each sample
submission), 5 folds; the written sentences are in every fold's training set. Out-of-fold
probabilities calibrate a threshold per dimension: the one that maximises the
document-level coverage F1 (doc × dimension, covered when one sentence is evidence, as
:mod:`summaryscan.coverage` decides) over the labelled documents. The five seeds are
never trained on; their coverage F1 is reported as a check. The model fitted on all
data is saved with skops (``models/dimension-classifier.skops``) and as numpy arrays with
its thresholds (``.npz``, what batch workers load), and ``models/MODEL_CARD.md`` is written.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from .. import classifier as clf
from ..coverage import coverage
from ..frameworks import load_framework
from ..pipeline import analyze_path, analyze_text
from ..records import Analysis
from . import standoff as so

FOLDS = 5
THRESHOLD_GRID = tuple(round(x, 2) for x in np.arange(0.2, 0.91, 0.05))


@dataclass
class LabelledDoc:
    """A document whose every sentence is labelled: its analysis and per-sentence labels."""
    name: str
    source: str                      # real | sample
    group: str
    analysis: Analysis
    labels: list[str]                # one per analysis sentence: a dimension or "none"
    covered: set = field(default_factory=set)


def _primary(labels: list[str]) -> str:
    return labels[0] if labels else clf.NONE


def real_docs() -> list[LabelledDoc]:
    rows = defaultdict(dict)
    for p, r, _ in so.iter_sentence_labels():
        rows[p.id][r["start"]] = r
    out = []
    for p in so.passages("sentences"):
        a = analyze_text(p.text, doc=f"{p.id}.txt")
        labels, covered = [], set()
        for s in a.sentences:
            t = p.text[s.start:s.end]
            r = rows[p.id].get(p.start + s.start + len(t) - len(t.lstrip()))
            ls = r["labels"] if r else []
            labels.append(_primary(ls))
            covered.update(ls)
        out.append(LabelledDoc(f"{p.id}.txt", "real", f"real:{p.source}", a, labels, covered))
    return out


def sample_docs() -> list[LabelledDoc]:
    path = clf.project_root() / "corpus" / "labels" / "sample_sentences.jsonl"
    rows = defaultdict(dict)
    for r in so.read_jsonl(str(path)):
        rows[r["doc"]][r["start"]] = r
    out = []
    for name in sorted(rows):
        a = analyze_path(str(clf.project_root() / "corpus" / "sources" / name))
        labels, covered = [], set()
        for s in a.sentences:
            ls = rows[name].get(s.start, {}).get("labels", [])
            labels.append(_primary(ls))
            covered.update(ls)
        out.append(LabelledDoc(name, "sample", f"sample:{name}", a, labels, covered))
    return out


def seed_docs() -> list[tuple[Analysis, set]]:
    """The five seeds and their gold coverage (never trained on)."""
    root = so.shared_dir()
    if root is None or not os.path.isfile(os.path.join(root, "gold", "coverage.jsonl")):
        return []
    gold = so.read_jsonl(os.path.join(root, "gold", "coverage.jsonl"))
    out = []
    for name in sorted({g["doc"] for g in gold}):
        a = analyze_path(os.path.join(root, "seeds", name))
        out.append((a, {g["dimension"] for g in gold if g["doc"] == name and g["covered"]}))
    return out


class _Fitted:
    """A fitted pipeline as coverage.py uses a classifier, with thresholds to set."""

    def __init__(self, pipeline, thresholds=None):
        self.pipeline = pipeline
        self.labels = [str(c) for c in pipeline.classes_]
        self.thresholds = thresholds or {}
        self._memo: dict[str, np.ndarray] = {}

    def predict_proba(self, sentences):
        todo = [s for s in dict.fromkeys(sentences) if s not in self._memo]
        if todo:
            for s, row in zip(todo, self.pipeline.predict_proba(todo)):
                self._memo[s] = row
        return np.array([self._memo[s] for s in sentences])


def _fit(texts: list[str], labels: list[str]):
    pipe = clf.build_pipeline()
    pipe.fit(texts, labels)
    return pipe


def doc_f1(pairs: list[tuple[bool, bool]]) -> dict:
    tp = sum(p and g for p, g in pairs)
    fp = sum(p and not g for p, g in pairs)
    fn = sum(g and not p for p, g in pairs)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"f1": round(f1, 4), "precision": round(prec, 4), "recall": round(rec, 4), "cells": len(pairs)}


def _covered(a: Analysis, fw, model) -> dict[str, bool]:
    return {c.dimension: c.covered for c in coverage(a, fw, model)}


def calibrate(docs: list[LabelledDoc], models: list, fw) -> dict[str, float]:
    """Per dimension, the threshold maximising doc × dimension F1 of the out-of-fold models
    (``models[k]`` is the model that never saw ``docs[k]``)."""
    best = {}
    for d in fw.dimension_names():
        scores = []
        for t in THRESHOLD_GRID:
            pairs = []
            for doc, m in zip(docs, models):
                m.thresholds = {**m.thresholds, d: t}
                pairs.append((_covered_one(doc.analysis, fw, m, d), d in doc.covered))
            scores.append((doc_f1(pairs)["f1"], -abs(t - 0.5), t))
        best[d] = max(scores)[2]
    return best


def _covered_one(a: Analysis, fw, model, dim: str) -> bool:
    return _covered(a, fw, model)[dim]


def sentence_scores(gold: list[str], pred: list[str]) -> dict:
    labs = sorted(set(gold) | set(pred))
    per = {}
    for lab in labs:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred))
        fp = sum(g != lab and p == lab for g, p in zip(gold, pred))
        fn = sum(g == lab and p != lab for g, p in zip(gold, pred))
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        per[lab] = {"precision": round(pr, 3), "recall": round(rc, 3),
                    "f1": round(2 * pr * rc / (pr + rc), 3) if pr + rc else 0.0, "support": gold.count(lab)}
    dims = [lab for lab in labs if lab != clf.NONE]
    return {"macro_f1_dimensions": round(float(np.mean([per[x]["f1"] for x in dims])), 4) if dims else 0.0,
            "per_class": per, "n": len(gold)}


def train(out_dir: Optional[str] = None, folds: int = FOLDS) -> dict:
    from sklearn.model_selection import GroupKFold
    fw = load_framework(None)
    written_t, written_y = clf.read_labels(clf.default_labels_path())
    docs = real_docs() + sample_docs()
    if not docs:
        raise FileNotFoundError("没有找到真实文本的句子标注（需要 ../shared 与 corpus/labels/real/）")

    # out-of-fold: every labelled document judged by a model that never saw it
    groups = np.array([d.group for d in docs])
    oof_models: list = [None] * len(docs)
    oof_pred: dict[int, list[str]] = {}
    for tr, te in GroupKFold(n_splits=folds).split(docs, groups=groups):
        texts = [s.text for k in tr for s in docs[k].analysis.sentences] + written_t
        labels = [lab for k in tr for lab in docs[k].labels] + written_y
        m = _Fitted(_fit(texts, labels))
        for k in te:
            oof_models[k] = m
            sents = [s.text for s in docs[k].analysis.sentences]
            oof_pred[k] = [m.labels[int(i)] for i in np.argmax(m.predict_proba(sents), axis=1)] if sents else []
    thresholds = calibrate(docs, oof_models, fw)
    for m in {id(m): m for m in oof_models}.values():
        m.thresholds = dict(thresholds)
    cv_pairs = defaultdict(list)
    for doc, m in zip(docs, oof_models):
        cov = _covered(doc.analysis, fw, m)
        for d in fw.dimension_names():
            cv_pairs[doc.source].append((cov[d], d in doc.covered))
            cv_pairs[f"dim:{d}"].append((cov[d], d in doc.covered))
    gold_s = [lab for k in range(len(docs)) for lab in docs[k].labels]
    pred_s = [lab for k in range(len(docs)) for lab in oof_pred[k]]

    # the shipped model: fitted on all of it
    texts = [s.text for d in docs for s in d.analysis.sentences] + written_t
    labels = [lab for d in docs for lab in d.labels] + written_y
    pipeline = _fit(texts, labels)
    final = _Fitted(pipeline, dict(thresholds))
    seeds = seed_docs()
    seed_pairs, rules_pairs = [], []
    for a, gold in seeds:
        cov, rules = _covered(a, fw, final), _covered(a, fw, None)
        seed_pairs += [(cov[d], d in gold) for d in fw.dimension_names()]
        rules_pairs += [(rules[d], d in gold) for d in fw.dimension_names()]
    rules_cv = defaultdict(list)
    for doc in docs:
        rules = _covered(doc.analysis, fw, None)
        rules_cv[doc.source] += [(rules[d], d in doc.covered) for d in fw.dimension_names()]

    metrics = {
        "framework": fw.id, "folds": folds, "thresholds": thresholds, "data_sha256": data_hashes(),
        "documents": {src: sum(d.source == src for d in docs) for src in ("real", "sample")},
        "groups": len(set(groups.tolist())),
        "sentences": {"real": sum(len(d.labels) for d in docs if d.source == "real"),
                      "sample": sum(len(d.labels) for d in docs if d.source == "sample"),
                      "written": len(written_t)},
        "label_counts": dict(Counter(labels)),
        "coverage_cv": {k: doc_f1(v) for k, v in sorted(cv_pairs.items())},
        "coverage_rules_only": {k: doc_f1(v) for k, v in sorted(rules_cv.items())},
        "seeds": {"model": doc_f1(seed_pairs), "rules_only": doc_f1(rules_pairs)} if seeds else None,
        "sentences_cv": sentence_scores(gold_s, pred_s),
        "versions": _versions(),
    }
    folder = Path(out_dir) if out_dir else clf.project_root() / "models"
    save(pipeline, thresholds, folder)
    (folder / clf.CARD_FILENAME).write_text(render_card(metrics), encoding="utf-8")
    return metrics


def save(pipeline, thresholds: dict[str, float], folder: Path) -> None:
    import skops.io as sio
    from ..lean_model import export
    folder.mkdir(parents=True, exist_ok=True)
    sio.dump(pipeline, folder / clf.MODEL_FILENAME, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    export(pipeline, folder / clf.LEAN_FILENAME, thresholds=thresholds)


def _versions() -> dict:
    import sklearn
    import skops
    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "skops": skops.__version__,
            "numpy": np.__version__}


def data_hashes() -> dict[str, str]:
    """SHA-256 (first 16 hex digits) of the label files the model is trained on."""
    labels = clf.project_root() / "corpus" / "labels"
    files = {"written": labels / "sentences.jsonl", "real": labels / "real" / "sentences.jsonl",
             "sample": labels / "sample_sentences.jsonl"}
    return {k: hashlib.sha256(p.read_bytes()).hexdigest()[:16] if p.is_file() else "" for k, p in files.items()}


def card_metrics(path) -> dict:
    """The metrics embedded in a model card written by :func:`train`."""
    text = Path(path).read_text(encoding="utf-8")
    return json.loads(text.split("<!-- metrics-json", 1)[1].rsplit("-->", 1)[0])


def render_card(m: dict) -> str:
    cv = m["coverage_cv"]
    lines = [
        "# Model card: five-types sentence → dimension classifier and the coverage decision", "",
        "<!-- Generated by `summaryscan train` (summaryscan.training.coverage); do not edit by hand. -->", "",
        f"Files: `models/{clf.MODEL_FILENAME}` (skops; `summaryscan.classifier.load_model()` loads it with the "
        "explicit trusted list `TRUSTED_TYPES`, no pickle) and `models/dimension-classifier.npz` (the same model "
        "as numpy arrays with the calibrated thresholds: what batch workers load, without scikit-learn).", "",
        "## What it does", "",
        "Gives each sentence of a submission a probability of being concrete evidence (work done, a result) for "
        "each of the five dimensions of `five-types` (政治型, 学习型, 高效型, 廉洁型, 活力型) or `none`. "
        "`summaryscan.coverage` counts a dimension covered when one body sentence (not a bare heading, not in a "
        "problem or plan section) reaches the dimension's threshold — or half of it when a framework phrase names "
        "one of the dimension's indicators in a concrete sentence — and is not under a heading naming another "
        "dimension (unless the model is sure, ≥ 0.8).", "",
        "## Training data", "",
        "| source | documents | sentences | what |", "|---|---:|---:|---|",
        f"| real | {m['documents']['real']} | {m['sentences']['real']} | passages of the shared corpus (national "
        "government work reports 1978–2025, CPC congress reports, 2026 provincial reports), every sentence labelled "
        "to `../shared/gold/SCHEMA.md` (standoff in `corpus/labels/real/`) |",
        f"| sample | {m['documents']['sample']} | {m['sentences']['sample']} | the project's sample submissions "
        "(`corpus/labels/sample_sentences.jsonl`) |",
        f"| written | — | {m['sentences']['written']} | sentences written for the project in the genre "
        "(`corpus/labels/sentences.jsonl`) |", "",
        "Label of a sentence: the first dimension it gives concrete evidence of, else `none`. Counts in the "
        "shipped model's training: " + ", ".join(f"{k} {v}" for k, v in sorted(m["label_counts"].items())) + ".", "",
        f"## Cross-validation grouped by document ({m['folds']}-fold GroupKFold, {m['groups']} groups: a report's "
        "passages together, each sample submission; the written sentences in every fold's training)", "",
        "Coverage F1 over document × dimension cells, each document judged by a model that never saw it, "
        "thresholds calibrated on these out-of-fold predictions:", "",
        "| documents | cells | F1 | precision | recall | rules only (F1) |", "|---|---:|---:|---:|---:|---:|"]
    for src in ("real", "sample"):
        if src in cv:
            r = m["coverage_rules_only"].get(src, {})
            lines.append(f"| {src} | {cv[src]['cells']} | **{cv[src]['f1']:.3f}** | {cv[src]['precision']:.3f} | "
                         f"{cv[src]['recall']:.3f} | {r.get('f1', 0):.3f} |")
    lines += ["", "| dimension | threshold | F1 | precision | recall |", "|---|---:|---:|---:|---:|"]
    for d, t in m["thresholds"].items():
        v = cv.get(f"dim:{d}", {})
        lines.append(f"| {d} | {t:.2f} | {v.get('f1', 0):.3f} | {v.get('precision', 0):.3f} | {v.get('recall', 0):.3f} |")
    if m.get("seeds"):
        s = m["seeds"]
        lines += ["", "Seeds (five real submissions, never trained on; `../shared/gold/coverage.jsonl`): coverage F1 "
                  f"**{s['model']['f1']:.3f}** (precision {s['model']['precision']:.3f}, recall "
                  f"{s['model']['recall']:.3f}); rules alone {s['rules_only']['f1']:.3f}."]
    sc = m["sentences_cv"]
    lines += ["", f"Sentence level (out-of-fold, {sc['n']} real and sample sentences): macro-F1 over the five "
              f"dimensions {sc['macro_f1_dimensions']:.3f}.", "",
              "| label | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for lab, v in sc["per_class"].items():
        lines.append(f"| {lab} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |")
    lines += ["", "## Limits", "",
              "* Most real sentences come from government work reports and congress reports: a government or the "
              "Party is the actor, not an agency; the sample submissions and the written sentences carry the "
              "agency genre.",
              "* One label per sentence (the first); the few sentences reporting work on two dimensions teach only one.",
              "* Annotators disagree most on 高效型 for economic work and on 主题教育 (政治型 or 学习型); the "
              "schema's borderline conventions were applied.", "",
              "## Reproduce", "", "`summaryscan train` (needs `../shared`); same data → the same model.", "",
              "Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".", "",
              "<!-- metrics-json", json.dumps(m, ensure_ascii=False, indent=1), "-->", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys
    print(json.dumps(train(sys.argv[1] if len(sys.argv) > 1 else None), ensure_ascii=False, indent=1)[:3000])
