"""Sentence -> framework dimension classifier for the ``five-types`` framework.

A small, plain scikit-learn model that tells which of the five dimensions
(政治型, 学习型, 高效型, 廉洁型, 活力型) a sentence of a work summary is evidence
for, or ``"none"`` (slogans, background, plans, problems, generic statements).
:func:`summaryscan.coverage.coverage` consults it for sentences the framework's
phrases and patterns miss (see ``SentenceClassifier`` there).

Model::

    Pipeline([
        ("features", FeatureUnion([
            ("words", TfidfVectorizer(tokenizer=jieba_tokens)),
            ("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 3))),
        ])),
        ("clf", LogisticRegression(C=10, class_weight="balanced", solver="newton-cg")),
    ])

Both vectorizers share :func:`preprocess` (full-width -> half-width, traditional
-> simplified as in :mod:`summaryscan.normalize`, every number -> ``0``).
``jieba_tokens`` uses jieba's tokenizer with the project's domain dictionary
(``lexicon/domain_words.txt``) as :mod:`summaryscan.claims` sets it up: one
dictionary per process (a private copy would cost every worker ~70 MB). Nothing
else may add words to it; a test pins the shipped model's predictions.

Training (:func:`train`) reads ``corpus/labels/sentences.jsonl``, holds out a
stratified 25 % split (near-duplicates kept on one side), fits on the rest,
evaluates the model, the framework rules and rules+model on the held-out split,
saves the model trained on the training split with skops (and its numbers as
``dimension-classifier.npz`` for :mod:`summaryscan.lean_model`, which batch workers
use without importing scikit-learn) and rewrites ``models/MODEL_CARD.md``.
Same data + same seed -> the same model.

Loading never unpickles: :func:`load_model` uses ``skops.io.load`` with the
explicit list :data:`TRUSTED_TYPES`.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from .features import preprocess
from .lean_model import LeanClassifier, Predicts, export

NONE = "none"


def trained_framework():
    """The framework this model is trained for: the default one, whose YAML names the model
    under ``classifier``; its dimension names are the labels."""
    from .frameworks import load_framework
    return load_framework(None)


FRAMEWORK_ID: str = trained_framework().id
LABELS: tuple[str, ...] = (*trained_framework().dimension_names(), NONE)

DEFAULT_SEED = 0
TEST_SIZE = 0.25
NEAR_DUPLICATE_JACCARD = 0.5      # character-bigram Jaccard at which two texts are one group
MODEL_FILENAME = "dimension-classifier.skops"
LEAN_FILENAME = "dimension-classifier.npz"     # the same model for run time, without scikit-learn
CARD_FILENAME = "MODEL_CARD.md"

# Hyper-parameters (chosen by 5-fold cross-validation on the training split only).
WORD_NGRAMS = (1, 1)
CHAR_NGRAMS = (1, 3)
C = 10.0
MAX_ITER = 5000

# The types in the saved model that skops does not trust by default (``skops.io.get_untrusted_types``
# lists exactly these); everything else in the file (Pipeline, FeatureUnion, TfidfVectorizer,
# TfidfTransformer, LogisticRegression, numpy arrays) is on skops' default trusted list.
# ``skops.io.load`` refuses a file containing any other type.
TRUSTED_TYPES: tuple[str, ...] = (
    "summaryscan.features.jieba_tokens",
    "summaryscan.features.preprocess",
)

PathLike = Union[str, "os.PathLike[str]"]


# --------------------------------------------------------------------------- #
# text features (module level so skops can trust them by name)
# --------------------------------------------------------------------------- #

def build_pipeline():
    """The untrained model: word and character tf-idf -> logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    # Taken from their module, so the saved model names them ``summaryscan.features.*``
    # and TRUSTED_TYPES covers them.
    from summaryscan.features import jieba_tokens, preprocess

    words = TfidfVectorizer(tokenizer=jieba_tokens, preprocessor=preprocess, token_pattern=None,
                            lowercase=False, ngram_range=WORD_NGRAMS, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char", preprocessor=preprocess, lowercase=False,
                            ngram_range=CHAR_NGRAMS, sublinear_tf=True)
    return Pipeline([
        ("features", FeatureUnion([("words", words), ("chars", chars)])),
        ("clf", LogisticRegression(C=C, class_weight="balanced", solver="newton-cg", max_iter=MAX_ITER)),
    ])


