"""Accreditation frameworks (模范机关创建评价框架) as validated YAML data.

Built-in frameworks live next to this file (``five-types.yaml``,
``four-requirements.yaml``, ``six-standards.yaml``); users can pass their own
YAML file anywhere a framework id is accepted.  See :mod:`.schema` for the
YAML layout and :mod:`.loader` for how errors are reported.

Public API::

    load_framework(name_or_path) -> Framework
    builtin_ids() -> list[str]
    list_frameworks(paths=()) -> list[dict]
    describe(fw, max_phrases=8) -> str
    FrameworkError(path, line, field, message)
"""
from __future__ import annotations

from typing import Optional, Union

from .loader import (
    FrameworkError,
    Issue,
    builtin_ids,
    default_id,
    field_path,
    list_frameworks,
    load_file,
    load_framework,
    parse_framework,
)
from .schema import (
    DEFAULT_DOC_TYPE,
    Adjustment,
    ClassifierSpec,
    Dimension,
    Framework,
    Hit,
    Indicator,
    Item,
    Scoring,
    SectionSpec,
)

__all__ = [
    "Adjustment", "DEFAULT_DOC_TYPE", "Dimension", "Framework",
    "FrameworkError", "Hit", "Indicator", "Issue", "Item", "Scoring", "SectionSpec", "ClassifierSpec",
    "builtin_ids", "default_id", "describe", "field_path", "list_frameworks", "load_file",
    "load_framework", "parse_framework",
]


def _num(x: float) -> str:
    return f"{x:g}"


def _phrases(phrases: list[str], limit: Optional[int]) -> str:
    if limit is None or len(phrases) <= limit:
        return "、".join(phrases)
    return "、".join(phrases[:limit]) + f" 等 {len(phrases)} 个"


def describe(fw: Union[Framework, str], max_phrases: Optional[int] = 8) -> str:
    """A readable Chinese rendering of a framework (``summaryscan frameworks show``).

    ``fw`` may be a Framework or anything :func:`load_framework` accepts.
    ``max_phrases`` limits the phrases listed per item (None: all).
    """
    if not isinstance(fw, Framework):
        fw = load_framework(fw)
    out: list[str] = []
    add = out.append
    add(f"{fw.name}（{fw.id}，版本 {fw.version}）")
    if fw.source:
        add(f"文件：{fw.source}")
    if fw.description:
        add(f"说明：{' '.join(fw.description.split())}")
    s = fw.scoring
    model = f"句子分类模型 {fw.classifier.model} 判定证据" if fw.classifier else f"仅用短语规则（覆盖阈值 {_num(s.covered_threshold)}）"
    add(f"覆盖：{model}；维度得分为 {s.indicator_target} 项指标中有证据支撑的比例（有数据的证据记满分）；"
        f"每个维度最多列出 {s.max_evidence} 条证据")
    from .scoring import scale_text
    add(f"得分：{scale_text(fw)}")
    n_ind = sum(len(d.indicators) for d in fw.dimensions)
    add(f"共 {len(fw.dimensions)} 个维度、{n_ind} 项指标："
        + "、".join(d.name for d in fw.dimensions))

    for i, d in enumerate(fw.dimensions, 1):
        add("")
        add(f"【维度 {i}】{d.name}（{d.id}，权重 {_num(d.weight)}）")
        if d.description:
            add(f"  {' '.join(d.description.split())}")
        add(f"  指标（{len(d.indicators)} 项）：")
        for ind in d.indicators:
            tags = [f"权重 {_num(ind.weight)}"]
            if ind.quantitative:
                tags.append("需量化")
            if ind.patterns:
                tags.append(f"正则 {len(ind.patterns)} 条")
            add(f"    · {ind.name} [{ind.id}]（{'，'.join(tags)}）：{_phrases(ind.phrases, max_phrases)}")
        for label, sign, items in (("加分项", "+", d.bonus), ("扣分项", "-", d.deductions)):
            if not items:
                add(f"  {label}：无")
                continue
            add(f"  {label}（{len(items)} 项）：")
            for b in items:
                add(f"    {sign} {b.name} [{b.id}]（{sign}{_num(b.weight)} 分）")

    add("")
    if fw.expected_sections:
        add("预期结构（按文种）：")
        for doc_type, specs in fw.expected_sections.items():
            label = "其他文种（default）" if doc_type == DEFAULT_DOC_TYPE else doc_type
            parts = []
            for sp in specs:
                opt = "" if sp.required else "，可选"
                parts.append(f"{sp.name}（{'/'.join(sp.phrases[:6])}{opt}）")
            add(f"  {label}：" + " → ".join(parts))
    else:
        add("预期结构：未规定")
    return "\n".join(out)
