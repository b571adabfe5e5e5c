"""Pydantic models of an accreditation framework (模范机关创建评价框架).

A framework is data: a YAML file validated by these models.  The models are
frozen (attributes cannot be reassigned) so one loaded framework can be shared.

YAML layout (every key below is the YAML key; unknown keys are errors)::

    id: five-types                 # slug: letters, digits, - and _
    name: “五型”模范机关            # Chinese display name
    version: "1.0"                 # numbers and dates are accepted and kept as text
    description: ...               # optional
    default: true                  # optional: the framework used when none is named
    scoring:                       # optional, see Scoring
      covered_threshold: 0.35
      coverage_points: 90          # full coverage of every dimension; + bonus_cap = 100
      bonus_cap: 10                # 加分项 add at most this
      deduction_cap: 20            # 扣分项 take at most this
      penalty_cap: 30              # the problems found take at most this
      penalties: {high: 5, medium: 2, low: 0.5}   # points one problem costs, by severity
    classifier:                    # optional: the sentence model trained for these dimensions
      model: dimension-classifier.npz
    dimensions:                    # at least one
      - id: political
        name: 政治型
        description: ...           # optional
        weight: 1                  # optional, > 0, default 1
        indicators:                # at least one
          - id: first-topic
            name: “第一议题”制度
            phrases: [第一议题]     # literal vocabulary, at least one, >= 2 chars each
            patterns: ['...']      # optional regexes; must compile and not match ""
            quantitative: true     # numeric evidence expected (次, 人次, 个 ...)
            weight: 1
        bonus:                     # 加分项, optional; weight = points added
          - {id: ..., name: ..., phrases: [...], patterns: [...], weight: 2}
        deductions:                # 扣分项, optional; weight = points deducted (positive)
          - {id: ..., name: ..., phrases: [...], weight: 2}
    expected_sections:             # document type -> expected parts, in order
      工作总结:
        - {id: results, name: 主要成效, phrases: [成效, 成绩, 做法], implicit: true}
      default: [...]

Ids are unique per level: dimension ids (and names) across the framework; the
ids of a dimension's indicators, bonus and deduction items together (and the
names of its indicators); section ids within one document type.
"""
from __future__ import annotations

import re
from functools import cached_property
from typing import Annotated, Any, Iterator, Literal, NamedTuple, Optional

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..text.patterns import alternation

ID_RE = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"

# The key of the sections expected of any other document type (文种; the types and the
# words naming them are ``lexicon/doc_types.yaml``).
DEFAULT_DOC_TYPE = "default"


# --------------------------------------------------------------------------- #
# field types
# --------------------------------------------------------------------------- #

def _scalar_to_text(value: Any) -> Any:
    """YAML turns ``1.0`` into a float and ``2024-01-01`` into a date; keep text."""
    if isinstance(value, bool):
        return value  # let pydantic report the wrong type
    if isinstance(value, (int, float)):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


_CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


def _tidy_text(value: Any) -> Any:
    """Collapse white space; drop it between Chinese characters, which a folded
    YAML block (``>``) would otherwise leave as a space at each line break."""
    value = _scalar_to_text(value)
    if isinstance(value, str):
        value = _CJK_GAP.sub("", " ".join(value.split()))
    return value


def _check_phrase(value: str) -> str:
    value = value.strip()
    if len(value) < 2:
        raise PydanticCustomError(
            "phrase_too_short",
            "短语至少需要两个字符 (a phrase needs at least 2 characters): “{phrase}”",
            {"phrase": value},
        )
    return value


def _check_pattern(value: str) -> str:
    try:
        rx = re.compile(value)
    except re.error as exc:
        raise PydanticCustomError(
            "bad_regex",
            "正则表达式无法编译 (regex does not compile): “{pattern}”: {error}",
            {"pattern": value, "error": str(exc)},
        ) from None
    if rx.search("") is not None:
        raise PydanticCustomError(
            "regex_matches_empty",
            "正则表达式会匹配空字符串 (regex matches the empty string): “{pattern}”",
            {"pattern": value},
        )
    return value


def _check_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise PydanticCustomError("empty_name", "名称不能为空 (name must not be empty)")
    return value


Text = Annotated[str, BeforeValidator(_scalar_to_text)]
Description = Annotated[str, BeforeValidator(_tidy_text)]
Name = Annotated[str, BeforeValidator(_scalar_to_text), AfterValidator(_check_name)]
Slug = Annotated[str, BeforeValidator(_scalar_to_text), Field(pattern=ID_RE)]
Phrase = Annotated[str, BeforeValidator(_scalar_to_text), AfterValidator(_check_phrase)]
Pattern = Annotated[str, AfterValidator(_check_pattern)]
Weight = Annotated[float, Field(gt=0)]


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


Phrases = Annotated[list[Phrase], AfterValidator(_dedupe)]