# --------------------------------------------------------------------------- #
# the model as coverage.py sees it
# --------------------------------------------------------------------------- #

@dataclass
class DimensionClassifier(Predicts):
    """A fitted pipeline with ``predict_dimensions`` for :func:`summaryscan.coverage.coverage`."""

    pipeline: object

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    def predict_proba(self, sentences: Sequence[str]):
        return self.pipeline.predict_proba(list(sentences))


def project_root() -> Path:
    """The source checkout this module lives in (``src/summaryscan/`` -> root)."""
    return Path(__file__).resolve().parents[2]


def default_labels_path() -> Path:
    return project_root() / "corpus" / "labels" / "sentences.jsonl"


def default_model_path() -> Path:
    """The shipped model: package data if installed so, else ``<root>/models/``."""
    try:
        packaged = resources.files("summaryscan").joinpath("models_data").joinpath(MODEL_FILENAME)
        if packaged.is_file():
            return Path(str(packaged))
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):  # pragma: no cover
        pass
    return project_root() / "models" / MODEL_FILENAME


def model_path(name: str) -> Path:
    """The shipped model file ``name`` (a framework's ``classifier.model``), beside the default one."""
    return default_model_path().with_name(name)


def default_lean_path() -> Path:
    """The shipped model as :mod:`summaryscan.lean_model` arrays, beside the skops file."""
    return default_model_path().with_name(LEAN_FILENAME)


def load_lean(path: Optional[PathLike] = None) -> LeanClassifier:
    """The shipped (or given) model without scikit-learn: what the batch workers use."""
    path = Path(path) if path is not None else default_lean_path()
    if not path.is_file():
        raise FileNotFoundError(f"没有找到模型文件 (model file not found): {path}；请先运行 summaryscan train")
    return LeanClassifier(path)


def load_pipeline(path: Optional[PathLike] = None):
    """The saved pipeline, loaded by skops with :data:`TRUSTED_TYPES` only."""
    import skops.io as sio
    path = Path(path) if path is not None else default_model_path()
    if not path.is_file():
        raise FileNotFoundError(f"没有找到模型文件 (model file not found): {path}；"
                                f"请先运行 summaryscan train")
    return sio.load(path, trusted=list(TRUSTED_TYPES))


def load_model(path: Optional[PathLike] = None) -> DimensionClassifier:
    """The shipped (or given) model, ready for ``coverage(a, fw, classifier=...)``."""
    return DimensionClassifier(load_pipeline(path))


def load_classifier(path: PathLike):
    """The model saved at ``path``: the lean one for ``.npz`` (no scikit-learn), else skops."""
    return load_lean(path) if str(path).endswith(".npz") else load_model(path)


# --------------------------------------------------------------------------- #
# labelled data and the held-out split
# --------------------------------------------------------------------------- #

def read_labels(path: PathLike) -> tuple[list[str], list[str]]:
    """Texts and labels of a JSON Lines file; exact duplicates are dropped, conflicts are errors."""
    texts: list[str] = []
    labels: list[str] = []
    seen: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            text, label = str(row["text"]).strip(), str(row["label"])
            if label not in LABELS:
                raise ValueError(f"{path}:{n}: unknown label {label!r} (expected one of {LABELS})")
            if text in seen:
                if seen[text] != label:
                    raise ValueError(f"{path}:{n}: {text!r} labelled both {seen[text]} and {label}")
                continue
            seen[text] = label
            texts.append(text)
            labels.append(label)
    return texts, labels


def _bigrams(text: str) -> frozenset[str]:
    s = re.sub(r"[\W\d_]+", "", preprocess(text))
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


