"""Keywords and topics with jieba: TF-IDF or TextRank, with the project's domain
dictionary and a stop-word list kept as data (``lexicon/stopwords.txt``)."""
from __future__ import annotations

from functools import lru_cache
from typing import Optional
import pandas as pd

from .text import lexicon, segment


@lru_cache(maxsize=1)
def _analyse():
    segment.load()                             # domain dictionary first
    import jieba.analyse
    return jieba.analyse


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return lexicon.words("stopwords.txt")


def _units() -> dict:
    from .claims import lexicon
    return lexicon().unit_kind


def keywords(text: str, top: int = 10, method: str = "tfidf") -> list[tuple[str, float]]:
    """Top keywords of ``text`` as (word, weight), stop words and numbers left out."""
    an = _analyse()
    if method not in ("tfidf", "textrank"):
        raise ValueError(f"method must be 'tfidf' or 'textrank', not {method!r}")
    fn = an.extract_tags if method == "tfidf" else an.textrank
    kw = {} if method == "tfidf" else {"allowPOS": ("n", "nz", "vn", "ns", "nt", "j", "l")}
    out = []
    for word, weight in fn(text, topK=top * 3, withWeight=True, **kw):
        if word in stopwords() or word in _units() or len(word) < 2 or any(ch.isdigit() for ch in word):
            continue
        out.append((word, round(float(weight), 4)))
        if len(out) == top:
            break
    return out


def keywords_table(corpus, by: str = "document", top: int = 10, method: str = "tfidf",
                   framework: Optional[str] = None) -> pd.DataFrame:
    """Keywords per document, per section, or per framework dimension (its evidence sentences)."""
    rows = []
    if by == "document":
        for d in corpus:
            if d.analysis.raw.ok:
                rows += [{"key": d.name, "keyword": w, "weight": s} for w, s in keywords(d.analysis.clean_text, top,
                                                                                        method)]
    elif by == "section":
        for d in corpus:
            a = d.analysis
            for s in a.sections:
                if s.level == "point":
                    continue
                text = a.raw.text[s.start:s.end]
                rows += [{"key": f"{a.doc} § {s.path}", "keyword": w, "weight": v}
                         for w, v in keywords(text, top, method)]
    elif by == "dimension":
        from .coverage import coverage
        from .frameworks import load_framework
        fw = load_framework(framework)
        texts: dict[str, list[str]] = {name: [] for name in fw.dimension_names()}
        for d in corpus:
            if d.analysis.raw.ok:
                for c in coverage(d.analysis, fw):
                    texts[c.dimension] += [e.text for e in c.evidence]
        for name, parts in texts.items():
            rows += [{"key": name, "keyword": w, "weight": v} for w, v in keywords("\n".join(parts), top, method)]
    else:
        raise ValueError(f"by must be 'document', 'section' or 'dimension', not {by!r}")
    return pd.DataFrame(rows, columns=["key", "keyword", "weight"])