def _duplicate(kind: str, value: str, path: tuple, first: tuple) -> PydanticCustomError:
    """An error the loader can place on the duplicate's own line (ctx['path'])."""
    return PydanticCustomError(
        "duplicate_id",
        "重复的{kind} “{value}” (duplicate {kind})",
        {"kind": kind, "value": value, "path": path, "first": first},
    )


class Hit(NamedTuple):
    """One match of an item's vocabulary in a text."""
    start: int
    end: int
    text: str
    source: str        # the phrase, or the pattern, that matched


# --------------------------------------------------------------------------- #
# models
# --------------------------------------------------------------------------- #

class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Model):
    """Something recognised in text by literal phrases and optional regexes."""

    id: Slug
    name: Name
    description: Description = ""
    phrases: Phrases = Field(min_length=1)
    patterns: list[Pattern] = Field(default_factory=list)
    weight: Weight = 1.0

    @cached_property
    def phrase_regex(self) -> re.Pattern:
        """All phrases as one literal alternation, longest first."""
        return re.compile(alternation(self.phrases))

    @cached_property
    def compiled_patterns(self) -> list[re.Pattern]:
        return [re.compile(p) for p in self.patterns]

    def find(self, text: str) -> list[Hit]:
        """Every phrase and pattern match in ``text``, ordered by position."""
        hits = [Hit(m.start(), m.end(), m.group(), m.group())
                for m in self.phrase_regex.finditer(text)]
        for src, rx in zip(self.patterns, self.compiled_patterns):
            hits.extend(Hit(m.start(), m.end(), m.group(), src)
                        for m in rx.finditer(text) if m.end() > m.start())
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        return hits

    def matches(self, text: str) -> bool:
        """True when any phrase or pattern occurs in ``text``."""
        if self.phrase_regex.search(text):
            return True
        return any(rx.search(text) for rx in self.compiled_patterns)


class Indicator(Item):
    """An indicator of a dimension: the work it names is evidence for it."""

    quantitative: bool = False   # numeric evidence (次、人次、个、%) is expected


class Adjustment(Item):
    """A 加分项 (bonus) or 扣分项 (deduction); ``weight`` is points, always > 0."""


