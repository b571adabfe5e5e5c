"""Python API for researchers: the same pipeline as the CLI, returning pandas DataFrames.

>>> import summaryscan as ss
>>> c = ss.read_texts({"局A.txt": "市财政局2023年工作总结\\n一、主要做法\\n组织开展廉政谈话65人次，发现问题13个。"})
>>> c.documents[["doc", "doc_type", "year"]].values.tolist()
[['局A.txt', '工作总结', 2023]]
>>> c.claims[["raw", "value", "unit", "subject"]].values.tolist()
[['65人次', 65.0, '人次', '廉政谈话'], ['13个', 13.0, '个', '问题']]
>>> c["局A.txt"].spacy.spans["claims"][0].text
'65人次'

Reading files works the same way: ``ss.read(["corpus/"])`` (folders, globs and
files; every input becomes a row of ``documents`` with its status).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Iterator, Optional, Union

import pandas as pd

from .pipeline import analyze_text
from .runner import run_batch
from .records import Analysis
from .report.tables import (CLAIM_COLUMNS, COVERAGE_COLUMNS, DOCUMENT_COLUMNS, FINDING_COLUMNS, SECTION_COLUMNS,
                            claim_rows, coverage_rows, document_row, finding_rows, section_rows)

_INT = "Int64"
DOCUMENT_DTYPES = {"year": _INT, "chars": _INT, "pages": _INT, "status": "category", "format": "category",
                   "doc_type": "category"}
SECTION_DTYPES = {"start": _INT, "end": _INT, "level": "category"}
CLAIM_DTYPES = {"value": "float64", "start": _INT, "end": _INT, "page": _INT, "unit": "category",
                "kind": "category", "approx": "category"}
FINDING_DTYPES = {"start": _INT, "end": _INT, "code": "category", "severity": "category"}
COVERAGE_DTYPES = {"score": "float64", "covered": "bool", "quantified_evidence": _INT, "dimension": "category"}


def _frame(rows: list[dict], columns: list[str], dtypes: dict) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    for col, dtype in dtypes.items():
        if col in df:
            df[col] = df[col].astype(dtype)
    return df


@dataclass
class CheckResult:
    """Coverage (document × dimension) and consistency findings, as DataFrames."""
    coverage: pd.DataFrame
    findings: pd.DataFrame


class Document:
    """One analysed submission: its Analysis, its spaCy Doc and its tables."""

    def __init__(self, analysis: Analysis):
        self.analysis = analysis

    @property
    def name(self) -> str:
        return self.analysis.doc

    @property
    def text(self) -> str:
        """The extracted text; every offset in the tables points into it."""
        return self.analysis.raw.text

    @cached_property
    def spacy(self):
        """A spaCy ``Doc`` of the text (jieba words), with span groups ``claims``,
        ``sections``, ``placeholders``; claim spans carry ``._.value``, ``._.unit``,
        ``._.subject``."""
        from .spacy_doc import to_spacy
        return to_spacy(self.analysis)

    @property
    def claims(self) -> pd.DataFrame:
        return _frame(claim_rows(self.analysis), CLAIM_COLUMNS, CLAIM_DTYPES)

    @property
    def sections(self) -> pd.DataFrame:
        return _frame(section_rows(self.analysis), SECTION_COLUMNS, SECTION_DTYPES)

    def keywords(self, top: int = 10, method: str = "tfidf") -> list[tuple[str, float]]:
        """The document's keywords (jieba TF-IDF or TextRank)."""
        from .keywords import keywords
        return keywords(self.analysis.clean_text, top=top, method=method)

    def render(self, jupyter: Optional[bool] = None):
        """Highlight the claims with displaCy (inline in Jupyter, HTML string otherwise)."""
        from spacy import displacy
        return displacy.render(self.spacy, style="span", options={"spans_key": "claims"}, jupyter=jupyter)

    def __repr__(self) -> str:
        a = self.analysis
        return f"<Document {a.doc!r} {a.raw.status} {a.doc_type or ''} claims={len(a.claims)}>"


