"""Fit, cross-validate and save the subject model (:mod:`summaryscan.claims.subject_model`).

    python -m summaryscan.training.subjects [OUT_DIR]  # grouped 5-fold CV, fit on all, save, model card

Data: :mod:`summaryscan.training.subject_data` (gold-reports, seeds, our standoff labels on
the shared corpus, the sample corpus). Every candidate of a labelled claim is an example;
the model is a conditional logit over each claim's candidates (a softmax whose target is
the candidates that match the gold subject best), fitted with L-BFGS. Cross-validation is
grouped by document (a report's passages together), never a random split of claims, and
each held-out claim is scored by what the extractor would write: the run-time choice
(``SubjectModel.best_all``, a document at a time) and its filter; the fitted scorer's
own argmax is reported beside it.

Saved (in ``OUT_DIR``, default ``models/``): ``subject-model.skops`` (the ranker with its
feature names, skops), ``subject-model.npz`` (the weights as arrays by kind of key, what
the extractor loads: ``subject_model.to_arrays``) and ``SUBJECT_MODEL_CARD.md``.
"""
from __future__ import annotations

import json
import platform
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
from sklearn.base import BaseEstimator

from ..claims.subject_model import (AHEAD, BACK, LEAN_FILENAME, ClaimWindow, DocTokens, SubjectModel, encode_key,
                                    subject_span, to_arrays)
from ..text.normalize import translate
from .subject_data import Doc, examples, labelled_docs

SKOPS_FILENAME = "subject-model.skops"
CARD_FILENAME = "SUBJECT_MODEL_CARD.md"
L2 = 2.0
FOLDS = 5
TRUSTED_TYPES = ("summaryscan.training.subjects.ConditionalLogitRanker",)


def char_f1(a: str, b: str) -> float:
    """Character-overlap F1, as the shared scorer compares subjects."""
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    ov = sum((Counter(a) & Counter(b)).values())
    if not ov:
        return 0.0
    p, r = ov / len(a), ov / len(b)
    return 2 * p * r / (p + r)


class ConditionalLogitRanker(BaseEstimator):
    """A linear scorer fitted so that, within each group of rows (one claim's candidates),
    the softmax of the scores matches the target weights (the best candidates).

    ``fit(X, y, groups)``: ``y`` holds each row's target weight (summing to 1 per group);
    rows of one group are contiguous. ``decision_function(X)`` gives the scores;
    ``predict(X, groups)`` the index of the best row of each group.
    """

    def __init__(self, l2: float = L2, max_iter: int = 400):
        self.l2 = l2
        self.max_iter = max_iter

    def fit(self, X, y, groups):
        from scipy import sparse
        from scipy.optimize import minimize
        X = sparse.csr_matrix(X)
        y = np.asarray(y, dtype=float)
        groups = np.asarray(groups)
        starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
        seg = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(groups)]))

        def loss(w):
            s = X @ w
            m = np.maximum.reduceat(s, starts)
            e = np.exp(s - m[seg])
            z = np.add.reduceat(e, starts)
            lse = m + np.log(z)
            p = e / z[seg]
            return -(y * (s - lse[seg])).sum() + 0.5 * self.l2 * w @ w, X.T @ (p - y) + self.l2 * w

        res = minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B",
                       options={"maxiter": self.max_iter})
        self.coef_ = res.x
        self.n_iter_ = int(res.nit)
        return self

    def decision_function(self, X):
        return X @ self.coef_

    def predict(self, X, groups):
        s = self.decision_function(X)
        groups = np.asarray(groups)
        out = []
        for g in dict.fromkeys(groups.tolist()):
            idx = np.flatnonzero(groups == g)
            out.append(int(idx[np.argmax(s[idx])]))
        return np.array(out)


@dataclass
class Row:
    doc: Doc
    frame: str                       # shares | changes | lists | after | before
    keys: list[dict]                 # feature counts per candidate
    texts: list[str]                 # candidate texts (clean)
    f1: list[float]                  # char-F1 of each candidate with the gold subject
    gold: str
    tokens: DocTokens                # the document's words and windows
    index: int                       # the claim's index in the document's scan


_CHANGE = ("同比", "增长", "下降", "提高", "降低", "增加", "减少", "上升", "比上年", "增至", "提升")


