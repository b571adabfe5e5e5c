"""Typed records passed between pipeline stages.

Data flows one way: ingest -> normalize -> structure -> claims -> checks -> outputs.
Every offset (``start``/``end``) is a character offset into ``RawDocument.text``,
the text as extracted from the file, so any item can be shown in context.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Optional

if TYPE_CHECKING:                      # records stay a leaf module: no import at run time
    from .text.normalize import Normalized

# Status values a document can have after ingest.
STATUS_OK = "ok"
STATUS_EMPTY = "empty"            # file or extracted text is empty
STATUS_NO_TEXT = "no_text"        # PDF without a text layer (scanned)
STATUS_GARBLED = "garbled"        # PDF fonts without a character map: (cid:N) output
STATUS_UNSUPPORTED = "unsupported"  # a format no reader handles, or one whose extra is not installed
STATUS_ERROR = "error"            # unreadable, corrupt, undecodable, too large ...


@dataclass(frozen=True)
class Page:
    """A page of a paginated source (PDF): its number and its span in the text."""
    number: int
    start: int
    end: int


@dataclass(frozen=True)
class Hint:
    """Layout knowledge from the source format, e.g. a Word heading style.

    ``level`` is 1-4 for headings; ``kind`` says where it came from
    (``"style"``, ``"numbering"``, ``"table"``).
    """
    start: int
    end: int
    kind: str
    level: Optional[int] = None


@dataclass(frozen=True)
class OcrLine:
    """A line of the text recognised by OCR: its span in the text, its page (1-based) and
    the recogniser's confidence (0-1, the mean over its characters)."""
    start: int
    end: int
    page: int
    confidence: float


@dataclass
class RawDocument:
    """What ingest yields for every input path, readable or not."""
    path: str
    doc: str                      # file name, the document's id in every table
    format: str                   # txt, docx, pdf, or the file's suffix
    status: str = STATUS_OK
    message: str = ""
    text: str = ""
    pages: list[Page] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)
    encoding: Optional[str] = None
    # where the text came from: "text" (the file's own text layer), "ocr" (recognised from
    # images), "mixed" (some pages each way) or "converted" (another format converted first)
    source: str = "text"
    # each line of ``text`` is a paragraph (Word; PDF and OCR readers rejoin layout lines
    # themselves): normalisation must not join lines again
    lines_are_paragraphs: bool = False
    # the lines read by OCR (none when ``source`` is "text" or "converted")
    ocr_lines: list[OcrLine] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK

    def set_text(self, text: str, if_blank: str) -> bool:
        """Take the extracted text: status ok, or empty with the message ``if_blank`` when
        it is only whitespace. Returns whether it is ok."""
        self.text = text
        if text.strip():
            self.status = STATUS_OK
            return True
        self.status, self.message = STATUS_EMPTY, if_blank
        return False

    def page_at(self, offset: int) -> Optional[int]:
        for p in self.pages:
            if p.start <= offset < p.end:
                return p.number
        return None


@dataclass(frozen=True)
class Artifact:
    """Text kept out of the analysis but recorded: web debris, paywall markers."""
    kind: str       # debris | marker | counter
    raw: str
    start: int
    end: int


@dataclass(frozen=True)
class Placeholder:
    """A masked or template value left in the text: X市, 20XX, **, ○○."""
    raw: str
    start: int
    end: int
    kind: str       # letter | year | mask | circle


@dataclass
class Section:
    """A heading (levels 1-4) or an inline enumerated point (``level="point"``).

    ``start`` is where the marker begins; ``end`` is where the section's body
    ends (the next heading of the same or a higher level, or the end of text).
    ``title_end`` is where the heading's title ends.
    """
    doc: str
    id: int
    level: str                    # "1".."4" or "point"
    marker: str
    number: int                   # the marker's ordinal value (一 -> 1, (3) -> 3)
    title: str
    start: int
    end: int
    title_end: int
    parent: Optional[int] = None
    path: str = ""                # e.g. "一、主要做法 > （一）注重学习提高"