class Corpus:
    """A set of analysed submissions. Tables are pandas DataFrames with the CSV columns."""

    def __init__(self, analyses: Iterable[Analysis]):
        self._docs = [Document(a) for a in analyses]
        self._index = {d.name: d for d in self._docs}

    def __len__(self) -> int:
        return len(self._docs)

    def __iter__(self) -> Iterator[Document]:
        return iter(self._docs)

    def __getitem__(self, key: Union[int, str]) -> Document:
        return self._docs[key] if isinstance(key, int) else self._index[key]

    def __repr__(self) -> str:
        ok = sum(d.analysis.raw.ok for d in self._docs)
        return f"<Corpus {len(self)} documents ({ok} ok)>"

    @property
    def analyses(self) -> list[Analysis]:
        return [d.analysis for d in self._docs]

    @cached_property
    def documents(self) -> pd.DataFrame:
        """One row per input: doc, path, format, status, message, title, doc_type, year, chars, pages."""
        return _frame([document_row(a) for a in self.analyses], DOCUMENT_COLUMNS, DOCUMENT_DTYPES)

    @cached_property
    def sections(self) -> pd.DataFrame:
        """One row per heading or point: doc, level, marker, title, path, start, end."""
        return _frame([r for a in self.analyses for r in section_rows(a)], SECTION_COLUMNS, SECTION_DTYPES)

    @cached_property
    def claims(self) -> pd.DataFrame:
        """One row per numeric claim: doc, section, sentence, raw, value, unit, approx, subject, kind,
        start, end, page."""
        return _frame([r for a in self.analyses for r in claim_rows(a)], CLAIM_COLUMNS, CLAIM_DTYPES)

    def check(self, framework: Optional[str] = None, classifier=None, jobs: int = 1,
              progress: bool = False) -> CheckResult:
        """Framework coverage and consistency findings (the default framework when none is named),
        run by the batch driver with its per-document time and memory limits.

        >>> c = read_texts({"a.txt": "2023年工作总结\\n一、主要成效\\n开展警示教育12次。慰问困难党员近800余人。"})
        >>> r = c.check()
        >>> bool(r.coverage.set_index("dimension").loc["廉洁型", "covered"])
        True
        >>> "HEDGE_CONFLICT" in set(r.findings["code"])
        True
        """
        from functools import partial

        from .frameworks import load_framework
        from .pipeline import assess
        fw = load_framework(framework)
        cov, found = [], []
        for got in run_batch(self.analyses, jobs=jobs, progress=progress, desc="检查",
                             assess=partial(assess, framework=fw, classifier=classifier)):
            cov.extend(got.coverage)
            found.extend(got.findings)
        return CheckResult(_frame(coverage_rows(cov), COVERAGE_COLUMNS, COVERAGE_DTYPES),
                           _frame(finding_rows(found), FINDING_COLUMNS, FINDING_DTYPES))

    def similar(self, min_chars: int = 50) -> pd.DataFrame:
        """Passages copied between submissions (TEMPLATE_COPY), one row per pair."""
        from .similarity import copy_pairs_frame
        return copy_pairs_frame([a for a in self.analyses if a.raw.ok], min_chars=min_chars)

    def keywords(self, by: str = "document", top: int = 10, method: str = "tfidf",
                 framework: Optional[str] = None) -> pd.DataFrame:
        """Keywords per ``document``, ``section`` or framework ``dimension``: columns key, keyword, weight."""
        from .keywords import keywords_table
        return keywords_table(self, by=by, top=top, method=method, framework=framework)


def read(paths: Union[str, Iterable[str]], jobs: int = 1, progress: bool = False) -> Corpus:
    """Analyse files, folders or globs into a :class:`Corpus`."""
    if isinstance(paths, str):
        paths = [paths]
    return Corpus(run_batch(list(paths), jobs=jobs, progress=progress))


def read_texts(texts: dict[str, str]) -> Corpus:
    """Analyse in-memory texts (name -> text) as .txt submissions."""
    return Corpus(analyze_text(text, doc=name) for name, text in texts.items())