def _frame(win: ClaimWindow, gold_side: Optional[str]) -> str:
    """The error-table class of a claim: what stands between the subject and the number."""
    gap = "".join(w for w, _ in win.left[-6:])
    if "占" in gap or "比重" in gap or "比例" in gap:
        return "shares"
    if any(c in gap for c in _CHANGE):
        return "changes"
    if win.run or "、" in gap or "分别" in gap:
        return "lists"
    return "after" if gold_side == "R" else "before"


class Keys(dict):
    """Encoded feature key -> the key (the vectoriser's names back to the model's keys)."""


def build_rows(docs: list[Doc], keys: Optional[Keys] = None, drop: tuple[str, ...] = ()) -> list[Row]:
    """A row per labelled claim the scan finds: its candidates' feature keys (templates in
    ``drop`` left out) and their overlap with the gold subject."""
    keys = Keys() if keys is None else keys
    rows = []
    for d, norm, found, exs in examples(docs):
        text = norm.text
        tokens = DocTokens(text, found)
        for e in exs:
            win = tokens.window(e.index)
            cands = win.candidates()
            gold = translate(e.gold_subject)
            texts = [text[c.start:c.end] for c in cands]
            f1 = [char_f1(t, gold) for t in texts]
            side = None
            if e.gold_clean is not None:
                side = "R" if e.gold_clean[0] >= found[e.index][3] else "L"
            counts = []
            for c in cands:
                got = Counter()
                for k in win.keys(c):
                    if k[1] not in drop:
                        name = encode_key(k)
                        keys.setdefault(name, k)
                        got[name] += 1
                counts.append(got)
            rows.append(Row(d, _frame(win, side), counts, texts, f1, gold, tokens, e.index))
    return rows


def _design(rows: list[Row]):
    """Training rows: (feature dicts, target weights, group ids) over claims whose best
    candidate overlaps the gold subject at least half."""
    X, y, g = [], [], []
    for q, r in enumerate(rows):
        if not r.f1 or max(r.f1) < 0.5:
            continue
        best = max(r.f1)
        hits = [1.0 if v >= best - 1e-9 else 0.0 for v in r.f1]
        total = sum(hits)
        for k, h in zip(r.keys, hits):
            X.append(k)
            y.append(h / total)
            g.append(q)
    return X, y, g


def fit(rows: list[Row], l2: float = L2):
    from sklearn.feature_extraction import DictVectorizer
    X, y, g = _design(rows)
    vec = DictVectorizer()
    Xm = vec.fit_transform(X)
    ranker = ConditionalLogitRanker(l2=l2).fit(Xm, y, g)
    return vec, ranker


def weights(vec, ranker, keys: dict) -> dict[tuple, float]:
    """The fitted weights by feature key (what :class:`SubjectModel` takes)."""
    return {keys[name]: float(v) for name, v in zip(vec.get_feature_names_out(), ranker.coef_) if abs(v) > 1e-6}


def choose(vec, ranker, row: Row) -> int:
    if not row.keys:
        return -1
    return int(np.argmax(ranker.decision_function(vec.transform(row.keys))))


def run_time_f1(model: SubjectModel, rows: list[Row]) -> list[float]:
    """Subject char-F1 of what the extractor would write for each row: the run-time choice
    (:meth:`SubjectModel.best_all`, a document at a time) and its filter
    (:func:`subject_span`)."""
    out = [0.0] * len(rows)
    by_doc: dict[int, list[int]] = defaultdict(list)
    for k, r in enumerate(rows):
        by_doc[id(r.tokens)].append(k)
    for ks in by_doc.values():
        tokens = rows[ks[0]].tokens
        for k, best in zip(ks, model.best_all(tokens, [rows[k].index for k in ks])):
            span = subject_span(tokens.text, best)
            out[k] = char_f1(tokens.text[span[0]:span[1]] if span else "", rows[k].gold)
    return out