class Dimension(_Model):
    id: Slug
    name: Name
    description: Description = ""
    weight: Weight = 1.0
    indicators: list[Indicator] = Field(min_length=1)
    bonus: list[Adjustment] = Field(default_factory=list)
    deductions: list[Adjustment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> "Dimension":
        seen: dict[str, tuple] = {}
        for field in ("indicators", "bonus", "deductions"):
            for i, item in enumerate(getattr(self, field)):
                path = (field, i, "id")
                if item.id in seen:
                    raise _duplicate("条目 id", item.id, path, seen[item.id])
                seen[item.id] = path
        # names label evidence and hits, so they must tell indicators apart too
        names: dict[str, tuple] = {}
        for i, ind in enumerate(self.indicators):
            path = ("indicators", i, "name")
            if ind.name in names:
                raise _duplicate("指标名称", ind.name, path, names[ind.name])
            names[ind.name] = path
        return self

    def items(self) -> Iterator[tuple[str, Item]]:
        """(kind, item) for indicators, bonus and deductions; kind is the field name."""
        for field in ("indicators", "bonus", "deductions"):
            for item in getattr(self, field):
                yield field, item

    def indicator(self, key: str) -> Indicator:
        for ind in self.indicators:
            if key in (ind.id, ind.name):
                return ind
        raise KeyError(key)


class SectionSpec(_Model):
    """A part a document of some type is expected to have, e.g. 存在问题."""

    id: Slug
    name: Name
    phrases: Phrases = Field(min_length=1)   # heading words that signal it
    required: bool = True
    # the body of the document may stand for this part without a heading naming it
    # (主要成效与做法 written as prose before 存在问题 and 下一步打算)
    implicit: bool = False

    @cached_property
    def phrase_regex(self) -> re.Pattern:
        return re.compile(alternation(self.phrases))

    def matches(self, heading: str) -> bool:
        return bool(self.phrase_regex.search(heading))


DEFAULT_PENALTIES = {"high": 5.0, "medium": 2.0, "low": 0.5}


class Scoring(_Model):
    """Coverage knobs and the submission's score on a 0–100 scale (all optional).

    covered_threshold
        Without a sentence classifier: a dimension backed only by sentences under headings
        that name its indicators is covered when their weight (0..1) reaches this (one
        concrete sentence naming an indicator covers it by itself).
    indicator_target
        A dimension's grade (0..1) is the share of this many of its indicators backed by
        evidence (a quantified sentence fully, others in part).
    max_evidence
        Evidence sentences kept per dimension.
    coverage_points, bonus_cap
        The score's two positive parts: full coverage of every dimension is worth
        ``coverage_points`` (shared by the dimensions' weights) and the 加分项 add at most
        ``bonus_cap``; together exactly 100.
    deduction_cap, penalty_cap
        The 扣分项 take at most ``deduction_cap`` points, the problems found at most
        ``penalty_cap``; the score never goes below 0.
    penalties
        Points one problem costs, by severity (findings that are one problem cost once;
        :func:`summaryscan.frameworks.scoring.problems`).
    """

    covered_threshold: float = Field(default=0.35, gt=0, le=1)
    max_evidence: int = Field(default=3, ge=1)
    indicator_target: int = Field(default=5, ge=1)
    coverage_points: float = Field(default=90.0, gt=0, le=100)
    bonus_cap: float = Field(default=10.0, ge=0, lt=100)
    deduction_cap: float = Field(default=20.0, ge=0, le=100)
    penalty_cap: float = Field(default=30.0, ge=0, le=100)
    # a severity left out keeps its default
    penalties: Annotated[dict[Literal["high", "medium", "low"], Annotated[float, Field(ge=0)]],
                         BeforeValidator(lambda v: {**DEFAULT_PENALTIES, **v} if isinstance(v, dict) else v)] = Field(
        default_factory=lambda: dict(DEFAULT_PENALTIES))

    @model_validator(mode="after")
    def _full_marks(self) -> "Scoring":
        if abs(self.coverage_points + self.bonus_cap - 100.0) > 1e-9:
            raise PydanticCustomError(
                "scale_not_100",
                "coverage_points 与 bonus_cap 之和应为满分 100，现为 {total} "
                "(coverage_points + bonus_cap must be 100)",
                {"total": f"{self.coverage_points + self.bonus_cap:g}"})
        return self


class ClassifierSpec(_Model):
    """The sentence classifier trained for this framework's dimensions.

    model
        File name of the shipped model (in ``models/``, beside its model card); its labels
        are the framework's dimension names and ``none``.
    """

    model: Text


class Framework(_Model):
    id: Slug
    name: Name
    version: Text = "1"
    description: Description = ""
    default: bool = False            # the framework used when none is named (one built-in)
    scoring: Scoring = Field(default_factory=Scoring)
    classifier: Optional[ClassifierSpec] = None
    dimensions: list[Dimension] = Field(min_length=1)
    expected_sections: dict[Text, list[SectionSpec]] = Field(default_factory=dict)

    # the file it was loaded from; set by the loader, not a YAML key
    _source: Optional[str] = PrivateAttr(default=None)

    @property
    def source(self) -> Optional[str]:
        return self._source

    @model_validator(mode="after")
    def _unique(self) -> "Framework":
        for attr, kind in (("id", "维度 id"), ("name", "维度名称")):
            seen: dict[str, tuple] = {}
            for i, dim in enumerate(self.dimensions):
                value = getattr(dim, attr)
                path = ("dimensions", i, attr)
                if value in seen:
                    raise _duplicate(kind, value, path, seen[value])
                seen[value] = path
        for doc_type, specs in self.expected_sections.items():
            seen = {}
            for i, spec in enumerate(specs):
                path = ("expected_sections", doc_type, i, "id")
                if spec.id in seen:
                    raise _duplicate("章节 id", spec.id, path, seen[spec.id])
                seen[spec.id] = path
        return self

    # ---- convenience accessors ------------------------------------------- #

    def dimension_names(self) -> list[str]:
        return [d.name for d in self.dimensions]

    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.dimensions]

    def dimension(self, key: str) -> Dimension:
        """A dimension by id or by name (KeyError if none)."""
        for d in self.dimensions:
            if key in (d.id, d.name):
                return d
        raise KeyError(key)

    def doc_types(self) -> list[str]:
        return list(self.expected_sections)

    def expected_sections_for(self, doc_type: Optional[str]) -> list[SectionSpec]:
        """The sections expected of ``doc_type``.

        Exact key first, then a key contained in the type (``2023年度工作总结``
        -> ``工作总结``) or the type contained in a key (``总结`` -> ``工作总结``),
        then ``default``; an empty list when nothing fits.
        """
        table = self.expected_sections
        if doc_type:
            doc_type = doc_type.strip()
            if doc_type in table:
                return list(table[doc_type])
            keys = [k for k in table if k != DEFAULT_DOC_TYPE]
            for k in sorted(keys, key=len, reverse=True):
                if k in doc_type:
                    return list(table[k])
            for k in sorted(keys, key=len, reverse=True):
                if doc_type in k:
                    return list(table[k])
        return list(table.get(DEFAULT_DOC_TYPE, []))

    def iter_items(self) -> Iterator[tuple[Dimension, str, Item]]:
        """(dimension, kind, item) for every indicator, bonus and deduction."""
        for d in self.dimensions:
            for kind, item in d.items():
                yield d, kind, item

    def iter_indicators(self) -> Iterator[tuple[Dimension, Indicator]]:
        for d in self.dimensions:
            for ind in d.indicators:
                yield d, ind