@dataclass
class Sentence:
    idx: int
    start: int
    end: int
    text: str                     # normalised text of the sentence
    section: Optional[int] = None  # id of the innermost heading section
    point: Optional[int] = None    # id of the enclosing point, if any


@dataclass
class Claim:
    """A numeric claim: a number stating how much a unit did, has or achieved."""
    doc: str
    raw: str                      # exact substring of RawDocument.text
    value: float
    unit: str
    approx: Optional[str]         # 余 多 近 以上 左右 约 超过 逾 近…余, or None
    subject: str
    kind: str                     # count percent money area duration other
    start: int
    end: int
    sentence: int = -1            # index into Analysis.sentences
    section: Optional[int] = None
    page: Optional[int] = None
    hedge_conflict: bool = False  # e.g. 近800余人: two hedges pulling both ways


@dataclass
class Analysis:
    """Everything the pipeline learned about one document."""
    raw: RawDocument
    title: str = ""
    doc_type: str = ""
    year: Optional[int] = None
    norm: Optional["Normalized"] = field(default=None, repr=False)   # the clean text and its offset map
    sections: list[Section] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    # what went wrong inside the pipeline or a check (each a traceback), for the run's log
    errors: list[str] = field(default_factory=list)

    @property
    def doc(self) -> str:
        return self.raw.doc

    @property
    def clean_text(self) -> str:
        """The normalised text (empty before the normalize stage ran)."""
        return self.norm.text if self.norm is not None else ""

    def section_path(self, section_id: Optional[int]) -> str:
        if section_id is None:
            return ""
        return self.sections[section_id].path

    def section_titles(self, section_id: Optional[int]) -> Iterator[str]:
        """The titles of a section and of the sections that hold it, innermost first."""
        while section_id is not None:
            s = self.sections[section_id]
            yield s.title
            section_id = s.parent

    def sentence_text(self, idx: int) -> str:
        """The sentence as it stands in the extracted text."""
        if idx < 0 or idx >= len(self.sentences):
            return ""
        s = self.sentences[idx]
        return self.raw.text[s.start:s.end]


@dataclass
class Finding:
    """A consistency problem found in one document (or across two)."""
    doc: str
    code: str
    severity: str                 # high | medium | low
    message: str                  # Chinese, for the reviewer
    section: str = ""
    sentence: str = ""
    raw: str = ""
    start: int = -1
    end: int = -1
    claims: list[str] = field(default_factory=list)   # raw strings of the claims involved
    other_doc: str = ""           # for cross-document findings (TEMPLATE_COPY)
    other_start: int = -1
    other_end: int = -1


@dataclass
class Evidence:
    sentence: int
    text: str
    section: str
    indicators: list[str]
    claims: int                    # numeric claims in the sentence
    start: int
    end: int


@dataclass
class Coverage:
    """How one document covers one framework dimension."""
    doc: str
    framework: str
    dimension: str                 # the dimension's name as the framework gives it
    score: float
    covered: bool
    indicators_hit: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    quantified_evidence: int = 0
    bonus: list[str] = field(default_factory=list)
    deductions: list[str] = field(default_factory=list)


@dataclass
class AdjustmentHit:
    """A framework's 加分项 (``kind`` "bonus") or 扣分项 ("deduction") met by one sentence of a
    document: the item, the points it is worth and the sentence that earned or cost them."""
    doc: str
    dimension: str                 # the dimension's name
    kind: str                      # bonus | deduction
    item: str                      # the item's name
    points: float                  # the item's weight (positive for both kinds)
    sentence: int                  # index into Analysis.sentences
    text: str                      # the sentence as extracted
    section: str = ""
    start: int = -1
    end: int = -1


@dataclass
class Assessment:
    """One document checked against a framework: its analysis, coverage and findings, and
    the bonus and deduction items its sentences meet (:func:`summaryscan.frameworks.scoring.adjustments`)."""
    analysis: Analysis
    coverage: list[Coverage] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    adjustments: list[AdjustmentHit] = field(default_factory=list)

    @property
    def raw(self) -> RawDocument:
        return self.analysis.raw

    @property
    def doc(self) -> str:
        return self.analysis.doc