def cross_validate(rows: list[Row], keys: dict, folds: int = FOLDS, l2: float = L2) -> dict:
    """Subject char-F1 of the subject the extractor writes (the run-time choice), each claim
    scored by a model that never saw its document (GroupKFold over documents), per source
    and per frame; and of the exact argmax of the fitted scorer, for comparison."""
    from sklearn.model_selection import GroupKFold
    groups = np.array([r.doc.group for r in rows])
    chosen = [0.0] * len(rows)
    exact = [0.0] * len(rows)
    for tr, te in GroupKFold(n_splits=folds).split(rows, groups=groups):
        vec, ranker = fit([rows[k] for k in tr], l2)
        test = [rows[k] for k in te]
        for k, v in zip(te, run_time_f1(SubjectModel(weights(vec, ranker, keys)), test)):
            chosen[k] = v
        for k in te:
            c = choose(vec, ranker, rows[k])
            exact[k] = rows[k].f1[c] if c >= 0 else (1.0 if not rows[k].gold else 0.0)
    by_source, by_frame, exact_by_source = defaultdict(list), defaultdict(list), defaultdict(list)
    for r, v, x in zip(rows, chosen, exact):
        by_source[r.doc.source].append(v)
        exact_by_source[r.doc.source].append(x)
        by_frame[r.frame].append(v)
    out = {"subject_f1": {s: round(float(np.mean(v)), 4) for s, v in sorted(by_source.items())},
           "claims": {s: len(v) for s, v in sorted(by_source.items())},
           "frames": {f: {"claims": len(v), "subject_f1": round(float(np.mean(v)), 4),
                          "exact": round(float(np.mean([x >= 0.999 for x in v])), 4)} for f, v in sorted(by_frame.items())},
           "all": round(float(np.mean(chosen)), 4), "folds": folds, "l2": l2,
           "documents": len(set(groups.tolist())),
           "argmax_f1": {s: round(float(np.mean(v)), 4) for s, v in sorted(exact_by_source.items())},
           "argmax_all": round(float(np.mean(exact)), 4),
           "oracle": round(float(np.mean([max(r.f1) if r.f1 else 0.0 for r in rows])), 4)}
    return out


def models_dir() -> Path:
    return Path(__file__).resolve().parents[3] / "models"


def save(vec, ranker, folder: Path, keys: dict) -> None:
    """The ranker with its feature names (skops; a DictVectorizer's vocabulary dict would
    take 90 MB there) and the weights as the arrays the extractor loads (:func:`to_arrays`)."""
    import skops.io as sio
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / LEAN_FILENAME, **to_arrays(weights(vec, ranker, keys)))
    names = vec.get_feature_names_out()
    keep = np.flatnonzero(np.abs(ranker.coef_) > 1e-6)
    ranker.feature_names_ = np.array([names[k] for k in keep], dtype=str)
    ranker.coef_ = ranker.coef_[keep]
    sio.dump(ranker, folder / SKOPS_FILENAME, compression=zipfile.ZIP_DEFLATED, compresslevel=9)


