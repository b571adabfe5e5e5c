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
files; every input becomes a row of ``documents`` with its status). A document's key,
the ``doc`` column of every table, is its path relative to the common folder of the
inputs (``unitA/工作总结.docx``); ``corpus[key]`` takes it, or a file name that only
one document has:

>>> c = ss.read_texts({"unitA/总结.txt": "开展谈话65人次。", "unitB/总结.txt": "开展谈话12人次。"})
>>> c["unitB/总结.txt"].claims["raw"].tolist()
['12人次']
>>> c["总结.txt"]
Traceback (most recent call last):
...
summaryscan.api.AmbiguousDocumentError: 2 份材料的文件名都是“总结.txt”：unitA/总结.txt、unitB/总结.txt；请用完整的文档键（doc 列）
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
FINDING_DTYPES = {"start": _INT, "end": _INT, "other_start": _INT, "other_end": _INT, "code": "category",
                  "severity": "category"}
COVERAGE_DTYPES = {"score": "float64", "covered": "bool", "quantified_evidence": _INT, "dimension": "category"}


def _frame(rows: list[dict], columns: list[str], dtypes: dict) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    for col, dtype in dtypes.items():
        if col in df:
            df[col] = df[col].astype(dtype)
    return df


SCORE_COLUMNS = ["doc", "score", "coverage_points", "bonus_points", "deduction_points", "penalty"]
BREAKDOWN_COLUMNS = ["doc", "kind", "label", "points", "code", "count", "start", "end", "text"]


@dataclass
class CheckResult:
    """Coverage (document × dimension), consistency findings (copied passages included),
    each readable document's score (0–100) and where its points came from, as DataFrames:
    ``breakdown`` has one row per dimension, bonus or deduction item (with its sentence),
    problem and cap (:func:`summaryscan.frameworks.scoring.score`)."""
    coverage: pd.DataFrame
    findings: pd.DataFrame
    scores: Optional[pd.DataFrame] = None
    breakdown: Optional[pd.DataFrame] = None


class AmbiguousDocumentError(KeyError):
    """A bare file name that several documents of a corpus have (in different folders)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


_RENDER_CSS = (".ss-doc{white-space:pre-wrap;word-break:break-word;line-height:2.1;font-size:15px;"
               "font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif}"
               ".ss-doc mark.claim{background:#dbeafe;border-bottom:2px solid #2563eb;border-radius:2px;padding:1px 1px}"
               ".ss-doc mark.claim::after{content:attr(data-label);font-size:10px;color:#1e40af;margin-left:2px;"
               "vertical-align:super}"
               ".ss-doc .heading{font-weight:700}")


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
        """The text with its claims highlighted, as Chinese is written: no spaces added between
        words, every claim whole (``42.6亿元``, not ``42.6 亿元``), paragraphs and headings kept;
        each claim's value, unit and subject in its tooltip and its kind as a small label.
        Shown inline in Jupyter (``jupyter`` None: when running in one), else an HTML string.

        displaCy's span renderer is not used: it joins tokens with spaces and splits a claim
        across jieba's tokens."""
        from .report.html import KIND_ZH, Span, claim_tooltip, highlight
        a = self.analysis
        # the kind as a label drawn by CSS (data-label), not text: copying the passage copies the text only
        spans = [Span(c.start, c.end, "mark", "claim", claim_tooltip(vars(c)), whole=True,
                      data=(("kind", c.kind), ("label", KIND_ZH.get(c.kind, c.kind)))) for c in a.claims]
        spans += [Span(s.start, s.title_end, "span", "heading") for s in a.sections if s.level != "point"]
        html = (f'<div class="ss-doc" lang="zh-CN"><style>{_RENDER_CSS}</style>'
                f"{highlight(a.raw.text, spans)}</div>")
        if jupyter is None:
            jupyter = _in_jupyter()
        if jupyter:
            from IPython.display import HTML, display
            display(HTML(html))
            return None
        return html

    def __repr__(self) -> str:
        a = self.analysis
        return f"<Document {a.doc!r} {a.raw.status} {a.doc_type or ''} claims={len(a.claims)}>"


