"""Sentence -> framework dimension classifier for the ``five-types`` framework.

A small, plain scikit-learn model that tells which of the five dimensions
(政治型, 学习型, 高效型, 廉洁型, 活力型) a sentence of a work summary is evidence
for, or ``"none"`` (slogans, background, plans, problems, generic statements).
:func:`summaryscan.coverage.coverage` decides coverage with it (see ``SentenceClassifier``
there).

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

Training, cross-validation grouped by document and the calibration of the coverage
thresholds are in :mod:`summaryscan.training.coverage` (``summaryscan train``): real
labelled sentences of the shared corpus, the sample submissions and the sentences
written for the project; the model is saved with skops and as ``dimension-classifier.npz``
for :mod:`summaryscan.lean_model` (batch workers use it without importing scikit-learn),
and ``models/MODEL_CARD.md`` is rewritten. Same data -> the same model.

Loading never unpickles: :func:`load_model` uses ``skops.io.load`` with the
explicit list :data:`TRUSTED_TYPES`.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Optional, Sequence, Union

from .features import preprocess
from .lean_model import LeanClassifier, Predicts

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
MIN_DF = 2          # terms seen in one sentence only are noise, and would triple the model files
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
                            lowercase=False, ngram_range=WORD_NGRAMS, sublinear_tf=True, min_df=MIN_DF)
    chars = TfidfVectorizer(analyzer="char", preprocessor=preprocess, lowercase=False,
                            ngram_range=CHAR_NGRAMS, sublinear_tf=True, min_df=MIN_DF)
    return Pipeline([
        ("features", FeatureUnion([("words", words), ("chars", chars)])),
        ("clf", LogisticRegression(C=C, class_weight="balanced", solver="newton-cg", max_iter=MAX_ITER)),
    ])


# --------------------------------------------------------------------------- #
# the model as coverage.py sees it
# --------------------------------------------------------------------------- #

@dataclass
class DimensionClassifier(Predicts):
    """A fitted pipeline with ``predict_dimensions`` for :func:`summaryscan.coverage.coverage`,
    and the coverage thresholds calibrated with it (kept in the ``.npz`` beside the skops file)."""

    pipeline: object
    thresholds: dict = field(default_factory=dict)

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
    path = Path(path) if path is not None else default_model_path()
    lean = path.with_name(LEAN_FILENAME)
    thresholds = LeanClassifier(lean).thresholds if lean.is_file() else {}
    return DimensionClassifier(load_pipeline(path), thresholds)


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