def write_card(folder: Path, cv: dict, n_rows: int, n_features: int) -> None:
    import sklearn
    lines = [
        "# Model card: subject model (which phrase names what a figure counts)", "",
        "<!-- Generated by `python -m summaryscan.training.subjects`; do not edit by hand. -->", "",
        f"Files: `models/{SKOPS_FILENAME}` (skops: the `ConditionalLogitRanker` with `feature_names_`; load with "
        "`skops.io.load(path, trusted=summaryscan.training.subjects.TRUSTED_TYPES)`) and "
        f"`models/{LEAN_FILENAME}` (the weights as arrays by kind of feature key: what "
        "`summaryscan.claims.subject_model` loads at run time, no scikit-learn).", "",
        "## What it does", "",
        "For each numeric claim the candidates are the word spans (jieba POS tokens) of its sentence before "
        f"the number (up to {BACK} characters) and of its clause after the unit (up to {AHEAD}); a linear model "
        "scores them from where a candidate starts and ends (words, tags, characters, the word before and "
        "after), what stands between it and the number (占, 同比, 增长, 分别, 其中, 达到 …, their tags, other "
        "claims, the distance), the span's length, and the claim's kind and unit; the best candidate is the "
        "subject. Trained as a conditional logit: a softmax over each claim's candidates whose target is the "
        "candidates matching the gold subject best.", "",
        "At run time `SubjectModel.best_all` scores every candidate of a document in array operations (the "
        "words from `summaryscan.text.lattice`, jieba's route over all the sentences holding claims at once) "
        "and takes the exact argmax; `tests/test_subject_model.py` holds it to the feature-by-feature "
        "definition (`SubjectModel.score`).", "",
        "## Training data (real text, labelled by hand to `../shared/gold/SCHEMA.md`)", "",
        "| source | claims | what |", "|---|---:|---|",
        f"| gold-reports | {cv['claims'].get('gold-reports', 0)} | 28 passages of government work reports "
        "(`../shared/gold-reports`) |",
        f"| real | {cv['claims'].get('real', 0)} | 73 passages of the shared corpus (national reports 1954–2025, "
        "CPC reports, 2026 provincial reports), standoff labels in `corpus/labels/real/` |",
        f"| seeds | {cv['claims'].get('seeds', 0)} | the five real submissions of the development set |",
        f"| sample | {cv['claims'].get('sample', 0)} | the project's sample submissions (`corpus/sources`, "
        "written by the team), `corpus/labels/sample_claims.jsonl` |", "",
        f"{n_rows} candidate rows, {n_features} features. A labelled claim the scan does not find is not used.", "",
        f"## Grouped cross-validation ({cv['folds']}-fold, GroupKFold over {cv['documents']} documents; "
        "a report's passages form one group)", "",
        "Mean character-overlap F1 of the subject the extractor writes with the gold subject (as "
        "`../shared/tools/score.py` compares subjects), each claim scored by a model that never saw its "
        "document. *Run time*: the run-time choice (`SubjectModel.best_all` over the document, then the filter "
        "of lone function words), what ships; *argmax*: the fitted scorer's best candidate, computed apart:", "",
        "| source | claims | subject char-F1 (run time) | (argmax) |", "|---|---:|---:|---:|"]
    for s, v in cv["subject_f1"].items():
        lines.append(f"| {s} | {cv['claims'][s]} | {v:.3f} | {cv['argmax_f1'][s]:.3f} |")
    lines += [f"| **all** | {sum(cv['claims'].values())} | **{cv['all']:.3f}** | {cv['argmax_all']:.3f} |", "",
              f"Best candidate available (the ceiling the candidates set): {cv['oracle']:.3f}.", "",
              "### By frame", "",
              "| frame | claims | subject char-F1 | exact |", "|---|---:|---:|---:|"]
    for f in ("shares", "changes", "lists", "after", "before"):
        v = cv["frames"].get(f)
        if v:
            lines.append(f"| {f} | {v['claims']} | {v['subject_f1']:.3f} | {v['exact']:.3f} |")
    lines += ["",
              "*shares*: 占/比重/比例 between the subject and the number; *changes*: 同比/增长/下降/提高…; "
              "*lists*: a run of claims in one clause or 、/分别 before the number; *after*: the gold subject "
              "follows the unit (35个[党支部]); *before*: the rest.", "",
              "## Limits", "",
              "* The candidates are word spans of jieba's segmentation: a subject cut inside a word cannot be "
              "chosen whole.",
              "* Most training text is government work reports; agency summaries are the seeds and the sample "
              "corpus only.", "",
              "## Reproduce", "", "`python -m summaryscan.training.subjects` (needs `../shared`).", "",
              f"Versions: python {platform.python_version()}, scikit-learn {sklearn.__version__}, numpy "
              f"{np.__version__}.", "",
              "<!-- metrics-json", json.dumps(cv, ensure_ascii=False, indent=1), "-->", ""]
    (folder / CARD_FILENAME).write_text("\n".join(lines), encoding="utf-8")


def main(out: Optional[str] = None) -> dict:
    keys = Keys()
    rows = build_rows(labelled_docs(), keys)
    if not rows:
        raise SystemExit("没有找到标注数据：需要 ../shared（gold-reports、seeds、corpus）")
    cv = cross_validate(rows, keys)
    vec, ranker = fit(rows)
    folder = Path(out) if out else models_dir()
    save(vec, ranker, folder, keys)
    write_card(folder, cv, sum(len(r.keys) for r in rows), len(vec.get_feature_names_out()))
    return cv


if __name__ == "__main__":
    import sys
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else None), ensure_ascii=False, indent=1))