def near_duplicate_groups(texts: Sequence[str], threshold: float = NEAR_DUPLICATE_JACCARD) -> list[int]:
    """Group id per text: texts whose character-bigram Jaccard >= threshold share a group."""
    import numpy as np
    from scipy import sparse

    grams = [_bigrams(t) for t in texts]
    vocab = {g: k for k, g in enumerate(sorted(set().union(*grams)))} if grams else {}
    rows = [i for i, gs in enumerate(grams) for _ in gs]
    cols = [vocab[g] for gs in grams for g in gs]
    x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), max(len(vocab), 1)))
    inter = (x @ x.T).tocoo()
    sizes = np.asarray(x.sum(axis=1)).ravel()
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    r, c, n = inter.row, inter.col, inter.data
    keep = (r < c) & (n >= threshold * (sizes[r] + sizes[c] - n))
    for i, j in sorted(zip(r[keep].tolist(), c[keep].tolist())):
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return [find(i) for i in range(len(texts))]


def _stable_key(seed: int, text: str) -> str:
    return hashlib.sha256(f"{seed}\x00{text}".encode("utf-8")).hexdigest()


def split_indices(texts: Sequence[str], labels: Sequence[str], test_size: float = TEST_SIZE,
                  seed: int = DEFAULT_SEED, groups: Optional[Sequence[int]] = None) -> tuple[list[int], list[int]]:
    """Stratified, group-aware, deterministic held-out split -> (train indices, test indices).

    Near-duplicates form groups that go to one side together. Within each label,
    groups are ordered by a SHA-256 of (seed, the group's smallest text) and taken into
    the test side until ``round(test_size * count)`` sentences of that label are
    there. No random generator is involved, so the split depends on the data and
    the seed only.
    """
    group_of = list(groups) if groups is not None else near_duplicate_groups(texts)
    members: dict[int, list[int]] = {}
    for i, g in enumerate(group_of):
        members.setdefault(g, []).append(i)
    by_label: dict[str, list[tuple[str, int]]] = {}
    for g, idx in members.items():
        label = Counter(labels[i] for i in idx).most_common(1)[0][0]
        by_label.setdefault(label, []).append((_stable_key(seed, min(texts[i] for i in idx)), g))
    counts = Counter(labels)
    test: set[int] = set()
    for label in sorted(by_label):
        target = round(test_size * counts[label])
        taken = 0
        for _, g in sorted(by_label[label]):
            if taken >= target:
                break
            test.update(members[g])
            taken += sum(1 for i in members[g] if labels[i] == label)
    train_idx = [i for i in range(len(texts)) if i not in test]
    test_idx = sorted(test)
    return train_idx, test_idx


# --------------------------------------------------------------------------- #
# the framework rules, as coverage.py applies them, at sentence level
# --------------------------------------------------------------------------- #

def _framework():
    return trained_framework()


def _has_claim(text: str) -> bool:
    from .claims import extract_claims
    from .text.normalize import normalize
    return bool(extract_claims("<sentence>", normalize(text), text))


def is_candidate(text: str) -> bool:
    """coverage.py's gate: a sentence reporting work done (claim or action cue, no non-evidence cue)."""
    from .coverage import is_concrete
    return is_concrete(text, _has_claim(text))


def rule_dimension(text: str, fw=None, gate: bool = True) -> str:
    """The framework's verdict on one (normalised) sentence.

    ``"none"`` when coverage.py would not consider the sentence (``gate``) or no
    indicator matches; otherwise the dimension with most indicators matched
    (ties: larger summed indicator weight, then framework order).
    """
    fw = fw or _framework()
    if gate and not is_candidate(text):
        return NONE
    best, best_key = NONE, (0, 0.0)
    for d in fw.dimensions:
        hits = [ind for ind in d.indicators if ind.matches(text)]
        key = (len(hits), sum(ind.weight for ind in hits))
        if key > best_key:
            best, best_key = d.name, key
    return best


