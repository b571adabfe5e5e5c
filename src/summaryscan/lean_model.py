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
from .text.lattice import HashIndex, codes, hash_strings, prefix_hashes, stretch_hashes

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
    """One vectorizer: its vocabulary as a hash index (term -> column; a dict of the 60,000
    terms took 8 MB in every worker), the idf, and how a text is cut into terms."""

    def __init__(self, terms: np.ndarray, idf: np.ndarray, spec: np.ndarray, offset: int):
        self._terms: Optional[np.ndarray] = terms      # until the index is made, on first use
        self._index: Optional[HashIndex] = None
        self.size = len(terms)
        self.idf = idf
        self.offset = offset
        self.kind, self.lo, self.hi = str(spec[0]), int(spec[1]), int(spec[2])

    @property
    def index(self) -> HashIndex:
        if self._index is None:
            words = self._terms.tolist()
            # a few thousand at a time: the hash's table of powers grows to the longest text hashed
            hashes = np.concatenate([hash_strings(words[k:k + 2048]) for k in range(0, len(words), 2048)]
                                    or [np.zeros(0, np.uint64)])
            if len(np.unique(hashes)) != len(words):   # never seen; the index would be ambiguous
                raise ValueError("two terms of the vocabulary share a hash")
            self._index, self._terms = HashIndex(hashes), None
        return self._index

    def terms(self, text: str) -> list[str]:
        """The terms of one text, in the vectorizer's order (what :meth:`counts` counts)."""
        if self.kind == "char":
            text = _WHITE_SPACES.sub(" ", text)
            return [text[i:i + n] for n in range(self.lo, min(self.hi, len(text)) + 1)
                    for i in range(len(text) - n + 1)]
        tokens = jieba_tokens(text)
        return [" ".join(tokens[i:i + n]) for n in range(self.lo, min(self.hi, len(tokens)) + 1)
                for i in range(len(tokens) - n + 1)]

    def _term_hashes(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(text number, hash) of every term of every text, text by text in :meth:`terms` order."""
        if self.kind != "char":
            per = [self.terms(t) for t in texts]
            which = np.repeat(np.arange(len(texts)), [len(x) for x in per])
            return which, hash_strings([w for x in per for w in x])
        texts = [_WHITE_SPACES.sub(" ", t) for t in texts]
        lens = np.array([len(t) for t in texts], np.int64)
        at = np.zeros(len(texts), np.int64)
        np.cumsum(lens[:-1], out=at[1:])
        p = prefix_hashes(codes("".join(texts)))
        which, starts, sizes = [], [], []
        for n in range(self.lo, self.hi + 1):          # n-grams of each length, within each text
            count = np.maximum(lens - n + 1, 0)
            k = np.repeat(np.arange(len(texts)), count)
            which.append(k)
            starts.append(at[k] + np.arange(len(k)) - np.repeat(np.cumsum(count) - count, count))
            sizes.append(np.full(len(k), n))
        which_all = np.concatenate(which)
        order = np.argsort(which_all, kind="stable")  # text by text; within one, by length, then start
        return which_all[order], stretch_hashes(p, np.concatenate(starts)[order], np.concatenate(sizes)[order])

    def counts(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(text number, column, count) of the vocabulary's terms in each text: text by text,
        the columns in the order of their first term (as the vectorizer adds them up)."""
        which, hashes = self._term_hashes(texts)
        col = self.index.find(hashes)
        hit = col >= 0
        key = which[hit] * self.size + col[hit]
        uniq, first, n = np.unique(key, return_index=True, return_counts=True)
        order = np.argsort(first)
        uniq = uniq[order]
        return uniq // self.size, uniq % self.size + self.offset, n[order]


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
                offset += part.size
                self.parts.append(part)
        if offset != self.coef.shape[1]:
            raise ValueError(f"{path}: {offset} features, but the model has {self.coef.shape[1]}")

    def predict_proba(self, sentences: Sequence[str]) -> np.ndarray:
        texts = [preprocess(s) for s in sentences]
        z = np.tile(self.intercept, (len(texts), 1))
        for part in self.parts:                        # the terms of all sentences looked up at once
            which, cols, n = part.counts(texts)
            # sublinear tf x idf, l2-normalised per sentence, as TfidfVectorizer.transform gives
            vals = (np.log(n.astype(np.float64)) + 1.0) * part.idf[cols - part.offset]
            cut = np.searchsorted(which, np.arange(len(texts) + 1)).tolist()
            for r, (a, b) in enumerate(zip(cut, cut[1:])):
                if a < b:
                    v = vals[a:b]
                    norm = np.sqrt(np.dot(v, v))
                    z[r] += self.coef[:, cols[a:b]] @ (v / norm if norm > 0 else v)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)
