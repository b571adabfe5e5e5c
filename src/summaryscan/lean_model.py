"""The sentence classifier's arithmetic in numpy, without scikit-learn at run time.

Importing scikit-learn (and scipy) costs a worker process ~200 MB, more than
everything else it does. The fitted pipeline of :mod:`summaryscan.classifier`
(two ``TfidfVectorizer`` → ``LogisticRegression``) is a vocabulary lookup, a
weighted sum and a softmax, so :func:`export` writes its numbers to a ``.npz``
file (plain arrays, no pickle) and :class:`LeanClassifier` computes the same
probabilities from them (tests compare the two on every labelled sentence).

Only the configuration :func:`summaryscan.classifier.build_pipeline` makes is
supported; :func:`export` refuses anything else rather than compute it wrongly.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from .features import jieba_tokens, preprocess

FORMAT = 1
_WHITE_SPACES = re.compile(r"\s\s+")     # TfidfVectorizer's, for analyzer="char"


def export(pipeline, path: Union[str, Path], thresholds: Optional[dict] = None) -> Path:
    """Write the fitted ``pipeline``'s vocabularies, idf weights and coefficients to ``path`` (.npz),
    with the coverage thresholds calibrated per label (``thresholds``), when given."""
    features, clf = pipeline.named_steps["features"], pipeline.named_steps["clf"]
    arrays: dict[str, np.ndarray] = {"format": np.array(FORMAT)}
    names = []
    for name, vec in features.transformer_list:
        kind = vec.analyzer
        ok = (vec.preprocessor is preprocess and vec.lowercase is False and vec.norm == "l2"
              and vec.use_idf and vec.sublinear_tf and not vec.binary and vec.stop_words is None
              and (kind == "char" or (kind == "word" and vec.tokenizer is jieba_tokens)))
        if not ok:
            raise ValueError(f"{name}: only the vectorizers build_pipeline() makes can be exported")
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
        arrays[f"{name}_terms"] = np.array(terms, dtype=str)
        arrays[f"{name}_idf"] = np.asarray(vec.idf_, dtype=np.float64)
        arrays[f"{name}_spec"] = np.array([kind, str(vec.ngram_range[0]), str(vec.ngram_range[1])])
        names.append(name)
    if clf.coef_.shape[0] < 3:
        raise ValueError("only a multinomial model of 3 or more classes can be exported")
    if thresholds:
        arrays["thresholds"] = np.array([float(thresholds.get(str(c), 0.5)) for c in clf.classes_])
    arrays.update(parts=np.array(names), labels=np.array([str(c) for c in clf.classes_]),
                  coef=np.asarray(clf.coef_, dtype=np.float64), intercept=np.asarray(clf.intercept_, dtype=np.float64))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez_compressed(f, **arrays)
    return path


class _Part:
    """One vectorizer: term -> column, idf, and how the text is cut into terms."""

    def __init__(self, terms: np.ndarray, idf: np.ndarray, spec: np.ndarray, offset: int):
        self.index = {t: offset + i for i, t in enumerate(terms.tolist())}
        self.idf = idf
        self.offset = offset
        self.kind, self.lo, self.hi = str(spec[0]), int(spec[1]), int(spec[2])

    def terms(self, text: str) -> list[str]:
        if self.kind == "char":
            text = _WHITE_SPACES.sub(" ", text)
            return [text[i:i + n] for n in range(self.lo, min(self.hi, len(text)) + 1)
                    for i in range(len(text) - n + 1)]
        tokens = jieba_tokens(text)
        return [" ".join(tokens[i:i + n]) for n in range(self.lo, min(self.hi, len(tokens)) + 1)
                for i in range(len(tokens) - n + 1)]

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values): sublinear tf x idf, l2-normalised, as TfidfVectorizer.transform gives."""
        counts: dict[int, int] = {}
        for t in self.terms(text):
            j = self.index.get(t)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        vals = (np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))) + 1.0) \
            * self.idf[cols - self.offset]
        norm = np.sqrt(np.dot(vals, vals))
        return cols, (vals / norm if norm > 0 else vals)


class Predicts:
    """``predict`` and ``predict_dimensions`` from ``labels`` and ``predict_proba``."""

    labels: list[str]

    def predict_proba(self, sentences: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def predict(self, sentences: Sequence[str]) -> list[str]:
        return [label for label, _ in self.predict_dimensions(sentences)]

    def predict_dimensions(self, sentences: Sequence[str]) -> list[tuple[str, float]]:
        """(dimension name or ``"none"``, probability of that label) per sentence."""
        sentences = list(sentences)
        if not sentences:
            return []
        proba = self.predict_proba(sentences)
        labels = self.labels
        out = []
        for row in proba:
            k = int(row.argmax())
            out.append((labels[k], float(row[k])))
        return out


class LeanClassifier(Predicts):
    """The exported model: ``predict_proba`` equal to the scikit-learn pipeline's."""

    def __init__(self, path: Union[str, Path]):
        self.path = Path(path)
        with np.load(path, allow_pickle=False) as z:
            if int(z["format"]) != FORMAT:
                raise ValueError(f"{path}: model format {int(z['format'])}, expected {FORMAT}; "
                                 "run summaryscan train")
            self.labels = [str(x) for x in z["labels"]]
            self.thresholds = (dict(zip(self.labels, z["thresholds"].tolist())) if "thresholds" in z.files else {})
            self.coef = z["coef"]
            self.intercept = z["intercept"]
            self.parts, offset = [], 0
            for name in z["parts"].tolist():
                part = _Part(z[f"{name}_terms"], z[f"{name}_idf"], z[f"{name}_spec"], offset)
                offset += len(part.index)
                self.parts.append(part)
        if offset != self.coef.shape[1]:
            raise ValueError(f"{path}: {offset} features, but the model has {self.coef.shape[1]}")

    def predict_proba(self, sentences: Sequence[str]) -> np.ndarray:
        out = np.empty((len(sentences), len(self.labels)))
        for r, s in enumerate(sentences):
            text = preprocess(s)
            z = self.intercept.copy()
            for part in self.parts:
                cols, vals = part.features(text)
                z += self.coef[:, cols] @ vals
            z = np.exp(z - z.max())
            out[r] = z / z.sum()
        return out