def rules_then_model(texts: Sequence[str], model: DimensionClassifier, fw=None,
                     sources: Optional[list] = None) -> list[str]:
    """coverage.py's combination: gate first; framework indicators; the model where they are silent.

    ``sources``, if given, receives per sentence which step decided: ``"gate"``, ``"rules"`` or ``"model"``.
    """
    fw = fw or _framework()
    out: list[Optional[str]] = []
    src: list[str] = []
    ask: list[int] = []
    for i, t in enumerate(texts):
        if not is_candidate(t):
            out.append(NONE)
            src.append("gate")
            continue
        r = rule_dimension(t, fw, gate=False)
        out.append(r if r != NONE else None)
        src.append("rules" if r != NONE else "model")
        if r == NONE:
            ask.append(i)
    if ask:
        for i, (label, _) in zip(ask, model.predict_dimensions([texts[i] for i in ask])):
            out[i] = label
    if sources is not None:
        sources[:] = src
    return [o or NONE for o in out]


# --------------------------------------------------------------------------- #
# evaluation
# --------------------------------------------------------------------------- #

def evaluate(gold: Sequence[str], pred: Sequence[str]) -> dict:
    """Macro-F1, accuracy, per-class precision/recall/F1/support and the confusion matrix."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
    labels = list(LABELS)
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    return {
        "macro_f1": round(float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "per_class": {lab: {"precision": round(float(p[k]), 4), "recall": round(float(r[k]), 4),
                            "f1": round(float(f[k]), 4), "support": int(s[k])}
                      for k, lab in enumerate(labels)},
        "confusion": {"labels": labels,
                      "matrix": confusion_matrix(gold, pred, labels=labels).tolist()},
    }


def _sha256(path: PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def _versions() -> dict:
    import jieba
    import numpy
    import scipy
    import sklearn
    import skops
    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "skops": skops.__version__, "jieba": jieba.__version__, "numpy": numpy.__version__,
            "scipy": scipy.__version__}


def _display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(project_root()).as_posix()
    except ValueError:
        return path.name


def train(labels_path: Optional[PathLike] = None, out_path: Optional[PathLike] = None,
          seed: int = DEFAULT_SEED, card_path: Optional[PathLike] = None) -> dict:
    """Fit on the training split, evaluate on the held-out split, save the model and its card.

    ``labels_path`` defaults to ``corpus/labels/sentences.jsonl``, ``out_path`` to
    ``models/dimension-classifier.skops`` and ``card_path`` to ``MODEL_CARD.md``
    beside ``out_path``. The saved model is the one fitted on the training split,
    so the card's held-out numbers describe it. Returns the metrics (also
    embedded in the card).
    """
    import skops.io as sio

    from .text.normalize import normalize

    labels_path = Path(labels_path) if labels_path is not None else default_labels_path()
    out_path = Path(out_path) if out_path is not None else project_root() / "models" / MODEL_FILENAME
    card_path = Path(card_path) if card_path is not None else out_path.with_name(CARD_FILENAME)

    texts, labels = read_labels(labels_path)
    groups = near_duplicate_groups(texts)
    train_idx, test_idx = split_indices(texts, labels, TEST_SIZE, seed, groups)
    x_train = [texts[i] for i in train_idx]
    y_train = [labels[i] for i in train_idx]
    y_test = [labels[i] for i in test_idx]
    # coverage.py sees normalised sentences; evaluate on what it sees.
    x_test = [normalize(texts[i]).text for i in test_idx]

    pipeline = build_pipeline()
    pipeline.fit(x_train, y_train)
    model = DimensionClassifier(pipeline)

    fw = _framework()
    pred_model = model.predict(x_test)
    pred_rules = [rule_dimension(t, fw) for t in x_test]
    pred_phrases = [rule_dimension(t, fw, gate=False) for t in x_test]
    decided_by: list[str] = []
    pred_combined = rules_then_model(x_test, model, fw, decided_by)
    errors_by_step = Counter(step for step, g, p in zip(decided_by, y_test, pred_combined) if g != p)

    m_model = evaluate(y_test, pred_model)
    m_rules = evaluate(y_test, pred_rules)
    m_combined = evaluate(y_test, pred_combined)
    metrics = {
        "seed": seed,
        "test_size": TEST_SIZE,
        "labels_sha256": _sha256(labels_path),
        "n_sentences": len(texts),
        "n_train": len(train_idx),
        "n_test": len(test_idx),
        "counts": {lab: {"all": labels.count(lab), "train": y_train.count(lab), "test": y_test.count(lab)}
                   for lab in LABELS},
        "near_duplicate_groups": len(texts) - len(set(groups)),
        "model": m_model,
        "rules": m_rules,
        "phrases_only": evaluate(y_test, pred_phrases),
        "rules_plus_model": m_combined,
        "uplift_macro_f1": round(m_combined["macro_f1"] - m_rules["macro_f1"], 4),
        "rules_plus_model_decided_by": {k: decided_by.count(k) for k in ("gate", "rules", "model")},
        "rules_plus_model_errors_by_step": {k: errors_by_step.get(k, 0) for k in ("gate", "rules", "model")},
        "versions": _versions(),
    }

    out_path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(pipeline, out_path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    export(pipeline, out_path.with_name(LEAN_FILENAME))
    card_path.parent.mkdir(parents=True, exist_ok=True)
    card_path.write_text(render_card(metrics, labels_path, out_path), encoding="utf-8")
    return metrics


def summary_line(metrics: dict) -> str:
    """One line for the CLI after ``summaryscan train``."""
    return (f"{metrics['n_train']} 条训练、{metrics['n_test']} 条留出；macro-F1 模型 "
            f"{metrics['model']['macro_f1']:.3f}，规则 {metrics['rules']['macro_f1']:.3f}，"
            f"规则+模型 {metrics['rules_plus_model']['macro_f1']:.3f}（提升 {metrics['uplift_macro_f1']:+.3f}）")


# --------------------------------------------------------------------------- #
# the model card
# --------------------------------------------------------------------------- #

CARD_METRICS_BEGIN = "<!-- metrics-json"
CARD_METRICS_END = "-->"


def card_metrics(card_path: PathLike) -> dict:
    """The metrics JSON embedded in a card written by :func:`train`."""
    text = Path(card_path).read_text(encoding="utf-8")
    start = text.index(CARD_METRICS_BEGIN) + len(CARD_METRICS_BEGIN)
    end = text.index(CARD_METRICS_END, start)
    return json.loads(text[start:end])


def _per_class_table(m: dict) -> list[str]:
    rows = ["| label | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for lab in LABELS:
        c = m["per_class"][lab]
        rows.append(f"| {lab} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['support']} |")
    return rows


def _confusion_table(m: dict) -> list[str]:
    labs = m["confusion"]["labels"]
    rows = ["| gold \\ predicted | " + " | ".join(labs) + " |", "|---|" + "---:|" * len(labs)]
    for lab, row in zip(labs, m["confusion"]["matrix"]):
        rows.append(f"| {lab} | " + " | ".join(str(v) for v in row) + " |")
    return rows


def render_card(metrics: dict, labels_path: Path, out_path: Path) -> str:
    m, r, rm, ph = metrics["model"], metrics["rules"], metrics["rules_plus_model"], metrics["phrases_only"]
    v = metrics["versions"]
    counts = metrics["counts"]
    lines = [
        "# Model card: five-types sentence → dimension classifier",
        "",
        "<!-- Generated by summaryscan.classifier.train (`summaryscan train`); do not edit by hand. -->",
        "",
        f"File: `{_display_path(out_path)}` (skops format; load with "
        "`summaryscan.classifier.load_model()`, which calls `skops.io.load` with the explicit trusted "
        "list `summaryscan.classifier.TRUSTED_TYPES` — no pickle).",
        "",
        "## What it does",
        "",
        "Maps one sentence of a Chinese work summary / research report to the `five-types` framework "
        "dimension it is evidence for — 政治型, 学习型, 高效型, 廉洁型, 活力型 — or `none` (slogans, "
        "background, plans, problems, generic statements, evaluation criteria). "
        "`predict_dimensions(sentences)` returns `(label, probability)` per sentence; "
        "`summaryscan.coverage.coverage(..., classifier=model)` uses it for candidate sentences that no "
        "framework indicator matches.",
        "",
        "## Training data",
        "",
        f"`{_display_path(labels_path)}` (sha256 `{metrics['labels_sha256'][:16]}…`): "
        f"{metrics['n_sentences']} unique sentences, JSON Lines `{{\"text\", \"label\"}}`. "
        "All sentences were written by hand for this project in the genre's phrasing (工作总结/调研报告 of "
        "municipal and county bureaus: 市财政局、县教育局、区市场监管局、市税务局 …), with and without "
        "numbers, varied units and synonyms. None is copied from the development seeds "
        "(`shared/seeds`) or from `corpus/sources`; the only shared strings of 12+ characters are stock "
        "formulae (e.g. 坚持以习近平新时代中国特色社会主义思想为指导). `none` includes hard cases: "
        "dimension words used only in slogans, plans (下一步/将/拟), problems (存在…不够), background "
        "statistics, evaluation criteria (加分项/扣分) and quotations. Labelling guide: "
        "`corpus/labels/README.md`.",
        "",
        "| label | all | train | held-out |",
        "|---|---:|---:|---:|",
    ]
    for lab in LABELS:
        c = counts[lab]
        lines.append(f"| {lab} | {c['all']} | {c['train']} | {c['test']} |")
    lines.append(f"| total | {metrics['n_sentences']} | {metrics['n_train']} | {metrics['n_test']} |")
    lines += [
        "",
        "## Split",
        "",
        f"Stratified held-out split, {int(metrics['test_size'] * 100)} % per label, seed {metrics['seed']}, "
        "computed by `split_indices` without a random generator: near-duplicates (character-bigram "
        f"Jaccard ≥ {NEAR_DUPLICATE_JACCARD}) are grouped and kept on one side "
        f"({metrics['near_duplicate_groups']} sentences joined a group), groups are ordered by "
        "SHA-256(seed, text) within each label and the first ones go to the held-out side. "
        "**The shipped model is the one fitted on the training split only** (it is not refitted on all "
        "data), so the held-out numbers below describe exactly the shipped file.",
        "",
        "## Model",
        "",
        "scikit-learn `Pipeline`: `FeatureUnion` of `TfidfVectorizer` over jieba words "
        f"(`summaryscan.features.jieba_tokens`, domain dictionary `lexicon/domain_words.txt`, word n-grams "
        f"{WORD_NGRAMS[0]}–{WORD_NGRAMS[1]}) and `TfidfVectorizer` over characters (n-grams "
        f"{CHAR_NGRAMS[0]}–{CHAR_NGRAMS[1]}), both with `preprocess` (full-width → half-width, traditional → "
        "simplified, numbers → 0) and sublinear tf; then `LogisticRegression` "
        f"(C={C}, class_weight=balanced, newton-cg). C and the n-gram ranges were chosen by 5-fold "
        "cross-validation on the training split only (word 1–1/1–2 × char 1–3/1–4 × C 3–100).",
        "",
        "## Held-out results",
        "",
        f"Held-out split: {metrics['n_test']} sentences, normalised with `summaryscan.normalize` as "
        "coverage.py sees them.",
        "",
        "| system | macro-F1 | accuracy |",
        "|---|---:|---:|",
        f"| model alone | **{m['macro_f1']:.3f}** | {m['accuracy']:.3f} |",
        f"| rules (framework indicators, coverage.py gate) | {r['macro_f1']:.3f} | {r['accuracy']:.3f} |",
        f"| rules + model | **{rm['macro_f1']:.3f}** | {rm['accuracy']:.3f} |",
        f"| phrases only (no gate; for reference) | {ph['macro_f1']:.3f} | {ph['accuracy']:.3f} |",
        "",
        f"**Uplift of rules + model over rules alone: {metrics['uplift_macro_f1']:+.3f} macro-F1** "
        f"({r['macro_f1']:.3f} → {rm['macro_f1']:.3f}).",
        "",
        "* *rules*: what `coverage.py` does without a classifier, at sentence level. A sentence is a "
        "candidate when it carries a numeric claim (`claims.extract_claims`) or an action cue and no "
        "non-evidence cue (`lexicon/coverage.yaml`, `coverage.is_concrete`); a candidate is predicted "
        "dimension D when it matches indicators of D (phrases or patterns of `five-types.yaml`) — the "
        "dimension with most indicators matched, ties by summed indicator weight; `none` otherwise. "
        "Heading context is not available at sentence level and is not used.",
        "* *rules + model*: as `coverage.py` combines them — non-candidates stay `none`; a candidate "
        "with indicator hits keeps the rules' dimension; the model labels candidates the rules are "
        "silent on (its `none` counts as `none`).",
        "",
        "Where rules + model decide and go wrong (held-out): "
        + "; ".join(f"{step}: {metrics['rules_plus_model_decided_by'][step]} sentences, "
                    f"{metrics['rules_plus_model_errors_by_step'][step]} wrong"
                    for step in ("gate", "rules", "model"))
        + ". *gate* = dropped as not concrete (no claim/action cue, or a non-evidence cue); *rules* = "
        "an indicator matched and its dimension was taken; *model* = the classifier labelled a candidate "
        "the indicators were silent on."
        + (" The model alone scores higher than rules + model on this split: broad indicator phrases "
           "(e.g. 化解, 解决…问题, 督促整改, 知识竞赛, 评优评先) and the action-cue gate overrule it."
           if m["macro_f1"] > rm["macro_f1"] else ""),
        "",
        "### Model alone, per class",
        "",
        *_per_class_table(m),
        "",
        "Confusion (model alone):",
        "",
        *_confusion_table(m),
        "",
        "### Rules alone, per class",
        "",
        *_per_class_table(r),
        "",
        "### Rules + model, per class",
        "",
        *_per_class_table(rm),
        "",
        "## Limits",
        "",
        "* The data are hand-written sentences from one author; the held-out split comes from the same "
        "process, so these numbers are optimistic for real submissions. Check coverage on real "
        "documents (the development seeds) as well.",
        "* One label per sentence; sentences reporting work on two dimensions get the dominant one.",
        "* Vocabulary outside the training data (new slogans, unit-specific projects) falls back on "
        "character n-grams; probabilities are not calibrated beyond logistic regression's own.",
        "",
        "## Reproduce",
        "",
        "`summaryscan train` (i.e. `summaryscan.classifier.train(labels_path, out_path, seed="
        f"{metrics['seed']})`) refits from the labelled file and rewrites the model and this card; same "
        "data and seed → identical predictions on the held-out split (checked by "
        "`tests/test_classifier.py`).",
        "",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
        CARD_METRICS_BEGIN,
        json.dumps(metrics, ensure_ascii=False, indent=1, sort_keys=True),
        CARD_METRICS_END,
        "",
    ]
    return "\n".join(lines)


def _main(argv: Optional[Iterable[str]] = None) -> int:  # python -m summaryscan.classifier
    import argparse
    ap = argparse.ArgumentParser(prog="python -m summaryscan.classifier",
                                 description="训练句子→五型维度分类器并重写模型卡")
    ap.add_argument("--labels", default=None, help="标注文件（默认 corpus/labels/sentences.jsonl）")
    ap.add_argument("--out", default=None, help="模型文件（默认 models/dimension-classifier.skops）")
    ap.add_argument("--card", default=None, help="模型卡（默认与模型同目录的 MODEL_CARD.md）")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(list(argv) if argv is not None else None)
    print(summary_line(train(args.labels, args.out, args.seed, args.card)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