def _in_jupyter() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


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
        """A document by position, by key (the ``doc`` column), or by a file name only one
        document has; :class:`AmbiguousDocumentError` when several have it."""
        if isinstance(key, int):
            return self._docs[key]
        if key in self._index:
            return self._index[key]
        same = [d for d in self._docs if d.name.rsplit("/", 1)[-1] == key]
        if len(same) == 1:
            return same[0]
        if same:
            raise AmbiguousDocumentError(f"{len(same)} 份材料的文件名都是“{key}”：{'、'.join(d.name for d in same)}；"
                                         "请用完整的文档键（doc 列）")
        raise KeyError(key)

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

    def check(self, framework: Optional[str] = None, classifier="framework", jobs: int = 1,
              progress: bool = False, copies: bool = True) -> CheckResult:
        """Framework coverage, consistency findings (with passages copied between the documents,
        TEMPLATE_COPY, unless ``copies`` is False) and scores (the default framework when none is
        named), run by the batch driver with its per-document time and memory limits. Coverage uses
        the sentence classifier the framework names, as the CLI does (``classifier=None``: the
        framework's phrases alone; or a classifier of your own).

        >>> c = read_texts({"a.txt": "2023年工作总结\\n一、主要成效\\n开展警示教育12次。慰问困难党员近800余人。"})
        >>> r = c.check()
        >>> bool(r.coverage.set_index("dimension").loc["廉洁型", "covered"])
        True
        >>> "HEDGE_CONFLICT" in set(r.findings["code"])
        True
        """
        from functools import partial

        from .frameworks import load_framework
        from .frameworks.scoring import problems, score
        from .pipeline import assess
        fw = load_framework(framework)
        if classifier == "framework":          # the model the framework names, as the CLI uses it
            classifier = _framework_classifier(fw)
        cov, found, results = [], [], []
        for got in run_batch(self.analyses, jobs=jobs, progress=progress, desc="检查",
                             assess=partial(assess, framework=fw, classifier=classifier)):
            cov.extend(got.coverage)
            found.extend(got.findings)
            results.append(got)
        cross = []
        if copies:
            from .report.corpus import corpus_findings
            cross, _ = corpus_findings([(a.doc, a.raw.text) for a in self.analyses if a.raw.ok and a.raw.text])
            for f in cross:
                f.sentence = f.sentence or f.raw
        scores, lines = [], []
        for got in results:
            if not got.raw.ok:
                continue
            mine = got.findings + [f for f in cross if f.doc == got.doc]
            b = score(fw, {c.dimension: c.score for c in got.coverage}, got.adjustments, problems(mine))
            scores.append({"doc": got.doc, **{k: b[k] for k in SCORE_COLUMNS[1:]}})
            lines += [{"doc": got.doc, **ln} for ln in b["lines"]]
        return CheckResult(_frame(coverage_rows(cov), COVERAGE_COLUMNS, COVERAGE_DTYPES),
                           _frame(finding_rows(found + cross), FINDING_COLUMNS, FINDING_DTYPES),
                           _frame(scores, SCORE_COLUMNS, {}),
                           _frame(lines, BREAKDOWN_COLUMNS, {"start": _INT, "end": _INT, "count": _INT}))

    def similar(self, min_chars: int = 50) -> pd.DataFrame:
        """Passages copied between submissions (TEMPLATE_COPY), one row per pair."""
        from .similarity import copy_pairs_frame
        return copy_pairs_frame([a for a in self.analyses if a.raw.ok], min_chars=min_chars)

    def keywords(self, by: str = "document", top: int = 10, method: str = "tfidf",
                 framework: Optional[str] = None) -> pd.DataFrame:
        """Keywords per ``document``, ``section`` or framework ``dimension``: columns key, keyword, weight."""
        from .keywords import keywords_table
        return keywords_table(self, by=by, top=top, method=method, framework=framework)


def _framework_classifier(fw):
    """The sentence classifier a framework names (``classifier.model``), or None."""
    if fw.classifier is None:
        return None
    from .classifier import load_classifier, model_path
    try:
        return load_classifier(model_path(fw.classifier.model))
    except (OSError, ValueError, KeyError):
        return None


def read(paths: Union[str, Iterable[str]], jobs: int = 1, progress: bool = False) -> Corpus:
    """Analyse files, folders or globs into a :class:`Corpus`."""
    if isinstance(paths, str):
        paths = [paths]
    return Corpus(run_batch(list(paths), jobs=jobs, progress=progress))


def read_texts(texts: dict[str, str]) -> Corpus:
    """Analyse in-memory texts (name -> text) as .txt submissions."""
    return Corpus(analyze_text(text, doc=name) for name, text in texts.items())
